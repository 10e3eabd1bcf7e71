// Ranking ops (ONNX): TopK (values and int64 indices of the k largest/smallest along an axis; ties
// keep the lower index first, as ONNX and TF do) and ArgMax/ArgMin (first or last extreme index).
#pragma once

#include <cstdint>

#include "webcnn/tensor.h"

namespace webcnn {
namespace reference {
// x viewed as [outer, n, inner]; values/indices as [outer, k, inner]. Float32 or integer x.
// order_scratch holds n int64.
void topk(const TensorView& x, int64_t outer, int64_t n, int64_t inner, int64_t k, bool largest,
          const TensorView& values, const TensorView& indices, int64_t* order_scratch);
// x viewed as [outer, n, inner] (n ≥ 1); out int64 [outer, inner].
void arg_extreme(const TensorView& x, int64_t outer, int64_t n, int64_t inner, bool max, bool last,
                 const TensorView& out);
}  // namespace reference
}  // namespace webcnn
