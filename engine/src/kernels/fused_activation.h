// The activations that Conv/Gemm/MatMul can apply as they store results (see ops/README.md): what they
// compute, in scalar form, and on whole rows through the active kernel table. Parsing one from a node's
// attributes is ops' job (ops/fused_activation.h).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace webcnn {

// glibc's tanhf and expm1f take ~50 ns an element; its exp (double) is ~10x faster and exact
// enough to build both from. Measured over all of [-10, 10] in 1e-5 steps and tiny magnitudes:
// tanh_float is within 0.51 ulp of the true tanh.
inline float tanh_float(float x) {
  const float a = std::fabs(x);
  if (a < 1e-3f) return x - x * x * x / 3.0f;  // the series: next term 2x^5/15 is below half an ulp
  if (!(a < 9.0f)) return std::isnan(x) ? x : std::copysign(1.0f, x);  // tanh(9) rounds to 1
  const double e = std::exp(2.0 * static_cast<double>(a));
  return std::copysign(static_cast<float>((e - 1.0) / (e + 1.0)), x);
}

struct FusedActivation {
  enum class Kind { kNone, kRelu, kClip, kLeakyRelu, kSigmoid, kHardSwish, kHardSigmoid, kTanh };
  Kind kind = Kind::kNone;
  float min = -INFINITY, max = INFINITY;  // Clip (Relu is Clip(0, inf) for the vector path)
  float alpha = 0.01f, beta = 0.5f;

  bool is_clamp() const { return kind == Kind::kNone || kind == Kind::kRelu || kind == Kind::kClip; }

  float apply(float x) const {
    switch (kind) {
      case Kind::kNone: return x;
      case Kind::kRelu: return x > 0 ? x : 0;
      case Kind::kClip: return std::min(std::max(x, min), max);
      case Kind::kLeakyRelu: return x >= 0 ? x : alpha * x;
      case Kind::kSigmoid: return 1.0f / (1.0f + std::exp(-x));
      case Kind::kHardSwish: return x * std::min(std::max(x / 6.0f + 0.5f, 0.0f), 1.0f);
      case Kind::kHardSigmoid: return std::min(std::max(alpha * x + beta, 0.0f), 1.0f);
      case Kind::kTanh: return tanh_float(x);
    }
    return x;
  }

  // Applies to n floats in place: clamps on the vector path, the rest per element
  // (kernels/f32_fused_activation.cc, through the active kernel table).
  void apply_inplace(float* p, size_t n) const;

  // p[i] = act(p[i] + r[i]): a residual (skip connection) added before the activation.
  void add_then_apply(float* p, const float* r, size_t n) const;
};

}  // namespace webcnn
