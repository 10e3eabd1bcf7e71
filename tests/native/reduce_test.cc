// Reductions (ops/reduce.h): hand-computed cases, kernels against the double-precision reference
// over random shapes and axis sets (incl. the NHWC spatial pattern), empty axes, and errors.
//
// Tolerance: float sums accumulate in float: |fast - ref| <= 1e-5 * (1 + count * max|x|) absolute
// plus 1e-5 relative; Max/Min and integers exactly.
#include <doctest/doctest.h>

#include <random>

#include "eltwise_test_support.h"
#include "ops/reduce.h"

using namespace webcnn;
using namespace webcnn::testing;

namespace {

Result<Tensor> run_reduce(const std::string& op, const Tensor& x, const Tensor* axes, int64_t keepdims = 1,
                          int64_t noop = 0) {
  Node node =
      make_node(op, {{"keepdims", Attribute::of_int(keepdims)}, {"noop_with_empty_axes", Attribute::of_int(noop)}}, 2);
  WEBCNN_ASSIGN(std::vector<Tensor> out, run_kernel(node, {&x, axes}, {false, true}));
  return std::move(out[0]);
}

void expect(const std::string& op, const Tensor& x, const std::vector<int64_t>& axes, bool keepdims, const Shape& shape,
            const std::vector<float>& want) {
  CAPTURE(op);
  Tensor axes_t = int64s({static_cast<int64_t>(axes.size())}, axes);
  for (bool use_reference : {false, true}) {
    auto y = use_reference ? reference::reduce(op, x, axes, keepdims) : run_reduce(op, x, &axes_t, keepdims);
    REQUIRE_MESSAGE(y.is_ok(), y.status().message());
    CHECK(y.value().shape() == shape);
    REQUIRE(y.value().size() == static_cast<int64_t>(want.size()));
    for (size_t i = 0; i < want.size(); ++i)
      CHECK(y.value().data<float>()[i] == doctest::Approx(want[i]).epsilon(1e-6));
  }
}

}  // namespace

TEST_CASE("reductions, hand-computed") {
  // [[1, 2, 3], [4, 5, 6]]
  Tensor x = floats({2, 3}, {1, 2, -3, 4, 5, 6});
  expect("ReduceSum", x, {1}, true, {2, 1}, {0, 15});
  expect("ReduceSum", x, {0}, false, {3}, {5, 7, 3});
  expect("ReduceSum", x, {}, true, {1, 1}, {15});  // empty axes: all
  expect("ReduceSum", x, {-1, 0}, false, {}, {15});
  expect("ReduceMean", x, {1}, false, {2}, {0, 5});
  expect("ReduceMean", x, {0}, true, {1, 3}, {2.5f, 3.5f, 1.5f});
  expect("ReduceMax", x, {1}, false, {2}, {2, 6});
  expect("ReduceMin", x, {0}, false, {3}, {1, 2, -3});
  expect("ReduceProd", x, {1}, false, {2}, {-6, 120});
  expect("ReduceSumSquare", x, {1}, false, {2}, {14, 77});
  expect("ReduceL1", x, {1}, false, {2}, {6, 15});
  expect("ReduceL2", x, {0}, false, {3},
         {4.1231056256f, 5.3851648071f, 6.7082039325f});  // sqrt(17), sqrt(29), sqrt(45)
  expect("ReduceLogSum", x, {0}, false, {3}, {1.6094379124f, 1.9459101091f, 1.0986122887f});  // ln 5, ln 7, ln 3
  Tensor l = floats({2, 2}, {0, 1.0986122887f, 1000, 1000});  // ln(1 + 3) = ln 4; 1000 + ln 2 (no overflow)
  expect("ReduceLogSumExp", l, {1}, false, {2}, {1.3862943611f, 1000.6931471806f});
  // NHWC spatial mean: [1, 2, 2, 2] over H, W.
  Tensor nhwc = floats({1, 2, 2, 2}, {1, 10, 2, 20, 3, 30, 4, 40});
  expect("ReduceMean", nhwc, {1, 2}, true, {1, 1, 1, 2}, {2.5f, 25});
  expect("ReduceMax", nhwc, {1, 2}, false, {1, 2}, {4, 40});
}

