// The kernel tables (kernels/kernel_table.h): which are compiled in and chosen, and every table's kernels
// against naive float loops that do the same arithmetic in the same order.
//
// Tolerance: 0 (bit for bit) for a table whose kernels do not fuse multiply-adds (KernelTable::fma false:
// sse2, scalar, wasm128 today), so every table also agrees with every other. A table with fma = true (avx2,
// wasm_relaxed: relaxed_madd is fused or not, as the CPU has it; both are within the bound) may
// differ by one rounding per multiply-add: |got − want| ≤ terms · 2^-23 · Σ|terms| (fma_bound below).
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/dwconv.h"
#include "kernels/gemm.h"
#include "kernels/kernel_table.h"

using namespace webcnn;
using kernels::KernelTable;

namespace {

std::vector<float> random_floats(size_t n, std::mt19937& rng, float lo = -2.0f, float hi = 2.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// Bitwise equality (so -0 vs +0 counts; any NaN matches NaN), or within `bound` for an FMA table.
void check_same(const KernelTable& t, const std::vector<float>& got, const std::vector<float>& want,
                const std::vector<float>& bound = {}) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    if (t.fma && !bound.empty()) {
      CHECK(std::fabs(got[i] - want[i]) <= bound[i]);
    } else if (std::isnan(want[i])) {
      CHECK(std::isnan(got[i]));  // a NaN's sign and payload are not portable (WebAssembly leaves them open)
    } else {
      CHECK(std::memcmp(&got[i], &want[i], sizeof(float)) == 0);
      if (std::memcmp(&got[i], &want[i], sizeof(float)) != 0) MESSAGE(got[i], " != ", want[i]);
    }
  }
}

// One rounding per multiply-add of `terms` terms whose magnitudes sum to `magnitude`.
float fma_bound(size_t terms, double magnitude) { return static_cast<float>(terms * std::ldexp(magnitude, -23)); }

// The sizes every row kernel sees: empty, shorter than a vector, exact vectors, vectors plus a tail.
constexpr size_t kLengths[] = {0, 1, 3, 4, 7, 8, 16, 37};

float max2(float a, float b) { return a > b ? a : b; }  // second operand on NaN or a tie, like simd::max
float min2(float a, float b) { return a < b ? a : b; }

}  // namespace

TEST_CASE("kernel tables: this build compiles in the tables of its platform, each complete") {
  const auto& compiled = kernels::compiled_tables();
  std::vector<std::string> names;
  for (const KernelTable* t : compiled) names.push_back(t->isa);
#if defined(__x86_64__) || defined(_M_X64)
  CHECK(names == std::vector<std::string>{"avx2", "sse2", "scalar"});
#elif defined(__wasm_simd128__)
  // webcnn_tests_wasm_relaxed has the relaxed table instead (run with WEBCNN_ISA=wasm_relaxed,
  // tests/node/wasm_native_suite.test.mjs): a module holds one table, as the loader picks the module.
  const char* wanted = std::getenv("WEBCNN_ISA");
  const std::string isa = wanted && std::string(wanted) == "wasm_relaxed" ? "wasm_relaxed" : "wasm128";
  CHECK(names == std::vector<std::string>{isa});
#endif
  REQUIRE(!kernels::supported_tables().empty());
  for (const KernelTable* t : compiled) {
    const std::string isa = t->isa;
    CAPTURE(isa);
    // Every entry is set: the table is a struct of pointers, so scan it as one.
    const auto* words = reinterpret_cast<const unsigned char*>(t);
    const size_t pointers = (sizeof(KernelTable) - offsetof(KernelTable, f32_vbinary)) / sizeof(void*);
    for (size_t i = 0; i < pointers; ++i) {
      void* p;
      std::memcpy(&p, words + offsetof(KernelTable, f32_vbinary) + i * sizeof(void*), sizeof p);
      CHECK(p != nullptr);
    }
    CHECK(kernels::find_table(t->isa) == t);
    CHECK(t->fma == (isa == "avx2" || isa == "wasm_relaxed"));  // the tables whose kernels fuse multiply-adds
  }
  CHECK(kernels::find_table("no-such-isa") == nullptr);
}

TEST_CASE("kernel tables: the active table is the one WEBCNN_ISA names (the test binaries set it)") {
  const char* wanted = std::getenv("WEBCNN_ISA");
  if (!wanted || !*wanted) {
    CHECK(&kernels::active() == kernels::supported_tables().front());
    return;
  }
  CHECK(std::string(kernels::active().isa) == wanted);
}

