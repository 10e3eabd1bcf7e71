// The vector abstraction: 4 float lanes, written once, compiled for WebAssembly SIMD128, SSE2 or
// plain scalar code. Microkernels use only this header, so the native tests exercise the exact
// code the browser runs. Select the scalar backend with -DWEBCNN_SIMD_SCALAR (tests do, to cover it).
//
// Base SIMD128 has no fused multiply-add; muladd(a, b, c) = a * b + c as two instructions everywhere,
// so results are bit-identical across backends.
#pragma once

#if !defined(WEBCNN_SIMD_SCALAR) && defined(__wasm_simd128__)
#define WEBCNN_SIMD_WASM 1
#include <wasm_simd128.h>
#elif !defined(WEBCNN_SIMD_SCALAR) && (defined(__SSE2__) || defined(_M_X64))
#define WEBCNN_SIMD_SSE2 1
#include <emmintrin.h>
#else
#define WEBCNN_SIMD_SCALAR_BACKEND 1
#endif

#include <cstdint>
#include <cstring>

namespace webcnn::simd {

#if defined(WEBCNN_SIMD_WASM)
constexpr const char* kBackend = "wasm128";
struct f32x4 { v128_t v; };
inline f32x4 load(const float* p) { return {wasm_v128_load(p)}; }
inline void store(float* p, f32x4 a) { wasm_v128_store(p, a.v); }
inline f32x4 splat(float x) { return {wasm_f32x4_splat(x)}; }
inline f32x4 zero() { return {wasm_f32x4_splat(0.0f)}; }
inline f32x4 add(f32x4 a, f32x4 b) { return {wasm_f32x4_add(a.v, b.v)}; }
inline f32x4 sub(f32x4 a, f32x4 b) { return {wasm_f32x4_sub(a.v, b.v)}; }
inline f32x4 mul(f32x4 a, f32x4 b) { return {wasm_f32x4_mul(a.v, b.v)}; }
inline f32x4 div(f32x4 a, f32x4 b) { return {wasm_f32x4_div(a.v, b.v)}; }
// pmax/pmin are single instructions: pmax(x, y) = x < y ? y : x keeps x on NaN, while maxps(a, b)
// keeps b. Swapping the operands makes every backend return the second operand on NaN or a tie.
inline f32x4 max(f32x4 a, f32x4 b) { return {wasm_f32x4_pmax(b.v, a.v)}; }
inline f32x4 min(f32x4 a, f32x4 b) { return {wasm_f32x4_pmin(b.v, a.v)}; }
inline f32x4 muladd(f32x4 a, f32x4 b, f32x4 c) { return {wasm_f32x4_add(wasm_f32x4_mul(a.v, b.v), c.v)}; }
template <int L> inline f32x4 broadcast_lane(f32x4 a) { return {wasm_i32x4_shuffle(a.v, a.v, L, L, L, L)}; }
inline float lane0(f32x4 a) { return wasm_f32x4_extract_lane(a.v, 0); }
// The lanes' bit patterns as 32-bit integers shifted left by S (for building powers of two).
template <int S> inline f32x4 shift_bits_left(f32x4 a) { return {wasm_i32x4_shl(a.v, S)}; }
#elif defined(WEBCNN_SIMD_SSE2)
constexpr const char* kBackend = "sse2";
struct f32x4 { __m128 v; };
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
template <int L> inline f32x4 broadcast_lane(f32x4 a) { return {_mm_shuffle_ps(a.v, a.v, _MM_SHUFFLE(L, L, L, L))}; }
inline float lane0(f32x4 a) { return _mm_cvtss_f32(a.v); }
template <int S> inline f32x4 shift_bits_left(f32x4 a) { return {_mm_castsi128_ps(_mm_slli_epi32(_mm_castps_si128(a.v), S))}; }
#else
constexpr const char* kBackend = "scalar";
struct f32x4 { float v[4]; };
inline f32x4 load(const float* p) { return {{p[0], p[1], p[2], p[3]}}; }
inline void store(float* p, f32x4 a) { for (int i = 0; i < 4; ++i) p[i] = a.v[i]; }
inline f32x4 splat(float x) { return {{x, x, x, x}}; }
inline f32x4 zero() { return splat(0.0f); }
#define WEBCNN_LANEWISE(name, expr)                      \
  inline f32x4 name(f32x4 a, f32x4 b) {                  \
    f32x4 r;                                             \
    for (int i = 0; i < 4; ++i) r.v[i] = (expr);         \
    return r;                                            \
  }
WEBCNN_LANEWISE(add, a.v[i] + b.v[i])
WEBCNN_LANEWISE(sub, a.v[i] - b.v[i])
WEBCNN_LANEWISE(mul, a.v[i] * b.v[i])
WEBCNN_LANEWISE(div, a.v[i] / b.v[i])
// Same operand order as maxps/pmax: the second operand wins on NaN or equality.
WEBCNN_LANEWISE(max, a.v[i] > b.v[i] ? a.v[i] : b.v[i])
WEBCNN_LANEWISE(min, a.v[i] < b.v[i] ? a.v[i] : b.v[i])
#undef WEBCNN_LANEWISE
// The build passes -ffp-contract=off, so this stays a separate mul and add, as in the SIMD backends.
inline f32x4 muladd(f32x4 a, f32x4 b, f32x4 c) { return add(mul(a, b), c); }
template <int L> inline f32x4 broadcast_lane(f32x4 a) { return splat(a.v[L]); }
inline float lane0(f32x4 a) { return a.v[0]; }
template <int S> inline f32x4 shift_bits_left(f32x4 a) {
  for (float& x : a.v) {
    uint32_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    bits <<= S;
    std::memcpy(&x, &bits, sizeof bits);
  }
  return a;
}
#endif

}  // namespace webcnn::simd
