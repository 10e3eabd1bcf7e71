// Graph passes: each builds small graphs in code, checks the structure a pass leaves, and runs the model
// with optimize on and off against an independent evaluation of the original NCHW graph made of the
// ops' naive reference implementations. Tolerance: |a - b| <= 1e-4 * max|b| + 1e-5 (BN folding and
// fused stores reorder float rounding).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "graph/graph.h"
#include "ops/concat.h"
#include "ops/conv.h"
#include "ops/elementwise.h"
#include "ops/normalization.h"
#include "ops/pool.h"
#include "passes/passes.h"
#include "passes/shape_inference.h"
#include "support/optimized_and_unoptimized.h"
#include "webcnn/model.h"

using namespace webcnn;

namespace {

// Builds graphs with random constants; every node gets a fresh output value.
struct Builder {
  Graph g;
  std::mt19937 rng{42};
  int counter = 0;

  ValueId input(const std::string& name, Shape s) {
    ValueId id = g.add_value(name);
    g.value(id).shape = std::move(s);
    g.value(id).has_shape = true;
    g.inputs.push_back(id);
    return id;
  }
  ValueId constant(Shape s, float lo, float hi) {
    Tensor t(DataType::kFloat32, std::move(s));
    std::uniform_real_distribution<float> d(lo, hi);
    for (int64_t i = 0; i < t.size(); ++i) t.data<float>()[i] = d(rng);
    return g.add_constant("c" + std::to_string(counter++), std::move(t));
  }
  ValueId scalar(float v) {
    Tensor t(DataType::kFloat32, {});
    t.data<float>()[0] = v;
    return g.add_constant("s" + std::to_string(counter++), std::move(t));
  }
  ValueId node(const std::string& op, std::vector<ValueId> in, std::map<std::string, Attribute> attrs = {}) {
    ValueId out = g.add_value(op + "_" + std::to_string(counter++));
    Node n;
    n.op = op;
    n.inputs = std::move(in);
    n.outputs = {out};
    n.attrs = std::move(attrs);
    g.add_node(n);
    return out;
  }
  // 2-D conv (or 1-D when `one_d`) with "same" padding for odd k.
  ValueId conv(ValueId x, int64_t cin, int64_t cout, int64_t k, int64_t stride, int64_t group = 1, bool bias = true,
               bool one_d = false) {
    Shape ws = one_d ? Shape{cout, cin / group, k} : Shape{cout, cin / group, k, k};
    std::vector<ValueId> in = {x, constant(ws, -0.5f, 0.5f)};
    if (bias) in.push_back(constant({cout}, -0.2f, 0.2f));
    const int64_t p = k / 2;
    std::vector<int64_t> pads = one_d ? std::vector<int64_t>{p, p} : std::vector<int64_t>{p, p, p, p};
    std::vector<int64_t> strides = one_d ? std::vector<int64_t>{stride} : std::vector<int64_t>{stride, stride};
    return node("Conv", in,
                {{"pads", Attribute::of_ints(pads)},
                 {"strides", Attribute::of_ints(strides)},
                 {"group", Attribute::of_int(group)}});
  }
  ValueId bn(ValueId x, int64_t c) {
    return node("BatchNormalization", {x, constant({c}, 0.5f, 1.5f), constant({c}, -0.3f, 0.3f),
                                       constant({c}, -0.3f, 0.3f), constant({c}, 0.5f, 2.0f)});
  }
  ValueId clip6(ValueId x) { return node("Clip", {x, scalar(0), scalar(6)}); }
  ValueId relu(ValueId x) { return node("Relu", {x}); }
  ValueId gemm(ValueId x, int64_t k, int64_t n) {
    return node("Gemm", {x, constant({n, k}, -0.5f, 0.5f), constant({n}, -0.1f, 0.1f)},
                {{"transB", Attribute::of_int(1)}});
  }
  void output(ValueId v) { g.outputs.push_back(v); }
};

// ---- An independent evaluation of the NCHW graph from the ops' reference implementations. ----

int64_t out_len(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe) {
  return (in + pb + pe - ((k - 1) * d + 1)) / s + 1;
}

Result<Tensor> reference_node(const Node& n, const std::vector<const Tensor*>& in) {
  const Tensor& x = *in[0];
  auto ints = [&](const char* key, std::vector<int64_t> def) { return n.attr_ints(key, def).value(); };
  if (n.op == "Conv") {
    const bool one_d = x.rank() == 3;
    Shape xs = x.shape(), ws = in[1]->shape();
    if (one_d) {
      xs.insert(xs.begin() + 2, 1);
      ws.insert(ws.begin() + 2, 1);
    }
    std::vector<int64_t> pads = ints("pads", {}), strides = ints("strides", {});
    if (one_d) {
      pads = {0, pads[0], 0, pads[1]};
      strides = {1, strides[0]};
    }
    reference::Conv2dParams p;
    p.groups = n.attr_int("group", 1).value();
    p.stride_h = strides[0];
    p.stride_w = strides[1];
    p.pad_top = pads[0];
    p.pad_left = pads[1];
    Shape ys = {xs[0], ws[0], out_len(xs[2], ws[2], strides[0], 1, pads[0], pads[2]),
                out_len(xs[3], ws[3], strides[1], 1, pads[1], pads[3])};
    Tensor y(DataType::kFloat32, ys);
    reference::conv2d_nchw(x.data<float>(), xs, in[1]->data<float>(), ws,
                           in.size() > 2 ? in[2]->data<float>() : nullptr, p, FusedActivation{}, y.data<float>(), ys);
    if (one_d) y.reshape({ys[0], ys[1], ys[3]});
    return y;
  }
  if (n.op == "BatchNormalization") {
    Tensor y(DataType::kFloat32, x.shape());
    reference::batch_normalization(false, x.shape(), x.data<float>(), in[1]->data<float>(), in[2]->data<float>(),
                                   in[3]->data<float>(), in[4]->data<float>(), n.attr_float("epsilon", 1e-5f).value(),
                                   y.data<float>());
    return y;
  }
  if (n.op == "Relu" || n.op == "Clip" || n.op == "Sigmoid" || n.op == "LeakyRelu") {
    Tensor y(DataType::kFloat32, x.shape());
    const float lo = n.op == "Clip" ? in[1]->data<float>()[0] : 0, hi = n.op == "Clip" ? in[2]->data<float>()[0] : 0;
    const float alpha = n.attr_float("alpha", 0.01f).value();
    for (int64_t i = 0; i < x.size(); ++i) {
      const float v = x.data<float>()[i];
      float r = v;
      if (n.op == "Relu") r = std::max(v, 0.0f);
      if (n.op == "Clip") r = std::min(std::max(v, lo), hi);
      if (n.op == "Sigmoid") r = 1.0f / (1.0f + std::exp(-v));
      if (n.op == "LeakyRelu") r = v >= 0 ? v : alpha * v;
      y.data<float>()[i] = r;
    }
    return y;
  }
  if (n.op == "Add" || n.op == "Mul" || n.op == "Sub") return reference::elementwise(n.op, in);
  if (n.op == "PRelu") {  // slope [C, 1, 1] against [N, C, H, W]
    const int64_t C = x.shape()[1], inner = x.shape()[2] * x.shape()[3];
    Tensor y(DataType::kFloat32, x.shape());
    for (int64_t i = 0; i < x.size(); ++i) {
      const float v = x.data<float>()[i];
      y.data<float>()[i] = v >= 0 ? v : in[1]->data<float>()[(i / inner) % C] * v;
    }
    return y;
  }
  if (n.op == "MaxPool" || n.op == "AveragePool") {  // explicit pads, 2-D, no ceil_mode
    std::vector<int64_t> k = ints("kernel_shape", {}), s = ints("strides", {1, 1}), p = ints("pads", {0, 0, 0, 0});
    PoolWindow w;
    w.batch = x.shape()[0];
    w.channels = x.shape()[1];
    w.in_h = x.shape()[2];
    w.in_w = x.shape()[3];
    w.kernel_h = k[0];
    w.kernel_w = k[1];
    w.stride_h = s[0];
    w.stride_w = s[1];
    w.pad_top = p[0];
    w.pad_left = p[1];
    w.pad_bottom = p[2];
    w.pad_right = p[3];
    w.out_h = out_len(w.in_h, k[0], s[0], 1, p[0], p[2]);
    w.out_w = out_len(w.in_w, k[1], s[1], 1, p[1], p[3]);
    w.count_include_pad = n.attr_int("count_include_pad", 0).value() != 0;
    Tensor y(DataType::kFloat32, {w.batch, w.channels, w.out_h, w.out_w});
    reference::pool2d(n.op == "MaxPool" ? PoolKind::kMax : PoolKind::kAverage, w, false, x.data<float>(),
                      y.data<float>());
    return y;
  }
  if (n.op == "GlobalAveragePool") {
    Shape ys(x.shape().size(), 1);
    ys[0] = x.shape()[0];
    ys[1] = x.shape()[1];
    Tensor y(DataType::kFloat32, ys);
    reference::global_pool(PoolKind::kAverage, false, x.shape(), x.data<float>(), y.data<float>());
    return y;
  }
  if (n.op == "Flatten") {
    Tensor y = x;
    y.reshape({x.shape()[0], x.size() / x.shape()[0]});
    return y;
  }
  if (n.op == "Gemm") {  // A [M,K] · B[N,K]^T + C
    const int64_t M = x.shape()[0], K = x.shape()[1], N = in[1]->shape()[0];
    Tensor y(DataType::kFloat32, {M, N});
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) {
        double acc = in[2]->data<float>()[j];
        for (int64_t q = 0; q < K; ++q) acc += double(x.data<float>()[i * K + q]) * in[1]->data<float>()[j * K + q];
        y.data<float>()[i * N + j] = static_cast<float>(acc);
      }
    return y;
  }
  if (n.op == "Concat") {
    const int64_t axis = n.attr_int("axis", 0).value();
    std::vector<const void*> ptrs;
    std::vector<Shape> shapes;
    Shape ys = x.shape();
    ys[static_cast<size_t>(axis)] = 0;
    for (const Tensor* t : in) {
      ptrs.push_back(t->raw());
      shapes.push_back(t->shape());
      ys[static_cast<size_t>(axis)] += t->shape()[static_cast<size_t>(axis)];
    }
    Tensor y(DataType::kFloat32, ys);
    data_movement::reference::concat(ptrs, shapes, axis, y.raw(), 4);
    return y;
  }
  return n.error("no reference in passes_test");
}

