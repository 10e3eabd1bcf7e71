// Elementwise ops (ops/elementwise.h): hand-computed cases, the kernels against the naive reference
// on every broadcasting pattern, and error messages.
//
// Tolerance: the fast paths compute the same IEEE operation per element as the reference (f32x4
// add/sub/mul/div/max/min are exact), so results must match bit for bit, except Pow(x, 2) (x*x
// versus pow, within 1e-6 relative).
#include <doctest/doctest.h>

#include <climits>
#include <cmath>
#include <random>

#include "eltwise_test_support.h"
#include "ops/elementwise.h"

using namespace webcnn;
using namespace webcnn::testing;

namespace {

Result<Tensor> run1(const std::string& op, const std::vector<const Tensor*>& in,
                    const std::vector<bool>& constant = {}) {
  WEBCNN_ASSIGN(std::vector<Tensor> out, run_kernel(make_node(op, {}, in.size()), in, constant));
  return std::move(out[0]);
}

// Runs the kernel and the reference and checks both against `expected`.
template <typename T>
void check_both(const std::string& op, const std::vector<const Tensor*>& in, const Shape& shape,
                const std::vector<T>& expected) {
  CAPTURE(op);
  auto fast = run1(op, in);
  REQUIRE_MESSAGE(fast.is_ok(), fast.status().message());
  CHECK(fast.value().shape() == shape);
  CHECK(values_of<T>(fast.value()) == expected);
  auto ref = reference::elementwise(op, in);
  REQUIRE(ref.is_ok());
  CHECK(values_of<T>(ref.value()) == expected);
}

}  // namespace

TEST_CASE("elementwise float ops, hand-computed") {
  Tensor a = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor row = floats({3}, {10, 20, 30});
  Tensor col = floats({2, 1}, {-1, 2});
  Tensor s = floats({}, {2});
  check_both<float>("Add", {&a, &row}, {2, 3}, {11, 22, 33, 14, 25, 36});
  check_both<float>("Sub", {&a, &s}, {2, 3}, {-1, 0, 1, 2, 3, 4});
  check_both<float>("Sub", {&s, &a}, {2, 3}, {1, 0, -1, -2, -3, -4});
  check_both<float>("Mul", {&a, &col}, {2, 3}, {-1, -2, -3, 8, 10, 12});
  check_both<float>("Div", {&row, &col}, {2, 3}, {-10, -20, -30, 5, 10, 15});
  check_both<float>("Pow", {&a, &s}, {2, 3}, {1, 4, 9, 16, 25, 36});
  check_both<float>("Max", {&a, &s, &col}, {2, 3}, {2, 2, 3, 4, 5, 6});
  check_both<float>("Min", {&a, &s, &col}, {2, 3}, {-1, -1, -1, 2, 2, 2});
  check_both<float>("Sum", {&a, &s, &col}, {2, 3}, {2, 3, 4, 8, 9, 10});
  check_both<float>("Mean", {&a, &row}, {2, 3}, {5.5f, 11, 16.5f, 7, 12.5f, 18});
  check_both<float>("Max", {&a}, {2, 3}, {1, 2, 3, 4, 5, 6});
  check_both<uint8_t>("Greater", {&a, &s}, {2, 3}, {0, 0, 1, 1, 1, 1});
  check_both<uint8_t>("GreaterOrEqual", {&a, &s}, {2, 3}, {0, 1, 1, 1, 1, 1});
  check_both<uint8_t>("Less", {&a, &s}, {2, 3}, {1, 0, 0, 0, 0, 0});
  check_both<uint8_t>("LessOrEqual", {&a, &s}, {2, 3}, {1, 1, 0, 0, 0, 0});
  check_both<uint8_t>("Equal", {&a, &s}, {2, 3}, {0, 1, 0, 0, 0, 0});
  Tensor u = floats({4}, {4, 0.25f, 1, 2.25f});
  check_both<float>("Sqrt", {&u}, {4}, {2, 0.5f, 1, 1.5f});
}

