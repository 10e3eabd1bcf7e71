// Integer vectors for the 8-bit kernels (kernels/q8_*): 16-bit products summed in pairs into 32-bit lanes,
// the one operation that doubles multiply-adds per instruction over f32x4 (wasm i32x4.dot_i16x8_s, SSE2
// pmaddwd). Same selector and namespaces as simd/f32x4.h (include that first); backends side by side:
//   i16x8 load_i16x8(p)            eight int16
//   i16x8 load_pair_splat(p)       p[0], p[1] repeated four times (one 32-bit load into all lanes)
//   i16x8 widen_u8x8(p) / widen_s8x8(p)   eight 8-bit values widened to int16
//   i16x8 sub_i16x8, splat_i16x8, zip_lo_i16x8 / zip_hi_i16x8 (a0 b0 a1 b1 ... of the low/high halves)
//   i32x4 dot_i16x8(a, b)          lane i = a[2i]·b[2i] + a[2i+1]·b[2i+1]
//   i32x4 add_i32x4, load_i32x4, store_i32x4, splat_i32x4
#pragma once

#include <cstdint>
#include <cstring>

#include "simd/f32x4.h"

#if defined(WEBCNN_ISA_WASM128) || defined(WEBCNN_ISA_WASM_RELAXED)

namespace webcnn::simd::WEBCNN_ISA {  // wasm128, or wasm_relaxed (the same integer code)
struct i16x8 {
  v128_t v;
};
struct i32x4 {
  v128_t v;
};
inline i16x8 load_i16x8(const int16_t* p) { return {wasm_v128_load(p)}; }
inline i16x8 load_pair_splat(const int16_t* p) { return {wasm_v128_load32_splat(p)}; }
inline i16x8 widen_u8x8(const uint8_t* p) { return {wasm_u16x8_load8x8(p)}; }
inline i16x8 widen_s8x8(const int8_t* p) { return {wasm_i16x8_load8x8(p)}; }
inline i16x8 sub_i16x8(i16x8 a, i16x8 b) { return {wasm_i16x8_sub(a.v, b.v)}; }
inline i16x8 splat_i16x8(int16_t x) { return {wasm_i16x8_splat(x)}; }
inline i16x8 zip_lo_i16x8(i16x8 a, i16x8 b) { return {wasm_i16x8_shuffle(a.v, b.v, 0, 8, 1, 9, 2, 10, 3, 11)}; }
inline i16x8 zip_hi_i16x8(i16x8 a, i16x8 b) { return {wasm_i16x8_shuffle(a.v, b.v, 4, 12, 5, 13, 6, 14, 7, 15)}; }
inline i32x4 dot_i16x8(i16x8 a, i16x8 b) { return {wasm_i32x4_dot_i16x8(a.v, b.v)}; }
inline i32x4 add_i32x4(i32x4 a, i32x4 b) { return {wasm_i32x4_add(a.v, b.v)}; }
inline i32x4 load_i32x4(const int32_t* p) { return {wasm_v128_load(p)}; }
inline void store_i32x4(int32_t* p, i32x4 a) { wasm_v128_store(p, a.v); }
inline i32x4 splat_i32x4(int32_t x) { return {wasm_i32x4_splat(x)}; }
}  // namespace webcnn::simd::WEBCNN_ISA

#elif defined(WEBCNN_ISA_SSE2) || defined(WEBCNN_ISA_AVX2)

