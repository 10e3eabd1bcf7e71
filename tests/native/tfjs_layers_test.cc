// TF.js layers-models (Keras topology): small hand-written model.json files with weights in memory,
// imported and run. Oracles: a naive NHWC implementation of Keras' layer semantics written here (loops
// over pixels, TF's SAME padding with the odd pixel at the end), and values worked out by hand. The
// real nsfwjs MobileNetV2 is imported when fetched; its numbers are compared with TF.js in
// tests/node/nsfwjs_oracle.test.mjs.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "import/model_import.h"
#include "import/tfjs/tfjs_importer.h"
#include "webcnn/model.h"

using namespace webcnn;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// ---- building model.json ------------------------------------------------------------------------------

// The inputs of one call, in Keras 2's list form or Keras 3's {"args", "kwargs"} form.
std::string call_inputs(const std::vector<std::string>& names, bool keras3) {
  std::string s;
  for (const std::string& n : names) {
    if (!s.empty()) s += ",";
    s += keras3 ? R"({"class_name":"__keras_tensor__","config":{"shape":[null],"dtype":"float32","keras_history":[")" +
                      n + R"(",0,0]}})"
                : R"([")" + n + R"(",0,0,{}])";
  }
  if (!keras3) return "[" + s + "]";
  return names.size() == 1 ? R"({"args":[)" + s + R"(],"kwargs":{}})" : R"({"args":[[)" + s + R"(]],"kwargs":{}})";
}

struct LayersModel {
  bool keras3 = false;
  std::vector<std::string> layers;
  std::vector<std::string> specs;
  std::vector<uint8_t> shard;

