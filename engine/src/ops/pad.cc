// Pad: the fast path, the naive reference the tests compare it with, and the kernel.
#include "ops/pad.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "ops/constant_inputs.h"
#include "ops/element_copy.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {
namespace data_movement {

Result<PadMode> parse_pad_mode(const std::string& mode) {
  if (mode == "constant") return PadMode::kConstant;
  if (mode == "reflect") return PadMode::kReflect;
  if (mode == "edge") return PadMode::kEdge;
  if (mode == "wrap") return PadMode::kWrap;
  return Status::error("unknown mode '" + mode + "' (expected constant, reflect, edge or wrap)");
}

Result<std::vector<PadAxis>> pad_plan(const Shape& in, const std::vector<int64_t>& pads,
                                      const std::vector<int64_t>& axes, PadMode mode) {
  const int64_t rank = static_cast<int64_t>(in.size());
  std::vector<int64_t> list = axes;
  if (list.empty())
    for (int64_t i = 0; i < rank; ++i) list.push_back(i);
  if (pads.size() != 2 * list.size())
    return Status::error("pads has " + std::to_string(pads.size()) + " entries, expected " +
                         std::to_string(2 * list.size()));
  std::vector<int64_t> begin(in.size(), 0), end(in.size(), 0);
  std::vector<bool> seen(in.size(), false);
  for (size_t k = 0; k < list.size(); ++k) {
    int64_t axis = list[k];
    if (axis < -rank || axis >= rank)
      return Status::error("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    if (axis < 0) axis += rank;
    const size_t a = static_cast<size_t>(axis);
    if (seen[a]) return Status::error("axis " + std::to_string(axis) + " is listed twice");
    seen[a] = true;
    begin[a] = pads[k];
    end[a] = pads[k + list.size()];
  }
  std::vector<PadAxis> plan(in.size());
  Shape out_shape(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    // Bound the pads so the sums below cannot overflow; kMaxElements caps any real dimension anyway.
    if (begin[i] > kMaxElements || end[i] > kMaxElements || begin[i] < -kMaxElements || end[i] < -kMaxElements)
      return Status::error("pads for axis " + std::to_string(i) + " are out of range");
    PadAxis& p = plan[i];
    p.in_dim = in[i];
    p.keep_begin = std::max<int64_t>(-begin[i], 0);
    p.keep = in[i] - p.keep_begin - std::max<int64_t>(-end[i], 0);
    if (p.keep < 0)
      return Status::error("pads " + std::to_string(begin[i]) + ", " + std::to_string(end[i]) +
                           " crop more than axis " + std::to_string(i) + " of size " + std::to_string(in[i]) +
                           " holds");
    p.before = std::max<int64_t>(begin[i], 0);
    p.out_dim = p.before + p.keep + std::max<int64_t>(end[i], 0);
    if (p.keep == 0 && p.out_dim > 0 && mode != PadMode::kConstant)
      return Status::error("axis " + std::to_string(i) + " has nothing left to pad from in this mode");
    out_shape[i] = p.out_dim;
  }
  WEBCNN_TRY(checked_num_elements(out_shape).status());
  return plan;
}

int64_t pad_source_index(const PadAxis& a, int64_t o, PadMode mode) {
  int64_t p = o - a.before;  // position relative to the kept region
  if (p >= 0 && p < a.keep) return a.keep_begin + p;
  switch (mode) {
    case PadMode::kConstant: return -1;
    case PadMode::kEdge: p = p < 0 ? 0 : a.keep - 1; break;
    case PadMode::kReflect:
      if (a.keep == 1) {
        p = 0;
      } else {  // mirror without repeating the edge: period 2*(keep-1)
        const int64_t period = 2 * (a.keep - 1);
        p %= period;
        if (p < 0) p += period;
        if (p >= a.keep) p = period - p;
      }
      break;
    case PadMode::kWrap:
      p %= a.keep;
      if (p < 0) p += a.keep;
      break;
  }
  return a.keep_begin + p;
}

void pad(const void* in, const std::vector<PadAxis>& plan, PadMode mode, const void* value, void* out,
         size_t element_size) {
  const size_t rank = plan.size();
  Shape in_shape(rank), out_shape(rank);
  for (size_t i = 0; i < rank; ++i) {
    in_shape[i] = plan[i].in_dim;
    out_shape[i] = plan[i].out_dim;
  }
  if (num_elements(out_shape) == 0) return;
  const char* src = static_cast<const char*>(in);
  char* dst = static_cast<char*>(out);
  if (rank == 0) {
    std::memcpy(dst, src, element_size);
    return;
  }
  const std::vector<int64_t> in_strides = strides_of(in_shape);
  const PadAxis& last = plan[rank - 1];
  std::vector<int64_t> idx(rank, 0);
  with_element_size(element_size, [&](auto es_tag) {
    const size_t es = es_tag;
    // One output row (the innermost dim) at a time: either all constant, or the kept part of one
    // input row copied whole with its padding mapped element by element.
    do {
      int64_t off = 0;
      bool constant_row = false;
      for (size_t i = 0; i + 1 < rank && !constant_row; ++i) {
        const int64_t s = pad_source_index(plan[i], idx[i], mode);
        if (s < 0) constant_row = true;
        off += s * in_strides[i];
      }
      if (constant_row) {
        for (int64_t k = 0; k < last.out_dim; ++k) std::memcpy(dst + static_cast<size_t>(k) * es, value, es);
      } else {
        const char* row = src + static_cast<size_t>(off) * es;
        auto edge = [&](int64_t o) {
          const int64_t s = pad_source_index(last, o, mode);
          std::memcpy(dst + static_cast<size_t>(o) * es, s < 0 ? value : row + static_cast<size_t>(s) * es, es);
        };
        for (int64_t o = 0; o < last.before; ++o) edge(o);
        if (last.keep)
          std::memcpy(dst + static_cast<size_t>(last.before) * es, row + static_cast<size_t>(last.keep_begin) * es,
                      static_cast<size_t>(last.keep) * es);
        for (int64_t o = last.before + last.keep; o < last.out_dim; ++o) edge(o);
      }
      dst += static_cast<size_t>(last.out_dim) * es;
    } while (next_index(idx, out_shape, rank - 1));
  });
}

namespace reference {

void pad(const void* in, const std::vector<PadAxis>& plan, PadMode mode, const void* value, void* out,
         size_t element_size) {
  const size_t rank = plan.size();
  Shape in_shape(rank), out_shape(rank);
  for (size_t i = 0; i < rank; ++i) {
    in_shape[i] = plan[i].in_dim;
    out_shape[i] = plan[i].out_dim;
  }
  if (num_elements(out_shape) == 0) return;
  const std::vector<int64_t> in_strides = strides_of(in_shape);
  std::vector<int64_t> idx(rank, 0);
  char* dst = static_cast<char*>(out);
  do {
    const void* from = nullptr;
    int64_t off = 0;
    for (size_t i = 0; i < rank && !from; ++i) {
      const int64_t s = pad_source_index(plan[i], idx[i], mode);
      if (s < 0) from = value;
      off += s * in_strides[i];
    }
    if (!from) from = static_cast<const char*>(in) + static_cast<size_t>(off) * element_size;
    std::memcpy(dst, from, element_size);
    dst += element_size;
  } while (next_index(idx, out_shape, rank));
}

}  // namespace reference
}  // namespace data_movement

namespace {

using namespace data_movement;

class PadKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    auto k = std::make_unique<PadKernel>();
    WEBCNN_ASSIGN(std::string mode, node.attr_string("mode", "constant"));
    auto m = parse_pad_mode(mode);
    if (!m) return m.status().with_context(node.describe());
    k->mode_ = m.value();
    return std::unique_ptr<Kernel>(std::move(k));
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 4));
    WEBCNN_ASSIGN(std::vector<int64_t> pads, constant_ints(node, in[1], "pads"));
    std::vector<int64_t> axes;
    if (optional_present(in, 3)) {
      WEBCNN_ASSIGN(axes, constant_ints(node, in[3], "axes"));
    }
    has_value_ = optional_present(in, 2);
    if (has_value_) {
      if (in[2].dtype != in[0].dtype)
        return node.error(std::string("constant_value is ") + dtype_name(in[2].dtype) + ", data is " +
                          dtype_name(in[0].dtype));
      if (num_elements(in[2].shape) != 1)
        return node.error("constant_value must hold one element, got shape " + shape_to_string(in[2].shape));
    }
    auto plan = pad_plan(in[0].shape, pads, axes, mode_);
    if (!plan) return plan.status().with_context(node.describe());
    plan_ = plan.value();
    out[0].dtype = in[0].dtype;
    out[0].shape.clear();
    for (const PadAxis& a : plan_) out[0].shape.push_back(a.out_dim);
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    const int64_t zero = 0;  // the default constant_value, 0 in every dtype
    const void* value = has_value_ ? io.in[2].data : &zero;
    pad(io.in[0].data, plan_, mode_, value, io.out[0].data, dtype_size(io.out[0].dtype));
    return Status::ok();
  }

 private:
  PadMode mode_ = PadMode::kConstant;
  bool has_value_ = false;
  std::vector<PadAxis> plan_;
};

}  // namespace

void register_pad_ops(OpRegistry& r) { r.add("Pad", PadKernel::create); }

}  // namespace webcnn
