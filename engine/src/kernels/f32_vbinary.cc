// Elementwise Add, Sub, Mul, Div, Max, Min over a row: f32x4 blocks, then the same operation one float
// at a time (a + b on a lane and on a float round identically, so the tail matches the vector part).
#include "kernels/isa_kernels.h"

namespace webcnn::kernels::WEBCNN_ISA {

namespace {

template <VBinaryOp kOp>
inline simd::f32x4 vec(simd::f32x4 a, simd::f32x4 b) {
  if constexpr (kOp == VBinaryOp::kAdd) return simd::add(a, b);
  if constexpr (kOp == VBinaryOp::kSub) return simd::sub(a, b);
  if constexpr (kOp == VBinaryOp::kMul) return simd::mul(a, b);
  if constexpr (kOp == VBinaryOp::kDiv) return simd::div(a, b);
  if constexpr (kOp == VBinaryOp::kMax) return simd::max(a, b);
  if constexpr (kOp == VBinaryOp::kMin) return simd::min(a, b);
}

template <VBinaryOp kOp>
inline float one(float a, float b) {
  if constexpr (kOp == VBinaryOp::kAdd) return a + b;
  if constexpr (kOp == VBinaryOp::kSub) return a - b;
  if constexpr (kOp == VBinaryOp::kMul) return a * b;
  if constexpr (kOp == VBinaryOp::kDiv) return a / b;
  if constexpr (kOp == VBinaryOp::kMax) return a > b ? a : b;
  if constexpr (kOp == VBinaryOp::kMin) return a < b ? a : b;
}

}  // namespace

template <VBinaryOp kOp, VBinaryOperands kOperands>
void f32_vbinary(size_t n, const float* a, const float* b, float* out) {
  using namespace simd;
  size_t i = 0;
  if constexpr (kOperands == VBinaryOperands::kVectorVector) {
    for (; i + 4 <= n; i += 4) store(out + i, vec<kOp>(load(a + i), load(b + i)));
    for (; i < n; ++i) out[i] = one<kOp>(a[i], b[i]);
  } else if constexpr (kOperands == VBinaryOperands::kVectorScalar) {
    const f32x4 vb = splat(b[0]);
    for (; i + 4 <= n; i += 4) store(out + i, vec<kOp>(load(a + i), vb));
    for (; i < n; ++i) out[i] = one<kOp>(a[i], b[0]);
  } else {
    const f32x4 va = splat(a[0]);
    for (; i + 4 <= n; i += 4) store(out + i, vec<kOp>(va, load(b + i)));
    for (; i < n; ++i) out[i] = one<kOp>(a[0], b[i]);
  }
}

#define WEBCNN_VBINARY(op)                                                                                     \
  template void f32_vbinary<VBinaryOp::op, VBinaryOperands::kVectorVector>(size_t, const float*, const float*, \
                                                                           float*);                            \
  template void f32_vbinary<VBinaryOp::op, VBinaryOperands::kVectorScalar>(size_t, const float*, const float*, \
                                                                           float*);                            \
  template void f32_vbinary<VBinaryOp::op, VBinaryOperands::kScalarVector>(size_t, const float*, const float*, float*);
WEBCNN_VBINARY(kAdd)
WEBCNN_VBINARY(kSub)
WEBCNN_VBINARY(kMul)
WEBCNN_VBINARY(kDiv)
WEBCNN_VBINARY(kMax)
WEBCNN_VBINARY(kMin)
#undef WEBCNN_VBINARY

}  // namespace webcnn::kernels::WEBCNN_ISA
