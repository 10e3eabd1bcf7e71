#include "ops/split.h"

#include <cstring>

#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

namespace reference {
void split(const TensorView& in, int64_t axis, const std::vector<int64_t>& sizes, const TensorView* outs) {
  const Shape& s = *in.shape;
  int64_t outer = 1, inner = 1;
  for (int64_t a = 0; a < axis; ++a) outer *= s[static_cast<size_t>(a)];
  for (size_t a = static_cast<size_t>(axis) + 1; a < s.size(); ++a) inner *= s[a];
  int64_t dim = s[static_cast<size_t>(axis)];
  size_t esize = dtype_size(in.dtype);
  const uint8_t* src = in.as<uint8_t>();
  int64_t start = 0;
  for (size_t k = 0; k < sizes.size(); ++k) {
    size_t row = static_cast<size_t>(sizes[k] * inner) * esize;
    uint8_t* dst = outs[k].as<uint8_t>();
    for (int64_t o = 0; o < outer && row; ++o)
      std::memcpy(dst + static_cast<size_t>(o) * row, src + static_cast<size_t>((o * dim + start) * inner) * esize,
                  row);
    start += sizes[k];
  }
}
}  // namespace reference

namespace {

class SplitKernel : public Kernel {
 public:
  Status init(const Node& node) {
    WEBCNN_ASSIGN(axis_, node.attr_int("axis", 0));
    WEBCNN_ASSIGN(num_outputs_, node.attr_int("num_outputs", 0));
    return Status::ok();
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 2));
    const Shape& s = in[0].shape;
    int64_t rank = static_cast<int64_t>(s.size());
    if (axis_ < -rank || axis_ >= rank)
      return node.error("axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(rank));
    axis_n_ = axis_ < 0 ? axis_ + rank : axis_;
    int64_t dim = s[static_cast<size_t>(axis_n_)];
    int64_t n = static_cast<int64_t>(out.size());
    sizes_.clear();
    if (in.size() > 1 && in[1].present) {
      if (!in[1].constant || in[1].dtype != DataType::kInt64 || in[1].shape.size() != 1)
        return node.error("split must be a constant 1-D int64 tensor");
      sizes_ = in[1].constant->to_int64_vector();
      if (static_cast<int64_t>(sizes_.size()) != n)
        return node.error("split has " + std::to_string(sizes_.size()) + " entries for " + std::to_string(n) +
                          " outputs");
      int64_t known = 0, unknown = -1;
      for (size_t k = 0; k < sizes_.size(); ++k) {
        if (sizes_[k] == -1 && unknown < 0) {
          unknown = static_cast<int64_t>(k);
          continue;
        }
        if (sizes_[k] < 0) return node.error("split sizes must not be negative (one -1 allowed)");
        known += sizes_[k];
      }
      if (unknown >= 0) sizes_[static_cast<size_t>(unknown)] = dim - known;
      if (known > dim || (unknown < 0 && known != dim))
        return node.error("split sizes add up to " + std::to_string(known) + ", the axis has " + std::to_string(dim));
    } else {
      if (num_outputs_ != 0 && num_outputs_ != n)
        return node.error("num_outputs " + std::to_string(num_outputs_) + " but the node has " + std::to_string(n) +
                          " outputs");
      if (n < 1) return node.error("needs at least one output");
      int64_t piece = (dim + n - 1) / n;
      for (int64_t k = 0, left = dim; k < n; ++k) {
        sizes_.push_back(std::min(piece, left));
        left -= sizes_.back();
      }
    }
    for (size_t k = 0; k < out.size(); ++k) {
      out[k].dtype = in[0].dtype;
      out[k].shape = s;
      out[k].shape[static_cast<size_t>(axis_n_)] = sizes_[k];
    }
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    reference::split(io.in[0], axis_n_, sizes_, io.out);
    return Status::ok();
  }

 private:
  int64_t axis_ = 0, axis_n_ = 0, num_outputs_ = 0;
  std::vector<int64_t> sizes_;
};

}  // namespace

void register_split_ops(OpRegistry& r) {
  r.add("Split", [](const Node& n) -> Result<std::unique_ptr<Kernel>> {
    auto k = std::make_unique<SplitKernel>();
    WEBCNN_TRY(k->init(n));
    return std::unique_ptr<Kernel>(std::move(k));
  });
}

}  // namespace webcnn
