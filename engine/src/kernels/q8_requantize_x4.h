// requantize() (kernels/requantize.h) on four int32 accumulators at once, bit for bit, for the 8-bit kernels
// compiled per instruction set. `header` points at lane 0 of the four channels in a block header
// (kernels/q8_params.h: rows kQ8Lanes apart).
//
// The vector form (SIMD128; channels with shift ≤ 0 and e = −shift ≤ 30, q8_header_vectorizable):
//   SaturatingRoundingDoublingHighMul(x, M) = trunc((x·M + nudge) / 2^31) with nudge = ±2^30 equals
//   (x·M + 2^30) >> 31 (arithmetic): for x·M < 0, trunc(y / 2^31) = (y + 2^31 − 1) >> 31, and
//   y + 2^31 − 1 = x·M + 2^30. (The one saturating case needs M = −2^31, never a mantissa.)
//   RoundingDivideByPOT(s, e) = floor(s / 2^e) + (s & mask > half + (s < 0)), with floor(s / 2^e) =
//   (s · 2^(30−e)) >> 30 as a 64-bit product: SIMD128 shifts every lane by the same amount, the channels'
//   exponents differ.
#pragma once

#include <cstdint>

#include "kernels/q8_params.h"
#include "kernels/requantize.h"
#include "simd/i16x8.h"

namespace webcnn::kernels::WEBCNN_ISA {

// Scalar, any multiplier: lanes of `acc` requantised one by one.
inline simd::i32x4 q8_requantize_x4_scalar(simd::i32x4 acc, const int32_t* header, const Q8Output& out) {
  int32_t v[4];
  simd::store_i32x4(v, acc);
  for (int i = 0; i < 4; ++i) {
    QuantizedMultiplier m;
    m.mantissa = header[kQ8Mantissa * kQ8Lanes + i];
    m.shift = header[kQ8Shift * kQ8Lanes + i];
    v[i] = requantize(v[i], m, out.zero_point, out.qmin, out.qmax);
  }
  return simd::load_i32x4(v);
}

#if defined(WEBCNN_ISA_WASM128) || defined(WEBCNN_ISA_WASM_RELAXED)
// The vector form; only for headers where q8_header_vectorizable holds. zp, lo, hi: splats of out's fields.
// A 64-bit y >> n (n = 31, 30) is taken as the high 32-bit half of y << (32 − n): V8 has no native
// i64x2.shr_s on x64 (an emulated sequence), shl is one instruction; |y| < 2^62 keeps y << 1 in range, and
// |s·pow| ≤ 2^61 keeps s·pow << 2 in range (−2^63 exactly at s = −2^31, e = 0).
inline simd::i32x4 q8_requantize_x4_vector(simd::i32x4 acc, const int32_t* header, v128_t zp, v128_t lo, v128_t hi) {
  const v128_t m = wasm_v128_load(header + kQ8Mantissa * kQ8Lanes), pow = wasm_v128_load(header + kQ8Pow * kQ8Lanes);
  const v128_t round = wasm_i64x2_splat(int64_t{1} << 30);
  const v128_t p_lo = wasm_i64x2_shl(wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(acc.v, m), round), 1);
  const v128_t p_hi = wasm_i64x2_shl(wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(acc.v, m), round), 1);
  const v128_t s = wasm_i32x4_shuffle(p_lo, p_hi, 1, 3, 5, 7);
  const v128_t q_lo = wasm_i64x2_shl(wasm_i64x2_extmul_low_i32x4(s, pow), 2);
  const v128_t q_hi = wasm_i64x2_shl(wasm_i64x2_extmul_high_i32x4(s, pow), 2);
  const v128_t floor_q = wasm_i32x4_shuffle(q_lo, q_hi, 1, 3, 5, 7);
  const v128_t rem = wasm_v128_and(s, wasm_v128_load(header + kQ8Mask * kQ8Lanes));
  // half + (s < 0): the comparison's all-ones lane is −1.
  const v128_t threshold =
      wasm_i32x4_sub(wasm_v128_load(header + kQ8Half * kQ8Lanes), wasm_i32x4_lt(s, wasm_i32x4_splat(0)));
  const v128_t q = wasm_i32x4_sub(floor_q, wasm_i32x4_gt(rem, threshold));
  return {wasm_i32x4_min(wasm_i32x4_max(wasm_i32x4_add(q, zp), lo), hi)};
}
#elif defined(WEBCNN_ISA_SSE2) || defined(WEBCNN_ISA_AVX2)
// The vector form on SSE2 (only for q8_header_vectorizable headers): the same steps as SIMD128's, with
// pmuludq's unsigned 32×32→64-bit products made signed by subtracting (a < 0 ? b·2^32 : 0) (b ≥ 0: the
// mantissa, pow), done on the high halves after the shift; min/max by compare and select.
namespace q8_sse2 {
// high32((a·b + add) << k) for the signed lanes a, b ≥ 0, all four lanes.
inline __m128i mul_high(__m128i a, __m128i b, __m128i add, int k) {
  const __m128i even = _mm_add_epi64(_mm_mul_epu32(a, b), add);
  const __m128i odd = _mm_add_epi64(_mm_mul_epu32(_mm_srli_epi64(a, 32), _mm_srli_epi64(b, 32)), add);
  const __m128i e = _mm_srli_epi64(_mm_sll_epi64(even, _mm_cvtsi32_si128(k)), 32);
  const __m128i o = _mm_and_si128(_mm_sll_epi64(odd, _mm_cvtsi32_si128(k)), _mm_set_epi32(-1, 0, -1, 0));
  const __m128i neg_b = _mm_and_si128(_mm_cmplt_epi32(a, _mm_setzero_si128()), _mm_sll_epi32(b, _mm_cvtsi32_si128(k)));
  return _mm_sub_epi32(_mm_or_si128(e, o), neg_b);
}
inline __m128i select(__m128i mask, __m128i a, __m128i b) {
  return _mm_or_si128(_mm_and_si128(mask, a), _mm_andnot_si128(mask, b));
}
}  // namespace q8_sse2
inline simd::i32x4 q8_requantize_x4_vector(simd::i32x4 acc, const int32_t* header, const Q8Output& out) {
  const __m128i m = _mm_loadu_si128(reinterpret_cast<const __m128i*>(header + kQ8Mantissa * kQ8Lanes));
  const __m128i pow = _mm_loadu_si128(reinterpret_cast<const __m128i*>(header + kQ8Pow * kQ8Lanes));
  const __m128i mask = _mm_loadu_si128(reinterpret_cast<const __m128i*>(header + kQ8Mask * kQ8Lanes));
  const __m128i half = _mm_loadu_si128(reinterpret_cast<const __m128i*>(header + kQ8Half * kQ8Lanes));
  const __m128i s = q8_sse2::mul_high(acc.v, m, _mm_set_epi32(0, 1 << 30, 0, 1 << 30), 1);
  const __m128i floor_q = q8_sse2::mul_high(s, pow, _mm_setzero_si128(), 2);
  const __m128i rem = _mm_and_si128(s, mask);
  const __m128i threshold = _mm_sub_epi32(half, _mm_cmplt_epi32(s, _mm_setzero_si128()));
  __m128i q = _mm_add_epi32(_mm_sub_epi32(floor_q, _mm_cmpgt_epi32(rem, threshold)), _mm_set1_epi32(out.zero_point));
  const __m128i lo = _mm_set1_epi32(out.qmin), hi = _mm_set1_epi32(out.qmax);
  q = q8_sse2::select(_mm_cmplt_epi32(q, lo), lo, q);
  q = q8_sse2::select(_mm_cmpgt_epi32(q, hi), hi, q);
  return {q};
}
#endif

