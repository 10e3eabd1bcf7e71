// Runs one graph as two models, with the graph passes off (the plain path, the independent result) and on,
// for the tests that check a pass changes nothing but speed (passes_test, qdq_fusion_test). Each test
// compares the two with its own tolerance.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "webcnn/model.h"

namespace webcnn::testing {

struct OptimizedAndUnoptimized {
  std::vector<Tensor> unoptimized, optimized;  // the graph's outputs, in order
};

// `inputs` in the order of g.inputs.
inline OptimizedAndUnoptimized run_optimized_and_unoptimized(const Graph& g, const std::vector<Tensor>& inputs) {
  REQUIRE(inputs.size() == g.inputs.size());
  OptimizedAndUnoptimized r;
  for (bool optimize : {false, true}) {
    ModelOptions options;
    options.optimize = optimize;
    auto model = Model::from_graph(g, options);
    REQUIRE_MESSAGE(model.is_ok(), model.status().message());
    std::map<std::string, const Tensor*> feed;
    for (size_t i = 0; i < g.inputs.size(); ++i) feed[g.value(g.inputs[i]).name] = &inputs[i];
    auto got = (*model)->run(feed);
    REQUIRE_MESSAGE(got.is_ok(), got.status().message());
    (optimize ? r.optimized : r.unoptimized) = std::move(*got);
  }
  REQUIRE(r.optimized.size() == r.unoptimized.size());
  return r;
}

}  // namespace webcnn::testing
