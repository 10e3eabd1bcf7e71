// requantize_fp32() (kernels/requantize_fp32.h) on four int32 accumulators at once, bit for bit, for the
// 8-bit kernels compiled per instruction set. `header` points at lane 0 of the four channels in a block
// header (kernels/q8_params.h: rows kQ8Lanes apart). The int32 → float conversions round to nearest even as
// static_cast<float> does, the products are single float32 multiplies (no FMA), and the bounds clamp in
// float before rounding, so every lane takes the same roundings as the scalar rule:
//   SIMD128  f32x4.convert, mul, pmax/pmin, then the magic number 1.5·2^23: adding it rounds a float of
//            magnitude < 2^22 half to even into the low mantissa bits (the clamped values are within ±510),
//            whose int32 bits less (bits(1.5·2^23) − zero point) are the result (XNNPACK's "fmagic").
//   SSE2     cvtdq2ps, mulps, maxps/minps, cvtps2dq (MXCSR's default rounding: half to even), + zero point.
#pragma once

#include <cstdint>

#include "kernels/q8_params.h"
#include "kernels/requantize_fp32.h"
#include "simd/i16x8.h"

namespace webcnn::kernels::WEBCNN_ISA {

#if defined(WEBCNN_ISA_WASM128) || defined(WEBCNN_ISA_WASM_RELAXED)
// The output's constants as vectors, made once per tile.
struct Q8Requantizer {
  v128_t lo, hi, magic, magic_less_zp;
  explicit Q8Requantizer(const Q8Output& out)
      : lo(wasm_f32x4_splat(static_cast<float>(out.qmin - out.zero_point))),
        hi(wasm_f32x4_splat(static_cast<float>(out.qmax - out.zero_point))),
        magic(wasm_f32x4_splat(12582912.0f)),
        magic_less_zp(wasm_i32x4_splat(INT32_C(0x4B400000) - out.zero_point)) {}
};
inline simd::i32x4 q8_requantize_x4(simd::i32x4 acc, const int32_t* header, const Q8Requantizer& r) {
  v128_t f = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc.v), wasm_v128_load(header + kQ8Scale * kQ8Lanes));
  f = wasm_f32x4_pmin(wasm_f32x4_pmax(f, r.lo), r.hi);  // pmax(a, b) = a < b ? b : a; pmin(a, b) = b < a ? b : a
  return {wasm_i32x4_sub(wasm_f32x4_add(f, r.magic), r.magic_less_zp)};
}
#elif defined(WEBCNN_ISA_SSE2) || defined(WEBCNN_ISA_AVX2)
struct Q8Requantizer {
  __m128 lo, hi;
  __m128i zp;
  explicit Q8Requantizer(const Q8Output& out)
      : lo(_mm_set1_ps(static_cast<float>(out.qmin - out.zero_point))),
        hi(_mm_set1_ps(static_cast<float>(out.qmax - out.zero_point))),
        zp(_mm_set1_epi32(out.zero_point)) {}
};
inline simd::i32x4 q8_requantize_x4(simd::i32x4 acc, const int32_t* header, const Q8Requantizer& r) {
  __m128 f =
      _mm_mul_ps(_mm_cvtepi32_ps(acc.v),
                 _mm_castsi128_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(header + kQ8Scale * kQ8Lanes))));
  f = _mm_min_ps(_mm_max_ps(f, r.lo), r.hi);
  return {_mm_add_epi32(_mm_cvtps_epi32(f), r.zp)};
}
#else
struct Q8Requantizer {
  Q8Output out;
  explicit Q8Requantizer(const Q8Output& o) : out(o) {}
};
inline simd::i32x4 q8_requantize_x4(simd::i32x4 acc, const int32_t* header, const Q8Requantizer& r) {
  int32_t v[4];
  simd::store_i32x4(v, acc);
  for (size_t i = 0; i < 4; ++i)
    v[i] = requantize_fp32(v[i], q8_header_scale(header, i), r.out.zero_point, r.out.qmin, r.out.qmax);
  return simd::load_i32x4(v);
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