namespace webcnn::simd::WEBCNN_ISA {  // sse2, or avx2 (the same 128-bit integer code, VEX-encoded)
struct i16x8 {
  __m128i v;
};
struct i32x4 {
  __m128i v;
};
inline i16x8 load_i16x8(const int16_t* p) { return {_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))}; }
inline i16x8 load_pair_splat(const int16_t* p) {
  int32_t pair;
  std::memcpy(&pair, p, sizeof pair);
  return {_mm_set1_epi32(pair)};
}
inline __m128i load_8_bytes(const void* p) {
  int64_t bytes;
  std::memcpy(&bytes, p, sizeof bytes);
  return _mm_cvtsi64_si128(bytes);
}
#if defined(__SSE4_1__)  // the avx2 table: one pmovzxbw / pmovsxbw, as V8 makes of wasm's load8x8
inline i16x8 widen_u8x8(const uint8_t* p) { return {_mm_cvtepu8_epi16(load_8_bytes(p))}; }
inline i16x8 widen_s8x8(const int8_t* p) { return {_mm_cvtepi8_epi16(load_8_bytes(p))}; }
#else
inline i16x8 widen_u8x8(const uint8_t* p) { return {_mm_unpacklo_epi8(load_8_bytes(p), _mm_setzero_si128())}; }
inline i16x8 widen_s8x8(const int8_t* p) {
  const __m128i b = load_8_bytes(p);
  return {_mm_srai_epi16(_mm_unpacklo_epi8(b, b), 8)};  // each byte in the high half, then sign-extended down
}
#endif
inline i16x8 sub_i16x8(i16x8 a, i16x8 b) { return {_mm_sub_epi16(a.v, b.v)}; }
inline i16x8 splat_i16x8(int16_t x) { return {_mm_set1_epi16(x)}; }
inline i16x8 zip_lo_i16x8(i16x8 a, i16x8 b) { return {_mm_unpacklo_epi16(a.v, b.v)}; }
inline i16x8 zip_hi_i16x8(i16x8 a, i16x8 b) { return {_mm_unpackhi_epi16(a.v, b.v)}; }
inline i32x4 dot_i16x8(i16x8 a, i16x8 b) { return {_mm_madd_epi16(a.v, b.v)}; }
inline i32x4 add_i32x4(i32x4 a, i32x4 b) { return {_mm_add_epi32(a.v, b.v)}; }
inline i32x4 load_i32x4(const int32_t* p) { return {_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))}; }
inline void store_i32x4(int32_t* p, i32x4 a) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), a.v); }
inline i32x4 splat_i32x4(int32_t x) { return {_mm_set1_epi32(x)}; }
}  // namespace webcnn::simd::WEBCNN_ISA

#else

namespace webcnn::simd::scalar {
struct i16x8 {
  int16_t v[8];
};
struct i32x4 {
  int32_t v[4];
};
inline i16x8 load_i16x8(const int16_t* p) {
  i16x8 r;
  for (int i = 0; i < 8; ++i) r.v[i] = p[i];
  return r;
}
inline i16x8 load_pair_splat(const int16_t* p) {
  i16x8 r;
  for (int i = 0; i < 8; ++i) r.v[i] = p[i & 1];
  return r;
}
inline i16x8 widen_u8x8(const uint8_t* p) {
  i16x8 r;
  for (int i = 0; i < 8; ++i) r.v[i] = p[i];
  return r;
}
inline i16x8 widen_s8x8(const int8_t* p) {
  i16x8 r;
  for (int i = 0; i < 8; ++i) r.v[i] = p[i];
  return r;
}
inline i16x8 sub_i16x8(i16x8 a, i16x8 b) {
  for (int i = 0; i < 8; ++i) a.v[i] = static_cast<int16_t>(a.v[i] - b.v[i]);
  return a;
}
inline i16x8 splat_i16x8(int16_t x) {
  i16x8 r;
  for (int16_t& v : r.v) v = x;
  return r;
}
inline i16x8 zip_lo_i16x8(i16x8 a, i16x8 b) {
  i16x8 r;
  for (int i = 0; i < 4; ++i) r.v[2 * i] = a.v[i], r.v[2 * i + 1] = b.v[i];
  return r;
}
inline i16x8 zip_hi_i16x8(i16x8 a, i16x8 b) {
  i16x8 r;
  for (int i = 0; i < 4; ++i) r.v[2 * i] = a.v[4 + i], r.v[2 * i + 1] = b.v[4 + i];
  return r;
}
inline i32x4 dot_i16x8(i16x8 a, i16x8 b) {
  i32x4 r;
  for (int i = 0; i < 4; ++i) r.v[i] = int32_t{a.v[2 * i]} * b.v[2 * i] + int32_t{a.v[2 * i + 1]} * b.v[2 * i + 1];
  return r;
}
inline i32x4 add_i32x4(i32x4 a, i32x4 b) {  // wraps like the vector backends (unsigned arithmetic)
  for (int i = 0; i < 4; ++i)
    a.v[i] = static_cast<int32_t>(static_cast<uint32_t>(a.v[i]) + static_cast<uint32_t>(b.v[i]));
  return a;
}
inline i32x4 load_i32x4(const int32_t* p) { return {{p[0], p[1], p[2], p[3]}}; }
inline void store_i32x4(int32_t* p, i32x4 a) {
  for (int i = 0; i < 4; ++i) p[i] = a.v[i];
}
inline i32x4 splat_i32x4(int32_t x) { return {{x, x, x, x}}; }
}  // namespace webcnn::simd::scalar

#endif
