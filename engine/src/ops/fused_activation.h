// The activations that Conv/Gemm/MatMul can apply as they store results, read from node attributes
// (see README.md). One implementation, scalar and f32x4, used by every kernel and by the tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>

#include "graph/graph.h"
#include "ops/activation.h"
#include "simd/f32x4.h"

namespace webcnn {

struct FusedActivation {
  enum class Kind { kNone, kRelu, kClip, kLeakyRelu, kSigmoid, kHardSwish, kHardSigmoid, kTanh };
  Kind kind = Kind::kNone;
  float min = -INFINITY, max = INFINITY;  // Clip (Relu is Clip(0, inf) for the vector path)
  float alpha = 0.01f, beta = 0.5f;

  static Result<FusedActivation> from_node(const Node& node) {
    FusedActivation a;
    WEBCNN_ASSIGN(std::string k, node.attr_string("fused_activation", ""));
    if (k.empty()) return a;
    if (k == "Relu") { a.kind = Kind::kRelu; a.min = 0; }
    else if (k == "Clip") {
      a.kind = Kind::kClip;
      WEBCNN_ASSIGN(a.min, node.attr_float("fused_min", -INFINITY));
      WEBCNN_ASSIGN(a.max, node.attr_float("fused_max", INFINITY));
    } else if (k == "LeakyRelu") { a.kind = Kind::kLeakyRelu; WEBCNN_ASSIGN(a.alpha, node.attr_float("fused_alpha", 0.01f)); }
    else if (k == "Sigmoid") a.kind = Kind::kSigmoid;
    else if (k == "HardSwish") a.kind = Kind::kHardSwish;
    else if (k == "HardSigmoid") {
      a.kind = Kind::kHardSigmoid;
      WEBCNN_ASSIGN(a.alpha, node.attr_float("fused_alpha", 0.2f));
      WEBCNN_ASSIGN(a.beta, node.attr_float("fused_beta", 0.5f));
    } else if (k == "Tanh") a.kind = Kind::kTanh;
    else return node.error("unknown fused_activation '" + k + "'");
    return a;
  }

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

  // Applies to n floats in place: clamps on the vector path, the rest per element.
  void apply_inplace(float* p, size_t n) const {
    if (kind == Kind::kNone) return;
    if (is_clamp()) {
      simd::f32x4 lo = simd::splat(min), hi = simd::splat(max);
      size_t i = 0;
      for (; i + 4 <= n; i += 4) simd::store(p + i, simd::min(simd::max(simd::load(p + i), lo), hi));
      for (; i < n; ++i) p[i] = std::min(std::max(p[i], min), max);
      return;
    }
    for (size_t i = 0; i < n; ++i) p[i] = apply(p[i]);
  }

  // p[i] = act(p[i] + r[i]): a residual (skip connection) added before the activation.
  void add_then_apply(float* p, const float* r, size_t n) const {
    size_t i = 0;
    if (is_clamp()) {
      simd::f32x4 lo = simd::splat(min), hi = simd::splat(max);
      for (; i + 4 <= n; i += 4)
        simd::store(p + i, simd::min(simd::max(simd::add(simd::load(p + i), simd::load(r + i)), lo), hi));
      for (; i < n; ++i) p[i] = std::min(std::max(p[i] + r[i], min), max);
      return;
    }
    for (; i + 4 <= n; i += 4) simd::store(p + i, simd::add(simd::load(p + i), simd::load(r + i)));
    for (; i < n; ++i) p[i] += r[i];
    apply_inplace(p, n);
  }
};

}  // namespace webcnn
