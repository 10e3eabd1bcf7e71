#include "ops/strided_slice.h"

#include <algorithm>
#include <cstring>

#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

namespace {
bool bit(int64_t mask, size_t i) { return i < 63 && ((mask >> i) & 1) != 0; }
constexpr int64_t kNewAxis = -1, kShrinkAxis = -2;
}  // namespace

Result<StridedSlicePlan> plan_strided_slice(const Shape& in_shape, const std::vector<int64_t>& begin,
                                            const std::vector<int64_t>& end, const std::vector<int64_t>& strides,
                                            const StridedSliceMasks& masks) {
  size_t n = begin.size();
  if (end.size() != n || strides.size() != n) return Status::error("begin, end and strides must have the same length");
  if (n > 62) return Status::error("slice spec longer than 62 entries");
  size_t rank = in_shape.size();
  StridedSliceMasks m = masks;
  bool has_ellipsis = false;
  for (size_t i = 0; i < n; ++i) {
    if (!bit(m.ellipsis, i)) continue;
    if (has_ellipsis) return Status::error("more than one ellipsis");
    has_ellipsis = true;
  }
  size_t spec_n = n;
  if (!has_ellipsis) {  // an implicit ellipsis at the end covers the axes the spec does not name
    m.ellipsis |= int64_t{1} << n;
    spec_n = n + 1;
  }
  size_t new_axes_after_ellipsis = 0;
  bool seen_ellipsis = false;
  for (size_t i = 0; i < spec_n; ++i) {
    if (bit(m.ellipsis, i)) seen_ellipsis = true;
    else if (seen_ellipsis && bit(m.new_axis, i)) ++new_axes_after_ellipsis;
  }

  // Dense spec: one entry per input axis.
  std::vector<int64_t> d_begin(rank, 0), d_end(rank, 0), d_stride(rank, 1);
  std::vector<bool> d_begin_masked(rank, false), d_end_masked(rank, false), d_shrink(rank, false);
  std::vector<int64_t> gather;  // output dims: an input axis, kNewAxis or kShrinkAxis
  size_t full = 0;
  for (size_t i = 0; i < spec_n; ++i) {
    if (bit(m.ellipsis, i)) {
      int64_t named_after = static_cast<int64_t>(spec_n - i - 1 - new_axes_after_ellipsis);
      int64_t next = static_cast<int64_t>(rank) - named_after;
      if (next < static_cast<int64_t>(full)) return Status::error("the spec names more axes than the input has");
      for (; static_cast<int64_t>(full) < next; ++full) {
        d_begin_masked[full] = d_end_masked[full] = true;
        gather.push_back(static_cast<int64_t>(full));
      }
    } else if (bit(m.new_axis, i)) {
      gather.push_back(kNewAxis);
    } else {
      if (full >= rank)
        return Status::error("the spec names more axes than the input has (rank " + std::to_string(rank) + ")");
      d_begin[full] = begin[i];
      d_end[full] = end[i];
      d_stride[full] = strides[i];
      d_begin_masked[full] = bit(m.begin, i);
      d_end_masked[full] = bit(m.end, i);
      d_shrink[full] = bit(m.shrink_axis, i);
      gather.push_back(d_shrink[full] ? kShrinkAxis : static_cast<int64_t>(full));
      ++full;
    }
  }
  if (full != rank)
    return Status::error("the spec covers " + std::to_string(full) + " axes, the input has " + std::to_string(rank));

  StridedSlicePlan p;
  p.start.resize(rank);
  p.step.resize(rank);
  p.count.resize(rank);
  for (size_t a = 0; a < rank; ++a) {
    int64_t dim = in_shape[a], s = d_stride[a];
    if (s == 0) return Status::error("stride of axis " + std::to_string(a) + " is 0");
    if (s < -kMaxElements || s > kMaxElements) return Status::error("stride out of range");
    if (d_shrink[a]) {
      int64_t b = d_begin[a] < 0 ? d_begin[a] + dim : d_begin[a];
      if (b < 0 || b >= dim)
        return Status::error("index " + std::to_string(d_begin[a]) + " of shrunk axis " + std::to_string(a) +
                             " is out of range for size " + std::to_string(dim));
      p.start[a] = b;
      p.step[a] = 1;
      p.count[a] = 1;
      continue;
    }
    auto canonical = [&](int64_t x, bool masked, bool is_begin) {
      if (masked) return s > 0 ? (is_begin ? 0 : dim) : (is_begin ? dim - 1 : -1);
      if (x < 0) x += dim;  // still negative when below -dim: the clamp below handles it
      return s > 0 ? std::min(std::max(x, int64_t{0}), dim) : std::min(std::max(x, int64_t{-1}), dim - 1);
    };
    int64_t b = canonical(d_begin[a], d_begin_masked[a], true);
    int64_t e = canonical(d_end[a], d_end_masked[a], false);
    int64_t len = s > 0 ? e - b : b - e;
    int64_t step = s > 0 ? s : -s;
    p.start[a] = b;
    p.step[a] = s;
    p.count[a] = len <= 0 ? 0 : (len + step - 1) / step;
  }
  for (int64_t gdim : gather) {
    if (gdim == kNewAxis) p.out_shape.push_back(1);
    else if (gdim != kShrinkAxis) p.out_shape.push_back(p.count[static_cast<size_t>(gdim)]);
  }
  return p;
}

