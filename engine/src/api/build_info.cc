#include "webcnn/build_info.h"

#include "kernels/kernel_table.h"

namespace webcnn {

const char* simd_backend() { return kernels::active().isa; }

}  // namespace webcnn
