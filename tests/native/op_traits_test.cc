// Op traits: the passes, the importer and the runtime learn what an op is from its registry entry alone.
// Toy ops, registered here through the public registration path (register_op) under names no list in
// the engine knows, must be fused, sunk through, converted to NHWC, fed at plan time and costed exactly
// as their traits say; each check fails if the code it exercises ignores the registry.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "graph/graph.h"
#include "ops/kernel.h"
#include "passes/passes.h"
#include "passes/shape_inference.h"
#include "runtime/node_cost.h"
#include "support/graph_building.h"
#include "webcnn/model.h"

using namespace webcnn;
using namespace webcnn::test_graph;

namespace {

// ToyRelu: max(0, x), written here independently of the engine's Relu and fused store.
class ToyReluKernel : public Kernel {
 public:
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    WEBCNN_TRY(expect_dtype(node, in[0], DataType::kFloat32, "input"));
    out[0].dtype = DataType::kFloat32;
    out[0].shape = in[0].shape;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    const float* x = io.in[0].as<float>();
    float* y = io.out[0].as<float>();
    for (int64_t i = 0; i < io.out[0].size(); ++i) y[i] = x[i] > 0 ? x[i] : 0.0f;
    return Status::ok();
  }
};

Result<std::unique_ptr<Kernel>> create_toy_relu(const Node&) { return std::unique_ptr<Kernel>(new ToyReluKernel()); }

// ToyRelu fuses as the engine's Relu.
Result<bool> fuse_toy_relu(const Graph&, const Node& act, std::map<std::string, Attribute>& fused) {
  if (act.inputs.size() != 1) return false;
  fused["fused_activation"] = Attribute::of_string("Relu");
  return true;
}

// ToySpatial: a layout-carrying identity (shape inference only; no pass may drop its layout).
class ToySpatialKernel : public ToyReluKernel {};
Result<std::unique_ptr<Kernel>> create_toy_spatial(const Node&) {
  return std::unique_ptr<Kernel>(new ToySpatialKernel());
}

// ToyRepeat(x, count): x's first element repeated `count` times, count a float whose value decides the
// output shape, so it must be known at plan time.
class ToyRepeatKernel : public Kernel {
 public:
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 2));
    if (!in[1].constant) return node.error("count must be known at plan time");
    out[0].dtype = DataType::kFloat32;
    out[0].shape = {static_cast<int64_t>(in[1].constant->data<float>()[0])};
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    const float v = io.in[0].as<float>()[0];
    std::fill(io.out[0].as<float>(), io.out[0].as<float>() + io.out[0].size(), v);
    return Status::ok();
  }
};
Result<std::unique_ptr<Kernel>> create_toy_repeat(const Node&) {
  return std::unique_ptr<Kernel>(new ToyRepeatKernel());
}

// ToyRank: the rank of its input as an int64 scalar; it reads nothing but the input's shape.
class ToyRankKernel : public Kernel {
 public:
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    rank_ = static_cast<int64_t>(in[0].shape.size());
    out[0].dtype = DataType::kInt64;
    out[0].shape = {};
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    io.out[0].as<int64_t>()[0] = rank_;
    return Status::ok();
  }

 private:
  int64_t rank_ = 0;
};
Result<std::unique_ptr<Kernel>> create_toy_rank(const Node&) { return std::unique_ptr<Kernel>(new ToyRankKernel()); }

// ToyMacs: counted as 7 multiply-adds per output element.
int64_t toy_macs(const Node& n, const Graph& g) { return 7 * num_elements(g.value(n.outputs[0]).shape); }

void register_toy_ops() {
  static const bool once = [] {
    register_op("ToyRelu", create_toy_relu, OpTraits::unary().fusing(fuse_toy_relu));
    register_op("ToySpatial", create_toy_spatial, OpTraits::spatial());
    register_op("ToyRepeat", create_toy_repeat, OpTraits().shape_deciding(1u << 1));
    register_op("ToyMacs", create_toy_relu, OpTraits().with_macs(toy_macs));
    register_op("ToyRank", create_toy_rank, OpTraits().shape_only());
    return true;
  }();
  (void)once;
}