TEST_CASE("elementwise unary float ops, hand-computed") {
  Tensor x = floats({4}, {-2.5f, -0.5f, 0.5f, 4});
  auto expect = [&](const std::string& op, std::vector<float> want) {
    CAPTURE(op);
    auto y = run1(op, {&x});
    REQUIRE(y.is_ok());
    std::vector<float> got = values_of<float>(y.value());
    for (size_t i = 0; i < want.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-6));
  };
  expect("Abs", {2.5f, 0.5f, 0.5f, 4});
  expect("Neg", {2.5f, 0.5f, -0.5f, -4});
  expect("Reciprocal", {-0.4f, -2, 2, 0.25f});
  expect("Floor", {-3, -1, 0, 4});
  expect("Ceil", {-2, -0.0f, 1, 4});
  expect("Exp", {0.0820849986f, 0.6065306597f, 1.6487212707f, 54.5981500331f});
  expect("Erf", {-0.9995930480f, -0.5204998778f, 0.5204998778f, 0.9999999846f});
  Tensor halves = floats({6}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f});
  auto r = run1("Round", {&halves});  // halves go to the even neighbour
  REQUIRE(r.is_ok());
  CHECK(values_of<float>(r.value()) == std::vector<float>{0, 2, 2, -0.0f, -2, 2});
  Tensor s = floats({3}, {-3, 0, 0.25f});
  auto sg = run1("Sign", {&s});
  REQUIRE(sg.is_ok());
  CHECK(values_of<float>(sg.value()) == std::vector<float>{-1, 0, 1});
  Tensor si = int64s({3}, {-7, 0, 9});
  check_both<int64_t>("Sign", {&si}, {3}, {-1, 0, 1});
  const float pi = 3.14159265358979f, ln2 = 0.69314718056f;
  auto one = [&](const std::string& op, float in, float want) {
    CAPTURE(op);
    Tensor v = floats({1}, {in});
    auto y = run1(op, {&v});
    REQUIRE(y.is_ok());
    CHECK(y.value().data<float>()[0] == doctest::Approx(want).epsilon(1e-6));
  };
  one("Sin", pi / 6, 0.5f);
  one("Cos", pi / 3, 0.5f);
  one("Tan", pi / 4, 1);
  one("Asin", 0.5f, pi / 6);
  one("Acos", 0.5f, pi / 3);
  one("Atan", 1, pi / 4);
  one("Sinh", ln2, 0.75f);  // (2 - 1/2) / 2
  one("Cosh", ln2, 1.25f);  // (2 + 1/2) / 2
  one("Asinh", 0.75f, ln2);
  one("Acosh", 1.25f, ln2);
  one("Atanh", 0.6f, ln2);  // ln((1 + 0.6) / (1 - 0.6)) / 2 = ln(4) / 2
  Tensor pos = floats({3}, {1, 2.718281828f, 0.5f});
  auto y = run1("Log", {&pos});
  REQUIRE(y.is_ok());
  CHECK(y.value().data<float>()[0] == 0);
  CHECK(y.value().data<float>()[1] == doctest::Approx(1).epsilon(1e-6));
  CHECK(y.value().data<float>()[2] == doctest::Approx(-0.6931471806).epsilon(1e-6));
}

TEST_CASE("integer semantics: truncating division, wrap-around (hand-computed)") {
  Tensor a = int32s({6}, {7, -7, 7, -7, 5, INT32_MIN});
  Tensor b = int32s({6}, {2, 2, -2, -2, 0, -1});
  Tensor b_nonzero = int32s({6}, {2, 2, -2, -2, 3, -1});
  check_both<int32_t>("Div", {&a, &b_nonzero}, {6}, {3, -3, -3, 3, 1, INT32_MIN});
  check_both<int32_t>("Add", {&a, &b}, {6}, {9, -5, 5, -9, 5, INT32_MAX});  // INT_MIN + -1 wraps
  check_both<int32_t>("Sub", {&a, &b}, {6}, {5, -9, 9, -5, 5, INT32_MIN + 1});
  check_both<int32_t>("Mul", {&a, &b}, {6}, {14, -14, -14, 14, 0, INT32_MIN});
  check_both<int32_t>("Max", {&a, &b}, {6}, {7, 2, 7, -2, 5, -1});
  check_both<int32_t>("Neg", {&a}, {6}, {-7, 7, -7, 7, -5, INT32_MIN});
  check_both<int32_t>("Abs", {&a}, {6}, {7, 7, 7, 7, 5, INT32_MIN});
  Tensor c = int64s({3}, {-9, 9, INT64_MIN});
  Tensor d = int64s({1}, {4});
  check_both<int64_t>("Div", {&c, &d}, {3}, {-2, 2, INT64_MIN / 4});
  check_both<int64_t>("Sum", {&c, &d, &d}, {3}, {-1, 17, INT64_MIN + 8});
  Tensor u = tensor_of<uint8_t>(DataType::kUInt8, {3}, {250, 3, 9});
  Tensor v = tensor_of<uint8_t>(DataType::kUInt8, {3}, {10, 0, 2});
  check_both<uint8_t>("Add", {&u, &v}, {3}, {4, 3, 11});
  check_both<uint8_t>("Sub", {&v, &u}, {3}, {16, 253, 249});
  check_both<uint8_t>("Mul", {&u, &v}, {3}, {196, 0, 18});
  Tensor v_nonzero = tensor_of<uint8_t>(DataType::kUInt8, {3}, {10, 4, 2});
  check_both<uint8_t>("Div", {&u, &v_nonzero}, {3}, {25, 0, 4});
}

