#include <doctest/doctest.h>

#include "graph/graph.h"
#include "runtime/memory_planner.h"
#include "webcnn/tensor.h"

using namespace webcnn;

TEST_CASE("checked_num_elements rejects negative and overflowing shapes") {
  CHECK(checked_num_elements({2, 3, 4}).value() == 24);
  CHECK(checked_num_elements({}).value() == 1);
  CHECK_FALSE(checked_num_elements({2, -1}).is_ok());
  CHECK_FALSE(checked_num_elements({int64_t{1} << 40}).is_ok());
  CHECK_FALSE(checked_num_elements({int64_t{1} << 20, int64_t{1} << 20, int64_t{1} << 30}).is_ok());
  CHECK(checked_num_elements({0, int64_t{1} << 40}).is_ok());  // empty tensor: 0 elements
}

TEST_CASE("topological_order finds cycles and names the node") {
  Graph g;
  ValueId a = g.add_value("a"), b = g.add_value("b");
  Node n1;
  n1.op = "Relu";
  n1.inputs = {b};
  n1.outputs = {a};
  Node n2;
  n2.op = "Relu";
  n2.inputs = {a};
  n2.outputs = {b};
  g.add_node(n1);
  g.add_node(n2);
  auto r = g.topological_order();
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("cycle") != std::string::npos);
}

TEST_CASE("arena planner shares bytes only between buffers whose lifetimes are disjoint") {
  std::vector<BufferLifetime> b = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {500, 3, 4}};
  ArenaLayout l = plan_arena(b);
  for (size_t i = 0; i < b.size(); ++i)
    for (size_t j = i + 1; j < b.size(); ++j) {
      bool time = b[i].first_step <= b[j].last_step && b[j].first_step <= b[i].last_step;
      bool space = l.offsets[i] < l.offsets[j] + b[j].bytes && l.offsets[j] < l.offsets[i] + b[i].bytes;
      CHECK_FALSE((time && space));
    }
  CHECK(l.total_bytes < l.sum_bytes);
}
