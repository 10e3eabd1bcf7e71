#include "ops/qlinear_params.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "ops/fused_activation.h"

namespace webcnn {

Status check_scalar_quant_inputs(const Node& node, const std::vector<ValueInfo>& in, size_t scale_index,
                                 size_t zp_index, DataType data_dtype, const char* what) {
  const std::string w(what);
  if (in.size() <= scale_index || !in[scale_index].present) return node.error(w + "'s scale input is required");
  const ValueInfo& s = in[scale_index];
  if (s.dtype != DataType::kFloat32) return node.error(w + "'s scale must be float32, got " + dtype_name(s.dtype));
  if (num_elements(s.shape) != 1)
    return node.error(w + "'s scale must have one element, got shape " + shape_to_string(s.shape));
  if (in.size() > zp_index && in[zp_index].present) {
    const ValueInfo& z = in[zp_index];
    if (z.dtype != data_dtype)
      return node.error(w + "'s zero point must be " + dtype_name(data_dtype) + " like " + w + ", got " +
                        dtype_name(z.dtype));
    if (num_elements(z.shape) != 1)
      return node.error(w + "'s zero point must have one element, got shape " + shape_to_string(z.shape));
  }
  return Status::ok();
}

Result<DataType> check_unary_quant_inputs(const Node& node, const std::vector<ValueInfo>& in, bool same_type) {
  if (in.size() < 4 || in.size() > 5)
    return node.error("expects 4 or 5 inputs (X, X_scale, X_zero_point, Y_scale, Y_zero_point), got " +
                      std::to_string(in.size()));
  for (size_t i : {0, 1, 3})
    if (!in[i].present) return node.error("required input " + std::to_string(i) + " is empty");
  const DataType x = in[0].dtype;
  if (!is_8bit(x)) return node.error("X must be uint8 or int8, got " + std::string(dtype_name(x)));
  const DataType y = same_type ? x : zero_point_dtype(in, 4, DataType::kUInt8);
  if (!is_8bit(y)) return node.error("Y_zero_point must be uint8 or int8, got " + std::string(dtype_name(y)));
  WEBCNN_TRY(check_scalar_quant_inputs(node, in, 1, 2, x, "X"));
  WEBCNN_TRY(check_scalar_quant_inputs(node, in, 3, 4, y, "Y"));
  return y;
}

ScalarQuant read_scalar_quant(const KernelIO& io, size_t scale_index, size_t zp_index) {
  ScalarQuant q;
  q.scale = io.in[scale_index].as<const float>()[0];
  if (static_cast<int>(zp_index) < io.num_in && io.in[zp_index].data) {
    const TensorView& z = io.in[zp_index];
    q.zero_point = z.dtype == DataType::kInt8 ? z.as<const int8_t>()[0] : z.as<const uint8_t>()[0];
  }
  return q;
}

Result<FusedActivation> read_quantized_fused_clamp(const Node& node) {
  WEBCNN_ASSIGN(FusedActivation act, fused_activation_from_node(node));
  if (!act.is_clamp())
    return node.error("an 8-bit op fuses only Relu or Clip, got fused_activation '" +
                      node.attr_string("fused_activation", "").value() + "'");
  return act;
}

int32_t saturate_to(DataType t, float v, int32_t nan_value) {
  if (std::isnan(v)) return nan_value;
  const float lo = static_cast<float>(quant_min(t)), hi = static_cast<float>(quant_max(t));
  return static_cast<int32_t>(std::min(std::max(v, lo), hi));
}

void quantized_clamp_range(const FusedActivation& act, DataType out, ScalarQuant q, int32_t& lo, int32_t& hi) {
  lo = quant_min(out);
  hi = quant_max(out);
  auto quantize = [&](float bound) {
    const float v = static_cast<float>(q.zero_point) + std::round(bound / q.scale);
    return saturate_to(out, v, q.zero_point);
  };
  if (act.kind == FusedActivation::Kind::kRelu) {
    lo = std::max(lo, quantize(0.0f));
  } else if (act.kind == FusedActivation::Kind::kClip) {
    if (std::isfinite(act.min)) lo = std::max(lo, quantize(act.min));
    if (std::isfinite(act.max)) hi = std::min(hi, quantize(act.max));
  }
  if (lo > hi) lo = hi;  // a Clip with min > max: everything becomes max, as the float Clip does
}

}  // namespace webcnn
