// The depthwise row kernels (kernels/dwconv.h, dwconv_nhwc_f32x4) against their naive reference, and the
// reference against hand-computed numbers.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "kernels/dwconv.h"

using namespace webcnn;
using kernels::Conv2dGeometry;

namespace {

std::vector<float> random_floats(size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
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
      a.min = 0;
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

std::vector<float> pack(const Conv2dGeometry& g, const std::vector<float>& w, const float* bias) {
  const size_t ch = static_cast<size_t>(g.in_c), taps = static_cast<size_t>(g.kernel_h * g.kernel_w);
  std::vector<float> packed(kernels::dwconv_packed_floats(ch, taps));
  kernels::dwconv_pack_with(
      ch, taps, [&](size_t c, size_t t) { return w[c * taps + t]; }, bias, packed.data());
  return packed;
}

}  // namespace

TEST_CASE("reference depthwise conv matches hand-computed values") {
  // One channel, 3×3 input 1..9, 3×3 filter of ones except the centre 2, pad 1, bias 0.5:
  // centre = 1+2+3+4+2·5+6+7+8+9 + 0.5 = 50.5; corner (0,0) sees 1 (under the centre tap), 2, 4, 5:
  // 2·1+2+4+5 + 0.5 = 13.5.
  Conv2dGeometry g;
  g.in_h = g.in_w = 3;
  g.in_c = 1;
  g.out_h = g.out_w = 3;
  g.kernel_h = g.kernel_w = 3;
  g.pad_top = g.pad_left = 1;
  const float x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[] = {1, 1, 1, 1, 2, 1, 1, 1, 1}, bias[] = {0.5f};
  float y[9];
  kernels::reference::dwconv_nhwc(g, x, w, bias, y, FusedActivation{});
  CHECK(y[4] == 50.5f);
  CHECK(y[0] == 13.5f);
  // Relu6-style clip on the same input.
  FusedActivation clip;
  clip.kind = FusedActivation::Kind::kClip;
  clip.min = 0;
  clip.max = 20;
  kernels::reference::dwconv_nhwc(g, x, w, bias, y, clip);
  CHECK(y[4] == 20.0f);
  CHECK(y[0] == 13.5f);
}

TEST_CASE("dwconv_nhwc_f32x4 matches the reference over kernel sizes, strides, dilations, padding and activations") {
  std::mt19937 rng(99);
  struct Case {
    int64_t batch, c, h, w, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  };
  const Case cases[] = {
      {1, 8, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},     // 3×3 same, C a multiple of 4
      {2, 13, 7, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},   // batch 2, channel tail
      {1, 5, 11, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},    // stride 2
      {1, 7, 8, 9, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1},     // stride 2, TF-style bottom/right padding
      {1, 4, 12, 12, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2},   // 5×5 same (border pixels pass 16 taps: two passes)
      {1, 17, 13, 11, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2},  // 5×5 stride 2
      {1, 6, 10, 10, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},   // dilation 2
      {1, 3, 9, 12, 5, 5, 1, 2, 2, 1, 4, 2, 3, 1},    // 5×5, mixed stride/dilation, asymmetric padding
      {1, 9, 6, 7, 3, 3, 3, 1, 1, 1, 0, 0, 0, 0},     // no padding
      {1, 4, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},     // 3×3 input: no interior row at all but the middle
      {1, 2, 2, 2, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2},     // filter larger than the image: all border
      {1, 5, 8, 6, 2, 3, 1, 1, 1, 1, 1, 1, 0, 1},     // 2×3: generic path everywhere
      {1, 3, 9, 9, 7, 7, 1, 1, 1, 1, 3, 3, 3, 3},     // 7×7: 49 taps, four passes
      {1, 1, 5, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},     // 1×1
  };
  int index = 0;
  for (const Case& k : cases)
    for (int act_kind = 0; act_kind < 8; act_kind += (index % 3) + 1) {
      ++index;
      Conv2dGeometry g;
      g.batch = k.batch;
      g.in_c = k.c;
      g.in_h = k.h;
      g.in_w = k.w;
      g.kernel_h = k.kh;
      g.kernel_w = k.kw;
      g.stride_h = k.sh;
      g.stride_w = k.sw;
      g.dilation_h = k.dh;
      g.dilation_w = k.dw;
      g.pad_top = k.pt;
      g.pad_left = k.pl;
      g.out_h = (k.h + k.pt + k.pb - (k.kh - 1) * k.dh - 1) / k.sh + 1;
      g.out_w = (k.w + k.pl + k.pr - (k.kw - 1) * k.dw - 1) / k.sw + 1;
      const size_t taps = static_cast<size_t>(k.kh * k.kw);
      const bool with_bias = index % 4 != 0;
      std::vector<float> x = random_floats(static_cast<size_t>(k.batch * k.h * k.w * k.c), rng),
                         w = random_floats(static_cast<size_t>(k.c) * taps, rng),
                         bias = random_floats(static_cast<size_t>(k.c), rng);
      const FusedActivation act = make_activation(act_kind);
      const size_t out_floats = static_cast<size_t>(g.batch * g.out_h * g.out_w * k.c);
      std::vector<float> want(out_floats), got(out_floats, 123.0f);
      kernels::reference::dwconv_nhwc(g, x.data(), w.data(), with_bias ? bias.data() : nullptr, want.data(), act);
      const std::vector<float> packed = pack(g, w, with_bias ? bias.data() : nullptr);
      // Rows in two calls, as a threaded caller would split them.
      const int64_t rows = g.batch * g.out_h, split = rows / 2;
      kernels::dwconv_nhwc_f32x4(g, x.data(), packed.data(), got.data(), 0, split, act);
      kernels::dwconv_nhwc_f32x4(g, x.data(), packed.data(), got.data(), split, rows, act);
      CAPTURE(index);
      CAPTURE(act_kind);
      // Tolerance: float32 sum of `taps` products of values in [-1, 1] vs a double reference.
      const float tol = 1e-5f * static_cast<float>(taps) + 1e-5f;
      for (size_t i = 0; i < out_floats; ++i)
        if (!(std::fabs(got[i] - want[i]) <= tol)) {
          FAIL_CHECK("element " << i << ": got " << got[i] << ", want " << want[i]);
          break;
        }
    }
}

TEST_CASE("dwconv_nhwc_f32x4 writes only the requested rows and keeps NaN") {
  Conv2dGeometry g;
  g.in_h = g.in_w = 4;
  g.in_c = 5;
  g.out_h = g.out_w = 4;
  g.kernel_h = g.kernel_w = 3;
  g.pad_top = g.pad_left = 1;
  std::vector<float> x(4 * 4 * 5, 1.0f), w(5 * 9, 1.0f);
  x[(1 * 4 + 1) * 5 + 4] = NAN;  // channel 4 of pixel (1, 1): reaches output rows 0..2 of that channel
  const std::vector<float> packed = pack(g, w, nullptr);
  std::vector<float> y(4 * 4 * 5, -7.0f);
  kernels::dwconv_nhwc_f32x4(g, x.data(), packed.data(), y.data(), 1, 3, FusedActivation{});
  for (size_t i = 0; i < 4 * 5; ++i) CHECK(y[i] == -7.0f);             // row 0 untouched
  for (size_t i = 3 * 4 * 5; i < y.size(); ++i) CHECK(y[i] == -7.0f);  // row 3 untouched
  CHECK(std::isnan(y[(1 * 4 + 1) * 5 + 4]));
  CHECK(std::isnan(y[(2 * 4 + 0) * 5 + 4]));
  CHECK(y[(1 * 4 + 1) * 5 + 3] == 9.0f);  // interior pixel, all-ones: 9 taps
  CHECK(y[(1 * 4 + 0) * 5 + 0] == 6.0f);  // left border: 6 taps inside
}

TEST_CASE("dwconv_nhwc_f32x4 sums the taps from zero and adds the bias last, as TF.js does") {
  // TF.js computes a depthwise convolution, then its BiasAdd. With products of 1 and a bias of 2^24 (float
  // spacing 2 there), that order keeps every product: bias + taps. Starting the sum from the bias instead
  // loses each +1 to rounding (2^24 + 1 rounds back to 2^24), the way a large batch-norm bias blurred the
  // blazepose segmentation heads. 3×3 (interior row kernel and border pixels) and 5×5 (border pixels in
  // two passes of at most 16 taps), 5 channels (a vector and a tail).
  const float kBias = 16777216.0f;
  for (int64_t k : {3, 5}) {
    CAPTURE(k);
    Conv2dGeometry g;
    g.in_h = g.in_w = g.out_h = g.out_w = 6;
    g.in_c = 5;
    g.kernel_h = g.kernel_w = k;
    g.pad_top = g.pad_left = k / 2;
    const size_t ch = 5, taps = static_cast<size_t>(k * k);
    const std::vector<float> x(36 * ch, 1.0f), w(ch * taps, 1.0f), bias(ch, kBias);
    const std::vector<float> packed = pack(g, w, bias.data());
    std::vector<float> got(36 * ch);
    kernels::dwconv_nhwc_f32x4(g, x.data(), packed.data(), got.data(), 0, 6, FusedActivation{});
    for (int64_t oy = 0; oy < 6; ++oy)
      for (int64_t ox = 0; ox < 6; ++ox) {
        const auto inside = [&](int64_t o) {
          return std::min<int64_t>(o + k / 2, 5) - std::max<int64_t>(o - k / 2, 0) + 1;
        };
        const float sum = static_cast<float>(inside(oy) * inside(ox));  // taps inside the image
        const float want = sum + kBias;
        REQUIRE(want != kBias);  // the two orders differ here
        for (size_t c = 0; c < ch; ++c) {
          CAPTURE(oy);
          CAPTURE(ox);
          CAPTURE(c);
          CHECK(static_cast<int64_t>(got[static_cast<size_t>(oy * 6 + ox) * ch + c]) == static_cast<int64_t>(want));
        }
      }
  }
}
