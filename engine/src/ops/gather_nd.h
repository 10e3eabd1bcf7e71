// GatherND (ONNX): per batch (the leading batch_dims axes of data and indices), index tuples [..., q]
// pick slices data[b..., i0, ..., i(q-1), :, ...]; negative
// indices count from the end. An index out of range is a run-time error, never a stray read.
#pragma once

#include <cstdint>

#include "webcnn/tensor.h"

namespace webcnn {
namespace reference {
// Returns false (and fills `bad_index`) when an index is out of range.
bool gather_nd(const TensorView& data, const TensorView& indices, const TensorView& out, int64_t batch_dims,
               int64_t& bad_index);
}  // namespace reference
}  // namespace webcnn
