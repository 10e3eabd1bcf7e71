// Shape arithmetic of the ops that only relabel a tensor's bytes (Reshape, Flatten, Squeeze, Unsqueeze)
// or read its shape (Shape), plus Expand's broadcast. Exposed so tests can check the ONNX rules directly.
// Errors are plain messages; the kernels prefix the node.
#pragma once

#include <cstdint>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn::shape_ops {

// Reshape: 0 copies the input dim at the same index (unless allowzero, where 0 means 0), one -1 is
// inferred from the element count.
Result<Shape> reshape_shape(const Shape& input, const std::vector<int64_t>& requested, bool allowzero);
// Flatten: [prod(d[0:axis]), prod(d[axis:])], axis in [-rank, rank].
Result<Shape> flatten_shape(const Shape& input, int64_t axis);
// Squeeze: removes the listed dims (each must be 1), or every dim of size 1 when axes is null.
Result<Shape> squeeze_shape(const Shape& input, const std::vector<int64_t>* axes);
// Unsqueeze: inserts 1s at the listed positions of the output (axes in [-out_rank, out_rank)).
Result<Shape> unsqueeze_shape(const Shape& input, const std::vector<int64_t>& axes);
// Shape (opset 15): dims [start, end) with negative values counting from the end, clamped.
std::vector<int64_t> shape_slice(const Shape& input, int64_t start, int64_t end);
// Expand: numpy-style bidirectional broadcast of the input shape with the requested one.
Result<Shape> broadcast_shape(const Shape& a, const Shape& b);

namespace reference {
// out[i...] = in[i... broadcast], one element at a time. `in_shape` is right-aligned against
// `out_shape` (ranks may differ); element size in bytes.
void expand(const void* in, const Shape& in_shape, void* out, const Shape& out_shape, size_t element_size);
}  // namespace reference

}  // namespace webcnn::shape_ops
