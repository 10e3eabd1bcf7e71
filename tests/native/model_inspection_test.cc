// Model inspection (the demo's "Look inside"): conv_layers() lists the convolutions as the engine runs
// them, conv_weights() returns their weights with BatchNorm folded in, run_capturing() copies out a
// layer's feature maps in NHWC. Oracles: the weights the test put in (and BN folding worked out here),
// and a naive convolution written in this file. Tolerance |a - b| <= 1e-5 * max(1, |b|).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "graph/graph.h"
#include "support/graph_building.h"
#include "webcnn/model.h"

using namespace webcnn;
using namespace webcnn::test_graph;

namespace {

// x [1,C,H,W] NCHW, w [O,C,k,k], stride 1, symmetric padding p → NHWC [1,H',W',O], then ReLU when asked.
std::vector<float> naive_conv_nhwc(const Tensor& x, const Tensor& w, const Tensor& b, int64_t p, bool relu) {
  const int64_t c = x.shape()[1], h = x.shape()[2], wd = x.shape()[3];
  const int64_t o = w.shape()[0], k = w.shape()[2];
  const int64_t oh = h + 2 * p - k + 1, ow = wd + 2 * p - k + 1;
  std::vector<float> y(static_cast<size_t>(oh * ow * o));
  for (int64_t yy = 0; yy < oh; ++yy)
    for (int64_t xx = 0; xx < ow; ++xx)
      for (int64_t oc = 0; oc < o; ++oc) {
        double acc = b.data<float>()[oc];
        for (int64_t ic = 0; ic < c; ++ic)
          for (int64_t ky = 0; ky < k; ++ky)
            for (int64_t kx = 0; kx < k; ++kx) {
              const int64_t iy = yy + ky - p, ix = xx + kx - p;
              if (iy < 0 || ix < 0 || iy >= h || ix >= wd) continue;
              acc +=
                  double(x.data<float>()[(ic * h + iy) * wd + ix]) * w.data<float>()[((oc * c + ic) * k + ky) * k + kx];
            }
        y[static_cast<size_t>((yy * ow + xx) * o + oc)] = relu ? std::max(0.0f, float(acc)) : float(acc);
      }
  return y;
}

struct TwoConvModel {
  Tensor w1, b1, w2, gamma, beta, mean, var;
  std::unique_ptr<Model> model;
};

// input [1,3,6,5] → conv1 (3x3, pad 1) → Relu → conv2 (1x1) → BatchNormalization → output
TwoConvModel make_model() {
  std::mt19937 rng(7);
  TwoConvModel m;
  m.w1 = random_tensor({4, 3, 3, 3}, rng);
  m.b1 = random_tensor({4}, rng);
  m.w2 = random_tensor({2, 4, 1, 1}, rng);
  m.gamma = random_tensor({2}, rng, 0.5f, 2.0f);
  m.beta = random_tensor({2}, rng);
  m.mean = random_tensor({2}, rng);
  m.var = random_tensor({2}, rng, 0.5f, 2.0f);
  Graph g;
  ValueId x = g.add_value("input");
  g.value(x).shape = {1, 3, 6, 5};
  g.value(x).has_shape = true;
  g.inputs.push_back(x);
  const std::vector<int64_t> pads1 = {1, 1, 1, 1};
  ValueId c1 = add_node(g, "Conv", "conv1", {x, g.add_constant("w1", m.w1), g.add_constant("b1", m.b1)},
                        {{"pads", Attribute::of_ints(pads1)}});
  ValueId r1 = add_node(g, "Relu", "relu1", {c1});
  ValueId c2 = add_node(g, "Conv", "conv2", {r1, g.add_constant("w2", m.w2)});
  ValueId bn = add_node(g, "BatchNormalization", "bn2",
                        {c2, g.add_constant("gamma", m.gamma), g.add_constant("beta", m.beta),
                         g.add_constant("mean", m.mean), g.add_constant("var", m.var)});
  g.outputs.push_back(bn);
  auto model = Model::from_graph(std::move(g));
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  m.model = std::move(model).value();
  return m;
}

}  // namespace

