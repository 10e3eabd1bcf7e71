// QuantizeLinear / DequantizeLinear (ops/quantize_linear.h): hand-computed cases (rounding half to even,
// saturation, zero points at the type's extremes, scales from 1e-6 to 1e2, per-axis), the kernels against
// the naive reference on random shapes with constant and run-time parameters, and errors; QLinearRequantize
// (their composition as a table) against the two references.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "eltwise_test_support.h"
#include "ops/qlinear_params.h"
#include "ops/quantize_linear.h"

using namespace webcnn;
using namespace webcnn::testing;

namespace {

Tensor u8s(const Shape& s, const std::vector<uint8_t>& v) { return tensor_of(DataType::kUInt8, s, v); }
Tensor i8s(const Shape& s, const std::vector<int8_t>& v) { return tensor_of(DataType::kInt8, s, v); }

Result<Tensor> run_q(const std::string& op, const Tensor& x, const Tensor& scale, const Tensor* zp, int64_t axis = 1,
                     bool constant_params = true) {
  WEBCNN_ASSIGN(std::vector<Tensor> out, run_kernel(make_node(op, {{"axis", Attribute::of_int(axis)}}, zp ? 3 : 2),
                                                    {&x, &scale, zp}, {false, constant_params, constant_params}));
  return std::move(out[0]);
}

}  // namespace

TEST_CASE("QuantizeLinear rounds half to even and saturates") {
  Tensor x = floats({9}, {0, 2, 3, 1000, -254, 2.5f, 3.5f, -2.5f, NAN});
  Tensor s = floats({}, {2});
  Tensor zp = u8s({}, {128});  // x / 2 = 0, 1, 1.5, 500, -127, 1.25, 1.75, -1.25
  auto y = run_q("QuantizeLinear", x, s, &zp);
  REQUIRE_MESSAGE(y.is_ok(), y.status().message());
  CHECK(y.value().dtype() == DataType::kUInt8);
  CHECK(values_of<uint8_t>(y.value()) == std::vector<uint8_t>{128, 129, 130, 255, 1, 129, 130, 127, 128});

  Tensor xi = floats({7}, {0, 255, 255.5f, -1, 0.5f, 1.5f, -0.5f});
  Tensor one = floats({1}, {1});
  Tensor zmin = i8s({1}, {-128});
  auto yi = run_q("QuantizeLinear", xi, one, &zmin);
  REQUIRE(yi.is_ok());
  CHECK(yi.value().dtype() == DataType::kInt8);
  CHECK(values_of<int8_t>(yi.value()) == std::vector<int8_t>{-128, 127, 127, -128, -128, -126, -128});
  Tensor zmax = i8s({1}, {127});
  auto yj = run_q("QuantizeLinear", xi, one, &zmax);
  REQUIRE(yj.is_ok());
  CHECK(values_of<int8_t>(yj.value()) == std::vector<int8_t>{127, 127, 127, 126, 127, 127, 127});

  // No zero point: uint8 with zero point 0. Tiny and huge scales.
  Tensor tiny = floats({}, {1e-6f});
  auto yt = run_q("QuantizeLinear", floats({3}, {1e-4f, -1e-6f, 3e-4f}), tiny, nullptr);
  REQUIRE(yt.is_ok());
  CHECK(values_of<uint8_t>(yt.value()) == std::vector<uint8_t>{100, 0, 255});
  auto yh = run_q("QuantizeLinear", floats({3}, {250, 350, 1e9f}), floats({}, {100}), nullptr);
  REQUIRE(yh.is_ok());
  CHECK(values_of<uint8_t>(yh.value()) == std::vector<uint8_t>{2, 4, 255});
}

TEST_CASE("QuantizeLinear and DequantizeLinear per axis") {
  Tensor x = floats({2, 3}, {1, 2, 4, -1, 5, 10});
  Tensor s = floats({3}, {1, 2, 4});
  Tensor zp = u8s({3}, {0, 1, 2});
  auto y = run_q("QuantizeLinear", x, s, &zp, 1);
  REQUIRE_MESSAGE(y.is_ok(), y.status().message());
  CHECK(values_of<uint8_t>(y.value()) == std::vector<uint8_t>{1, 2, 3, 0, 3, 4});
  auto y_neg = run_q("QuantizeLinear", x, s, &zp, -1);
  REQUIRE(y_neg.is_ok());
  CHECK(values_of<uint8_t>(y_neg.value()) == values_of<uint8_t>(y.value()));

  Tensor q = i8s({2, 2}, {3, -128, 2, 127});
  Tensor ds = floats({2}, {1, 10});
  Tensor dz = i8s({2}, {1, 2});
  auto d = run_q("DequantizeLinear", q, ds, &dz, 0);
  REQUIRE_MESSAGE(d.is_ok(), d.status().message());
  CHECK(values_of<float>(d.value()) == std::vector<float>{2, -129, 0, 1250});
}

