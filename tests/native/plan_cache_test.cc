// A model with free input dimensions keeps one plan per input-shape signature (ModelOptions::plan_cache_size,
// least recently used evicted first, and within the memory budget together): alternating between a few
// shapes plans each once, and gives what a fresh model gives for the same input.
#include <doctest/doctest.h>

#include <cstring>
#include <random>

#include "graph/graph.h"
#include "ops/kernel.h"
#include "support/graph_building.h"
#include "webcnn/model.h"

using namespace webcnn;
using namespace webcnn::test_graph;

namespace {

int copy_prepares = 0;  // PlanCacheCountingCopy kernels' prepare() calls: shape inference and planning

class CountingCopy : public Kernel {
 public:
  Status prepare(const Node&, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    ++copy_prepares;
    out[0].dtype = in[0].dtype;
    out[0].shape = in[0].shape;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    std::memcpy(io.out[0].data, io.in[0].data, static_cast<size_t>(io.in[0].size()) * sizeof(float));
    return Status::ok();
  }
};

Result<std::unique_ptr<Kernel>> create_counting_copy(const Node&) {
  return std::unique_ptr<Kernel>(std::make_unique<CountingCopy>());
}

// x [1, -1] → copy → y; with `weight_floats`, the copy also takes a constant of that many floats (unread).
std::unique_ptr<Model> counting_model(ModelOptions options, int64_t weight_floats = 0) {
  register_op("PlanCacheCountingCopy", create_counting_copy);
  Graph g;
  ValueId x = add_input(g, "x", {1, -1});
  std::vector<ValueId> in = {x};
  if (weight_floats) in.push_back(g.add_constant("weights", Tensor(DataType::kFloat32, {weight_floats})));
  g.outputs.push_back(add_node(g, "PlanCacheCountingCopy", "copy", in));
  auto model = Model::from_graph(std::move(g), options);
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  return std::move(model).value();
}

// Runs the counting model on a [1, width] input; true when that planned (some kernel was prepared).
bool run_planned(Model& m, int64_t width) {
  Tensor x(DataType::kFloat32, {1, width});
  for (int64_t i = 0; i < width; ++i) x.data<float>()[i] = static_cast<float>(i);
  const int before = copy_prepares;
  auto out = m.run({{"x", &x}});
  REQUIRE_MESSAGE(out.is_ok(), out.status().message());
  REQUIRE((*out)[0].shape() == Shape{1, width});
  CHECK(std::memcmp((*out)[0].raw(), x.raw(), x.bytes()) == 0);
  return copy_prepares != before;
}

// x [-1, 3, -1, -1] → Conv 3×3 (pad 1) → Relu → Conv 1×1 → y, random weights.
Graph conv_net(std::mt19937& rng) {
  Graph g;
  ValueId x = add_input(g, "x", {-1, 3, -1, -1});
  const std::vector<int64_t> pads = {1, 1, 1, 1};
  ValueId c1 = add_node(
      g, "Conv", "conv1",
      {x, g.add_constant("w1", random_tensor({8, 3, 3, 3}, rng)), g.add_constant("b1", random_tensor({8}, rng))},
      {{"pads", Attribute::of_ints(pads)}});
  ValueId r1 = add_node(g, "Relu", "relu1", {c1});
  ValueId y = add_node(
      g, "Conv", "conv2",
      {r1, g.add_constant("w2", random_tensor({5, 8, 1, 1}, rng)), g.add_constant("b2", random_tensor({5}, rng))});
  g.outputs.push_back(y);
  return g;
}

// x [1, 3, -1, -1] → Conv 3×3 (pad 1) → Relu → depthwise Conv 3×3 (pad 1) → Conv 1×1 → Flatten-free
// global pooling → Gemm (B transposed, bias) → y [1, 4]: one weight of each packing path a float model
// takes (GEMM panels, depthwise blocks, Gemm panels), random weights.
Graph packing_net(std::mt19937& rng) {
  Graph g;
  ValueId x = add_input(g, "x", {1, 3, -1, -1});
  const std::vector<int64_t> pads = {1, 1, 1, 1};
  ValueId c1 = add_node(
      g, "Conv", "conv1",
      {x, g.add_constant("w1", random_tensor({8, 3, 3, 3}, rng)), g.add_constant("b1", random_tensor({8}, rng))},
      {{"pads", Attribute::of_ints(pads)}});
  ValueId r1 = add_node(g, "Relu", "relu1", {c1});
  ValueId dw = add_node(
      g, "Conv", "dw",
      {r1, g.add_constant("wd", random_tensor({8, 1, 3, 3}, rng)), g.add_constant("bd", random_tensor({8}, rng))},
      {{"pads", Attribute::of_ints(pads)}, {"group", Attribute::of_int(8)}});
  ValueId c2 = add_node(
      g, "Conv", "conv2",
      {dw, g.add_constant("w2", random_tensor({6, 8, 1, 1}, rng)), g.add_constant("b2", random_tensor({6}, rng))});
  ValueId pooled = add_node(g, "GlobalAveragePool", "pool", {c2});
  ValueId flat = add_node(g, "Flatten", "flat", {pooled});
  ValueId y =
      add_node(g, "Gemm", "fc",
               {flat, g.add_constant("wf", random_tensor({4, 6}, rng)), g.add_constant("bf", random_tensor({4}, rng))},
               {{"transB", Attribute::of_int(1)}});
  g.outputs.push_back(y);
  return g;
}

// Runs `model` on `x` and checks its output against a freshly loaded model's, bit for bit.
void check_against_fresh(Model& model, const Graph& net, const Tensor& x) {
  auto got = model.run({{"x", &x}});
  REQUIRE_MESSAGE(got.is_ok(), got.status().message());
  auto fresh = Model::from_graph(Graph(net));
  REQUIRE(fresh.is_ok());
  auto want = (*fresh)->run({{"x", &x}});
  REQUIRE(want.is_ok());
  REQUIRE((*want)[0].shape() == (*got)[0].shape());
  CHECK(std::memcmp((*got)[0].raw(), (*want)[0].raw(), (*want)[0].bytes()) == 0);
}

int shaped_packs = 0;  // PlanCacheShapedPacker's packing calls

// Packs `weights` (input 1, read at prepare only) into a buffer whose key also names input 0's shape, so no
// two shapes share it: a weight that is not shared counts against the budget once per plan. Copies x to y.
class ShapedPacker : public Kernel {
 public:
  Status prepare(const Node&, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    out[0].dtype = in[0].dtype;
    out[0].shape = in[0].shape;
    if (!in[1].constant) return Status::ok();
    const Tensor* w = in[1].constant;
    packed_ = pack_weights<float>([&] { return PackingKey("test.shaped").add(in[0].shape.back()).add(w); },
                                  static_cast<size_t>(w->size()),
                                  [&](float* p) {
                                    ++shaped_packs;
                                    std::memcpy(p, w->raw(), w->bytes());
                                  });
    return Status::ok();
  }
  bool reads_constant_input_at_run(size_t i) const override { return i == 0; }
  Status run(const KernelIO& io) override {
    std::memcpy(io.out[0].data, io.in[0].data, static_cast<size_t>(io.in[0].size()) * sizeof(float));
    return Status::ok();
  }

