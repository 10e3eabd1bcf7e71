// Transpose: output dim i is input dim perm[i].
// Works on raw bytes with an element size, so any dtype goes through the same code. The fast path sits
// beside a naive `reference` (one element at a time, straight from the ONNX definition) that the tests
// compare it with. Shapes and parameters are validated by the kernel before these run.
#pragma once

#include <cstdint>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn::data_movement {

// perm from the attribute, or reversed dims when there is none; an error unless it is a permutation.
Result<std::vector<int64_t>> transpose_perm(size_t rank, const std::vector<int64_t>& perm_attr, bool has_perm);
Shape transpose_shape(const Shape& in, const std::vector<int64_t>& perm);
void transpose(const void* in, const Shape& in_shape, const std::vector<int64_t>& perm, void* out, size_t element_size);

namespace reference {
void transpose(const void* in, const Shape& in_shape, const std::vector<int64_t>& perm, void* out, size_t element_size);
}  // namespace reference

}  // namespace webcnn::data_movement
