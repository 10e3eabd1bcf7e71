// QLinearAdd / QLinearSub / QLinearMul (ops/qlinear_binary.h). Expected values of the hand cases come from
// a separate Python model of XNNPACK's quantized ADD and fp32 MUL (written from xnn_init_qs8_add_minmax_scalar_params,
// xnn_init_qs8_mul_minmax_scalar_params and the scalar microkernels), not from this code. Then: the op against the
// naive reference on random broadcasting shapes, and every compiled kernel table's u8/s8_vadd against the scalar
// q8_add() bit for bit, with scales from 1e-6 to 1e2 and zero points at the extremes.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "eltwise_test_support.h"
#include "kernels/kernel_table.h"
#include "kernels/q8_add.h"
#include "ops/qlinear_binary.h"

using namespace webcnn;
using namespace webcnn::testing;

namespace {

Tensor u8s(const Shape& s, const std::vector<uint8_t>& v) { return tensor_of(DataType::kUInt8, s, v); }
Tensor i8s(const Shape& s, const std::vector<int8_t>& v) { return tensor_of(DataType::kInt8, s, v); }

Tensor zero_point(DataType t, int32_t z) {
  return t == DataType::kInt8 ? i8s({}, {static_cast<int8_t>(z)}) : u8s({}, {static_cast<uint8_t>(z)});
}

Result<Tensor> run_binary(const std::string& op, const Tensor& a, ScalarQuant qa, const Tensor& b, ScalarQuant qb,
                          ScalarQuant qc, std::map<std::string, Attribute> attrs = {}, bool constant_params = true) {
  const Tensor sa = floats({}, {qa.scale}), sb = floats({}, {qb.scale}), sc = floats({1}, {qc.scale});
  const Tensor za = zero_point(a.dtype(), qa.zero_point), zb = zero_point(a.dtype(), qb.zero_point),
               zc = zero_point(a.dtype(), qc.zero_point);
  const bool k = constant_params;
  WEBCNN_ASSIGN(std::vector<Tensor> out,
                run_kernel(make_node(op, std::move(attrs), 8), {&a, &sa, &za, &b, &sb, &zb, &sc, &zc},
                           {false, k, k, false, k, k, k, k}));
  return std::move(out[0]);
}

std::map<std::string, Attribute> clip(float lo, float hi) {
  return {{"fused_activation", Attribute::of_string("Clip")},
          {"fused_min", Attribute::of_float(lo)},
          {"fused_max", Attribute::of_float(hi)}};
}

}  // namespace