TEST_CASE("integer reductions and empty-axis behaviour, hand-computed") {
  Tensor xi = int32s({2, 2}, {7, -2, 3, 4});
  Tensor axis1 = int64s({1}, {1});
  auto s = run_reduce("ReduceSum", xi, &axis1, 0);
  REQUIRE(s.is_ok());
  CHECK(values_of<int32_t>(s.value()) == std::vector<int32_t>{5, 7});
  auto m = run_reduce("ReduceMax", xi, nullptr, 0);  // absent axes: all
  REQUIRE(m.is_ok());
  CHECK(m.value().shape() == Shape{});
  CHECK(values_of<int32_t>(m.value()) == std::vector<int32_t>{7});
  Tensor xl = int64s({3}, {-4, 5, 2});
  auto p = run_reduce("ReduceProd", xl, nullptr, 1);
  REQUIRE(p.is_ok());
  CHECK(values_of<int64_t>(p.value()) == std::vector<int64_t>{-40});

  Tensor x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor none = int64s({0}, {});
  auto noop = run_reduce("ReduceSum", x, &none, 1, 1);  // noop_with_empty_axes: the input as is
  REQUIRE(noop.is_ok());
  CHECK(noop.value().shape() == Shape{2, 3});
  CHECK(values_of<float>(noop.value()) == values_of<float>(x));
  auto sq = run_reduce("ReduceSumSquare", x, nullptr, 1, 1);  // each element reduced alone
  REQUIRE(sq.is_ok());
  CHECK(values_of<float>(sq.value()) == std::vector<float>{1, 4, 9, 16, 25, 36});
  auto all = run_reduce("ReduceSum", x, &none, 0, 0);
  REQUIRE(all.is_ok());
  CHECK(values_of<float>(all.value()) == std::vector<float>{21});

  Tensor empty(DataType::kFloat32, {2, 0});  // reducing an empty axis gives the identity
  for (auto [op, want] : std::vector<std::pair<std::string, float>>{
           {"ReduceSum", 0.0f}, {"ReduceProd", 1.0f}, {"ReduceMax", -INFINITY}, {"ReduceMin", INFINITY}}) {
    auto y = run_reduce(op, empty, &axis1, 0);
    REQUIRE(y.is_ok());
    CHECK(values_of<float>(y.value()) == std::vector<float>{want, want});
  }
  auto mean = run_reduce("ReduceMean", empty, &axis1, 0);
  REQUIRE(mean.is_ok());
  CHECK(std::isnan(mean.value().data<float>()[0]));
}

TEST_CASE("reduction kernels match the reference over random shapes and axis sets") {
  std::mt19937 rng(17);
  const char* ops[] = {"ReduceSum",       "ReduceMean", "ReduceMax", "ReduceMin",      "ReduceProd",
                       "ReduceSumSquare", "ReduceL1",   "ReduceL2",  "ReduceLogSumExp"};
  int compared = 0;
  for (int iter = 0; iter < 120; ++iter) {
    const size_t rank = 1 + rng() % 4;
    Shape shape = random_shape(rng, rank, iter % 4 == 0 ? 21 : 9);
    std::vector<int64_t> axes;
    for (size_t a = 0; a < rank; ++a)
      if (rng() % 2)
        axes.push_back(rng() % 2 ? static_cast<int64_t>(a) : static_cast<int64_t>(a) - static_cast<int64_t>(rank));
    if (iter % 10 == 0) axes = {1, 2};  // the NHWC spatial pattern when rank is 4
    if (iter % 10 == 0) shape = {2, 7, 5, 19};
    const bool keepdims = rng() % 2;
    Tensor axes_t = int64s({static_cast<int64_t>(axes.size())}, axes);
    for (const char* op : ops) {
      const bool prod = std::string(op) == "ReduceProd";
      Tensor x = random_tensor(rng, DataType::kFloat32, shape, prod ? 0.8 : -4, prod ? 1.25 : 4);
      CAPTURE(std::string(op));
      CAPTURE(shape_to_string(shape));
      CAPTURE(shape_to_string(axes));
      auto fast = run_reduce(op, x, &axes_t, keepdims);
      REQUIRE_MESSAGE(fast.is_ok(), fast.status().message());
      auto ref = reference::reduce(op, x, axes, keepdims);
      REQUIRE(ref.is_ok());
      const double count =
          static_cast<double>(x.size()) / static_cast<double>(std::max<int64_t>(1, ref.value().size()));
      std::string where;
      CHECK_MESSAGE(all_close(fast.value(), ref.value(), 1e-5 * (1 + count * 16), 1e-5, &where), where);
      ++compared;
    }
    for (DataType t : {DataType::kInt32, DataType::kInt64})
      for (const char* op : {"ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd"}) {
        Tensor x = random_tensor(rng, t, shape, -9, 9);
        auto fast = run_reduce(op, x, &axes_t, keepdims);
        REQUIRE(fast.is_ok());
        CHECK(all_close(fast.value(), reference::reduce(op, x, axes, keepdims).value(), 0, 0));
      }
  }
  CHECK(compared > 1000);
}

TEST_CASE("reduction errors name the node and what is wrong") {
  Tensor x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor bad = int64s({1}, {2});
  auto r = run_reduce("ReduceMean", x, &bad);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("ReduceMean 't_ReduceMean': axis 2 is out of range") != std::string::npos);
  Tensor dup = int64s({2}, {1, -1});
  CHECK(run_reduce("ReduceSum", x, &dup).status().message().find("duplicate") != std::string::npos);
  Tensor fl = floats({1}, {0});
  CHECK_FALSE(run_reduce("ReduceSum", x, &fl).is_ok());
  Tensor xi = int32s({2}, {1, 2});
  CHECK_FALSE(run_reduce("ReduceMean", xi, nullptr).is_ok());
  Tensor axes = int64s({1}, {0});
  Node node = make_node("ReduceSum", {}, 2);
  auto not_constant = run_kernel(node, {&x, &axes}, {false, false});
  REQUIRE_FALSE(not_constant.is_ok());
  CHECK(not_constant.status().message().find("constant") != std::string::npos);
  Node old_form = make_node("ReduceMax", {{"axes", Attribute::of_ints({0})}});
  CHECK_FALSE(run_kernel(old_form, {&x}).is_ok());
}
