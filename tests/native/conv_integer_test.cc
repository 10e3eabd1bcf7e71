// ConvInteger (ops/conv_integer.cc) against the float Conv kernel run on (x − x_zero_point) and
// (w − w_zero_point) as floats: every product and partial sum here is an integer below 2^24, so the float
// path is exact and must give the same numbers. The ONNX conformance cases (test_*convinteger*) cover NCHW
// models end to end.
#include <doctest/doctest.h>

#include <random>

#include "ops/kernel.h"
#include "support/q8_tensors.h"
#include "support/single_node.h"

using namespace webcnn;
using namespace webcnn::single_node;
using namespace webcnn::q8_tensors;

namespace {

struct Case {
  int64_t n, h, w, c, o, kh, kw, group, stride, dilation, pad;
};

std::map<std::string, Attribute> conv_attrs(const Case& k) {
  return {{"layout", Attribute::of_string("NHWC")},
          {"group", Attribute::of_int(k.group)},
          {"strides", Attribute::of_ints({k.stride, k.stride})},
          {"dilations", Attribute::of_ints({k.dilation, k.dilation})},
          {"pads", Attribute::of_ints({k.pad, k.pad, k.pad, k.pad})}};
}

}  // namespace

TEST_CASE("ConvInteger equals the float Conv of the zero-point-shifted integers") {
  std::mt19937 rng(21);
  const Case cases[] = {{1, 6, 7, 3, 5, 3, 3, 1, 1, 1, 1},    // im2col-like, padding
                        {2, 5, 5, 8, 4, 1, 1, 1, 1, 1, 0},    // 1×1, batch 2
                        {1, 7, 7, 6, 6, 3, 3, 6, 2, 1, 1},    // depthwise, stride 2
                        {1, 8, 6, 4, 6, 2, 3, 2, 1, 2, 2},    // two groups, dilation, rectangular kernel
                        {1, 4, 4, 5, 10, 3, 3, 5, 1, 1, 0}};  // channel multiplier 2, no padding
  int which = 0;
  for (const Case& k : cases)
    for (int types = 0; types < 4; ++types, ++which) {
      CAPTURE(which);
      const DataType xt = types & 1 ? DataType::kInt8 : DataType::kUInt8;
      const DataType wt = types & 2 ? DataType::kInt8 : DataType::kUInt8;
      const Tensor x = random_q8(xt, {k.n, k.h, k.w, k.c}, rng);
      const Tensor w = random_q8(wt, {k.o, k.c / k.group, k.kh, k.kw}, rng);
      const int32_t x_lo = xt == DataType::kInt8 ? -128 : 0, w_lo = wt == DataType::kInt8 ? -128 : 0;
      const int32_t zx = which % 3 == 0 ? x_lo : x_lo + 255 - which;  // the extremes and in between
      const bool per_channel = which % 2 == 1;
      std::vector<int32_t> zw(per_channel ? static_cast<size_t>(k.o) : 1);
      for (size_t i = 0; i < zw.size(); ++i) zw[i] = w_lo + static_cast<int32_t>((i * 97 + which * 31) % 256);
      zw[0] = w_lo + 255;

      auto y = run_node(make_node("ConvInteger", conv_attrs(k)),
                        {var(x), konst(w), konst(q8_values(xt, {}, {zx})),
                         konst(q8_values(wt, {static_cast<int64_t>(zw.size())}, zw))});
      REQUIRE_MESSAGE(y.is_ok(), y.status().message());
      REQUIRE(y->at(0).dtype() == DataType::kInt32);

      Tensor xf(DataType::kFloat32, x.shape()), wf(DataType::kFloat32, w.shape());
      for (int64_t i = 0; i < x.size(); ++i) xf.data<float>()[i] = static_cast<float>(at(x, i) - zx);
      const int64_t per_o = w.size() / k.o;
      for (int64_t i = 0; i < w.size(); ++i)
        wf.data<float>()[i] = static_cast<float>(at(w, i) - zw[per_channel ? static_cast<size_t>(i / per_o) : 0]);
      auto expected = run_node(make_node("Conv", conv_attrs(k)), {var(xf), konst(wf)});
      REQUIRE_MESSAGE(expected.is_ok(), expected.status().message());
      REQUIRE(expected->at(0).shape() == y->at(0).shape());
      const std::vector<float> want = values<float>(expected->at(0));
      const std::vector<int32_t> got = values<int32_t>(y->at(0));
      for (size_t i = 0; i < got.size(); ++i) {
        CAPTURE(i);
        REQUIRE(static_cast<float>(got[i]) == want[i]);
      }
    }
}

TEST_CASE("ConvInteger: layout-sensitive, errors say which input is wrong") {
  CHECK(OpRegistry::global().traits("ConvInteger").layout_sensitive);
  const Case k{1, 4, 4, 2, 3, 3, 3, 1, 1, 1, 1};
  std::mt19937 rng(3);
  const Tensor x = random_q8(DataType::kUInt8, {1, 4, 4, 2}, rng), w = random_q8(DataType::kInt8, {3, 2, 3, 3}, rng);
  const Tensor xf(DataType::kFloat32, {1, 4, 4, 2});
  CHECK(error_mentions(run_node(make_node("ConvInteger", conv_attrs(k)), {var(xf), konst(w)}).status(), "x must be"));
  // A zero point of the other 8-bit type, and a per-channel one of the wrong length.
  CHECK(error_mentions(
      run_node(make_node("ConvInteger", conv_attrs(k)), {var(x), konst(w), konst(q8_values(DataType::kInt8, {}, {0}))})
          .status(),
      "x_zero_point must be uint8"));
  CHECK(error_mentions(run_node(make_node("ConvInteger", conv_attrs(k)),
                                {var(x), konst(w), absent(), konst(q8_values(DataType::kInt8, {2}, {0, 0}))})
                           .status(),
                       "one value per output channel (3)"));
  // NCHW (as imported, before convert_to_nhwc) prepares with the NCHW output shape but does not run.
  auto nchw = make_node("ConvInteger", {{"pads", Attribute::of_ints({1, 1, 1, 1})}});
  const Tensor x_nchw = random_q8(DataType::kUInt8, {1, 2, 4, 4}, rng);
  std::vector<Shape> shapes;
  std::vector<Tensor> results;
  CHECK(error_mentions(run_node_steps(nchw, {var(x_nchw), konst(w)}, 1, shapes, results), "NCHW"));
  CHECK(shapes.at(0) == Shape{1, 3, 4, 4});
}
