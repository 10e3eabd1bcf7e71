// The f32x4 backend for x86 SSE2 (every x86-64 CPU). Included through simd/f32x4.h only.
//
// SSE2 has no fused multiply-add: fmadd is a mul then an add, like muladd (kNativeFma false).
#pragma once

#include <emmintrin.h>

#include <cstdint>

namespace webcnn::simd::sse2 {

constexpr const char* kBackend = "sse2";
constexpr bool kNativeFma = false;
inline bool supported() { return true; }  // part of x86-64
struct f32x4 {
  __m128 v;
};
inline f32x4 load(const float* p) { return {_mm_loadu_ps(p)}; }
inline void store(float* p, f32x4 a) { _mm_storeu_ps(p, a.v); }
inline f32x4 splat(float x) { return {_mm_set1_ps(x)}; }
inline f32x4 zero() { return {_mm_setzero_ps()}; }
inline f32x4 add(f32x4 a, f32x4 b) { return {_mm_add_ps(a.v, b.v)}; }
inline f32x4 sub(f32x4 a, f32x4 b) { return {_mm_sub_ps(a.v, b.v)}; }
inline f32x4 mul(f32x4 a, f32x4 b) { return {_mm_mul_ps(a.v, b.v)}; }
inline f32x4 div(f32x4 a, f32x4 b) { return {_mm_div_ps(a.v, b.v)}; }
inline f32x4 max(f32x4 a, f32x4 b) { return {_mm_max_ps(a.v, b.v)}; }
inline f32x4 min(f32x4 a, f32x4 b) { return {_mm_min_ps(a.v, b.v)}; }
inline f32x4 muladd(f32x4 a, f32x4 b, f32x4 c) { return {_mm_add_ps(_mm_mul_ps(a.v, b.v), c.v)}; }
template <int L>
inline f32x4 broadcast_lane(f32x4 a) {
  return {_mm_shuffle_ps(a.v, a.v, _MM_SHUFFLE(L, L, L, L))};
}
inline float lane0(f32x4 a) { return _mm_cvtss_f32(a.v); }
template <int S>
inline f32x4 shift_bits_left(f32x4 a) {
  return {_mm_castsi128_ps(_mm_slli_epi32(_mm_castps_si128(a.v), S))};
}
// a * b + c, fused (one rounding) where kNativeFma; here a mul then an add, the same as muladd.
inline f32x4 fmadd(f32x4 a, f32x4 b, f32x4 c) { return muladd(a, b, c); }

}  // namespace webcnn::simd::sse2
