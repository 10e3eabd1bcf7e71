#include "webcnn/build_info.h"

#include "simd/f32x4.h"

namespace webcnn {

const char* simd_backend() { return simd::kBackend; }

}  // namespace webcnn
