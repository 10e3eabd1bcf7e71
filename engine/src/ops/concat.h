// Concat: inputs joined along one axis.
// Works on raw bytes with an element size, so any dtype goes through the same code. The fast path sits
// beside a naive `reference` (one element at a time, straight from the ONNX definition) that the tests
// compare it with. Shapes and parameters are validated by the kernel before these run.
#pragma once

#include <cstdint>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn::data_movement {

// Output shape of concatenating `inputs` along `axis` (negative counts from the end).
Result<Shape> concat_shape(const std::vector<Shape>& inputs, int64_t axis);
// `axis` already normalised to [0, rank).
void concat(const std::vector<const void*>& in, const std::vector<Shape>& in_shapes, int64_t axis, void* out,
            size_t element_size);

namespace reference {
void concat(const std::vector<const void*>& in, const std::vector<Shape>& in_shapes, int64_t axis, void* out,
            size_t element_size);
}  // namespace reference

}  // namespace webcnn::data_movement
