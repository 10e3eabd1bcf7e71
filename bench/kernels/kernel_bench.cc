// Kernel micro-benchmark: GFLOP/s of the GEMM and depthwise kernels on MobileNetV2-224 layer shapes.
// The same source builds natively (SSE2) and to wasm (run by Node); see bench/kernels/build.sh.
//   kernel_bench [filter]     filter: substring of a row name ("gemm", "dw", "6x8", ...)
//   kernel_bench "q8 ..."     8-bit kernels vs f32: "q8", "q8 gemm", "q8 dw", "q8 stem" (the 3×3 s2 first conv,
//                             im2col included); with "int8w" the GEMM weights are int8 of zero point 0
//                             (TFLite's), else uint8 of zero point 120
// Every candidate is timed in interleaved rounds (A B C A B C ...) and the median round is printed, because
// the machine is shared and noisy. GFLOP/s = 2 · multiply-adds / time.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dwconv_per_pixel.h"
#include "kernels/dwconv.h"
#include "kernels/gemm.h"
#include "kernels/gemm_tile_f32x4.h"
#include "kernels/im2col_nhwc.h"
#include "kernels/q8_dwconv.h"
#include "kernels/q8_gemm.h"
#include "kernels/q8_im2col.h"

using namespace webcnn;
using namespace webcnn::kernels;
using namespace webcnn::kernels::WEBCNN_ISA;  // the microkernel templates of the default instruction set

namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<float> random_floats(size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// A GEMM driver over any tile shape, the same loop structure as gemm_driver.cc, with its own packing.
template <size_t MR, size_t NV, ABroadcast kMode>
struct TileGemm {
  static constexpr size_t NR = 4 * NV;
  static size_t packed_floats(size_t k, size_t n) { return (n + NR - 1) / NR * NR * (k + 1); }
  static void pack(size_t k, size_t n, const float* b, const float* bias, float* packed) {
    for (size_t n0 = 0; n0 < n; n0 += NR) {
      const size_t nc = std::min(NR, n - n0);
      for (size_t j = 0; j < NR; ++j) *packed++ = j < nc ? bias[n0 + j] : 0.0f;
      for (size_t kk = 0; kk < k; ++kk)
        for (size_t j = 0; j < NR; ++j) *packed++ = j < nc ? b[kk * n + n0 + j] : 0.0f;
    }
  }
  static void run(size_t m, size_t n, size_t k, const float* a, const float* packed, float* c, float lo, float hi) {
    const size_t panel_floats = NR * (k + 1), panels = (n + NR - 1) / NR;
    const size_t block_rows = std::max<size_t>(MR, (size_t{32} << 10) / std::max<size_t>(k, 1) / MR * MR);
    for (size_t m0 = 0; m0 < m; m0 += block_rows) {
      const size_t m1 = std::min(m, m0 + block_rows);
      for (size_t p = 0; p < panels; ++p) {
        const size_t col = p * NR, nc = std::min(NR, n - col);
        for (size_t i = m0; i < m1; i += MR)
          gemm_tile_f32x4<MR, NV, kMode>(std::min(MR, m1 - i), nc, k, a + i * k, k, packed + p * panel_floats,
                                         c + i * n + col, n, lo, hi);
      }
    }
  }
};

struct Candidate {
  std::string name;
  std::function<void()> run;
  double flops;
  std::vector<double> ms;
  double best = 1e30;  // the fastest single call (set by measure)
};

// Interleaved rounds of ≥ 5 ms each; every call is timed on its own. Printed: the median round (calls
// per round averaged) and the fastest single call, which on a loaded machine is the better estimate of
// the uncontended speed (a call of ~1 ms often runs without being preempted).
void measure(std::vector<Candidate>& cands, int rounds) {
  std::vector<double> best(cands.size(), 1e30);
  for (auto& c : cands) c.run();  // warm up (and JIT tier-up in wasm)
  for (int r = 0; r < rounds; ++r)
    for (size_t ci = 0; ci < cands.size(); ++ci) {
      Candidate& c = cands[ci];
      int reps = 0;
      const double t0 = now_ms();
      double t1 = t0;
      do {
        const double s = now_ms();
        c.run();
        ++reps;
        t1 = now_ms();
        best[ci] = std::min(best[ci], t1 - s);
      } while (t1 - t0 < 5.0);
      c.ms.push_back((t1 - t0) / reps);
    }
  for (size_t ci = 0; ci < cands.size(); ++ci) {
    Candidate& c = cands[ci];
    c.best = best[ci];
    std::vector<double> s = c.ms;
    std::sort(s.begin(), s.end());
    const double med = s[s.size() / 2];
    std::printf("  %-22s median %8.3f ms %6.2f GFLOP/s | best %8.3f ms %6.2f GFLOP/s\n", c.name.c_str(), med,
                c.flops / med / 1e6, best[ci], c.flops / best[ci] / 1e6);
  }
}

struct GemmShape {
  size_t m, k, n;
};

template <size_t MR, size_t NV, ABroadcast kMode>
void add_tile(std::vector<Candidate>& cands, const char* name, const GemmShape& s, const std::vector<float>& a,
              const std::vector<float>& b, const std::vector<float>& bias, std::vector<float>& c,
              std::vector<std::vector<float>>& keep) {
  using G = TileGemm<MR, NV, kMode>;
  keep.emplace_back(G::packed_floats(s.k, s.n));
  G::pack(s.k, s.n, b.data(), bias.data(), keep.back().data());
  const float* packed = keep.back().data();
  cands.push_back({name,
                   [=, &a, &c] { G::run(s.m, s.n, s.k, a.data(), packed, c.data(), 0.0f, 6.0f); },
                   2.0 * s.m * s.n * s.k,
                   {}});
}

void bench_gemm(const std::string& filter, int rounds) {
  // MobileNetV2-224 1×1 convs (M pixels, K in channels, N out channels) and the im2col'd 3×3 stem.
  const GemmShape shapes[] = {{12544, 27, 32}, {12544, 32, 16}, {12544, 16, 96}, {3136, 96, 24}, {3136, 24, 144},
                              {3136, 144, 24}, {784, 144, 32},  {784, 192, 32},  {196, 192, 64}, {196, 384, 64},
                              {196, 64, 384},  {196, 576, 96},  {49, 576, 160},  {49, 960, 160}, {49, 320, 1280}};
  std::mt19937 rng(1);
  for (const GemmShape& s : shapes) {
    char title[96];
    std::snprintf(title, sizeof title, "gemm M=%zu K=%zu N=%zu", s.m, s.k, s.n);
    if (filter != "" && std::string(title).find(filter) == std::string::npos && filter != "gemm") continue;
    std::vector<float> a = random_floats(s.m * s.k, rng), b = random_floats(s.k * s.n, rng),
                       bias = random_floats(s.n, rng), c(s.m * s.n);
    std::vector<float> engine_packed(gemm_packed_b_floats(s.k, s.n));
    gemm_pack_b(s.k, s.n, b.data(), s.n, 1, bias.data(), engine_packed.data());
    FusedActivation relu6;
    relu6.kind = FusedActivation::Kind::kClip;
    relu6.min = 0;
    relu6.max = 6;
    std::vector<Candidate> cands;
    std::vector<std::vector<float>> keep;
    cands.push_back({"engine gemm_f32",
                     [&] { gemm_f32(s.m, s.n, s.k, a.data(), s.k, engine_packed.data(), c.data(), s.n, relu6); },
                     2.0 * s.m * s.n * s.k,
                     {}});
    add_tile<4, 2, ABroadcast::kSplatLanes>(cands, "4x8 splat-lanes (old)", s, a, b, bias, c, keep);
    add_tile<4, 2, ABroadcast::kLoadSplat>(cands, "4x8 load-splat", s, a, b, bias, c, keep);
    add_tile<2, 4, ABroadcast::kLoadSplat>(cands, "2x16 load-splat", s, a, b, bias, c, keep);
    std::printf("%s\n", title);
    measure(cands, rounds);
  }
}

// The per-pixel indirection path conv.cc used before dwconv_nhwc_f32x4 (weights [taps][C], then bias).
void dwconv_per_pixel(const Conv2dGeometry& g, const float* x, const float* packed, const float* zero,
                      const float** taps, float* y, float lo, float hi) {
  const int64_t c_count = g.in_c, ntaps = g.kernel_h * g.kernel_w;
  const float* weights = packed;
  const float* bias = packed + ntaps * c_count;
  for (int64_t n = 0; n < g.batch; ++n) {
    const float* image = x + n * g.in_h * g.in_w * c_count;
    for (int64_t oy = 0; oy < g.out_h; ++oy)
      for (int64_t ox = 0; ox < g.out_w; ++ox) {
        int64_t t = 0;
        for (int64_t ky = 0; ky < g.kernel_h; ++ky) {
          const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
          for (int64_t kx = 0; kx < g.kernel_w; ++kx, ++t) {
            const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
            taps[t] = (iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w) ? image + (iy * g.in_w + ix) * c_count : zero;
          }
        }
        float* out = y + ((n * g.out_h + oy) * g.out_w + ox) * c_count;
        if (ntaps == 9) dwconv_3x3_f32x4(c_count, taps, weights, bias, out, lo, hi);
        else dwconv_f32x4(c_count, ntaps, taps, weights, bias, out, lo, hi);
      }
  }
}

void bench_dwconv(const std::string& filter, int rounds) {
  struct Layer {
    int64_t hw, c, k, stride;
  };
  // MobileNetV2-224's depthwise layers (3×3, pad 1) and two 5×5 ones (pad 2) of the size EfficientNet uses.
  const Layer layers[] = {{112, 32, 3, 1}, {112, 96, 3, 2}, {56, 144, 3, 1}, {56, 144, 3, 2},
                          {28, 192, 3, 1}, {28, 192, 3, 2}, {14, 384, 3, 1}, {14, 576, 3, 1},
                          {14, 576, 3, 2}, {7, 960, 3, 1},  {28, 240, 5, 1}, {56, 72, 5, 2}};
  std::mt19937 rng(2);
  for (const Layer& l : layers) {
    char title[96];
    std::snprintf(title, sizeof title, "dw %lldx%lld %lldx%lldx%lld s%lld", (long long)l.k, (long long)l.k,
                  (long long)l.hw, (long long)l.hw, (long long)l.c, (long long)l.stride);
    if (filter != "dw" && std::string(title).find(filter) == std::string::npos) continue;
    Conv2dGeometry g;
    g.in_h = g.in_w = l.hw;
    g.in_c = l.c;
    g.kernel_h = g.kernel_w = l.k;
    g.stride_h = g.stride_w = l.stride;
    g.pad_top = g.pad_left = l.k / 2;
    g.out_h = g.out_w = (l.hw + 2 * (l.k / 2) - l.k) / l.stride + 1;
    const size_t taps = static_cast<size_t>(l.k * l.k), ch = static_cast<size_t>(l.c);
    std::vector<float> x = random_floats(static_cast<size_t>(l.hw * l.hw * l.c), rng),
                       w = random_floats(ch * taps, rng), bias = random_floats(ch, rng),
                       y(static_cast<size_t>(g.out_h * g.out_w) * ch), zero(ch);
    std::vector<float> old_packed(ch * (taps + 1)), new_packed(dwconv_packed_floats(ch, taps));
    for (size_t t = 0; t < taps; ++t)
      for (size_t c = 0; c < ch; ++c) old_packed[t * ch + c] = w[c * taps + t];
    for (size_t c = 0; c < ch; ++c) old_packed[taps * ch + c] = bias[c];
    dwconv_pack_with(
        ch, taps, [&](size_t c, size_t t) { return w[c * taps + t]; }, bias.data(), new_packed.data());
    std::vector<const float*> tap_ptrs(taps);
    FusedActivation relu6;
    relu6.kind = FusedActivation::Kind::kClip;
    relu6.min = 0;
    relu6.max = 6;
    const double flops = 2.0 * g.out_h * g.out_w * l.c * l.k * l.k;
    std::vector<Candidate> cands;
    cands.push_back(
        {"per-pixel (old)",
         [&] { dwconv_per_pixel(g, x.data(), old_packed.data(), zero.data(), tap_ptrs.data(), y.data(), 0, 6); },
         flops,
         {}});
    cands.push_back({"dwconv_nhwc rows",
                     [&] { dwconv_nhwc_f32x4(g, x.data(), new_packed.data(), y.data(), 0, g.out_h, relu6); },
                     flops,
                     {}});
    std::printf("%s\n", title);
    measure(cands, rounds);
  }
}

// 8-bit kernels against the engine's f32 ones on the same MobileNetV2-224 layers, per layer and summed:
// q8 GEMM time includes widening A to int16 (the op does it per tile), the f32 GEMM reads A in place.
// Multipliers ~2^-9 (typical of real models: the vector requantisation path in wasm).
void bench_q8(const std::string& filter, int rounds) {
  std::mt19937 rng(3);
  const auto bytes = [&](size_t n) {
    std::vector<uint8_t> v(n);
    for (uint8_t& x : v) x = static_cast<uint8_t>(rng());
    return v;
  };
  const float mult = 1.0f / 700.0f;  // the requantisation scale
  kernels::Q8Input in;
  in.zero_point = 128;
  kernels::Q8Output out;
  out.zero_point = 3;
  out.qmin = 3;
  out.qmax = 255;
  FusedActivation relu6;
  relu6.kind = FusedActivation::Kind::kClip;
  relu6.min = 0;
  relu6.max = 6;
  double f32_total = 0, q8_total = 0, f32_best = 0, q8_best = 0;  // sums of the median rounds, best calls
  // Per layer: best-call times of f32 and q8 from the same interleaved rounds.
  auto run_pair = [&](const char* title, Candidate f, Candidate q) {
    std::vector<Candidate> cands = {std::move(f), std::move(q)};
    std::printf("%s\n", title);
    measure(cands, rounds);
    double median[2];
    for (int i = 0; i < 2; ++i) {
      std::vector<double> s = cands[i].ms;
      std::sort(s.begin(), s.end());
      median[i] = s[s.size() / 2];
    }
    f32_total += median[0];
    q8_total += median[1];
    f32_best += cands[0].best;
    q8_best += cands[1].best;
    std::printf("  q8 speed-up over f32: %.2fx median rounds, %.2fx best calls\n", median[0] / median[1],
                cands[0].best / cands[1].best);
  };
  // B as int8 of zero point 0 (TFLite's int8 models) or uint8 of zero point 120 (B widened less zp').
  const bool int8_weights = filter.find("int8w") != std::string::npos;
  const auto pack_q8 = [&](size_t k, size_t n, const std::vector<uint8_t>& qb, int32_t* packed) {
    q8_gemm_pack_b_with(
        k, n, int8_weights, in.zero_point,
        [&](size_t kk, size_t j) {
          return int8_weights ? int32_t{static_cast<int8_t>(qb[kk * n + j])} : int32_t{qb[kk * n + j]};
        },
        [&](size_t) { return int8_weights ? 0 : 120; }, [](size_t j) { return static_cast<int32_t>(j * 37); },
        [&](size_t) { return mult; }, packed);
  };
  if (filter.find("dw") == std::string::npos && filter.find("gemm") == std::string::npos) {
    // MobileNetV2's first conv: 3×3 stride 2 over 224×224×3, im2col (K = 27) and GEMM in tiles as the ops do.
    Conv2dGeometry g;
    g.in_h = g.in_w = 224, g.in_c = 3, g.out_h = g.out_w = 112, g.kernel_h = g.kernel_w = 3;
    g.stride_h = g.stride_w = 2, g.pad_top = 0, g.pad_left = 0;  // TF "SAME": the padding bottom/right
    const size_t k = 27, n = 32, pixels = 112 * 112;
    auto x = std::make_shared<std::vector<float>>(random_floats(224 * 224 * 3, rng));
    std::vector<float> b = random_floats(k * n, rng), bias = random_floats(n, rng);
    auto packed = std::make_shared<std::vector<float>>(gemm_packed_b_floats(k, n));
    gemm_pack_b(k, n, b.data(), n, 1, bias.data(), packed->data());
    auto y = std::make_shared<std::vector<float>>(pixels * n);
    const size_t f_tile = (size_t{32} << 10) / k / 4 * 4;
    auto f_rows = std::make_shared<std::vector<float>>(f_tile * k);
    auto qx = std::make_shared<std::vector<uint8_t>>(bytes(224 * 224 * 3));
    auto qpacked = std::make_shared<std::vector<int32_t>>(q8_gemm_packed_words(k, n));
    pack_q8(k, n, bytes(k * n), qpacked->data());
    auto qy = std::make_shared<std::vector<uint8_t>>(pixels * n);
    const size_t kp = q8_gemm_kp(k), q_tile = (size_t{32} << 10) / (kp / 2) / 4 * 4;
    auto q_rows = std::make_shared<std::vector<int16_t>>(q_tile * kp);
    run_pair("q8 conv stem 224x224x3 3x3 s2 N=32",
             {"f32 im2col+gemm_f32",
              [=] {
                for (size_t p0 = 0; p0 < pixels; p0 += f_tile) {
                  const size_t mc = std::min(f_tile, pixels - p0);
                  im2col_nhwc(g, x->data(), 0, 3, p0, p0 + mc, f_rows->data());
                  gemm_f32(mc, n, k, f_rows->data(), k, packed->data(), y->data() + p0 * n, n, relu6);
                }
              },
              2.0 * pixels * k * n,
              {}},
             {"q8 im2col+q8_gemm",
              [=] {
                for (size_t p0 = 0; p0 < pixels; p0 += q_tile) {
                  const size_t mc = std::min(q_tile, pixels - p0);
                  q8_im2col_nhwc(g, qx->data(), in, 0, 3, p0, p0 + mc, q_rows->data(), kp);
                  q8_gemm(mc, n, k, q_rows->data(), kp, qpacked->data(), qy->data() + p0 * n, n, out);
                }
              },
              2.0 * pixels * k * n,
              {}});
  }
  if (filter.find("dw") == std::string::npos && filter.find("stem") == std::string::npos) {
    const GemmShape shapes[] = {{12544, 32, 16}, {12544, 16, 96}, {3136, 96, 24}, {3136, 24, 144}, {3136, 144, 24},
                                {784, 144, 32},  {784, 192, 32},  {196, 192, 64}, {196, 64, 384},  {196, 384, 64},
                                {196, 576, 96},  {49, 576, 160},  {49, 960, 160}, {49, 320, 1280}};
    for (const GemmShape& s : shapes) {
      char title[96];
      std::snprintf(title, sizeof title, "q8 gemm M=%zu K=%zu N=%zu", s.m, s.k, s.n);
      std::vector<float> a = random_floats(s.m * s.k, rng), b = random_floats(s.k * s.n, rng),
                         bias = random_floats(s.n, rng);
      auto c = std::make_shared<std::vector<float>>(s.m * s.n);
      auto packed = std::make_shared<std::vector<float>>(gemm_packed_b_floats(s.k, s.n));
      gemm_pack_b(s.k, s.n, b.data(), s.n, 1, bias.data(), packed->data());
      auto a_shared = std::make_shared<std::vector<float>>(std::move(a));
      auto qa = std::make_shared<std::vector<uint8_t>>(bytes(s.m * s.k));
      auto qb = bytes(s.k * s.n);
      auto qc = std::make_shared<std::vector<uint8_t>>(s.m * s.n);
      auto qpacked = std::make_shared<std::vector<int32_t>>(q8_gemm_packed_words(s.k, s.n));
      pack_q8(s.k, s.n, qb, qpacked->data());
      const size_t kp = q8_gemm_kp(s.k), tile = std::max<size_t>(4, (size_t{32} << 10) / kp / 4 * 4);
      auto rows = std::make_shared<std::vector<int16_t>>(tile * kp);
      const double flops = 2.0 * s.m * s.n * s.k;
      run_pair(title,
               {"f32 gemm_f32",
                [=] { gemm_f32(s.m, s.n, s.k, a_shared->data(), s.k, packed->data(), c->data(), s.n, relu6); },
                flops,
                {}},
               {"q8 widen+q8_gemm",
                [=] {
                  for (size_t p0 = 0; p0 < s.m; p0 += tile) {
                    const size_t mc = std::min(tile, s.m - p0);
                    q8_widen_rows(mc, s.k, qa->data() + p0 * s.k, s.k, in, rows->data(), kp);
                    q8_gemm(mc, s.n, s.k, rows->data(), kp, qpacked->data(), qc->data() + p0 * s.n, s.n, out);
                  }
                },
                flops,
                {}});
    }
  }
  if (filter.find("gemm") == std::string::npos && filter.find("stem") == std::string::npos) {
    struct Layer {
      int64_t hw, c, stride;
    };
    const Layer layers[] = {{112, 32, 1}, {112, 96, 2}, {56, 144, 1}, {56, 144, 2}, {28, 192, 1},
                            {28, 192, 2}, {14, 384, 1}, {14, 576, 1}, {14, 576, 2}, {7, 960, 1}};
    for (const Layer& l : layers) {
      char title[96];
      std::snprintf(title, sizeof title, "q8 dw 3x3 %lldx%lldx%lld s%lld", (long long)l.hw, (long long)l.hw,
                    (long long)l.c, (long long)l.stride);
      Conv2dGeometry g;
      g.in_h = g.in_w = l.hw;
      g.in_c = l.c;
      g.kernel_h = g.kernel_w = 3;
      g.stride_h = g.stride_w = l.stride;
      g.pad_top = g.pad_left = 1;
      g.out_h = g.out_w = (l.hw + 2 - 3) / l.stride + 1;
      const size_t ch = static_cast<size_t>(l.c), taps = 9;
      auto x = std::make_shared<std::vector<float>>(random_floats(static_cast<size_t>(l.hw * l.hw) * ch, rng));
      std::vector<float> w = random_floats(ch * taps, rng), bias = random_floats(ch, rng);
      auto y = std::make_shared<std::vector<float>>(static_cast<size_t>(g.out_h * g.out_w) * ch);
      auto packed = std::make_shared<std::vector<float>>(dwconv_packed_floats(ch, taps));
      dwconv_pack_with(
          ch, taps, [&](size_t c, size_t t) { return w[c * taps + t]; }, bias.data(), packed->data());
      auto qx = std::make_shared<std::vector<uint8_t>>(bytes(x->size()));
      auto qw = bytes(ch * taps);
      auto qy = std::make_shared<std::vector<uint8_t>>(y->size());
      auto qpacked = std::make_shared<std::vector<int32_t>>(q8_dwconv_packed_words(ch, taps));
      q8_dwconv_pack_with(
          ch, taps, [&](size_t c, size_t t) { return int32_t{qw[c * taps + t]} - 120; },
          [](size_t c) { return static_cast<int32_t>(c * 11); }, [&](size_t) { return mult; }, qpacked->data());
      auto zero_row = std::make_shared<std::vector<uint8_t>>(ch, static_cast<uint8_t>(in.zero_point));
      const double flops = 2.0 * g.out_h * g.out_w * l.c * 9;
      run_pair(
          title,
          {"f32 dwconv_nhwc",
           [=] { dwconv_nhwc_f32x4(g, x->data(), packed->data(), y->data(), 0, g.out_h, relu6); },
           flops,
           {}},
          {"q8 dwconv_nhwc",
           [=] { q8_dwconv_nhwc(g, qx->data(), in, qpacked->data(), zero_row->data(), qy->data(), out, 0, g.out_h); },
           flops,
           {}});
    }
  }
  std::printf("sum of medians: f32 %.3f ms, q8 %.3f ms, q8 speed-up %.2fx\n", f32_total, q8_total,
              f32_total / q8_total);
  std::printf("sum of best calls: f32 %.3f ms, q8 %.3f ms, q8 speed-up %.2fx\n", f32_best, q8_best, f32_best / q8_best);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string filter = argc > 1 ? argv[1] : "";
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 7;
  std::printf("backend %s\n", simd::kBackend);
  if (filter.rfind("q8", 0) == 0) {  // "q8", "q8 gemm", "q8 dw"
    bench_q8(filter, rounds);
    return 0;
  }
  if (filter == "" || filter.find("gemm") != std::string::npos || filter.find("M=") != std::string::npos)
    bench_gemm(filter, rounds);
  if (filter == "" || filter.find("dw") != std::string::npos) bench_dwconv(filter, rounds);
  return 0;
}
