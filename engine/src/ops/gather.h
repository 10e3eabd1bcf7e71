// Gather: out = data[:axis] x indices x data[axis+1:].
// Works on raw bytes with an element size, so any dtype goes through the same code. The fast path sits
// beside a naive `reference` (one element at a time, straight from the ONNX definition) that the tests
// compare it with. Shapes and parameters are validated by the kernel before these run.
#pragma once

#include <cstdint>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn::data_movement {

// Indices are int32 or int64; negative ones count from the end. An index out of range returns an error
// saying which (never reads past the data).
Status gather(const void* data, const Shape& data_shape, int64_t axis, const void* indices, DataType index_type,
              int64_t num_indices, void* out, size_t element_size);

namespace reference {
Status gather(const void* data, const Shape& data_shape, int64_t axis, const void* indices, DataType index_type,
              int64_t num_indices, void* out, size_t element_size);
}  // namespace reference

}  // namespace webcnn::data_movement