TEST_CASE("QLinearAdd, QLinearSub and QLinearMul match XNNPACK's arithmetic on hand-picked values") {
  const Tensor a = u8s({6}, {0, 255, 128, 17, 200, 0}), b = u8s({6}, {255, 0, 128, 99, 3, 0});
  const ScalarQuant qa{0.02f, 128}, qb{0.05f, 0}, qc{0.07f, 100};
  auto add = run_binary("QLinearAdd", a, qa, b, qb, qc);
  REQUIRE_MESSAGE(add.is_ok(), add.status().message());
  CHECK(values_of<uint8_t>(add.value()) == std::vector<uint8_t>{246, 136, 191, 139, 123, 63});
  // Clip(0.7, 7) in C's units: 100 + round(10) = 110, 100 + round(100) = 200.
  auto clipped = run_binary("QLinearAdd", a, qa, b, qb, qc, clip(0.7f, 7.0f));
  REQUIRE(clipped.is_ok());
  CHECK(values_of<uint8_t>(clipped.value()) == std::vector<uint8_t>{200, 136, 191, 139, 123, 110});
  auto relu = run_binary("QLinearAdd", a, qa, b, qb, qc, {{"fused_activation", Attribute::of_string("Relu")}});
  REQUIRE(relu.is_ok());
  CHECK(values_of<uint8_t>(relu.value()) == std::vector<uint8_t>{246, 136, 191, 139, 123, 100});
  auto mul = run_binary("QLinearMul", a, qa, b, qb, qc);
  REQUIRE(mul.is_ok());
  CHECK(values_of<uint8_t>(mul.value())[0] == 0);  // (0-128)·255·0.001/0.07: far below 0
  CHECK(values_of<uint8_t>(mul.value())[2] == 100);

  const Tensor ai = i8s({6}, {-128, 127, 0, -5, 77, -100}), bi = i8s({6}, {127, -128, 0, 60, -77, -100});
  auto addi = run_binary("QLinearAdd", ai, {1e-6f, -128}, bi, {3e-6f, 127}, {2e-6f, 0});
  REQUIRE(addi.is_ok());
  // 64 − 190.5 = −126.5: XNNPACK rounds half up (TFLite's reference kernels away from zero: −127).
  CHECK(values_of<int8_t>(addi.value()) == std::vector<int8_t>{0, -128, -126, -39, -128, -128});
  auto addj = run_binary("QLinearAdd", ai, {100.0f, 0}, bi, {0.5f, 0}, {100.0f, -128});
  REQUIRE(addj.is_ok());
  CHECK(values_of<int8_t>(addj.value())[1] == -2);
  CHECK(values_of<int8_t>(addj.value())[4] == -51);
  auto muli = run_binary("QLinearMul", ai, {0.1f, -128}, bi, {0.2f, 127}, {4.0f, 3});
  REQUIRE(muli.is_ok());
  CHECK(values_of<int8_t>(muli.value()) == std::vector<int8_t>{3, -128, -78, -38, -128, -29});
  // MoveNet's x/127.5 − 1: every output is a tie k − 127.5, rounded half up (a float Sub then
  // QuantizeLinear would round half to even: −128, −126, 0, 0, 2, ...).
  const Tensor q = i8s({7}, {-128, -127, -1, 0, 1, 126, 127});
  auto sub = run_binary("QLinearSub", q, {2.0f / 255, -128}, i8s({1}, {127}), {1.0f / 127, 0}, {2.0f / 255, 0});
  REQUIRE_MESSAGE(sub.is_ok(), sub.status().message());
  CHECK(values_of<int8_t>(sub.value()) == std::vector<int8_t>{-127, -126, 0, 1, 2, 127, 127});
  auto subj = run_binary("QLinearSub", i8s({6}, {10, -3, 100, -128, 127, 0}), {0.5f, 0},
                         i8s({6}, {3, 10, -100, 127, -128, 0}), {0.3f, 2}, {0.25f, -1});
  REQUIRE(subj.is_ok());
  CHECK(values_of<int8_t>(subj.value()) == std::vector<int8_t>{18, -17, 127, -128, 127, 1});
  auto mulj = run_binary("QLinearMul", ai, {1e-6f, 0}, bi, {1e2f, 0}, {1e-3f, 0});
  REQUIRE(mulj.is_ok());
  CHECK(values_of<int8_t>(mulj.value()) == std::vector<int8_t>{-128, -128, 0, -30, -128, 127});
}

TEST_CASE("QLinearAdd / QLinearMul match the reference on random broadcasting shapes") {
  std::mt19937 rng(1414);
  std::uniform_real_distribution<double> log_scale(-6, 2);
  const std::vector<std::pair<Shape, Shape>> fixed = {
      {{1, 7, 5, 33}, {1, 7, 5, 33}}, {{1, 7, 5, 33}, {33}}, {{33}, {1, 7, 5, 33}}, {{2, 3, 40}, {}}, {{}, {2, 3, 40}},
      {{4, 1, 19}, {1, 6, 1}},        {{3, 1}, {1, 50}},     {{2, 17}, {2, 1}}};
  for (int iter = 0; iter < 80; ++iter) {
    Shape sa, sb;
    if (iter < static_cast<int>(fixed.size())) {
      std::tie(sa, sb) = fixed[static_cast<size_t>(iter)];
    } else {
      const size_t rank = 1 + rng() % 4;
      sa = random_shape(rng, rank, 20);
      sb = sa;
      for (auto& d : sb)
        if (rng() % 3 == 0) d = 1;
      if (rng() % 2) std::swap(sa, sb);
    }
    const DataType t = iter % 2 ? DataType::kInt8 : DataType::kUInt8;
    const int32_t lo = quant_min(t);
    auto quant = [&](int k) {
      // Zero points at the extremes every few cases, scales over eight decades.
      const int32_t z = (iter + k) % 5 == 0   ? lo
                        : (iter + k) % 5 == 1 ? lo + 255
                                              : lo + static_cast<int32_t>(rng() % 256);
      return ScalarQuant{static_cast<float>(std::pow(10.0, log_scale(rng))), z};
    };
    const ScalarQuant qa = quant(0), qb = quant(1);
    // The output scale near the inputs' (a useful range) or anywhere (saturation).
    ScalarQuant qc = quant(2);
    if (iter % 3 != 0) qc.scale = std::max(qa.scale, qb.scale) * static_cast<float>(0.5 + (rng() % 100) / 50.0);
    Tensor a = random_tensor(rng, t, sa, -128, 255), b = random_tensor(rng, t, sb, -128, 255);
    for (const char* op : {"QLinearAdd", "QLinearSub", "QLinearMul"}) {
      CAPTURE(std::string(op));
      CAPTURE(shape_to_string(sa));
      CAPTURE(shape_to_string(sb));
      CAPTURE(qa.scale);
      CAPTURE(qb.scale);
      CAPTURE(qc.scale);
      const bool is_mul = std::string(op) == "QLinearMul";
      const bool relu = iter % 4 == 3;
      auto y = run_binary(op, a, qa, b, qb, qc,
                          relu ? std::map<std::string, Attribute>{{"fused_activation", Attribute::of_string("Relu")}}
                               : std::map<std::string, Attribute>{},
                          iter % 5 != 0);
      REQUIRE_MESSAGE(y.is_ok(), y.status().message());
      const int32_t qmin = relu ? std::max(lo, qc.zero_point) : lo;
      Tensor want =
          reference::qlinear_binary(is_mul, a, qa, b, qb, qc, qmin, lo + 255, std::string(op) == "QLinearSub");
      REQUIRE(want.shape() == y.value().shape());
      CHECK(std::memcmp(want.raw(), y.value().raw(), want.bytes()) == 0);
    }
  }
}

