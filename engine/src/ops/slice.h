// Slice: a strided window of the input (ONNX Slice).
// Works on raw bytes with an element size, so any dtype goes through the same code. The fast path sits
// beside a naive `reference` (one element at a time, straight from the ONNX definition) that the tests
// compare it with. Shapes and parameters are validated by the kernel before these run.
#pragma once

#include <cstdint>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn::data_movement {

// Per input dim, the first element, the step and how many elements are taken.
struct SliceAxis {
  int64_t start = 0, step = 1, count = 0;
};
// From the op's inputs (axes/steps may be empty = all axes / all 1), with ONNX clamping rules.
Result<std::vector<SliceAxis>> slice_plan(const Shape& in, const std::vector<int64_t>& starts,
                                          const std::vector<int64_t>& ends, const std::vector<int64_t>& axes,
                                          const std::vector<int64_t>& steps);
void slice(const void* in, const Shape& in_shape, const std::vector<SliceAxis>& plan, void* out, size_t element_size);

namespace reference {
void slice(const void* in, const Shape& in_shape, const std::vector<SliceAxis>& plan, void* out, size_t element_size);
}  // namespace reference

}  // namespace webcnn::data_movement