TEST_CASE("kernel tables: elementwise binary kernels match a[i] op b[i] bit for bit") {
  std::mt19937 rng(7);
  using kernels::VBinaryOp;
  using kernels::VBinaryOperands;
  const VBinaryOp ops[] = {VBinaryOp::kAdd, VBinaryOp::kSub, VBinaryOp::kMul,
                           VBinaryOp::kDiv, VBinaryOp::kMax, VBinaryOp::kMin};
  const auto apply = [](VBinaryOp op, float a, float b) {
    switch (op) {
      case VBinaryOp::kAdd: return a + b;
      case VBinaryOp::kSub: return a - b;
      case VBinaryOp::kMul: return a * b;
      case VBinaryOp::kDiv: return a / b;
      case VBinaryOp::kMax: return max2(a, b);
      case VBinaryOp::kMin: return min2(a, b);
    }
    return 0.0f;
  };
  for (const KernelTable* t : kernels::supported_tables()) {
    const std::string isa = t->isa;
    CAPTURE(isa);
    for (size_t n : kLengths) {
      std::vector<float> a = random_floats(n + 1, rng), b = random_floats(n + 1, rng);
      if (n >= 3) a[2] = b[2];  // a tie
      if (n >= 5) a[4] = NAN;   // NaN in either operand: max/min return b
      if (n >= 6) b[5] = NAN;
      for (VBinaryOp op : ops)
        for (int form = 0; form < 3; ++form) {
          CAPTURE(n);
          CAPTURE(static_cast<int>(op));
          CAPTURE(form);
          std::vector<float> got(n), want(n);
          t->f32_vbinary[static_cast<size_t>(op)][form](n, a.data(), b.data(), got.data());
          for (size_t i = 0; i < n; ++i) {
            const float ai = form == static_cast<int>(VBinaryOperands::kScalarVector) ? a[0] : a[i];
            const float bi = form == static_cast<int>(VBinaryOperands::kVectorScalar) ? b[0] : b[i];
            want[i] = apply(op, ai, bi);
          }
          check_same(*t, got, want);
        }
    }
  }
}

TEST_CASE("kernel tables: activation, multiply-add and clamp kernels match their scalar formulas") {
  std::mt19937 rng(11);
  for (const KernelTable* t : kernels::supported_tables()) {
    const std::string isa = t->isa;
    CAPTURE(isa);
    for (size_t n : kLengths) {
      CAPTURE(n);
      std::vector<float> x = random_floats(n, rng, -8.0f, 8.0f), s = random_floats(n, rng), c = random_floats(n, rng);
      if (n >= 2) x[1] = NAN;
      std::vector<float> got(n), want(n);
      const float alpha = 0.3f, beta = 0.45f;

      t->f32_vrelu(n, x.data(), got.data());
      for (size_t i = 0; i < n; ++i) want[i] = max2(0.0f, x[i]);
      check_same(*t, got, want);

      t->f32_vlrelu(n, x.data(), alpha, got.data());
      for (size_t i = 0; i < n; ++i) want[i] = alpha * min2(0.0f, x[i]) + max2(0.0f, x[i]);
      check_same(*t, got, want);

      t->f32_vprelu(n, x.data(), s.data(), got.data());
      for (size_t i = 0; i < n; ++i) want[i] = s[i] * min2(0.0f, x[i]) + max2(0.0f, x[i]);
      check_same(*t, got, want);

      t->f32_vhardsigmoid(n, x.data(), alpha, beta, got.data());
      for (size_t i = 0; i < n; ++i) want[i] = min2(1.0f, max2(0.0f, alpha * x[i] + beta));
      check_same(*t, got, want);

      t->f32_vhardswish(n, x.data(), got.data());
      for (size_t i = 0; i < n; ++i) want[i] = x[i] * min2(1.0f, max2(0.0f, x[i] / 6.0f + 0.5f));
      check_same(*t, got, want);

      t->f32_vclamp(n, x.data(), -1.5f, 2.5f, got.data());
      for (size_t i = 0; i < n; ++i) want[i] = min2(2.5f, max2(-1.5f, x[i]));
      check_same(*t, got, want);

      t->f32_vmuladd(n, x.data(), s.data(), c.data(), got.data());
      for (size_t i = 0; i < n; ++i) want[i] = x[i] * s[i] + c[i];
      check_same(*t, got, want);

      t->f32_vmuladdc(n, x.data(), alpha, beta, got.data());
      for (size_t i = 0; i < n; ++i) want[i] = x[i] * alpha + beta;
      check_same(*t, got, want);

      // The fused store's clamp and residual add (without NaN: its vector lanes map NaN to the lower bound,
      // its scalar tail keeps NaN, as before the tables).
      if (n >= 2) x[1] = 0.25f;
      FusedActivation clip;
      clip.kind = FusedActivation::Kind::kClip;
      clip.min = -1.0f;
      clip.max = 3.0f;
      got = x;
      t->f32_fused_add_apply(clip, got.data(), s.data(), n);
      for (size_t i = 0; i < n; ++i) want[i] = std::min(std::max(x[i] + s[i], clip.min), clip.max);
      check_same(*t, got, want);
    }
  }
}