TEST_CASE("integer Div by zero is an error, as Mod's is (ONNX Runtime's rule); float Div gives inf") {
  Tensor a = int32s({3}, {7, -7, 5});
  Tensor b = int32s({3}, {2, 0, 1});
  Tensor zero = int32s({}, {0});
  Tensor c = int64s({2}, {9, 1});
  Tensor d = int64s({1}, {0});
  Tensor u = tensor_of<uint8_t>(DataType::kUInt8, {2}, {9, 1});
  Tensor w = tensor_of<uint8_t>(DataType::kUInt8, {2}, {3, 0});
  for (auto in : std::vector<std::vector<const Tensor*>>{{&a, &b}, {&a, &zero}, {&c, &d}, {&u, &w}}) {
    auto r = run1("Div", in);
    REQUIRE_FALSE(r.is_ok());
    CHECK_MESSAGE(r.status().message().find("integer division by zero") != std::string::npos, r.status().message());
    CHECK_FALSE(reference::elementwise("Div", in).is_ok());
  }
  Tensor one = floats({1}, {1}), fzero = floats({1}, {0});
  auto f = run1("Div", {&one, &fzero});
  REQUIRE(f.is_ok());
  CHECK(std::isinf(values_of<float>(f.value())[0]));
}

TEST_CASE("Pow with mixed base and exponent types (hand-computed)") {
  Tensor base_i = int32s({6}, {2, -2, 2, 1, -1, 0});
  Tensor exp_i = int32s({6}, {10, 3, -1, -5, -3, -2});
  check_both<int32_t>("Pow", {&base_i, &exp_i}, {6}, {1024, -8, 0, 1, -1, 0});
  Tensor base_l = int64s({2}, {3, 2});
  Tensor exp_l = int64s({2}, {4, 62});
  check_both<int64_t>("Pow", {&base_l, &exp_l}, {2}, {81, int64_t{1} << 62});
  Tensor half = floats({1}, {0.5f});
  check_both<int32_t>("Pow", {&base_i, &half}, {6}, {1, 0, 1, 1, 0, 0});  // sqrt(2)→1, NaN→0
  Tensor big = floats({1}, {40});
  Tensor two = int32s({1}, {2});
  check_both<int32_t>("Pow", {&two, &big}, {1}, {INT32_MAX});  // 2^40 saturates
  Tensor xf = floats({3}, {1.5f, -2, 3});
  Tensor e64 = int64s({3}, {2, 3, 0});
  check_both<float>("Pow", {&xf, &e64}, {3}, {2.25f, -8, 1});
}

namespace {

// The broadcasting patterns the fast paths care about, plus arbitrary ones. Each gives the shapes
// of the two operands.
std::vector<std::pair<Shape, Shape>> broadcast_patterns(std::mt19937& rng) {
  std::vector<std::pair<Shape, Shape>> p = {
      {{2, 5, 7, 13}, {2, 5, 7, 13}},  // same shape, odd sizes
      {{37}, {37}},
      {{3, 7, 9}, {}},                 // scalar right
      {{}, {3, 7, 9}},                 // scalar left
      {{1}, {5, 3}},                   // one-element tensor
      {{2, 5, 5, 19}, {19}},           // NHWC bias: last axis
      {{2, 3, 3, 3}, {3}},             // short rows (tail only)
      {{2, 3, 4, 9}, {1, 3, 1, 1}},    // NCHW bias
      {{2, 4, 4, 11}, {2, 1, 1, 11}},  // SE scale in NHWC
      {{2, 11, 1, 1}, {2, 11, 4, 5}},  // SE scale in NCHW, broadcast on the left
      {{7, 1}, {1, 9}},                // outer product
      {{3, 1, 5}, {4, 1}},             // bidirectional, ranks differ
      {{}, {}},                        // scalars
      {{0, 3}, {3}},                   // empty
      {{4, 0}, {1}},
  };
  for (int i = 0; i < 12; ++i) {  // random: each axis of each operand is full or 1, ranks differ
    size_t rank = std::uniform_int_distribution<size_t>(1, 5)(rng);
    Shape out = random_shape(rng, rank, 6);
    Shape a = out, b(out.begin() + static_cast<long>(rng() % rank), out.end());
    for (auto& d : a)
      if (rng() % 3 == 0) d = 1;
    for (auto& d : b)
      if (rng() % 3 == 0) d = 1;
    p.emplace_back(a, b);
  }
  return p;
}

}  // namespace

