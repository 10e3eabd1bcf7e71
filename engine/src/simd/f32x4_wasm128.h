// The f32x4 backend for WebAssembly SIMD128 (-msimd128). Included through simd/f32x4.h only.
//
// Base SIMD128 has no fused multiply-add: fmadd is a mul then an add, like muladd (kNativeFma false).
#pragma once

#include <wasm_simd128.h>

#include <cstdint>

namespace webcnn::simd::wasm128 {

constexpr const char* kBackend = "wasm128";
constexpr bool kNativeFma = false;
// Every engine that runs the module runs SIMD128 (the module does not load otherwise).
inline bool supported() { return true; }
struct f32x4 {
  v128_t v;
};
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
template <int L>
inline f32x4 broadcast_lane(f32x4 a) {
  return {wasm_i32x4_shuffle(a.v, a.v, L, L, L, L)};
}
inline float lane0(f32x4 a) { return wasm_f32x4_extract_lane(a.v, 0); }
// The lanes' bit patterns as 32-bit integers shifted left by S (for building powers of two).
template <int S>
inline f32x4 shift_bits_left(f32x4 a) {
  return {wasm_i32x4_shl(a.v, S)};
}
// a * b + c, fused (one rounding) where kNativeFma; here a mul then an add, the same as muladd.
inline f32x4 fmadd(f32x4 a, f32x4 b, f32x4 c) { return muladd(a, b, c); }

}  // namespace webcnn::simd::wasm128
