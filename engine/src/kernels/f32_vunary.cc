// Piecewise-linear activations over a row: f32x4 blocks, then a scalar tail computing the identical
// expression (max/min in the vector operand order: the second operand wins on NaN or a tie), so every
// element gets the same bits whichever path computed it, and NaN inputs stay NaN.
#include "kernels/isa_kernels.h"

namespace webcnn::kernels::WEBCNN_ISA {

using namespace simd;

namespace {

// max(0, x) and min(0, x) with x second, in scalar form matching maxps/pmax: a > b ? a : b.
inline float max0(float x) { return 0.0f > x ? 0.0f : x; }
inline float min0(float x) { return 0.0f < x ? 0.0f : x; }
inline float clamp01(float t) {  // = FusedActivation's std::min(std::max(t, 0), 1)
  float m = 0.0f > t ? 0.0f : t;
  return 1.0f < m ? 1.0f : m;
}

}  // namespace

void f32_vrelu(size_t n, const float* x, float* y) {
  const f32x4 vzero = zero();
  size_t i = 0;
  for (; i + 4 <= n; i += 4) store(y + i, max(vzero, load(x + i)));
  for (; i < n; ++i) y[i] = max0(x[i]);
}

// max(0, x) + alpha * min(0, x): x for x >= 0, alpha * x below, NaN stays NaN; no select needed.
void f32_vlrelu(size_t n, const float* x, float alpha, float* y) {
  const f32x4 vzero = zero(), a = splat(alpha);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    f32x4 v = load(x + i);
    store(y + i, muladd(a, min(vzero, v), max(vzero, v)));
  }
  for (; i < n; ++i) y[i] = alpha * min0(x[i]) + max0(x[i]);
}

void f32_vprelu(size_t n, const float* x, const float* slope, float* y) {
  const f32x4 vzero = zero();
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    f32x4 v = load(x + i);
    store(y + i, muladd(load(slope + i), min(vzero, v), max(vzero, v)));
  }
  for (; i < n; ++i) y[i] = slope[i] * min0(x[i]) + max0(x[i]);
}

void f32_vhardsigmoid(size_t n, const float* x, float alpha, float beta, float* y) {
  const f32x4 vzero = zero(), one = splat(1.0f), a = splat(alpha), b = splat(beta);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) store(y + i, min(one, max(vzero, muladd(a, load(x + i), b))));
  for (; i < n; ++i) y[i] = clamp01(alpha * x[i] + beta);
}

// x * clamp01(x / 6 + 0.5), the same expression as the fused store's.
void f32_vhardswish(size_t n, const float* x, float* y) {
  const f32x4 vzero = zero(), one = splat(1.0f), six = splat(6.0f), half = splat(0.5f);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    f32x4 v = load(x + i);
    f32x4 gate = min(one, max(vzero, add(div(v, six), half)));
    store(y + i, mul(v, gate));
  }
  for (; i < n; ++i) y[i] = x[i] * clamp01(x[i] / 6.0f + 0.5f);
}

// min(hi, max(lo, x)); when lo > hi every element becomes hi, as ONNX's Clip specifies.
void f32_vclamp(size_t n, const float* x, float lo, float hi, float* y) {
  const f32x4 vlo = splat(lo), vhi = splat(hi);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) store(y + i, min(vhi, max(vlo, load(x + i))));
  for (; i < n; ++i) {
    float m = lo > x[i] ? lo : x[i];
    y[i] = hi < m ? hi : m;
  }
}

}  // namespace webcnn::kernels::WEBCNN_ISA