TEST_CASE("DequantizeLinear of uint8, int8 and int32") {
  auto a = run_q("DequantizeLinear", u8s({3}, {0, 255, 128}), floats({}, {0.5f}), nullptr);
  REQUIRE(a.is_ok());
  CHECK(values_of<float>(a.value()) == std::vector<float>{0, 127.5f, 64});
  Tensor zp = u8s({}, {128});
  auto b = run_q("DequantizeLinear", u8s({3}, {0, 255, 128}), floats({}, {0.5f}), &zp);
  REQUIRE(b.is_ok());
  CHECK(values_of<float>(b.value()) == std::vector<float>{-64, 63.5f, 0});
  Tensor z8 = i8s({}, {-128});
  auto c = run_q("DequantizeLinear", i8s({2}, {-128, 127}), floats({}, {100}), &z8);
  REQUIRE(c.is_ok());
  CHECK(values_of<float>(c.value()) == std::vector<float>{0, 25500});
  auto d = run_q("DequantizeLinear", int32s({3}, {1000, -5, 2147483647}), floats({}, {0.25f}), nullptr);
  REQUIRE(d.is_ok());
  CHECK(values_of<float>(d.value()) == std::vector<float>{250, -1.25f, 536870912.0f});
  Tensor z32 = int32s({}, {3});
  auto e = run_q("DequantizeLinear", int32s({1}, {1}), floats({}, {1}), &z32);
  CHECK_FALSE(e.is_ok());  // an int32 bias has zero point 0
}

TEST_CASE("QuantizeLinear / DequantizeLinear kernels match the reference on random shapes") {
  std::mt19937 rng(14);
  for (int iter = 0; iter < 60; ++iter) {
    const size_t rank = 1 + rng() % 4;
    const Shape shape = random_shape(rng, rank, 6);
    const bool per_axis = iter % 2 == 1;
    const int64_t axis = static_cast<int64_t>(rng() % rank);
    const size_t count = per_axis ? static_cast<size_t>(shape[static_cast<size_t>(axis)]) : 1;
    const DataType qt = iter % 4 < 2 ? DataType::kUInt8 : DataType::kInt8;
    std::vector<float> scale(count);
    std::vector<int32_t> zero(count);
    std::uniform_real_distribution<double> log_scale(-6, 2);
    for (size_t c = 0; c < count; ++c) {
      scale[c] = static_cast<float>(std::pow(10.0, log_scale(rng)));
      zero[c] = static_cast<int32_t>(rng() % 256) + (qt == DataType::kInt8 ? -128 : 0);
    }
    Tensor s = per_axis ? floats({static_cast<int64_t>(count)}, scale) : floats({}, scale);
    Tensor zp(qt, per_axis ? Shape{static_cast<int64_t>(count)} : Shape{});
    for (size_t c = 0; c < count; ++c) {
      if (qt == DataType::kInt8) zp.data<int8_t>()[c] = static_cast<int8_t>(zero[c]);
      else zp.data<uint8_t>()[c] = static_cast<uint8_t>(zero[c]);
    }
    CAPTURE(shape_to_string(shape));
    CAPTURE(axis);
    CAPTURE(iter);
    // Reals around the representable range, and beyond it (saturation).
    Tensor x(DataType::kFloat32, shape);
    for (int64_t i = 0; i < x.size(); ++i) {
      x.data<float>()[i] = static_cast<float>(std::uniform_real_distribution<double>(-300, 300)(rng) * scale[0]);
    }
    auto y = run_q("QuantizeLinear", x, s, &zp, axis, iter % 3 != 0);
    REQUIRE_MESSAGE(y.is_ok(), y.status().message());
    Tensor want = reference::quantize_linear(x, scale, zero, axis, qt);
    CHECK(std::memcmp(y.value().raw(), want.raw(), want.bytes()) == 0);

    auto d = run_q("DequantizeLinear", y.value(), s, &zp, axis, iter % 3 != 1);
    REQUIRE_MESSAGE(d.is_ok(), d.status().message());
    Tensor dwant = reference::dequantize_linear(y.value(), scale, zero, axis);
    CHECK(values_of<float>(d.value()) == values_of<float>(dwant));
  }
}

