// MatMul / Gemm kernels (through the registry) against the naive references, and the references against
// hand-computed numbers.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "ops/kernel.h"
#include "ops/matmul.h"
#include "support/single_node.h"

using namespace webcnn;
using namespace webcnn::single_node;

namespace {

Tensor random_tensor(Shape shape, std::mt19937& rng) {
  Tensor t(DataType::kFloat32, std::move(shape));
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.size(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

// Tolerance: |fast − ref| ≤ 1e-5·K + 1e-5 (float32 vs a double-accumulating reference, values in [-1, 1]).
void check_close(const std::vector<float>& got, const std::vector<float>& want, int64_t k) {
  REQUIRE(got.size() == want.size());
  const float tol = 1e-5f * static_cast<float>(k) + 1e-5f;
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= tol)) {
      FAIL_CHECK("element " << i << ": got " << got[i] << ", want " << want[i]);
      return;
    }
}

}  // namespace

TEST_CASE("reference matmul and gemm match hand-computed values") {
  // [1 2 3] · [[1 0] [0 1] [1 1]] = [4 5] (1-D A: result is 1-D [2]).
  Tensor a = floats({3}, {1, 2, 3});
  Tensor b = floats({3, 2}, {1, 0, 0, 1, 1, 1});
  float y[2];
  reference::matmul(a.data<float>(), a.shape(), b.data<float>(), b.shape(), y, {2}, FusedActivation{});
  CHECK(y[0] == 4);
  CHECK(y[1] == 5);
  // Gemm: A^T with A = [[1 3] [2 4]] → op(A) = [[1 2] [3 4]]; B = I; alpha 2, beta 10, C = [1, -1] per column.
  // Y = 2·op(A) + 10·C = [[12 -6] [16 -2]].
  Tensor ga = floats({2, 2}, {1, 3, 2, 4});
  Tensor gb = floats({2, 2}, {1, 0, 0, 1});
  Tensor gc = floats({2}, {1, -1});
  float gy[4];
  reference::gemm(ga.data<float>(), ga.shape(), true, gb.data<float>(), gb.shape(), false, gc.data<float>(), gc.shape(),
                  2.0f, 10.0f, gy, FusedActivation{});
  CHECK(gy[0] == 12);
  CHECK(gy[1] == -6);
  CHECK(gy[2] == 16);
  CHECK(gy[3] == -2);
}

TEST_CASE("MatMul kernel matches the reference: 1-D promotion, batch broadcasting, constant and runtime B") {
  std::mt19937 rng(11);
  struct Case {
    Shape a, b, y;
  };
  const Case cases[] = {
      {{3}, {3}, {}},      // dot product
      {{5}, {5, 7}, {7}},  // vector · matrix
      {{4, 6}, {6}, {4}},  // matrix · vector
      {{1, 1}, {1, 1}, {1, 1}},
      {{9, 13}, {13, 17}, {9, 17}},
      {{2, 3, 5, 4}, {4, 3}, {2, 3, 5, 3}},        // batched A, shared B
      {{5, 4}, {2, 4, 9}, {2, 5, 9}},              // shared A, batched B
      {{2, 1, 3, 5}, {1, 4, 5, 6}, {2, 4, 3, 6}},  // both broadcast
      {{3, 7, 2}, {3, 2, 11}, {3, 7, 11}},
      {{6, 0}, {0, 5}, {6, 5}},  // K = 0: zeros
  };
  for (const Case& c : cases)
    for (int constant_b = 0; constant_b < 2; ++constant_b)
      for (int act = 0; act < 2; ++act) {
        CAPTURE(shape_to_string(c.a));
        CAPTURE(shape_to_string(c.b));
        Tensor a = random_tensor(c.a, rng), b = random_tensor(c.b, rng);
        Node node = make_node("MatMul");
        if (act) node.attrs["fused_activation"] = Attribute::of_string("Sigmoid");
        FloatRun r = run_float_node(node, {var(a), arg(b, constant_b != 0)});
        REQUIRE_MESSAGE(r.status.is_ok(), r.status.message());
        REQUIRE(r.shape == c.y);
        std::vector<float> want(static_cast<size_t>(num_elements(c.y)));
        reference::matmul(a.data<float>(), a.shape(), b.data<float>(), b.shape(), want.data(), c.y,
                          fused_activation_from_node(node).value());
        check_close(r.data, want, c.a.back());
      }
}

