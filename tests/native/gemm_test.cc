// The packed, register-tiled GEMM (kernels/) against the naive triple loop, and the naive loop against
// hand-computed numbers.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/gemm.h"

using namespace webcnn;

namespace {

std::vector<float> random_floats(size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// Tolerance: |fast − ref| ≤ 1e-5·K + 1e-5 (float32 accumulation of K products of values in [-1, 1],
// against a double-precision reference).
void check_close(const std::vector<float>& got, const std::vector<float>& want, size_t k) {
  REQUIRE(got.size() == want.size());
  const float tol = 1e-5f * static_cast<float>(k) + 1e-5f;
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= tol)) {
      FAIL_CHECK("element " << i << ": got " << got[i] << ", want " << want[i]);
      return;
    }
}

FusedActivation make_activation(int which) {
  FusedActivation a;
  switch (which) {
    case 0: break;
    case 1:
      a.kind = FusedActivation::Kind::kRelu;
      a.min = 0;
      break;
    case 2:
      a.kind = FusedActivation::Kind::kClip;
      a.min = -0.25f;
      a.max = 0.5f;
      break;
    case 3: a.kind = FusedActivation::Kind::kSigmoid; break;
    case 4: a.kind = FusedActivation::Kind::kHardSwish; break;
    case 5:
      a.kind = FusedActivation::Kind::kLeakyRelu;
      a.alpha = 0.1f;
      break;
    case 6: a.kind = FusedActivation::Kind::kTanh; break;
    default:
      a.kind = FusedActivation::Kind::kHardSigmoid;
      a.alpha = 0.2f;
      a.beta = 0.5f;
      break;
  }
  return a;
}

}  // namespace

TEST_CASE("reference gemm matches a hand-computed product") {
  // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50]; + bias [1, -100] then Relu.
  const float a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8}, bias[] = {1, -100};
  float c[4];
  FusedActivation relu;
  relu.kind = FusedActivation::Kind::kRelu;
  relu.min = 0;
  kernels::reference::gemm_f32(2, 2, 2, a, 2, b, 2, bias, c, 2, relu);
  CHECK(c[0] == 20);
  CHECK(c[1] == 0);
  CHECK(c[2] == 44);
  CHECK(c[3] == 0);
}

TEST_CASE("packed gemm matches the reference on odd sizes, strides, bias and every activation") {
  std::mt19937 rng(1234);
  const size_t sizes_m[] = {1, 2, 3, 4, 5, 7, 9, 17};
  const size_t sizes_n[] = {1, 3, 7, 8, 9, 15, 16, 17, 33};
  const size_t sizes_k[] = {0, 1, 2, 3, 4, 5, 8, 13, 64};
  int case_index = 0;
  for (size_t m : sizes_m)
    for (size_t n : sizes_n)
      for (size_t k : sizes_k) {
        ++case_index;
        const bool with_bias = case_index % 3 != 0;
        const FusedActivation act = make_activation(case_index % 8);
        const size_t a_stride = k + (case_index % 2);  // padded rows sometimes
        const size_t c_stride = n + (case_index % 5 == 0 ? 3 : 0);
        std::vector<float> a = random_floats(m * a_stride, rng), b = random_floats(k * n, rng),
                           bias = random_floats(n, rng);
        std::vector<float> packed(kernels::gemm_packed_b_floats(k, n));
        kernels::gemm_pack_b(k, n, b.data(), n, 1, with_bias ? bias.data() : nullptr, packed.data());
        std::vector<float> got(m * c_stride, 123.0f), want(m * c_stride, 123.0f);
        kernels::gemm_f32(m, n, k, a.data(), a_stride, packed.data(), got.data(), c_stride, act);
        kernels::reference::gemm_f32(m, n, k, a.data(), a_stride, b.data(), n, with_bias ? bias.data() : nullptr,
                                     want.data(), c_stride, act);
        CAPTURE(m);
        CAPTURE(n);
        CAPTURE(k);
        check_close(got, want, k);  // also checks the padding columns of C were left untouched (123)
      }
}

TEST_CASE("gemm_pack_b reads a transposed B through its strides") {
  std::mt19937 rng(7);
  const size_t m = 5, n = 11, k = 6;
  std::vector<float> a = random_floats(m * k, rng), b = random_floats(k * n, rng), bt(n * k);
  for (size_t i = 0; i < k; ++i)
    for (size_t j = 0; j < n; ++j) bt[j * k + i] = b[i * n + j];
  std::vector<float> packed(kernels::gemm_packed_b_floats(k, n));
  kernels::gemm_pack_b(k, n, bt.data(), 1, k, nullptr, packed.data());
  std::vector<float> got(m * n), want(m * n);
  kernels::gemm_f32(m, n, k, a.data(), k, packed.data(), got.data(), n, FusedActivation{});
  kernels::reference::gemm_f32(m, n, k, a.data(), k, b.data(), n, nullptr, want.data(), n, FusedActivation{});
  check_close(got, want, k);
}

TEST_CASE("gemm keeps NaN when no activation clamps") {
  const float a[] = {NAN}, b[] = {1};
  std::vector<float> packed(kernels::gemm_packed_b_floats(1, 1));
  kernels::gemm_pack_b(1, 1, b, 1, 1, nullptr, packed.data());
  float c = 0;
  kernels::gemm_f32(1, 1, 1, a, 1, packed.data(), &c, 1, FusedActivation{});
  CHECK(std::isnan(c));
}

TEST_CASE("packed gemm sums the products from zero and adds the bias last, as TF.js does") {
  // TF.js computes a convolution or MatMul, then its BiasAdd. With products of 1 and a bias of 2^24 (float
  // spacing 2 there), that order keeps every product: 2^24 + K. Starting the sum from the bias instead
  // loses each +1 to rounding (2^24 + 1 rounds back to 2^24), the way a large batch-norm bias blurred the
  // blazepose segmentation heads. Both panel widths (16 and the 8-wide tail) and partial row tiles.
  const float kBias = 16777216.0f;
  const size_t m = 5, n = 21;
  for (size_t k : {2, 4, 6, 64}) {
    CAPTURE(k);
    const std::vector<float> a(m * k, 1.0f), b(k * n, 1.0f), bias(n, kBias);
    std::vector<float> packed(kernels::gemm_packed_b_floats(k, n));
    kernels::gemm_pack_b(k, n, b.data(), n, 1, bias.data(), packed.data());
    std::vector<float> got(m * n);
    kernels::gemm_f32(m, n, k, a.data(), k, packed.data(), got.data(), n, FusedActivation{});
    const float want = static_cast<float>(k) + kBias;
    REQUIRE(want != kBias);  // the two orders differ here
    for (size_t i = 0; i < m * n; ++i) {
      CAPTURE(i);
      CHECK(static_cast<int64_t>(got[i]) == static_cast<int64_t>(want));  // integers: exact, printed in full
    }
  }
}
