// The 8-bit kernels (kernels/q8_gemm.h, q8_im2col.h, q8_dwconv.h) against their naive references
// (XNNPACK's integer formula with requantize_fp32()), on the active kernel table: SSE2, AVX2 and scalar
// natively, SIMD128 in wasm (requantisation is vectorised and must match requantize_fp32() bit for bit).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/q8_dwconv.h"
#include "kernels/q8_gemm.h"
#include "kernels/q8_im2col.h"
#include "kernels/requantize_fp32.h"

using namespace webcnn;
using kernels::Conv2dGeometry;
using kernels::Q8Input;
using kernels::Q8Output;

namespace {

// 8-bit values of a type: uniform over the type's range.
std::vector<uint8_t> random_bytes(size_t n, std::mt19937& rng) {
  std::uniform_int_distribution<int> d(0, 255);
  std::vector<uint8_t> v(n);
  for (uint8_t& x : v) x = static_cast<uint8_t>(d(rng));
  return v;
}

int32_t type_min(bool is_signed) { return is_signed ? -128 : 0; }
int32_t type_max(bool is_signed) { return is_signed ? 127 : 255; }

// A zero point of the type: either extreme, or anywhere in between.
int32_t random_zero_point(bool is_signed, std::mt19937& rng) {
  const int pick = std::uniform_int_distribution<int>(0, 3)(rng);
  if (pick == 0) return type_min(is_signed);
  if (pick == 1) return type_max(is_signed);
  return std::uniform_int_distribution<int>(type_min(is_signed), type_max(is_signed))(rng);
}

// Per-channel scales s_x · s_w[c] / s_y for weight scales spanning 1e-6..1e2 (log-uniform), with a
// y scale that puts typical accumulators (~ sqrt(k) · 128 · 128) near the middle of the output range, so
// some channels saturate, some round to the zero point and most land inside.
std::vector<float> random_scales(size_t n, size_t k, std::mt19937& rng) {
  std::uniform_real_distribution<double> exponent(-6.0, 2.0);
  const double typical_acc = std::sqrt(static_cast<double>(k)) * 128.0 * 128.0 / 4.0;
  const float x_scale = 0.05f, y_scale = static_cast<float>(x_scale * 1e-2 * typical_acc / 64.0);
  std::vector<float> m(n);
  for (size_t c = 0; c < n; ++c)
    m[c] = kernels::requantization_scale(x_scale, static_cast<float>(std::pow(10.0, exponent(rng))), y_scale);
  return m;
}

// The output clamp: the whole type, or a fused Relu/Clip range inside it.
Q8Output random_output(bool is_signed, std::mt19937& rng) {
  Q8Output out;
  out.is_signed = is_signed;
  out.zero_point = random_zero_point(is_signed, rng);
  out.qmin = type_min(is_signed);
  out.qmax = type_max(is_signed);
  if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {  // Relu6-like: [zp, zp + 100] within the type
    out.qmin = out.zero_point;
    out.qmax = std::min(type_max(is_signed), out.zero_point + 100);
  }
  return out;
}

struct Coverage {
  size_t low = 0, high = 0, inside = 0;
  void count(const std::vector<uint8_t>& y, const Q8Output& out) {
    for (uint8_t b : y) {
      const int32_t v = out.is_signed ? int32_t{static_cast<int8_t>(b)} : int32_t{b};
      if (v == out.qmin) ++low;
      else if (v == out.qmax) ++high;
      else ++inside;
    }
  }
};

// The first differing element, or -1.
long first_difference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return static_cast<long>(i);
  return -1;
}

std::vector<int32_t> pack_gemm(size_t k, size_t n, const std::vector<uint8_t>& b, bool b_signed,
                               const std::vector<int32_t>& b_zp, const std::vector<int32_t>& bias,
                               const std::vector<float>& scale, int32_t a_zp) {
  std::vector<int32_t> packed(kernels::q8_gemm_packed_words(k, n));
  auto value = [&](size_t i) { return b_signed ? int32_t{static_cast<int8_t>(b[i])} : int32_t{b[i]}; };
  kernels::q8_gemm_pack_b_with(
      k, n, b_signed, a_zp, [&](size_t kk, size_t j) { return value(kk * n + j); }, [&](size_t j) { return b_zp[j]; },
      [&](size_t j) { return bias.empty() ? 0 : bias[j]; }, [&](size_t j) { return scale[j]; }, packed.data());
  return packed;
}

}  // namespace

