// Conv / ConvTranspose: the NHWC kernels (through the registry, as the planner drives them) against the
// naive NCHW reference over random shapes and every attribute corner; the reference against hand-computed
// numbers.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "ops/conv.h"
#include "ops/conv_transpose.h"
#include "ops/kernel.h"
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

Tensor nchw_to_nhwc(const Tensor& t) {
  const Shape& s = t.shape();
  const int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  Tensor r(DataType::kFloat32, {n, h, w, c});
  for (int64_t a = 0; a < n; ++a)
    for (int64_t b = 0; b < c; ++b)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          r.data<float>()[((a * h + y) * w + x) * c + b] = t.data<float>()[((a * c + b) * h + y) * w + x];
  return r;
}

std::vector<float> nhwc_to_nchw(const std::vector<float>& v, const Shape& nhwc) {
  const int64_t n = nhwc[0], h = nhwc[1], w = nhwc[2], c = nhwc[3];
  std::vector<float> r(v.size());
  for (int64_t a = 0; a < n; ++a)
    for (int64_t b = 0; b < c; ++b)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          r[static_cast<size_t>(((a * c + b) * h + y) * w + x)] = v[static_cast<size_t>(((a * h + y) * w + x) * c + b)];
  return r;
}

// Tolerance: |fast − ref| ≤ 1e-5·(terms summed) + 1e-5, float32 vs a double-accumulating reference over
// values in [-1, 1].
void check_close(const std::vector<float>& got, const std::vector<float>& want, int64_t terms) {
  REQUIRE(got.size() == want.size());
  const float tol = 1e-5f * static_cast<float>(terms) + 1e-5f;
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= tol)) {
      FAIL_CHECK("element " << i << " of " << got.size() << ": got " << got[i] << ", want " << want[i]);
      return;
    }
}

void set_activation(Node& node, int which) {
  switch (which % 8) {
    case 0: break;
    case 1: node.attrs["fused_activation"] = Attribute::of_string("Relu"); break;
    case 2:
      node.attrs["fused_activation"] = Attribute::of_string("Clip");
      node.attrs["fused_min"] = Attribute::of_float(-0.5f);
      node.attrs["fused_max"] = Attribute::of_float(0.75f);
      break;
    case 3: node.attrs["fused_activation"] = Attribute::of_string("Sigmoid"); break;
    case 4: node.attrs["fused_activation"] = Attribute::of_string("HardSwish"); break;
    case 5:
      node.attrs["fused_activation"] = Attribute::of_string("LeakyRelu");
      node.attrs["fused_alpha"] = Attribute::of_float(0.2f);
      break;
    case 6: node.attrs["fused_activation"] = Attribute::of_string("Tanh"); break;
    default:
      node.attrs["fused_activation"] = Attribute::of_string("HardSigmoid");
      node.attrs["fused_alpha"] = Attribute::of_float(0.3f);
      node.attrs["fused_beta"] = Attribute::of_float(0.4f);
      break;
  }
}

Node conv_node(const std::string& op, const std::string& layout) {
  Node n;
  n.op = op;
  n.name = "test_" + op;
  n.attrs["layout"] = Attribute::of_string(layout);
  return n;
}

struct ConvCase {
  int64_t batch, in_c, h, w, out_c, group, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  bool bias, constant_weights;
  int activation;
};