TEST_CASE("kernel tables: reductions and pools match sequential loops in the kernels' order") {
  std::mt19937 rng(13);
  for (const KernelTable* t : kernels::supported_tables()) {
    const std::string isa = t->isa;
    CAPTURE(isa);
    for (size_t n : kLengths) {
      CAPTURE(n);
      const std::vector<float> x = random_floats(n, rng);
      // Folds are not sequential sums (two vector accumulators), so the reference is an independent
      // double sum with a float-rounding tolerance; max is order-free, so exact.
      float sum = 0.5f, mx = -INFINITY;
      t->f32_reduce_fold[0][0](n, x.data(), &sum);
      t->f32_reduce_fold[2][0](n, x.data(), &mx);
      double want_sum = 0.5, magnitude = 0.5;
      float want_max = -INFINITY;
      for (float v : x) want_sum += v, magnitude += std::fabs(v), want_max = std::max(want_max, v);
      CHECK(std::fabs(sum - want_sum) <= (n + 1) * std::ldexp(magnitude, -23));
      CHECK(mx == want_max);
      CHECK(t->f32_rmax(n, x.data()) == want_max);
      CHECK(t->f32_softmax_rmax(n, x.data()) == want_max);
      // Accumulate is element by element: exact.
      std::vector<float> got = random_floats(n, rng), want = got;
      t->f32_reduce_accumulate[0][1](n, x.data(), got.data());  // sum of squares
      for (size_t i = 0; i < n; ++i) want[i] = want[i] + x[i] * x[i];
      check_same(*t, got, want);
    }
    // A 3×2 pooling window over 19 channels (vectors of 16 and 4, then a tail), rows 5·19 floats apart.
    const size_t C = 19, rows = 3, cols = 2, row_step = 5 * C, col_step = C;
    const std::vector<float> img = random_floats(rows * row_step, rng);
    std::vector<float> got_max(C), got_avg(C), want_max(C), want_avg(C);
    t->f32_maxpool(C, img.data(), rows, cols, row_step, col_step, got_max.data());
    t->f32_avgpool(C, img.data(), rows, cols, row_step, col_step, 1.0f / 6.0f, got_avg.data());
    for (size_t c = 0; c < C; ++c) {
      float m = -INFINITY, s = 0;
      for (size_t r = 0; r < rows; ++r)
        for (size_t k = 0; k < cols; ++k) {
          const float v = img[r * row_step + k * col_step + c];
          m = m > v ? m : v;
          s = s + v;
        }
      want_max[c] = m;
      want_avg[c] = s * (1.0f / 6.0f);
    }
    check_same(*t, got_max, want_max);
    check_same(*t, got_avg, want_avg);
  }
}

