// Activation ops (ops/activation.h): hand-computed cases, the kernels against the double-precision
// reference on odd sizes (vector bodies and scalar tails), NaN/inf handling, bit-for-bit agreement
// with the fused store (ops/fused_activation.h), and errors.
//
// Tolerance against the reference: |fast - ref| <= 1e-6 + 1e-6 * |ref| (float rounding of a few
// operations, or of std::exp/tanh/expm1 against their double versions).
#include <doctest/doctest.h>

#include <cstring>
#include <random>

#include "eltwise_test_support.h"
#include "ops/activation.h"
#include "ops/fused_activation.h"

using namespace webcnn;
using namespace webcnn::testing;

namespace {

Attribute f(float v) { return Attribute::of_float(v); }

Result<Tensor> run_act(const Node& node, const std::vector<const Tensor*>& in) {
  WEBCNN_ASSIGN(std::vector<Tensor> out, run_kernel(node, in));
  return std::move(out[0]);
}

// Kernel and reference must both give `want` (within 1e-6 relative).
void expect(const Node& node, const std::vector<const Tensor*>& in, const std::vector<float>& want) {
  CAPTURE(node.op);
  for (bool use_reference : {false, true}) {
    auto y = use_reference ? reference::activation(node, in) : run_act(node, in);
    REQUIRE_MESSAGE(y.is_ok(), y.status().message());
    REQUIRE(y.value().size() == static_cast<int64_t>(want.size()));
    for (size_t i = 0; i < want.size(); ++i)
      CHECK(y.value().data<float>()[i] == doctest::Approx(want[i]).epsilon(1e-6));
  }
}

// Values in [-8, 8] with NaN, ±inf and ±0 sprinkled in.
Tensor awkward_floats(std::mt19937& rng, const Shape& shape) {
  Tensor t = random_tensor(rng, DataType::kFloat32, shape, -8, 8);
  const float specials[] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 6.0f, -3.0f, 3.0f};
  for (int64_t i = 0; i < t.size(); ++i)
    if (rng() % 7 == 0) t.data<float>()[i] = specials[rng() % 8];
  return t;
}

}  // namespace

TEST_CASE("activations, hand-computed") {
  Tensor x = floats({6}, {-3, -1, 0, 1, 3, 8});
  expect(make_node("Relu"), {&x}, {0, 0, 0, 1, 3, 8});
  expect(make_node("LeakyRelu", {{"alpha", f(0.1f)}}), {&x}, {-0.3f, -0.1f, 0, 1, 3, 8});
  expect(make_node("LeakyRelu"), {&x}, {-0.03f, -0.01f, 0, 1, 3, 8});   // default alpha 0.01
  expect(make_node("HardSigmoid"), {&x}, {0, 0.3f, 0.5f, 0.7f, 1, 1});  // 0.2x + 0.5
  expect(make_node("HardSigmoid", {{"alpha", f(0.5f)}, {"beta", f(0.25f)}}), {&x}, {0, 0, 0.25f, 0.75f, 1, 1});
  expect(make_node("HardSwish"), {&x}, {0, -1.0f / 3, 0, 2.0f / 3, 3, 8});        // x * clamp(x/6 + 1/2)
  Tensor s = floats({5}, {0, 1.0986122887f, -1.0986122887f, -0.6931471806f, 2});  // 0, ln 3, -ln 3, -ln 2, 2
  expect(make_node("Sigmoid"), {&s}, {0.5f, 0.75f, 0.25f, 1.0f / 3, 0.8807970780f});
  expect(make_node("Tanh"), {&s}, {0, 0.8f, -0.8f, -0.6f, 0.9640275801f});  // tanh(ln 3) = 8/10
  expect(make_node("Elu"), {&s}, {0, 1.0986122887f, -2.0f / 3, -0.5f, 2});  // e^x - 1 below 0
  expect(make_node("Elu", {{"alpha", f(2)}}), {&s}, {0, 1.0986122887f, -4.0f / 3, -1, 2});
  // Selu: gamma * x above 0, gamma * alpha * (e^x - 1) below; gamma*alpha*(-1/2) at -ln 2.
  expect(make_node("Selu"), {&s},
         {0, 1.0507009874f * 1.0986122887f, -1.0507009874f * 1.6732632423f * 2 / 3, -0.8790496704f, 2.1014019747f});
  expect(make_node("Softplus"), {&s},
         {0.6931471806f, 1.3862943611f, 0.2876820725f, 0.4054651081f, 2.1269280110f});  // ln(1 + e^x)
  Tensor t = floats({5}, {-3, -1, 0.5f, 1, 2});
  expect(make_node("Softsign"), {&t}, {-0.75f, -0.5f, 1.0f / 3, 0.5f, 2.0f / 3});
  expect(make_node("ThresholdedRelu"), {&t}, {0, 0, 0, 0, 2});  // alpha 1, strictly greater
  expect(make_node("ThresholdedRelu", {{"alpha", f(0.25f)}}), {&t}, {0, 0, 0.5f, 1, 2});
  Tensor c = floats({3}, {-1.3862943611f, 0, 3});                  // -2 ln 2
  expect(make_node("Celu", {{"alpha", f(2)}}), {&c}, {-1, 0, 3});  // 2 * (e^(x/2) - 1) = 2 * (1/2 - 1)
}