// Runs one Conv case in NHWC through the kernel and compares with the NCHW reference.
void check_conv_case(const ConvCase& k, std::mt19937& rng) {
  Tensor x = random_tensor({k.batch, k.in_c, k.h, k.w}, rng);
  Tensor w = random_tensor({k.out_c, k.in_c / k.group, k.kh, k.kw}, rng);
  Tensor b = random_tensor({k.out_c}, rng);
  Node node = conv_node("Conv", "NHWC");
  node.attrs["group"] = Attribute::of_int(k.group);
  node.attrs["strides"] = Attribute::of_ints({k.sh, k.sw});
  node.attrs["dilations"] = Attribute::of_ints({k.dh, k.dw});
  node.attrs["pads"] = Attribute::of_ints({k.pt, k.pl, k.pb, k.pr});
  if (k.activation % 3 == 0) node.attrs["kernel_shape"] = Attribute::of_ints({k.kh, k.kw});
  set_activation(node, k.activation);
  Tensor x_nhwc = nchw_to_nhwc(x);
  FloatRun got =
      run_float_node(node, {var(x_nhwc), arg(w, k.constant_weights), k.bias ? arg(b, k.constant_weights) : absent()});
  REQUIRE_MESSAGE(got.status.is_ok(), got.status.message());
  const int64_t oh = (k.h + k.pt + k.pb - ((k.kh - 1) * k.dh + 1)) / k.sh + 1;
  const int64_t ow = (k.w + k.pl + k.pr - ((k.kw - 1) * k.dw + 1)) / k.sw + 1;
  REQUIRE(got.shape == Shape{k.batch, oh, ow, k.out_c});
  Shape y_shape{k.batch, k.out_c, oh, ow};
  std::vector<float> want(static_cast<size_t>(num_elements(y_shape)));
  reference::Conv2dParams p;
  p.groups = k.group;
  p.stride_h = k.sh, p.stride_w = k.sw, p.dilation_h = k.dh, p.dilation_w = k.dw, p.pad_top = k.pt, p.pad_left = k.pl;
  auto act = fused_activation_from_node(node);
  REQUIRE(act.is_ok());
  reference::conv2d_nchw(x.data<float>(), x.shape(), w.data<float>(), w.shape(), k.bias ? b.data<float>() : nullptr, p,
                         *act, want.data(), y_shape);
  check_close(nhwc_to_nchw(got.data, got.shape), want, k.in_c / k.group * k.kh * k.kw);
}

}  // namespace

