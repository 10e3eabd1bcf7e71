// QLinearConcat, QLinearSigmoid, QLinearLeakyRelu, QLinearSoftmax (ops/qlinear_concat.cc, qlinear_lut.h):
// hand-computed values (copies, TFLite's float requantisation, saturation, zero points at the extremes),
// then random inputs with scales from 1e-6 to 1e2 against the exact real-number function rounded to the
// output grid: every element within one unit.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "eltwise_test_support.h"
#include "ops/qlinear_params.h"

using namespace webcnn;
using namespace webcnn::testing;

namespace {

Tensor qt(DataType t, const Shape& s, const std::vector<int32_t>& v) {
  Tensor x(t, s);
  REQUIRE(static_cast<int64_t>(v.size()) == x.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (t == DataType::kInt8) x.data<int8_t>()[i] = static_cast<int8_t>(v[i]);
    else x.data<uint8_t>()[i] = static_cast<uint8_t>(v[i]);
  }
  return x;
}
std::vector<int32_t> ints(const Tensor& t) {
  std::vector<int32_t> v(static_cast<size_t>(t.size()));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = t.dtype() == DataType::kInt8 ? t.data<int8_t>()[i] : t.data<uint8_t>()[i];
  return v;
}

Result<Tensor> run_unary(const std::string& op, const Tensor& x, ScalarQuant qx, ScalarQuant qy,
                         std::map<std::string, Attribute> attrs = {}) {
  const Tensor sx = floats({}, {qx.scale}), sy = floats({}, {qy.scale});
  const Tensor zx = qt(x.dtype(), {}, {qx.zero_point}), zy = qt(x.dtype(), {}, {qy.zero_point});
  WEBCNN_ASSIGN(std::vector<Tensor> out, run_kernel(make_node(op, std::move(attrs), 5), {&x, &sx, &zx, &sy, &zy},
                                                    {false, true, true, true, true}));
  return std::move(out[0]);
}

Result<Tensor> run_concat(const std::vector<std::pair<Tensor, ScalarQuant>>& in, ScalarQuant qy, int64_t axis) {
  std::vector<Tensor> keep;
  keep.reserve(2 + 3 * in.size());
  const DataType t = in[0].first.dtype();
  keep.push_back(floats({}, {qy.scale}));
  keep.push_back(qt(t, {}, {qy.zero_point}));
  for (const auto& [x, q] : in) {
    keep.push_back(x);
    keep.push_back(floats({}, {q.scale}));
    keep.push_back(qt(t, {}, {q.zero_point}));
  }
  std::vector<const Tensor*> ptrs;
  for (const Tensor& k : keep) ptrs.push_back(&k);
  WEBCNN_ASSIGN(std::vector<Tensor> out,
                run_kernel(make_node("QLinearConcat", {{"axis", Attribute::of_int(axis)}}, ptrs.size()), ptrs));
  return std::move(out[0]);
}

double sigmoid(double v) { return 1 / (1 + std::exp(-v)); }

}  // namespace

TEST_CASE("QLinearConcat copies equal parameters and requantises the others") {
  auto y = run_concat(
      {{qt(DataType::kUInt8, {1, 3}, {10, 20, 11}), {0.5f, 10}}, {qt(DataType::kUInt8, {1, 1}, {3}), {1, 0}}}, {1, 0},
      1);
  REQUIRE_MESSAGE(y.is_ok(), y.status().message());
  CHECK(ints(y.value()) == std::vector<int32_t>{0, 5, 1, 3});  // 11 -> 0.5 rounds away from zero
  // int8, axis 0, output zero point -128: -256 saturates at -128, 254 becomes 126; the second input is copied.
  auto z = run_concat(
      {{qt(DataType::kInt8, {1, 2}, {-128, 127}), {2.0f, 0}}, {qt(DataType::kInt8, {2, 2}, {1, 2, 3, 4}), {1, -128}}},
      {1, -128}, -2);
  REQUIRE(z.is_ok());
  CHECK(z.value().shape() == Shape{3, 2});
  CHECK(ints(z.value()) == std::vector<int32_t>{-128, 126, 1, 2, 3, 4});
  CHECK_FALSE(
      run_concat({{qt(DataType::kUInt8, {1, 2}, {1, 2}), {1, 0}}, {qt(DataType::kInt8, {1, 2}, {1, 2}), {1, 0}}},
                 {1, 0}, 0)
          .is_ok());  // mixed types
}

