// QLinearAdd's row kernel: TFLite's quantized ADD (q8_add.h) on 16 bytes at a time. Each lane is widened
// to 32 bits and goes through the same integer steps as the scalar q8_add(): (q - zp) << 20, a rounding
// doubling high multiply (32 x 32 -> 64 bits: SSE2's unsigned mul_epu32 with a sign correction, wasm's
// i64x2.extmul), a rounding right shift, the sum, the output multiply, the zero point, the clamp; so every
// table gives the scalar reference's bits. A left-shifting multiplier (an output scale some 10^6 times
// smaller than the inputs') and the tail take the scalar loop.
#include <type_traits>

#include "kernels/isa_kernels.h"
#include "kernels/q8_add.h"

#if defined(WEBCNN_ISA_SSE2) || defined(WEBCNN_ISA_AVX2)
#include <emmintrin.h>
#elif defined(WEBCNN_ISA_WASM128) || defined(WEBCNN_ISA_WASM_RELAXED)
#include <wasm_simd128.h>
#endif

namespace webcnn::kernels::WEBCNN_ISA {

namespace {

#if defined(WEBCNN_ISA_SSE2) || defined(WEBCNN_ISA_AVX2)
using V = __m128i;
inline V splat(int32_t v) { return _mm_set1_epi32(v); }
inline V add(V a, V b) { return _mm_add_epi32(a, b); }
inline V sub(V a, V b) { return _mm_sub_epi32(a, b); }
inline V shl20(V a) { return _mm_slli_epi32(a, Q8AddParams::kLeftShift); }

// A multiplier with shift <= 0 as vectors: x · mantissa / 2^31 rounded, then a rounding shift right.
struct VMultiplier {
  explicit VMultiplier(QuantizedMultiplier m)
      : mantissa(_mm_set1_epi32(m.mantissa)),
        twice_mantissa(_mm_set1_epi32(static_cast<int32_t>(2u * static_cast<uint32_t>(m.mantissa)))),
        mask(_mm_set1_epi32(static_cast<int32_t>((int64_t{1} << -m.shift) - 1))),
        half_mask(_mm_set1_epi32(static_cast<int32_t>(((int64_t{1} << -m.shift) - 1) >> 1))),
        shift(_mm_cvtsi32_si128(-m.shift)) {}
  V mantissa, twice_mantissa, mask, half_mask, shift;

  V apply(V x) const {
    // (x · m + 2^30) >> 31 on the unsigned product of lanes 0, 2 and of lanes 1, 3; a negative x read as
    // unsigned adds m · 2^32 to the product, i.e. 2m to the result, taken off at the end.
    const V nudge = _mm_set_epi32(0, 1 << 30, 0, 1 << 30);
    const V even = _mm_srli_epi64(_mm_add_epi64(_mm_mul_epu32(x, mantissa), nudge), 31);
    const V odd = _mm_srli_epi64(_mm_add_epi64(_mm_mul_epu32(_mm_srli_epi64(x, 32), mantissa), nudge), 31);
    V high = _mm_or_si128(_mm_and_si128(even, _mm_set_epi32(0, -1, 0, -1)), _mm_slli_epi64(odd, 32));
    high = _mm_sub_epi32(high, _mm_and_si128(_mm_srai_epi32(x, 31), twice_mantissa));
    // Rounding shift right, half away from zero (rounding_divide_by_pot).
    const V remainder = _mm_and_si128(high, mask);
    const V threshold = _mm_sub_epi32(half_mask, _mm_srai_epi32(high, 31));
    return _mm_sub_epi32(_mm_sra_epi32(high, shift), _mm_cmpgt_epi32(remainder, threshold));
  }
};

// 16 bytes to four vectors of 32-bit lanes.
template <typename T>
inline void widen(const T* p, V out[4]) {
  const V v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  V lo, hi;
  if constexpr (std::is_same_v<T, uint8_t>) {
    lo = _mm_unpacklo_epi8(v, _mm_setzero_si128());
    hi = _mm_unpackhi_epi8(v, _mm_setzero_si128());
  } else {
    lo = _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8);
    hi = _mm_srai_epi16(_mm_unpackhi_epi8(v, v), 8);
  }
  out[0] = _mm_srai_epi32(_mm_unpacklo_epi16(lo, lo), 16);
  out[1] = _mm_srai_epi32(_mm_unpackhi_epi16(lo, lo), 16);
  out[2] = _mm_srai_epi32(_mm_unpacklo_epi16(hi, hi), 16);
  out[3] = _mm_srai_epi32(_mm_unpackhi_epi16(hi, hi), 16);
}

// Four vectors of 32-bit lanes clamped to [qmin, qmax] (within the type's range) and stored as 16 bytes.
template <typename T>
inline void narrow_store(const V x[4], int32_t qmin, int32_t qmax, T* p) {
  const V lo16 = _mm_packs_epi32(x[0], x[1]), hi16 = _mm_packs_epi32(x[2], x[3]);
  const V vmin = _mm_set1_epi16(static_cast<int16_t>(qmin)), vmax = _mm_set1_epi16(static_cast<int16_t>(qmax));
  const V lo = _mm_min_epi16(_mm_max_epi16(lo16, vmin), vmax), hi = _mm_min_epi16(_mm_max_epi16(hi16, vmin), vmax);
  const V bytes = std::is_same_v<T, uint8_t> ? _mm_packus_epi16(lo, hi) : _mm_packs_epi16(lo, hi);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p), bytes);
}
#define WEBCNN_Q8_VECTOR 1

