#include "kernels/fused_activation.h"

#include "kernels/kernel_table.h"

namespace webcnn {

void FusedActivation::apply_inplace(float* p, size_t n) const { kernels::active().f32_fused_apply(*this, p, n); }

void FusedActivation::add_then_apply(float* p, const float* r, size_t n) const {
  kernels::active().f32_fused_add_apply(*this, p, r, n);
}

}  // namespace webcnn
