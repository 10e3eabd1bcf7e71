// 8-bit GEMM for quantised 1×1 conv, im2col conv and fully connected layers (XNNPACK's integer formula):
//   C[i][j] = requantize_fp32(bias[j] + Σ_k (A[i][k] − a_zp)·(B[k][j] − b_zp[j]), scale[j]) + c_zp, clamped,
// with A, B, C uint8 or int8 and per-column (per output channel) b_zp and scale (kernels/requantize_fp32.h).
//
// Both operands are widened to int16 so that products of two K steps sum into one int32 lane
// (i32x4.dot_i16x8_s, pmaddwd). A's zero point is folded into the bias at packing,
// Σ (A − a_zp)(B − b_zp) = Σ A·(B − b_zp) − a_zp·Σ (B − b_zp), so A is widened as stored:
//   A: rows of kp = q8_gemm_kp(k) int16 (k rounded up to even, the pad 0), written by q8_widen_rows or
//      q8_im2col_nhwc (q8_im2col.h) into a caller's buffer (widening in the microkernel, a 16-bit splat and
//      an extend per row and pair instead of one 32-bit splat, was 13 % slower in V8);
//   B: packed once into panels of kQ8Lanes columns, each [requantisation header (q8_params.h), the bias
//      with −a_zp·Σ (B − b_zp) added][kQ8ZpWords: per column the pair (zp', zp') as int16][kp/2 rows of
//      kQ8Lanes pairs (B'[2r][j], B'[2r+1][j]) as int8] where B' = B, zp' = b_zp for int8 weights and
//      B' = B − 128, zp' = b_zp − 128 for uint8 (so B − b_zp = B' − zp'); the pad row and the columns
//      past N hold B' = zp' (0 after the subtraction). Half the bytes of int16 pairs: B without zp' (int8
//      weights of zero point 0, TFLite's) is widened in the microkernel (a sign-extending load, no dearer
//      than a plain one); B with zp' (uint8 weights) is widened less zp' per panel and row block into a
//      stack buffer (K ≤ 1024; above that the microkernel subtracts, 6 % slower on uint8 MobileNetV2).
// The microkernel holds 4 rows × 8 columns in eight i32x4 accumulators, loads each row's (A[2r], A[2r+1])
// pair into all lanes and multiplies it with two vectors of B pairs.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernel_table.h"
#include "kernels/q8_params.h"