  LayersModel& input(const std::string& name, const std::string& batch_shape) {
    layers.push_back(R"({"class_name":"InputLayer","name":")" + name + R"(","config":{"name":")" + name +
                     R"(","dtype":"float32",")" + (keras3 ? "batch_shape" : "batch_input_shape") + R"(":)" +
                     batch_shape + R"(},"inbound_nodes":[]})");
    return *this;
  }
  LayersModel& layer(const std::string& cls, const std::string& name, const std::string& config,
                     const std::vector<std::string>& inputs) {
    std::string cfg = R"({"name":")" + name + "\"" + (config.empty() ? "" : "," + config) + "}";
    layers.push_back(R"({"class_name":")" + cls + R"(","name":")" + name + R"(","config":)" + cfg +
                     R"(,"inbound_nodes":[)" + call_inputs(inputs, keras3) + "]}");
    return *this;
  }
  LayersModel& weight(const std::string& name, const Shape& shape, const std::vector<float>& v) {
    std::string dims;
    for (int64_t d : shape) dims += (dims.empty() ? "" : ",") + std::to_string(d);
    specs.push_back(R"({"name":")" + name + R"(","shape":[)" + dims + R"(],"dtype":"float32"})");
    size_t at = shard.size();
    shard.resize(at + v.size() * 4);
    std::memcpy(shard.data() + at, v.data(), v.size() * 4);
    return *this;
  }
  std::string json(const std::string& inputs, const std::string& outputs,
                   const std::string& format = "layers-model") const {
    std::string ls, ws;
    for (const std::string& l : layers) ls += (ls.empty() ? "" : ",") + l;
    for (const std::string& w : specs) ws += (ws.empty() ? "" : ",") + w;
    return R"({"format":")" + format +
           R"(","generatedBy":"hand","modelTopology":{"keras_version":"2.2.4","backend":"tensorflow",
      "model_config":{"class_name":"Model","config":{"name":"m","layers":[)" +
           ls + R"(],"input_layers":)" + inputs + R"(,"output_layers":)" + outputs +
           R"(}}},"weightsManifest":[{"paths":["group1-shard1of1.bin"],"weights":[)" + ws + "]}]}";
  }
  tfjs::ShardReader reader() const {
    return [this](const std::string& p) -> Result<std::vector<uint8_t>> {
      if (p != "group1-shard1of1.bin") return Status::error("weight shard " + p + ": cannot open file");
      return shard;
    };
  }
};

// A Sequential model (the Keras 2.2 form: config is the layer list) of the given layers.
std::string sequential_json(const std::string& layer_list) {
  return R"({"modelTopology":{"model_config":{"class_name":"Sequential","config":[)" + layer_list +
         R"(]}},"weightsManifest":[]})";
}

tfjs::ShardReader no_shards() {
  return [](const std::string& p) -> Result<std::vector<uint8_t>> {
    return Status::error("weight shard " + p + ": cannot open file");
  };
}

std::string import_error(const std::string& json, const tfjs::ShardReader& reader) {
  Result<Graph> g = tfjs::import_model(json, reader);
  return g.is_ok() ? std::string("(imported)") : g.status().message();
}

Tensor tensor(const Shape& shape, const std::vector<float>& v) {
  Tensor t(DataType::kFloat32, shape);
  REQUIRE(static_cast<size_t>(t.size()) == v.size());
  std::memcpy(t.data<float>(), v.data(), v.size() * 4);
  return t;
}

// Imports `json` and runs it on one input; returns the outputs.
std::vector<Tensor> run_model(const std::string& json, const tfjs::ShardReader& reader, const std::string& input,
                              const Tensor& x, bool optimize = true) {
  Result<Graph> g = tfjs::import_model(json, reader);
  REQUIRE_MESSAGE(g.is_ok(), g.status().message());
  ModelOptions options;
  options.optimize = optimize;
  auto model = Model::from_graph(std::move(g.value()), options);
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  auto out = model.value()->run({{input, &x}});
  REQUIRE_MESSAGE(out.is_ok(), out.status().message());
  return std::move(out.value());
}

void check_close(const Tensor& got, const std::vector<float>& want, double tol) {
  REQUIRE(static_cast<size_t>(got.size()) == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    CHECK(std::fabs(got.data<float>()[i] - want[i]) <= tol * std::max(1.0, std::fabs(static_cast<double>(want[i]))));
  }
}

std::vector<float> random_values(size_t n, uint32_t& seed, float lo = -1.f, float hi = 1.f) {
  std::vector<float> v(n);
  for (float& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = lo + (hi - lo) * static_cast<float>(seed >> 8) / 16777216.f;
  }
  return v;
}

// ---- Keras semantics, naively (batch 1, NHWC) ---------------------------------------------------------

struct Image {
  int64_t h = 0, w = 0, c = 0;
  std::vector<float> v;
  float at(int64_t y, int64_t x, int64_t ch) const { return v[static_cast<size_t>((y * w + x) * c + ch)]; }
};

// TF's padding on one axis: SAME gives ceil(in / stride) outputs, the odd padding pixel after.
void tf_padding(int64_t in, int64_t k, int64_t stride, bool same, int64_t& out, int64_t& before) {
  if (same) {
    out = (in + stride - 1) / stride;
    before = std::max<int64_t>((out - 1) * stride + k - in, 0) / 2;
  } else {
    out = (in - k) / stride + 1;
    before = 0;
  }
}

// Conv2D with a kernel [kH, kW, C, O], or DepthwiseConv2D with [kH, kW, C, M] (output channel c·M + m).
Image ref_conv(const Image& x, const std::vector<float>& k, int64_t kh, int64_t kw, int64_t out_c, int64_t stride,
               bool same, const std::vector<float>& bias, bool depthwise) {
  Image y;
  int64_t top, left;
  tf_padding(x.h, kh, stride, same, y.h, top);
  tf_padding(x.w, kw, stride, same, y.w, left);
  y.c = out_c;
  y.v.resize(static_cast<size_t>(y.h * y.w * y.c));
  const int64_t mult = out_c / x.c;
  for (int64_t oy = 0; oy < y.h; ++oy)
    for (int64_t ox = 0; ox < y.w; ++ox)
      for (int64_t o = 0; o < out_c; ++o) {
        double acc = bias.empty() ? 0.0 : bias[static_cast<size_t>(o)];
        for (int64_t ky = 0; ky < kh; ++ky)
          for (int64_t kx = 0; kx < kw; ++kx) {
            const int64_t iy = oy * stride - top + ky, ix = ox * stride - left + kx;
            if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;
            if (depthwise) {
              const int64_t ci = o / mult, m = o % mult;
              acc += x.at(iy, ix, ci) * k[static_cast<size_t>(((ky * kw + kx) * x.c + ci) * mult + m)];
            } else {
              for (int64_t ci = 0; ci < x.c; ++ci)
                acc += x.at(iy, ix, ci) * k[static_cast<size_t>(((ky * kw + kx) * x.c + ci) * out_c + o)];
            }
          }
        y.v[static_cast<size_t>((oy * y.w + ox) * y.c + o)] = static_cast<float>(acc);
      }
  return y;
}

Image ref_pad(const Image& x, int64_t top, int64_t bottom, int64_t left, int64_t right) {
  Image y{x.h + top + bottom, x.w + left + right, x.c, {}};
  y.v.assign(static_cast<size_t>(y.h * y.w * y.c), 0.f);
  for (int64_t i = 0; i < x.h; ++i)
    for (int64_t j = 0; j < x.w; ++j)
      for (int64_t c = 0; c < x.c; ++c)
        y.v[static_cast<size_t>(((i + top) * y.w + j + left) * y.c + c)] = x.at(i, j, c);
  return y;
}

// (x − mean) / sqrt(var + eps) · gamma + beta per channel.
Image ref_batch_norm(Image x, const std::vector<float>& gamma, const std::vector<float>& beta,
                     const std::vector<float>& mean, const std::vector<float>& var, double eps) {
  for (size_t i = 0; i < x.v.size(); ++i) {
    size_t c = i % static_cast<size_t>(x.c);
    x.v[i] = static_cast<float>((x.v[i] - mean[c]) / std::sqrt(var[c] + eps) * gamma[c] + beta[c]);
  }
  return x;
}

Image ref_clip(Image x, float lo, float hi) {
  for (float& v : x.v) v = std::min(std::max(v, lo), hi);
  return x;
}

std::vector<float> ref_dense(const std::vector<float>& x, const std::vector<float>& k, const std::vector<float>& bias) {
  std::vector<float> y(bias.size());
  for (size_t j = 0; j < y.size(); ++j) {
    double acc = bias[j];
    for (size_t i = 0; i < x.size(); ++i) acc += x[i] * k[i * y.size() + j];
    y[j] = static_cast<float>(acc);
  }
  return y;
}

std::vector<float> ref_softmax(std::vector<float> x) {
  double sum = 0, mx = *std::max_element(x.begin(), x.end());
  for (float v : x) sum += std::exp(v - mx);
  for (float& v : x) v = static_cast<float>(std::exp(v - mx) / sum);
  return x;
}

// Conv2DTranspose with a kernel [kH, kW, O, C]: each input pixel scatters kernel·x at (i·stride − before).
// Keras' output size: in·stride (SAME) or in·stride + max(k − stride, 0) (VALID); `before` is the padding
// TF's forward SAME convolution from that size back to `in` would put first.
Image ref_conv_transpose(const Image& x, const std::vector<float>& k, int64_t ksize, int64_t out_c, int64_t stride,
                         bool same) {
  Image y;
  y.h = x.h * stride + (same ? 0 : std::max<int64_t>(ksize - stride, 0));
  y.w = x.w * stride + (same ? 0 : std::max<int64_t>(ksize - stride, 0));
  y.c = out_c;
  y.v.assign(static_cast<size_t>(y.h * y.w * y.c), 0.f);
  const int64_t top = same ? std::max<int64_t>((x.h - 1) * stride + ksize - y.h, 0) / 2 : 0;
  const int64_t left = same ? std::max<int64_t>((x.w - 1) * stride + ksize - y.w, 0) / 2 : 0;
  for (int64_t i = 0; i < x.h; ++i)
    for (int64_t j = 0; j < x.w; ++j)
      for (int64_t a = 0; a < ksize; ++a)
        for (int64_t bb = 0; bb < ksize; ++bb) {
          const int64_t oy = i * stride + a - top, ox = j * stride + bb - left;
          if (oy < 0 || oy >= y.h || ox < 0 || ox >= y.w) continue;
          for (int64_t o = 0; o < out_c; ++o)
            for (int64_t ci = 0; ci < x.c; ++ci)
              y.v[static_cast<size_t>((oy * y.w + ox) * out_c + o)] +=
                  x.at(i, j, ci) * k[static_cast<size_t>(((a * ksize + bb) * out_c + o) * x.c + ci)];
        }
  return y;
}

// ---- a MobileNetV2-like block, as both Keras serialisations ------------------------------------------

struct MiniNet {
  std::vector<float> c1_kernel, bn_gamma, bn_beta, bn_mean, bn_var, dw_kernel, dw_bias, pw_kernel, pw_bias, sep_dw,
      sep_pw, sep_bias, dense_kernel, dense_bias;
  MiniNet() {
    uint32_t seed = 7;
    c1_kernel = random_values(3 * 3 * 3 * 4, seed);
    bn_gamma = random_values(4, seed, 0.5f, 1.5f);
    bn_beta = random_values(4, seed);
    bn_mean = random_values(4, seed);
    bn_var = random_values(4, seed, 0.2f, 2.f);
    dw_kernel = random_values(3 * 3 * 4 * 2, seed);
    dw_bias = random_values(8, seed);
    pw_kernel = random_values(8 * 4, seed);
    pw_bias = random_values(4, seed);
    sep_dw = random_values(3 * 3 * 4, seed);
    sep_pw = random_values(4 * 5, seed);
    sep_bias = random_values(5, seed);
    dense_kernel = random_values(5 * 3, seed);
    dense_bias = random_values(3, seed);
  }

  // input [1,9,8,3] → ZeroPadding2D ((0,1),(0,1)) → Conv2D 3×3/2 valid → BN → ReLU(6) → DepthwiseConv2D 3×3
  // same ×2 + bias, relu → Conv2D 1×1 + bias → Add(with the ReLU6) → SeparableConv2D 3×3/2 same, relu6 →
  // GlobalAveragePooling2D → Dropout → Dense(3, softmax).
  LayersModel model(bool keras3) const {
    LayersModel m;
    m.keras3 = keras3;
    m.input("x", "[null,9,8,3]")
        .layer("ZeroPadding2D", "pad", R"("padding":[[0,1],[0,1]],"data_format":"channels_last")", {"x"})
        .layer("Conv2D", "c1",
               R"("filters":4,"kernel_size":[3,3],"strides":[2,2],"padding":"valid","data_format":"channels_last",
               "dilation_rate":[1,1],"activation":"linear","use_bias":false)",
               {"pad"})
        .layer("BatchNormalization", "bn", R"("axis":-1,"epsilon":0.001,"center":true,"scale":true)", {"c1"})
        .layer("ReLU", "relu", R"("max_value":6,"negative_slope":0,"threshold":0)", {"bn"})
        .layer("DepthwiseConv2D", "dw", R"("kernel_size":[3,3],"strides":[1,1],"padding":"same","depth_multiplier":2,
               "activation":"relu","use_bias":true)",
               {"relu"})
        .layer("Conv2D", "pw", R"("filters":4,"kernel_size":1,"activation":"linear","use_bias":true,"padding":"valid")",
               {"dw"})
        .layer("Add", "add", "", {"relu", "pw"})
        .layer("SeparableConv2D", "sep",
               R"("filters":5,"kernel_size":[3,3],"strides":2,"padding":"same","depth_multiplier":1,
               "activation":"relu6","use_bias":true)",
               {"add"})
        .layer("GlobalAveragePooling2D", "gap", R"("data_format":"channels_last")", {"sep"})
        .layer("Dropout", "drop", R"("rate":0.5)", {"gap"})
        .layer("Dense", "probs", R"("units":3,"activation":"softmax","use_bias":true)", {"drop"});
    m.weight("c1/kernel", {3, 3, 3, 4}, c1_kernel)
        .weight("bn/gamma", {4}, bn_gamma)
        .weight("bn/beta", {4}, bn_beta)
        .weight("bn/moving_mean", {4}, bn_mean)
        .weight("bn/moving_variance", {4}, bn_var)
        .weight("dw/depthwise_kernel", {3, 3, 4, 2}, dw_kernel)
        .weight("dw/bias", {8}, dw_bias)
        .weight("pw/kernel", {1, 1, 8, 4}, pw_kernel)
        .weight("pw/bias", {4}, pw_bias)
        .weight("sep/depthwise_kernel", {3, 3, 4, 1}, sep_dw)
        .weight("sep/pointwise_kernel", {1, 1, 4, 5}, sep_pw)
        .weight("sep/bias", {5}, sep_bias)
        .weight("probs/kernel", {5, 3}, dense_kernel)
        .weight("probs/bias", {3}, dense_bias);
    return m;
  }

  std::vector<float> reference(const Image& x) const {
    Image p = ref_pad(x, 0, 1, 0, 1);
    Image r = ref_clip(
        ref_batch_norm(ref_conv(p, c1_kernel, 3, 3, 4, 2, false, {}, false), bn_gamma, bn_beta, bn_mean, bn_var, 1e-3),
        0.f, 6.f);
    Image d = ref_clip(ref_conv(r, dw_kernel, 3, 3, 8, 1, true, dw_bias, true), 0.f, INFINITY);
    Image a = ref_conv(d, pw_kernel, 1, 1, 4, 1, false, pw_bias, false);
    for (size_t i = 0; i < a.v.size(); ++i) a.v[i] += r.v[i];
    Image s =
        ref_clip(ref_conv(ref_conv(a, sep_dw, 3, 3, 4, 2, true, {}, true), sep_pw, 1, 1, 5, 1, false, sep_bias, false),
                 0.f, 6.f);
    std::vector<float> gap(5, 0.f);
    for (size_t i = 0; i < s.v.size(); ++i) gap[i % 5] += s.v[i] / static_cast<float>(s.h * s.w);
    return ref_softmax(ref_dense(gap, dense_kernel, dense_bias));
  }
};

}  // namespace