 private:
  PackedBuffer<float> packed_;
};

Result<std::unique_ptr<Kernel>> create_shaped_packer(const Node&) {
  return std::unique_ptr<Kernel>(std::make_unique<ShapedPacker>());
}

}  // namespace

TEST_CASE("plan cache: alternating shapes gives what a fresh model gives, bit for bit") {
  std::mt19937 rng(11);
  const Graph net = conv_net(rng);
  auto model = Model::from_graph(Graph(net));
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  const std::vector<Shape> shapes = {{1, 3, 16, 24}, {1, 3, 16, 40}, {2, 3, 9, 7}, {1, 3, 5, 33}};
  for (int round = 0; round < 3; ++round)
    for (const Shape& s : shapes) {
      INFO("round " << round << ", input " << shape_to_string(s));
      Tensor x = random_tensor(s, rng);
      auto got = (*model)->run({{"x", &x}});
      REQUIRE_MESSAGE(got.is_ok(), got.status().message());
      auto fresh = Model::from_graph(Graph(net));
      REQUIRE(fresh.is_ok());
      auto want = (*fresh)->run({{"x", &x}});
      REQUIRE(want.is_ok());
      REQUIRE((*got)[0].shape() == Shape{s[0], 5, s[2], s[3]});
      REQUIRE((*want)[0].shape() == (*got)[0].shape());
      CHECK(std::memcmp((*got)[0].raw(), (*want)[0].raw(), (*want)[0].bytes()) == 0);
    }
}

