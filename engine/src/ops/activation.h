// Standalone activation ops (activation.cc): Relu, LeakyRelu, PRelu, Clip, Sigmoid, Tanh,
// HardSigmoid, HardSwish, Elu, Selu, Celu, ThresholdedRelu, Softplus, Softsign. ONNX opset-18 semantics; Clip takes
// min/max as optional scalar inputs (absent = unbounded). Float32 throughout; Relu and Clip also take int32/int64.
//
// The ops shared with the fused store (kernels/fused_activation.h) compute with the same formulas, so
// fusing an activation into Conv/Gemm never changes a result bit; one exception: Relu passes NaN
// through (ONNX's max(0, x) does), where the fused Relu maps it to 0. Tanh uses tanh_float
// (kernels/fused_activation.h), as the fused store does.
#pragma once

#include <cmath>
#include <vector>

#include "graph/graph.h"
#include "kernels/fused_activation.h"  // tanh_float
#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn {

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