#elif defined(WEBCNN_ISA_WASM128) || defined(WEBCNN_ISA_WASM_RELAXED)
using V = v128_t;
inline V splat(int32_t v) { return wasm_i32x4_splat(v); }
inline V add(V a, V b) { return wasm_i32x4_add(a, b); }
inline V sub(V a, V b) { return wasm_i32x4_sub(a, b); }
inline V shl20(V a) { return wasm_i32x4_shl(a, Q8AddParams::kLeftShift); }

struct VMultiplier {
  explicit VMultiplier(QuantizedMultiplier m)
      : mantissa(wasm_i32x4_splat(m.mantissa)),
        mask(wasm_i32x4_splat(static_cast<int32_t>((int64_t{1} << -m.shift) - 1))),
        half_mask(wasm_i32x4_splat(static_cast<int32_t>(((int64_t{1} << -m.shift) - 1) >> 1))),
        shift(-m.shift) {}
  V mantissa, mask, half_mask;
  int shift;

  V apply(V x) const {
    // (x · m + 2^30) >> 31 in 64-bit lanes (floor; equal to the scalar's truncating division of the nudged product).
    const V nudge = wasm_i64x2_splat(int64_t{1} << 30);
    const V lo = wasm_i64x2_shr(wasm_i64x2_add(wasm_i64x2_extmul_low_i32x4(x, mantissa), nudge), 31);
    const V hi = wasm_i64x2_shr(wasm_i64x2_add(wasm_i64x2_extmul_high_i32x4(x, mantissa), nudge), 31);
    const V high = wasm_i32x4_shuffle(lo, hi, 0, 2, 4, 6);
    const V remainder = wasm_v128_and(high, mask);
    const V threshold = wasm_i32x4_sub(half_mask, wasm_i32x4_shr(high, 31));
    return wasm_i32x4_sub(wasm_i32x4_shr(high, static_cast<uint32_t>(shift)), wasm_i32x4_gt(remainder, threshold));
  }
};

template <typename T>
inline void widen(const T* p, V out[4]) {
  const V v = wasm_v128_load(p);
  V lo, hi;
  if constexpr (std::is_same_v<T, uint8_t>) {
    lo = wasm_u16x8_extend_low_u8x16(v);
    hi = wasm_u16x8_extend_high_u8x16(v);
  } else {
    lo = wasm_i16x8_extend_low_i8x16(v);
    hi = wasm_i16x8_extend_high_i8x16(v);
  }
  out[0] = wasm_i32x4_extend_low_i16x8(lo);
  out[1] = wasm_i32x4_extend_high_i16x8(lo);
  out[2] = wasm_i32x4_extend_low_i16x8(hi);
  out[3] = wasm_i32x4_extend_high_i16x8(hi);
}

template <typename T>
inline void narrow_store(const V x[4], int32_t qmin, int32_t qmax, T* p) {
  const V vmin = wasm_i16x8_splat(static_cast<int16_t>(qmin)), vmax = wasm_i16x8_splat(static_cast<int16_t>(qmax));
  const V lo = wasm_i16x8_min(wasm_i16x8_max(wasm_i16x8_narrow_i32x4(x[0], x[1]), vmin), vmax);
  const V hi = wasm_i16x8_min(wasm_i16x8_max(wasm_i16x8_narrow_i32x4(x[2], x[3]), vmin), vmax);
  wasm_v128_store(p, std::is_same_v<T, uint8_t> ? wasm_u8x16_narrow_i16x8(lo, hi) : wasm_i8x16_narrow_i16x8(lo, hi));
}
#define WEBCNN_Q8_VECTOR 1
#endif

}  // namespace

template <typename T>
void q8_vadd(size_t n, const T* a, const T* b, bool b_scalar, T* out, const Q8AddParams& p) {
  size_t i = 0;
#if defined(WEBCNN_Q8_VECTOR)
  if (n >= 16 && p.a_multiplier.shift <= 0 && p.b_multiplier.shift <= 0 && p.out_multiplier.shift <= 0) {
    const VMultiplier ma(p.a_multiplier), mb(p.b_multiplier), mo(p.out_multiplier);
    const V za = splat(p.a_zero_point), zb = splat(p.b_zero_point), zo = splat(p.out_zero_point);
    const V b_const = splat(b_scalar ? q8_add_scaled_input(b[0], p.b_zero_point, p.b_multiplier) : 0);
    for (; i + 16 <= n; i += 16) {
      V x[4], y[4];
      widen(a + i, x);
      if (!b_scalar) widen(b + i, y);
      for (int k = 0; k < 4; ++k) {
        V sum = ma.apply(shl20(sub(x[k], za)));
        sum = add(sum, b_scalar ? b_const : mb.apply(shl20(sub(y[k], zb))));
        x[k] = add(mo.apply(sum), zo);
      }
      narrow_store(x, p.qmin, p.qmax, out + i);
    }
  }
#endif
  for (; i < n; ++i) out[i] = static_cast<T>(q8_add(a[i], b_scalar ? b[0] : b[i], p));
}

template void q8_vadd<uint8_t>(size_t, const uint8_t*, const uint8_t*, bool, uint8_t*, const Q8AddParams&);
template void q8_vadd<int8_t>(size_t, const int8_t*, const int8_t*, bool, int8_t*, const Q8AddParams&);

}  // namespace webcnn::kernels::WEBCNN_ISA