TEST_CASE("inspection: conv_layers lists the convolutions in execution order") {
  TwoConvModel m = make_model();
  std::vector<ConvLayerInfo> layers = m.model->conv_layers();
  REQUIRE(layers.size() == 2);
  CHECK(layers[0].name == "conv1");
  CHECK(layers[0].weights == Shape{4, 3, 3, 3});
  CHECK(layers[0].group == 1);
  CHECK(layers[1].name == "conv2");
  CHECK(layers[1].weights == Shape{2, 4, 1, 1});
}

TEST_CASE("inspection: conv_weights gives the weights as run, BatchNorm folded in") {
  TwoConvModel m = make_model();
  auto w1 = m.model->conv_weights("conv1");
  REQUIRE_MESSAGE(w1.is_ok(), w1.status().message());
  REQUIRE(w1.value().shape() == m.w1.shape());
  for (int64_t i = 0; i < m.w1.size(); ++i) CHECK(w1.value().data<float>()[i] == m.w1.data<float>()[i]);

  auto w2 = m.model->conv_weights("conv2");
  REQUIRE_MESSAGE(w2.is_ok(), w2.status().message());
  REQUIRE(w2.value().shape() == m.w2.shape());
  for (int64_t o = 0; o < 2; ++o) {
    const float scale = m.gamma.data<float>()[o] / std::sqrt(m.var.data<float>()[o] + 1e-5f);
    for (int64_t i = 0; i < 4; ++i) {
      const float want = m.w2.data<float>()[o * 4 + i] * scale;
      CHECK(std::fabs(w2.value().data<float>()[o * 4 + i] - want) <= 1e-5f * std::max(1.0f, std::fabs(want)));
    }
  }
  auto missing = m.model->conv_weights("relu1");
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().message().find("no convolution layer named 'relu1'") != std::string::npos);
}

TEST_CASE("inspection: run_capturing returns a layer's NHWC feature maps and the same outputs as run") {
  TwoConvModel m = make_model();
  std::mt19937 rng(11);
  Tensor x = random_tensor({1, 3, 6, 5}, rng);
  auto plain = m.model->run({{"input", &x}});
  REQUIRE(plain.is_ok());

  auto captured = m.model->run_capturing({{"input", &x}}, {"conv1"});
  REQUIRE_MESSAGE(captured.is_ok(), captured.status().message());
  REQUIRE(captured.value().layers.size() == 1);
  const Tensor& fm = captured.value().layers[0];
  REQUIRE(fm.shape() == Shape{1, 6, 5, 4});
  // The fused ReLU belongs to the layer: what the engine computes is conv1 followed by relu1.
  std::vector<float> want = naive_conv_nhwc(x, m.w1, m.b1, 1, true);
  for (size_t i = 0; i < want.size(); ++i)
    CHECK(std::fabs(fm.data<float>()[i] - want[i]) <= 1e-5f * std::max(1.0f, std::fabs(want[i])));

  REQUIRE(captured.value().outputs.size() == 1);
  const Tensor& a = captured.value().outputs[0];
  const Tensor& b = plain.value()[0];
  REQUIRE(a.shape() == b.shape());
  for (int64_t i = 0; i < a.size(); ++i) CHECK(a.data<float>()[i] == b.data<float>()[i]);

  // Back to no capture: the plan changes again and still agrees.
  auto again = m.model->run({{"input", &x}});
  REQUIRE(again.is_ok());
  for (int64_t i = 0; i < b.size(); ++i) CHECK(again.value()[0].data<float>()[i] == b.data<float>()[i]);

  auto bad = m.model->run_capturing({{"input", &x}}, {"nope"});
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().message().find("no convolution layer named 'nope'") != std::string::npos);
  // The refused capture left the plan as it was.
  auto after = m.model->run({{"input", &x}});
  REQUIRE(after.is_ok());
  for (int64_t i = 0; i < b.size(); ++i) CHECK(after.value()[0].data<float>()[i] == b.data<float>()[i]);
}