TEST_CASE("requantize_fp32 rounds the float32 product half to even, then adds the zero point and clamps") {
  using kernels::requantize_fp32;
  // Ties: TFLite's fixed-point rule rounds them away from zero (3, −3, 2, −2), XNNPACK's to even.
  CHECK(requantize_fp32(5, 0.5f, 0, -128, 127) == 2);
  CHECK(requantize_fp32(-5, 0.5f, 0, -128, 127) == -2);
  CHECK(requantize_fp32(3, 0.5f, 0, -128, 127) == 2);
  CHECK(requantize_fp32(-3, 0.5f, 0, -128, 127) == -2);
  CHECK(requantize_fp32(7, 0.5f, 10, 0, 255) == 14);   // 3.5 → 4
  CHECK(requantize_fp32(-1, 0.5f, 10, 0, 255) == 10);  // −0.5 → −0 → the zero point
  // The product rounds to float32 first: 3930 · 0x1.81a0e6p-6 = 92.5000026 exactly, 92.5 in float32, → 92
  // (one rounding of the exact product, as TFLite's reference kernels do, gives 93).
  float s;
  const uint32_t bits = 0x3cc0d073u;
  std::memcpy(&s, &bits, sizeof s);
  CHECK(requantize_fp32(3930, s, 0, -128, 127) == 92);
  CHECK(requantize_fp32(-3930, s, 0, -128, 127) == -92);
  CHECK(requantize_fp32(3930, s, -128, -128, 127) == -36);
  // Zero points at the extremes and saturation: 509 · 0.5 = 254.5 → 254, − 128 → 126 (the old rule: 127).
  CHECK(requantize_fp32(509, 0.5f, -128, -128, 127) == 126);
  CHECK(requantize_fp32(511, 0.5f, -128, -128, 127) == 127);
  CHECK(requantize_fp32(-1, 1.0f, -128, -128, 127) == -128);
  CHECK(requantize_fp32(-511, 0.5f, 255, 0, 255) == 0);
  CHECK(requantize_fp32(2147483647, 100.0f, 0, 0, 255) == 255);
  CHECK(requantize_fp32(-2147483647 - 1, 100.0f, 0, -128, 127) == -128);
  CHECK(requantize_fp32(2147483647, 1e-6f, 3, 0, 255) == 255);  // 2147.48 + 3 saturates
  CHECK(requantize_fp32(1000000, 1e-6f, 3, 0, 255) == 4);       // 1.0 + 3
  // A fused Relu6-like range narrows the clamp.
  CHECK(requantize_fp32(1000, 0.5f, 5, 5, 105) == 105);
  CHECK(requantize_fp32(-1000, 0.5f, 5, 5, 105) == 5);
  // The scale in float32, left to right, capped so that hostile scales stay finite.
  CHECK(kernels::requantization_scale(0.5f, 0.25f, 2.0f) == 0.0625f);
  CHECK(kernels::requantization_scale(1e30f, 1e30f, 1e-30f) == kernels::kMaxRequantizationScale);
  CHECK(requantize_fp32(0, kernels::requantization_scale(1e30f, 1e30f, 1e-30f), 7, 0, 255) == 7);
}

TEST_CASE("q8 reference gemm matches a hand-computed product") {
  // A uint8 [1 2; 3 4] zp 1 → [0 1; 2 3]; B int8 [5 6; 7 8] zp (1, 2) → [4 4; 6 6]; bias (10, −100);
  // acc = [[16, −94], [36, −74]]; scale 0.5 → [[8, −47], [18, −37]]; + zp 3, uint8 clamp → [11 0; 21 0].
  const uint8_t a[] = {1, 2, 3, 4};
  const int8_t b[] = {5, 6, 7, 8};
  const int32_t b_zp[] = {1, 2}, bias[] = {10, -100};
  const float scale[] = {0.5f, 0.5f};
  Q8Input in;
  in.zero_point = 1;
  Q8Output out;
  out.zero_point = 3;
  uint8_t c[4];
  kernels::reference::q8_gemm(2, 2, 2, a, 2, in, b, 2, true, b_zp, bias, scale, c, 2, out);
  CHECK(int{c[0]} == 11);
  CHECK(int{c[1]} == 0);
  CHECK(int{c[2]} == 21);
  CHECK(int{c[3]} == 0);
}

