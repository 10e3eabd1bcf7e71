// 8-bit image inputs of quantised models: preprocessing defaults that reproduce the pixels a TFLite
// image model was trained on, and the real → 8-bit step after the float preprocessing (image.h).
#include <cmath>
#include <string>

#include "webcnn/image.h"

namespace webcnn {
namespace {

Status expect_8bit(DataType dtype, const QuantParams& quant, const char* what) {
  if (dtype != DataType::kUInt8 && dtype != DataType::kInt8)
    return Status::error(std::string(what) + ": the tensor is " + dtype_name(dtype) + ", not uint8 or int8");
  if (quant.scale.size() != 1 || quant.zero_point.size() != 1)
    return Status::error(std::string(what) + ": needs one scale and one zero point, the tensor has " +
                         std::to_string(quant.scale.size()) + " and " + std::to_string(quant.zero_point.size()));
  if (!(quant.scale[0] > 0) || !std::isfinite(quant.scale[0]))
    return Status::error(std::string(what) + ": the tensor's scale " + std::to_string(quant.scale[0]) +
                         " is not a positive finite number");
  return Status::ok();
}

}  // namespace

Result<PreprocessOptions> quantized_image_defaults(PreprocessOptions base, DataType dtype, const QuantParams& quant) {
  WEBCNN_TRY(expect_8bit(dtype, quant, "quantised image input"));
  const float zero = static_cast<float>(quant.zero_point[0]) + (dtype == DataType::kInt8 ? 128.0f : 0.0f);
  base.scale = 1.0f;
  base.mean = {zero, zero, zero};
  const float inv = 1.0f / quant.scale[0];
  base.std = {inv, inv, inv};
  return base;
}

Status quantize_real_into(const float* real, size_t n, DataType dtype, const QuantParams& quant, void* out) {
  WEBCNN_TRY(expect_8bit(dtype, quant, "quantising"));
  const float inv_scale = 1.0f / quant.scale[0];
  const float zero = static_cast<float>(quant.zero_point[0]);
  const float lo = dtype == DataType::kUInt8 ? 0.0f : -128.0f, hi = dtype == DataType::kUInt8 ? 255.0f : 127.0f;
  for (size_t i = 0; i < n; ++i) {
    // nearbyint rounds half to even in the default rounding mode; NaN becomes the zero point.
    float q = std::isnan(real[i]) ? zero : std::nearbyint(real[i] * inv_scale) + zero;
    q = q < lo ? lo : (q > hi ? hi : q);
    if (dtype == DataType::kUInt8) static_cast<uint8_t*>(out)[i] = static_cast<uint8_t>(q);
    else static_cast<int8_t*>(out)[i] = static_cast<int8_t>(q);
  }
  return Status::ok();
}

bool is_quantized_probability(DataType dtype, const QuantParams& quant) {
  if ((dtype != DataType::kUInt8 && dtype != DataType::kInt8) || quant.scale.size() != 1 ||
      quant.zero_point.size() != 1)
    return false;
  const int32_t type_min = dtype == DataType::kUInt8 ? 0 : -128;
  return quant.zero_point[0] == type_min && std::fabs(quant.scale[0] * 256.0f - 1.0f) < 1e-6f;
}

Result<std::vector<float>> dequantized_values(const Tensor& t, const QuantParams& quant) {
  if (t.dtype() != DataType::kUInt8 && t.dtype() != DataType::kInt8) return t.to_float_vector();
  if (quant.empty()) return Status::error("dequantising: the 8-bit tensor has no scale and zero point");
  if (quant.zero_point.size() != quant.scale.size())
    return Status::error("dequantising: " + std::to_string(quant.scale.size()) + " scales but " +
                         std::to_string(quant.zero_point.size()) + " zero points");
  const size_t n = static_cast<size_t>(t.size());
  std::vector<float> v(n);
  // Per channel: the index along `axis` is (i / inner) % channels for row-major storage.
  size_t channels = 1, inner = 1;
  if (quant.per_channel()) {
    if (quant.axis < 0 || quant.axis >= t.rank() ||
        t.shape()[static_cast<size_t>(quant.axis)] != static_cast<int64_t>(quant.scale.size()))
      return Status::error("dequantising: " + std::to_string(quant.scale.size()) + " scales along axis " +
                           std::to_string(quant.axis) + " of a tensor of shape " + shape_to_string(t.shape()));
    channels = quant.scale.size();
    for (size_t d = static_cast<size_t>(quant.axis) + 1; d < t.shape().size(); ++d)
      inner *= static_cast<size_t>(t.shape()[d]);
  }
  for (size_t i = 0; i < n; ++i) {
    const size_t c = channels == 1 ? 0 : (i / inner) % channels;
    const int32_t q = t.dtype() == DataType::kUInt8 ? t.data<uint8_t>()[i] : t.data<int8_t>()[i];
    v[i] = quant.scale[c] * static_cast<float>(q - quant.zero_point[c]);
  }
  return v;
}

}  // namespace webcnn