TEST_CASE("QLinearSigmoid and QLinearLeakyRelu tables") {
  auto s = run_unary("QLinearSigmoid", qt(DataType::kUInt8, {3}, {128, 255, 0}), {0.1f, 128}, {1.0f / 256, 0});
  REQUIRE_MESSAGE(s.is_ok(), s.status().message());
  CHECK(ints(s.value()) == std::vector<int32_t>{128, 255, 0});
  auto l = run_unary("QLinearLeakyRelu", qt(DataType::kInt8, {4}, {4, -10, 127, -128}), {0.5f, 0}, {0.25f, 10},
                     {{"alpha", Attribute::of_float(0.1f)}});
  REQUIRE(l.is_ok());
  CHECK(ints(l.value()) == std::vector<int32_t>{18, 8, 127, -16});  // -64 * 0.1 / 0.25 + 10 = -15.6 -> -16
}

TEST_CASE("QLinearSoftmax, hand-computed and along an inner axis") {
  auto u = run_unary("QLinearSoftmax", qt(DataType::kUInt8, {1, 3}, {7, 7, 7}), {1, 0}, {1.0f / 256, 0});
  REQUIRE_MESSAGE(u.is_ok(), u.status().message());
  CHECK(ints(u.value()) == std::vector<int32_t>{85, 85, 85});
  auto i = run_unary("QLinearSoftmax", qt(DataType::kInt8, {3}, {-128, -128, -128}), {1, 0}, {1.0f / 256, -128});
  REQUIRE(i.is_ok());
  CHECK(ints(i.value()) == std::vector<int32_t>{-43, -43, -43});
  // ln 3 apart (scale ln 3, one step): probabilities 1/4 and 3/4 of 256.
  auto two = run_unary("QLinearSoftmax", qt(DataType::kUInt8, {2, 1}, {0, 1}), {std::log(3.0f), 0}, {1.0f / 256, 0},
                       {{"axis", Attribute::of_int(0)}});
  REQUIRE(two.is_ok());
  CHECK(ints(two.value()) == std::vector<int32_t>{64, 192});
}

