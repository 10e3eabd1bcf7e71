// Loading a model plans it (kernels prepared, weights packed, arena sized against the budget) but runs no
// kernel: no inference on placeholder inputs at load. What that run used to catch is caught by the kernels'
// prepare() and the memory plan instead, at load.
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

int toy_runs = 0;      // LoadCountingCopy kernels' run() calls
int toy_prepares = 0;  // and prepare() calls

// Copies its input; counts how often it is prepared and run.
class CountingCopy : public Kernel {
 public:
  Status prepare(const Node&, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    ++toy_prepares;
    out[0].dtype = in[0].dtype;
    out[0].shape = in[0].shape;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    ++toy_runs;
    std::memcpy(io.out[0].data, io.in[0].data, static_cast<size_t>(io.in[0].size()) * sizeof(float));
    return Status::ok();
  }
};

Result<std::unique_ptr<Kernel>> create_counting_copy(const Node&) {
  return std::unique_ptr<Kernel>(std::make_unique<CountingCopy>());
}

Graph counting_graph(Shape input_shape) {
  register_op("LoadCountingCopy", create_counting_copy);
  Graph g;
  ValueId x = add_input(g, "x", std::move(input_shape));
  ValueId y = add_node(g, "LoadCountingCopy", "copy", {x});
  g.outputs.push_back(y);
  return g;
}

}  // namespace

TEST_CASE("load: a static model is planned at load without running a kernel") {
  toy_runs = toy_prepares = 0;
  auto model = Model::from_graph(counting_graph({1, 2, 3}));
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  const int prepared_at_load = toy_prepares;  // shape inference and the plan prepare kernels
  CHECK(prepared_at_load >= 1);
  CHECK(toy_runs == 0);  // not run
  Tensor x(DataType::kFloat32, {1, 2, 3});
  for (int64_t i = 0; i < x.size(); ++i) x.data<float>()[i] = static_cast<float>(i) - 2.5f;
  auto out = (*model)->run({{"x", &x}});
  REQUIRE_MESSAGE(out.is_ok(), out.status().message());
  CHECK(toy_prepares == prepared_at_load);  // the first run found the load's plan
  CHECK(toy_runs == 1);
  REQUIRE(out->size() == 1);
  CHECK((*out)[0].shape() == Shape{1, 2, 3});
  for (int64_t i = 0; i < x.size(); ++i) CHECK((*out)[0].data<float>()[i] == x.data<float>()[i]);
}

TEST_CASE("load: the memory budget is enforced at load, without running") {
  toy_runs = toy_prepares = 0;
  ModelOptions options;
  options.memory_budget = 1000;  // input and output take 4 KB each
  auto model = Model::from_graph(counting_graph({1, 1024}), options);
  REQUIRE_FALSE(model.is_ok());
  CHECK(model.status().code() == StatusCode::kResourceExhausted);
  CHECK(toy_runs == 0);
}

TEST_CASE("load: a constant Gather index out of range fails at load, naming the node") {
  Graph g;
  ValueId x = add_input(g, "x", {2, 3});
  Tensor idx(DataType::kInt64, {1});
  idx.data<int64_t>()[0] = 3;  // axis 1 has 3 entries
  ValueId y = add_node(g, "Gather", "pick", {x, g.add_constant("idx", idx)}, {{"axis", Attribute::of_int(1)}});
  g.outputs.push_back(y);
  auto model = Model::from_graph(std::move(g));
  REQUIRE_FALSE(model.is_ok());
  CHECK(model.status().code() == StatusCode::kInvalidModel);
  CHECK(model.status().message().find("pick") != std::string::npos);
  CHECK(model.status().message().find("out of range") != std::string::npos);
}

TEST_CASE("load: a static model lists its convolutions right after load") {
  std::mt19937 rng(5);
  Graph g;
  ValueId x = add_input(g, "x", {1, 3, 8, 8});
  ValueId y = add_node(
      g, "Conv", "conv",
      {x, g.add_constant("w", random_tensor({4, 3, 3, 3}, rng)), g.add_constant("b", random_tensor({4}, rng))});
  g.outputs.push_back(y);
  auto model = Model::from_graph(std::move(g));
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  const std::vector<ConvLayerInfo> layers = (*model)->conv_layers();
  REQUIRE(layers.size() == 1);
  CHECK(layers[0].name == "conv");
  CHECK(layers[0].weights == Shape{4, 3, 3, 3});
  CHECK((*model)->outputs()[0].shape == Shape{1, 4, 6, 6});
}
