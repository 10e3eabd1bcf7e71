// Resize: the sampling rule (axis_taps) and the reference against values worked out by hand, the fast
// path against the reference on random shapes/modes (float tolerance below), layout independence, errors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ops/kernel.h"
#include "ops/resize.h"
#include "support/single_node.h"

using namespace webcnn;
using namespace webcnn::single_node;
using namespace webcnn::resize;

namespace {

std::vector<float> values(const Tensor& t) { return std::vector<float>(t.data<float>(), t.data<float>() + t.size()); }

Node resize_node(std::map<std::string, std::string> strings, std::map<std::string, Attribute> other = {}) {
  Node n;
  n.op = "Resize";
  n.name = "n";
  for (auto& [k, v] : strings) n.attrs[k] = Attribute::of_string(v);
  for (auto& [k, v] : other) n.attrs[k] = v;
  return n;
}

// One output: Resize's.
Result<Tensor> run_resize(Node node, const std::vector<Arg>& args) {
  WEBCNN_ASSIGN(std::vector<Tensor> outputs, single_node::run_node(std::move(node), args));
  return std::move(outputs[0]);
}

// X with either scales (float) or sizes (int64) as constants.
Result<Tensor> resize_scales(const Node& n, const Tensor& x, std::vector<float> scales) {
  return run_resize(n, {var(x), absent(), konst(floats({static_cast<int64_t>(scales.size())}, scales))});
}
Result<Tensor> resize_sizes(const Node& n, const Tensor& x, std::vector<int64_t> sizes, Arg roi = absent()) {
  return run_resize(n, {var(x), std::move(roi), absent(), konst(i64({static_cast<int64_t>(sizes.size())}, sizes))});
}

void check_close(const std::vector<float>& got, const std::vector<float>& want, float tol = 1e-5f) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    CHECK(std::fabs(got[i] - want[i]) <= tol * std::max(1.0f, std::fabs(want[i])));
  }
}

}  // namespace

TEST_CASE("Resize nearest: Upsample-style asymmetric x2 x3, and the four nearest modes by hand") {
  // ONNX test_upsample_nearest: [[1,2],[3,4]] scaled (2,3) -> each value becomes a 2x3 block. Upsample's
  // nearest is floor(x / scale), i.e. Resize with asymmetric coordinates and nearest_mode floor.
  auto up = resize_scales(
      resize_node({{"mode", "nearest"}, {"coordinate_transformation_mode", "asymmetric"}, {"nearest_mode", "floor"}}),
      floats({1, 1, 2, 2}, {1, 2, 3, 4}), {1, 1, 2, 3});
  REQUIRE(up.is_ok());
  CHECK(up.value().shape() == Shape{1, 1, 4, 6});
  CHECK(values(up.value()) ==
        std::vector<float>{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});

  const Tensor x = floats({4}, {10, 20, 30, 40});
  // half_pixel x2: source x/2 - 0.25 = -0.25, 0.25, 0.75, 1.25, ... round_prefer_floor -> 0 0 1 1 2 2 3 3.
  auto hp = resize_sizes(resize_node({}), x, {8});
  REQUIRE(hp.is_ok());
  CHECK(values(hp.value()) == std::vector<float>{10, 10, 20, 20, 30, 30, 40, 40});
  // asymmetric 4 -> 3: source x / 0.75 = 0, 1.333, 2.667.
  auto mode = [&](const char* m) {
    return values(
        resize_sizes(resize_node({{"coordinate_transformation_mode", "asymmetric"}, {"nearest_mode", m}}), x, {3})
            .value());
  };
  CHECK(mode("round_prefer_floor") == std::vector<float>{10, 20, 40});
  CHECK(mode("floor") == std::vector<float>{10, 20, 30});
  CHECK(mode("ceil") == std::vector<float>{10, 30, 40});
  // Ties: asymmetric 4 -> 8 puts sources on 0, 0.5, 1, ... 3.5; ceil of 3.5 clamps to the last element.
  auto ties = [&](const char* m) {
    return values(
        resize_sizes(resize_node({{"coordinate_transformation_mode", "asymmetric"}, {"nearest_mode", m}}), x, {8})
            .value());
  };
  CHECK(ties("round_prefer_floor") == std::vector<float>{10, 10, 20, 20, 30, 30, 40, 40});
  CHECK(ties("round_prefer_ceil") == std::vector<float>{10, 20, 20, 30, 30, 40, 40, 40});
}