TEST_CASE("Clip with optional min/max inputs, hand-computed") {
  Tensor x = floats({5}, {-2, 0.5f, 3, 6.5f, 9});
  Tensor lo = floats({}, {0}), hi = floats({1}, {6});
  Node clip = make_node("Clip", {}, 3);
  expect(clip, {&x, &lo, &hi}, {0, 0.5f, 3, 6, 6});
  expect(clip, {&x, nullptr, &hi}, {-2, 0.5f, 3, 6, 6});
  expect(clip, {&x, &lo, nullptr}, {0, 0.5f, 3, 6.5f, 9});
  expect(clip, {&x, &lo}, {0, 0.5f, 3, 6.5f, 9});
  expect(make_node("Clip"), {&x}, {-2, 0.5f, 3, 6.5f, 9});
  expect(clip, {&x, &hi, &lo}, {0, 0, 0, 0, 0});  // min > max: everything becomes max

  Tensor xi = int32s({4}, {-7, 2, 9, 100});
  Tensor loi = int32s({}, {0}), hii = int32s({}, {10});
  auto y = run_act(clip, {&xi, &loi, &hii});
  REQUIRE(y.is_ok());
  CHECK(values_of<int32_t>(y.value()) == std::vector<int32_t>{0, 2, 9, 10});
  Tensor xl = int64s({3}, {-5, 0, 5});
  auto r = run_act(make_node("Relu"), {&xl});
  REQUIRE(r.is_ok());
  CHECK(values_of<int64_t>(r.value()) == std::vector<int64_t>{0, 0, 5});
}

TEST_CASE("PRelu broadcasts its slope onto X, hand-computed") {
  Tensor x = floats({2, 3}, {-1, -2, 3, 4, -5, -6});
  Tensor per_col = floats({3}, {0.5f, 2, 9});
  expect(make_node("PRelu", {}, 2), {&x, &per_col}, {-0.5f, -4, 3, 4, -10, -54});
  Tensor per_row = floats({2, 1}, {0.1f, 0.2f});
  expect(make_node("PRelu", {}, 2), {&x, &per_row}, {-0.1f, -0.2f, 3, 4, -1, -1.2f});
}