TEST_CASE("MatMul rejects mismatched inner and batch dimensions") {
  std::mt19937 rng(1);
  Tensor a = random_tensor({2, 3}, rng), b = random_tensor({4, 5}, rng);
  FloatRun r = run_float_node(make_node("MatMul"), {var(a), konst(b)});
  REQUIRE_FALSE(r.status.is_ok());
  CHECK(r.status.message().find("MatMul 'n'") == 0);
  Tensor a3 = random_tensor({2, 3, 4}, rng), b3 = random_tensor({3, 4, 5}, rng);
  CHECK_FALSE(run_float_node(make_node("MatMul"), {var(a3), var(b3)}).status.is_ok());
}

TEST_CASE("Gemm kernel matches the reference over transposes, alpha/beta, every C broadcast and activations") {
  std::mt19937 rng(21);
  const int64_t sizes[][3] = {{1, 1, 1}, {3, 5, 4}, {7, 9, 13}, {16, 8, 33}, {5, 17, 2}};
  const Shape c_shapes_for[] = {{}, {1}, {0}, {1, 0}, {0, 1}, {0, 0}, {1, 1}};  // 0 = the matching dim
  int index = 0;
  for (const auto& mnk : sizes)
    for (int trans = 0; trans < 4; ++trans)
      for (int ci = -1; ci < 7; ++ci) {
        ++index;
        const int64_t m = mnk[0], n = mnk[1], k = mnk[2];
        const bool ta = trans & 1, tb = trans & 2;
        Tensor a = random_tensor(ta ? Shape{k, m} : Shape{m, k}, rng);
        Tensor b = random_tensor(tb ? Shape{n, k} : Shape{k, n}, rng);
        Tensor c;
        if (ci >= 0) {
          Shape cs = c_shapes_for[ci];
          if (cs.size() == 1 && cs[0] == 0) cs[0] = n;
          if (cs.size() == 2) {
            if (cs[0] == 0) cs[0] = m;
            if (cs[1] == 0) cs[1] = n;
          }
          c = random_tensor(cs, rng);
        }
        Node node = make_node("Gemm");
        node.attrs["transA"] = Attribute::of_int(ta);
        node.attrs["transB"] = Attribute::of_int(tb);
        const float alpha = index % 3 == 0 ? 1.0f : 0.5f, beta = index % 4 == 0 ? 1.0f : -2.0f;
        node.attrs["alpha"] = Attribute::of_float(alpha);
        node.attrs["beta"] = Attribute::of_float(beta);
        if (index % 5 == 1) node.attrs["fused_activation"] = Attribute::of_string("Relu");
        if (index % 5 == 2) node.attrs["fused_activation"] = Attribute::of_string("Tanh");
        const bool constant = index % 2 == 0;
        FloatRun r = run_float_node(node, {var(a), arg(b, constant), ci >= 0 ? arg(c, constant) : absent()});
        CAPTURE(index);
        REQUIRE_MESSAGE(r.status.is_ok(), r.status.message());
        REQUIRE(r.shape == Shape{m, n});
        std::vector<float> want(static_cast<size_t>(m * n));
        reference::gemm(a.data<float>(), a.shape(), ta, b.data<float>(), b.shape(), tb,
                        ci >= 0 ? c.data<float>() : nullptr, ci >= 0 ? c.shape() : Shape{}, alpha, beta, want.data(),
                        fused_activation_from_node(node).value());
        check_close(r.data, want, k + 2);
      }
}

TEST_CASE("Gemm rejects bad shapes") {
  std::mt19937 rng(2);
  Tensor a = random_tensor({2, 3}, rng), b = random_tensor({3, 4}, rng), c_bad = random_tensor({3, 4}, rng);
  CHECK_FALSE(run_float_node(make_node("Gemm"), {var(a), konst(b), konst(c_bad)}).status.is_ok());
  Tensor b_bad = random_tensor({2, 4}, rng);
  CHECK_FALSE(run_float_node(make_node("Gemm"), {var(a), konst(b_bad)}).status.is_ok());
  Tensor a3 = random_tensor({1, 2, 3}, rng);
  CHECK_FALSE(run_float_node(make_node("Gemm"), {var(a3), konst(b)}).status.is_ok());
}
