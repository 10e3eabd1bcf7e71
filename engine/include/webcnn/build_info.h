// What this build of the engine is, for reports and feature detection (webcnn.features in JS).
#pragma once

namespace webcnn {

// The instruction set of the kernel table in use: "wasm128", "avx2", "sse2" or "scalar" (natively the best the
// CPU supports, or the one the WEBCNN_ISA environment variable names).
const char* simd_backend();

}  // namespace webcnn
