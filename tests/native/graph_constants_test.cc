// graph/constants.h: the typed constants importers and passes add, and the unique names passes give them.
#include <doctest/doctest.h>

#include <vector>

#include "graph/constants.h"

using namespace webcnn;

TEST_CASE("graph constants: typed tensors hold exactly the values, with the documented shapes") {
  Tensor i = int64_tensor({3, -1, 0, int64_t{1} << 40});
  CHECK(i.dtype() == DataType::kInt64);
  CHECK(i.shape() == Shape{4});
  CHECK(i.to_int64_vector() == std::vector<int64_t>{3, -1, 0, int64_t{1} << 40});
  CHECK(int64_tensor({}).shape() == Shape{0});

  Tensor f = float_tensor({0.5f, -2.f});
  CHECK(f.dtype() == DataType::kFloat32);
  CHECK(f.shape() == Shape{2});
  CHECK(f.data<float>()[0] == 0.5f);
  CHECK(f.data<float>()[1] == -2.f);

  Tensor s = float_scalar_tensor(6.f);
  CHECK(s.dtype() == DataType::kFloat32);
  CHECK(s.shape() == Shape{});
  CHECK(s.data<float>()[0] == 6.f);
}

TEST_CASE("graph constants: add_* make a constant value of that name with its shape known") {
  Graph g;
  ValueId a = add_int64_constant(g, "axes", {1, 2});
  ValueId b = add_float_constant(g, "scales", {2.f, 3.f, 4.f});
  ValueId c = add_float_scalar(g, "min", 0.f);
  REQUIRE(g.values.size() == 3);
  CHECK(g.value(a).name == "axes");
  CHECK(g.value(a).dtype == DataType::kInt64);
  CHECK(g.value(a).has_shape);
  CHECK(g.value(a).shape == Shape{2});
  REQUIRE(g.value(a).constant.get() != nullptr);
  CHECK(g.value(a).constant->to_int64_vector() == std::vector<int64_t>{1, 2});
  CHECK(g.value(b).shape == Shape{3});
  REQUIRE(g.value(b).constant.get() != nullptr);
  CHECK(g.value(b).constant->data<float>()[2] == 4.f);
  CHECK(g.value(c).shape == Shape{});
  CHECK(g.value(c).dtype == DataType::kFloat32);
}

TEST_CASE("graph constants: unique_value_name keeps a free name and numbers a taken one") {
  Graph g;
  CHECK(unique_value_name(g, "w") == "w");
  g.add_value("w");
  CHECK(unique_value_name(g, "w") == "w_1");
  g.add_value("w_1");
  g.add_value("w_3");
  CHECK(unique_value_name(g, "w") == "w_2");
  CHECK(unique_value_name(g, "w_1") == "w_1_1");
}
