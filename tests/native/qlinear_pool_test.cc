// QLinearAveragePool / QLinearGlobalAveragePool (ops/pool.cc): hand-computed TFLite roundings (half away
// from zero), requantisation between different parameters, both layouts giving the same bytes, and random
// windows (padding, strides, count_include_pad, scales from 1e-6 to 1e2) within one unit of the real-number
// average rounded to the output grid.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "eltwise_test_support.h"
#include "ops/qlinear_params.h"

using namespace webcnn;
using namespace webcnn::testing;

namespace {

Tensor quant_tensor(DataType t, const Shape& s, const std::vector<int32_t>& v) {
  Tensor x(t, s);
  REQUIRE(static_cast<int64_t>(v.size()) == x.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (t == DataType::kInt8) x.data<int8_t>()[i] = static_cast<int8_t>(v[i]);
    else x.data<uint8_t>()[i] = static_cast<uint8_t>(v[i]);
  }
  return x;
}
std::vector<int32_t> ints_of(const Tensor& t) {
  std::vector<int32_t> v(static_cast<size_t>(t.size()));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = t.dtype() == DataType::kInt8 ? t.data<int8_t>()[i] : t.data<uint8_t>()[i];
  return v;
}

Result<Tensor> run_pool(const std::string& op, const Tensor& x, ScalarQuant qx, ScalarQuant qy,
                        std::map<std::string, Attribute> attrs) {
  const Tensor sx = floats({}, {qx.scale}), sy = floats({}, {qy.scale});
  const Tensor zx = quant_tensor(x.dtype(), {}, {qx.zero_point}), zy = quant_tensor(x.dtype(), {}, {qy.zero_point});
  WEBCNN_ASSIGN(std::vector<Tensor> out, run_kernel(make_node(op, std::move(attrs), 5), {&x, &sx, &zx, &sy, &zy},
                                                    {false, true, true, true, true}));
  return std::move(out[0]);
}

std::map<std::string, Attribute> window(std::vector<int64_t> k, std::vector<int64_t> strides, std::vector<int64_t> pads,
                                        bool nhwc, bool include_pad = false) {
  return {{"kernel_shape", Attribute::of_ints(std::move(k))},
          {"strides", Attribute::of_ints(std::move(strides))},
          {"pads", Attribute::of_ints(std::move(pads))},
          {"count_include_pad", Attribute::of_int(include_pad)},
          {"layout", Attribute::of_string(nhwc ? "NHWC" : "NCHW")}};
}

// NCHW -> NHWC of a 4-D tensor.
Tensor to_nhwc(const Tensor& x) {
  const Shape& s = x.shape();
  Tensor y(x.dtype(), {s[0], s[2], s[3], s[1]});
  const size_t e = dtype_size(x.dtype());
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t c = 0; c < s[1]; ++c)
      for (int64_t h = 0; h < s[2]; ++h)
        for (int64_t w = 0; w < s[3]; ++w)
          std::memcpy(
              static_cast<char*>(y.raw()) + static_cast<size_t>(((n * s[2] + h) * s[3] + w) * s[1] + c) * e,
              static_cast<const char*>(x.raw()) + static_cast<size_t>(((n * s[1] + c) * s[2] + h) * s[3] + w) * e, e);
  return y;
}

}  // namespace

TEST_CASE("QLinearAveragePool rounds as TFLite and requantises") {
  auto u = run_pool("QLinearAveragePool", quant_tensor(DataType::kUInt8, {1, 2, 2, 2}, {1, 1, 2, 1, 3, 0, 5, 0}),
                    {1, 0}, {1, 0}, window({2, 2}, {2, 2}, {0, 0, 0, 0}, true));
  REQUIRE_MESSAGE(u.is_ok(), u.status().message());
  CHECK(ints_of(u.value()) == std::vector<int32_t>{3, 1});  // 11/4 = 2.75 -> 3; 2/4 = 0.5 -> 1
  auto s = run_pool("QLinearAveragePool", quant_tensor(DataType::kInt8, {1, 2, 2, 2}, {-1, -1, -2, -1, -3, 0, -5, 0}),
                    {1, -128}, {1, -128}, window({2, 2}, {2, 2}, {0, 0, 0, 0}, true));
  REQUIRE(s.is_ok());
  CHECK(ints_of(s.value()) == std::vector<int32_t>{-3, -1});  // -2.75 -> -3; -0.5 -> -1 (away from zero)
  // Reals 0, 1, 2, 3 (scale 0.5, zero point 10) averaged to 1.5, onto scale 1 zero point 0: 2.
  auto r = run_pool("QLinearAveragePool", quant_tensor(DataType::kUInt8, {1, 1, 2, 2}, {10, 12, 14, 16}), {0.5f, 10},
                    {1, 0}, window({2, 2}, {1, 1}, {0, 0, 0, 0}, false));
  REQUIRE(r.is_ok());
  CHECK(ints_of(r.value()) == std::vector<int32_t>{2});
  // count_include_pad: a 2x2 window at the corner of a padded 1x1 image holds one real 8 and three
  // padded zeros (the zero point 4): (8 + 3 * 4) / 4 = 5.
  auto p = run_pool("QLinearAveragePool", quant_tensor(DataType::kUInt8, {1, 1, 1, 1}, {8}), {1, 4}, {1, 4},
                    window({2, 2}, {1, 1}, {1, 1, 0, 0}, false, true));
  REQUIRE_MESSAGE(p.is_ok(), p.status().message());
  CHECK(ints_of(p.value()) == std::vector<int32_t>{5});
}