TEST_CASE("QuantizeLinear / DequantizeLinear errors") {
  Tensor x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor zp_i32 = int32s({}, {0});
  CHECK_FALSE(run_q("QuantizeLinear", x, floats({}, {1}), &zp_i32).is_ok());  // zero point not 8-bit
  Tensor zp3 = u8s({3}, {0, 0, 0});
  CHECK_FALSE(run_q("QuantizeLinear", x, floats({2}, {1, 1}), nullptr, 1).is_ok());  // 2 scales, 3 along axis 1
  CHECK_FALSE(run_q("QuantizeLinear", x, floats({3}, {1, 1, 1}), &zp3, 2).is_ok());  // axis out of range
  Tensor zp2 = u8s({2}, {0, 0});
  CHECK_FALSE(run_q("QuantizeLinear", x, floats({3}, {1, 1, 1}), &zp2, 1).is_ok());  // zero point shape differs
  CHECK_FALSE(run_q("DequantizeLinear", x, floats({}, {1}), nullptr).is_ok());       // float input
  Tensor zi8 = i8s({}, {0});
  CHECK_FALSE(run_q("DequantizeLinear", u8s({1}, {1}), floats({}, {1}), &zi8).is_ok());  // zero point type differs
  CHECK_FALSE(run_q("QuantizeLinear", x, int32s({}, {1}), nullptr).is_ok());             // integer scale
}

TEST_CASE("DynamicQuantizeLinear") {
  auto run = [](const Tensor& x) {
    Node n = make_node("DynamicQuantizeLinear", {}, 1);
    n.outputs = {1, 2, 3};
    return run_kernel(n, {&x}, {}, 3);
  };
  // Range [-3, 10]: scale 13/255, zero point round(58.85) = 59; 2 -> round(39.23) + 59, 10 -> 196 + 59.
  auto y = run(floats({4}, {0, 2, -3, 10}));
  REQUIRE_MESSAGE(y.is_ok(), y.status().message());
  CHECK(values_of<uint8_t>(y.value()[0]) == std::vector<uint8_t>{59, 98, 0, 255});
  CHECK(y.value()[1].data<float>()[0] == doctest::Approx(13.0 / 255));
  CHECK(y.value()[2].data<uint8_t>()[0] == 59);
  auto zeros = run(floats({2}, {0, 0}));  // no range: scale 0, everything 0
  REQUIRE(zeros.is_ok());
  CHECK(values_of<uint8_t>(zeros.value()[0]) == std::vector<uint8_t>{0, 0});
  CHECK(zeros.value()[1].data<float>()[0] == 0);
}

namespace webcnn {
Result<Tensor> parse_tensor_proto(const uint8_t* data, size_t size);  // import/onnx/onnx_proto.cc
}

TEST_CASE("ONNX int8 and float16 initializers: int8 as is, float16 widened to float32") {
  // TensorProto: dims (field 1) = 4, data_type (2), raw_data (9).
  const std::vector<uint8_t> half = {0x08, 0x04, 0x10, 10,   0x4A, 8,    0x00,
                                     0x3C, 0x00, 0xC0, 0x01, 0x00, 0x00, 0x7C};  // 1, -2, 2^-24, +inf
  auto h = parse_tensor_proto(half.data(), half.size());
  REQUIRE_MESSAGE(h.is_ok(), h.status().message());
  CHECK(h.value().dtype() == DataType::kFloat32);
  CHECK(values_of<float>(h.value()) == std::vector<float>{1, -2, std::ldexp(1.0f, -24), INFINITY});
  const std::vector<uint8_t> bytes = {0x08, 0x03, 0x10, 3, 0x4A, 3, 0xFF, 0x80, 0x7F};
  auto b = parse_tensor_proto(bytes.data(), bytes.size());
  REQUIRE_MESSAGE(b.is_ok(), b.status().message());
  CHECK(b.value().dtype() == DataType::kInt8);
  CHECK(values_of<int8_t>(b.value()) == std::vector<int8_t>{-1, -128, 127});
  const std::vector<uint8_t> short_half = {0x08, 0x02, 0x10, 10, 0x4A, 3, 0x00, 0x3C, 0x00};
  CHECK_FALSE(parse_tensor_proto(short_half.data(), short_half.size()).is_ok());  // 3 bytes for 2 halves
}

namespace {

Result<Tensor> run_requantize(const Tensor& x, const Tensor& xs, const Tensor* xz, const Tensor& ys, const Tensor* yz,
                              bool constant_params = true) {
  WEBCNN_ASSIGN(std::vector<Tensor> out,
                run_kernel(make_node("QLinearRequantize", {}, 5), {&x, &xs, xz, &ys, yz},
                           {false, constant_params, constant_params, constant_params, constant_params}));
  return std::move(out[0]);
}

Tensor every_8bit_value(DataType t) {
  Tensor x(t, {256});
  for (int32_t i = 0; i < 256; ++i) x.data<uint8_t>()[i] = static_cast<uint8_t>(i);  // each bit pattern once
  return x;
}

}  // namespace

