// MatMul (numpy semantics) and Gemm: the naive references tests compare the GEMM-backed kernels against.
// The kernels themselves are registered by register_gemm_ops (matmul.cc).
#pragma once

#include "ops/fused_activation.h"
#include "webcnn/tensor.h"

namespace webcnn::reference {

// numpy.matmul: a 1-D A is a row [1, K] and a 1-D B a column [K, 1] (the unit dim is dropped from the
// result); leading batch dims broadcast. y_shape is the result's shape. Then act.
void matmul(const float* a, const Shape& a_shape, const float* b, const Shape& b_shape, float* y, const Shape& y_shape,
            const FusedActivation& act);

// Y [M, N] = act(alpha · op(A) · op(B) + beta · C), op = transpose when trans_*; C (may be null) broadcasts
// unidirectionally to [M, N] from c_shape (rank ≤ 2).
void gemm(const float* a, const Shape& a_shape, bool trans_a, const float* b, const Shape& b_shape, bool trans_b,
          const float* c, const Shape& c_shape, float alpha, float beta, float* y, const FusedActivation& act);

}  // namespace webcnn::reference
