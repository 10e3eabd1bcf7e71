// 8-bit (quantised) tensors through the ops that keep scale and zero point (README.md "Quantized tensors"):
// each op runs on int8 and on uint8 data and must give what it gives on the same integers as float32 (the
// float paths are tested against their own references elsewhere): exactly for the ops that move data,
// rounded to nearest for linear Resize. Pad pads with a given constant (the zero point).
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "eltwise_test_support.h"

using namespace webcnn;
using namespace webcnn::testing;

namespace {

struct Case {
  std::string op;
  std::map<std::string, Attribute> attrs;
  Shape shape;
  std::vector<Tensor> extra;  // further inputs (constants), after the data
  size_t outputs = 1;
  bool rounds = false;    // compare with the float result rounded to nearest
  bool converts = false;  // float32 extra inputs are data (Concat's, Pad's constant_value): of the data's type
};

Tensor as_type(const Tensor& f, DataType t) {
  Tensor q(t, f.shape());
  for (int64_t i = 0; i < f.size(); ++i) {
    const float v = f.data<float>()[i];
    if (t == DataType::kInt8) q.data<int8_t>()[i] = static_cast<int8_t>(v);
    else q.data<uint8_t>()[i] = static_cast<uint8_t>(v);
  }
  return q;
}

std::vector<double> as_doubles(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.size()));
  for (size_t i = 0; i < v.size(); ++i) {
    switch (t.dtype()) {
      case DataType::kFloat32: v[i] = t.data<float>()[i]; break;
      case DataType::kInt8: v[i] = t.data<int8_t>()[i]; break;
      case DataType::kUInt8: v[i] = t.data<uint8_t>()[i]; break;
      case DataType::kInt64: v[i] = static_cast<double>(t.data<int64_t>()[i]); break;
      default: v[i] = t.data<int32_t>()[i]; break;
    }
  }
  return v;
}

void check_case(const Case& c, DataType t, std::mt19937& rng) {
  CAPTURE(c.op);
  CAPTURE(std::string(dtype_name(t)));
  const int32_t lo = t == DataType::kInt8 ? -128 : 0;
  Tensor f(DataType::kFloat32, c.shape);
  for (int64_t i = 0; i < f.size(); ++i)
    f.data<float>()[i] = static_cast<float>(lo + static_cast<int32_t>(rng() % 256));
  const Tensor q = as_type(f, t);
  std::vector<const Tensor*> fin = {&f}, qin = {&q};
  std::vector<bool> constant = {false};
  std::vector<Tensor> converted;
  converted.reserve(c.extra.size());
  for (const Tensor& e : c.extra) {
    fin.push_back(&e);
    if (c.converts && e.dtype() == DataType::kFloat32) {
      converted.push_back(as_type(e, t));
      qin.push_back(&converted.back());
    } else {
      qin.push_back(&e);
    }
    constant.push_back(true);
  }
  const Node node = make_node(c.op, c.attrs, fin.size());
  auto want = run_kernel(node, fin, constant, c.outputs);
  REQUIRE_MESSAGE(want.is_ok(), want.status().message());
  auto got = run_kernel(node, qin, constant, c.outputs);
  REQUIRE_MESSAGE(got.is_ok(), got.status().message());
  for (size_t k = 0; k < c.outputs; ++k) {
    const Tensor& g = got.value()[k];
    const Tensor& w = want.value()[k];
    CHECK(g.shape() == w.shape());
    if (w.dtype() == DataType::kFloat32) CHECK(g.dtype() == t);
    std::vector<double> wv = as_doubles(w);
    if (c.rounds)
      for (double& x : wv) x = std::clamp(std::round(x), static_cast<double>(lo), lo + 255.0);
    const std::vector<double> gv = as_doubles(g);
    REQUIRE(gv.size() == wv.size());
    for (size_t i = 0; i < gv.size(); ++i) {
      CAPTURE(i);
      // Linear Resize sums in float on the fast path and double in the float reference: a sum on a .5
      // boundary may round either way.
      CHECK(std::fabs(gv[i] - wv[i]) <= (c.rounds ? 1.0 : 0.0));
    }
  }
}

Attribute ints(std::vector<int64_t> v) { return Attribute::of_ints(std::move(v)); }

}  // namespace