TEST_CASE("binary kernels match the reference on every broadcasting pattern and dtype") {
  std::mt19937 rng(42);
  const auto patterns = broadcast_patterns(rng);
  struct Case {
    const char* op;
    std::vector<DataType> dtypes;
  };
  const std::vector<Case> cases = {
      {"Add", {DataType::kFloat32, DataType::kInt32, DataType::kInt64, DataType::kUInt8}},
      {"Sub", {DataType::kFloat32, DataType::kInt32, DataType::kInt64, DataType::kUInt8}},
      {"Mul", {DataType::kFloat32, DataType::kInt32, DataType::kInt64, DataType::kUInt8}},
      {"Div", {DataType::kFloat32, DataType::kInt32, DataType::kInt64, DataType::kUInt8}},
      {"Max", {DataType::kFloat32, DataType::kInt32, DataType::kInt64}},
      {"Min", {DataType::kFloat32, DataType::kInt32, DataType::kInt64}},
      {"Sum", {DataType::kFloat32, DataType::kInt64}},
      {"Mean", {DataType::kFloat32}},
      {"Pow", {DataType::kFloat32, DataType::kInt32, DataType::kInt64}},
      {"Equal", {DataType::kFloat32, DataType::kInt32, DataType::kBool}},
      {"Greater", {DataType::kFloat32, DataType::kInt64}},
      {"Less", {DataType::kFloat32, DataType::kInt32}},
      {"GreaterOrEqual", {DataType::kFloat32}},
      {"LessOrEqual", {DataType::kInt32}},
  };
  int compared = 0;
  for (const Case& c : cases)
    for (DataType t : c.dtypes)
      for (const auto& pattern : patterns) {
        // Plain references, not structured bindings: C++17 lambdas (CAPTURE) cannot capture those.
        const Shape& sa = pattern.first;
        const Shape& sb = pattern.second;
        CAPTURE(std::string(c.op));
        CAPTURE(std::string(dtype_name(t)));
        CAPTURE(shape_to_string(sa));
        CAPTURE(shape_to_string(sb));
        // Small integers so that Pow stays in range and Equal meets repeats. An integer divisor of 0 is
        // an error (tested on its own), so Div's zeros become 1 here.
        Tensor a = random_tensor(rng, t, sa, -4, 4), b = random_tensor(rng, t, sb, -4, 4);
        if (std::string(c.op) == "Div" && t != DataType::kFloat32) {
          auto nonzero = [&](auto tag) {
            using T = decltype(tag);
            for (int64_t i = 0; i < b.size(); ++i)
              if (b.data<T>()[i] == 0) b.data<T>()[i] = 1;
          };
          if (t == DataType::kInt32) nonzero(int32_t{});
          else if (t == DataType::kInt64) nonzero(int64_t{});
          else nonzero(uint8_t{});
        }
        auto fast = run1(c.op, {&a, &b});
        REQUIRE_MESSAGE(fast.is_ok(), fast.status().message());
        auto ref = reference::elementwise(c.op, {&a, &b});
        REQUIRE(ref.is_ok());
        std::string where;
        CHECK_MESSAGE(all_close(fast.value(), ref.value(), 0, 0, &where), where);
        ++compared;
      }
  CHECK(compared > 500);
}

TEST_CASE("variadic Max/Min/Sum/Mean with three and four broadcast inputs match the reference") {
  std::mt19937 rng(3);
  for (const char* op : {"Max", "Min", "Sum", "Mean"}) {
    for (int iter = 0; iter < 20; ++iter) {
      Shape out = random_shape(rng, 1 + rng() % 4, 9);
      std::vector<Tensor> ins;
      size_t n = 3 + rng() % 2;
      for (size_t k = 0; k < n; ++k) {
        Shape s(out.begin() + static_cast<long>(rng() % out.size()), out.end());
        for (auto& d : s)
          if (rng() % 3 == 0) d = 1;
        ins.push_back(random_tensor(rng, DataType::kFloat32, s));
      }
      std::vector<const Tensor*> ptrs;
      for (const Tensor& t : ins) ptrs.push_back(&t);
      auto fast = run1(op, ptrs);
      REQUIRE(fast.is_ok());
      auto ref = reference::elementwise(op, ptrs);
      REQUIRE(ref.is_ok());
      std::string where;
      CHECK_MESSAGE(all_close(fast.value(), ref.value(), 0, 0, &where), where);
    }
  }
}