TEST_CASE("every kernel table's u8/s8_vadd equals the scalar q8_add bit for bit") {
  std::mt19937 rng(77);
  std::uniform_real_distribution<double> log_scale(-6, 2);
  for (const kernels::KernelTable* table : kernels::compiled_tables()) {
    if (!kernels::find_table(table->isa)) continue;  // compiled in, but this CPU cannot run it
    CAPTURE(std::string(table->isa));
    for (int iter = 0; iter < 200; ++iter) {
      const float sa = static_cast<float>(std::pow(10.0, log_scale(rng)));
      const float sb = iter % 4 == 0 ? sa : static_cast<float>(std::pow(10.0, log_scale(rng)));
      const float sc = iter % 2 ? std::max(sa, sb) * static_cast<float>(0.3 + (rng() % 100) / 30.0)
                                : static_cast<float>(std::pow(10.0, log_scale(rng)));
      const bool s8 = iter % 2 == 1;
      const int32_t lo = s8 ? -128 : 0;
      auto zp = [&] { return iter % 7 == 0 ? lo : iter % 7 == 1 ? lo + 255 : lo + static_cast<int32_t>(rng() % 256); };
      const int32_t qmin = iter % 5 == 0 ? lo + 40 : lo, qmax = iter % 5 == 1 ? lo + 200 : lo + 255;
      const float b_sign = iter % 3 == 1 ? -1.0f : 1.0f;  // Sub: B's scale negated
      const kernels::Q8AddParams p = kernels::make_q8_add_params(sa, zp(), b_sign * sb, zp(), sc, zp(), qmin, qmax);
      const size_t n = 1 + rng() % 70;
      const bool b_scalar = iter % 3 == 0;
      std::vector<uint8_t> a(n), b(n), out(n), want(n);
      for (size_t i = 0; i < n; ++i) {
        a[i] = static_cast<uint8_t>(rng());
        b[i] = static_cast<uint8_t>(rng());
      }
      for (size_t i = 0; i < n; ++i) {
        const size_t j = b_scalar ? 0 : i;
        want[i] = s8 ? static_cast<uint8_t>(static_cast<int8_t>(
                           kernels::q8_add(static_cast<int8_t>(a[i]), static_cast<int8_t>(b[j]), p)))
                     : static_cast<uint8_t>(kernels::q8_add(a[i], b[j], p));
      }
      if (s8)
        table->s8_vadd(n, reinterpret_cast<const int8_t*>(a.data()), reinterpret_cast<const int8_t*>(b.data()),
                       b_scalar, reinterpret_cast<int8_t*>(out.data()), p);
      else table->u8_vadd(n, a.data(), b.data(), b_scalar, out.data(), p);
      CAPTURE(iter);
      CHECK(out == want);
    }
  }
}

TEST_CASE("QLinearAdd / QLinearMul errors") {
  const Tensor a = u8s({2}, {1, 2}), b = u8s({3}, {1, 2, 3});
  CHECK_FALSE(run_binary("QLinearAdd", a, {1, 0}, b, {1, 0}, {1, 0}).is_ok());  // shapes do not broadcast
  const Tensor bi = i8s({2}, {1, 2});
  CHECK_FALSE(run_binary("QLinearAdd", a, {1, 0}, bi, {1, 0}, {1, 0}).is_ok());  // mixed types
  CHECK_FALSE(run_binary("QLinearMul", floats({2}, {1, 2}), {1, 0}, floats({2}, {1, 2}), {1, 0}, {1, 0}).is_ok());
  CHECK_FALSE(
      run_binary("QLinearAdd", a, {1, 0}, a, {1, 0}, {1, 0}, {{"fused_activation", Attribute::of_string("Sigmoid")}})
          .is_ok());
}