TEST_CASE("plan cache: free output dimensions are -1 in the output specs, concrete in a run's tensors") {
  std::mt19937 rng(12);
  auto model = Model::from_graph(conv_net(rng));
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  CHECK((*model)->outputs()[0].shape == Shape{-1, 5, -1, -1});
  Tensor x = random_tensor({1, 3, 6, 10}, rng);
  auto out = (*model)->run({{"x", &x}});
  REQUIRE(out.is_ok());
  CHECK((*out)[0].shape() == Shape{1, 5, 6, 10});
  CHECK((*model)->outputs()[0].shape == Shape{-1, 5, -1, -1});  // the spec stays the model's
}

TEST_CASE("plan cache: each of up to plan_cache_size shapes is planned once, then never again") {
  auto model = counting_model(ModelOptions{});  // 4 plans
  for (int64_t w : {10, 20, 30, 40}) CHECK(run_planned(*model, w));
  for (int round = 0; round < 3; ++round)
    for (int64_t w : {40, 10, 30, 20}) CHECK_FALSE(run_planned(*model, w));
  CHECK(run_planned(*model, 50));  // a fifth shape evicts the least recently used (40)
  CHECK_FALSE(run_planned(*model, 20));
  CHECK(run_planned(*model, 40));
}

TEST_CASE("plan cache: the least recently used plan is evicted first") {
  ModelOptions options;
  options.plan_cache_size = 2;
  auto model = counting_model(options);
  CHECK(run_planned(*model, 10));        // [10]
  CHECK(run_planned(*model, 20));        // [20, 10]
  CHECK_FALSE(run_planned(*model, 10));  // [10, 20]
  CHECK(run_planned(*model, 30));        // [30, 10]: 20 was the least recently used
  CHECK_FALSE(run_planned(*model, 10));  // [10, 30]
  CHECK(run_planned(*model, 20));        // [20, 10]: 30 evicted
  CHECK_FALSE(run_planned(*model, 10));
  CHECK(run_planned(*model, 30));
}

TEST_CASE("plan cache: a size of 1 (or 0) keeps only the last plan") {
  for (size_t size : {size_t{0}, size_t{1}}) {
    ModelOptions options;
    options.plan_cache_size = size;
    auto model = counting_model(options);
    CHECK(run_planned(*model, 10));
    CHECK_FALSE(run_planned(*model, 10));
    CHECK(run_planned(*model, 20));
    CHECK(run_planned(*model, 10));
  }
}

TEST_CASE("plan cache: the cached plans' arenas together stay within the memory budget") {
  // One plan for [1, 1000] floats: an arena of about 8 KB (input and output) plus 4 KB of outputs per run.
  ModelOptions roomy;
  auto model = counting_model(roomy);
  CHECK(run_planned(*model, 1000));
  CHECK(run_planned(*model, 1001));
  CHECK_FALSE(run_planned(*model, 1000));  // both fit the default budget

  ModelOptions tight;
  tight.memory_budget = 14000;  // one plan fits (about 12 KB), two arenas (about 16 KB) do not
  auto small = counting_model(tight);
  CHECK(run_planned(*small, 1000));
  CHECK(run_planned(*small, 1001));  // evicts the plan for 1000 to stay within the budget
  CHECK(run_planned(*small, 1000));
  CHECK(run_planned(*small, 10));  // two small arenas fit beside each other
  CHECK_FALSE(run_planned(*small, 1000));

  // A shape whose plan alone is over the budget fails, and the cached plans still serve.
  Tensor big(DataType::kFloat32, {1, 100000});
  auto out = small->run({{"x", &big}});
  REQUIRE_FALSE(out.is_ok());
  CHECK(out.status().code() == StatusCode::kResourceExhausted);
  CHECK_FALSE(run_planned(*small, 1000));
}