namespace reference {
void strided_slice(const TensorView& in, const StridedSlicePlan& p, const TensorView& out) {
  const Shape& is = *in.shape;
  size_t rank = is.size(), esize = dtype_size(in.dtype);
  int64_t total = 1;
  for (int64_t c : p.count) total *= c;
  if (total == 0) return;
  std::vector<int64_t> in_stride(rank, 1);
  for (size_t a = rank; a-- > 1;) in_stride[a - 1] = in_stride[a] * is[a];
  std::vector<int64_t> idx(rank, 0);
  const uint8_t* src = in.as<uint8_t>();
  uint8_t* dst = out.as<uint8_t>();
  for (int64_t o = 0; o < total; ++o) {
    int64_t off = 0;
    for (size_t a = 0; a < rank; ++a) off += (p.start[a] + idx[a] * p.step[a]) * in_stride[a];
    std::memcpy(dst + static_cast<size_t>(o) * esize, src + static_cast<size_t>(off) * esize, esize);
    for (size_t a = rank; a-- > 0;) {
      if (++idx[a] < p.count[a]) break;
      idx[a] = 0;
    }
  }
}
}  // namespace reference

namespace {

class StridedSliceKernel : public Kernel {
 public:
  Status init(const Node& node) {
    WEBCNN_ASSIGN(masks_.begin, node.attr_int("begin_mask", 0));
    WEBCNN_ASSIGN(masks_.end, node.attr_int("end_mask", 0));
    WEBCNN_ASSIGN(masks_.ellipsis, node.attr_int("ellipsis_mask", 0));
    WEBCNN_ASSIGN(masks_.new_axis, node.attr_int("new_axis_mask", 0));
    WEBCNN_ASSIGN(masks_.shrink_axis, node.attr_int("shrink_axis_mask", 0));
    return Status::ok();
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 4, 4));
    std::vector<int64_t> spec[3];
    const char* names[3] = {"begin", "end", "strides"};
    for (int i = 0; i < 3; ++i) {
      const ValueInfo& v = in[static_cast<size_t>(i) + 1];
      if (!v.constant) return node.error(std::string(names[i]) + " must be a constant at plan time");
      if (v.dtype == DataType::kFloat32 || v.shape.size() != 1)
        return node.error(std::string(names[i]) + " must be a 1-D integer tensor");
      spec[i] = v.constant->to_int64_vector();
    }
    Result<StridedSlicePlan> p = plan_strided_slice(in[0].shape, spec[0], spec[1], spec[2], masks_);
    if (!p.is_ok()) return node.error(p.status().message() + " (input " + shape_to_string(in[0].shape) + ")");
    plan_ = std::move(p.value());
    out[0].dtype = in[0].dtype;
    out[0].shape = plan_.out_shape;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    reference::strided_slice(io.in[0], plan_, io.out[0]);
    return Status::ok();
  }

 private:
  StridedSliceMasks masks_;
  StridedSlicePlan plan_;
};

}  // namespace

void register_strided_slice_ops(OpRegistry& r) {
  r.add("StridedSlice", [](const Node& n) -> Result<std::unique_ptr<Kernel>> {
    auto k = std::make_unique<StridedSliceKernel>();
    WEBCNN_TRY(k->init(n));
    return std::unique_ptr<Kernel>(std::move(k));
  });
}

}  // namespace webcnn
