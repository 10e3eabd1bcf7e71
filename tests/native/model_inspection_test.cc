// Model inspection (the demo's "Look inside"): conv_layers() lists the convolutions as the engine runs
// them, conv_weights() returns their weights with BatchNorm folded in, run_capturing() copies out a
// layer's feature maps in NHWC. Oracles: the weights the test put in (and BN folding worked out here),
// and a naive convolution written in this file. Tolerance |a - b| <= 1e-5 * max(1, |b|).
#include <doctest/doctest.h>

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