TEST_CASE("plan cache: weights the plans share count once against the budget; weights they do not, per plan") {
  const int64_t weight_floats = 100000;  // 400 KB of weights, a few KB of arena per plan
  ModelOptions tight;
  tight.memory_budget = 300000;  // the arenas fit; a second plan's own copy of the weights would not

  // The counting copy keeps its weight as the imported constant, one tensor for every plan.
  auto shared = counting_model(tight, weight_floats);
  CHECK(run_planned(*shared, 100));
  CHECK(run_planned(*shared, 200));
  CHECK_FALSE(run_planned(*shared, 100));  // both cached: the weight counted once
  CHECK((*shared).memory().cached_plans == 2);

  // A kernel that packs the weight per shape: each older plan's packed copy counts.
  register_op("PlanCacheShapedPacker", create_shaped_packer);
  Graph g;
  ValueId x = add_input(g, "x", {1, -1});
  ValueId w = g.add_constant("weights", Tensor(DataType::kFloat32, {weight_floats}));
  g.outputs.push_back(add_node(g, "PlanCacheShapedPacker", "packer", {x, w}));
  const Graph net = g;
  for (size_t budget : {size_t{1} << 30, size_t{600000}}) {
    INFO("budget " << budget);
    ModelOptions options;
    options.memory_budget = budget;
    auto model = Model::from_graph(Graph(net), options);
    REQUIRE_MESSAGE(model.is_ok(), model.status().message());
    const int before = shaped_packs;
    for (int64_t width : {100, 200, 300, 100}) {
      Tensor in(DataType::kFloat32, {1, width});
      REQUIRE((*model)->run({{"x", &in}}).is_ok());
    }
    // 1 GiB: three plans cached, each packed once. 600 KB: one older 400 KB copy fits, two do not: each new
    // shape evicts the oldest plan, so 100 packs again.
    CHECK(shaped_packs - before == (budget > 600000 ? 3 : 4));
    CHECK((*model)->memory().cached_plans == (budget > 600000 ? 3 : 2));
  }
}

TEST_CASE("plan cache: each weight is packed once, whatever the shapes alternating; outputs as a fresh model's") {
  std::mt19937 rng(13);
  const Graph net = packing_net(rng);
  auto model = Model::from_graph(Graph(net));
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  const std::vector<Shape> shapes = {{1, 3, 16, 24}, {1, 3, 16, 40}, {1, 3, 9, 7}, {1, 3, 5, 33}};
  ModelMemory first;
  for (int round = 0; round < 3; ++round)
    for (size_t i = 0; i < shapes.size(); ++i) {
      INFO("round " << round << ", input " << shape_to_string(shapes[i]));
      check_against_fresh(**model, net, random_tensor(shapes[i], rng));
      const ModelMemory m = (*model)->memory();
      if (round == 0 && i == 0) first = m;
      CHECK(m.cached_plans == (round == 0 ? i + 1 : shapes.size()));
      CHECK(m.weight_packs == 4);  // conv1, dw, conv2, fc: packed by the first plan, shared by the others
      // More plans, not more weights: a plan's own constants are a few bytes (a shape a pass made), not
      // the ~2 KB of packed weights.
      CHECK(m.weight_bytes <= first.weight_bytes + 64 * (m.cached_plans - 1));
      if (round == 0 && i > 0) CHECK(m.arena_bytes > first.arena_bytes);
    }
  // The packed weights are about what was imported (panels padded): not a copy per plan.
  int64_t imported = 0;
  for (const Value& v : net.values)
    if (v.constant) imported += v.constant->bytes();
  CHECK(first.weight_bytes >= static_cast<uint64_t>(imported));
  CHECK(first.weight_bytes < 4 * static_cast<uint64_t>(imported));
}

TEST_CASE("plan cache: an evicted plan leaves the weights it shares to the plans still cached") {
  std::mt19937 rng(14);
  const Graph net = packing_net(rng);
  for (size_t size : {size_t{1}, size_t{2}}) {
    INFO("plan_cache_size " << size);
    ModelOptions options;
    options.plan_cache_size = size;
    auto model = Model::from_graph(Graph(net), options);
    REQUIRE_MESSAGE(model.is_ok(), model.status().message());
    const std::vector<Shape> shapes = {{1, 3, 8, 8}, {1, 3, 12, 6}, {1, 3, 5, 9}};
    uint64_t weight_bytes = 0;
    for (int round = 0; round < 2; ++round)
      for (const Shape& s : shapes) {  // every run past the first `size` evicts the least recently used
        INFO("round " << round << ", input " << shape_to_string(s));
        check_against_fresh(**model, net, random_tensor(s, rng));
        const ModelMemory m = (*model)->memory();
        CHECK(m.cached_plans <= size);
        CHECK(m.weight_packs == 4);  // never packed again: the new plan took them before the old one went
        if (!weight_bytes) weight_bytes = m.weight_bytes;
        CHECK(m.weight_bytes <= weight_bytes + 64 * (m.cached_plans - 1));
      }
  }
}