TEST_CASE("activation kernels match the reference on odd sizes, NaN and inf") {
  std::mt19937 rng(1);
  const std::vector<Node> nodes = {make_node("Relu"),
                                   make_node("LeakyRelu", {{"alpha", f(0.2f)}}),
                                   make_node("Sigmoid"),
                                   make_node("Tanh"),
                                   make_node("HardSigmoid", {{"alpha", f(0.3f)}, {"beta", f(0.4f)}}),
                                   make_node("HardSwish"),
                                   make_node("Elu", {{"alpha", f(0.7f)}}),
                                   make_node("Elu"),
                                   make_node("Clip"),
                                   make_node("Selu"),
                                   make_node("Celu", {{"alpha", f(0.5f)}}),
                                   make_node("ThresholdedRelu", {{"alpha", f(-0.5f)}}),
                                   make_node("Softplus"),
                                   make_node("Softsign")};
  for (const Node& node : nodes)
    for (int64_t n : {1, 3, 4, 5, 7, 8, 13, 64, 101}) {
      CAPTURE(node.op);
      CAPTURE(n);
      Tensor x = awkward_floats(rng, {n});
      auto fast = run_act(node, {&x});
      REQUIRE(fast.is_ok());
      std::string where;
      CHECK_MESSAGE(all_close(fast.value(), reference::activation(node, {&x}).value(), 1e-6, 1e-6, &where), where);
    }
  Node clip = make_node("Clip", {}, 3);
  for (int iter = 0; iter < 30; ++iter) {
    Tensor x = awkward_floats(rng, random_shape(rng, 3, 9));
    Tensor lo = floats({}, {std::uniform_real_distribution<float>(-5, 1)(rng)});
    Tensor hi = floats({}, {std::uniform_real_distribution<float>(-1, 5)(rng)});
    auto fast = run_act(clip, {&x, &lo, &hi});
    REQUIRE(fast.is_ok());
    CHECK(all_close(fast.value(), reference::activation(clip, {&x, &lo, &hi}).value(), 0, 0));
  }
}

TEST_CASE("PRelu matches the reference on every slope pattern") {
  std::mt19937 rng(2);
  const std::vector<std::pair<Shape, Shape>> patterns = {
      {{2, 5, 5, 19}, {19}},      // NHWC, per channel
      {{2, 3, 3, 3}, {3}},        // short rows
      {{2, 7, 5, 3}, {7, 1, 1}},  // NCHW, per channel
      {{2, 7, 5, 3}, {1, 7, 1, 1}},
      {{3, 17}, {1}},  // one slope
      {{3, 17}, {}},
      {{3, 17}, {3, 17}},  // full slope
      {{4, 6, 9}, {6, 1}},
  };
  for (const auto& pattern : patterns) {
    // Plain references, not structured bindings: C++17 lambdas (CAPTURE) cannot capture those.
    const Shape& sx = pattern.first;
    const Shape& ss = pattern.second;
    CAPTURE(shape_to_string(sx));
    CAPTURE(shape_to_string(ss));
    Tensor x = awkward_floats(rng, sx), s = random_tensor(rng, DataType::kFloat32, ss, -1, 1);
    Node node = make_node("PRelu", {}, 2);
    auto fast = run_act(node, {&x, &s});
    REQUIRE(fast.is_ok());
    std::string where;
    CHECK_MESSAGE(all_close(fast.value(), reference::activation(node, {&x, &s}).value(), 1e-6, 1e-6, &where), where);
  }
}

TEST_CASE("tanh_float and expm1_float stay within an ulp of the double-precision functions") {
  // Every 1e-5 over [-10, 10], and magnitudes from 1e-38 up to 1 in 0.1% steps, both signs.
  double worst_tanh = 0, worst_expm1 = 0;
  auto ulps = [](float got, double want) {
    const float w = static_cast<float>(want);
    const double ulp = std::nextafter(std::fabs(w), INFINITY) - std::fabs(w);
    return std::fabs(static_cast<double>(got) - want) / ulp;
  };
  auto check = [&](float x) {
    worst_tanh = std::max(worst_tanh, ulps(tanh_float(x), std::tanh(static_cast<double>(x))));
    if (x < 20) worst_expm1 = std::max(worst_expm1, ulps(expm1_float(x), std::expm1(static_cast<double>(x))));
  };
  for (int i = -1000000; i <= 1000000; ++i) check(static_cast<float>(i) * 1e-5f);
  for (float m = 1e-38f; m < 1; m *= 1.001f) {
    check(m);
    check(-m);
  }
  CHECK(worst_tanh <= 1.0);
  CHECK(worst_expm1 <= 1.0);
  CHECK(tanh_float(INFINITY) == 1);
  CHECK(tanh_float(-INFINITY) == -1);
  CHECK(std::isnan(tanh_float(NAN)));
  CHECK(expm1_float(-INFINITY) == -1);
  MESSAGE("worst tanh_float error ", worst_tanh, " ulp, expm1_float ", worst_expm1, " ulp");
}