TEST_CASE(
    "tfjs layers: a MobileNetV2-like block matches a naive Keras reference (Keras 2 and 3 forms, optimised or not)") {
  MiniNet net;
  uint32_t seed = 99;
  Image x{9, 8, 3, random_values(9 * 8 * 3, seed, 0.f, 1.f)};
  std::vector<float> want = net.reference(x);
  // SAME with stride 2 on 4×4 pads one pixel, after: the reference and the engine must agree on where.
  for (bool keras3 : {false, true})
    for (bool optimize : {true, false}) {
      CAPTURE(keras3);
      CAPTURE(optimize);
      LayersModel m = net.model(keras3);
      std::string json =
          m.json(keras3 ? R"(["x",0,0])" : R"([["x",0,0]])", keras3 ? R"(["probs",0,0])" : R"([["probs",0,0]])");
      std::vector<Tensor> out = run_model(json, m.reader(), "x", tensor({1, 9, 8, 3}, x.v), optimize);
      REQUIRE(out.size() == 1);
      CHECK(out[0].shape() == Shape{1, 3});
      check_close(out[0], want, 1e-5);  // float32 through ~10 layers, summed in a different order
    }
  LayersModel m = net.model(false);
  Result<Graph> g = tfjs::import_model(m.json(R"([["x",0,0]])", R"([["probs",0,0]])"), m.reader());
  REQUIRE(g.is_ok());
  REQUIRE(g->inputs.size() == 1);
  CHECK(g->value(g->inputs[0]).name == "x");
  CHECK(g->value(g->inputs[0]).shape == Shape{-1, 9, 8, 3});
  CHECK(g->value(g->outputs[0]).name == "probs");
}