ValueId conv3x3(Graph& g, std::mt19937& rng, const std::string& name, ValueId x, int64_t cin, int64_t cout) {
  ValueId w = g.add_constant(name + "/w", random_tensor({cout, cin, 3, 3}, rng, -0.5f, 0.5f));
  ValueId b = g.add_constant(name + "/b", random_tensor({cout}, rng, -0.2f, 0.2f));
  return add_node(g, "Conv", name, {x, w, b}, {{"pads", Attribute::of_ints({1, 1, 1, 1})}});
}

void infer(Graph& g) {
  Status st = infer_shapes_and_fold_constants(g);
  REQUIRE_MESSAGE(st.is_ok(), st.message());
}

int count_ops(const Graph& g, const std::string& op) {
  return static_cast<int>(std::count_if(g.nodes.begin(), g.nodes.end(), [&](const Node& n) { return n.op == op; }));
}

std::vector<Tensor> run_model(const Graph& g, bool optimize, const std::map<std::string, const Tensor*>& feed) {
  ModelOptions options;
  options.optimize = optimize;
  auto model = Model::from_graph(g, options);
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  auto got = (*model)->run(feed);
  REQUIRE_MESSAGE(got.is_ok(), got.status().message());
  return std::move(*got);
}

// Same up to float reordering; equal infinities (log 0) count as close.
bool close(float got, float want) { return got == want || std::fabs(got - want) <= 1e-5f * (1.0f + std::fabs(want)); }

}  // namespace

TEST_CASE("op traits: a registered toy activation is fused into the Conv before it") {
  register_toy_ops();
  std::mt19937 rng(3);
  Graph g;
  ValueId x = add_input(g, "x", {1, 3, 5, 5});
  ValueId y = add_node(g, "ToyRelu", "act", {conv3x3(g, rng, "conv", x, 3, 4)});
  g.outputs = {y};
  Graph fused = g;
  infer(fused);
  REQUIRE(fuse_activations(fused).is_ok());
  CHECK(count_ops(fused, "ToyRelu") == 0);
  REQUIRE(count_ops(fused, "Conv") == 1);
  CHECK(fused.nodes[0].attr_string("fused_activation", "").value() == "Relu");
  CHECK(fused.nodes[0].outputs[0] == y);

  // The fused Conv computes what the Conv followed by the toy kernel computes.
  Tensor input = random_tensor({1, 3, 5, 5}, rng);
  std::vector<Tensor> separate = run_model(g, false, {{"x", &input}});
  std::vector<Tensor> together = run_model(g, true, {{"x", &input}});
  REQUIRE(separate.size() == 1);
  REQUIRE(together.size() == 1);
  REQUIRE(separate[0].shape() == together[0].shape());
  int negatives = 0;
  for (int64_t i = 0; i < separate[0].size(); ++i) {
    CHECK(close(together[0].data<float>()[i], separate[0].data<float>()[i]));
    negatives += separate[0].data<float>()[i] == 0.0f;
  }
  CHECK(negatives > 0);  // the activation did something
}

TEST_CASE("op traits: Transposes sink through a registered toy unary op, and a toy spatial op runs NHWC") {
  register_toy_ops();
  std::mt19937 rng(4);
  Graph g;
  ValueId x = add_input(g, "x", {1, 3, 5, 6});
  ValueId a = add_node(g, "ToyRelu", "act", {conv3x3(g, rng, "conv1", x, 3, 4)});
  ValueId s = add_node(g, "ToySpatial", "spatial", {a});
  g.outputs = {conv3x3(g, rng, "conv2", s, 4, 2)};
  infer(g);
  REQUIRE(convert_to_nhwc(g).is_ok());
  for (const Node& n : g.nodes)
    if (n.op == "ToySpatial") CHECK(n.attr_string("layout", "").value() == "NHWC");
  // Two convs and the toy spatial op, each wrapped in a pair.
  CHECK(count_ops(g, "Transpose") == 6);
  REQUIRE(sink_transposes(g).is_ok());
  // Only the image's Transpose to NHWC and the output's back to NCHW are left: every pair between the
  // three ops cancelled, which needs the one below conv1 to move through ToyRelu.
  CHECK(count_ops(g, "Transpose") == 2);
}