TEST_CASE("Resize linear by hand: half_pixel upsample, align_corners downsample with fractional length") {
  // [[1,2],[3,4]] x2, half_pixel: sources -0.25, 0.25, 0.75, 1.25 (edges clamp) ->
  // columns 1, 1.25, 1.75, 2 within a row; rows mix the same way.
  auto up = resize_scales(resize_node({{"mode", "linear"}}), floats({1, 1, 2, 2}, {1, 2, 3, 4}), {1, 1, 2, 2});
  REQUIRE(up.is_ok());
  check_close(values(up.value()),
              {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4});
  // ONNX test_resize_downsample_scales_linear_align_corners: [1,1,2,4] of 1..8, scales 0.6.
  // H: 1 output, source 0. W: length 4*0.6 = 2.4, output 1 samples 1 * 3 / 1.4 = 2.142857 -> 3.142857.
  auto ac = resize_scales(resize_node({{"mode", "linear"}, {"coordinate_transformation_mode", "align_corners"}}),
                          floats({1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}), {1, 1, 0.6f, 0.6f});
  REQUIRE(ac.is_ok());
  CHECK(ac.value().shape() == Shape{1, 1, 1, 2});
  check_close(values(ac.value()), {1, 3.142857f});
  // pytorch_half_pixel to one output samples -0.5 -> the first element (clamped).
  auto pt = resize_sizes(resize_node({{"mode", "linear"}, {"coordinate_transformation_mode", "pytorch_half_pixel"}}),
                         floats({3}, {5, 6, 7}), {1});
  REQUIRE(pt.is_ok());
  check_close(values(pt.value()), {5});
}

TEST_CASE("Resize cubic taps by hand, and exclude_outside renormalises") {
  // Asymmetric x2 on 4 elements, output 1 samples 0.5: ratio 0.5, A = -0.75 gives
  // weights -0.09375, 0.59375, 0.59375, -0.09375 on inputs -1 (clamped to 0), 0, 1, 2.
  Params p;
  p.mode = Mode::kCubic;
  p.coordinate_mode = CoordinateMode::kAsymmetric;
  AxisScale a{4, 8, 2.0, 8.0, 0, 1};
  Taps t = axis_taps(p, a, 1);
  REQUIRE(t.count == 4);
  CHECK(t.index[0] == 0);
  CHECK(t.index[1] == 0);
  CHECK(t.index[3] == 2);
  CHECK(t.weight[0] == doctest::Approx(-0.09375));
  CHECK(t.weight[1] == doctest::Approx(0.59375));
  CHECK(t.weight[2] == doctest::Approx(0.59375));
  CHECK(t.weight[3] == doctest::Approx(-0.09375));
  // On [1,2,3,4]: -0.09375*1 + 0.59375*1 + 0.59375*2 - 0.09375*3 = 1.40625.
  auto r = resize_sizes(resize_node({{"mode", "cubic"}, {"coordinate_transformation_mode", "asymmetric"}}),
                        floats({4}, {1, 2, 3, 4}), {8});
  REQUIRE(r.is_ok());
  CHECK(values(r.value())[1] == doctest::Approx(1.40625));
  // exclude_outside: input -1 gets weight 0, the rest divide by 1.09375.
  p.exclude_outside = true;
  t = axis_taps(p, a, 1);
  CHECK(t.weight[0] == 0);
  CHECK(t.weight[1] == doctest::Approx(0.59375 / 1.09375));
  // Integer source (output 2 -> 1.0): ratio 1 by ONNX's convention, one weight of 1 at input 1.
  p.exclude_outside = false;
  t = axis_taps(p, a, 2);
  CHECK(t.weight[2] == doctest::Approx(1.0));
  CHECK(t.index[2] == 1);
}

TEST_CASE("Resize tf_crop_and_resize: roi maps the crop, outside gets extrapolation_value") {
  const Tensor x = floats({5}, {0, 10, 20, 30, 40});
  const Node n = resize_node({{"mode", "linear"}, {"coordinate_transformation_mode", "tf_crop_and_resize"}},
                             {{"extrapolation_value", Attribute::of_float(99)}});
  // roi [0.25, 0.75] of 4 = sources 1..3: x + 1.
  auto in_range = resize_sizes(n, x, {3}, konst(floats({2}, {0.25f, 0.75f})));
  REQUIRE(in_range.is_ok());
  check_close(values(in_range.value()), {10, 20, 30});
  // roi [0.5, 1.5]: sources 2, 4, 6; 6 is past the last element.
  auto outside = resize_sizes(n, x, {3}, konst(floats({2}, {0.5f, 1.5f})));
  REQUIRE(outside.is_ok());
  check_close(values(outside.value()), {20, 40, 99});
}

