// The f32x4 backend for x86 AVX2 + FMA (compiled with -mavx2 -mfma into its own kernel table; chosen only
// on a CPU that has both). Included through simd/f32x4.h only.
//
// The same 4-lane operations as f32x4_sse2.h (VEX-encoded), plus a native fused multiply-add: fmadd is one
// vfmadd (one rounding, kNativeFma true), so kernels that call it differ from the other tables in the last
// bits. muladd stays a mul then an add, bit-identical to every other backend. Kernels of this ISA may also
// use 8-lane __m256 code of their own (gemm_tile_f32x8_avx2.h).
//
// Why the SSE2 operations are repeated here rather than borrowed with `using sse2::load` and so on: inline
// functions are merged across translation units by the linker, and the copies compiled in this table's
// -mavx2 objects are VEX-encoded. Borrowed names would be one symbol for both tables, and the linker may
// keep the AVX copy, which the SSE2 table would then run on a CPU without AVX. Own namespace, own symbols.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace webcnn::simd::avx2 {

constexpr const char* kBackend = "avx2";
constexpr bool kNativeFma = true;
// Checked once, when the kernel table is chosen: the rest of the program runs on any x86-64 CPU.
inline bool supported() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
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
// a * b + c with one rounding.
inline f32x4 fmadd(f32x4 a, f32x4 b, f32x4 c) { return {_mm_fmadd_ps(a.v, b.v, c.v)}; }

}  // namespace webcnn::simd::avx2
