// Softmax / LogSoftmax (ops/softmax.h): hand-computed cases, kernels against the double-precision
// reference on random shapes and every axis, and errors.
//
// Tolerance: Softmax |fast - ref| <= 1e-6 + 1e-5 * |ref| (float exp and division);
// LogSoftmax <= 1e-5 + 1e-6 * |ref| (float subtraction of values up to ~30).
#include <doctest/doctest.h>

#include <random>

#include "eltwise_test_support.h"
#include "ops/softmax.h"

using namespace webcnn;
using namespace webcnn::testing;

namespace {

Result<Tensor> run_softmax(const std::string& op, const Tensor& x, int64_t axis) {
  WEBCNN_ASSIGN(std::vector<Tensor> out, run_kernel(make_node(op, {{"axis", Attribute::of_int(axis)}}), {&x}));
  return std::move(out[0]);
}

void expect(const std::string& op, const Tensor& x, int64_t axis, const std::vector<float>& want) {
  CAPTURE(op);
  for (bool use_reference : {false, true}) {
    auto y = use_reference ? reference::softmax(x, axis, op == "LogSoftmax") : run_softmax(op, x, axis);
    REQUIRE_MESSAGE(y.is_ok(), y.status().message());
    for (size_t i = 0; i < want.size(); ++i)
      CHECK(y.value().data<float>()[i] == doctest::Approx(want[i]).epsilon(1e-6));
  }
}

}  // namespace

TEST_CASE("softmax, hand-computed") {
  Tensor x = floats({1, 3}, {0, 0.6931471806f, 1.6094379124f});  // e^x = 1, 2, 5; sum 8
  expect("Softmax", x, -1, {0.125f, 0.25f, 0.625f});
  expect("Softmax", x, 1, {0.125f, 0.25f, 0.625f});
  expect("LogSoftmax", x, -1, {-2.0794415417f, -1.3862943611f, -0.4700036292f});  // ln(1/8), ln(2/8), ln(5/8)
  expect("Softmax", x, 0, {1, 1, 1});                                             // an axis of one element
  Tensor big = floats({3}, {1000, 1001, 1002});  // exp would overflow without the max subtraction
  expect("Softmax", big, 0, {0.0900305732f, 0.2447284711f, 0.6652409558f});
  expect("LogSoftmax", big, 0, {-2.4076059644f, -1.4076059644f, -0.4076059644f});
  Tensor cols = floats({2, 2}, {0, 1, 1.0986122887f, 1});  // axis 0: columns (1, 3) and (e, e)
  expect("Softmax", cols, 0, {0.25f, 0.5f, 0.75f, 0.5f});
  expect("Softmax", cols, -2, {0.25f, 0.5f, 0.75f, 0.5f});
}

TEST_CASE("softmax kernels match the reference on random shapes and every axis") {
  std::mt19937 rng(9);
  int compared = 0;
  for (int iter = 0; iter < 60; ++iter) {
    const int64_t rank = 1 + static_cast<int64_t>(rng() % 4);
    Shape shape = random_shape(rng, static_cast<size_t>(rank), iter % 3 == 0 ? 40 : 9);
    Tensor x = random_tensor(rng, DataType::kFloat32, shape, -15, 15);
    for (int64_t axis = -rank; axis < rank; ++axis)
      for (const char* op : {"Softmax", "LogSoftmax"}) {
        CAPTURE(std::string(op));
        CAPTURE(shape_to_string(shape));
        CAPTURE(axis);
        auto fast = run_softmax(op, x, axis);
        REQUIRE(fast.is_ok());
        const bool log = std::string(op) == "LogSoftmax";
        std::string where;
        CHECK_MESSAGE(all_close(fast.value(), reference::softmax(x, axis, log).value(), log ? 1e-5 : 1e-6,
                                log ? 1e-6 : 1e-5, &where),
                      where);
        ++compared;
      }
  }
  CHECK(compared > 200);
}

TEST_CASE("softmax errors name the node") {
  Tensor x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  auto r = run_softmax("Softmax", x, 2);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("Softmax 't_Softmax': axis 2 is out of range") != std::string::npos);
  CHECK_FALSE(run_softmax("LogSoftmax", x, -3).is_ok());
  Tensor xi = int32s({2}, {1, 2});
  CHECK_FALSE(run_softmax("Softmax", xi, 0).is_ok());
  Tensor scalar = floats({}, {1});
  CHECK_FALSE(run_softmax("Softmax", scalar, 0).is_ok());
  Tensor empty(DataType::kFloat32, {3, 0});  // an empty axis is fine: nothing to do
  CHECK(run_softmax("Softmax", empty, 1).is_ok());
}