namespace webcnn::kernels {

constexpr size_t kQ8GemmMR = 4;          // rows per microkernel call
constexpr size_t kQ8ZpWords = kQ8Lanes;  // the (zp', zp') int16 pairs of a panel's columns

inline size_t q8_gemm_kp(size_t k) { return (k + 1) / 2 * 2; }

// int32 words one packed panel of kQ8Lanes columns occupies: header, zero points, kp/2 rows of 16 bytes.
inline size_t q8_gemm_panel_words(size_t k) { return kQ8HeaderWords + kQ8ZpWords + q8_gemm_kp(k) / 2 * kQ8Lanes / 2; }

// int32 words a packed B of K rows and N columns occupies.
inline size_t q8_gemm_packed_words(size_t k, size_t n) {
  return (n + kQ8Lanes - 1) / kQ8Lanes * q8_gemm_panel_words(k);
}

// Packs B: b_at(kk, j) → int32 B[kk][j] as stored (8-bit, b_signed says which), b_zp_at(j) → int32 b_zp[j],
// bias_at(j) → int32, scale_at(j) → float (requantization_scale(s_a, s_b[j], s_c)); a_zero_point is A's,
// folded into the bias (the sum wraps mod 2^32 as the reference's int32 accumulator does).
template <typename ElementAt, typename ZeroPointAt, typename BiasAt, typename ScaleAt>
void q8_gemm_pack_b_with(size_t k, size_t n, bool b_signed, int32_t a_zero_point, ElementAt b_at, ZeroPointAt b_zp_at,
                         BiasAt bias_at, ScaleAt scale_at, int32_t* packed) {
  const size_t kp = q8_gemm_kp(k);
  const int32_t shift = b_signed ? 0 : 128;
  for (size_t n0 = 0; n0 < n; n0 += kQ8Lanes) {
    const size_t nc = n - n0 < kQ8Lanes ? n - n0 : kQ8Lanes;
    q8_fill_header(
        n0, nc,
        [&](size_t j) {
          uint32_t sum = 0;
          for (size_t kk = 0; kk < k; ++kk) sum += static_cast<uint32_t>(b_at(kk, j) - b_zp_at(j));
          return static_cast<int32_t>(static_cast<uint32_t>(bias_at(j)) - static_cast<uint32_t>(a_zero_point) * sum);
        },
        scale_at, packed);
    int16_t* zp = reinterpret_cast<int16_t*>(packed + kQ8HeaderWords);
    int8_t zp_of[kQ8Lanes];
    for (size_t j = 0; j < kQ8Lanes; ++j) {
      zp_of[j] = static_cast<int8_t>(j < nc ? b_zp_at(n0 + j) - shift : 0);
      zp[2 * j] = zp[2 * j + 1] = zp_of[j];
    }
    int8_t* pairs = reinterpret_cast<int8_t*>(packed + kQ8HeaderWords + kQ8ZpWords);
    for (size_t r = 0; r < kp / 2; ++r)
      for (size_t j = 0; j < kQ8Lanes; ++j)
        for (size_t h = 0; h < 2; ++h) {
          const size_t kk = 2 * r + h;
          *pairs++ = j < nc && kk < k ? static_cast<int8_t>(b_at(kk, n0 + j) - shift) : zp_of[j];
        }
    packed += q8_gemm_panel_words(k);
  }
}

// Element (kk, j) of a packed B: B[kk][j] − b_zp[j], as q8_gemm_pack_b_with stored it (for inspection,
// e.g. recovering a layer's weights; not for the hot path).
inline int32_t q8_gemm_packed_b_at(size_t k, const int32_t* packed, size_t kk, size_t j) {
  const int32_t* panel = packed + j / kQ8Lanes * q8_gemm_panel_words(k);
  const int16_t* zp = reinterpret_cast<const int16_t*>(panel + kQ8HeaderWords);
  const int8_t* pairs = reinterpret_cast<const int8_t*>(panel + kQ8HeaderWords + kQ8ZpWords);
  return int32_t{pairs[(kk / 2 * kQ8Lanes + j % kQ8Lanes) * 2 + kk % 2]} - zp[2 * (j % kQ8Lanes)];
}

// The whole product: A as int16 rows (stride a_stride elements, kp = q8_gemm_kp(k) of them used; the
// values as stored, the zero point being in the packed bias), C as 8-bit rows (stride c_stride bytes). Runs
// the active table's q8_gemm (q8_gemm_driver.cc).
inline void q8_gemm(size_t m, size_t n, size_t k, const int16_t* a, size_t a_stride, const int32_t* packed_b, void* c,
                    size_t c_stride, const Q8Output& out) {
  active().q8_gemm(m, n, k, a, a_stride, packed_b, c, c_stride, out);
}

// A's rows from 8-bit data: rows[i][kk] = x[i·x_stride + kk] widened (in.is_signed says how; the zero point
// is folded into the packed bias) for kk < k, 0 for the odd pad. Runs the active table's q8_widen_rows.
inline void q8_widen_rows(size_t m, size_t k, const void* x, size_t x_stride, const Q8Input& in, int16_t* rows,
                          size_t row_stride) {
  active().q8_widen_rows(m, k, x, x_stride, in, rows, row_stride);
}

namespace reference {
// The formula as written, for tests: A [M,K] (row stride a_stride), B [K,N] (row stride b_stride), 8-bit
// of the types in a/b/out; b_zp, scale per column; bias may be null.
void q8_gemm(size_t m, size_t n, size_t k, const void* a, size_t a_stride, const Q8Input& a_in, const void* b,
             size_t b_stride, bool b_signed, const int32_t* b_zp, const int32_t* bias, const float* scale, void* c,
             size_t c_stride, const Q8Output& out);
}  // namespace reference

}  // namespace webcnn::kernels