// The plan keeps weights only in its kernels' packed layouts (depthwise blocks of 4 channels, GEMM panels
// of 8/16 outputs): conv_weights() must recover every weight exactly, whatever the padding of those layouts.
TEST_CASE("inspection: conv_weights recovers depthwise, grouped and wide convolutions exactly") {
  std::mt19937 rng(5);
  const Tensor dw = random_tensor({6, 1, 3, 3}, rng);        // depthwise, 6 channels (not a multiple of 4)
  const Tensor grouped = random_tensor({10, 3, 3, 3}, rng);  // 2 groups of 3 → 5 outputs
  const Tensor wide = random_tensor({37, 10, 1, 1}, rng);    // 37 outputs: full panels and a tail
  Graph g;
  ValueId x = g.add_value("input");
  g.value(x).shape = {1, 6, 7, 5};
  g.value(x).has_shape = true;
  g.inputs.push_back(x);
  const std::vector<int64_t> pads = {1, 1, 1, 1};
  ValueId a = add_node(g, "Conv", "dw", {x, g.add_constant("w_dw", dw)},
                       {{"pads", Attribute::of_ints(pads)}, {"group", Attribute::of_int(6)}});
  ValueId b = add_node(g, "Conv", "grouped", {a, g.add_constant("w_grouped", grouped)},
                       {{"pads", Attribute::of_ints(pads)}, {"group", Attribute::of_int(2)}});
  ValueId c = add_node(g, "Conv", "wide", {b, g.add_constant("w_wide", wide)});
  g.outputs.push_back(c);
  auto model = Model::from_graph(std::move(g));
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  const std::vector<std::pair<std::string, const Tensor*>> layers = {
      {"dw", &dw}, {"grouped", &grouped}, {"wide", &wide}};
  for (const auto& layer : layers) {
    const std::string& name = layer.first;
    const Tensor* want = layer.second;
    CAPTURE(name);
    auto w = model.value()->conv_weights(name);
    REQUIRE_MESSAGE(w.is_ok(), w.status().message());
    REQUIRE(w.value().shape() == want->shape());
    int64_t differing = 0;
    for (int64_t i = 0; i < want->size(); ++i) differing += w.value().data<float>()[i] != want->data<float>()[i];
    CHECK(differing == 0);
  }
}

