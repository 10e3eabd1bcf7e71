// The f32x4 backend for WebAssembly SIMD128 plus relaxed SIMD (-msimd128 -mrelaxed-simd; compiled into its
// own kernel table of the relaxed module only: a module holding a relaxed opcode does not load on an engine
// without relaxed SIMD, so web/wasm_loader.js picks that module only where WebAssembly.validate accepts
// one). Included through simd/f32x4.h only.
//
// The same operations as f32x4_wasm128.h, plus fmadd as f32x4.relaxed_madd: fused (one rounding) where the
// CPU has FMA (V8 on x86 with FMA3, ARM64), a mul then an add elsewhere; either way within one rounding per
// multiply-add of muladd, so kNativeFma is true and the kernels' results may differ in the last bits.
// muladd stays a mul then an add, bit-identical to every other backend.
#pragma once

#include <wasm_simd128.h>

#include <cstdint>

namespace webcnn::simd::wasm_relaxed {

constexpr const char* kBackend = "wasm_relaxed";
constexpr bool kNativeFma = true;
// Every engine that runs the relaxed module runs relaxed SIMD (the module does not load otherwise).
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
// As in f32x4_wasm128.h: pmax/pmin with swapped operands return the second operand on NaN or a tie.
inline f32x4 max(f32x4 a, f32x4 b) { return {wasm_f32x4_pmax(b.v, a.v)}; }
inline f32x4 min(f32x4 a, f32x4 b) { return {wasm_f32x4_pmin(b.v, a.v)}; }
inline f32x4 muladd(f32x4 a, f32x4 b, f32x4 c) { return {wasm_f32x4_add(wasm_f32x4_mul(a.v, b.v), c.v)}; }
template <int L>
inline f32x4 broadcast_lane(f32x4 a) {
  return {wasm_i32x4_shuffle(a.v, a.v, L, L, L, L)};
}
inline float lane0(f32x4 a) { return wasm_f32x4_extract_lane(a.v, 0); }
template <int S>
inline f32x4 shift_bits_left(f32x4 a) {
  return {wasm_i32x4_shl(a.v, S)};
}
// a * b + c as f32x4.relaxed_madd (clang 16's builtin: its wasm_simd128.h has no name for it yet).
inline f32x4 fmadd(f32x4 a, f32x4 b, f32x4 c) {
  return {reinterpret_cast<v128_t>(__builtin_wasm_relaxed_madd_f32x4(
      reinterpret_cast<__f32x4>(a.v), reinterpret_cast<__f32x4>(b.v), reinterpret_cast<__f32x4>(c.v)))};
}

}  // namespace webcnn::simd::wasm_relaxed
