// QLinearConv, QGemm and QLinearMatMul through the registry (create → prepare → run, as the planner drives
// them) against XNNPACK's integer formula written out naively here: y = clamp(zp_y + round_half_even(
// float(bias[o] + Σ (x − zp_x)(w − zp_w[o])) · s)) with s = s_x·s_w[o]/s_y in float32, padding contributing 0.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernels/requantize_fp32.h"
#include "ops/kernel.h"
#include "support/q8_tensors.h"
#include "support/single_node.h"

using namespace webcnn;
using namespace webcnn::single_node;
using namespace webcnn::q8_tensors;

namespace {

int32_t tmin(DataType t) { return t == DataType::kInt8 ? -128 : 0; }
int32_t tmax(DataType t) { return t == DataType::kInt8 ? 127 : 255; }

struct ConvCase {
  int64_t n, h, w, c, o, kh, kw, group, stride, dilation, pad;
};

// The naive QLinearConv over NHWC x, OIHW w.
std::vector<int32_t> reference_conv(const ConvCase& k, const Tensor& x, int32_t zx, const Tensor& w,
                                    const std::vector<int32_t>& zw, const std::vector<int32_t>& bias,
                                    const std::vector<float>& scale, int32_t zy, int32_t lo, int32_t hi, int64_t oh,
                                    int64_t ow) {
  std::vector<int32_t> y;
  const int64_t cg = k.c / k.group, og = k.o / k.group;
  for (int64_t n = 0; n < k.n; ++n)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox)
        for (int64_t o = 0; o < k.o; ++o) {
          int32_t acc = bias.empty() ? 0 : bias[static_cast<size_t>(o)];
          const int64_t g = o / og;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t ky = 0; ky < k.kh; ++ky)
              for (int64_t kx = 0; kx < k.kw; ++kx) {
                const int64_t iy = oy * k.stride - k.pad + ky * k.dilation,
                              ix = ox * k.stride - k.pad + kx * k.dilation;
                if (iy < 0 || iy >= k.h || ix < 0 || ix >= k.w) continue;
                acc +=
                    (at(x, ((n * k.h + iy) * k.w + ix) * k.c + g * cg + c) - zx) *
                    (at(w, ((o * cg + c) * k.kh + ky) * k.kw + kx) - zw[zw.size() == 1 ? 0 : static_cast<size_t>(o)]);
              }
          y.push_back(kernels::requantize_fp32(acc, scale[scale.size() == 1 ? 0 : static_cast<size_t>(o)], zy, lo, hi));
        }
  return y;
}

std::vector<int32_t> output_values(const Tensor& t) {
  std::vector<int32_t> v(static_cast<size_t>(t.size()));
  for (int64_t i = 0; i < t.size(); ++i) v[static_cast<size_t>(i)] = at(t, i);
  return v;
}

}  // namespace

