// What QLinearConv, QGemm and QLinearMatMul read the same way (ops/README.md "Quantized tensors"): scales
// and zero points from constant inputs, per-tensor or per-channel; the 8-bit output range a fused Relu/Clip
// narrows; the requantisation scale per output channel.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/q8_params.h"
#include "kernels/requantize_fp32.h"
#include "ops/fused_activation.h"
#include "ops/kernel.h"
#include "ops/qlinear_params.h"

namespace webcnn::qlinear {

// An 8-bit data input (activations or weights).
Status expect_8bit(const Node& node, const ValueInfo& v, const char* what);

// A constant float32 scale of 1 or `channels` elements (channels 0: exactly one), each finite and > 0.
Result<std::vector<float>> read_scale(const Node& node, const ValueInfo& v, const char* what, int64_t channels);

// A constant zero point of `dtype` (the data's) with 1 or `channels` elements (channels 0: exactly one);
// an absent optional zero point is 0.
Result<std::vector<int32_t>> read_zero_point(const Node& node, const std::vector<ValueInfo>& in, size_t index,
                                             DataType dtype, const char* what, int64_t channels);

// The output's type range narrowed by the node's fused Relu/Clip (other fused activations are refused), as
// quantized_clamp_range (qlinear_params.h) computes it for every 8-bit op.
Result<kernels::Q8Output> output_range(const Node& node, const FusedActivation& act, DataType dtype, float scale,
                                       int32_t zero_point);

// s_in · s_w[c] / s_out for c in [0, channels) (s_w per tensor or per channel), in float32 as XNNPACK and
// ONNX Runtime compute it (kernels::requantization_scale).
std::vector<float> requantization_scales(float in_scale, const std::vector<float>& w_scale, float out_scale,
                                         int64_t channels);

// Element i of an 8-bit tensor as int32.
inline int32_t q8_value(const void* data, size_t i, DataType dtype) {
  return dtype == DataType::kInt8 ? int32_t{static_cast<const int8_t*>(data)[i]}
                                  : int32_t{static_cast<const uint8_t*>(data)[i]};
}

}  // namespace webcnn::qlinear
