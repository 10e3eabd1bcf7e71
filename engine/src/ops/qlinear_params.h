// The scale / zero point inputs of the quantized ops (README.md "Quantized tensors"): checks at prepare,
// reads at run, and the output clamp a fused Relu/Clip becomes in quantised units.
//
// Scales and zero points are read from the kernel's inputs at run time (a few scalars), so an op works
// whether they are initializers or graph inputs (ONNX's conformance cases feed them as inputs); kernels
// cache what they derive from them (multipliers, lookup tables) and rebuild it only when they change.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/fused_activation.h"
#include "ops/kernel.h"

namespace webcnn {

inline bool is_8bit(DataType t) { return t == DataType::kUInt8 || t == DataType::kInt8; }
inline int32_t quant_min(DataType t) { return t == DataType::kInt8 ? -128 : 0; }
inline int32_t quant_max(DataType t) { return t == DataType::kInt8 ? 127 : 255; }

// One tensor's quantisation as an op sees it: a single scale and zero point.
struct ScalarQuant {
  float scale = 1;
  int32_t zero_point = 0;
  bool operator==(const ScalarQuant& o) const { return scale == o.scale && zero_point == o.zero_point; }
  bool operator!=(const ScalarQuant& o) const { return !(*this == o); }
};

// Checks input `scale_index` (a float32 scalar or one-element tensor) and, when present, input `zp_index`
// (a one-element tensor of `data_dtype`, the 8-bit type of the data it describes). `what` names the data
// ("A", "x", ...). A missing zero point means 0.
Status check_scalar_quant_inputs(const Node& node, const std::vector<ValueInfo>& in, size_t scale_index,
                                 size_t zp_index, DataType data_dtype, const char* what);

// The inputs of the unary 8-bit ops (X, X_scale, [X_zero_point], Y_scale, [Y_zero_point]): four or five,
// X uint8 or int8, both scale / zero point pairs as check_scalar_quant_inputs says. Returns Y's type: X's
// when `same_type` (Y's zero point must then be of X's type), else Y_zero_point's (uint8 when absent).
Result<DataType> check_unary_quant_inputs(const Node& node, const std::vector<ValueInfo>& in, bool same_type);

// The dtype an optional zero point input gives the output, else `fallback`.
inline DataType zero_point_dtype(const std::vector<ValueInfo>& in, size_t zp_index, DataType fallback) {
  return in.size() > zp_index && in[zp_index].present ? in[zp_index].dtype : fallback;
}

// Reads a scalar scale / zero point pair at run time (an absent zero point view reads as 0).
ScalarQuant read_scalar_quant(const KernelIO& io, size_t scale_index, size_t zp_index);

// The node's `fused_activation` (absent, Relu or Clip; others are refused: an 8-bit op clamps only).
Result<FusedActivation> read_quantized_fused_clamp(const Node& node);

// The output range [lo, hi] in quantised units: the type's range narrowed by a Relu/Clip, each bound
// quantised as TFLite's CalculateActivationRangeQuantized does (zero point + round(bound / scale),
// rounding half away from zero).
void quantized_clamp_range(const FusedActivation& act, DataType out, ScalarQuant q, int32_t& lo, int32_t& hi);

// Saturates a real-valued integer to the type's range (NaN to `nan_value`).
int32_t saturate_to(DataType t, float v, int32_t nan_value);

}  // namespace webcnn