TEST_CASE("QLinearGlobalAveragePool is XNNPACK's 8-bit MEAN over H and W (float scale, ties to even)") {
  const std::map<std::string, Attribute> nchw, nhwc = {{"layout", Attribute::of_string("NHWC")}};
  auto a = run_pool("QLinearGlobalAveragePool", quant_tensor(DataType::kUInt8, {1, 2, 2, 2}, {1, 2, 3, 4, 0, 0, 0, 1}),
                    {1, 0}, {1, 0}, nchw);
  REQUIRE_MESSAGE(a.is_ok(), a.status().message());
  CHECK(a.value().shape() == Shape{1, 2, 1, 1});
  // 10 · (1 / 4) = 2.5 -> 2 and 0.25 -> 0, rounded half to even once (TFLite's reference kernel, rounding
  // twice in fixed point, gives 3 and 1; LiteRT.js, running XNNPACK, gives what is checked here).
  CHECK(ints_of(a.value()) == std::vector<int32_t>{2, 0});
  auto b = run_pool("QLinearGlobalAveragePool", quant_tensor(DataType::kUInt8, {1, 1, 2, 2}, {128, 128, 129, 131}),
                    {0.1f, 128}, {0.1f, 128}, nchw);
  REQUIRE(b.is_ok());
  CHECK(ints_of(b.value()) == std::vector<int32_t>{129});
  auto c = run_pool("QLinearGlobalAveragePool",
                    quant_tensor(DataType::kInt8, {1, 2, 2, 2}, {1, -1, 2, -2, 3, -3, 4, -4}), {1, 0}, {1, 0}, nhwc);
  REQUIRE(c.is_ok());
  CHECK(c.value().shape() == Shape{1, 1, 1, 2});
  CHECK(ints_of(c.value()) == std::vector<int32_t>{2, -2});  // +-2.5 -> +-2 (ties to even)
  // Requantised: (q - 100) sums to -123, times 0.02 / (0.1 · 4) = -6.15 -> -6, plus the zero point -128: -134,
  // clamped to -128.
  auto d = run_pool("QLinearGlobalAveragePool", quant_tensor(DataType::kInt8, {1, 1, 2, 2}, {0, 50, 100, 127}),
                    {0.02f, 100}, {0.1f, -128}, nchw);
  REQUIRE(d.is_ok());
  CHECK(ints_of(d.value()) == std::vector<int32_t>{-128});
}

TEST_CASE("quantized pools: both layouts agree, and results are within one unit of the real average") {
  std::mt19937 rng(1415);
  std::uniform_real_distribution<double> log_scale(-6, 2);
  for (int iter = 0; iter < 60; ++iter) {
    const DataType t = iter % 2 ? DataType::kInt8 : DataType::kUInt8;
    const int32_t lo = quant_min(t);
    const Shape shape = {1 + static_cast<int64_t>(rng() % 2), 1 + static_cast<int64_t>(rng() % 19),
                         1 + static_cast<int64_t>(rng() % 9), 1 + static_cast<int64_t>(rng() % 9)};
    std::vector<int32_t> v(static_cast<size_t>(num_elements(shape)));
    for (auto& e : v) e = lo + static_cast<int32_t>(rng() % 256);
    const Tensor x = quant_tensor(t, shape, v);
    const ScalarQuant qx{static_cast<float>(std::pow(10.0, log_scale(rng))),
                         iter % 5 == 0   ? lo
                         : iter % 5 == 1 ? lo + 255
                                         : lo + static_cast<int32_t>(rng() % 256)};
    ScalarQuant qy = qx;
    if (iter % 3 == 1)
      qy = {qx.scale * static_cast<float>(0.5 + (rng() % 100) / 50.0), lo + static_cast<int32_t>(rng() % 256)};
    const bool global = iter % 4 == 0;
    std::map<std::string, Attribute> attrs;
    if (!global) {
      const int64_t kh = 1 + static_cast<int64_t>(rng() % std::min<int64_t>(3, shape[2])),
                    kw = 1 + static_cast<int64_t>(rng() % std::min<int64_t>(3, shape[3]));
      attrs = window({kh, kw}, {1 + static_cast<int64_t>(rng() % 2), 1 + static_cast<int64_t>(rng() % 2)},
                     {static_cast<int64_t>(rng() % kh), static_cast<int64_t>(rng() % kw),
                      static_cast<int64_t>(rng() % kh), static_cast<int64_t>(rng() % kw)},
                     false, rng() % 2 == 0);
    }
    const std::string op = global ? "QLinearGlobalAveragePool" : "QLinearAveragePool";
    CAPTURE(op);
    CAPTURE(iter);
    auto y = run_pool(op, x, qx, qy, attrs);
    REQUIRE_MESSAGE(y.is_ok(), y.status().message());
    attrs["layout"] = Attribute::of_string("NHWC");
    auto y_nhwc = run_pool(op, to_nhwc(x), qx, qy, attrs);
    REQUIRE(y_nhwc.is_ok());
    CHECK(ints_of(to_nhwc(y.value())) == ints_of(y_nhwc.value()));
    if (global) {
      // The real mean of each channel, requantised and clamped: within one unit.
      const int64_t C = shape[1], S = shape[2] * shape[3];
      for (int64_t n = 0; n < shape[0]; ++n)
        for (int64_t c = 0; c < C; ++c) {
          double sum = 0;
          for (int64_t s = 0; s < S; ++s) sum += v[static_cast<size_t>((n * C + c) * S + s)] - qx.zero_point;
          const double want = std::clamp(std::round(sum / S * qx.scale / qy.scale) + qy.zero_point,
                                         static_cast<double>(lo), lo + 255.0);
          CHECK(std::fabs(ints_of(y.value())[static_cast<size_t>(n * C + c)] - want) <= 1);
        }
    }
  }
}
