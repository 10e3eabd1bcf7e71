// Concat: the fast path, the naive reference the tests compare it with, and the kernel.
#include "ops/concat.h"

#include <cstring>

#include "ops/element_copy.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {
namespace data_movement {

Result<Shape> concat_shape(const std::vector<Shape>& inputs, int64_t axis) {
  if (inputs.empty()) return Status::error("needs at least one input");
  const Shape& first = inputs[0];
  const int64_t rank = static_cast<int64_t>(first.size());
  if (rank == 0) return Status::error("cannot concatenate scalars");
  if (axis < -rank || axis >= rank)
    return Status::error("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  const size_t a = static_cast<size_t>(axis < 0 ? axis + rank : axis);
  Shape out = first;
  out[a] = 0;
  for (size_t j = 0; j < inputs.size(); ++j) {
    const Shape& s = inputs[j];
    if (s.size() != first.size())
      return Status::error("input " + std::to_string(j) + " has shape " + shape_to_string(s) + ", rank differs from " +
                           shape_to_string(first));
    for (size_t i = 0; i < s.size(); ++i)
      if (i != a && s[i] != first[i])
        return Status::error("input " + std::to_string(j) + " has shape " + shape_to_string(s) +
                             ", which differs from " + shape_to_string(first) + " outside axis " + std::to_string(a));
    out[a] += s[a];
  }
  WEBCNN_TRY(checked_num_elements(out).status());
  return out;
}

void concat(const std::vector<const void*>& in, const std::vector<Shape>& in_shapes, int64_t axis, void* out,
            size_t element_size) {
  const size_t a = static_cast<size_t>(axis);
  const int64_t outer = product(in_shapes[0], 0, a);
  std::vector<size_t> chunk(in.size());
  for (size_t j = 0; j < in.size(); ++j)
    chunk[j] = static_cast<size_t>(product(in_shapes[j], a, in_shapes[j].size())) * element_size;
  char* dst = static_cast<char*>(out);
  for (int64_t o = 0; o < outer; ++o)
    for (size_t j = 0; j < in.size(); ++j) {
      if (!chunk[j]) continue;
      std::memcpy(dst, static_cast<const char*>(in[j]) + static_cast<size_t>(o) * chunk[j], chunk[j]);
      dst += chunk[j];
    }
}

namespace reference {

void concat(const std::vector<const void*>& in, const std::vector<Shape>& in_shapes, int64_t axis, void* out,
            size_t element_size) {
  const size_t a = static_cast<size_t>(axis), rank = in_shapes[0].size();
  Shape out_shape = in_shapes[0];
  out_shape[a] = 0;
  for (const Shape& s : in_shapes) out_shape[a] += s[a];
  const int64_t n = num_elements(out_shape);
  if (n == 0) return;
  std::vector<int64_t> idx(rank, 0);
  char* dst = static_cast<char*>(out);
  do {
    // Which input holds this position along the axis.
    size_t j = 0;
    int64_t pos = idx[a];
    while (pos >= in_shapes[j][a]) pos -= in_shapes[j++][a];
    const std::vector<int64_t> st = strides_of(in_shapes[j]);
    int64_t off = 0;
    for (size_t i = 0; i < rank; ++i) off += (i == a ? pos : idx[i]) * st[i];
    std::memcpy(dst, static_cast<const char*>(in[j]) + static_cast<size_t>(off) * element_size, element_size);
    dst += element_size;
  } while (next_index(idx, out_shape, rank));
}

}  // namespace reference
}  // namespace data_movement

namespace {

using namespace data_movement;

class ConcatKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    if (!node.has_attr("axis")) return node.error("attribute 'axis' is required");
    auto k = std::make_unique<ConcatKernel>();
    WEBCNN_ASSIGN(k->axis_, node.attr_int("axis", 0));
    return std::unique_ptr<Kernel>(std::move(k));
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    if (in.empty()) return node.error("needs at least one input");
    shapes_.clear();
    for (size_t j = 0; j < in.size(); ++j) {
      if (!in[j].present) return node.error("input " + std::to_string(j) + " is missing");
      if (in[j].dtype != in[0].dtype)
        return node.error("input " + std::to_string(j) + " is " + dtype_name(in[j].dtype) + ", input 0 is " +
                          dtype_name(in[0].dtype));
      shapes_.push_back(in[j].shape);
    }
    auto shape = concat_shape(shapes_, axis_);
    if (!shape) return shape.status().with_context(node.describe());
    if (axis_ < 0) axis_ += static_cast<int64_t>(shapes_[0].size());
    out[0].dtype = in[0].dtype;
    out[0].shape = shape.value();
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    std::vector<const void*> src(static_cast<size_t>(io.num_in));
    for (int j = 0; j < io.num_in; ++j) src[static_cast<size_t>(j)] = io.in[j].data;
    concat(src, shapes_, axis_, io.out[0].data, dtype_size(io.out[0].dtype));
    return Status::ok();
  }

 private:
  int64_t axis_ = 0;
  std::vector<Shape> shapes_;
};

}  // namespace

void register_concat_ops(OpRegistry& r) { r.add("Concat", ConcatKernel::create); }

}  // namespace webcnn
