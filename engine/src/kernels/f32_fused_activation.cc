// FusedActivation on rows (kernels/fused_activation.h): clamps (None, Relu, Clip) on f32x4, the others
// per element with FusedActivation::apply.
#include <algorithm>

#include "kernels/isa_kernels.h"

namespace webcnn::kernels::WEBCNN_ISA {

using namespace simd;

void f32_fused_apply(const FusedActivation& act, float* p, size_t n) {
  if (act.kind == FusedActivation::Kind::kNone) return;
  if (act.is_clamp()) {
    const f32x4 lo = splat(act.min), hi = splat(act.max);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) store(p + i, min(max(load(p + i), lo), hi));
    for (; i < n; ++i) p[i] = std::min(std::max(p[i], act.min), act.max);
    return;
  }
  for (size_t i = 0; i < n; ++i) p[i] = act.apply(p[i]);
}

void f32_fused_add_apply(const FusedActivation& act, float* p, const float* r, size_t n) {
  size_t i = 0;
  if (act.is_clamp()) {
    const f32x4 lo = splat(act.min), hi = splat(act.max);
    for (; i + 4 <= n; i += 4) store(p + i, min(max(add(load(p + i), load(r + i)), lo), hi));
    for (; i < n; ++i) p[i] = std::min(std::max(p[i] + r[i], act.min), act.max);
    return;
  }
  for (; i + 4 <= n; i += 4) store(p + i, add(load(p + i), load(r + i)));
  for (; i < n; ++i) p[i] += r[i];
  f32_fused_apply(act, p, n);
}

}  // namespace webcnn::kernels::WEBCNN_ISA