// Tanh is the exception: the standalone op uses tanh_float (<= 1 ulp), the fused store std::tanh.
TEST_CASE("standalone activations give the fused store's bits") {
  std::mt19937 rng(4);
  Tensor x = random_tensor(rng, DataType::kFloat32, {1, 103}, -9, 9);
  struct Case {
    Node op;
    Node fused;
    std::vector<const Tensor*> extra;
  };
  Tensor lo = floats({}, {-1.5f}), hi = floats({}, {2.5f});
  auto fused = [](const std::string& kind, std::map<std::string, Attribute> attrs = {}) {
    attrs["fused_activation"] = Attribute::of_string(kind);
    return make_node("Conv", attrs);
  };
  const std::vector<Case> cases = {
      {make_node("Relu"), fused("Relu"), {}},
      {make_node("LeakyRelu", {{"alpha", f(0.3f)}}), fused("LeakyRelu", {{"fused_alpha", f(0.3f)}}), {}},
      {make_node("Sigmoid"), fused("Sigmoid"), {}},
      {make_node("HardSwish"), fused("HardSwish"), {}},
      {make_node("HardSigmoid", {{"alpha", f(0.25f)}, {"beta", f(0.6f)}}),
       fused("HardSigmoid", {{"fused_alpha", f(0.25f)}, {"fused_beta", f(0.6f)}}),
       {}},
      {make_node("Clip", {}, 3), fused("Clip", {{"fused_min", f(-1.5f)}, {"fused_max", f(2.5f)}}), {&lo, &hi}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.op.op);
    std::vector<const Tensor*> in = {&x};
    in.insert(in.end(), c.extra.begin(), c.extra.end());
    auto y = run_act(c.op, in);
    REQUIRE(y.is_ok());
    auto act = fused_activation_from_node(c.fused);
    REQUIRE(act.is_ok());
    int mismatches = 0;
    for (int64_t i = 0; i < x.size(); ++i) {
      float want = act.value().apply(x.data<float>()[i]), got = y.value().data<float>()[i];
      if (std::memcmp(&want, &got, sizeof(float)) != 0) ++mismatches;
    }
    CHECK(mismatches == 0);
  }
}

TEST_CASE("activation errors name the node and what is wrong") {
  Tensor x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor bad_slope = floats({4}, {1, 2, 3, 4});
  auto r = run_act(make_node("PRelu", {}, 2), {&x, &bad_slope});
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("PRelu 't_PRelu'") != std::string::npos);
  CHECK(r.status().message().find("[4]") != std::string::npos);
  CHECK(r.status().message().find("[2,3]") != std::string::npos);
  Tensor big_slope = floats({2, 2, 3}, std::vector<float>(12, 1));  // would grow X: not allowed
  CHECK_FALSE(run_act(make_node("PRelu", {}, 2), {&x, &big_slope}).is_ok());

  Tensor two = floats({2}, {0, 1});
  auto c = run_act(make_node("Clip", {}, 3), {&x, &two, nullptr});
  REQUIRE_FALSE(c.is_ok());
  CHECK(c.status().message().find("Clip 't_Clip': min must be a scalar") != std::string::npos);
  Tensor int_bound = int32s({}, {0});
  CHECK_FALSE(run_act(make_node("Clip", {}, 3), {&x, &int_bound, nullptr}).is_ok());
  Tensor xi = int32s({1}, {1});
  CHECK_FALSE(run_act(make_node("Sigmoid"), {&xi}).is_ok());
  CHECK_FALSE(run_act(make_node("LeakyRelu", {{"alpha", Attribute::of_string("x")}}), {&x}).is_ok());
  CHECK_FALSE(run_act(make_node("LeakyRelu", {{"alpha", f(NAN)}}), {&x}).is_ok());
}