// An int32 picture (TF.js MoveNet's input) is data: the model plans once, at load, and every new picture
// runs on that plan; before, each picture's values were folded into a plan of their own (250 ms a frame).
// Oracle: the same network fed the picture as float32 (float inputs were always data).
TEST_CASE("plan cache: an int32 image input is data: planned once at load, not once per picture") {
  register_op("PlanCacheCountingCopy", create_counting_copy);
  std::mt19937 rng(3);
  const Tensor w = random_tensor({4, 3, 3, 3}, rng);
  auto make = [&](DataType input_type) {
    Graph g;
    ValueId x = g.add_value("x");
    g.value(x).shape = {1, 3, 5, 4};
    g.value(x).dtype = input_type;
    g.value(x).has_shape = true;
    g.inputs.push_back(x);
    ValueId f = x;
    if (input_type != DataType::kFloat32) f = add_node(g, "Cast", "cast", {x}, {{"to", Attribute::of_int(1)}});
    ValueId c = add_node(g, "PlanCacheCountingCopy", "copy", {f});
    const std::vector<int64_t> pads = {1, 1, 1, 1};
    g.outputs.push_back(add_node(g, "Conv", "conv", {c, g.add_constant("w", w)}, {{"pads", Attribute::of_ints(pads)}}));
    auto model = Model::from_graph(std::move(g));
    REQUIRE_MESSAGE(model.is_ok(), model.status().message());
    return std::move(model).value();
  };
  auto as_int = make(DataType::kInt32);
  auto as_float = make(DataType::kFloat32);
  CHECK(as_int->outputs()[0].shape == Shape{1, 4, 5, 4});  // planned at load: the output shape is known
  CHECK(as_int->conv_layers().size() == 1);
  const int planned = copy_prepares;
  std::uniform_int_distribution<int> byte(0, 255);
  for (int picture = 0; picture < 3; ++picture) {
    Tensor xi(DataType::kInt32, {1, 3, 5, 4}), xf(DataType::kFloat32, {1, 3, 5, 4});
    for (int64_t i = 0; i < xi.size(); ++i) xf.data<float>()[i] = static_cast<float>(xi.data<int32_t>()[i] = byte(rng));
    auto a = as_int->run({{"x", &xi}});
    auto b = as_float->run({{"x", &xf}});
    REQUIRE_MESSAGE(a.is_ok(), a.status().message());
    REQUIRE(b.is_ok());
    REQUIRE((*a)[0].shape() == (*b)[0].shape());
    CHECK(std::memcmp((*a)[0].raw(), (*b)[0].raw(), (*a)[0].bytes()) == 0);
  }
  CHECK(copy_prepares == planned);  // no picture planned again
}

// An integer input whose values do decide shapes (Reshape's shape fed as an input) still plans on them.
TEST_CASE("plan cache: an int64 shape input still decides shapes, per value") {
  Graph g;
  ValueId x = add_input(g, "x", {2, 6});
  ValueId s = g.add_value("s");
  g.value(s).shape = {2};
  g.value(s).dtype = DataType::kInt64;
  g.value(s).has_shape = true;
  g.inputs.push_back(s);
  g.outputs.push_back(add_node(g, "Reshape", "reshape", {x, s}));
  auto model = Model::from_graph(std::move(g));
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  Tensor xv(DataType::kFloat32, {2, 6});
  for (int64_t i = 0; i < 12; ++i) xv.data<float>()[i] = static_cast<float>(i);
  for (const Shape& want : {Shape{3, 4}, Shape{4, 3}, Shape{12, 1}}) {
    Tensor sv(DataType::kInt64, {2});
    sv.data<int64_t>()[0] = want[0], sv.data<int64_t>()[1] = want[1];
    auto y = model.value()->run({{"x", &xv}, {"s", &sv}});
    REQUIRE_MESSAGE(y.is_ok(), y.status().message());
    CHECK((*y)[0].shape() == want);
    CHECK(std::memcmp((*y)[0].raw(), xv.raw(), xv.bytes()) == 0);
  }
}