TEST_CASE("Resize is layout agnostic: NHWC scales give the NCHW result transposed") {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  const int64_t N = 2, C = 6, H = 5, W = 7;
  Tensor nchw(DataType::kFloat32, {N, C, H, W}), nhwc(DataType::kFloat32, {N, H, W, C});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w) {
          const float v = u(rng);
          nchw.data<float>()[((n * C + c) * H + h) * W + w] = v;
          nhwc.data<float>()[((n * H + h) * W + w) * C + c] = v;
        }
  for (const char* mode : {"nearest", "linear", "cubic"}) {
    auto a = resize_scales(resize_node({{"mode", mode}}), nchw, {1, 1, 1.6f, 0.6f});
    auto b = resize_scales(resize_node({{"mode", mode}}), nhwc, {1, 1.6f, 0.6f, 1});
    REQUIRE(a.is_ok());
    REQUIRE(b.is_ok());
    const int64_t OH = a.value().shape()[2], OW = a.value().shape()[3];
    CHECK(b.value().shape() == Shape{N, OH, OW, C});
    for (int64_t n = 0; n < N; ++n)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t h = 0; h < OH; ++h)
          for (int64_t w = 0; w < OW; ++w)
            REQUIRE(a.value().data<float>()[((n * C + c) * OH + h) * OW + w] ==
                    doctest::Approx(b.value().data<float>()[((n * OH + h) * OW + w) * C + c]).epsilon(1e-5));
  }
}

