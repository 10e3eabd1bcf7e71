// GEMM microkernel: 4 rows × 8 columns of C held in 8 f32x4 accumulators (2 per row), B from a packed
// panel (gemm.h), A broadcast one scalar per row. The main loop takes 4 steps of K at once: one f32x4 load
// per A row, then each lane broadcast (the "splat" variant: fewer loads than splatting scalars).
// Registers: 8 accumulators + 4 A vectors + 2 B vectors + 1 temporary = 15 ≤ 16 (SSE2, wasm on x64).
#include <cstring>

#include "kernels/gemm.h"
#include "simd/f32x4.h"

namespace webcnn::kernels {

using namespace simd;

namespace {
// Stores the first nc ≤ 8 lanes of (lo, hi) at c.
inline void store_row(float* c, size_t nc, f32x4 lo, f32x4 hi) {
  if (nc == 8) {
    store(c, lo);
    store(c + 4, hi);
    return;
  }
  float tmp[8];
  store(tmp, lo);
  store(tmp + 4, hi);
  std::memcpy(c, tmp, nc * sizeof(float));
}
}  // namespace

void gemm_4x8_f32x4(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride, const float* w, float* c,
                    size_t c_stride, float out_min, float out_max) {
  // Rows past mr read and write the previous row's pointers: same values, no out-of-bounds access.
  const float* a0 = a;
  float* c0 = c;
  const float* a1 = mr >= 2 ? a0 + a_stride : a0;
  float* c1 = mr >= 2 ? c0 + c_stride : c0;
  const float* a2 = mr >= 3 ? a1 + a_stride : a1;
  float* c2 = mr >= 3 ? c1 + c_stride : c1;
  const float* a3 = mr >= 4 ? a2 + a_stride : a2;
  float* c3 = mr >= 4 ? c2 + c_stride : c2;

  f32x4 acc00 = load(w), acc01 = load(w + 4);  // the panel starts with the bias
  f32x4 acc10 = acc00, acc11 = acc01, acc20 = acc00, acc21 = acc01, acc30 = acc00, acc31 = acc01;
  w += 8;

#define WEBCNN_GEMM_STEP(L)                                                           \
  {                                                                                   \
    const f32x4 b0 = load(w), b1 = load(w + 4);                                       \
    w += 8;                                                                           \
    f32x4 t = broadcast_lane<L>(va0);                                                 \
    acc00 = muladd(t, b0, acc00);                                                     \
    acc01 = muladd(t, b1, acc01);                                                     \
    t = broadcast_lane<L>(va1);                                                       \
    acc10 = muladd(t, b0, acc10);                                                     \
    acc11 = muladd(t, b1, acc11);                                                     \
    t = broadcast_lane<L>(va2);                                                       \
    acc20 = muladd(t, b0, acc20);                                                     \
    acc21 = muladd(t, b1, acc21);                                                     \
    t = broadcast_lane<L>(va3);                                                       \
    acc30 = muladd(t, b0, acc30);                                                     \
    acc31 = muladd(t, b1, acc31);                                                     \
  }

  size_t k = kc;
  for (; k >= 4; k -= 4) {
    const f32x4 va0 = load(a0), va1 = load(a1), va2 = load(a2), va3 = load(a3);
    a0 += 4;
    a1 += 4;
    a2 += 4;
    a3 += 4;
    WEBCNN_GEMM_STEP(0)
    WEBCNN_GEMM_STEP(1)
    WEBCNN_GEMM_STEP(2)
    WEBCNN_GEMM_STEP(3)
  }
#undef WEBCNN_GEMM_STEP
  for (; k > 0; --k) {
    const f32x4 b0 = load(w), b1 = load(w + 4);
    w += 8;
    f32x4 t = splat(*a0++);
    acc00 = muladd(t, b0, acc00);
    acc01 = muladd(t, b1, acc01);
    t = splat(*a1++);
    acc10 = muladd(t, b0, acc10);
    acc11 = muladd(t, b1, acc11);
    t = splat(*a2++);
    acc20 = muladd(t, b0, acc20);
    acc21 = muladd(t, b1, acc21);
    t = splat(*a3++);
    acc30 = muladd(t, b0, acc30);
    acc31 = muladd(t, b1, acc31);
  }

  const f32x4 lo = splat(out_min), hi = splat(out_max);
  // Bound first: max/min return their second operand on NaN, so a NaN result stays NaN.
  acc00 = min(hi, max(lo, acc00));
  acc01 = min(hi, max(lo, acc01));
  acc10 = min(hi, max(lo, acc10));
  acc11 = min(hi, max(lo, acc11));
  acc20 = min(hi, max(lo, acc20));
  acc21 = min(hi, max(lo, acc21));
  acc30 = min(hi, max(lo, acc30));
  acc31 = min(hi, max(lo, acc31));

  // Highest row first: when rows alias, the last store is the valid row's (all equal anyway).
  store_row(c3, nc, acc30, acc31);
  store_row(c2, nc, acc20, acc21);
  store_row(c1, nc, acc10, acc11);
  store_row(c0, nc, acc00, acc01);
}

}  // namespace webcnn::kernels
