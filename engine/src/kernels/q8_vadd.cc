// QLinearAdd's row kernel: XNNPACK's quantized ADD (q8_add.h) on 16 bytes at a time, bit for bit. Each
// multiplier m (|m| ≤ 2^21) is split as m_hi·2^10 + m_lo with m_lo in [0, 2^10), both within int16, so the
// pairs (a − 0, b − 0) interleaved as int16 give a·m_a + b·m_b in two pmaddwd / i32x4.dot_i16x8_s:
// (dot(ab, hi) << 10) + dot(ab, lo), exact modulo 2^32, and the int32 sum is exact where q8_add's is
// (Q8AddParams::int32_exact). Then the bias, the arithmetic shift, the zero point and the clamp. Parameters
// outside XNNPACK's range and the tail take the scalar loop.
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

// m_hi (arithmetic shift) and m_lo as the int16 pair (m_a part, m_b part) in every 32-bit lane.
inline int32_t pair(int32_t ma, int32_t mb) {
  return static_cast<int32_t>((static_cast<uint32_t>(static_cast<uint16_t>(mb)) << 16) | static_cast<uint16_t>(ma));
}

#if defined(WEBCNN_ISA_SSE2) || defined(WEBCNN_ISA_AVX2)
using V = __m128i;
inline V load16(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }
inline V splat16(int32_t v) { return _mm_set1_epi8(static_cast<char>(v)); }
template <typename T>
inline void widen(V v, V& lo, V& hi) {
  if constexpr (std::is_same_v<T, uint8_t>) {
    lo = _mm_unpacklo_epi8(v, _mm_setzero_si128());
    hi = _mm_unpackhi_epi8(v, _mm_setzero_si128());
  } else {
    lo = _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8);
    hi = _mm_srai_epi16(_mm_unpackhi_epi8(v, v), 8);
  }
}
inline V zip_lo(V a, V b) { return _mm_unpacklo_epi16(a, b); }
inline V zip_hi(V a, V b) { return _mm_unpackhi_epi16(a, b); }
inline V splat32(int32_t v) { return _mm_set1_epi32(v); }
inline V acc_of(V ab, V hi, V lo, V bias) {
  return _mm_add_epi32(_mm_add_epi32(bias, _mm_slli_epi32(_mm_madd_epi16(ab, hi), 10)), _mm_madd_epi16(ab, lo));
}
inline V shift_add(V acc, int shift, V zp) { return _mm_add_epi32(_mm_sra_epi32(acc, _mm_cvtsi32_si128(shift)), zp); }
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
inline V load16(const void* p) { return wasm_v128_load(p); }
inline V splat16(int32_t v) { return wasm_i8x16_splat(static_cast<int8_t>(v)); }
template <typename T>
inline void widen(V v, V& lo, V& hi) {
  if constexpr (std::is_same_v<T, uint8_t>) {
    lo = wasm_u16x8_extend_low_u8x16(v);
    hi = wasm_u16x8_extend_high_u8x16(v);
  } else {
    lo = wasm_i16x8_extend_low_i8x16(v);
    hi = wasm_i16x8_extend_high_i8x16(v);
  }
}
inline V zip_lo(V a, V b) { return wasm_i16x8_shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11); }
inline V zip_hi(V a, V b) { return wasm_i16x8_shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15); }
inline V splat32(int32_t v) { return wasm_i32x4_splat(v); }
inline V acc_of(V ab, V hi, V lo, V bias) {
  return wasm_i32x4_add(wasm_i32x4_add(bias, wasm_i32x4_shl(wasm_i32x4_dot_i16x8(ab, hi), 10)),
                        wasm_i32x4_dot_i16x8(ab, lo));
}
inline V shift_add(V acc, int shift, V zp) {
  return wasm_i32x4_add(wasm_i32x4_shr(acc, static_cast<uint32_t>(shift)), zp);
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
  if (n >= 16 && p.int32_exact()) {
    const V hi = splat32(pair(p.a_multiplier >> 10, p.b_multiplier >> 10));
    const V lo = splat32(pair(p.a_multiplier & 1023, p.b_multiplier & 1023));
    const V bias = splat32(static_cast<int32_t>(p.bias)), zo = splat32(p.out_zero_point);
    const V b_splat = splat16(b_scalar ? int32_t{b[0]} : 0);
    for (; i + 16 <= n; i += 16) {
      V a_lo, a_hi, b_lo, b_hi;
      widen<T>(load16(a + i), a_lo, a_hi);
      widen<T>(b_scalar ? b_splat : load16(b + i), b_lo, b_hi);
      V x[4] = {zip_lo(a_lo, b_lo), zip_hi(a_lo, b_lo), zip_lo(a_hi, b_hi), zip_hi(a_hi, b_hi)};
      for (int k = 0; k < 4; ++k) x[k] = shift_add(acc_of(x[k], hi, lo, bias), p.shift, zo);
      narrow_store(x, p.qmin, p.qmax, out + i);
    }
  }
#endif
  for (; i < n; ++i) out[i] = static_cast<T>(q8_add(a[i], b_scalar ? b[0] : b[i], p));
}

template void q8_vadd<uint8_t>(size_t, const uint8_t*, const uint8_t*, bool, uint8_t*, const Q8AddParams&);
template void q8_vadd<int8_t>(size_t, const int8_t*, const int8_t*, bool, int8_t*, const Q8AddParams&);

}  // namespace webcnn::kernels::WEBCNN_ISA