TEST_CASE("q8 gemm matches the reference: uint8/int8 operands, extreme zero points, per-channel scales, odd sizes") {
  std::mt19937 rng(81);
  // {M, N, K}. Loop orders of q8_gemm (q8_gemm_driver.cc): row groups over all panels when B is small (the
  // 112×112 layers: {37, 96, 16}, {50, 32, 27}, {23, 16, 32}; int8 B without zero points up to 4096 panel
  // pairs and K ≤ 2048: {9, 72, 200}, {5, 9, 1101}); panels over row blocks otherwise ({6, 200, 330}: past 4096
  // panel pairs, {3, 8, 2100}: K > 2048; B with zero points past 512 panel pairs: {9, 72, 200}, {11, 40, 201},
  // and K > 1024, where it is not widened per row block: {5, 9, 1101}, {3, 8, 2100}).
  const size_t sizes[][3] = {{1, 1, 1},    {3, 5, 7},    {4, 8, 16},   {5, 9, 17},    {13, 24, 27},  {7, 33, 96},
                             {17, 8, 144}, {33, 40, 3},  {6, 1000, 5}, {2, 17, 1},    {5, 9, 1101},  {37, 96, 16},
                             {50, 32, 27}, {23, 16, 32}, {9, 72, 200}, {11, 40, 201}, {6, 200, 330}, {3, 8, 2100}};
  Coverage coverage;
  // zp_modes: 0 random per column (either extreme or between), 1 every column B's type middle (int8 0,
  // uint8 128: the packed zp' is 0 and the kernel skips the subtraction), 2 every column the extreme
  // (int8 −128, uint8 255).
  for (int types = 0; types < 24; ++types) {
    const bool a_signed = types & 1, b_signed = types & 2, c_signed = types & 4;
    const int zp_mode = types / 8;
    for (const auto& s : sizes) {
      const size_t m = s[0], n = s[1], k = s[2];
      CAPTURE(zp_mode);
      CAPTURE(a_signed);
      CAPTURE(b_signed);
      CAPTURE(c_signed);
      CAPTURE(m);
      CAPTURE(n);
      CAPTURE(k);
      const size_t a_stride = k + (m % 3);  // a row stride wider than k sometimes
      const std::vector<uint8_t> a = random_bytes(m * a_stride, rng), b = random_bytes(k * n, rng);
      Q8Input in;
      in.is_signed = a_signed;
      in.zero_point = random_zero_point(a_signed, rng);
      std::vector<int32_t> b_zp(n), bias;
      for (int32_t& z : b_zp)
        z = zp_mode == 0   ? random_zero_point(b_signed, rng)
            : zp_mode == 1 ? (b_signed ? 0 : 128)
                           : (b_signed ? -128 : 255);
      if (n % 2 == 1) {
        bias.resize(n);
        for (int32_t& x : bias) x = std::uniform_int_distribution<int32_t>(-200000, 200000)(rng);
      }
      const std::vector<float> scale = random_scales(n, k, rng);
      const Q8Output out = random_output(c_signed, rng);
      const size_t c_stride = n + 3;
      std::vector<uint8_t> want(m * c_stride, 0xA5), got(m * c_stride, 0xA5);
      kernels::reference::q8_gemm(m, n, k, a.data(), a_stride, in, b.data(), n, b_signed, b_zp.data(),
                                  bias.empty() ? nullptr : bias.data(), scale.data(), want.data(), c_stride, out);
      const std::vector<int32_t> packed = pack_gemm(k, n, b, b_signed, b_zp, bias, scale, in.zero_point);
      for (size_t kk = 0; kk < k; ++kk)  // the packed weights give B − b_zp back
        for (size_t j = 0; j < n; ++j) {
          const int32_t v = b_signed ? int32_t{static_cast<int8_t>(b[kk * n + j])} : int32_t{b[kk * n + j]};
          if (kernels::q8_gemm_packed_b_at(k, packed.data(), kk, j) != v - b_zp[j]) {
            FAIL_CHECK("packed B (" << kk << ", " << j << ")");
            kk = k;
            break;
          }
        }
      const size_t kp = kernels::q8_gemm_kp(k);
      std::vector<int16_t> rows(m * (kp + 2), 0x7777);
      kernels::q8_widen_rows(m, k, a.data(), a_stride, in, rows.data(), kp + 2);
      kernels::q8_gemm(m, n, k, rows.data(), kp + 2, packed.data(), got.data(), c_stride, out);
      const long diff = first_difference(got, want);
      CHECK_MESSAGE(diff < 0, "element " << diff << ": got " << int{got[diff < 0 ? 0 : diff]} << ", want "
                                         << int{want[diff < 0 ? 0 : diff]});
      coverage.count(want, out);
    }
  }
  // The cases reach both saturation ends and the inside of the range (scales spanning 8 decades saturate
  // often, but not everywhere).
  CHECK(coverage.low > 100);
  CHECK(coverage.high > 100);
  CHECK(coverage.inside * 5 > coverage.low + coverage.high + coverage.inside);  // ≥ 20 % unclamped
}

