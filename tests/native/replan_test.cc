// A model with free input dimensions plans for the shapes of each run. Its imported weights live only in
// the plan's packed kernels between re-plans (runtime/model.cc: drop_packed_constants), and come back from
// them when new shapes need a new plan. Checks every run of a shape sequence A, B, A, C against a naive
// convolution written here (ops/conv.h's reference), for ONNX-style OIHW weights and for TF.js-style
// HWIO weights re-laid-out by a Transpose node (folded at load). Tolerance |a − b| ≤ 1e-5·(1 + |b|).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "graph/graph.h"
#include "ops/conv.h"
#include "support/graph_building.h"
#include "webcnn/model.h"

using namespace webcnn;
using namespace webcnn::test_graph;

namespace {

// OIHW [o, i, k, k] → HWIO [k, k, i, o], as TF.js stores filters.
Tensor to_hwio(const Tensor& w) {
  const Shape& s = w.shape();
  Tensor out(DataType::kFloat32, {s[2], s[3], s[1], s[0]});
  for (int64_t o = 0; o < s[0]; ++o)
    for (int64_t i = 0; i < s[1]; ++i)
      for (int64_t y = 0; y < s[2]; ++y)
        for (int64_t x = 0; x < s[3]; ++x)
          out.data<float>()[((y * s[3] + x) * s[1] + i) * s[0] + o] =
              w.data<float>()[((o * s[1] + i) * s[2] + y) * s[3] + x];
  return out;
}

struct Net {
  Tensor w1, b1, w2, b2;  // 3×3 conv (pad 1) 3 → 8, ReLU, 1×1 conv 8 → 5
};

// x [-1, 3, -1, -1] → Conv → Relu → Conv → y. With `hwio`, each weight is an HWIO constant behind a
// Transpose to OIHW, the way the TF.js importer writes filters.
std::unique_ptr<Model> make_model(const Net& net, bool hwio) {
  Graph g;
  ValueId x = g.add_value("x");
  g.value(x).shape = {-1, 3, -1, -1};
  g.value(x).has_shape = true;
  g.inputs.push_back(x);
  auto weight = [&](const std::string& name, const Tensor& w) {
    if (!hwio) return g.add_constant(name, w);
    const std::vector<int64_t> perm = {3, 2, 0, 1};
    return add_node(g, "Transpose", name + "/oihw", {g.add_constant(name, to_hwio(w))},
                    {{"perm", Attribute::of_ints(perm)}});
  };
  const std::vector<int64_t> pads = {1, 1, 1, 1};
  ValueId c1 = add_node(g, "Conv", "conv1", {x, weight("w1", net.w1), g.add_constant("b1", net.b1)},
                        {{"pads", Attribute::of_ints(pads)}});
  ValueId r1 = add_node(g, "Relu", "relu1", {c1});
  ValueId y = add_node(g, "Conv", "conv2", {r1, weight("w2", net.w2), g.add_constant("b2", net.b2)});
  g.outputs.push_back(y);
  auto model = Model::from_graph(std::move(g));
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  return std::move(model).value();
}

std::vector<float> oracle(const Net& net, const Tensor& x) {
  const int64_t n = x.shape()[0], h = x.shape()[2], w = x.shape()[3];
  Tensor mid(DataType::kFloat32, {n, 8, h, w});
  reference::Conv2dParams p1;
  p1.pad_top = p1.pad_left = 1;
  reference::conv2d_nchw(x.data<float>(), x.shape(), net.w1.data<float>(), net.w1.shape(), net.b1.data<float>(), p1,
                         FusedActivation{}, mid.data<float>(), mid.shape());
  for (int64_t i = 0; i < mid.size(); ++i) mid.data<float>()[i] = std::max(0.0f, mid.data<float>()[i]);
  Tensor y(DataType::kFloat32, {n, 5, h, w});
  reference::conv2d_nchw(mid.data<float>(), mid.shape(), net.w2.data<float>(), net.w2.shape(), net.b2.data<float>(),
                         reference::Conv2dParams{}, FusedActivation{}, y.data<float>(), y.shape());
  return std::vector<float>(y.data<float>(), y.data<float>() + y.size());
}

void check_shape_sequence(bool hwio) {
  std::mt19937 rng(hwio ? 3 : 2);
  Net net{random_tensor({8, 3, 3, 3}, rng), random_tensor({8}, rng), random_tensor({5, 8, 1, 1}, rng),
          random_tensor({5}, rng)};
  std::unique_ptr<Model> model = make_model(net, hwio);
  const std::vector<Shape> shapes = {{1, 3, 9, 7}, {2, 3, 5, 11}, {1, 3, 9, 7}, {1, 3, 16, 16}};
  for (const Shape& shape : shapes) {
    CAPTURE(shape_to_string(shape));
    Tensor x = random_tensor(shape, rng);
    auto out = model->run({{"x", &x}});
    REQUIRE_MESSAGE(out.is_ok(), out.status().message());
    const Tensor& y = out.value()[0];
    const std::vector<float> want = oracle(net, x);
    REQUIRE(static_cast<size_t>(y.size()) == want.size());
    int64_t bad = 0;
    for (size_t i = 0; i < want.size(); ++i)
      bad += !(std::fabs(y.data<float>()[i] - want[i]) <= 1e-5f * (1.0f + std::fabs(want[i])));
    CHECK(bad == 0);
  }
  // The weights as the plan holds them are the imported ones.
  auto w1 = model->conv_weights("conv1");
  REQUIRE_MESSAGE(w1.is_ok(), w1.status().message());
  CHECK(std::memcmp(w1.value().raw(), net.w1.raw(), net.w1.bytes()) == 0);
}

}  // namespace

TEST_CASE("re-planning: free dims, OIHW weights: shapes A, B, A, C all match the reference") {
  check_shape_sequence(false);
}

TEST_CASE("re-planning: free dims, HWIO weights behind a Transpose (TF.js style): shapes A, B, A, C match") {
  check_shape_sequence(true);
}
