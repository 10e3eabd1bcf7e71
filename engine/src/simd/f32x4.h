// The vector abstraction: 4 float lanes, written once, compiled for one backend per instruction set:
//   f32x4_wasm128.h  WebAssembly SIMD128      f32x4_sse2.h  x86 SSE2      f32x4_scalar.h  plain C++
//   f32x4_avx2.h     x86 AVX2 + FMA (only when WEBCNN_ISA_AVX2 is defined: never the default)
//   f32x4_wasm_relaxed.h  WebAssembly SIMD128 + relaxed SIMD's f32x4.relaxed_madd (only when
//                    WEBCNN_ISA_WASM_RELAXED is defined: the relaxed module's kernels, cmake/wasm.cmake)
// Each backend lives in its own namespace (webcnn::simd::<isa>) and names itself (kBackend), so several
// can be compiled into one program without clashing: kernels are compiled once per instruction set
// (cmake/kernel_isas.cmake, kernels/kernel_table.h) with WEBCNN_ISA_<NAME> defined. Without one, the
// platform's default backend is chosen (wasm128, sse2, else scalar).
//
// Every backend offers:
//   load store splat zero add sub mul div max min broadcast_lane<L> lane0 shift_bits_left<S>
//   muladd(a, b, c)  a * b + c as a mul then an add (two roundings) on every backend, so results are
//                    bit-identical across backends; the kernels use it.
//   fmadd(a, b, c)   a * b + c, fused (one rounding) where the backend's kNativeFma is true, else the same
//                    as muladd. Kernels that use it differ from the reference in the last bits.
//   kBackend, kNativeFma, supported() (can this CPU run it; checked once when the kernel table is chosen)
// max/min return their second operand when either is NaN or both are equal, on every backend.
//
// After including this header, `simd::` names the chosen backend and WEBCNN_ISA is its namespace name.
#pragma once

#if !defined(WEBCNN_ISA_SCALAR) && !defined(WEBCNN_ISA_SSE2) && !defined(WEBCNN_ISA_AVX2) && \
    !defined(WEBCNN_ISA_WASM128) && !defined(WEBCNN_ISA_WASM_RELAXED)
#if defined(__wasm_simd128__)
#define WEBCNN_ISA_WASM128 1
#elif defined(__SSE2__) || defined(_M_X64)
#define WEBCNN_ISA_SSE2 1
#else
#define WEBCNN_ISA_SCALAR 1
#endif
#endif

#if defined(WEBCNN_ISA_WASM128)
#include "simd/f32x4_wasm128.h"
#define WEBCNN_ISA wasm128
#elif defined(WEBCNN_ISA_WASM_RELAXED)
#include "simd/f32x4_wasm_relaxed.h"
#define WEBCNN_ISA wasm_relaxed
#elif defined(WEBCNN_ISA_SSE2)
#include "simd/f32x4_sse2.h"
#define WEBCNN_ISA sse2
#elif defined(WEBCNN_ISA_AVX2)
#include "simd/f32x4_avx2.h"
#define WEBCNN_ISA avx2
#else
#include "simd/f32x4_scalar.h"
#define WEBCNN_ISA scalar
#endif

namespace webcnn::simd {
using namespace WEBCNN_ISA;
}  // namespace webcnn::simd