TEST_CASE("q8 gemm requantises like requantize_fp32() for any scale: one accumulator per scale") {
  // K = 1, A = 1 (zp 0), B = acc as is impossible in 8 bits, so the accumulator comes from the bias:
  // B − zp = 0 everywhere and bias = the accumulator under test.
  std::mt19937 rng(5);
  const size_t n = 64, m = 1, k = 2;
  std::vector<int32_t> acc_values = {
      0, 1, -1, 2, -2, 3, -3, 5, -5, 3930, -3930, (1 << 24) + 3, (1 << 30), -(1 << 30), 2147483647, -2147483647 - 1};
  for (int i = 0; i < 200; ++i) acc_values.push_back(static_cast<int32_t>(rng()));
  for (int i = 0; i < 200; ++i) acc_values.push_back(static_cast<int32_t>(rng() % 20001) - 10000);
  // Scales from 2^-34 to 2^12 (log-uniform), ties (0.5, 0.25), the float32 tie case of the doctest above.
  std::uniform_real_distribution<double> exponent(-34.0, 12.0);
  float tie_scale;
  const uint32_t tie_bits = 0x3cc0d073u;
  std::memcpy(&tie_scale, &tie_bits, sizeof tie_scale);
  for (bool is_signed : {false, true}) {
    for (size_t round = 0; round < acc_values.size(); ++round) {
      const int32_t acc = acc_values[round];
      std::vector<float> scale(n);
      for (size_t j = 0; j < n; ++j) scale[j] = static_cast<float>(std::pow(2.0, exponent(rng)));
      scale[0] = 0.5f, scale[1] = 0.25f, scale[2] = tie_scale, scale[3] = 1.0f, scale[9] = 0.5f, scale[63] = 0.125f;
      std::vector<int32_t> packed(kernels::q8_gemm_packed_words(k, n));
      kernels::q8_gemm_pack_b_with(
          k, n, true, 0, [](size_t, size_t) { return 0; }, [](size_t) { return 0; }, [&](size_t) { return acc; },
          [&](size_t j) { return scale[j]; }, packed.data());
      Q8Output out;
      out.is_signed = is_signed;
      out.zero_point =
          round % 3 == 0 ? type_min(is_signed) : (round % 3 == 1 ? type_max(is_signed) : (is_signed ? -3 : 7));
      out.qmin = type_min(is_signed);
      out.qmax = type_max(is_signed);
      std::vector<int16_t> rows(k, 1);
      std::vector<uint8_t> got(n);
      kernels::q8_gemm(m, n, k, rows.data(), k, packed.data(), got.data(), n, out);
      for (size_t j = 0; j < n; ++j) {
        const int32_t want = kernels::requantize_fp32(acc, scale[j], out.zero_point, out.qmin, out.qmax);
        const int32_t g = is_signed ? int32_t{static_cast<int8_t>(got[j])} : int32_t{got[j]};
        if (g != want) {
          FAIL_CHECK("acc " << acc << ", scale " << scale[j] << ", zero point " << out.zero_point << ": got " << g
                            << ", want " << want);
          return;
        }
      }
    }
  }
}