// An 8-bit layer is shown as the real numbers it stands for: conv_weights() dequantizes the weights per
// output channel (scale[o] · (q − zero_point[o])), run_capturing() the feature maps with the layer's output
// scale and zero point. Oracles: the definition applied here to the weights put in, and a naive
// convolution on the dequantized input and weights, quantized to the output grid (within one output unit:
// ties may round either way).
namespace {

void check_qlinear_conv(int64_t c, int64_t o, int64_t group) {
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> byte(0, 255);
  const int64_t h = 5, w = 4, k = 3, cg = c / group, og = o / group;
  Tensor x(DataType::kUInt8, {1, c, h, w}), wq(DataType::kUInt8, {o, cg, k, k});
  for (int64_t i = 0; i < x.size(); ++i) x.data<uint8_t>()[i] = static_cast<uint8_t>(byte(rng));
  for (int64_t i = 0; i < wq.size(); ++i) wq.data<uint8_t>()[i] = static_cast<uint8_t>(byte(rng));
  const float x_scale = 0.1f, y_scale = 0.05f;
  const uint8_t x_zp = 3, y_zp = 110;
  const std::vector<float> w_scale = {0.02f, 0.0005f, 0.003f};  // cycled over the output channels
  const std::vector<uint8_t> w_zp = {0, 128, 255};
  auto scalar_f = [](float v) {
    Tensor t(DataType::kFloat32, {});
    t.data<float>()[0] = v;
    return t;
  };
  auto scalar_u8 = [](uint8_t v) {
    Tensor t(DataType::kUInt8, {});
    t.data<uint8_t>()[0] = v;
    return t;
  };
  Tensor ws(DataType::kFloat32, {o}), wz(DataType::kUInt8, {o});
  for (int64_t i = 0; i < o; ++i) ws.data<float>()[i] = w_scale[i % 3], wz.data<uint8_t>()[i] = w_zp[i % 3];

  Graph g;
  ValueId in = g.add_value("input");
  g.value(in).shape = x.shape();
  g.value(in).dtype = DataType::kUInt8;
  g.value(in).has_shape = true;
  g.inputs.push_back(in);
  const std::vector<int64_t> pads = {1, 1, 1, 1};
  ValueId y = add_node(g, "QLinearConv", "qconv",
                       {in, g.add_constant("x_scale", scalar_f(x_scale)), g.add_constant("x_zp", scalar_u8(x_zp)),
                        g.add_constant("w", wq), g.add_constant("w_scale", ws), g.add_constant("w_zp", wz),
                        g.add_constant("y_scale", scalar_f(y_scale)), g.add_constant("y_zp", scalar_u8(y_zp))},
                       {{"pads", Attribute::of_ints(pads)}, {"group", Attribute::of_int(group)}});
  g.outputs.push_back(y);
  auto built = Model::from_graph(std::move(g));
  REQUIRE_MESSAGE(built.is_ok(), built.status().message());
  Model& model = *built.value();

  std::vector<ConvLayerInfo> layers = model.conv_layers();
  REQUIRE(layers.size() == 1);
  CHECK(layers[0].name == "qconv");
  CHECK(layers[0].weights == Shape{o, cg, k, k});
  CHECK(layers[0].group == group);

  auto weights = model.conv_weights("qconv");
  REQUIRE_MESSAGE(weights.is_ok(), weights.status().message());
  REQUIRE(weights.value().shape() == wq.shape());
  for (int64_t i = 0; i < wq.size(); ++i) {
    const int64_t oc = i / (cg * k * k);
    CHECK(weights.value().data<float>()[i] ==
          w_scale[oc % 3] * static_cast<float>(int{wq.data<uint8_t>()[i]} - int{w_zp[oc % 3]}));
  }

  auto run = model.run_capturing({{"input", &x}}, {"qconv"});
  REQUIRE_MESSAGE(run.is_ok(), run.status().message());
  REQUIRE(run.value().layers.size() == 1);
  const Tensor& maps = run.value().layers[0];
  REQUIRE(maps.dtype() == DataType::kFloat32);
  REQUIRE(maps.shape() == Shape{1, h, w, o});
  const Tensor& raw = run.value().outputs[0];  // the model's own output: uint8 NCHW
  REQUIRE(raw.dtype() == DataType::kUInt8);
  for (int64_t yy = 0; yy < h; ++yy)
    for (int64_t xx = 0; xx < w; ++xx)
      for (int64_t oc = 0; oc < o; ++oc) {
        double acc = 0;
        for (int64_t ic = oc / og * cg; ic < (oc / og + 1) * cg; ++ic)
          for (int64_t ky = 0; ky < k; ++ky)
            for (int64_t kx = 0; kx < k; ++kx) {
              const int64_t iy = yy + ky - 1, ix = xx + kx - 1;
              if (iy < 0 || ix < 0 || iy >= h || ix >= w) continue;
              const double xv = x_scale * (int{x.data<uint8_t>()[(ic * h + iy) * w + ix]} - int{x_zp});
              const int wq_at = wq.data<uint8_t>()[((oc * cg + ic % cg) * k + ky) * k + kx];
              const double wv = w_scale[oc % 3] * (wq_at - int{w_zp[oc % 3]});
              acc += xv * wv;
            }
        const double q = std::clamp(std::nearbyint(acc / y_scale) + y_zp, 0.0, 255.0);
        const float got = maps.data<float>()[(yy * w + xx) * o + oc];
        CAPTURE(yy);
        CAPTURE(xx);
        CAPTURE(oc);
        CHECK(std::fabs(got - y_scale * (q - y_zp)) <= y_scale * 1.0001);
        const int raw_q = raw.data<uint8_t>()[(oc * h + yy) * w + xx];
        CHECK(got == y_scale * static_cast<float>(raw_q - int{y_zp}));
      }
}

}  // namespace

TEST_CASE("inspection: QLinearConv layers are listed, their weights and feature maps dequantized") {
  SUBCASE("im2col GEMM, 2 channels in, 3 out") { check_qlinear_conv(2, 3, 1); }
  SUBCASE("depthwise, 11 channels (a block of 8 and a tail)") { check_qlinear_conv(11, 11, 11); }
  SUBCASE("grouped, 2 groups of 2 in and 5 out") { check_qlinear_conv(4, 10, 2); }
}