TEST_CASE("reference conv2d matches hand-computed values") {
  // x = 1..9 in a 3×3 image, w = all-ones 2×2, pad 1 on top/left only, stride 2:
  // out (0,0) covers only x(0,0) = 1; (0,1) covers x(0,1..2) = 2+3 = 5; (1,0) = x(1..2,0) = 4+7 = 11;
  // (1,1) = x(1..2,1..2) = 5+6+8+9 = 28. Bias 0.5 on all.
  Tensor x = floats({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor w = floats({1, 1, 2, 2}, {1, 1, 1, 1});
  const float bias = 0.5f;
  reference::Conv2dParams p;
  p.stride_h = p.stride_w = 2;
  p.pad_top = p.pad_left = 1;
  float y[4];
  reference::conv2d_nchw(x.data<float>(), x.shape(), w.data<float>(), w.shape(), &bias, p, FusedActivation{}, y,
                         {1, 1, 2, 2});
  CHECK(y[0] == 1.5f);
  CHECK(y[1] == 5.5f);
  CHECK(y[2] == 11.5f);
  CHECK(y[3] == 28.5f);

  // Two groups of one channel each, dilation 2 on a 1×5 row: y_g[i] = x_g[i]·w_g0 + x_g[i+2]·w_g1.
  Tensor x2 = floats({1, 2, 1, 5}, {1, 2, 3, 4, 5, 10, 20, 30, 40, 50});
  Tensor w2 = floats({2, 1, 1, 2}, {1, -1, 2, 1});
  reference::Conv2dParams p2;
  p2.groups = 2;
  p2.dilation_w = 2;
  float y2[6];
  reference::conv2d_nchw(x2.data<float>(), x2.shape(), w2.data<float>(), w2.shape(), nullptr, p2, FusedActivation{}, y2,
                         {1, 2, 1, 3});
  CHECK(y2[0] == -2);   // 1 - 3
  CHECK(y2[2] == -2);   // 3 - 5
  CHECK(y2[3] == 50);   // 2·10 + 30
  CHECK(y2[5] == 110);  // 2·30 + 50
}

TEST_CASE("reference conv_transpose2d matches hand-computed values") {
  // x = [1 2] (1×2), w = [1 10] (1×2), stride 2: each input pixel writes [x, 10x] to its own 2 outputs:
  // y = [1 10 2 20]; with pad_left 1 the first output is dropped and the output is 3 wide.
  Tensor x = floats({1, 1, 1, 2}, {1, 2});
  Tensor w = floats({1, 1, 1, 2}, {1, 10});
  reference::Conv2dParams p;
  p.stride_w = 2;
  float y[4];
  reference::conv_transpose2d_nchw(x.data<float>(), x.shape(), w.data<float>(), w.shape(), nullptr, p,
                                   FusedActivation{}, y, {1, 1, 1, 4});
  CHECK(y[0] == 1);
  CHECK(y[1] == 10);
  CHECK(y[2] == 2);
  CHECK(y[3] == 20);
  // Stride 1: overlapping taps add: y = [1, 10+2, 20].
  p.stride_w = 1;
  reference::conv_transpose2d_nchw(x.data<float>(), x.shape(), w.data<float>(), w.shape(), nullptr, p,
                                   FusedActivation{}, y, {1, 1, 1, 3});
  CHECK(y[0] == 1);
  CHECK(y[1] == 12);
  CHECK(y[2] == 20);
}

TEST_CASE("Conv NHWC kernel: hand-computed 3×3 same-padded case") {
  // 3×3 all-ones filter over x = 1..9 with pads 1: each output sums its 3×3 neighbourhood.
  Tensor x = floats({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor w = floats({1, 1, 3, 3}, {1, 1, 1, 1, 1, 1, 1, 1, 1});
  Node node = conv_node("Conv", "NHWC");
  node.attrs["auto_pad"] = Attribute::of_string("SAME_UPPER");
  FloatRun r = run_float_node(node, {var(x), konst(w)});
  REQUIRE(r.status.is_ok());
  CHECK(r.shape == Shape{1, 3, 3, 1});
  const float want[9] = {12, 21, 16, 27, 45, 33, 24, 39, 28};
  for (int i = 0; i < 9; ++i) CHECK(r.data[static_cast<size_t>(i)] == want[i]);
}

TEST_CASE("Conv NHWC kernel matches the reference over random shapes and attribute corners") {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> coin(0, 1);
  int count = 0;
  // Corners by construction.
  std::vector<ConvCase> cases = {
      {1, 3, 5, 7, 4, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, true, true, 0},     // 1×1 direct GEMM
      {2, 5, 3, 3, 9, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, false, false, 1},   // 1×1, batch 2, runtime weights
      {1, 4, 6, 6, 6, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, true, true, 2},     // grouped 1×1
      {1, 3, 7, 7, 5, 1, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, true, true, 3},     // 1×1 stride 2 (im2col)
      {1, 3, 5, 5, 4, 1, 1, 1, 1, 1, 1, 1, 1, 0, 2, 1, true, true, 4},     // 1×1 with padding
      {1, 8, 9, 9, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, true, 1},     // depthwise 3×3
      {1, 7, 8, 5, 7, 7, 3, 3, 2, 2, 1, 1, 0, 1, 1, 0, true, false, 2},    // depthwise 3×3 s2, odd C, runtime W
      {2, 6, 7, 7, 6, 6, 5, 5, 1, 2, 2, 1, 4, 2, 3, 1, false, true, 3},    // depthwise 5×5 dilated
      {1, 5, 6, 6, 15, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, true, 5},    // depthwise multiplier 3
      {1, 3, 11, 13, 16, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, true, true, 6},  // stem-like 3×3 s2
      {1, 6, 8, 8, 9, 3, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, true, true, 7},     // grouped dilated
      {1, 2, 4, 4, 3, 1, 4, 4, 1, 1, 1, 1, 0, 0, 0, 0, true, true, 0},     // kernel == input
      {1, 3, 1, 9, 5, 1, 1, 3, 1, 1, 1, 1, 0, 1, 0, 1, false, true, 1},    // H = 1 (1-D-like)
      {1, 1, 5, 5, 1, 1, 3, 3, 3, 3, 1, 1, 2, 2, 2, 2, true, true, 2},     // single channel (depthwise path)
  };
  for (int i = 0; i < 60; ++i) {
    std::uniform_int_distribution<int> small(1, 4);
    ConvCase c{};
    c.batch = small(rng) > 3 ? 2 : 1;
    const int kind = i % 3;  // 0: dense, 1: grouped, 2: depthwise with multiplier
    c.group = kind == 0 ? 1 : small(rng);
    const int64_t cg = kind == 2 ? 1 : small(rng);
    c.in_c = c.group * cg;
    c.out_c = c.group * (kind == 2 ? small(rng) : std::uniform_int_distribution<int>(1, 11)(rng));
    c.kh = small(rng);
    c.kw = small(rng);
    c.sh = small(rng) > 2 ? 2 : 1;
    c.sw = small(rng) > 3 ? 3 : 1;
    c.dh = small(rng) > 3 ? 2 : 1;
    c.dw = small(rng) > 3 ? 2 : 1;
    c.pt = small(rng) - 1, c.pl = small(rng) - 1, c.pb = small(rng) - 1, c.pr = small(rng) - 1;
    c.h = (c.kh - 1) * c.dh + 1 + small(rng) * 2 - 1;
    c.w = (c.kw - 1) * c.dw + 1 + small(rng) * 3 - 2;
    c.bias = coin(rng);
    c.constant_weights = coin(rng);
    c.activation = i;
    cases.push_back(c);
  }
  for (const ConvCase& c : cases) {
    CAPTURE(count);
    CAPTURE(c.in_c);
    CAPTURE(c.out_c);
    CAPTURE(c.group);
    CAPTURE(c.kh);
    CAPTURE(c.kw);
    check_conv_case(c, rng);
    ++count;
  }
  CHECK(count == static_cast<int>(cases.size()));
}

TEST_CASE("Conv auto_pad resolves like ONNX") {
  std::mt19937 rng(5);
  Tensor x = random_tensor({1, 6, 7, 2}, rng);  // NHWC, H=6 W=7
  Tensor w = random_tensor({3, 2, 3, 4}, rng);  // kH=3 kW=4
  struct Want {
    const char* auto_pad;
    Shape shape;
    int64_t pad_top, pad_left;
  };
  // stride 2: SAME → out = ceil(in/2) = 3, 4; total pad H = (3-1)·2+3-6 = 1, W = (4-1)·2+4-7 = 3.
  // SAME_UPPER puts the odd pixel at the end (top 0, left 1), SAME_LOWER at the start (top 1, left 2).
  // VALID: out = floor((6-3)/2)+1 = 2, floor((7-4)/2)+1 = 2.
  const Want wants[] = {
      {"SAME_UPPER", {1, 3, 4, 3}, 0, 1}, {"SAME_LOWER", {1, 3, 4, 3}, 1, 2}, {"VALID", {1, 2, 2, 3}, 0, 0}};
  for (const Want& want : wants) {
    CAPTURE(want.auto_pad);
    Node node = conv_node("Conv", "NHWC");
    node.attrs["auto_pad"] = Attribute::of_string(want.auto_pad);
    node.attrs["strides"] = Attribute::of_ints({2, 2});
    FloatRun r = run_float_node(node, {var(x), konst(w)});
    REQUIRE(r.status.is_ok());
    REQUIRE(r.shape == want.shape);
    Tensor x_nchw = floats({1, 2, 6, 7},
                           nhwc_to_nchw(std::vector<float>(x.data<float>(), x.data<float>() + x.size()), {1, 6, 7, 2}));
    reference::Conv2dParams p;
    p.stride_h = p.stride_w = 2;
    p.pad_top = want.pad_top;
    p.pad_left = want.pad_left;
    Shape y_shape{1, 3, want.shape[1], want.shape[2]};
    std::vector<float> ref(static_cast<size_t>(num_elements(y_shape)));
    reference::conv2d_nchw(x_nchw.data<float>(), x_nchw.shape(), w.data<float>(), w.shape(), nullptr, p,
                           FusedActivation{}, ref.data(), y_shape);
    check_close(nhwc_to_nchw(r.data, r.shape), ref, 24);
  }
}

TEST_CASE("Conv prepare computes NCHW shapes; run refuses NCHW; 1-D works; 3-D and bad shapes are errors") {
  std::mt19937 rng(9);
  Tensor x = random_tensor({2, 4, 10, 12}, rng);
  Tensor w = random_tensor({6, 2, 3, 3}, rng);
  Node node = conv_node("Conv", "NCHW");
  node.attrs["group"] = Attribute::of_int(2);
  node.attrs["pads"] = Attribute::of_ints({1, 1, 1, 1});
  FloatRun r = run_float_node(node, {var(x), konst(w)});
  CHECK(r.shape == Shape{2, 6, 10, 12});
  REQUIRE_FALSE(r.status.is_ok());
  CHECK(r.status.message().find("internal: NCHW Conv must go through convert_to_nhwc") != std::string::npos);

  // 1-D, NHWC [N, L, C]: L = 9, pads 2 + 1, kernel 3, stride 2 → (9 + 3 − 3)/2 + 1 = 5 outputs.
  Tensor x1 = random_tensor({1, 9, 3}, rng);
  Tensor w1 = random_tensor({4, 3, 3}, rng);
  Node n1 = conv_node("Conv", "NHWC");
  n1.attrs["pads"] = Attribute::of_ints({2, 1});
  n1.attrs["strides"] = Attribute::of_ints({2});
  FloatRun r1 = run_float_node(n1, {var(x1), konst(w1)});
  REQUIRE(r1.status.is_ok());
  REQUIRE(r1.shape == Shape{1, 5, 4});
  Tensor x1_nchw =
      floats({1, 3, 1, 9}, nhwc_to_nchw(std::vector<float>(x1.data<float>(), x1.data<float>() + 27), {1, 1, 9, 3}));
  Tensor w1_2d = floats({4, 3, 1, 3}, std::vector<float>(w1.data<float>(), w1.data<float>() + 36));
  reference::Conv2dParams p;
  p.stride_w = 2;
  p.pad_left = 2;
  std::vector<float> ref(20);
  reference::conv2d_nchw(x1_nchw.data<float>(), x1_nchw.shape(), w1_2d.data<float>(), w1_2d.shape(), nullptr, p,
                         FusedActivation{}, ref.data(), {1, 4, 1, 5});
  check_close(nhwc_to_nchw(r1.data, {1, 1, 5, 4}), ref, 9);
  Tensor x1_ncl = random_tensor({1, 3, 9}, rng);  // 1-D NCHW [N, C, L]
  CHECK(run_float_node(conv_node("Conv", "NCHW"), {var(x1_ncl), konst(w1)}).shape == Shape{1, 4, 7});

  Tensor x3 = random_tensor({1, 2, 3, 3, 3}, rng), w3 = random_tensor({1, 2, 1, 1, 1}, rng);
  FloatRun r3 = run_float_node(conv_node("Conv", "NCHW"), {var(x3), konst(w3)});
  REQUIRE_FALSE(r3.status.is_ok());
  CHECK(r3.status.message().find("unsupported: 3-D convolution") != std::string::npos);

  Tensor w_bad = random_tensor({6, 3, 3, 3}, rng);  // 3 input channels, input has 4
  FloatRun bad = run_float_node(conv_node("Conv", "NCHW"), {var(x), konst(w_bad)});
  REQUIRE_FALSE(bad.status.is_ok());
  CHECK(bad.status.message().find("Conv 'test_Conv'") == 0);
  Tensor bias_bad = random_tensor({5}, rng);
  CHECK_FALSE(run_float_node(node, {var(x), konst(w), konst(bias_bad)}).status.is_ok());
  Node huge = conv_node("Conv", "NHWC");
  huge.attrs["strides"] = Attribute::of_ints({0, 1});
  CHECK_FALSE(run_float_node(huge, {var(x), konst(w)}).status.is_ok());
  Node too_small = conv_node("Conv", "NHWC");
  Tensor tiny = random_tensor({1, 2, 2, 2}, rng), big_w = random_tensor({1, 2, 3, 3}, rng);
  CHECK_FALSE(run_float_node(too_small, {var(tiny), konst(big_w)}).status.is_ok());
}

namespace {

struct ConvTransposeCase {
  int64_t batch, in_c, h, w, out_c, group, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, oph, opw;
  bool bias, constant_weights;
  int activation;
};

void check_conv_transpose_case(const ConvTransposeCase& k, std::mt19937& rng) {
  Tensor x = random_tensor({k.batch, k.in_c, k.h, k.w}, rng);
  Tensor w = random_tensor({k.in_c, k.out_c / k.group, k.kh, k.kw}, rng);
  Tensor b = random_tensor({k.out_c}, rng);
  Node node = conv_node("ConvTranspose", "NHWC");
  node.attrs["group"] = Attribute::of_int(k.group);
  node.attrs["strides"] = Attribute::of_ints({k.sh, k.sw});
  node.attrs["dilations"] = Attribute::of_ints({k.dh, k.dw});
  node.attrs["pads"] = Attribute::of_ints({k.pt, k.pl, k.pb, k.pr});
  node.attrs["output_padding"] = Attribute::of_ints({k.oph, k.opw});
  set_activation(node, k.activation);
  Tensor x_nhwc = nchw_to_nhwc(x);
  FloatRun got = run_float_node(node, {var(x_nhwc), arg(w, k.constant_weights), k.bias ? konst(b) : absent()});
  REQUIRE_MESSAGE(got.status.is_ok(), got.status.message());
  // ONNX: out = stride·(in − 1) + output_padding + (k − 1)·dilation + 1 − pads.
  const int64_t oh = k.sh * (k.h - 1) + k.oph + (k.kh - 1) * k.dh + 1 - k.pt - k.pb;
  const int64_t ow = k.sw * (k.w - 1) + k.opw + (k.kw - 1) * k.dw + 1 - k.pl - k.pr;
  REQUIRE(got.shape == Shape{k.batch, oh, ow, k.out_c});
  Shape y_shape{k.batch, k.out_c, oh, ow};
  std::vector<float> want(static_cast<size_t>(num_elements(y_shape)));
  reference::Conv2dParams p;
  p.groups = k.group;
  p.stride_h = k.sh, p.stride_w = k.sw, p.dilation_h = k.dh, p.dilation_w = k.dw, p.pad_top = k.pt, p.pad_left = k.pl;
  auto act = fused_activation_from_node(node);
  REQUIRE(act.is_ok());
  reference::conv_transpose2d_nchw(x.data<float>(), x.shape(), w.data<float>(), w.shape(),
                                   k.bias ? b.data<float>() : nullptr, p, *act, want.data(), y_shape);
  check_close(nhwc_to_nchw(got.data, got.shape), want, k.in_c * k.kh * k.kw);
}

}  // namespace

TEST_CASE("ConvTranspose NHWC kernel matches the reference over random shapes and attribute corners") {
  std::mt19937 rng(77);
  std::vector<ConvTransposeCase> cases = {
      {1, 1, 3, 3, 2, 1, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, false, false, 0},  // ONNX's basic case
      {1, 3, 4, 5, 6, 1, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, true, true, 1},    // 2×2 s2 upsampling
      {2, 4, 3, 3, 4, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, true, true, 2},    // grouped + output_padding
      {1, 6, 5, 4, 6, 6, 4, 4, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, true, false, 3},   // depthwise-like 4×4 s2
      {1, 2, 3, 3, 3, 1, 3, 2, 3, 2, 2, 2, 2, 0, 1, 1, 1, 0, false, true, 4},   // dilated, asymmetric pads
  };
  std::uniform_int_distribution<int> small(1, 3);
  for (int i = 0; i < 30; ++i) {
    ConvTransposeCase c{};
    c.batch = small(rng) > 2 ? 2 : 1;
    c.group = i % 2 ? small(rng) : 1;
    c.in_c = c.group * small(rng);
    c.out_c = c.group * std::uniform_int_distribution<int>(1, 9)(rng);
    c.h = small(rng) + 1, c.w = small(rng) + 2;
    c.kh = small(rng), c.kw = small(rng) + 1;
    c.sh = small(rng), c.sw = small(rng);
    c.dh = small(rng) > 2 ? 2 : 1, c.dw = 1;
    c.oph = c.sh > 1 ? c.sh - 1 : 0, c.opw = 0;
    c.pt = small(rng) - 1, c.pl = small(rng) - 1, c.pb = small(rng) - 1, c.pr = 0;
    if (c.sh * (c.h - 1) + c.oph + (c.kh - 1) * c.dh + 1 - c.pt - c.pb < 1) c.pt = c.pb = 0;  // keep output non-empty
    c.bias = i % 3 != 0;
    c.constant_weights = i % 4 != 0;
    c.activation = i;
    cases.push_back(c);
  }
  int index = 0;
  for (const ConvTransposeCase& c : cases) {
    CAPTURE(index);
    check_conv_transpose_case(c, rng);
    ++index;
  }
}

TEST_CASE("ConvTranspose output_shape and auto_pad follow the ONNX padding rules") {
  std::mt19937 rng(3);
  Tensor x = random_tensor({1, 3, 3, 1}, rng);  // NHWC, 3×3, one channel
  Tensor w = random_tensor({1, 2, 3, 3}, rng);
  // output_shape [10, 8] with strides [3, 2]: full sizes 3·2+3 = 9 and 2·2+3 = 7, so total padding −1:
  // pads begin = −1 − floor(−1/2) = 0, end = −1, i.e. one extra bias-only row/column at the end.
  Node node = conv_node("ConvTranspose", "NHWC");
  node.attrs["strides"] = Attribute::of_ints({3, 2});
  node.attrs["output_shape"] = Attribute::of_ints({10, 8});
  FloatRun r = run_float_node(node, {var(x), konst(w)});
  REQUIRE(r.status.is_ok());
  CHECK(r.shape == Shape{1, 10, 8, 2});
  Node plain = conv_node("ConvTranspose", "NHWC");
  plain.attrs["strides"] = Attribute::of_ints({3, 2});
  FloatRun r9 = run_float_node(plain, {var(x), konst(w)});
  REQUIRE(r9.status.is_ok());
  REQUIRE(r9.shape == Shape{1, 9, 7, 2});
  for (int64_t yy = 0; yy < 10; ++yy)
    for (int64_t xx = 0; xx < 8; ++xx)
      for (int64_t o = 0; o < 2; ++o) {
        const float v = r.data[static_cast<size_t>((yy * 8 + xx) * 2 + o)];
        const float want = (yy < 9 && xx < 7) ? r9.data[static_cast<size_t>((yy * 7 + xx) * 2 + o)] : 0.0f;
        CHECK(v == want);
      }
  // SAME_UPPER, stride 2: output = input·stride = 6; full = 2·2 + 3 = 7, total 1 → begin 0, end 1:
  // the first 6 rows/columns of the unpadded 7×7 result.
  Node same = conv_node("ConvTranspose", "NHWC");
  same.attrs["strides"] = Attribute::of_ints({2, 2});
  same.attrs["auto_pad"] = Attribute::of_string("SAME_UPPER");
  FloatRun rs = run_float_node(same, {var(x), konst(w)});
  Node full = conv_node("ConvTranspose", "NHWC");
  full.attrs["strides"] = Attribute::of_ints({2, 2});
  FloatRun rf = run_float_node(full, {var(x), konst(w)});
  REQUIRE(rs.status.is_ok());
  REQUIRE(rf.status.is_ok());
  REQUIRE(rs.shape == Shape{1, 6, 6, 2});
  REQUIRE(rf.shape == Shape{1, 7, 7, 2});
  for (int64_t yy = 0; yy < 6; ++yy)
    for (int64_t xx = 0; xx < 6; ++xx)
      for (int64_t o = 0; o < 2; ++o)
        CHECK(rs.data[static_cast<size_t>((yy * 6 + xx) * 2 + o)] ==
              rf.data[static_cast<size_t>((yy * 7 + xx) * 2 + o)]);
}

// Throughput of the two MobileNet-typical convs, printed only (no timing assertions: shared machines are
// noisy). Timed in thread CPU time, so other processes on a loaded machine do not count against us.
// Skipped by default; run with: webcnn_tests_sse2 -tc='benchmark*' --no-skip
static double thread_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

TEST_CASE("benchmark: Conv NHWC GFLOP/s on MobileNet-like layers" * doctest::skip()) {
  struct Layer {
    const char* name;
    int64_t h, w, c, o, k, group;
  };
  const Layer layers[] = {{"1x1 56x56x144->24", 56, 56, 144, 24, 1, 1},
                          {"3x3 56x56x64->64", 56, 56, 64, 64, 3, 1},
                          {"dw3x3 56x56x144", 56, 56, 144, 144, 3, 144}};
  std::mt19937 rng(1);
  for (const Layer& l : layers) {
    Tensor x = random_tensor({1, l.h, l.w, l.c}, rng);
    Tensor w = random_tensor({l.o, l.c / l.group, l.k, l.k}, rng);
    Tensor b = random_tensor({l.o}, rng);
    Node node = conv_node("Conv", "NHWC");
    node.attrs["group"] = Attribute::of_int(l.group);
    const int64_t pad = l.k / 2;
    node.attrs["pads"] = Attribute::of_ints({pad, pad, pad, pad});
    node.attrs["fused_activation"] = Attribute::of_string("Relu");
    auto kernel = create_kernel(node);
    REQUIRE(kernel.is_ok());
    std::vector<ValueInfo> in(3), out(1);
    const Tensor* inputs[3] = {&x, &w, &b};
    std::vector<TensorView> views;
    for (int i = 0; i < 3; ++i) {
      in[static_cast<size_t>(i)].shape = inputs[i]->shape();
      in[static_cast<size_t>(i)].constant = i > 0 ? inputs[i] : nullptr;
      views.push_back(inputs[i]->view());
    }
    REQUIRE((*kernel)->prepare(node, in, out).is_ok());
    Tensor y(DataType::kFloat32, out[0].shape);
    TensorView yv = y.view();
    std::vector<uint64_t> scratch((*kernel)->scratch_bytes() / 8 + 8);
    KernelIO io{views.data(), 3, &yv, 1, scratch.data()};
    const double macs = double(l.h * l.w) * double(l.o) * double(l.c / l.group) * double(l.k * l.k);
    double best = 1e30;
    for (int rep = 0; rep < 20; ++rep) {
      const double t0 = thread_seconds();
      REQUIRE((*kernel)->run(io).is_ok());
      best = std::min(best, thread_seconds() - t0);
    }
    MESSAGE(std::string(l.name) << ": " << best * 1e3 << " ms, " << 2 * macs / best * 1e-9 << " GFLOP/s (best of 20)");
  }
}