TEST_CASE("q8 im2col writes x under each tap, the zero point in the padding and 0 for the odd pad") {
  std::mt19937 rng(3);
  struct Case {
    int64_t in_h, in_w, in_c, kernel, stride_h, stride_w, dilation_w, pad_top, pad_left, out_h, out_w, c0, channels, p0;
  };
  const Case cases[] = {
      // A channel slice, dilated columns: tap by tap. K = 27 (odd).
      {5, 6, 5, 3, 2, 1, 2, 1, 2, 3, 6, 1, 3, 4},
      // A 3-channel stem, 3×3 stride 2, padded on every side: each filter row one run of 9 values (two
      // overlapping vectors), shorter runs at the borders. K = 27.
      {9, 10, 3, 3, 2, 2, 1, 1, 1, 5, 6, 0, 3, 7},
      // TF "SAME" stride 2 on an even size: padding only bottom/right.
      {8, 8, 3, 3, 2, 2, 1, 0, 0, 4, 4, 0, 3, 0},
      // Runs of 8·3 = 24 and 8·2 = 16 values; K = 72 (even, no pad).
      {6, 7, 8, 3, 1, 1, 1, 1, 1, 6, 7, 0, 8, 0},
      // 5 channels × 3 taps = 15-value runs; K = 45; a 5×5 kernel row is cut by the left and right padding.
      {4, 4, 5, 5, 1, 2, 1, 2, 2, 4, 2, 0, 5, 1},
  };
  for (const Case& t : cases)
    for (bool is_signed : {false, true}) {
      Conv2dGeometry g;
      g.batch = 2, g.in_h = t.in_h, g.in_w = t.in_w, g.in_c = t.in_c;
      g.kernel_h = t.kernel, g.kernel_w = t.kernel, g.stride_h = t.stride_h, g.stride_w = t.stride_w;
      g.dilation_h = 1, g.dilation_w = t.dilation_w;
      g.pad_top = t.pad_top, g.pad_left = t.pad_left;
      g.out_h = t.out_h, g.out_w = t.out_w;
      CAPTURE(t.in_c);
      CAPTURE(t.kernel);
      CAPTURE(is_signed);
      const std::vector<uint8_t> x = random_bytes(static_cast<size_t>(g.batch * g.in_h * g.in_w * g.in_c), rng);
      Q8Input in;
      in.is_signed = is_signed;
      in.zero_point = is_signed ? -128 : 255;
      const int64_t c0 = t.c0, channels = t.channels;
      const size_t k = static_cast<size_t>(g.kernel_h * g.kernel_w * channels), stride = k + 1 + k % 2;
      const int64_t p0 = t.p0, p1 = g.batch * g.out_h * g.out_w;
      std::vector<int16_t> rows(static_cast<size_t>(p1 - p0) * stride, 0x5555);
      kernels::q8_im2col_nhwc(g, x.data(), in, c0, channels, p0, p1, rows.data(), stride);
      bool ok = true;
      for (int64_t p = p0; p < p1 && ok; ++p) {
        const int64_t ox = p % g.out_w, oy = (p / g.out_w) % g.out_h, n = p / (g.out_w * g.out_h);
        size_t i = 0;
        for (int64_t ky = 0; ky < g.kernel_h; ++ky)
          for (int64_t kx = 0; kx < g.kernel_w; ++kx)
            for (int64_t c = c0; c < c0 + channels; ++c, ++i) {
              const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
              const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
              int32_t want = in.zero_point;
              if (iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w) {
                const uint8_t b = x[static_cast<size_t>(((n * g.in_h + iy) * g.in_w + ix) * g.in_c + c)];
                want = is_signed ? int32_t{static_cast<int8_t>(b)} : int32_t{b};
              }
              if (rows[static_cast<size_t>(p - p0) * stride + i] != want) ok = false;
            }
        if (k % 2 == 1 && rows[static_cast<size_t>(p - p0) * stride + k] != 0) ok = false;
        for (size_t i = k + k % 2; i < stride; ++i)  // nothing written past the row
          if (rows[static_cast<size_t>(p - p0) * stride + i] != 0x5555) ok = false;
      }
      CHECK(ok);
    }
}

