#include "ops/qlinear_conv_params.h"

#include <algorithm>
#include <cmath>

namespace webcnn::qlinear {

Status expect_8bit(const Node& node, const ValueInfo& v, const char* what) {
  if (!v.present || !is_8bit(v.dtype))
    return node.error(std::string(what) + " must be uint8 or int8, got " + (v.present ? dtype_name(v.dtype) : "none"));
  return Status::ok();
}

namespace {
Status expect_count(const Node& node, const ValueInfo& v, const char* what, int64_t channels) {
  const int64_t n = num_elements(v.shape);
  if (n == 1 || (channels > 0 && n == channels && v.shape.size() == 1)) return Status::ok();
  return node.error(std::string(what) + " " + shape_to_string(v.shape) + " must have one element" +
                    (channels > 0 ? " or one per output channel (" + std::to_string(channels) + ")" : std::string()));
}
}  // namespace

Result<std::vector<float>> read_scale(const Node& node, const ValueInfo& v, const char* what, int64_t channels) {
  if (!v.present || v.dtype != DataType::kFloat32) return node.error(std::string(what) + " must be a float32 tensor");
  if (!v.constant)
    return node.error(std::string("unsupported: ") + what + " computed at run time (8-bit kernels fix it at load)");
  WEBCNN_TRY(expect_count(node, v, what, channels));
  std::vector<float> s = v.constant->to_float_vector();
  for (float x : s)
    if (!(x > 0) || !std::isfinite(x)) return node.error(std::string(what) + " must be positive and finite");
  return s;
}

Result<std::vector<int32_t>> read_zero_point(const Node& node, const std::vector<ValueInfo>& in, size_t index,
                                             DataType dtype, const char* what, int64_t channels) {
  if (index >= in.size() || !in[index].present) return std::vector<int32_t>{0};
  const ValueInfo& v = in[index];
  if (v.dtype != dtype) return node.error(std::string(what) + " must be " + dtype_name(dtype) + " (its data's type)");
  if (!v.constant)
    return node.error(std::string("unsupported: ") + what + " computed at run time (8-bit kernels fix it at load)");
  WEBCNN_TRY(expect_count(node, v, what, channels));
  std::vector<int32_t> zp(static_cast<size_t>(v.constant->size()));
  for (size_t i = 0; i < zp.size(); ++i) zp[i] = q8_value(v.constant->raw(), i, dtype);
  return zp;
}

Result<kernels::Q8Output> output_range(const Node& node, const FusedActivation& act, DataType dtype, float scale,
                                       int32_t zero_point) {
  if (act.kind != FusedActivation::Kind::kNone && act.kind != FusedActivation::Kind::kRelu &&
      act.kind != FusedActivation::Kind::kClip)
    return node.error("an 8-bit output takes only a Relu or Clip fused activation");
  kernels::Q8Output out;
  out.is_signed = dtype == DataType::kInt8;
  out.zero_point = zero_point;
  quantized_clamp_range(act, dtype, ScalarQuant{scale, zero_point}, out.qmin, out.qmax);
  return out;
}

std::vector<float> requantization_scales(float in_scale, const std::vector<float>& w_scale, float out_scale,
                                         int64_t channels) {
  std::vector<float> s(static_cast<size_t>(channels));
  for (size_t c = 0; c < s.size(); ++c)
    s[c] = kernels::requantization_scale(in_scale, w_scale.size() == 1 ? w_scale[0] : w_scale[c], out_scale);
  return s;
}

}  // namespace webcnn::qlinear
