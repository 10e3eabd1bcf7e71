#include "import/tfjs/layers_model_layers.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <limits>
#include <utility>

#include "graph/constants.h"
namespace webcnn {
namespace tfjs {
namespace keras {

namespace {

using Attrs = std::map<std::string, Attribute>;

// Typed readers of a layer's config; a JSON null counts as absent (Keras writes "strides": null, ...).
class Config {
 public:
  explicit Config(const Layer& l) : l_(l) {}

  const json::Value* find(const std::string& key) const {
    const json::Value* v = l_.config->find(key);
    return v && !v->is_null() ? v : nullptr;
  }
  Status error(const std::string& what) const { return l_.error(what); }

  Result<double> number(const std::string& key, double def) const {
    const json::Value* v = find(key);
    if (!v) return def;
    if (!v->is_number()) return error("config '" + key + "' should be a number");
    return v->as_number();
  }
  Result<int64_t> integer(const std::string& key, int64_t def) const {
    const json::Value* v = find(key);
    if (!v) return def;
    return as_int(*v, key);
  }
  Result<int64_t> positive(const std::string& key) const {
    if (!find(key)) return error("config '" + key + "' is missing");
    WEBCNN_ASSIGN(int64_t n, integer(key, 0));
    if (n < 1) return error("config '" + key + "' must be positive");
    return n;
  }
  Result<bool> boolean(const std::string& key, bool def) const {
    const json::Value* v = find(key);
    if (!v) return def;
    if (!v->is_bool()) return error("config '" + key + "' should be true or false");
    return v->as_bool();
  }
  Result<std::string> string(const std::string& key, const std::string& def) const {
    const json::Value* v = find(key);
    if (!v) return def;
    if (!v->is_string()) return error("config '" + key + "' should be a string");
    return v->as_string();
  }
  Result<std::vector<int64_t>> ints(const std::string& key) const {
    const json::Value* v = find(key);
    std::vector<int64_t> out;
    if (!v) return out;
    if (!v->is_array()) return error("config '" + key + "' should be a list of integers");
    for (const json::Value& item : v->items()) {
      WEBCNN_ASSIGN(int64_t n, as_int(item, key));
      out.push_back(n);
    }
    return out;
  }
  // Keras' "n or (h, w)" spatial arguments, each at least 1; `def` when absent.
  Result<std::vector<int64_t>> pair(const std::string& key, std::vector<int64_t> def) const {
    const json::Value* v = find(key);
    if (!v) {
      if (def.empty()) return error("config '" + key + "' is missing");
      return def;
    }
    std::vector<int64_t> p;
    if (v->is_number()) {
      WEBCNN_ASSIGN(int64_t n, as_int(*v, key));
      p = {n, n};
    } else {
      WEBCNN_ASSIGN(p, ints(key));
    }
    if (p.size() != 2) return error("config '" + key + "' should be one integer or two");
    for (int64_t n : p)
      if (n < 1) return error("config '" + key + "' must be positive");
    return p;
  }
  // data_format: only channels_last (Keras' default), the layout TF.js runs.
  Status channels_last() const {
    WEBCNN_ASSIGN(std::string f, string("data_format", "channels_last"));
    if (f != "channels_last") return error("data_format '" + f + "' is not supported (only channels_last)");
    return Status::ok();
  }