TEST_CASE("tfjs layers: ReLU's max_value, negative_slope and threshold, LeakyReLU (hand-computed)") {
  // f(x) = max_value for x ≥ max_value, x for threshold < x < max_value, negative_slope·(x − threshold) else.
  const std::vector<float> x = {-2.f, -0.5f, 0.f, 0.5f, 1.f, 3.f, 7.f};
  struct Case {
    const char* layer;
    std::vector<float> want;
  } cases[] = {
      {R"("class_name":"ReLU","config":{"name":"r"})", {0, 0, 0, 0.5f, 1, 3, 7}},
      {R"("class_name":"ReLU","config":{"name":"r","max_value":6.0})", {0, 0, 0, 0.5f, 1, 3, 6}},
      {R"("class_name":"ReLU","config":{"name":"r","negative_slope":0.1})", {-0.2f, -0.05f, 0, 0.5f, 1, 3, 7}},
      {R"("class_name":"ReLU","config":{"name":"r","negative_slope":0.1,"max_value":6})",
       {-0.2f, -0.05f, 0, 0.5f, 1, 3, 6}},
      {R"("class_name":"ReLU","config":{"name":"r","threshold":1,"max_value":6,"negative_slope":0.1})",
       {-0.3f, -0.15f, -0.1f, -0.05f, 0, 3, 6}},
      {R"("class_name":"ReLU","config":{"name":"r","threshold":1})", {0, 0, 0, 0, 0, 3, 7}},
      {R"("class_name":"ReLU","config":{"name":"r","threshold":1,"max_value":5})", {0, 0, 0, 0, 0, 3, 5}},
      {R"("class_name":"LeakyReLU","config":{"name":"r"})", {-0.6f, -0.15f, 0, 0.5f, 1, 3, 7}},
      {R"("class_name":"LeakyReLU","config":{"name":"r","negative_slope":0.5})", {-1, -0.25f, 0, 0.5f, 1, 3, 7}},
      {R"("class_name":"ELU","config":{"name":"r","alpha":2})",
       {2 * std::expm1(-2.f), 2 * std::expm1(-0.5f), 0, 0.5f, 1, 3, 7}},
      {R"("class_name":"ThresholdedReLU","config":{"name":"r","theta":0.5})", {0, 0, 0, 0, 1, 3, 7}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.layer);
    std::string json =
        sequential_json(R"({"class_name":"InputLayer","config":{"name":"in","batch_input_shape":[null,7]}},{)" +
                        std::string(c.layer) + "}");
    std::vector<Tensor> out = run_model(json, no_shards(), "in", tensor({1, 7}, x));
    check_close(out[0], c.want, 1e-6);
  }
}