// Tolerance: the fast path sums in float with float weights, the reference in double; values are in
// [-1, 1] and at most 16 taps, so 1e-5 relative (to max(1, |want|)) leaves room.
TEST_CASE("Resize fast path equals the reference on random shapes, modes and scaled axes") {
  std::mt19937 rng(21);
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  std::uniform_real_distribution<float> u(-1, 1);
  static const char* kCoord[] = {"half_pixel", "pytorch_half_pixel",   "align_corners",
                                 "asymmetric", "tf_half_pixel_for_nn", "half_pixel_symmetric"};
  static const char* kNearest[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  static const char* kModes[] = {"nearest", "linear", "cubic"};
  int fallback_cases = 0;
  for (int iter = 0; iter < 300; ++iter) {
    const size_t rank = static_cast<size_t>(pick(1, 4));
    Shape shape(rank);
    for (auto& d : shape) d = pick(1, 7);
    Params p;
    p.mode = static_cast<Mode>(pick(0, 2));
    const char* coord = kCoord[pick(0, 5)];
    if (p.mode == Mode::kCubic && std::string(coord) == "tf_half_pixel_for_nn") coord = "half_pixel";
    p.coordinate_mode = parse_coordinate_mode(coord).value();
    p.nearest_mode = static_cast<NearestMode>(pick(0, 3));
    p.exclude_outside = pick(0, 3) == 0;
    // Scale 1, 2 or 3 random axes (not always adjacent: exercises the fallback too).
    std::vector<float> scales(rank, 1.0f);
    std::vector<int64_t> sizes;
    const int64_t nscaled = pick(1, std::min<int64_t>(3, static_cast<int64_t>(rank)));
    for (int64_t k = 0; k < nscaled; ++k)
      scales[static_cast<size_t>(pick(0, static_cast<int64_t>(rank) - 1))] =
          0.4f + 0.3f * static_cast<float>(pick(0, 8));
    const bool use_sizes = pick(0, 1) == 1;
    if (use_sizes)
      for (size_t i = 0; i < rank; ++i) sizes.push_back(scales[i] == 1.0f ? shape[i] : pick(1, 12));
    auto axes = resize_axes(shape, use_sizes ? std::vector<float>{} : scales, sizes, {}, {}, "stretch");
    REQUIRE(axes.is_ok());
    Shape out_shape;
    for (const AxisScale& a : axes.value()) out_shape.push_back(a.out);
    Tensor x(DataType::kFloat32, shape);
    for (int64_t i = 0; i < x.size(); ++i) x.data<float>()[i] = u(rng);
    Tensor fast(DataType::kFloat32, out_shape), ref(DataType::kFloat32, out_shape);
    Resampler(shape, axes.value(), p, DataType::kFloat32).run(x.raw(), fast.raw());
    reference::resize(x.raw(), shape, DataType::kFloat32, axes.value(), p, ref.raw());
    INFO("shape " << shape_to_string(shape) << " -> " << shape_to_string(out_shape) << " mode "
                  << kModes[static_cast<int>(p.mode)] << " coord " << coord << " nearest "
                  << kNearest[static_cast<int>(p.nearest_mode)]);
    check_close(values(fast), values(ref));
    if (nscaled == 3) ++fallback_cases;
  }
  CHECK(fallback_cases > 0);
}

TEST_CASE("Resize nearest moves any dtype exactly") {
  std::mt19937 rng(4);
  for (DataType dt : {DataType::kUInt8, DataType::kInt32, DataType::kInt64}) {
    Tensor x(dt, {2, 3, 5, 4});
    auto* bytes = static_cast<uint8_t*>(x.raw());
    for (size_t i = 0; i < x.bytes(); ++i) bytes[i] = static_cast<uint8_t>(rng());
    auto r = resize_scales(resize_node({}), x, {1, 1, 2.5f, 0.5f});
    REQUIRE(r.is_ok());
    auto axes = resize_axes(x.shape(), {1, 1, 2.5f, 0.5f}, {}, {}, {}, "stretch").value();
    Tensor ref(dt, r.value().shape());
    reference::resize(x.raw(), x.shape(), dt, axes, Params{}, ref.raw());
    CHECK(std::memcmp(r.value().raw(), ref.raw(), ref.bytes()) == 0);
  }
}

TEST_CASE("Resize opset-18 axes and keep_aspect_ratio_policy") {
  // axes [-2, -1] with sizes: only H and W listed.
  auto axes = resize_axes({1, 3, 4, 6}, {}, {2, 2}, {}, {-2, -1}, "stretch");
  REQUIRE(axes.is_ok());
  CHECK(axes.value()[1].out == 3);
  CHECK(axes.value()[2].out == 2);
  CHECK(axes.value()[3].out == 2);
  // not_larger into 2x2 from 4x6: scale min(2/4, 2/6) = 1/3 -> 4/3 -> 1, 6/3 = 2.
  auto nl = resize_axes({4, 6}, {}, {2, 2}, {}, {}, "not_larger");
  REQUIRE(nl.is_ok());
  CHECK(nl.value()[0].out == 1);
  CHECK(nl.value()[1].out == 2);
  // not_smaller: scale 1/2 -> 2, 3.
  auto ns = resize_axes({4, 6}, {}, {2, 2}, {}, {}, "not_smaller");
  REQUIRE(ns.is_ok());
  CHECK(ns.value()[0].out == 2);
  CHECK(ns.value()[1].out == 3);
}

TEST_CASE("Resize errors name the node and what is wrong") {
  const Tensor x = floats({1, 1, 2, 2}, {1, 2, 3, 4});
  auto both =
      run_resize(resize_node({}), {var(x), absent(), konst(floats({4}, {1, 1, 2, 2})), konst(i64({4}, {1, 1, 4, 4}))});
  CHECK(error_mentions(both.status(), "Resize 'n': exactly one of scales and sizes"));
  CHECK(error_mentions(run_resize(resize_node({}), {var(x)}).status(), "exactly one of scales and sizes"));
  CHECK(error_mentions(resize_scales(resize_node({}), x, {2, 2}).status(), "scales has 2 values, expected 4"));
  CHECK(error_mentions(resize_scales(resize_node({}), x, {1, 1, 0, 2}).status(), "must be positive"));
  CHECK(error_mentions(resize_sizes(resize_node({}), x, {1, 1, -1, 2}).status(), "negative"));
  CHECK(error_mentions(run_resize(resize_node({}), {var(x), absent(), var(floats({4}, {1, 1, 2, 2}))}).status(),
                       "scales must be a constant"));
  CHECK(error_mentions(resize_scales(resize_node({}, {{"antialias", Attribute::of_int(1)}}), x, {1, 1, 2, 2}).status(),
                       "unsupported: antialias"));
  CHECK(error_mentions(resize_scales(resize_node({{"mode", "bicubic"}}), x, {1, 1, 2, 2}).status(),
                       "unknown mode 'bicubic'"));
  CHECK(error_mentions(
      resize_scales(resize_node({{"coordinate_transformation_mode", "corners"}}), x, {1, 1, 2, 2}).status(),
      "unknown coordinate_transformation_mode"));
  CHECK(error_mentions(resize_scales(resize_node({{"mode", "linear"}}), i64({2}, {1, 2}), {2}).status(),
                       "unsupported: linear/cubic Resize of int64"));
  CHECK(error_mentions(resize_scales(resize_node({}), x, {1, 1, 1e30f, 1e30f}).status(), "out of range"));
}