// Stores 8 requantised lanes (lo = channels 0..3, hi = 4..7, already within the output's range) as 8-bit
// values, the first `count` of them.
inline void q8_store_x8(simd::i32x4 lo, simd::i32x4 hi, bool is_signed, void* dst, size_t count) {
#if defined(WEBCNN_ISA_WASM128) || defined(WEBCNN_ISA_WASM_RELAXED)
  if (count == kQ8Lanes) {  // values are in range, so the saturating narrows are exact
    const v128_t h = wasm_i16x8_narrow_i32x4(lo.v, hi.v);
    wasm_v128_store64_lane(dst, is_signed ? wasm_i8x16_narrow_i16x8(h, h) : wasm_u8x16_narrow_i16x8(h, h), 0);
    return;
  }
#elif defined(WEBCNN_ISA_SSE2) || defined(WEBCNN_ISA_AVX2)
  if (count == kQ8Lanes) {
    const __m128i h = _mm_packs_epi32(lo.v, hi.v);
    _mm_storel_epi64(static_cast<__m128i*>(dst), is_signed ? _mm_packs_epi16(h, h) : _mm_packus_epi16(h, h));
    return;
  }
#endif
  int32_t v[8];
  simd::store_i32x4(v, lo);
  simd::store_i32x4(v + 4, hi);
  if (is_signed) {
    int8_t* d = static_cast<int8_t*>(dst);
    for (size_t i = 0; i < count; ++i) d[i] = static_cast<int8_t>(v[i]);
  } else {
    uint8_t* d = static_cast<uint8_t*>(dst);
    for (size_t i = 0; i < count; ++i) d[i] = static_cast<uint8_t>(v[i]);
  }
}

}  // namespace webcnn::kernels::WEBCNN_ISA