TEST_CASE("op traits: a registered shape-deciding float input is fed at plan time") {
  register_toy_ops();
  Graph g;
  ValueId x = add_input(g, "x", {2});
  ValueId count = add_input(g, "count", {1});
  g.outputs = {add_node(g, "ToyRepeat", "repeat", {x, count})};
  Tensor xv(DataType::kFloat32, {2}), cv(DataType::kFloat32, {1});
  xv.data<float>()[0] = 2.5f;
  xv.data<float>()[1] = -1.0f;
  cv.data<float>()[0] = 3.0f;
  std::vector<Tensor> y = run_model(g, true, {{"x", &xv}, {"count", &cv}});
  REQUIRE(y.size() == 1);
  CHECK(y[0].shape() == Shape{3});
  for (int64_t i = 0; i < y[0].size(); ++i) CHECK(y[0].data<float>()[i] == 2.5f);
}

TEST_CASE("op traits: a registered toy op that reads only shapes folds on a run-time input") {
  register_toy_ops();
  Graph g;
  ValueId x = add_input(g, "x", {2, 3, 4});
  ValueId r = add_node(g, "ToyRank", "rank", {add_node(g, "ToyRelu", "act", {x})});
  g.outputs = {r};
  infer(g);
  REQUIRE(static_cast<bool>(g.value(r).constant));
  CHECK(g.value(r).constant->data<int64_t>()[0] == 3);
}

TEST_CASE("op traits: node cost counts a registered toy op's multiply-adds, and Conv's by hand") {
  register_toy_ops();
  std::mt19937 rng(5);
  Graph g;
  ValueId x = add_input(g, "x", {1, 3, 6, 6});
  ValueId c = conv3x3(g, rng, "conv", x, 3, 4);
  g.outputs = {add_node(g, "ToyMacs", "toy", {c})};
  infer(g);
  REQUIRE(g.nodes.size() == 2);
  CHECK(node_macs(g.nodes[0], g) == 4 * 6 * 6 * (3 * 3 * 3));  // each output: 3 channels x 3x3 window
  CHECK(node_macs(g.nodes[1], g) == 7 * 4 * 6 * 6);
  CHECK(!OpRegistry::global().traits("NoSuchOp").macs);
}

// ONNX (opset 18) gives every Reduce* op the same form: data, axes input, keepdims,
// noop_with_empty_axes. ReduceLogSum and ReduceLogSumExp are no exception, so the ONNX importer (which
// moves older `axes` attributes into the input) and sink_transposes must both treat them as reductions.
TEST_CASE("op traits: every Reduce* op is a reduction, ReduceLogSum/ReduceLogSumExp included") {
  int reduces = 0;
  for (const std::string& op : OpRegistry::global().names()) {
    CAPTURE(op);
    const bool reduce_named = op.rfind("Reduce", 0) == 0;
    CHECK(OpRegistry::global().traits(op).reduce == reduce_named);
    reduces += reduce_named;
  }
  CHECK(reduces == 10);

  for (const char* op : {"ReduceSum", "ReduceLogSum", "ReduceLogSumExp"}) {
    CAPTURE(op);
    std::mt19937 rng(6);
    Graph g;
    ValueId x = add_input(g, "x", {1, 3, 4, 5});
    ValueId c = add_node(g, "Relu", "relu", {conv3x3(g, rng, "conv", x, 3, 4)});
    Tensor axes(DataType::kInt64, {1});
    axes.data<int64_t>()[0] = 1;
    ValueId y = add_node(g, op, "reduce", {c, g.add_constant("axes", axes)}, {{"keepdims", Attribute::of_int(1)}});
    g.outputs = {y};
    Graph opt = g;
    infer(opt);
    REQUIRE(run_graph_passes(opt, true).is_ok());
    // The Transpose back to NCHW moved below the reduction over channels, where it only moves a dim of
    // size 1 and became a Reshape: the image's Transpose is the only one left.
    CHECK(count_ops(opt, "Transpose") == 1);

    Tensor input = random_tensor({1, 3, 4, 5}, rng);
    std::vector<Tensor> plain = run_model(g, false, {{"x", &input}});
    std::vector<Tensor> sunk = run_model(g, true, {{"x", &input}});
    REQUIRE(plain[0].shape() == Shape{1, 1, 4, 5});
    REQUIRE(sunk[0].shape() == plain[0].shape());
    for (int64_t i = 0; i < plain[0].size(); ++i) CHECK(close(sunk[0].data<float>()[i], plain[0].data<float>()[i]));
  }
}
