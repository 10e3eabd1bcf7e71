// Standalone activation ops (activation.cc): Relu, LeakyRelu, PRelu, Clip, Sigmoid, Tanh,
// HardSigmoid, HardSwish, Elu, Selu, Celu, ThresholdedRelu, Softplus, Softsign. ONNX opset-18 semantics; Clip takes min/max as optional scalar inputs
// (absent = unbounded). Float32 throughout; Relu and Clip also take int32/int64.
//
// The ops shared with the fused store (ops/fused_activation.h) compute with the same formulas, so
// fusing an activation into Conv/Gemm never changes a result bit; one exception: Relu passes NaN
// through (ONNX's max(0, x) does), where the fused Relu maps it to 0; and Tanh uses tanh_float below
// (the fused store calls std::tanh).
#pragma once

#include <cmath>
#include <vector>

#include "graph/graph.h"
#include "webcnn/status.h"
#include "webcnn/tensor.h"

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

// e^x - 1 without the cancellation near 0 (double exp: the subtraction loses < 1e-11 relative).
inline float expm1_float(float x) {
  if (std::fabs(x) < 1e-5f) return x + 0.5f * x * x;
  return static_cast<float>(std::exp(static_cast<double>(x)) - 1.0);
}

}  // namespace webcnn

namespace webcnn::reference {

// Naive per-element activations, computed in double from the ONNX definitions. `node` gives the op
// and attributes; inputs are X and, for PRelu the slope, for Clip min and max (nullptr = absent).
Result<Tensor> activation(const Node& node, const std::vector<const Tensor*>& inputs);

}  // namespace webcnn::reference