TEST_CASE("QLinearRequantize: an int8 model's uint8 input (scale 1/127.5, zero point 127) → int8 (zero point -1)") {
  // The same scale on both sides: y = x - 127 + (-1), so 0 → -128, 128 → 0, 255 → 127 (computed by hand).
  const float s = 1.0f / 127.5f;
  Tensor zx = u8s({}, {127}), zy = i8s({}, {-1});
  auto y = run_requantize(u8s({5}, {0, 1, 127, 128, 255}), floats({}, {s}), &zx, floats({}, {s}), &zy);
  REQUIRE_MESSAGE(y.is_ok(), y.status().message());
  CHECK(y.value().dtype() == DataType::kInt8);
  CHECK(values_of<int8_t>(y.value()) == std::vector<int8_t>{-128, -127, -1, 0, 127});
  // Half the scale: every step doubles, saturating at both ends.
  auto h = run_requantize(u8s({5}, {0, 100, 127, 128, 200}), floats({}, {s}), &zx, floats({}, {s / 2}), &zy);
  REQUIRE(h.is_ok());
  CHECK(values_of<int8_t>(h.value()) == std::vector<int8_t>{-128, -55, -1, 1, 127});  // 2·(x − 127) − 1
}

TEST_CASE("QLinearRequantize equals DequantizeLinear then QuantizeLinear (the references) on every 8-bit value") {
  std::mt19937 rng(21);
  std::uniform_real_distribution<double> log_scale(-6, 2);
  for (int iter = 0; iter < 64; ++iter) {
    const DataType xt = iter % 2 ? DataType::kInt8 : DataType::kUInt8;
    const DataType yt = iter % 4 < 2 ? DataType::kUInt8 : DataType::kInt8;
    const float sx = static_cast<float>(std::pow(10.0, log_scale(rng)));
    // Half the cases with related scales (ratios near powers of two hit exact ties), half unrelated.
    const float sy = iter % 8 < 4 ? sx * static_cast<float>(1 << (rng() % 4)) / static_cast<float>(1 << (rng() % 4))
                                  : static_cast<float>(std::pow(10.0, log_scale(rng)));
    // Zero points at the extremes of the type and in between.
    const int32_t zx = iter % 3 == 0   ? quant_min(xt)
                       : iter % 3 == 1 ? quant_max(xt)
                                       : quant_min(xt) + static_cast<int32_t>(rng() % 256);
    const int32_t zy = iter % 5 == 0   ? quant_min(yt)
                       : iter % 5 == 1 ? quant_max(yt)
                                       : quant_min(yt) + static_cast<int32_t>(rng() % 256);
    Tensor zx_t(xt, {}), zy_t(yt, {});
    zx_t.data<uint8_t>()[0] = static_cast<uint8_t>(zx);
    zy_t.data<uint8_t>()[0] = static_cast<uint8_t>(zy);
    CAPTURE(iter);
    CAPTURE(sx);
    CAPTURE(sy);
    const Tensor x = every_8bit_value(xt);
    auto y = run_requantize(x, floats({}, {sx}), &zx_t, floats({}, {sy}), &zy_t, iter % 3 != 2);
    REQUIRE_MESSAGE(y.is_ok(), y.status().message());
    const Tensor want = reference::quantize_linear(reference::dequantize_linear(x, {sx}, {zx}, 1), {sy}, {zy}, 1, yt);
    CHECK(y.value().dtype() == yt);
    CHECK(std::memcmp(y.value().raw(), want.raw(), 256) == 0);
  }
  // Absent zero points: 0, and a uint8 output.
  const Tensor x = every_8bit_value(DataType::kUInt8);
  auto y = run_requantize(x, floats({}, {0.5f}), nullptr, floats({}, {0.75f}), nullptr);
  REQUIRE(y.is_ok());
  const Tensor want =
      reference::quantize_linear(reference::dequantize_linear(x, {0.5f}, {0}, 1), {0.75f}, {0}, 1, DataType::kUInt8);
  CHECK(std::memcmp(y.value().raw(), want.raw(), 256) == 0);
}

TEST_CASE("QLinearRequantize errors") {
  Tensor zx = u8s({}, {0});
  CHECK_FALSE(run_requantize(int32s({1}, {1}), floats({}, {1}), nullptr, floats({}, {1}), nullptr).is_ok());  // X int32
  CHECK_FALSE(run_requantize(floats({1}, {1}), floats({}, {1}), nullptr, floats({}, {1}), nullptr).is_ok());  // X float
  Tensor zi8 = i8s({}, {0});
  CHECK_FALSE(run_requantize(u8s({1}, {1}), floats({}, {1}), &zi8, floats({}, {1}), nullptr).is_ok());  // X zp type
  Tensor z32 = int32s({}, {0});
  CHECK_FALSE(run_requantize(u8s({1}, {1}), floats({}, {1}), &zx, floats({}, {1}), &z32).is_ok());  // Y not 8-bit
  CHECK_FALSE(run_requantize(u8s({1}, {1}), floats({2}, {1, 1}), &zx, floats({}, {1}), nullptr).is_ok());  // 2 scales
}