TEST_CASE("kernel tables: GEMM, depthwise conv and resize taps match float loops in the same order") {
  std::mt19937 rng(17);
  for (const KernelTable* t : kernels::supported_tables()) {
    const std::string isa = t->isa;
    CAPTURE(isa);
    // GEMM: every tile shape (full 16-wide panels, the 8-wide tail, partial rows of the 4-lane and AVX2
    // tiles: 13 = 6 + 6 + 1 = 8 + 5), a Relu clamp.
    for (size_t m : {1, 3, 6, 13}) {
      for (size_t n : {5, 16, 27}) {
        for (size_t k : {1, 4, 9}) {
          CAPTURE(m);
          CAPTURE(n);
          CAPTURE(k);
          const std::vector<float> a = random_floats(m * k, rng), b = random_floats(k * n, rng),
                                   bias = random_floats(n, rng);
          std::vector<float> packed(kernels::gemm_packed_b_floats(k, n));
          kernels::gemm_pack_b(k, n, b.data(), n, 1, bias.data(), packed.data());
          FusedActivation relu;
          relu.kind = FusedActivation::Kind::kRelu;
          relu.min = 0;
          std::vector<float> got(m * n), want(m * n), bound(m * n);
          t->f32_gemm(m, n, k, a.data(), k, packed.data(), got.data(), n, relu, nullptr, 0);
          for (size_t i = 0; i < m; ++i)
            for (size_t j = 0; j < n; ++j) {
              float acc = 0.0f;  // the products from zero, then the bias (as TF.js: conv, then BiasAdd)
              double magnitude = std::fabs(bias[j]);
              for (size_t kk = 0; kk < k; ++kk) {
                acc = a[i * k + kk] * b[kk * n + j] + acc;
                magnitude += std::fabs(a[i * k + kk] * b[kk * n + j]);
              }
              acc = acc + bias[j];
              want[i * n + j] = std::min(std::max(acc, 0.0f), INFINITY);
              bound[i * n + j] = fma_bound(k, magnitude);
            }
          check_same(*t, got, want, bound);
        }
      }
    }
    // Depthwise 3×3, pad 1, 14 channels (8 lanes on avx2, then 4, then a tail of 2): taps inside the image,
    // in (ky, kx) order.
    kernels::Conv2dGeometry g;
    g.in_h = 5, g.in_w = 4, g.in_c = 14, g.out_h = 5, g.out_w = 4, g.kernel_h = g.kernel_w = 3,
    g.pad_top = g.pad_left = 1;
    const size_t ch = 14, taps = 9;
    const std::vector<float> x = random_floats(5 * 4 * ch, rng), w = random_floats(ch * taps, rng),
                             bias = random_floats(ch, rng);
    std::vector<float> packed(kernels::dwconv_packed_floats(ch, taps));
    kernels::dwconv_pack_with(
        ch, taps, [&](size_t c, size_t tap) { return w[c * taps + tap]; }, bias.data(), packed.data());
    std::vector<float> got(5 * 4 * ch), want(5 * 4 * ch), bound(5 * 4 * ch);
    t->f32_dwconv_nhwc(g, x.data(), packed.data(), got.data(), 0, 5, FusedActivation{});
    for (int64_t oy = 0; oy < 5; ++oy)
      for (int64_t ox = 0; ox < 4; ++ox)
        for (size_t c = 0; c < ch; ++c) {
          float acc = 0.0f;  // the taps from zero, then the bias
          double magnitude = std::fabs(bias[c]);
          for (int64_t ky = 0; ky < 3; ++ky)
            for (int64_t kx = 0; kx < 3; ++kx) {
              const int64_t iy = oy - 1 + ky, ix = ox - 1 + kx;
              if (iy < 0 || iy >= 5 || ix < 0 || ix >= 4) continue;
              const float p =
                  x[static_cast<size_t>((iy * 4 + ix)) * ch + c] * w[c * taps + static_cast<size_t>(ky * 3 + kx)];
              acc = p + acc;
              magnitude += std::fabs(p);
            }
          const size_t o = static_cast<size_t>(oy * 4 + ox) * ch + c;
          want[o] = acc + bias[c];
          bound[o] = fma_bound(taps, magnitude);
        }
    check_same(*t, got, want, bound);
    // Resize: 4 taps over 10 floats.
    const std::vector<float> src = random_floats(40, rng), weights = random_floats(4, rng);
    const float* inputs[4] = {src.data(), src.data() + 10, src.data() + 20, src.data() + 30};
    std::vector<float> rgot(10), rwant(10), rbound(10);
    t->f32_resize_pixel(10, 4, inputs, weights.data(), rgot.data());
    for (size_t k = 0; k < 10; ++k) {
      float acc = 0;
      double magnitude = 0;
      for (size_t tap = 0; tap < 4; ++tap) {
        acc = weights[tap] * inputs[tap][k] + acc;
        magnitude += std::fabs(weights[tap] * inputs[tap][k]);
      }
      rwant[k] = acc;
      rbound[k] = fma_bound(4, magnitude);
    }
    check_same(*t, rgot, rwant, rbound);
  }
}
