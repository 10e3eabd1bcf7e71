// Gather: the fast path, the naive reference the tests compare it with, and the kernel.
#include "ops/gather.h"

#include <cstddef>
#include <cstring>
#include <string>

#include "ops/element_copy.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {
namespace data_movement {

namespace {

int64_t read_index(const void* indices, DataType t, int64_t i) {
  return t == DataType::kInt32 ? static_cast<const int32_t*>(indices)[i] : static_cast<const int64_t*>(indices)[i];
}

// The index into an axis of size `dim` for a Gather index, or an error when it is out of range.
Result<int64_t> resolve_gather_index(int64_t idx, int64_t dim) {
  if (idx < -dim || idx >= dim)
    return Status::error("index " + std::to_string(idx) + " is out of range for an axis of size " +
                         std::to_string(dim));
  return idx < 0 ? idx + dim : idx;
}

}  // namespace

Status gather(const void* data, const Shape& data_shape, int64_t axis, const void* indices, DataType index_type,
              int64_t num_indices, void* out, size_t element_size) {
  const size_t a = static_cast<size_t>(axis);
  const int64_t dim = data_shape[a];
  // Validate every index before copying anything.
  for (int64_t i = 0; i < num_indices; ++i)
    WEBCNN_TRY(resolve_gather_index(read_index(indices, index_type, i), dim).status());
  const int64_t outer = product(data_shape, 0, a);
  const size_t block = static_cast<size_t>(product(data_shape, a + 1, data_shape.size())) * element_size;
  const char* src = static_cast<const char*>(data);
  char* dst = static_cast<char*>(out);
  if (block == 0) return Status::ok();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < num_indices; ++i) {
      int64_t idx = read_index(indices, index_type, i);
      if (idx < 0) idx += dim;
      std::memcpy(dst, src + static_cast<size_t>(o * dim + idx) * block, block);
      dst += block;
    }
  return Status::ok();
}

namespace reference {

Status gather(const void* data, const Shape& data_shape, int64_t axis, const void* indices, DataType index_type,
              int64_t num_indices, void* out, size_t element_size) {
  const size_t a = static_cast<size_t>(axis);
  // Output as [outer, num_indices, inner]; each element looked up on its own.
  const int64_t outer = product(data_shape, 0, a), inner = product(data_shape, a + 1, data_shape.size());
  const int64_t dim = data_shape[a];
  char* dst = static_cast<char*>(out);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < num_indices; ++i) {
      WEBCNN_ASSIGN(int64_t idx, resolve_gather_index(read_index(indices, index_type, i), dim));
      for (int64_t k = 0; k < inner; ++k) {
        const int64_t off = (o * dim + idx) * inner + k;
        std::memcpy(dst, static_cast<const char*>(data) + static_cast<size_t>(off) * element_size, element_size);
        dst += element_size;
      }
    }
  return Status::ok();
}

}  // namespace reference
}  // namespace data_movement

namespace {

using namespace data_movement;

class GatherKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    auto k = std::make_unique<GatherKernel>();
    WEBCNN_ASSIGN(k->axis_, node.attr_int("axis", 0));
    k->describe_ = node.describe();
    return std::unique_ptr<Kernel>(std::move(k));
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 2));
    if (in[1].dtype != DataType::kInt64 && in[1].dtype != DataType::kInt32)
      return node.error(std::string("indices must be int64 or int32, got ") + dtype_name(in[1].dtype));
    const Shape& data = in[0].shape;
    const int64_t rank = static_cast<int64_t>(data.size());
    if (rank == 0) return node.error("data must have rank 1 or more");
    if (axis_ < -rank || axis_ >= rank)
      return node.error("axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(rank));
    if (axis_ < 0) axis_ += rank;
    const size_t a = static_cast<size_t>(axis_);
    Shape shape(data.begin(), data.begin() + static_cast<ptrdiff_t>(a));
    shape.insert(shape.end(), in[1].shape.begin(), in[1].shape.end());
    shape.insert(shape.end(), data.begin() + static_cast<ptrdiff_t>(a) + 1, data.end());
    auto n = checked_num_elements(shape);
    if (!n) return n.status().with_context(node.describe());
    // Constant indices are checked now, so a model that would fail every run fails at load (it runs no
    // kernel) instead.
    if (in[1].constant)
      for (int64_t i = 0; i < in[1].constant->size(); ++i)
        WEBCNN_TRY(resolve_gather_index(read_index(in[1].constant->raw(), in[1].dtype, i), data[a])
                       .status()
                       .with_context(node.describe()));
    data_shape_ = data;
    out[0].dtype = in[0].dtype;
    out[0].shape = shape;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    return gather(io.in[0].data, data_shape_, axis_, io.in[1].data, io.in[1].dtype, io.in[1].size(), io.out[0].data,
                  dtype_size(io.out[0].dtype))
        .with_context(describe_);
  }

 private:
  int64_t axis_ = 0;
  Shape data_shape_;
  std::string describe_;
};

}  // namespace

void register_gather_ops(OpRegistry& r) { r.add("Gather", GatherKernel::create); }

}  // namespace webcnn