TEST_CASE("tfjs layers: activation functions by name (hand-computed at −ln 3, 0, ln 3)") {
  const float l3 = std::log(3.f);
  const std::vector<float> x = {-l3, 0.f, l3};
  // e^x = 1/3, 1, 3: sigmoid 1/4, 1/2, 3/4; tanh ∓0.8; softmax (1/3, 1, 3)/(13/3).
  const std::map<std::string, std::vector<float>> cases = {
      {"linear", x},
      {"relu", {0, 0, l3}},
      {"relu6", {0, 0, l3}},
      {"sigmoid", {0.25f, 0.5f, 0.75f}},
      {"tanh", {-0.8f, 0, 0.8f}},
      {"softmax", {1.f / 13, 3.f / 13, 9.f / 13}},
      {"log_softmax", {std::log(1.f / 13), std::log(3.f / 13), std::log(9.f / 13)}},
      {"elu", {-2.f / 3, 0, l3}},
      {"softplus", {std::log(4.f / 3), std::log(2.f), std::log(4.f)}},
      {"softsign", {-l3 / (1 + l3), 0, l3 / (1 + l3)}},
      {"swish", {-l3 * 0.25f, 0, l3 * 0.75f}},
      {"hard_sigmoid", {0.5f - 0.2f * l3, 0.5f, 0.5f + 0.2f * l3}},
      {"exponential", {1.f / 3, 1, 3}},
      {"gelu", {-l3 * 0.5f * (1 + std::erf(-l3 / std::sqrt(2.f))), 0, l3 * 0.5f * (1 + std::erf(l3 / std::sqrt(2.f)))}},
  };
  for (const auto& entry : cases) {
    const std::string& act = entry.first;  // not a structured binding: CAPTURE's lambda cannot take one in C++17
    const std::vector<float>& want = entry.second;
    CAPTURE(act);
    // Keras 2.3+ Sequential form: {"name", "layers"}, the input shape on the first layer.
    std::string json = R"({"modelTopology":{"class_name":"Sequential","config":{"name":"s","layers":[
      {"class_name":"Activation","config":{"name":"a","activation":")" +
                       act + R"(","batch_input_shape":[null,3]}}]}},"weightsManifest":[]})";
    std::vector<Tensor> out = run_model(json, no_shards(), "a_input", tensor({1, 3}, x));
    check_close(out[0], want, 1e-5);
  }
}