Result<std::vector<Tensor>> evaluate_reference(const Graph& g, const std::vector<Tensor>& inputs) {
  std::vector<Tensor> values(g.values.size());
  std::vector<bool> known(g.values.size(), false);
  for (size_t i = 0; i < g.values.size(); ++i)
    if (g.values[i].constant) {
      values[i] = *g.values[i].constant;
      known[i] = true;
    }
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    values[static_cast<size_t>(g.inputs[i])] = inputs[i];
    known[static_cast<size_t>(g.inputs[i])] = true;
  }
  WEBCNN_ASSIGN(std::vector<size_t> order, g.topological_order());
  for (size_t idx : order) {
    const Node& n = g.nodes[idx];
    std::vector<const Tensor*> in;
    for (ValueId v : n.inputs) in.push_back(&values[static_cast<size_t>(v)]);
    WEBCNN_ASSIGN(values[static_cast<size_t>(n.outputs[0])], reference_node(n, in));
  }
  std::vector<Tensor> out;
  for (ValueId o : g.outputs) out.push_back(values[static_cast<size_t>(o)]);
  return out;
}

Tensor random_input(const Shape& s, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  Tensor t(DataType::kFloat32, s);
  for (int64_t i = 0; i < t.size(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

void check_close(const Tensor& got, const Tensor& want) {
  REQUIRE(got.shape() == want.shape());
  float max_abs = 0;
  for (int64_t i = 0; i < want.size(); ++i) max_abs = std::max(max_abs, std::fabs(want.data<float>()[i]));
  const float tol = 1e-4f * max_abs + 1e-5f;
  float worst = 0;
  for (int64_t i = 0; i < want.size(); ++i)
    worst = std::max(worst, std::fabs(got.data<float>()[i] - want.data<float>()[i]));
  CHECK(worst <= tol);
}

// Runs the graph through Model with optimize off and on, and the reference evaluation; all must agree.
void check_model_matches_reference(const Graph& g, uint32_t seed = 5) {
  std::vector<Tensor> inputs;
  for (ValueId id : g.inputs) inputs.push_back(random_input(g.value(id).shape, seed++));
  auto want = evaluate_reference(g, inputs);
  REQUIRE_MESSAGE(want.is_ok(), want.status().message());
  const auto r = testing::run_optimized_and_unoptimized(g, inputs);
  for (const std::vector<Tensor>* got : {&r.unoptimized, &r.optimized}) {
    CAPTURE(got == &r.optimized);
    REQUIRE(got->size() == want->size());
    for (size_t i = 0; i < want->size(); ++i) check_close((*got)[i], (*want)[i]);
  }
}

void infer_shapes(Graph& g) {
  Status st = infer_shapes_and_fold_constants(g);
  REQUIRE_MESSAGE(st.is_ok(), st.message());
}

// The graph as Model::run plans it: shapes inferred, passes run, shapes inferred again.
Graph planned(Graph g, bool optimize) {
  infer_shapes(g);
  Status st = run_graph_passes(g, optimize);
  REQUIRE_MESSAGE(st.is_ok(), st.message());
  infer_shapes(g);
  return g;
}

int count_ops(const Graph& g, const std::string& op) {
  int c = 0;
  for (const Node& n : g.nodes) c += n.op == op;
  return c;
}

const Node* find_node(const Graph& g, const std::string& op) {
  for (const Node& n : g.nodes)
    if (n.op == op) return &n;
  return nullptr;
}

// A MobileNetV2 in miniature: stem conv+BN+ReLU6, two inverted-residual blocks (the second with the
// residual Add), a last 1x1 conv, GlobalAveragePool, Flatten, Gemm.
Graph mobilenet_v2_like() {
  Builder b;
  ValueId x = b.input("image", {1, 3, 16, 16});
  ValueId h = b.clip6(b.bn(b.conv(x, 3, 8, 3, 2, 1, false), 8));
  for (int block = 0; block < 2; ++block) {
    ValueId e = b.clip6(b.bn(b.conv(h, 8, 24, 1, 1, 1, false), 24));
    ValueId d = b.clip6(b.bn(b.conv(e, 24, 24, 3, 1, 24, false), 24));
    ValueId p = b.bn(b.conv(d, 24, 8, 1, 1, 1, false), 8);
    h = block == 0 ? p : b.node("Add", {h, p});
  }
  ValueId last = b.clip6(b.bn(b.conv(h, 8, 16, 1, 1, 1, false), 16));
  ValueId pooled = b.node("GlobalAveragePool", {last});
  b.output(b.gemm(b.node("Flatten", {pooled}, {{"axis", Attribute::of_int(1)}}), 16, 5));
  return b.g;
}

// A ResNet in miniature: stem conv+BN+ReLU, MaxPool, a basic block with identity shortcut and one with
// a strided 1x1 downsample shortcut, GlobalAveragePool, Flatten, Gemm.
Graph resnet_like() {
  Builder b;
  ValueId x = b.input("image", {1, 3, 20, 20});
  ValueId h = b.relu(b.bn(b.conv(x, 3, 8, 3, 2, 1, false), 8));
  h = b.node("MaxPool", {h},
             {{"kernel_shape", Attribute::of_ints({3, 3})},
              {"strides", Attribute::of_ints({2, 2})},
              {"pads", Attribute::of_ints({1, 1, 1, 1})}});
  for (int block = 0; block < 2; ++block) {
    const int64_t cin = 8, cout = block == 0 ? 8 : 16, stride = block == 0 ? 1 : 2;
    ValueId a = b.relu(b.bn(b.conv(h, cin, cout, 3, stride, 1, false), cout));
    ValueId c = b.bn(b.conv(a, cout, cout, 3, 1, 1, false), cout);
    ValueId shortcut = block == 0 ? h : b.bn(b.conv(h, cin, cout, 1, stride, 1, false), cout);
    h = b.relu(b.node("Add", {c, shortcut}));
  }
  ValueId pooled = b.node("GlobalAveragePool", {h});
  b.output(b.gemm(b.node("Flatten", {pooled}, {{"axis", Attribute::of_int(1)}}), 16, 4));
  return b.g;
}

}  // namespace

TEST_CASE("convert_to_nhwc wraps NCHW spatial ops in Transposes with shapes set") {
  Builder b;
  ValueId x = b.input("x", {1, 3, 6, 5});
  ValueId c = b.conv(x, 3, 4, 3, 1);
  ValueId p = b.node("MaxPool", {c}, {{"kernel_shape", Attribute::of_ints({2, 2})}});
  b.output(p);
  Graph g = b.g;
  infer_shapes(g);
  REQUIRE(convert_to_nhwc(g).is_ok());
  CHECK(count_ops(g, "Transpose") == 4);
  for (const Node& n : g.nodes) {
    if (n.op == "Conv" || n.op == "MaxPool") {
      CHECK(n.attr_string("layout", "NCHW").value() == "NHWC");
      CHECK(g.value(n.inputs[0]).shape.back() == (n.op == "Conv" ? 3 : 4));
    }
    for (ValueId v : n.outputs) CHECK(g.value(v).has_shape);
  }
  CHECK(g.value(p).shape == Shape{1, 4, 5, 4});  // the graph output keeps its NCHW value and shape
  infer_shapes(g);                               // what the pass left is consistent with every kernel's prepare()
  check_model_matches_reference(b.g);
}

TEST_CASE("convert_to_nhwc handles 1-D (rank 3) convs and pools") {
  Builder b;
  ValueId x = b.input("x", {2, 3, 11});
  ValueId c = b.relu(b.conv(x, 3, 5, 3, 2, 1, true, /*one_d=*/true));
  ValueId bnv = b.bn(c, 5);
  b.output(b.node("GlobalAveragePool", {bnv}));
  Graph g = planned(b.g, false);
  for (const Node& n : g.nodes)
    if (n.op == "Conv" || n.op == "GlobalAveragePool" || n.op == "BatchNormalization")
      CHECK(n.attr_string("layout", "NCHW").value() == "NHWC");
  check_model_matches_reference(b.g);
}

TEST_CASE("fold_batch_norm_into_conv folds constant BN into the conv (with and without conv bias)") {
  for (bool bias : {false, true}) {
    Builder b;
    ValueId x = b.input("x", {1, 4, 7, 7});
    ValueId y = b.bn(b.conv(x, 4, 6, 3, 1, 2, bias), 6);
    b.output(y);
    Graph g = b.g;
    infer_shapes(g);
    REQUIRE(fold_batch_norm_into_conv(g).is_ok());
    CHECK(count_ops(g, "BatchNormalization") == 0);
    const Node* conv = find_node(g, "Conv");
    REQUIRE(conv);
    CHECK(conv->inputs.size() == 3);
    CHECK(conv->outputs[0] == y);
    check_model_matches_reference(b.g);
  }
}

TEST_CASE("fold_batch_norm_into_conv leaves BN alone when the conv output has another reader") {
  Builder b;
  ValueId x = b.input("x", {1, 4, 5, 5});
  ValueId c = b.conv(x, 4, 4, 1, 1);
  b.output(b.node("Add", {b.bn(c, 4), c}));
  Graph g = b.g;
  infer_shapes(g);
  REQUIRE(fold_batch_norm_into_conv(g).is_ok());
  CHECK(count_ops(g, "BatchNormalization") == 1);
  check_model_matches_reference(b.g);
}

TEST_CASE("fuse_activations moves Relu/Clip/Sigmoid/LeakyRelu into Conv and Gemm") {
  Builder b;
  ValueId x = b.input("x", {1, 3, 6, 6});
  ValueId r = b.relu(b.conv(x, 3, 4, 3, 1));
  ValueId c = b.clip6(b.conv(r, 4, 4, 3, 1));
  ValueId l = b.node("LeakyRelu", {b.conv(c, 4, 4, 1, 1)}, {{"alpha", Attribute::of_float(0.2f)}});
  ValueId flat = b.node("Flatten", {b.node("GlobalAveragePool", {l})}, {{"axis", Attribute::of_int(1)}});
  b.output(b.node("Sigmoid", {b.gemm(flat, 4, 3)}));
  Graph g = b.g;
  infer_shapes(g);
  REQUIRE(fuse_activations(g).is_ok());
  CHECK(count_ops(g, "Relu") + count_ops(g, "Clip") + count_ops(g, "LeakyRelu") + count_ops(g, "Sigmoid") == 0);
  std::vector<std::string> fused;
  for (const Node& n : g.nodes)
    if (n.has_attr("fused_activation")) fused.push_back(n.attr_string("fused_activation", "").value());
  CHECK(fused == std::vector<std::string>{"Relu", "Clip", "LeakyRelu", "Sigmoid"});
  for (const Node& n : g.nodes)
    if (n.attr_string("fused_activation", "").value() == "Clip") {
      CHECK(n.attr_float("fused_min", -1).value() == 0.0f);
      CHECK(n.attr_float("fused_max", -1).value() == 6.0f);
    }
  check_model_matches_reference(b.g);
}

TEST_CASE("fuse_activations skips shared outputs and non-constant Clip bounds") {
  Builder b;
  ValueId x = b.input("x", {1, 2, 4, 4});
  ValueId lo = b.input("lo", {});
  ValueId c1 = b.conv(x, 2, 2, 1, 1);
  ValueId shared = b.node("Add", {b.relu(c1), c1});  // c1 has two readers
  ValueId c2 = b.conv(shared, 2, 2, 1, 1);
  b.output(b.node("Clip", {c2, lo, b.scalar(1)}));
  Graph g = b.g;
  infer_shapes(g);
  REQUIRE(fuse_activations(g).is_ok());
  CHECK(count_ops(g, "Relu") == 1);
  CHECK(count_ops(g, "Clip") == 1);
}

TEST_CASE("sink_transposes: MobileNetV2-like graph runs NHWC with one input Transpose") {
  Graph base = mobilenet_v2_like();
  Graph g = planned(base, true);
  CHECK(count_ops(g, "Transpose") == 1);
  CHECK(count_ops(g, "BatchNormalization") == 0);
  CHECK(count_ops(g, "Clip") == 0);
  const Node* t = find_node(g, "Transpose");
  REQUIRE(t);
  CHECK(t->inputs[0] == g.inputs[0]);  // the one Transpose reads the image
  Graph unoptimized = planned(base, false);
  CHECK(count_ops(unoptimized, "Transpose") > 10);
  check_model_matches_reference(base);
}

TEST_CASE("sink_transposes: ResNet-like graph (MaxPool, residual Add + Relu, downsample) runs NHWC") {
  Graph base = resnet_like();
  Graph g = planned(base, true);
  CHECK(count_ops(g, "Transpose") == 1);
  check_model_matches_reference(base);
}

TEST_CASE("sink_transposes through a broadcast constant, Concat and a shared residual") {
  Builder b;
  ValueId x = b.input("x", {1, 3, 7, 5});
  ValueId a = b.conv(x, 3, 4, 3, 1);
  ValueId scaled = b.node("Mul", {a, b.constant({1, 4, 1, 1}, 0.5f, 2.0f)});  // per-channel scale
  ValueId shifted = b.node("Add", {scaled, b.constant({5}, -1.0f, 1.0f)});    // broadcasts along W
  ValueId c = b.conv(x, 3, 2, 1, 1);
  ValueId cat = b.node("Concat", {shifted, c}, {{"axis", Attribute::of_int(1)}});
  ValueId s = b.node("Sigmoid", {cat});
  ValueId y = b.conv(s, 6, 3, 3, 1);
  b.output(y);
  Graph g = planned(b.g, true);
  // One to NHWC at the input, one back to NCHW for the graph output.
  CHECK(count_ops(g, "Transpose") == 2);
  const Node* concat = find_node(g, "Concat");
  REQUIRE(concat);
  CHECK(concat->attr_int("axis", 0).value() == 3);
  check_model_matches_reference(b.g);
}

TEST_CASE("sink_transposes keeps a graph output that a Transpose produces, and a Transpose read twice") {
  Builder b;
  ValueId x = b.input("x", {1, 2, 4, 4});
  ValueId c = b.conv(x, 2, 3, 3, 1);
  ValueId r = b.relu(c);
  b.output(r);                       // NCHW value that is also read below
  b.output(b.node("Sigmoid", {c}));  // the conv output feeds two unary ops
  b.output(b.conv(r, 3, 2, 1, 1));
  check_model_matches_reference(b.g);
  Graph g = planned(b.g, true);
  for (ValueId o : g.outputs) CHECK(g.value(o).shape.size() == 4);
}

TEST_CASE("sink_transposes through PRelu with a [C,1,1] slope, between pools and a residual") {
  Builder b;
  ValueId x = b.input("x", {2, 4, 9, 9});
  ValueId p = b.node("AveragePool", {x},
                     {{"kernel_shape", Attribute::of_ints({3, 3})},
                      {"pads", Attribute::of_ints({1, 1, 1, 1})},
                      {"count_include_pad", Attribute::of_int(1)}});
  ValueId a = b.node("PRelu", {b.conv(p, 4, 6, 3, 1), b.constant({6, 1, 1}, 0.05f, 0.3f)});
  ValueId m =
      b.node("MaxPool", {a}, {{"kernel_shape", Attribute::of_ints({2, 2})}, {"strides", Attribute::of_ints({2, 2})}});
  ValueId r = b.node("Add", {m, b.conv(m, 6, 6, 1, 1)});
  b.output(b.bn(r, 6));  // stays a BatchNormalization (not after a Conv), in NHWC
  Graph g = planned(b.g, true);
  CHECK(count_ops(g, "Transpose") == 2);  // in and out
  check_model_matches_reference(b.g);
}

namespace {
// Optimize on against optimize off (which keeps every layout Transpose), for ops without a reference
// in this file. Same tolerance as above.
void check_optimized_matches_unoptimized(const Graph& g) {
  std::vector<Tensor> inputs;
  for (ValueId id : g.inputs) inputs.push_back(random_input(g.value(id).shape, 11));
  const auto r = testing::run_optimized_and_unoptimized(g, inputs);
  for (size_t i = 0; i < r.optimized.size(); ++i) check_close(r.optimized[i], r.unoptimized[i]);
}

ValueId int64_constant(Builder& b, std::vector<int64_t> v) {
  Tensor t(DataType::kInt64, {static_cast<int64_t>(v.size())});
  std::copy(v.begin(), v.end(), t.data<int64_t>());
  return b.g.add_constant("i" + std::to_string(b.counter++), std::move(t));
}
}  // namespace

TEST_CASE("sink_transposes through Pad, Resize and Reduce (per-axis constants re-ordered)") {
  Builder b;
  ValueId x = b.input("x", {1, 3, 8, 7});
  ValueId c = b.conv(x, 3, 4, 3, 1);
  ValueId padded =
      b.node("Pad", {c, int64_constant(b, {0, 0, 1, 2, 0, 0, 2, 1})}, {{"mode", Attribute::of_string("reflect")}});
  Tensor scales(DataType::kFloat32, {4});
  const float sv[] = {1, 1, 2, 1.5f};
  std::copy(sv, sv + 4, scales.data<float>());
  ValueId resized = b.node("Resize", {padded, kNoValue, b.g.add_constant("scales", scales)});
  ValueId d = b.conv(resized, 4, 5, 3, 2);
  b.output(b.node("ReduceMean", {d, int64_constant(b, {2, 3})}, {{"keepdims", Attribute::of_int(0)}}));
  b.output(b.node("ReduceMax", {d, int64_constant(b, {1})}, {{"keepdims", Attribute::of_int(1)}}));
  b.output(b.node("ReduceSum", {d, int64_constant(b, {-1})}, {{"keepdims", Attribute::of_int(0)}}));
  Graph g = planned(b.g, true);
  // The input Transpose, and the one back to [N,C,H] for ReduceSum's output (the others vanish or
  // only move dims of size 1 and became Reshapes).
  CHECK(count_ops(g, "Transpose") == 2);
  check_optimized_matches_unoptimized(b.g);
}
