// BatchNormalization: the reference against hand-computed values, the kernel (both layouts, ranks 2-5)
// against the reference, and the refusals.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "ops/kernel.h"
#include "ops/normalization.h"

using namespace webcnn;

namespace {

Node bn_node(std::map<std::string, Attribute> attrs, size_t num_outputs = 1) {
  Node n;
  n.op = "BatchNormalization";
  n.name = "bn";
  n.attrs = std::move(attrs);
  n.inputs = {0, 1, 2, 3, 4};
  for (size_t i = 0; i < num_outputs; ++i) n.outputs.push_back(static_cast<ValueId>(5 + i));
  return n;
}

// Runs the node through its kernel on non-constant inputs.
Result<Tensor> run_bn(const Node& node, const std::vector<const Tensor*>& inputs, size_t num_outputs = 1) {
  WEBCNN_ASSIGN(std::unique_ptr<Kernel> kernel, create_kernel(node));
  std::vector<ValueInfo> in;
  std::vector<TensorView> views;
  for (const Tensor* t : inputs) {
    ValueInfo vi;
    vi.dtype = t->dtype();
    vi.shape = t->shape();
    in.push_back(vi);
    views.push_back(t->view());
  }
  std::vector<ValueInfo> out(num_outputs);
  WEBCNN_TRY(kernel->prepare(node, in, out));
  Tensor y(out[0].dtype, out[0].shape);
  TensorView y_view = y.view();
  std::vector<float> scratch(kernel->scratch_bytes() / sizeof(float) + 16);
  KernelIO io;
  io.in = views.data();
  io.num_in = static_cast<int>(views.size());
  io.out = &y_view;
  io.num_out = 1;
  io.scratch = scratch.data();
  WEBCNN_TRY(kernel->run(io));
  return y;
}

Tensor vec(std::vector<float> v) {
  Tensor t(DataType::kFloat32, {static_cast<int64_t>(v.size())});
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

}  // namespace

TEST_CASE("BatchNormalization reference and kernel (hand-computed)") {
  // Two channels, NCHW [1,2,1,2]: channel 0 = {1, 3}, mean 2, var 4 (eps 0) → (x-2)/2 * 3 + 1 = {-0.5, 2.5};
  // channel 1 = {10, 20}, mean 0, var 0.25 → x/0.5 * 1 + (-1) = {19, 39}.
  Tensor x(DataType::kFloat32, {1, 2, 1, 2});
  const float xv[] = {1, 3, 10, 20};
  std::copy(xv, xv + 4, x.data<float>());
  Tensor scale = vec({3, 1}), bias = vec({1, -1}), mean = vec({2, 0}), var = vec({4, 0.25f});
  const std::vector<float> want = {-0.5f, 2.5f, 19, 39};
  float ref[4];
  reference::batch_normalization(false, x.shape(), x.data<float>(), scale.data<float>(), bias.data<float>(),
                                 mean.data<float>(), var.data<float>(), 0.0f, ref);
  auto y = run_bn(bn_node({{"epsilon", Attribute::of_float(0)}}), {&x, &scale, &bias, &mean, &var});
  REQUIRE(y.is_ok());
  for (size_t i = 0; i < 4; ++i) {
    CHECK(ref[i] == doctest::Approx(want[i]));
    CHECK(y->data<float>()[i] == doctest::Approx(want[i]));
  }
  // The same numbers as NHWC [1,1,2,2]: channels interleaved.
  Tensor xh(DataType::kFloat32, {1, 1, 2, 2});
  const float xhv[] = {1, 10, 3, 20};
  std::copy(xhv, xhv + 4, xh.data<float>());
  auto yh = run_bn(bn_node({{"epsilon", Attribute::of_float(0)}, {"layout", Attribute::of_string("NHWC")}}),
                   {&xh, &scale, &bias, &mean, &var});
  REQUIRE(yh.is_ok());
  const float want_h[] = {-0.5f, 19, 2.5f, 39};
  for (size_t i = 0; i < 4; ++i) CHECK(yh->data<float>()[i] == doctest::Approx(want_h[i]));
}

TEST_CASE("BatchNormalization kernel matches the reference on random shapes (ranks 2-5, both layouts)") {
  // Tolerance: the kernel uses x*a+b with a precomputed, the reference (x-mean)/sqrt(var+eps)*scale+B:
  // |diff| <= 1e-5 * max(1, |want|).
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> value(-2.0f, 2.0f), positive(0.1f, 3.0f);
  const Shape shapes[] = {{3, 5}, {2, 7, 9}, {1, 3, 5, 5}, {2, 17, 3, 4}, {1, 4, 2, 3, 2}};
  for (const Shape& s : shapes)
    for (bool nhwc : {false, true}) {
      const int64_t C = nhwc ? s.back() : s[1];
      Tensor x(DataType::kFloat32, s);
      for (int64_t i = 0; i < x.size(); ++i) x.data<float>()[i] = value(rng);
      Tensor p[4];
      for (int k = 0; k < 4; ++k) {
        p[k] = Tensor(DataType::kFloat32, {C});
        for (int64_t c = 0; c < C; ++c) p[k].data<float>()[c] = k == 3 ? positive(rng) : value(rng);
      }
      auto y = run_bn(
          bn_node({{"epsilon", Attribute::of_float(1e-3f)}, {"layout", Attribute::of_string(nhwc ? "NHWC" : "NCHW")}}),
          {&x, &p[0], &p[1], &p[2], &p[3]});
      REQUIRE(y.is_ok());
      std::vector<float> want(static_cast<size_t>(x.size()));
      reference::batch_normalization(nhwc, s, x.data<float>(), p[0].data<float>(), p[1].data<float>(),
                                     p[2].data<float>(), p[3].data<float>(), 1e-3f, want.data());
      for (int64_t i = 0; i < x.size(); ++i)
        CHECK(std::fabs(y->data<float>()[i] - want[static_cast<size_t>(i)]) <=
              1e-5f * std::max(1.0f, std::fabs(want[static_cast<size_t>(i)])));
    }
}

TEST_CASE("BatchNormalization refuses training mode and malformed parameters") {
  Tensor x(DataType::kFloat32, {1, 2, 2, 2});
  Tensor c2 = vec({1, 1}), c3 = vec({1, 1, 1});
  auto training = run_bn(bn_node({{"training_mode", Attribute::of_int(1)}}), {&x, &c2, &c2, &c2, &c2});
  REQUIRE_FALSE(training.is_ok());
  CHECK(training.status().message().find("training") != std::string::npos);
  auto outputs = run_bn(bn_node({}, 3), {&x, &c2, &c2, &c2, &c2}, 3);
  REQUIRE_FALSE(outputs.is_ok());
  CHECK(outputs.status().message().find("training-mode outputs") != std::string::npos);
  auto wrong_c = run_bn(bn_node({}), {&x, &c2, &c3, &c2, &c2});
  REQUIRE_FALSE(wrong_c.is_ok());
  CHECK(wrong_c.status().message().find("BatchNormalization 'bn'") != std::string::npos);
  CHECK_FALSE(run_bn(bn_node({}), {&x, &c2, &c2, &c2}).is_ok());  // input_var missing
  Tensor scalar(DataType::kFloat32, {2});
  CHECK_FALSE(run_bn(bn_node({}), {&scalar, &c2, &c2, &c2, &c2}).is_ok());  // rank 1
  CHECK_FALSE(run_bn(bn_node({{"layout", Attribute::of_string("CHWN")}}), {&x, &c2, &c2, &c2, &c2}).is_ok());
}