TEST_CASE("tfjs layers: pooling with TF's SAME (padding not averaged), BatchNormalization without scale/center") {
  // x = 1..9 on a 3×3 grid. AveragePooling2D 2×2/2 SAME: windows {1,2,4,5}, {3,6}, {7,8}, {9} (only the
  // pixels inside the image count). MaxPooling2D 2×2/1 VALID: 5, 6, 8, 9.
  // BatchNormalization(center/scale off, mean 1, var 3, eps 1): (x − 1) / 2.
  LayersModel m;
  m.input("img", "[null,3,3,1]")
      .layer("AveragePooling2D", "avg", R"("pool_size":[2,2],"strides":[2,2],"padding":"same")", {"img"})
      .layer("MaxPooling2D", "max", R"("pool_size":2,"strides":null,"padding":"valid")", {"img"})
      .layer("BatchNormalization", "bn", R"("axis":3,"epsilon":1,"center":false,"scale":false)", {"img"})
      .layer("MaxPooling2D", "max1", R"("pool_size":[2,2],"strides":[1,1],"padding":"valid")", {"img"})
      .weight("bn/moving_mean", {1}, {1.f})
      .weight("bn/moving_variance", {1}, {3.f});
  std::string json = m.json(R"([["img",0,0]])", R"([["avg",0,0],["max",0,0],["bn",0,0],["max1",0,0]])");
  std::vector<Tensor> out = run_model(json, m.reader(), "img", tensor({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  REQUIRE(out.size() == 4);
  check_close(out[0], {3.f, 4.5f, 7.5f, 9.f}, 1e-6);
  check_close(out[1], {5.f}, 1e-6);  // strides null = pool_size: one 2×2 window
  check_close(out[2], {0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f, 4}, 1e-6);
  check_close(out[3], {5.f, 6.f, 8.f, 9.f}, 1e-6);
}

TEST_CASE("tfjs layers: UpSampling2D, Cropping2D, Flatten, Reshape, Permute, Concatenate, merges (hand-computed)") {
  // [[1,2],[3,4]] → nearest ×2 → 4×4 → crop top 1, right 1 → [[1,1,2],[3,3,4],[3,3,4]] → flatten (9),
  // concatenated with the input reshaped to [4].
  LayersModel m;
  m.input("x", "[null,2,2,1]")
      .layer("UpSampling2D", "up", R"("size":[2,2],"interpolation":"nearest")", {"x"})
      .layer("Cropping2D", "crop", R"("cropping":[[1,0],[0,1]])", {"up"})
      .layer("Flatten", "flat", "", {"crop"})
      .layer("Reshape", "r4", R"("target_shape":[4])", {"x"})
      .layer("Concatenate", "cat", R"("axis":-1)", {"flat", "r4"})
      .layer("Permute", "perm", R"("dims":[2,1,3])", {"x"})
      .layer("Reshape", "rp", R"("target_shape":[-1])", {"perm"})
      .layer("Subtract", "sub", "", {"r4", "rp"})
      .layer("Multiply", "mul", "", {"r4", "rp", "r4"})
      .layer("Average", "avg", "", {"r4", "rp"})
      .layer("Maximum", "mx", "", {"r4", "rp"})
      .layer("Add", "add3", "", {"r4", "rp", "r4"});
  std::string json =
      m.json(R"([["x",0,0]])", R"([["cat",0,0],["sub",0,0],["mul",0,0],["avg",0,0],["mx",0,0],["add3",0,0]])");
  std::vector<Tensor> out = run_model(json, m.reader(), "x", tensor({1, 2, 2, 1}, {1, 2, 3, 4}));
  REQUIRE(out.size() == 6);
  CHECK(out[0].shape() == Shape{1, 13});
  check_close(out[0], {1, 1, 2, 3, 3, 4, 3, 3, 4, 1, 2, 3, 4}, 0);
  // Permute swaps H and W: [1,3,2,4].
  check_close(out[1], {0, -1, 1, 0}, 0);
  check_close(out[2], {1, 12, 18, 64}, 0);
  check_close(out[3], {1, 2.5f, 2.5f, 4}, 0);
  check_close(out[4], {1, 3, 3, 4}, 0);
  check_close(out[5], {3, 7, 8, 12}, 0);
}

TEST_CASE("tfjs layers: a shared layer (two calls) reads one constant; Dense on rank 3") {
  // shared: x·[[1,2],[3,4]] + [0.5,−1]. [1,1] → [4.5, 5] → [20, 28].
  LayersModel m;
  m.input("x", "[null,2]").input("seq", "[null,2,2]");
  m.layers.push_back(R"({"class_name":"Dense","name":"shared","config":{"name":"shared","units":2},
                        "inbound_nodes":[[["x",0,0,{}]],[["shared",0,0,{}]]]})");
  m.layer("Dense", "td", R"("units":1,"use_bias":false,"activation":"relu")", {"seq"});
  m.weight("shared/kernel", {2, 2}, {1, 2, 3, 4})
      .weight("shared/bias", {2}, {0.5f, -1.f})
      .weight("td/kernel", {2, 1}, {1, -1});
  std::string json = m.json(R"([["x",0,0],["seq",0,0]])", R"([["shared",1,0],["shared",0,0],["td",0,0]])");
  Result<Graph> g = tfjs::import_model(json, m.reader());
  REQUIRE_MESSAGE(g.is_ok(), g.status().message());
  int kernels = 0;
  for (const Value& v : g->values) kernels += v.name == "shared/kernel";
  CHECK(kernels == 1);
  CHECK(g->value(g->outputs[0]).name == "shared/call_1");
  auto model = Model::from_graph(std::move(g.value()));
  REQUIRE(model.is_ok());
  Tensor x = tensor({1, 2}, {1, 1}), seq = tensor({1, 2, 2}, {3, 1, 1, 3});
  auto out = model.value()->run({{"x", &x}, {"seq", &seq}});
  REQUIRE_MESSAGE(out.is_ok(), out.status().message());
  check_close(out.value()[0], {20, 28}, 1e-6);
  check_close(out.value()[1], {4.5f, 5}, 1e-6);
  CHECK(out.value()[2].shape() == Shape{1, 2, 1});
  check_close(out.value()[2], {2, 0}, 1e-6);  // relu(3 − 1), relu(1 − 3)
}

TEST_CASE("tfjs layers: Conv2DTranspose sizes and values match a naive scatter (SAME/VALID, kernel vs stride)") {
  struct Case {
    int64_t k, stride;
    bool same;
  } cases[] = {{3, 2, true}, {4, 2, true}, {3, 2, false}, {1, 2, false}, {1, 3, true}, {2, 2, true}, {3, 1, true}};
  uint32_t seed = 31;
  for (const Case& c : cases) {
    CAPTURE(c.k);
    CAPTURE(c.stride);
    CAPTURE(c.same);
    Image x{3, 2, 2, random_values(3 * 2 * 2, seed)};
    std::vector<float> kernel = random_values(static_cast<size_t>(c.k * c.k * 3 * 2), seed);
    Image want = ref_conv_transpose(x, kernel, c.k, 3, c.stride, c.same);
    LayersModel m;
    m.input("x", "[null,3,2,2]")
        .layer("Conv2DTranspose", "up",
               R"("filters":3,"kernel_size":)" + std::to_string(c.k) + R"(,"strides":)" + std::to_string(c.stride) +
                   R"(,"padding":")" + (c.same ? "same" : "valid") + R"(","use_bias":false,"output_padding":null)",
               {"x"})
        .weight("up/kernel", {c.k, c.k, 3, 2}, kernel);
    std::vector<Tensor> out =
        run_model(m.json(R"([["x",0,0]])", R"([["up",0,0]])"), m.reader(), "x", tensor({1, 3, 2, 2}, x.v));
    CHECK(out[0].shape() == Shape{1, want.h, want.w, 3});
    if (out[0].shape() == Shape{1, want.h, want.w, 3}) check_close(out[0], want.v, 1e-5);
  }
}

TEST_CASE("tfjs layers: errors name the layers and what is wrong") {
  MiniNet net;
  LayersModel good = net.model(false);
  const std::string in = R"([["x",0,0]])", out = R"([["probs",0,0]])";
  REQUIRE(import_error(good.json(in, out), good.reader()) == "(imported)");

  SUBCASE("unsupported layer classes, all at once") {
    LayersModel m;
    m.input("x", "[null,4]")
        .layer("Lambda", "lam1", "", {"x"})
        .layer("LSTM", "rnn", "", {"lam1"})
        .layer("Lambda", "lam2", "", {"rnn"})
        .layer("Functional", "inner", "", {"lam2"});
    std::string e = import_error(m.json(in, R"([["inner",0,0]])"), m.reader());
    CHECK(contains(e, "unsupported Keras layers"));
    CHECK(contains(e, "Lambda ('lam1', 'lam2')"));
    CHECK(contains(e, "LSTM ('rnn')"));
    CHECK(contains(e, "Functional (a nested model) ('inner')"));
  }
  SUBCASE("a missing weight") {
    LayersModel m = good;
    m.specs.erase(m.specs.begin());  // c1/kernel; the shard is then longer than the manifest says
    m.shard.erase(m.shard.begin(), m.shard.begin() + 3 * 3 * 3 * 4 * 4);
    std::string e = import_error(m.json(in, out), m.reader());
    CHECK(contains(e, "Conv2D 'c1'"));
    CHECK(contains(e, "weight 'c1/kernel' is not in weightsManifest"));
  }
  SUBCASE("a weight of the wrong shape") {
    LayersModel m = net.model(false);
    m.layers[2] =
        R"({"class_name":"Conv2D","name":"c1","config":{"name":"c1","filters":5,"kernel_size":3,"strides":2,"use_bias":false},
                    "inbound_nodes":[[["pad",0,0,{}]]]})";
    std::string e = import_error(m.json(in, out), m.reader());
    CHECK(contains(e, "Conv2D 'c1': weight 'kernel' has shape [3,3,3,4], expected [3,3,in/groups,5]"));
  }
  SUBCASE("input dimensions that are not integers, or beyond int64 (fuzz regression input-dim-5e20)") {
    for (const char* dims : {"[null,5.5]", "[null,544444444444444444444]", "[null,-2]"}) {
      LayersModel m;
      m.input("x", dims).layer("Activation", "act", R"("activation":"relu")", {"x"});
      CAPTURE(dims);
      CHECK(contains(import_error(m.json(in, R"([["act",0,0]])"), m.reader()),
                     "input shape dimensions should be integers or null"));
    }
  }
  SUBCASE("graph-model and layers-model confused") {
    std::string e = import_error(good.json(in, out, "graph-model"), good.reader());
    CHECK(contains(e, "format says \"graph-model\" but modelTopology is a Keras layers topology"));
    e = import_error(
        R"({"format":"layers-model","modelTopology":{"node":[{"name":"x","op":"Placeholder"}]},"weightsManifest":[]})",
        no_shards());
    CHECK(contains(e, "format says \"layers-model\" but modelTopology has no Keras model_config"));
    CHECK(contains(e, "graph model"));
    e = import_error(R"({"format":"saved-model","modelTopology":{"node":[]},"weightsManifest":[]})", no_shards());
    CHECK(contains(e, "unknown TF.js model format 'saved-model'"));
  }
  SUBCASE("a call reading a layer that does not exist, or a later call of one") {
    LayersModel m = net.model(false);
    m.layer("Activation", "act", R"("activation":"relu")", {"nowhere"});
    std::string e = import_error(m.json(in, out), m.reader());
    CHECK(contains(e, "Activation 'act': reads 'nowhere' (call 0, output 0), which is not a layer of the model"));
    m = net.model(false);
    m.layers.push_back(R"({"class_name":"ReLU","name":"r2","config":{},"inbound_nodes":[[["relu",3,0,{}]]]})");
    e = import_error(m.json(in, out), m.reader());
    CHECK(contains(e, "ReLU 'r2': reads 'relu' (call 3, output 0), but that layer is called 1 time(s)"));
  }
  SUBCASE("a cycle") {
    LayersModel m;
    m.input("x", "[null,4]").layer("Add", "a", "", {"x", "b"}).layer("ReLU", "b", "", {"a"});
    CHECK(contains(import_error(m.json(in, R"([["b",0,0]])"), m.reader()), "cycle"));
  }
  SUBCASE("bad configs") {
    auto with = [&](const std::string& cls, const std::string& config) {
      LayersModel m;
      m.input("x", "[null,4,4,2]").layer(cls, "l", config, {"x"});
      return import_error(m.json(in, R"([["l",0,0]])"), m.reader());
    };
    CHECK(contains(with("Activation", R"("activation":"bent")"), "Activation 'l': activation 'bent' is not supported"));
    CHECK(contains(with("MaxPooling2D", R"("data_format":"channels_first")"),
                   "data_format 'channels_first' is not supported"));
    CHECK(contains(with("MaxPooling2D", R"("padding":"causal")"), "padding 'causal' is not supported"));
    CHECK(contains(with("MaxPooling2D", R"("pool_size":[0,2])"), "'pool_size' must be positive"));
    CHECK(contains(with("ReLU", R"("negative_slope":-1)"), "must not be negative"));
    CHECK(contains(with("UpSampling2D", R"("interpolation":"bilinear")"), "interpolation 'bilinear' is not supported"));
    CHECK(contains(with("Conv2D", R"("kernel_size":3)"), "Conv2D 'l': config 'filters' is missing"));
    CHECK(contains(with("Dense", R"("units":2.5)"), "config 'units' should hold integers"));
    CHECK(contains(with("Reshape", R"("target_shape":[0])"), "target_shape dimensions must be positive"));
    CHECK(contains(with("Add", ""), "Add 'l': takes 2 or more inputs, the call has 1"));
  }
  SUBCASE("topology structure") {
    CHECK(contains(import_error(R"({"modelTopology":{"class_name":"Model","config":{"layers":[]}}})", no_shards()),
                   "the model has no layers"));
    CHECK(contains(import_error(R"({"modelTopology":{"class_name":"Graph","config":{}}})", no_shards()),
                   "not a Keras model"));
    LayersModel m = net.model(false);
    CHECK(contains(import_error(m.json(R"([["c1",0,0]])", out), m.reader()),
                   "model input 'c1' (call 0, output 0) is not an InputLayer"));
    CHECK(contains(import_error(m.json(in, R"([["probs",0,1]])"), m.reader()),
                   "model output 'probs' (call 0, output 1) is not produced"));
    m.layers.push_back(m.layers[3]);
    CHECK(contains(import_error(m.json(in, out), m.reader()), "a second layer has this name"));
    m = net.model(false);
    m.layers[1] = R"({"class_name":"ZeroPadding2D","name":"pad","config":{},"inbound_nodes":[[["x",0]]]})";
    CHECK(contains(import_error(m.json(in, out), m.reader()),
                   "a tensor reference should be [layer_name, node_index, tensor_index]"));
  }
}

