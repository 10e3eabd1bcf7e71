#include "runtime/conv_inspection.h"

#include <algorithm>

namespace webcnn {

namespace {

bool is_conv(const Node& n) { return n.op == "Conv" || n.op == "QLinearConv"; }

// Where each op keeps its weight tensor and, for QLinearConv, its quantisation
// (x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, [B]).
size_t weight_input(const Node& n) { return n.op == "QLinearConv" ? 3 : 1; }
enum QLinearConvInput : size_t { kWScale = 4, kWZeroPoint = 5, kYScale = 6, kYZeroPoint = 7 };

// The scale and zero point at inputs `scale_at`/`zp_at` of `n` (an absent zero point is 0), one pair or
// one per channel.
Status read_quantisation(const Node& n, size_t scale_at, size_t zp_at, const ConstantInput& constant_input,
                         std::vector<float>& scale, std::vector<int32_t>& zero_point) {
  if (scale_at >= n.inputs.size() || n.inputs[scale_at] == kNoValue)
    return Status::error("layer '" + n.name + "' has no scale");
  WEBCNN_ASSIGN(Tensor s, constant_input(scale_at));
  if (s.dtype() != DataType::kFloat32 || s.size() < 1)
    return Status::error("layer '" + n.name + "': its scale is not a float32 tensor");
  scale.assign(s.data<float>(), s.data<float>() + s.size());
  zero_point.assign(scale.size(), 0);
  if (zp_at >= n.inputs.size() || n.inputs[zp_at] == kNoValue) return Status::ok();
  WEBCNN_ASSIGN(Tensor z, constant_input(zp_at));
  if ((z.dtype() != DataType::kUInt8 && z.dtype() != DataType::kInt8) || z.size() != s.size())
    return Status::error("layer '" + n.name + "': its zero point is not an 8-bit tensor like its scale");
  for (size_t i = 0; i < zero_point.size(); ++i)
    zero_point[i] = z.dtype() == DataType::kInt8 ? int32_t{z.data<int8_t>()[i]} : int32_t{z.data<uint8_t>()[i]};
  return Status::ok();
}

int32_t q8_at(const Tensor& t, size_t i) {
  return t.dtype() == DataType::kInt8 ? int32_t{t.data<int8_t>()[i]} : int32_t{t.data<uint8_t>()[i]};
}

}  // namespace

const Node* find_inspectable_conv(const Graph& g, const std::string& name) {
  for (const Node& n : g.nodes)
    if (is_conv(n) && n.name == name && !n.outputs.empty() && n.outputs[0] != kNoValue) return &n;
  return nullptr;
}

std::vector<ConvLayerInfo> list_conv_layers(const Graph& g) {
  std::vector<ConvLayerInfo> layers;
  for (const Node& n : g.nodes) {
    const size_t w = weight_input(n);
    if (!is_conv(n) || n.inputs.size() <= w || n.inputs[w] == kNoValue || n.outputs.empty()) continue;
    Result<int64_t> group = n.attr_int("group", 1);
    layers.push_back({n.name, g.value(n.inputs[w]).shape, group.is_ok() ? group.value() : 1});
  }
  return layers;
}

Result<Tensor> captured_as_float_nhwc(Tensor t, const Node& conv, const ConstantInput& constant_input) {
  if (t.dtype() == DataType::kUInt8 || t.dtype() == DataType::kInt8) {
    std::vector<float> scale;
    std::vector<int32_t> zero_point;
    WEBCNN_TRY(read_quantisation(conv, kYScale, kYZeroPoint, constant_input, scale, zero_point));
    Tensor real(DataType::kFloat32, t.shape());
    float* dst = real.data<float>();
    for (size_t i = 0; i < static_cast<size_t>(t.size()); ++i)
      dst[i] = scale[0] * static_cast<float>(q8_at(t, i) - zero_point[0]);
    t = std::move(real);
  }
  Result<std::string> layout = conv.attr_string("layout", "NCHW");
  if (t.rank() != 4 || t.dtype() != DataType::kFloat32 || !layout.is_ok() || layout.value() != "NCHW") return t;
  const int64_t n = t.shape()[0], c = t.shape()[1], h = t.shape()[2], w = t.shape()[3];
  Tensor out(DataType::kFloat32, {n, h, w, c});
  const float* src = t.data<float>();
  float* dst = out.data<float>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t p = 0; p < h * w; ++p) dst[(b * h * w + p) * c + ch] = src[(b * c + ch) * h * w + p];
  return out;
}

Result<Tensor> conv_weights_as_float(const Node& conv, const ConstantInput& constant_input) {
  WEBCNN_ASSIGN(Tensor w, constant_input(weight_input(conv)));
  if (conv.op == "Conv") return w;
  if ((w.dtype() != DataType::kUInt8 && w.dtype() != DataType::kInt8) || w.rank() != 4)
    return Status::error("convolution '" + conv.name + "' has no 8-bit [O, I, kH, kW] weights");
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
  WEBCNN_TRY(read_quantisation(conv, kWScale, kWZeroPoint, constant_input, scale, zero_point));
  const int64_t out_c = w.shape()[0];
  if (scale.size() != 1 && static_cast<int64_t>(scale.size()) != out_c)
    return Status::error("convolution '" + conv.name + "': " + std::to_string(scale.size()) + " weight scales for " +
                         std::to_string(out_c) + " output channels");
  Tensor real(DataType::kFloat32, w.shape());
  const size_t per_channel = static_cast<size_t>(w.size() / std::max<int64_t>(out_c, 1));
  for (size_t i = 0; i < static_cast<size_t>(w.size()); ++i) {
    const size_t c = scale.size() == 1 ? 0 : i / per_channel;
    real.data<float>()[i] = scale[c] * static_cast<float>(q8_at(w, i) - zero_point[c]);
  }
  return real;
}

}  // namespace webcnn
