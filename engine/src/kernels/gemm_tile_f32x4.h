// The GEMM microkernel as a template over its tile: MR rows × 4·NV columns of C held in MR·NV f32x4
// accumulators, B streamed from a packed panel of 4·NV columns (layout in gemm.h: bias first, then K rows),
// A read in place. Two ways to broadcast A:
//   kSplatLanes: one f32x4 load per A row covers 4 steps of K, each lane then broadcast by a shuffle
//                (XNNPACK's "splat" variant: MR vector registers hold A, fewer loads);
//   kLoadSplat:  each A scalar loaded straight into all lanes (wasm v128.load32_splat), one register for A,
//                so a taller tile fits the 16 vector registers V8 allocates on x64.
// The engine instantiates the shape that measured best (gemm_driver.cc, numbers in bench/kernels/README.md);
// the benchmark instantiates the others to compare.
#pragma once

#include <cstddef>
#include <cstring>
#include <type_traits>

#include "simd/f32x4.h"

namespace webcnn::kernels::WEBCNN_ISA {

enum class ABroadcast { kSplatLanes, kLoadSplat };

namespace detail {

template <size_t NV>
inline void store_row_prefix(float* c, size_t nc, const simd::f32x4* v) {
  if (nc == 4 * NV) {
    for (size_t j = 0; j < NV; ++j) simd::store(c + 4 * j, v[j]);
    return;
  }
  float tmp[4 * NV];
  for (size_t j = 0; j < NV; ++j) simd::store(tmp + 4 * j, v[j]);
  std::memcpy(c, tmp, nc * sizeof(float));
}

}  // namespace detail

// One tile of mr ≤ MR rows × nc ≤ 4·NV columns, kc ≥ 1: Σ products (in K order, from zero), then + bias. Rows past mr
// alias the last valid row (computed twice, stored once), columns past nc are not stored. Output clamped to [out_min,
// out_max] at the store.
template <size_t MR, size_t NV, ABroadcast kMode>
inline void gemm_tile_f32x4(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride, const float* w, float* c,
                            size_t c_stride, float out_min, float out_max) {
  using namespace simd;
  const float* ap[MR];
  float* cp[MR];
  ap[0] = a;
  cp[0] = c;
  for (size_t i = 1; i < MR; ++i) {
    ap[i] = mr > i ? ap[i - 1] + a_stride : ap[i - 1];
    cp[i] = mr > i ? cp[i - 1] + c_stride : cp[i - 1];
  }

  // The products are summed from zero and the bias (the panel's first row) added last, as TF.js sums a
  // convolution and then adds its bias: a large bias (batch norm folded in) that the products mostly
  // cancel would otherwise enter every rounding of the running sum.
  const float* bias = w;
  f32x4 acc[MR][NV];
  for (size_t i = 0; i < MR; ++i)
    for (size_t j = 0; j < NV; ++j) acc[i][j] = splat(0.0f);
  w += 4 * NV;

  size_t k = kc;
  if (kMode == ABroadcast::kSplatLanes) {
    for (; k >= 4; k -= 4) {
      f32x4 va[MR];
      for (size_t i = 0; i < MR; ++i) {
        va[i] = load(ap[i]);
        ap[i] += 4;
      }
      const auto step = [&](auto lane) {
        f32x4 b[NV];
        for (size_t j = 0; j < NV; ++j) b[j] = load(w + 4 * j);
        w += 4 * NV;
        for (size_t i = 0; i < MR; ++i) {
          const f32x4 t = broadcast_lane<decltype(lane)::value>(va[i]);
          for (size_t j = 0; j < NV; ++j) acc[i][j] = fmadd(t, b[j], acc[i][j]);
        }
      };
      step(std::integral_constant<int, 0>{});
      step(std::integral_constant<int, 1>{});
      step(std::integral_constant<int, 2>{});
      step(std::integral_constant<int, 3>{});
    }
  }
  for (; k > 0; --k) {
    f32x4 b[NV];
    for (size_t j = 0; j < NV; ++j) b[j] = load(w + 4 * j);
    w += 4 * NV;
    for (size_t i = 0; i < MR; ++i) {
      const f32x4 t = splat(*ap[i]++);
      for (size_t j = 0; j < NV; ++j) acc[i][j] = fmadd(t, b[j], acc[i][j]);
    }
  }

  // Bound first: max/min return their second operand on NaN, so a NaN result stays NaN.
  const f32x4 lo = splat(out_min), hi = splat(out_max);
  for (size_t j = 0; j < NV; ++j) {
    const f32x4 b = load(bias + 4 * j);
    for (size_t i = 0; i < MR; ++i) acc[i][j] = min(hi, max(lo, add(acc[i][j], b)));
  }
  // Highest row first: when rows alias, the last store is the valid row's (all equal anyway).
  for (size_t i = MR; i-- > 0;) detail::store_row_prefix<NV>(cp[i], nc, acc[i]);
}

}  // namespace webcnn::kernels::WEBCNN_ISA