TEST_CASE("tfjs layers: truncated and mutated layers-model JSON never crash (errors or a valid graph)") {
  MiniNet net;
  LayersModel m = net.model(false);
  std::string json = m.json(R"([["x",0,0]])", R"([["probs",0,0]])");
  for (size_t cut = 0; cut < json.size(); cut += 11)
    CHECK_FALSE(tfjs::import_model(json.substr(0, cut), m.reader()).is_ok());
  uint32_t seed = 4242;
  auto next = [&seed] { return seed = seed * 1664525u + 1013904223u; };
  const char bytes[] = {'"', '{', '}', '[', ']', ',', ':', '0', '9', '-', 'n', ' '};
  int ok = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    std::string mutated = json;
    for (int k = 0; k < 3; ++k) mutated[next() % mutated.size()] = bytes[next() % sizeof(bytes)];
    Result<Graph> r = tfjs::import_model(mutated, m.reader());
    if (r.is_ok()) {
      ++ok;
      CHECK(r->validate().is_ok());
    } else {
      CHECK_FALSE(r.status().message().empty());
    }
  }
  MESSAGE(ok << " of 2000 mutated files still imported");
}

TEST_CASE("tfjs layers: nsfwjs MobileNetV2 imports and runs, InceptionV3 imports (when fetched)") {
  const std::string path = std::string(WEBCNN_SOURCE_DIR) + "/models/nsfwjs/model.json";
  if (!std::ifstream(path)) {
    MESSAGE("models/nsfwjs not fetched (node models/fetch-models.mjs): skipped");
    return;
  }
  Result<Graph> g = import_model_file(path);
  REQUIRE_MESSAGE(g.is_ok(), g.status().message());
  std::map<std::string, int> ops = g->op_histogram();
  CHECK(ops["Conv"] == 52);  // 35 Conv2D + 17 DepthwiseConv2D
  CHECK(ops["BatchNormalization"] == 52);
  CHECK(ops["Gemm"] == 3);
  CHECK(g->value(g->outputs[0]).name == "dense_3");
  auto model = Model::from_graph(std::move(g.value()));
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  Tensor gray(DataType::kFloat32, {1, 224, 224, 3});
  std::fill(gray.data<float>(), gray.data<float>() + gray.size(), 0.5f);
  auto out = model.value()->run({{"input_1", &gray}});
  REQUIRE_MESSAGE(out.is_ok(), out.status().message());
  REQUIRE(out.value()[0].shape() == Shape{1, 5});
  double sum = 0;
  for (int i = 0; i < 5; ++i) {
    CHECK(out.value()[0].data<float>()[i] >= 0.f);
    sum += out.value()[0].data<float>()[i];
  }
  CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));  // softmax

  // InceptionV3: BatchNormalization with scale = false, Concatenate, SAME average pooling.
  Result<Graph> inception =
      import_model_file(std::string(WEBCNN_SOURCE_DIR) + "/models/nsfwjs/inception_v3/model.json");
  REQUIRE_MESSAGE(inception.is_ok(), inception.status().message());
  ops = inception->op_histogram();
  CHECK(ops["Conv"] == 94);
  CHECK(ops["BatchNormalization"] == 94);
  CHECK(ops["Concat"] == 15);
  CHECK(ops["AveragePool"] == 10);
  CHECK(ops["MaxPool"] == 4);
}