TEST_CASE("QLinearSigmoid / LeakyRelu / Softmax within one unit of the real function") {
  std::mt19937 rng(1416);
  std::uniform_real_distribution<double> log_scale(-6, 2);
  for (int iter = 0; iter < 60; ++iter) {
    const DataType t = iter % 2 ? DataType::kInt8 : DataType::kUInt8;
    const int32_t lo = quant_min(t);
    const Shape shape = random_shape(rng, 1 + rng() % 3, 12);
    std::vector<int32_t> v(static_cast<size_t>(num_elements(shape)));
    for (auto& e : v) e = lo + static_cast<int32_t>(rng() % 256);
    const Tensor x = qt(t, shape, v);
    const int32_t zx = iter % 5 == 0 ? lo : iter % 5 == 1 ? lo + 255 : lo + static_cast<int32_t>(rng() % 256);
    const ScalarQuant qx{static_cast<float>(std::pow(10.0, log_scale(rng))), zx};
    CAPTURE(iter);
    CAPTURE(qx.scale);
    {  // Sigmoid onto [0, 1) in 1/256 steps (TFLite's output parameters), or an arbitrary grid.
      const ScalarQuant qy = iter % 3 ? ScalarQuant{1.0f / 256, lo}
                                      : ScalarQuant{static_cast<float>(std::pow(10.0, log_scale(rng))), lo + 17};
      auto y = run_unary("QLinearSigmoid", x, qx, qy);
      REQUIRE(y.is_ok());
      const auto got = ints(y.value());
      for (size_t i = 0; i < v.size(); ++i) {
        const double want = std::clamp(std::round(sigmoid(qx.scale * (v[i] - zx)) / qy.scale) + qy.zero_point,
                                       static_cast<double>(lo), lo + 255.0);
        CHECK(std::fabs(got[i] - want) <= 1);
      }
    }
    {
      const float alpha = 0.2f;
      const ScalarQuant qy{qx.scale * static_cast<float>(0.5 + (rng() % 100) / 50.0),
                           lo + static_cast<int32_t>(rng() % 256)};
      auto y = run_unary("QLinearLeakyRelu", x, qx, qy, {{"alpha", Attribute::of_float(alpha)}});
      REQUIRE(y.is_ok());
      const auto got = ints(y.value());
      for (size_t i = 0; i < v.size(); ++i) {
        const double r = static_cast<double>(qx.scale) * (v[i] - zx);
        const double want = std::clamp(std::round((r >= 0 ? r : alpha * r) / qy.scale) + qy.zero_point,
                                       static_cast<double>(lo), lo + 255.0);
        CHECK(std::fabs(got[i] - want) <= 1);
      }
    }
    {
      const int64_t rank = static_cast<int64_t>(shape.size());
      const int64_t axis = static_cast<int64_t>(rng() % static_cast<uint32_t>(rank));
      const ScalarQuant qy{1.0f / 256, lo};
      auto y = run_unary("QLinearSoftmax", x, qx, qy, {{"axis", Attribute::of_int(axis)}});
      REQUIRE(y.is_ok());
      const auto got = ints(y.value());
      int64_t inner = 1;
      for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
      const int64_t len = shape[static_cast<size_t>(axis)];
      for (size_t i = 0; i < v.size(); ++i) {
        const int64_t pos = (static_cast<int64_t>(i) / inner) % len;
        const int64_t first = static_cast<int64_t>(i) - pos * inner;
        double sum = 0;
        for (int64_t j = 0; j < len; ++j)
          sum += std::exp(qx.scale * (v[static_cast<size_t>(first + j * inner)] - v[i]));
        const double want =
            std::clamp(std::round(1 / sum / qy.scale) + qy.zero_point, static_cast<double>(lo), lo + 255.0);
        CHECK(std::fabs(got[i] - want) <= 1);
      }
    }
  }
}

TEST_CASE("MatMulInteger: zero points per row of A and per column of B, mixed signedness") {
  const Tensor a = qt(DataType::kInt8, {2, 2}, {1, -2, 3, 4}), b = qt(DataType::kUInt8, {2, 1}, {10, 20});
  const Tensor az = qt(DataType::kInt8, {2}, {1, -1}), bz = qt(DataType::kUInt8, {}, {10});
  // (A - az) = [[0, -3], [4, 5]], (B - bz) = [[0], [10]].
  auto y = run_kernel(make_node("MatMulInteger", {}, 4), {&a, &b, &az, &bz}, {false, false, true, true});
  REQUIRE_MESSAGE(y.is_ok(), y.status().message());
  CHECK(y.value()[0].dtype() == DataType::kInt32);
  CHECK(values_of<int32_t>(y.value()[0]) == std::vector<int32_t>{-30, 50});
  auto batched = run_kernel(make_node("MatMulInteger", {}, 2), {&a, &b});
  REQUIRE(batched.is_ok());
  CHECK(values_of<int32_t>(batched.value()[0]) == std::vector<int32_t>{1 * 10 - 2 * 20, 3 * 10 + 4 * 20});
  const Tensor bad = qt(DataType::kUInt8, {3, 1}, {1, 2, 3});
  CHECK_FALSE(run_kernel(make_node("MatMulInteger", {}, 2), {&a, &bad}).is_ok());
}