 private:
  Result<int64_t> as_int(const json::Value& v, const std::string& key) const {
    if (!v.is_number() || v.as_number() != std::floor(v.as_number()) || std::fabs(v.as_number()) > 2147483647.0)
      return error("config '" + key + "' should hold integers");
    return static_cast<int64_t>(v.as_number());
  }
  const Layer& l_;
};

Status need_inputs(const Layer& l, const std::vector<KerasTensor>& in, size_t min, size_t max) {
  if (in.size() < min || in.size() > max)
    return l.error("takes " + (min == max ? std::to_string(min) : std::to_string(min) + " or more") + " input" +
                   (max == 1 ? "" : "s") + ", the call has " + std::to_string(in.size()));
  return Status::ok();
}

Status need_rank(const Layer& l, const KerasTensor& x, int rank) {
  if (x.rank != rank)
    return l.error("expects an input of rank " + std::to_string(rank) + " (batch included), got rank " +
                   std::to_string(x.rank));
  return Status::ok();
}

Status check_shape(const Layer& l, const char* what, const Tensor& t, const Shape& want) {
  if (t.shape() != want)
    return l.error(std::string("weight '") + what + "' has shape " + shape_to_string(t.shape()) + ", expected " +
                   shape_to_string(want));
  return Status::ok();
}

ValueId clip(GraphBuilder& b, const std::string& name, ValueId x, float lo, float hi) {
  return b.add1("Clip", name,
                {x, add_float_scalar(b.graph(), name + "/min", lo), add_float_scalar(b.graph(), name + "/max", hi)});
}

// ---- activations ------------------------------------------------------------------------------------

// The "activation" of a layer's config: a name ("relu"), or Keras 3's {"class_name": "function", "config": "relu"}.
Result<std::string> activation_name(const Config& c) {
  const json::Value* v = c.find("activation");
  std::string name = "linear";
  if (v && v->is_string()) {
    name = v->as_string();
  } else if (v && v->is_object() && v->find("config") && v->find("config")->is_string()) {
    name = v->find("config")->as_string();
  } else if (v) {
    return c.error("config 'activation' should be an activation name");
  }
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return name;
}

bool is_linear(const std::string& act) { return act == "linear" || act.empty(); }

// The name of a layer's main node: the layer's own when no activation follows it.
std::string pre_activation_name(const std::string& act, const std::string& name) {
  return is_linear(act) ? name : name + "/pre_activation";
}

// Keras activation functions that are one engine op: the op and its fixed attributes.
const std::map<std::string, std::pair<const char*, Attrs>>& unary_activations() {
  static const std::map<std::string, std::pair<const char*, Attrs>> m = {
      {"relu", {"Relu", {}}},
      {"sigmoid", {"Sigmoid", {}}},
      {"tanh", {"Tanh", {}}},
      {"softmax", {"Softmax", {{"axis", Attribute::of_int(-1)}}}},
      {"log_softmax", {"LogSoftmax", {{"axis", Attribute::of_int(-1)}}}},
      {"elu", {"Elu", {{"alpha", Attribute::of_float(1.f)}}}},
      {"selu", {"Selu", {}}},
      {"softplus", {"Softplus", {}}},
      {"softsign", {"Softsign", {}}},
      {"exponential", {"Exp", {}}},
      // Keras 2 / tfjs-layers: clip(0.2·x + 0.5, 0, 1).
      {"hard_sigmoid", {"HardSigmoid", {{"alpha", Attribute::of_float(0.2f)}, {"beta", Attribute::of_float(0.5f)}}}},
      {"hard_swish", {"HardSwish", {}}},
      {"hard_silu", {"HardSwish", {}}}};
  return m;
}

// Keras activation functions (keras.activations, as tfjs-layers implements them) applied to `x`: a row
// of unary_activations(), or the few composed of several ops below.
Result<ValueId> activation(const Layer& l, const std::string& act, ValueId x, const std::string& name,
                           GraphBuilder& b) {
  if (is_linear(act)) return x;
  auto unary = unary_activations().find(act);
  if (unary != unary_activations().end()) return b.add1(unary->second.first, name, {x}, unary->second.second);
  if (act == "relu6") return clip(b, name, x, 0.f, 6.f);
  if (act == "swish" || act == "silu") return b.add1("Mul", name, {x, b.add1("Sigmoid", name + "/sigmoid", {x})});
  if (act == "mish") {
    ValueId sp = b.add1("Softplus", name + "/softplus", {x});
    return b.add1("Mul", name, {x, b.add1("Tanh", name + "/tanh", {sp})});
  }
  if (act == "gelu") {  // exact form: x · ½(1 + erf(x/√2))
    ValueId e =
        b.add1("Erf", name + "/erf",
               {b.add1("Mul", name + "/scaled", {x, add_float_scalar(b.graph(), name + "/rsqrt2", 0.70710678f)})});
    ValueId half = b.add1("Mul", name + "/half",
                          {b.add1("Add", name + "/one_plus", {e, add_float_scalar(b.graph(), name + "/one", 1.f)}),
                           add_float_scalar(b.graph(), name + "/half_c", 0.5f)});
    return b.add1("Mul", name, {x, half});
  }
  return l.error("activation '" + act + "' is not supported");
}

// ---- convolution, dense ------------------------------------------------------------------------------

// Conv attributes shared by Conv2D, DepthwiseConv2D and SeparableConv2D.
Result<Attrs> conv_attrs(const Config& c, const std::vector<int64_t>& kernel) {
  Attrs a;
  a["layout"] = Attribute::of_string("NHWC");
  a["kernel_shape"] = Attribute::of_ints(kernel);
  WEBCNN_ASSIGN(std::vector<int64_t> strides, c.pair("strides", {1, 1}));
  WEBCNN_ASSIGN(std::vector<int64_t> dilations, c.pair("dilation_rate", {1, 1}));
  a["strides"] = Attribute::of_ints(strides);
  a["dilations"] = Attribute::of_ints(dilations);
  WEBCNN_ASSIGN(std::string padding, c.string("padding", "valid"));
  std::transform(padding.begin(), padding.end(), padding.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (padding == "same") a["auto_pad"] = Attribute::of_string("SAME_UPPER");  // TF's SAME: the odd pixel at the end
  else if (padding == "valid") a["auto_pad"] = Attribute::of_string("VALID");
  else return c.error("padding '" + padding + "' is not supported (same, valid)");
  return a;
}

// Optional bias [n] of a layer with use_bias.
Result<ValueId> bias_of(const Layer& l, const Config& c, LayerWeights& w, int64_t n) {
  WEBCNN_ASSIGN(bool use_bias, c.boolean("use_bias", true));
  if (!use_bias) return kNoValue;
  WEBCNN_ASSIGN(LayerWeights::Weight bias, w.get(l, "bias"));
  WEBCNN_TRY(check_shape(l, "bias", *bias.tensor, {n}));
  return bias.value;
}

// Depthwise kernel [kH, kW, C, M] → Conv weight [C·M, 1, kH, kW] (one group per input channel).
ValueId depthwise_weight(GraphBuilder& b, const std::string& name, ValueId kernel, const Shape& s) {
  ValueId flat =
      b.add1("Reshape", name + "/kernel_hw1o",
             {kernel, add_int64_constant(b.graph(), name + "/kernel_hw1o_shape", {s[0], s[1], 1, s[2] * s[3]})});
  return b.add1("Transpose", name + "/kernel_oihw", {flat}, {{"perm", Attribute::of_ints({3, 2, 0, 1})}});
}

Result<KerasTensor> conv2d(const Layer& l, const KerasTensor& x, const std::string& name, LayerWeights& w,
                           GraphBuilder& b) {
  Config c(l);
  WEBCNN_TRY(c.channels_last());
  WEBCNN_TRY(need_rank(l, x, 4));
  WEBCNN_ASSIGN(int64_t filters, c.positive("filters"));
  WEBCNN_ASSIGN(std::vector<int64_t> k, c.pair("kernel_size", {}));
  WEBCNN_ASSIGN(int64_t groups, c.integer("groups", 1));
  if (groups < 1 || filters % groups != 0) return l.error("groups must be positive and divide filters");
  WEBCNN_ASSIGN(Attrs a, conv_attrs(c, k));
  if (groups > 1) a["group"] = Attribute::of_int(groups);
  WEBCNN_ASSIGN(LayerWeights::Weight kernel, w.get(l, "kernel"));
  const Shape& ks = kernel.tensor->shape();
  if (ks.size() != 4 || ks[0] != k[0] || ks[1] != k[1] || ks[3] != filters)
    return l.error("weight 'kernel' has shape " + shape_to_string(ks) + ", expected [" + std::to_string(k[0]) + "," +
                   std::to_string(k[1]) + ",in/groups," + std::to_string(filters) + "]");
  ValueId weight =
      b.add1("Transpose", name + "/kernel_oihw", {kernel.value}, {{"perm", Attribute::of_ints({3, 2, 0, 1})}});
  WEBCNN_ASSIGN(ValueId bias, bias_of(l, c, w, filters));
  std::vector<ValueId> in = {x.value, weight};
  if (bias != kNoValue) in.push_back(bias);
  WEBCNN_ASSIGN(std::string act, activation_name(c));
  ValueId y = b.add1("Conv", pre_activation_name(act, name), in, a);
  WEBCNN_ASSIGN(ValueId out, activation(l, act, y, name, b));
  return KerasTensor{out, 4};
}

// DepthwiseConv2D, and SeparableConv2D (the same depthwise step, then a 1×1 "pointwise" Conv).
Result<KerasTensor> depthwise_conv2d(const Layer& l, const KerasTensor& x, const std::string& name, LayerWeights& w,
                                     GraphBuilder& b) {
  Config c(l);
  bool separable = l.class_name == "SeparableConv2D";
  WEBCNN_TRY(c.channels_last());
  WEBCNN_TRY(need_rank(l, x, 4));
  WEBCNN_ASSIGN(std::vector<int64_t> k, c.pair("kernel_size", {}));
  WEBCNN_ASSIGN(int64_t multiplier, c.integer("depth_multiplier", 1));
  if (multiplier < 1) return l.error("depth_multiplier must be positive");
  WEBCNN_ASSIGN(Attrs a, conv_attrs(c, k));
  WEBCNN_ASSIGN(LayerWeights::Weight kernel, w.get(l, "depthwise_kernel"));
  const Shape& ks = kernel.tensor->shape();
  if (ks.size() != 4 || ks[0] != k[0] || ks[1] != k[1] || ks[3] != multiplier)
    return l.error("weight 'depthwise_kernel' has shape " + shape_to_string(ks) + ", expected [" +
                   std::to_string(k[0]) + "," + std::to_string(k[1]) + ",channels," + std::to_string(multiplier) + "]");
  if (ks[2] < 1) return l.error("weight 'depthwise_kernel' has no channels");
  a["group"] = Attribute::of_int(ks[2]);
  const int64_t depth = ks[2] * multiplier;
  WEBCNN_ASSIGN(std::string act, activation_name(c));
  std::vector<ValueId> in = {x.value, depthwise_weight(b, name + (separable ? "/depthwise" : ""), kernel.value, ks)};
  if (!separable) {
    WEBCNN_ASSIGN(ValueId bias, bias_of(l, c, w, depth));
    if (bias != kNoValue) in.push_back(bias);
    ValueId y = b.add1("Conv", pre_activation_name(act, name), in, a);
    WEBCNN_ASSIGN(ValueId out, activation(l, act, y, name, b));
    return KerasTensor{out, 4};
  }
  ValueId dw = b.add1("Conv", name + "/depthwise", in, a);
  WEBCNN_ASSIGN(int64_t filters, c.positive("filters"));
  WEBCNN_ASSIGN(LayerWeights::Weight pointwise, w.get(l, "pointwise_kernel"));
  WEBCNN_TRY(check_shape(l, "pointwise_kernel", *pointwise.tensor, {1, 1, depth, filters}));
  ValueId pw =
      b.add1("Transpose", name + "/pointwise_oihw", {pointwise.value}, {{"perm", Attribute::of_ints({3, 2, 0, 1})}});
  std::vector<ValueId> pin = {dw, pw};
  WEBCNN_ASSIGN(ValueId bias, bias_of(l, c, w, filters));
  if (bias != kNoValue) pin.push_back(bias);
  Attrs pa = {{"layout", Attribute::of_string("NHWC")}, {"kernel_shape", Attribute::of_ints({1, 1})}};
  ValueId y = b.add1("Conv", pre_activation_name(act, name), pin, pa);
  WEBCNN_ASSIGN(ValueId out, activation(l, act, y, name, b));
  return KerasTensor{out, 4};
}

// Conv2DTranspose: kernel [kH, kW, filters, in] → ConvTranspose weight [in, filters, kH, kW]. Keras' output
// size is in·stride with SAME and in·stride + max(k − stride, 0) with VALID (k dilated). ONNX gives
// (in − 1)·stride + k, and with SAME_UPPER crops the way TF's forward SAME pads, which agrees while
// k ≥ stride. A kernel smaller than its stride has no padding in TF either way: VALID plus an
// output_padding of stride − k gives Keras' size.
Result<KerasTensor> conv2d_transpose(const Layer& l, const KerasTensor& x, const std::string& name, LayerWeights& w,
                                     GraphBuilder& b) {
  Config c(l);
  WEBCNN_TRY(c.channels_last());
  WEBCNN_TRY(need_rank(l, x, 4));
  if (c.find("output_padding")) return l.error("output_padding is not supported");
  WEBCNN_ASSIGN(int64_t filters, c.positive("filters"));
  WEBCNN_ASSIGN(std::vector<int64_t> k, c.pair("kernel_size", {}));
  WEBCNN_ASSIGN(Attrs a, conv_attrs(c, k));
  const std::vector<int64_t> strides = a["strides"].ints, dilations = a["dilations"].ints;
  std::vector<int64_t> output_padding(2, 0);
  bool pad_output = false;
  for (size_t i = 0; i < 2; ++i) {
    const int64_t extent = (k[i] - 1) * dilations[i] + 1;
    if (extent < strides[i]) {
      output_padding[i] = strides[i] - extent;
      pad_output = true;
    }
  }
  if (pad_output) {
    a["auto_pad"] = Attribute::of_string("VALID");
    a["output_padding"] = Attribute::of_ints(output_padding);
  }
  WEBCNN_ASSIGN(LayerWeights::Weight kernel, w.get(l, "kernel"));
  const Shape& ks = kernel.tensor->shape();
  if (ks.size() != 4 || ks[0] != k[0] || ks[1] != k[1] || ks[2] != filters)
    return l.error("weight 'kernel' has shape " + shape_to_string(ks) + ", expected [" + std::to_string(k[0]) + "," +
                   std::to_string(k[1]) + "," + std::to_string(filters) + ",in]");
  ValueId weight =
      b.add1("Transpose", name + "/kernel_iohw", {kernel.value}, {{"perm", Attribute::of_ints({3, 2, 0, 1})}});
  WEBCNN_ASSIGN(ValueId bias, bias_of(l, c, w, filters));
  std::vector<ValueId> in = {x.value, weight};
  if (bias != kNoValue) in.push_back(bias);
  WEBCNN_ASSIGN(std::string act, activation_name(c));
  ValueId y = b.add1("ConvTranspose", pre_activation_name(act, name), in, a);
  WEBCNN_ASSIGN(ValueId out, activation(l, act, y, name, b));
  return KerasTensor{out, 4};
}

// Dense: x · kernel [in, units] + bias over the last axis; Gemm for rank 2, MatMul + Add above.
Result<KerasTensor> dense(const Layer& l, const KerasTensor& x, const std::string& name, LayerWeights& w,
                          GraphBuilder& b) {
  Config c(l);
  if (x.rank < 2) return l.error("expects an input of rank 2 or more");
  WEBCNN_ASSIGN(int64_t units, c.positive("units"));
  WEBCNN_ASSIGN(LayerWeights::Weight kernel, w.get(l, "kernel"));
  const Shape& ks = kernel.tensor->shape();
  if (ks.size() != 2 || ks[1] != units)
    return l.error("weight 'kernel' has shape " + shape_to_string(ks) + ", expected [inputs," + std::to_string(units) +
                   "]");
  WEBCNN_ASSIGN(ValueId bias, bias_of(l, c, w, units));
  WEBCNN_ASSIGN(std::string act, activation_name(c));
  const std::string main = pre_activation_name(act, name);
  ValueId y;
  if (x.rank == 2) {
    std::vector<ValueId> in = {x.value, kernel.value};
    if (bias != kNoValue) in.push_back(bias);
    y = b.add1("Gemm", main, in);
  } else if (bias == kNoValue) {
    y = b.add1("MatMul", main, {x.value, kernel.value});
  } else {
    y = b.add1("Add", main, {b.add1("MatMul", name + "/matmul", {x.value, kernel.value}), bias});
  }
  WEBCNN_ASSIGN(ValueId out, activation(l, act, y, name, b));
  return KerasTensor{out, x.rank};
}

// ---- normalization, activation layers ----------------------------------------------------------------

Result<KerasTensor> batch_norm(const Layer& l, const KerasTensor& x, const std::string& name, LayerWeights& w,
                               GraphBuilder& b) {
  Config c(l);
  int64_t axis = -1;
  if (const json::Value* v = c.find("axis"); v && v->is_array()) {  // Keras 3 may write [3]
    WEBCNN_ASSIGN(std::vector<int64_t> axes, c.ints("axis"));
    if (axes.size() != 1) return l.error("normalization over several axes is not supported");
    axis = axes[0];
  } else {
    WEBCNN_ASSIGN(axis, c.integer("axis", -1));
  }
  if (x.rank < 2) return l.error("expects an input of rank 2 or more");
  if (axis < 0) axis += x.rank;
  std::string layout;
  if (axis == x.rank - 1) layout = "NHWC";  // channels last (also rank 2, where both agree)
  else if (axis == 1) layout = "NCHW";
  else return l.error("axis " + std::to_string(axis) + " is not supported (the channel axis must be 1 or the last)");
  WEBCNN_ASSIGN(double epsilon, c.number("epsilon", 1e-3));
  WEBCNN_ASSIGN(bool center, c.boolean("center", true));
  WEBCNN_ASSIGN(bool scale, c.boolean("scale", true));
  WEBCNN_ASSIGN(LayerWeights::Weight mean, w.get(l, "moving_mean"));
  WEBCNN_ASSIGN(LayerWeights::Weight var, w.get(l, "moving_variance"));
  if (mean.tensor->rank() != 1) return l.error("weight 'moving_mean' should be a vector");
  const Shape channels = mean.tensor->shape();
  WEBCNN_TRY(check_shape(l, "moving_variance", *var.tensor, channels));
  // Without scale/center Keras has no gamma/beta: the identity values.
  auto param = [&](bool present, const char* what, float absent) -> Result<ValueId> {
    if (present) {
      WEBCNN_ASSIGN(LayerWeights::Weight p, w.get(l, what));
      WEBCNN_TRY(check_shape(l, what, *p.tensor, channels));
      return p.value;
    }
    Tensor t(DataType::kFloat32, channels);
    std::fill(t.data<float>(), t.data<float>() + t.size(), absent);
    return b.graph().add_constant(name + "/" + what, std::move(t));
  };
  WEBCNN_ASSIGN(ValueId gamma, param(scale, "gamma", 1.f));
  WEBCNN_ASSIGN(ValueId beta, param(center, "beta", 0.f));
  ValueId y =
      b.add1("BatchNormalization", name, {x.value, gamma, beta, mean.value, var.value},
             {{"epsilon", Attribute::of_float(static_cast<float>(epsilon))}, {"layout", Attribute::of_string(layout)}});
  return KerasTensor{y, x.rank};
}

// Keras ReLU(max_value, negative_slope, threshold):
//   f(x) = max_value if x ≥ max_value;  x if threshold < x < max_value;  negative_slope·(x − threshold) otherwise.
// (tfjs-layers honours only max_value; Keras, which wrote the file, defines all three.)
Result<KerasTensor> relu_layer(const Layer& l, const KerasTensor& x, const std::string& name, GraphBuilder& b) {
  Config c(l);
  const bool has_max = c.find("max_value") != nullptr;
  WEBCNN_ASSIGN(double max_value, c.number("max_value", 0));
  WEBCNN_ASSIGN(double slope, c.number("negative_slope", 0));
  WEBCNN_ASSIGN(double threshold, c.number("threshold", 0));
  if (max_value < 0 || slope < 0 || threshold < 0)
    return l.error("max_value, negative_slope and threshold must not be negative (as Keras requires)");
  const float hi = has_max ? static_cast<float>(max_value) : std::numeric_limits<float>::infinity();
  ValueId y;
  if (threshold == 0 && slope == 0) {
    y = has_max ? clip(b, name, x.value, 0.f, hi) : b.add1("Relu", name, {x.value});
  } else if (threshold == 0) {
    Attrs a = {{"alpha", Attribute::of_float(static_cast<float>(slope))}};
    if (!has_max) return KerasTensor{b.add1("LeakyRelu", name, {x.value}, a), x.rank};
    y = clip(b, name, b.add1("LeakyRelu", name + "/leaky", {x.value}, a), -std::numeric_limits<float>::infinity(), hi);
  } else {
    // x·[x > t] (ThresholdedRelu), capped at max_value, plus slope·min(x − t, 0).
    ValueId pos = b.add1("ThresholdedRelu", slope == 0 && !has_max ? name : name + "/positive", {x.value},
                         {{"alpha", Attribute::of_float(static_cast<float>(threshold))}});
    if (has_max) pos = clip(b, slope == 0 ? name : name + "/capped", pos, 0.f, hi);
    if (slope == 0) return KerasTensor{pos, x.rank};
    ValueId shifted =
        b.add1("Sub", name + "/shifted",
               {x.value, add_float_scalar(b.graph(), name + "/threshold", static_cast<float>(threshold))});
    ValueId below = b.add1("Min", name + "/below", {shifted, add_float_scalar(b.graph(), name + "/zero", 0.f)});
    ValueId neg = b.add1("Mul", name + "/negative",
                         {below, add_float_scalar(b.graph(), name + "/slope", static_cast<float>(slope))});
    y = b.add1("Add", name, {pos, neg});
  }
  return KerasTensor{y, x.rank};
}

// ---- pooling, padding, shapes ------------------------------------------------------------------------

Result<KerasTensor> pool2d(const Layer& l, const KerasTensor& x, const std::string& name, GraphBuilder& b) {
  Config c(l);
  WEBCNN_TRY(c.channels_last());
  WEBCNN_TRY(need_rank(l, x, 4));
  WEBCNN_ASSIGN(std::vector<int64_t> size, c.pair("pool_size", {2, 2}));
  WEBCNN_ASSIGN(std::vector<int64_t> strides, c.pair("strides", size));  // strides: null means pool_size
  WEBCNN_ASSIGN(Attrs a, conv_attrs(c, size));
  a.erase("dilations");
  a["strides"] = Attribute::of_ints(strides);
  // Keras/TF average only the window's pixels inside the image: count_include_pad = 0 (ONNX's default).
  const char* op = l.class_name == "MaxPooling2D" ? "MaxPool" : "AveragePool";
  return KerasTensor{b.add1(op, name, {x.value}, a), 4};
}

Result<KerasTensor> global_pool2d(const Layer& l, const KerasTensor& x, const std::string& name, GraphBuilder& b) {
  Config c(l);
  WEBCNN_TRY(c.channels_last());
  WEBCNN_TRY(need_rank(l, x, 4));
  WEBCNN_ASSIGN(bool keepdims, c.boolean("keepdims", false));
  const char* op = l.class_name == "GlobalMaxPooling2D" ? "GlobalMaxPool" : "GlobalAveragePool";
  Attrs a = {{"layout", Attribute::of_string("NHWC")}};
  if (keepdims) return KerasTensor{b.add1(op, name, {x.value}, a), 4};
  ValueId pooled = b.add1(op, name + "/pooled", {x.value}, a);  // [N, 1, 1, C]
  return KerasTensor{b.add1("Flatten", name, {pooled}, {{"axis", Attribute::of_int(1)}}), 2};
}

// ZeroPadding2D / Cropping2D amounts: n, (h, w) or ((top, bottom), (left, right)).
Result<std::vector<int64_t>> top_bottom_left_right(const Config& c, const std::string& key) {
  const json::Value* v = c.find(key);
  if (!v) return std::vector<int64_t>{1, 1, 1, 1};  // Keras' default for both layers
  std::vector<int64_t> out;
  auto add = [&](const json::Value& n) -> Status {
    if (!n.is_number() || n.as_number() != std::floor(n.as_number()) || n.as_number() < 0 || n.as_number() > 1e6)
      return c.error("config '" + key + "' should hold non-negative integers");
    out.push_back(static_cast<int64_t>(n.as_number()));
    return Status::ok();
  };
  if (v->is_number()) {
    for (int i = 0; i < 4; ++i) WEBCNN_TRY(add(*v));
  } else if (v->is_array() && v->items().size() == 2) {
    for (const json::Value& axis : v->items()) {
      if (axis.is_number()) {
        WEBCNN_TRY(add(axis));
        WEBCNN_TRY(add(axis));
      } else if (axis.is_array() && axis.items().size() == 2) {
        WEBCNN_TRY(add(axis.items()[0]));
        WEBCNN_TRY(add(axis.items()[1]));
      } else {
        return c.error("config '" + key + "' should be n, [h, w] or [[top, bottom], [left, right]]");
      }
    }
  } else {
    return c.error("config '" + key + "' should be n, [h, w] or [[top, bottom], [left, right]]");
  }
  return out;
}

Result<KerasTensor> zero_padding2d(const Layer& l, const KerasTensor& x, const std::string& name, GraphBuilder& b) {
  Config c(l);
  WEBCNN_TRY(c.channels_last());
  WEBCNN_TRY(need_rank(l, x, 4));
  WEBCNN_ASSIGN(std::vector<int64_t> p, top_bottom_left_right(c, "padding"));
  ValueId pads =
      add_int64_constant(b.graph(), name + "/pads", {0, p[0], p[2], 0, 0, p[1], p[3], 0});  // ONNX: begins, then ends
  return KerasTensor{b.add1("Pad", name, {x.value, pads}, {{"mode", Attribute::of_string("constant")}}), 4};
}

Result<KerasTensor> cropping2d(const Layer& l, const KerasTensor& x, const std::string& name, GraphBuilder& b) {
  Config c(l);
  WEBCNN_TRY(c.channels_last());
  WEBCNN_TRY(need_rank(l, x, 4));
  WEBCNN_ASSIGN(std::vector<int64_t> p, top_bottom_left_right(c, "cropping"));
  const int64_t to_end = std::numeric_limits<int64_t>::max();
  ValueId starts = add_int64_constant(b.graph(), name + "/starts", {p[0], p[2]});
  ValueId ends = add_int64_constant(b.graph(), name + "/ends", {p[1] ? -p[1] : to_end, p[3] ? -p[3] : to_end});
  ValueId axes = add_int64_constant(b.graph(), name + "/axes", {1, 2});
  return KerasTensor{b.add1("Slice", name, {x.value, starts, ends, axes}), 4};
}

Result<KerasTensor> upsampling2d(const Layer& l, const KerasTensor& x, const std::string& name, GraphBuilder& b) {
  Config c(l);
  WEBCNN_TRY(c.channels_last());
  WEBCNN_TRY(need_rank(l, x, 4));
  WEBCNN_ASSIGN(std::vector<int64_t> size, c.pair("size", {2, 2}));
  WEBCNN_ASSIGN(std::string interpolation, c.string("interpolation", "nearest"));
  // Bilinear differs between Keras (half-pixel centres) and tfjs-layers (asymmetric): refused, not guessed.
  if (interpolation != "nearest")
    return l.error("interpolation '" + interpolation + "' is not supported (only nearest)");
  Attrs a = {{"mode", Attribute::of_string("nearest")},
             {"axes", Attribute::of_ints({1, 2})},
             {"coordinate_transformation_mode", Attribute::of_string("asymmetric")},
             {"nearest_mode", Attribute::of_string("floor")}};  // each pixel repeated size times
  ValueId s =
      add_float_constant(b.graph(), name + "/scales", {static_cast<float>(size[0]), static_cast<float>(size[1])});
  return KerasTensor{b.add1("Resize", name, {x.value, kNoValue, s}, a), 4};
}

Result<KerasTensor> reshape(const Layer& l, const KerasTensor& x, const std::string& name, GraphBuilder& b) {
  Config c(l);
  WEBCNN_ASSIGN(std::vector<int64_t> target, c.ints("target_shape"));
  if (!c.find("target_shape")) return l.error("config 'target_shape' is missing");
  for (int64_t d : target)
    if (d < 1 && d != -1) return l.error("target_shape dimensions must be positive (or one -1)");
  std::vector<int64_t> shape = {0};  // 0: keep the batch size (ONNX Reshape without allowzero)
  shape.insert(shape.end(), target.begin(), target.end());
  ValueId s = add_int64_constant(b.graph(), name + "/shape", shape);
  return KerasTensor{b.add1("Reshape", name, {x.value, s}), static_cast<int>(shape.size())};
}

Result<KerasTensor> permute(const Layer& l, const KerasTensor& x, const std::string& name, GraphBuilder& b) {
  Config c(l);
  WEBCNN_ASSIGN(std::vector<int64_t> dims, c.ints("dims"));  // 1-based, the batch axis excluded
  std::vector<int64_t> perm = {0};
  std::vector<bool> seen(static_cast<size_t>(x.rank), false);
  seen[0] = true;
  for (int64_t d : dims) {
    if (d < 1 || d >= x.rank || seen[static_cast<size_t>(d)]) return l.error("dims must be a permutation of 1..rank-1");
    seen[static_cast<size_t>(d)] = true;
    perm.push_back(d);
  }
  if (static_cast<int>(perm.size()) != x.rank) return l.error("dims must be a permutation of 1..rank-1");
  return KerasTensor{b.add1("Transpose", name, {x.value}, {{"perm", Attribute::of_ints(perm)}}), x.rank};
}

// ---- merging ------------------------------------------------------------------------------------------

Result<KerasTensor> merge(const Layer& l, const std::vector<KerasTensor>& in, const std::string& name,
                          GraphBuilder& b) {
  const std::string& cls = l.class_name;
  WEBCNN_TRY(need_inputs(l, in, 2, cls == "Subtract" ? 2 : 1024));
  std::vector<ValueId> v;
  int rank = 0;
  for (const KerasTensor& t : in) {
    v.push_back(t.value);
    rank = std::max(rank, t.rank);
  }
  if (cls == "Concatenate") {
    WEBCNN_ASSIGN(int64_t axis, Config(l).integer("axis", -1));
    if (axis < -rank || axis >= rank)
      return l.error("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    return KerasTensor{b.add1("Concat", name, v, {{"axis", Attribute::of_int(axis < 0 ? axis + rank : axis)}}), rank};
  }
  if (cls == "Subtract") return KerasTensor{b.add1("Sub", name, v), rank};
  if (cls == "Multiply") {  // a chain of binary Muls, in input order
    ValueId acc = v[0];
    for (size_t i = 1; i < v.size(); ++i)
      acc = b.add1("Mul", i + 1 == v.size() ? name : name + "/product_" + std::to_string(i), {acc, v[i]});
    return KerasTensor{acc, rank};
  }
  const char* op = cls == "Add"       ? (v.size() == 2 ? "Add" : "Sum")
                   : cls == "Average" ? "Mean"
                   : cls == "Maximum" ? "Max"
                                      : "Min";
  return KerasTensor{b.add1(op, name, v), rank};
}

// ---- the table ----------------------------------------------------------------------------------------

using Translator = std::function<Result<KerasTensor>(const Layer&, const std::vector<KerasTensor>&, const std::string&,
                                                     LayerWeights&, GraphBuilder&)>;

// Adapts a one-input translation to the table's signature.
template <typename F>
Translator one_input(F f) {
  return [f](const Layer& l, const std::vector<KerasTensor>& in, const std::string& name, LayerWeights& w,
             GraphBuilder& b) -> Result<KerasTensor> {
    WEBCNN_TRY(need_inputs(l, in, 1, 1));
    return f(l, in[0], name, w, b);
  };
}

template <typename F>
Translator unweighted(F f) {
  return one_input([f](const Layer& l, const KerasTensor& x, const std::string& name, LayerWeights&, GraphBuilder& b) {
    return f(l, x, name, b);
  });
}

// A layer that is one unary engine op with the input's rank (the 1:1 rows of translators()).
Translator unary(const char* op, std::function<Result<Attrs>(const Config&)> attrs = nullptr) {
  return unweighted([op, attrs](const Layer& l, const KerasTensor& x, const std::string& name,
                                GraphBuilder& b) -> Result<KerasTensor> {
    Attrs a;
    if (attrs) {
      WEBCNN_ASSIGN(a, attrs(Config(l)));
    }
    return KerasTensor{b.add1(op, name, {x.value}, a), x.rank};
  });
}

Translator float_attr(const char* op, const char* key, const char* attr, double def) {
  return unary(op, [key, attr, def](const Config& c) -> Result<Attrs> {
    WEBCNN_ASSIGN(double v, c.number(key, def));
    return Attrs{{attr, Attribute::of_float(static_cast<float>(v))}};
  });
}

const std::map<std::string, Translator>& translators() {
  static const std::map<std::string, Translator> m = [] {
    std::map<std::string, Translator> t;
    t["Conv2D"] = one_input(conv2d);
    t["DepthwiseConv2D"] = t["SeparableConv2D"] = one_input(depthwise_conv2d);
    t["Conv2DTranspose"] = one_input(conv2d_transpose);
    t["Dense"] = one_input(dense);
    t["BatchNormalization"] = one_input(batch_norm);
    t["ReLU"] = unweighted(relu_layer);
    t["Activation"] = unweighted(
        [](const Layer& l, const KerasTensor& x, const std::string& name, GraphBuilder& b) -> Result<KerasTensor> {
          WEBCNN_ASSIGN(std::string act, activation_name(Config(l)));
          if (is_linear(act)) return KerasTensor{b.add1("Identity", name, {x.value}), x.rank};
          WEBCNN_ASSIGN(ValueId y, activation(l, act, x.value, name, b));
          return KerasTensor{y, x.rank};
        });
    // Keras 2 calls LeakyReLU's slope alpha, Keras 3 negative_slope; both default to 0.3.
    t["LeakyReLU"] = unary("LeakyRelu", [](const Config& c) -> Result<Attrs> {
      WEBCNN_ASSIGN(double alpha, c.number("alpha", 0.3));
      WEBCNN_ASSIGN(alpha, c.number("negative_slope", alpha));
      return Attrs{{"alpha", Attribute::of_float(static_cast<float>(alpha))}};
    });
    t["ELU"] = float_attr("Elu", "alpha", "alpha", 1.0);
    t["ThresholdedReLU"] = float_attr("ThresholdedRelu", "theta", "alpha", 1.0);
    t["Softmax"] = unary("Softmax", [](const Config& c) -> Result<Attrs> {
      WEBCNN_ASSIGN(int64_t axis, c.integer("axis", -1));
      return Attrs{{"axis", Attribute::of_int(axis)}};
    });
    t["PReLU"] = one_input([](const Layer& l, const KerasTensor& x, const std::string& name, LayerWeights& w,
                              GraphBuilder& b) -> Result<KerasTensor> {
      // alpha has the input's shape without the batch axis (1 on shared_axes): it broadcasts from the right.
      WEBCNN_ASSIGN(LayerWeights::Weight alpha, w.get(l, "alpha"));
      if (alpha.tensor->rank() != x.rank - 1)
        return l.error("weight 'alpha' has shape " + shape_to_string(alpha.tensor->shape()) + ", expected rank " +
                       std::to_string(x.rank - 1));
      return KerasTensor{b.add1("PRelu", name, {x.value, alpha.value}), x.rank};
    });
    t["MaxPooling2D"] = t["AveragePooling2D"] = unweighted(pool2d);
    t["GlobalAveragePooling2D"] = t["GlobalMaxPooling2D"] = unweighted(global_pool2d);
    t["ZeroPadding2D"] = unweighted(zero_padding2d);
    t["Cropping2D"] = unweighted(cropping2d);
    t["UpSampling2D"] = unweighted(upsampling2d);
    t["Flatten"] = unweighted(
        [](const Layer& l, const KerasTensor& x, const std::string& name, GraphBuilder& b) -> Result<KerasTensor> {
          // NHWC data flattens in Keras' channels_last order as it is.
          WEBCNN_TRY(Config(l).channels_last());
          return KerasTensor{b.add1("Flatten", name, {x.value}, {{"axis", Attribute::of_int(1)}}), 2};
        });
    t["Reshape"] = unweighted(reshape);
    t["Permute"] = unweighted(permute);
    // Training-only layers: the identity at inference.
    for (const char* cls : {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
                            "GaussianDropout", "AlphaDropout", "ActivityRegularization"})
      t[cls] = unary("Identity");
    for (const char* cls : {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"})
      t[cls] = [](const Layer& l, const std::vector<KerasTensor>& in, const std::string& name, LayerWeights&,
                  GraphBuilder& b) { return merge(l, in, name, b); };
    return t;
  }();
  return m;
}

}  // namespace

Result<std::string> LayerWeights::resolve(const Layer& layer, const std::string& what) const {
  const std::string exact = layer.name + "/" + what;
  if (used_.count(exact) || pending_.count(exact)) return exact;
  const std::string suffix = "/" + exact;
  std::vector<std::string> matches;
  auto scan = [&](const std::string& key) {
    if (key.size() > suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0)
      matches.push_back(key);
  };
  for (const auto& kv : pending_) scan(kv.first);
  for (const auto& kv : used_) scan(kv.first);
  if (matches.size() == 1) return matches[0];
  if (matches.empty()) return layer.error("weight '" + exact + "' is not in weightsManifest");
  return layer.error("weight '" + what + "' is ambiguous: weightsManifest has '" + matches[0] + "' and '" + matches[1] +
                     "'");
}

Result<LayerWeights::Weight> LayerWeights::get(const Layer& layer, const std::string& what) {
  WEBCNN_ASSIGN(std::string key, resolve(layer, what));
  auto used = used_.find(key);
  if (used != used_.end()) return used->second;
  auto it = pending_.find(key);
  if (it->second.dtype() != DataType::kFloat32)
    return layer.error("weight '" + key + "' is " + dtype_name(it->second.dtype()) + ", expected float32");
  Weight w;
  w.value = b_.graph().add_constant(key, std::move(it->second));
  w.tensor = b_.graph().value(w.value).constant.get();
  pending_.erase(it);
  used_[key] = w;
  return w;
}

bool is_supported_layer(const std::string& class_name) { return translators().count(class_name) != 0; }

Result<KerasTensor> translate_layer(const Layer& layer, const std::vector<KerasTensor>& inputs, const std::string& name,
                                    LayerWeights& weights, GraphBuilder& b) {
  auto it = translators().find(layer.class_name);
  if (it == translators().end()) return layer.error("unsupported layer class").with_code(StatusCode::kUnsupportedOp);
  return it->second(layer, inputs, name, weights, b);
}

}  // namespace keras
}  // namespace tfjs
}  // namespace webcnn