TEST_CASE("QLinearConv matches the integer formula: depthwise, channel multiplier, groups, 1x1, im2col, types") {
  std::mt19937 rng(14);
  const ConvCase cases[] = {
      {1, 9, 8, 16, 16, 3, 3, 16, 1, 1, 1},  // depthwise 3×3
      {2, 7, 7, 13, 13, 3, 3, 13, 2, 1, 1},  // depthwise, stride 2, channels not a multiple of 8
      {1, 6, 6, 5, 5, 5, 5, 5, 1, 2, 4},     // depthwise 5×5 dilated, padding wider than the input reach
      {1, 5, 6, 4, 8, 3, 3, 4, 1, 1, 1},     // channel multiplier 2 (grouped GEMM)
      {1, 5, 5, 8, 6, 3, 3, 2, 1, 1, 1},     // two groups
      {2, 4, 5, 24, 40, 1, 1, 1, 1, 1, 0},   // 1×1: the input widened in place of im2col
      {1, 9, 7, 3, 17, 3, 3, 1, 2, 1, 1},    // stem-like im2col, odd K = 27
      {1, 8, 8, 7, 9, 2, 3, 1, 1, 2, 2},     // dilation, rectangular kernel
      {1, 3, 3, 16, 10, 1, 1, 1, 2, 1, 0}};  // 1×1 stride 2 (im2col path)
  int which = 0;
  for (const ConvCase& k : cases) {
    for (int types = 0; types < 4; ++types, ++which) {
      CAPTURE(which);
      const DataType xt = types & 1 ? DataType::kInt8 : DataType::kUInt8;
      const DataType wt = types & 2 ? DataType::kInt8 : DataType::kUInt8;
      const DataType yt = (types + which) % 3 == 0 ? DataType::kInt8 : DataType::kUInt8;
      const Tensor x = random_q8(xt, {k.n, k.h, k.w, k.c}, rng);
      const Tensor w = random_q8(wt, {k.o, k.c / k.group, k.kh, k.kw}, rng);
      const bool per_channel = which % 2 == 0;
      std::uniform_int_distribution<int> zd(tmin(wt), tmax(wt));
      std::vector<int32_t> zw(per_channel ? static_cast<size_t>(k.o) : 1), bias(static_cast<size_t>(k.o));
      std::vector<float> w_scale(zw.size());
      for (int32_t& z : zw) z = zd(rng);
      zw[0] = tmax(wt);  // an extreme
      std::uniform_real_distribution<float> e(-6.0f, 2.0f);
      for (float& s : w_scale) s = std::pow(10.0f, e(rng));
      for (int32_t& b : bias) b = std::uniform_int_distribution<int32_t>(-20000, 20000)(rng);
      const int32_t zx = which % 4 == 0 ? tmin(xt) : tmax(xt) - 3, zy = which % 3 == 0 ? tmax(yt) : tmin(yt) + 5;
      const float x_scale = 0.02f;
      const float y_scale = x_scale * 1e-3f * std::sqrt(static_cast<float>(k.kh * k.kw * k.c / k.group)) * 128.0f;
      Node node = make_node("QLinearConv");
      node.attrs["layout"] = Attribute::of_string("NHWC");
      node.attrs["group"] = Attribute::of_int(k.group);
      node.attrs["strides"] = Attribute::of_ints({k.stride, k.stride});
      node.attrs["dilations"] = Attribute::of_ints({k.dilation, k.dilation});
      node.attrs["pads"] = Attribute::of_ints({k.pad, k.pad, k.pad, k.pad});
      int32_t lo = tmin(yt), hi = tmax(yt);
      if (which % 5 == 1) {
        node.attrs["fused_activation"] = Attribute::of_string("Relu");
        lo = std::max(lo, zy);
      } else if (which % 5 == 2) {  // Clip(-0.5, 6): bounds rounded to output units, inside the type
        node.attrs["fused_activation"] = Attribute::of_string("Clip");
        node.attrs["fused_min"] = Attribute::of_float(-0.5f);
        node.attrs["fused_max"] = Attribute::of_float(6.0f);
        lo = std::max<int32_t>(lo, zy + static_cast<int32_t>(std::round(-0.5 / y_scale)));
        hi = std::min<int32_t>(hi, zy + static_cast<int32_t>(std::round(6.0 / y_scale)));
        lo = std::min(lo, hi);
      }
      auto run =
          run_node(node, {var(x), konst(floats({}, {x_scale})), konst(q8_values(xt, {}, {zx})), konst(w),
                          konst(floats({static_cast<int64_t>(w_scale.size())}, w_scale)),
                          konst(q8_values(wt, {static_cast<int64_t>(zw.size())}, zw)), konst(floats({}, {y_scale})),
                          konst(q8_values(yt, {}, {zy})), konst(i32({k.o}, bias))});
      REQUIRE_MESSAGE(run.is_ok(), run.status().message());
      const Tensor& y = (*run)[0];
      const int64_t oh = (k.h + 2 * k.pad - (k.kh - 1) * k.dilation - 1) / k.stride + 1;
      const int64_t ow = (k.w + 2 * k.pad - (k.kw - 1) * k.dilation - 1) / k.stride + 1;
      CHECK(y.dtype() == yt);
      CHECK(y.shape() == Shape{k.n, oh, ow, k.o});
      std::vector<float> scale;
      for (float s : w_scale) scale.push_back(x_scale * s / y_scale);
      CHECK(output_values(y) == reference_conv(k, x, zx, w, zw, bias, scale, zy, lo, hi, oh, ow));
    }
  }
}