TEST_CASE("mixed Pow types and the Pow(x, 2) fast path match the reference") {
  std::mt19937 rng(5);
  const std::vector<std::pair<DataType, DataType>> types = {{DataType::kFloat32, DataType::kInt32},
                                                            {DataType::kFloat32, DataType::kInt64},
                                                            {DataType::kInt32, DataType::kFloat32},
                                                            {DataType::kInt64, DataType::kFloat32}};
  for (auto [tx, ty] : types) {
    Tensor x = random_tensor(rng, tx, {3, 17}, -5, 5), y = random_tensor(rng, ty, {17}, -3, 3);
    auto fast = run1("Pow", {&x, &y});
    REQUIRE(fast.is_ok());
    std::string where;
    CHECK_MESSAGE(all_close(fast.value(), reference::elementwise("Pow", {&x, &y}).value(), 0, 0, &where), where);
  }
  Tensor x = random_tensor(rng, DataType::kFloat32, {5, 33}, -100, 100);
  Tensor two = floats({}, {2});
  auto sq = run1("Pow", {&x, &two}, {false, true});
  REQUIRE(sq.is_ok());
  std::string where;
  CHECK_MESSAGE(all_close(sq.value(), reference::elementwise("Pow", {&x, &two}).value(), 0, 1e-6, &where), where);
}

TEST_CASE("unary kernels match the reference") {
  std::mt19937 rng(11);
  for (const char* op :
       {"Sqrt", "Exp", "Log", "Abs",  "Neg",  "Reciprocal", "Floor", "Ceil", "Round", "Sign",  "Erf",
        "Sin",  "Cos", "Tan", "Asin", "Acos", "Atan",       "Sinh",  "Cosh", "Asinh", "Acosh", "Atanh"}) {
    Tensor x = random_tensor(rng, DataType::kFloat32, {3, 29}, -6, 6);
    auto fast = run1(op, {&x});
    REQUIRE(fast.is_ok());
    std::string where;
    CHECK_MESSAGE(all_close(fast.value(), reference::elementwise(op, {&x}).value(), 0, 0, &where), where);
  }
  for (const char* op : {"Abs", "Neg", "Sign"})
    for (DataType t : {DataType::kInt32, DataType::kInt64}) {
      Tensor x = random_tensor(rng, t, {41}, -100, 100);
      auto fast = run1(op, {&x});
      REQUIRE(fast.is_ok());
      CHECK(all_close(fast.value(), reference::elementwise(op, {&x}).value(), 0, 0));
    }
}

TEST_CASE("elementwise errors name the node and what is wrong") {
  Tensor a = floats({2, 3}, {1, 2, 3, 4, 5, 6}), b = floats({4}, {1, 2, 3, 4});
  auto r = run1("Add", {&a, &b});
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("Add 't_Add'") != std::string::npos);
  CHECK(r.status().message().find("[2,3]") != std::string::npos);
  CHECK(r.status().message().find("[4]") != std::string::npos);

  Tensor i = int64s({3}, {1, 2, 3});
  auto mixed = run1("Mul", {&a, &i});
  REQUIRE_FALSE(mixed.is_ok());
  CHECK(mixed.status().message().find("Mul 't_Mul'") != std::string::npos);
  CHECK(mixed.status().message().find("float32") != std::string::npos);
  CHECK(mixed.status().message().find("int64") != std::string::npos);

  Tensor i32 = int32s({1}, {1});
  CHECK_FALSE(run1("Mean", {&i32, &i32}).is_ok());  // float only
  CHECK_FALSE(run1("Sqrt", {&i32}).is_ok());
  Tensor flag = tensor_of<uint8_t>(DataType::kBool, {1}, {1});
  CHECK_FALSE(run1("Add", {&flag, &flag}).is_ok());
  CHECK_FALSE(run1("Add", {&a}).is_ok());  // needs two inputs
  CHECK_FALSE(run1("Sub", {&a, &a, &a}).is_ok());
  CHECK_FALSE(run1("Max", {&a, nullptr}).is_ok());  // variadic inputs are never optional
  auto third = run1("Max", {&a, &a, &b});           // the third input's shape is the culprit
  REQUIRE_FALSE(third.is_ok());
  CHECK(third.status().message().find("[4]") != std::string::npos);
}
