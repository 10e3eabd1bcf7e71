// Slice: the fast path, the naive reference the tests compare it with, and the kernel.
#include "ops/slice.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>

#include "ops/constant_inputs.h"
#include "ops/element_copy.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {
namespace data_movement {

Result<std::vector<SliceAxis>> slice_plan(const Shape& in, const std::vector<int64_t>& starts,
                                          const std::vector<int64_t>& ends, const std::vector<int64_t>& axes,
                                          const std::vector<int64_t>& steps) {
  const int64_t rank = static_cast<int64_t>(in.size());
  if (starts.size() != ends.size())
    return Status::error("starts has " + std::to_string(starts.size()) + " entries, ends " +
                         std::to_string(ends.size()));
  if (!axes.empty() && axes.size() != starts.size())
    return Status::error("axes has " + std::to_string(axes.size()) + " entries, starts " +
                         std::to_string(starts.size()));
  if (!steps.empty() && steps.size() != starts.size())
    return Status::error("steps has " + std::to_string(steps.size()) + " entries, starts " +
                         std::to_string(starts.size()));
  if (axes.empty() && static_cast<int64_t>(starts.size()) > rank)
    return Status::error("starts has " + std::to_string(starts.size()) + " entries for an input of rank " +
                         std::to_string(rank));
  std::vector<SliceAxis> plan(in.size());
  for (size_t i = 0; i < in.size(); ++i) plan[i] = {0, 1, in[i]};
  std::vector<bool> seen(in.size(), false);
  for (size_t k = 0; k < starts.size(); ++k) {
    int64_t axis = axes.empty() ? static_cast<int64_t>(k) : axes[k];
    if (axis < -rank || axis >= rank)
      return Status::error("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    if (axis < 0) axis += rank;
    const size_t a = static_cast<size_t>(axis);
    if (seen[a]) return Status::error("axis " + std::to_string(axis) + " is listed twice");
    seen[a] = true;
    const int64_t dim = in[a];
    const int64_t step = steps.empty() ? 1 : steps[k];
    if (step == 0) return Status::error("step for axis " + std::to_string(axis) + " is 0");
    // Negative values count from the end; then clamp to where a walk in the step's direction can go.
    int64_t start = starts[k], end = ends[k];
    if (start < 0) start = start < -dim ? -1 : start + dim;  // -1: before the first element
    if (end < 0) end = end < -dim ? -1 : end + dim;
    int64_t count;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      count = end > start ? (end - start - 1) / step + 1 : 0;  // ceil((end - start) / step) without overflow
    } else {
      start = std::clamp<int64_t>(start, -1, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      // Division with a negative step: (start - end) elements, every |step|th. |step| may be INT64_MIN.
      const uint64_t span = static_cast<uint64_t>(start - end), stride = 0 - static_cast<uint64_t>(step);
      count = start > end ? static_cast<int64_t>((span - 1) / stride + 1) : 0;
    }
    if (count == 0) start = 0;
    plan[a] = {start, count > 1 ? step : 1, count};
  }
  return plan;
}

void slice(const void* in, const Shape& in_shape, const std::vector<SliceAxis>& plan, void* out, size_t element_size) {
  const size_t rank = plan.size();
  Shape out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = plan[i].count;
  const int64_t n = num_elements(out_shape);
  if (n == 0) return;
  const char* src = static_cast<const char*>(in);
  char* dst = static_cast<char*>(out);
  if (rank == 0) {
    std::memcpy(dst, src, element_size);
    return;
  }
  const std::vector<int64_t> in_strides = strides_of(in_shape);
  const SliceAxis& last = plan[rank - 1];
  std::vector<int64_t> idx(rank, 0);
  with_element_size(element_size, [&](auto es_tag) {
    const size_t es = es_tag;
    do {
      int64_t off = last.start;
      for (size_t i = 0; i + 1 < rank; ++i) off += (plan[i].start + idx[i] * plan[i].step) * in_strides[i];
      const char* row = src + static_cast<size_t>(off) * es;
      if (last.step == 1) {
        std::memcpy(dst, row, static_cast<size_t>(last.count) * es);
        dst += static_cast<size_t>(last.count) * es;
      } else {
        for (int64_t k = 0; k < last.count; ++k) {
          std::memcpy(dst, row + static_cast<ptrdiff_t>(k * last.step) * static_cast<ptrdiff_t>(es), es);
          dst += es;
        }
      }
    } while (next_index(idx, out_shape, rank - 1));
  });
}

namespace reference {

void slice(const void* in, const Shape& in_shape, const std::vector<SliceAxis>& plan, void* out, size_t element_size) {
  const size_t rank = plan.size();
  Shape out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = plan[i].count;
  if (num_elements(out_shape) == 0) return;
  const std::vector<int64_t> in_strides = strides_of(in_shape);
  std::vector<int64_t> idx(rank, 0);
  char* dst = static_cast<char*>(out);
  do {
    int64_t off = 0;
    for (size_t i = 0; i < rank; ++i) off += (plan[i].start + idx[i] * plan[i].step) * in_strides[i];
    std::memcpy(dst, static_cast<const char*>(in) + static_cast<size_t>(off) * element_size, element_size);
    dst += element_size;
  } while (next_index(idx, out_shape, rank));
}

}  // namespace reference
}  // namespace data_movement

namespace {

using namespace data_movement;

class SliceKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) { return std::unique_ptr<Kernel>(new SliceKernel()); }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 3, 5));
    WEBCNN_ASSIGN(std::vector<int64_t> starts, constant_ints(node, in[1], "starts"));
    WEBCNN_ASSIGN(std::vector<int64_t> ends, constant_ints(node, in[2], "ends"));
    std::vector<int64_t> axes, steps;
    if (optional_present(in, 3)) {
      WEBCNN_ASSIGN(axes, constant_ints(node, in[3], "axes"));
      if (axes.empty() && !starts.empty()) return node.error("axes is empty but starts is not");
    }
    if (optional_present(in, 4)) {
      WEBCNN_ASSIGN(steps, constant_ints(node, in[4], "steps"));
      if (steps.empty() && !starts.empty()) return node.error("steps is empty but starts is not");
    }
    auto plan = slice_plan(in[0].shape, starts, ends, axes, steps);
    if (!plan) return plan.status().with_context(node.describe());
    plan_ = plan.value();
    in_shape_ = in[0].shape;
    out[0].dtype = in[0].dtype;
    out[0].shape.clear();
    for (const SliceAxis& a : plan_) out[0].shape.push_back(a.count);
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    slice(io.in[0].data, in_shape_, plan_, io.out[0].data, dtype_size(io.out[0].dtype));
    return Status::ok();
  }

 private:
  std::vector<SliceAxis> plan_;
  Shape in_shape_;
};

}  // namespace

void register_slice_ops(OpRegistry& r) { r.add("Slice", SliceKernel::create); }

}  // namespace webcnn
