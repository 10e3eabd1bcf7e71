// What this build of the engine is, for reports and feature detection (webcnn.features in JS).
#pragma once

namespace webcnn {

// The vector instruction set the kernels run on: "wasm128", "sse2" or "scalar".
const char* simd_backend();

}  // namespace webcnn