TEST_CASE("q8 depthwise conv matches the reference over kernel sizes, strides, dilations, padding and types") {
  std::mt19937 rng(18);
  struct Case {
    int64_t h, w, c, kh, kw, stride, dilation, pad;
  };
  const Case cases[] = {{7, 9, 8, 3, 3, 1, 1, 1},
                        {8, 8, 13, 3, 3, 2, 1, 1},
                        {6, 5, 24, 5, 5, 1, 1, 2},
                        {9, 7, 3, 3, 3, 1, 2, 2},
                        {5, 6, 17, 1, 1, 1, 1, 0},
                        {4, 4, 32, 3, 3, 2, 1, 0},
                        {3, 3, 9, 3, 3, 1, 1, 3},
                        {10, 3, 16, 2, 4, 3, 1, 1},
                        {1, 1, 40, 3, 3, 1, 1, 1},
                        // 3×3 rows long enough for runs of interior pixels (q8_dwconv_nhwc's row path), with and
                        // without partial channel blocks, padded rows, stride 2 and dilation 2.
                        {5, 19, 16, 3, 3, 1, 1, 1},
                        {6, 21, 24, 3, 3, 2, 1, 1},
                        {4, 17, 11, 3, 3, 1, 2, 2},
                        {4, 16, 8, 3, 3, 2, 1, 0}};
  Coverage coverage;
  for (int types = 0; types < 8; ++types) {
    const bool x_signed = types & 1, w_signed = types & 2, y_signed = types & 4;
    for (const Case& cs : cases) {
      CAPTURE(types);
      CAPTURE(cs.c);
      CAPTURE(cs.kh);
      CAPTURE(cs.stride);
      Conv2dGeometry g;
      g.batch = 2, g.in_h = cs.h, g.in_w = cs.w, g.in_c = cs.c;
      g.kernel_h = cs.kh, g.kernel_w = cs.kw, g.stride_h = cs.stride, g.stride_w = cs.stride;
      g.dilation_h = cs.dilation, g.dilation_w = cs.dilation, g.pad_top = cs.pad, g.pad_left = cs.pad;
      g.out_h = (cs.h + 2 * cs.pad - (cs.kh - 1) * cs.dilation - 1) / cs.stride + 1;
      g.out_w = (cs.w + 2 * cs.pad - (cs.kw - 1) * cs.dilation - 1) / cs.stride + 1;
      const size_t ch = static_cast<size_t>(cs.c), taps = static_cast<size_t>(cs.kh * cs.kw);
      const std::vector<uint8_t> x = random_bytes(static_cast<size_t>(g.batch * g.in_h * g.in_w) * ch, rng);
      const std::vector<uint8_t> w = random_bytes(ch * taps, rng);
      Q8Input in;
      in.is_signed = x_signed;
      in.zero_point = random_zero_point(x_signed, rng);
      std::vector<int32_t> w_zp(ch), bias(ch);
      for (int32_t& z : w_zp) z = random_zero_point(w_signed, rng);
      for (int32_t& b : bias) b = std::uniform_int_distribution<int32_t>(-50000, 50000)(rng);
      const std::vector<float> scale = random_scales(ch, taps, rng);
      const Q8Output out = random_output(y_signed, rng);
      const size_t out_size = static_cast<size_t>(g.batch * g.out_h * g.out_w) * ch;
      std::vector<uint8_t> want(out_size), got(out_size, 0xA5);
      kernels::reference::q8_dwconv_nhwc(g, x.data(), in, w.data(), w_signed, w_zp.data(), bias.data(), scale.data(),
                                         want.data(), out);
      std::vector<int32_t> packed(kernels::q8_dwconv_packed_words(ch, taps));
      auto wv = [&](size_t i) { return w_signed ? int32_t{static_cast<int8_t>(w[i])} : int32_t{w[i]}; };
      kernels::q8_dwconv_pack_with(
          ch, taps, [&](size_t c, size_t t) { return wv(c * taps + t) - w_zp[c]; }, [&](size_t c) { return bias[c]; },
          [&](size_t c) { return scale[c]; }, packed.data());
      std::vector<uint8_t> zero_row(ch, static_cast<uint8_t>(in.zero_point));
      // Two calls over row ranges, as threads split them.
      const int64_t rows = g.batch * g.out_h, split = rows / 3;
      kernels::q8_dwconv_nhwc(g, x.data(), in, packed.data(), zero_row.data(), got.data(), out, 0, split);
      kernels::q8_dwconv_nhwc(g, x.data(), in, packed.data(), zero_row.data(), got.data(), out, split, rows);
      const long diff = first_difference(got, want);
      CHECK_MESSAGE(diff < 0, "element " << diff << ": got " << int{got[diff < 0 ? 0 : diff]} << ", want "
                                         << int{want[diff < 0 ? 0 : diff]});
      coverage.count(want, out);
    }
  }
  CHECK(coverage.low > 100);
  CHECK(coverage.high > 100);
  CHECK(coverage.inside * 5 > coverage.low + coverage.high + coverage.inside);  // ≥ 20 % unclamped
}