TEST_CASE("QLinearConv: NCHW shapes at prepare, registered layout-sensitive, errors name the input") {
  CHECK(OpRegistry::global().traits("QLinearConv").layout_sensitive);
  CHECK(static_cast<bool>(OpRegistry::global().traits("QLinearConv").macs));
  std::mt19937 rng(2);
  const Tensor x = random_q8(DataType::kUInt8, {1, 3, 5, 5}, rng), w = random_q8(DataType::kUInt8, {4, 3, 3, 3}, rng);
  const auto args = [&](Tensor xz) {
    return std::vector<Arg>{var(x),
                            konst(floats({}, {0.1f})),
                            konst(std::move(xz)),
                            konst(w),
                            konst(floats({}, {0.1f})),
                            konst(q8_values(DataType::kUInt8, {}, {3})),
                            konst(floats({}, {0.5f})),
                            konst(q8_values(DataType::kInt8, {}, {0}))};
  };
  const FloatRun nchw = run_float_node(make_node("QLinearConv"), args(q8_values(DataType::kUInt8, {}, {128})));
  CHECK(nchw.shape == Shape{1, 4, 3, 3});  // prepare infers NCHW; run refuses (convert_to_nhwc's job)
  CHECK(!nchw.status.is_ok());
  const FloatRun wrong_zp = run_float_node(make_node("QLinearConv"), args(q8_values(DataType::kInt8, {}, {0})));
  CHECK(error_mentions(wrong_zp.status, "x_zero_point must be uint8"));
}

TEST_CASE("QGemm and QLinearMatMul match the integer formula (transA/transB, bias, Relu, batch dims)") {
  std::mt19937 rng(9);
  for (int variant = 0; variant < 6; ++variant) {
    CAPTURE(variant);
    const bool gemm = variant < 4, trans_a = variant == 1, trans_b = variant == 0 || variant == 2;
    const DataType at_ = variant % 2 ? DataType::kInt8 : DataType::kUInt8;
    const DataType bt = variant % 3 ? DataType::kInt8 : DataType::kUInt8;
    const DataType yt = variant == 2 ? DataType::kUInt8 : DataType::kInt8;
    const int64_t batch = gemm ? 1 : 3, m = 5 + variant, k = 19 + 4 * variant, n = 10 + 7 * variant;
    const Shape a_shape = gemm ? (trans_a ? Shape{k, m} : Shape{m, k}) : Shape{batch, m, k};
    const Tensor a = random_q8(at_, a_shape, rng), b = random_q8(bt, trans_b ? Shape{n, k} : Shape{k, n}, rng);
    std::vector<int32_t> zb(static_cast<size_t>(n)), bias(static_cast<size_t>(n));
    std::vector<float> b_scale(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) {
      zb[static_cast<size_t>(j)] = std::uniform_int_distribution<int>(tmin(bt), tmax(bt))(rng);
      b_scale[static_cast<size_t>(j)] = std::pow(10.0f, std::uniform_real_distribution<float>(-3.0f, 1.0f)(rng));
      bias[static_cast<size_t>(j)] = std::uniform_int_distribution<int32_t>(-5000, 5000)(rng);
    }
    const int32_t za = tmin(at_) + 7, zy = tmax(yt) - 20;
    const float a_scale = 0.01f, y_scale = 2.0f;
    Node node = make_node(gemm ? "QGemm" : "QLinearMatMul");
    if (trans_a) node.attrs["transA"] = Attribute::of_int(1);
    if (trans_b) node.attrs["transB"] = Attribute::of_int(1);
    const bool relu = variant == 3;
    if (relu) node.attrs["fused_activation"] = Attribute::of_string("Relu");
    std::vector<Arg> args = {var(a),   konst(floats({}, {a_scale})), konst(q8_values(at_, {}, {za})),
                             konst(b), konst(floats({n}, b_scale)),  konst(q8_values(bt, {n}, zb))};
    const bool with_bias = gemm && variant != 2;
    if (gemm) args.push_back(with_bias ? konst(i32({n}, bias)) : absent());
    args.push_back(konst(floats({}, {y_scale})));
    args.push_back(konst(q8_values(yt, {}, {zy})));
    auto run = run_node(node, args);
    REQUIRE_MESSAGE(run.is_ok(), run.status().message());
    const Tensor& y = (*run)[0];
    CHECK(y.shape() == (gemm ? Shape{m, n} : Shape{batch, m, n}));
    std::vector<int32_t> want;
    for (int64_t bi = 0; bi < batch; ++bi)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          int32_t acc = with_bias ? bias[static_cast<size_t>(j)] : 0;
          for (int64_t kk = 0; kk < k; ++kk) {
            const int64_t ai = trans_a ? kk * m + i : (bi * m + i) * k + kk;
            const int64_t bj = trans_b ? j * k + kk : kk * n + j;
            acc += (at(a, ai) - za) * (at(b, bj) - zb[static_cast<size_t>(j)]);
          }
          const float scale = a_scale * b_scale[static_cast<size_t>(j)] / y_scale;
          want.push_back(kernels::requantize_fp32(acc, scale, zy, relu ? std::max(zy, tmin(yt)) : tmin(yt), tmax(yt)));
        }
    CHECK(output_values(y) == want);
  }
}