TEST_CASE("int8 and uint8 tensors through the data-movement ops, equal to their float32 results") {
  const Tensor shape = int64s({2}, {6, 10});
  const std::vector<Case> cases = {
      {"Reshape", {}, {2, 3, 10}, {shape}},
      {"Flatten", {{"axis", Attribute::of_int(2)}}, {2, 3, 2, 5}, {}},
      {"Squeeze", {}, {2, 1, 5}, {int64s({1}, {1})}},
      {"Unsqueeze", {}, {2, 5}, {int64s({1}, {0})}},
      {"Identity", {}, {3, 7}, {}},
      {"Transpose", {{"perm", ints({0, 2, 3, 1})}}, {2, 3, 4, 5}, {}},
      {"Slice", {}, {4, 9}, {int64s({2}, {1, 2}), int64s({2}, {4, 9}), int64s({2}, {0, 1}), int64s({2}, {2, 3})}},
      {"Gather", {{"axis", Attribute::of_int(1)}}, {3, 6}, {int64s({4}, {5, 0, 2, 5})}},
      {"Split", {{"axis", Attribute::of_int(1)}}, {2, 7}, {int64s({2}, {3, 4})}, 2},
      {"Concat",
       {{"axis", Attribute::of_int(0)}},
       {2, 3},
       {tensor_of<float>(DataType::kFloat32, {1, 3}, {1, 2, 3})},
       1,
       false,
       true},
      {"Pad", {}, {2, 3}, {int64s({4}, {1, 0, 0, 2}), tensor_of<float>(DataType::kFloat32, {}, {7})}, 1, false, true},
      {"MaxPool",
       {{"kernel_shape", ints({3, 3})}, {"strides", ints({2, 2})}, {"pads", ints({1, 1, 1, 1})}},
       {1, 3, 7, 6},
       {}},
      {"MaxPool",
       {{"kernel_shape", ints({2, 3})}, {"pads", ints({1, 0, 1, 2})}, {"layout", Attribute::of_string("NHWC")}},
       {2, 5, 6, 19},
       {}},
      {"DepthToSpace", {{"blocksize", Attribute::of_int(2)}}, {1, 8, 2, 3}, {}},
      {"ArgMax", {{"axis", Attribute::of_int(1)}}, {3, 11}, {}},
      {"Resize",
       {{"mode", Attribute::of_string("nearest")}},
       {1, 2, 3, 4},
       {floats({0}, {}), tensor_of<float>(DataType::kFloat32, {4}, {1, 1, 2, 1.5f})}},
      {"Resize",
       {{"mode", Attribute::of_string("linear")},
        {"coordinate_transformation_mode", Attribute::of_string("half_pixel")}},
       {1, 5, 7, 9},
       {floats({0}, {}), floats({0}, {}), int64s({4}, {1, 13, 17, 9})},
       1,
       true},
      {"Resize",
       {{"mode", Attribute::of_string("linear")},
        {"coordinate_transformation_mode", Attribute::of_string("align_corners")}},
       {1, 2, 5, 6},
       {floats({0}, {}), floats({0}, {}), int64s({4}, {1, 2, 9, 4})},
       1,
       true},
  };
  std::mt19937 rng(1417);
  for (const Case& c : cases)
    for (DataType t : {DataType::kInt8, DataType::kUInt8}) check_case(c, t, rng);
}

TEST_CASE("8-bit MaxPool: a window wholly in the padding is impossible, edges keep the type's minimum out") {
  // int8 -128 and uint8 0 stay the maximum of a window of minima (no float -inf leaks in).
  Tensor x(DataType::kInt8, {1, 1, 2, 2});
  for (int i = 0; i < 4; ++i) x.data<int8_t>()[i] = -128;
  auto y = run_kernel(make_node("MaxPool", {{"kernel_shape", ints({2, 2})}, {"pads", ints({1, 1, 1, 1})}}), {&x});
  REQUIRE(y.is_ok());
  CHECK(values_of<int8_t>(y.value()[0]) == std::vector<int8_t>(9, -128));
}

TEST_CASE("8-bit linear Resize rounds as XNNPACK's ibilinear: 11-bit weights, ties half up") {
  // align_corners 3 → 5: positions 0, 0.5, 1, 1.5, 2. −3 and −2 at 0.5: −2.5 → −2 (half away from zero
  // and a float sum rounded by std::round would give −3); 1.5 between −2 and 5: 1.5 → 2.
  const Node node = make_node("Resize",
                              {{"mode", Attribute::of_string("linear")},
                               {"coordinate_transformation_mode", Attribute::of_string("align_corners")}},
                              4);
  const Tensor roi = floats({0}, {}), scales = floats({0}, {});
  const Tensor x = tensor_of<int8_t>(DataType::kInt8, {1, 1, 1, 3}, {-3, -2, 5});
  const Tensor sizes = int64s({4}, {1, 1, 1, 5});
  auto y = run_kernel(node, {&x, &roi, &scales, &sizes}, {false, true, true, true});
  REQUIRE_MESSAGE(y.is_ok(), y.status().message());
  CHECK(values_of<int8_t>(y.value()[0]) == std::vector<int8_t>{-3, -2, -2, 2, 5});
  // Two axes: 2×2 → 3×3; the centre (−1 + 0 + 0 + 0) / 4 = −0.25 → 0, the edges −0.5 → 0 (half up).
  const Tensor x2 = tensor_of<int8_t>(DataType::kInt8, {1, 1, 2, 2}, {-1, 0, 0, 0});
  const Tensor sizes2 = int64s({4}, {1, 1, 3, 3});
  auto y2 = run_kernel(node, {&x2, &roi, &scales, &sizes2}, {false, true, true, true});
  REQUIRE(y2.is_ok());
  CHECK(values_of<int8_t>(y2.value()[0]) == std::vector<int8_t>{-1, 0, 0, 0, 0, 0, 0, 0, 0});
  // uint8, the weights 1/3 and 2/3 (align_corners 4 → 3 ... 2 → 4: positions 0, 1/3, 2/3, 1): 11-bit
  // weights 683 and 1365; 0 → 255: 255·683/2048 = 85.04 → 85, 255·1365/2048 = 169.96 → 170.
  const Tensor x3 = tensor_of<uint8_t>(DataType::kUInt8, {1, 1, 1, 2}, {0, 255});
  const Tensor sizes3 = int64s({4}, {1, 1, 1, 4});
  auto y3 = run_kernel(node, {&x3, &roi, &scales, &sizes3}, {false, true, true, true});
  REQUIRE(y3.is_ok());
  CHECK(values_of<uint8_t>(y3.value()[0]) == std::vector<uint8_t>{0, 85, 170, 255});
}
