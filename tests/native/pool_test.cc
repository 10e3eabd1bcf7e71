// MaxPool / AveragePool / GlobalAveragePool / GlobalMaxPool: the reference against hand-computed
// values, the fast NHWC path against the reference on random shapes, and the errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "ops/kernel.h"
#include "ops/pool.h"

using namespace webcnn;

namespace {

Node pool_node(const std::string& op, std::map<std::string, Attribute> attrs, size_t num_outputs = 1) {
  Node n;
  n.op = op;
  n.name = "pool";
  n.attrs = std::move(attrs);
  n.inputs = {0};
  for (size_t i = 0; i < num_outputs; ++i) n.outputs.push_back(static_cast<ValueId>(i + 1));
  return n;
}

// Runs one node through its kernel (create → prepare → run) on a non-constant input.
Result<Tensor> run_node(const Node& node, const Tensor& input, size_t num_outputs = 1) {
  WEBCNN_ASSIGN(std::unique_ptr<Kernel> kernel, create_kernel(node));
  ValueInfo vi;
  vi.dtype = input.dtype();
  vi.shape = input.shape();
  std::vector<ValueInfo> in = {vi}, out(num_outputs);
  WEBCNN_TRY(kernel->prepare(node, in, out));
  Tensor result(out[0].dtype, out[0].shape);
  std::vector<uint8_t> scratch(kernel->scratch_bytes() + 64);
  TensorView in_view = input.view(), out_view = result.view();
  KernelIO io;
  io.in = &in_view;
  io.num_in = 1;
  io.out = &out_view;
  io.num_out = 1;
  io.scratch = scratch.data();
  WEBCNN_TRY(kernel->run(io));
  return result;
}

Tensor tensor_of(Shape shape, std::vector<float> values) {
  Tensor t(DataType::kFloat32, std::move(shape));
  std::copy(values.begin(), values.end(), t.data<float>());
  return t;
}

std::vector<float> values_of(const Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.size());
}

Attribute ints(std::vector<int64_t> v) { return Attribute::of_ints(std::move(v)); }

// [N, C, spatial...] <-> [N, spatial..., C]
Tensor nchw_to_nhwc(const Tensor& t) {
  const Shape& s = t.shape();
  const int64_t N = s[0], C = s[1], S = t.size() / std::max<int64_t>(1, N * C);
  Shape o = {N};
  o.insert(o.end(), s.begin() + 2, s.end());
  o.push_back(C);
  Tensor r(DataType::kFloat32, o);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < S; ++i) r.data<float>()[(n * S + i) * C + c] = t.data<float>()[(n * C + c) * S + i];
  return r;
}

// Tolerance: max is exact; an average may differ by float rounding of the sum.
void check_close(const Tensor& got, const Tensor& want) {
  REQUIRE(got.shape() == want.shape());
  for (int64_t i = 0; i < got.size(); ++i) {
    const float g = got.data<float>()[i], w = want.data<float>()[i];
    if (std::isinf(w)) {
      CHECK(g == w);
    } else {
      CHECK(std::fabs(g - w) <= 1e-5f * std::max(1.0f, std::fabs(w)));
    }
  }
}

}  // namespace

TEST_CASE("MaxPool 2x2 stride 2 (hand-computed), NCHW and NHWC") {
  Tensor x = tensor_of({1, 1, 4, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  for (const char* layout : {"NCHW", "NHWC"}) {
    Node n = pool_node(
        "MaxPool",
        {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}, {"layout", Attribute::of_string(layout)}});
    auto y = run_node(n, std::string(layout) == "NHWC" ? nchw_to_nhwc(x) : x);  // one channel: same bytes
    REQUIRE(y.is_ok());
    CHECK(values_of(*y) == std::vector<float>{5, 7, 13, 15});
  }
}

TEST_CASE("AveragePool with padding counts the pad taps or not (hand-computed)") {
  Tensor x = tensor_of({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  std::map<std::string, Attribute> attrs = {
      {"kernel_shape", ints({3, 3})}, {"pads", ints({1, 1, 1, 1})}, {"layout", Attribute::of_string("NHWC")}};
  auto excl = run_node(pool_node("AveragePool", attrs), nchw_to_nhwc(x));
  REQUIRE(excl.is_ok());
  // corner (0,0): 1+2+4+5 = 12 over 4 real taps; edge (0,1): 1+2+3+4+5+6 = 21 over 6; centre 45 / 9.
  CHECK(excl->data<float>()[0] == doctest::Approx(3.0));
  CHECK(excl->data<float>()[1] == doctest::Approx(3.5));
  CHECK(excl->data<float>()[4] == doctest::Approx(5.0));
  attrs["count_include_pad"] = Attribute::of_int(1);
  auto incl = run_node(pool_node("AveragePool", attrs), nchw_to_nhwc(x));
  REQUIRE(incl.is_ok());
  CHECK(incl->data<float>()[0] == doctest::Approx(12.0 / 9));
  CHECK(incl->data<float>()[1] == doctest::Approx(21.0 / 9));
  CHECK(incl->data<float>()[4] == doctest::Approx(5.0));
}

TEST_CASE("MaxPool ceil_mode keeps a partial last window (ONNX maxpool_2d_ceil)") {
  std::vector<float> v(16);
  for (int i = 0; i < 16; ++i) v[static_cast<size_t>(i)] = static_cast<float>(i + 1);
  Tensor x = tensor_of({1, 1, 4, 4}, v);
  auto y = run_node(pool_node("MaxPool", {{"kernel_shape", ints({3, 3})},
                                          {"strides", ints({2, 2})},
                                          {"ceil_mode", Attribute::of_int(1)},
                                          {"layout", Attribute::of_string("NHWC")}}),
                    nchw_to_nhwc(x));
  REQUIRE(y.is_ok());
  CHECK(y->shape() == Shape{1, 2, 2, 1});
  CHECK(values_of(*y) == std::vector<float>{11, 12, 15, 16});
}

TEST_CASE("ceil_mode drops a last window that would start in the trailing padding") {
  // 2 elements, kernel 1, stride 2: ceil gives 2 windows, the second starting at 2 = past the input.
  auto a = run_node(
      pool_node("MaxPool",
                {{"kernel_shape", ints({1, 1})}, {"strides", ints({2, 2})}, {"ceil_mode", Attribute::of_int(1)}}),
      tensor_of({1, 1, 2, 2}, {1, 2, 3, 4}));
  REQUIRE(a.is_ok());
  CHECK(a->shape() == Shape{1, 1, 1, 1});
  CHECK(a->data<float>()[0] == 1);
  // 1-D: 5 elements, pads 1+1, kernel 2, stride 3: ceil((5+2-2)/3)+1 = 3 windows, the third would
  // start at 6-1 = 5, the first trailing pad position: dropped, 2 remain ([pad,1] and [3,4]).
  auto b = run_node(pool_node("MaxPool", {{"kernel_shape", ints({2})},
                                          {"strides", ints({3})},
                                          {"pads", ints({1, 1})},
                                          {"ceil_mode", Attribute::of_int(1)},
                                          {"layout", Attribute::of_string("NHWC")}}),
                    tensor_of({1, 5, 1}, {1, 2, 3, 4, 5}));
  REQUIRE(b.is_ok());
  CHECK(b->shape() == Shape{1, 2, 1});
  CHECK(values_of(*b) == std::vector<float>{1, 4});
}

TEST_CASE("1-D AveragePool, ceil_mode window reaching past the padded input (hand-computed)") {
  // 6 elements 1..6, kernel 3, stride 2, pads 1+1, ceil: 4 windows starting at -1, 1, 3, 5. The last
  // covers x[5] = 6, one pad tap and one tap beyond the padded input (never counted).
  Tensor x = tensor_of({1, 1, 6}, {1, 2, 3, 4, 5, 6});
  std::map<std::string, Attribute> attrs = {{"kernel_shape", ints({3})},
                                            {"strides", ints({2})},
                                            {"pads", ints({1, 1})},
                                            {"ceil_mode", Attribute::of_int(1)},
                                            {"layout", Attribute::of_string("NHWC")}};
  auto excl = run_node(pool_node("AveragePool", attrs), tensor_of({1, 6, 1}, {1, 2, 3, 4, 5, 6}));
  REQUIRE(excl.is_ok());
  CHECK(excl->shape() == Shape{1, 4, 1});
  CHECK(values_of(*excl) == std::vector<float>{1.5f, 3, 5, 6});
  attrs["count_include_pad"] = Attribute::of_int(1);
  auto incl = run_node(pool_node("AveragePool", attrs), tensor_of({1, 6, 1}, {1, 2, 3, 4, 5, 6}));
  REQUIRE(incl.is_ok());
  CHECK(values_of(*incl) == std::vector<float>{1, 3, 5, 3});
  attrs.erase("layout");  // the NCHW form of the same problem
  auto nchw = run_node(pool_node("AveragePool", attrs), x);
  REQUIRE(nchw.is_ok());
  CHECK(nchw->shape() == Shape{1, 1, 4});
  CHECK(values_of(*nchw) == std::vector<float>{1, 3, 5, 3});
}

TEST_CASE("auto_pad SAME_UPPER / SAME_LOWER / VALID and dilation (hand-computed, 1-D)") {
  Tensor x = tensor_of({1, 1, 4}, {1, 3, 2, 4});
  auto run = [&](const char* auto_pad) {
    return run_node(pool_node("MaxPool", {{"kernel_shape", ints({2})}, {"auto_pad", Attribute::of_string(auto_pad)}}),
                    x);
  };
  auto upper = run("SAME_UPPER"), lower = run("SAME_LOWER"), valid = run("VALID");
  REQUIRE(upper.is_ok());
  REQUIRE(lower.is_ok());
  REQUIRE(valid.is_ok());
  CHECK(values_of(*upper) == std::vector<float>{3, 3, 4, 4});  // extra pad at the end
  CHECK(values_of(*lower) == std::vector<float>{1, 3, 3, 4});  // extra pad at the start
  CHECK(values_of(*valid) == std::vector<float>{3, 3, 4});
  auto dilated = run_node(pool_node("MaxPool", {{"kernel_shape", ints({2})}, {"dilations", ints({2})}}),
                          tensor_of({1, 1, 5}, {1, 5, 2, 0, 3}));
  REQUIRE(dilated.is_ok());
  CHECK(values_of(*dilated) == std::vector<float>{2, 5, 3});  // pairs (0,2), (1,3), (2,4)
}

TEST_CASE("Global pools (hand-computed), both layouts") {
  Tensor x = tensor_of({1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  auto avg = run_node(pool_node("GlobalAveragePool", {}), x);
  auto mx = run_node(pool_node("GlobalMaxPool", {}), x);
  REQUIRE(avg.is_ok());
  REQUIRE(mx.is_ok());
  CHECK(avg->shape() == Shape{1, 2, 1, 1});
  CHECK(values_of(*avg) == std::vector<float>{2.5f, 6.5f});
  CHECK(values_of(*mx) == std::vector<float>{4, 8});
  auto avg_nhwc = run_node(pool_node("GlobalAveragePool", {{"layout", Attribute::of_string("NHWC")}}), nchw_to_nhwc(x));
  REQUIRE(avg_nhwc.is_ok());
  CHECK(avg_nhwc->shape() == Shape{1, 1, 1, 2});
  CHECK(values_of(*avg_nhwc) == std::vector<float>{2.5f, 6.5f});
}

TEST_CASE("MaxPool/AveragePool fast NHWC path matches the reference on random problems") {
  std::mt19937 rng(1234);
  auto pick = [&](int lo, int hi) { return static_cast<int64_t>(std::uniform_int_distribution<int>(lo, hi)(rng)); };
  std::uniform_real_distribution<float> value(-2.0f, 2.0f);
  const char* auto_pads[] = {"NOTSET", "NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"};
  const int64_t channel_counts[] = {1, 3, 4, 5, 16, 17, 37};
  int checked = 0;
  for (int iter = 0; iter < 300; ++iter) {
    const bool one_d = iter % 5 == 0;
    const bool is_max = iter % 2 == 0;
    const int64_t N = pick(1, 2), C = channel_counts[pick(0, 6)], H = one_d ? 1 : pick(1, 9), W = pick(1, 11);
    const int64_t kh = one_d ? 1 : pick(1, 4), kw = pick(1, 4);
    std::vector<int64_t> kernel = one_d ? std::vector<int64_t>{kw} : std::vector<int64_t>{kh, kw};
    std::vector<int64_t> strides, dilations, pads_begin, pads_end;
    for (int64_t k : kernel) {
      strides.push_back(pick(1, 3));
      dilations.push_back(pick(1, 2));
      pads_begin.push_back(pick(0, static_cast<int>(k) - 1));
      pads_end.push_back(pick(0, static_cast<int>(k) - 1));
    }
    std::vector<int64_t> pads = pads_begin;
    pads.insert(pads.end(), pads_end.begin(), pads_end.end());
    std::map<std::string, Attribute> attrs = {{"kernel_shape", ints(kernel)},
                                              {"strides", ints(strides)},
                                              {"dilations", ints(dilations)},
                                              {"pads", ints(pads)},
                                              {"auto_pad", Attribute::of_string(auto_pads[pick(0, 5)])},
                                              {"ceil_mode", Attribute::of_int(pick(0, 1))}};
    if (!is_max) attrs["count_include_pad"] = Attribute::of_int(pick(0, 1));
    const std::string op = is_max ? "MaxPool" : "AveragePool";
    Shape nchw_shape = one_d ? Shape{N, C, W} : Shape{N, C, H, W};
    Tensor x(DataType::kFloat32, nchw_shape);
    for (int64_t i = 0; i < x.size(); ++i) x.data<float>()[i] = value(rng);

    auto nchw = run_node(pool_node(op, attrs), x);  // runs the reference
    attrs["layout"] = Attribute::of_string("NHWC");
    auto nhwc = run_node(pool_node(op, attrs), nchw_to_nhwc(x));  // runs the fast path
    REQUIRE(nchw.is_ok() == nhwc.is_ok());
    if (!nchw.is_ok()) continue;  // window larger than the padded input: refused in both layouts
    check_close(*nhwc, nchw_to_nhwc(*nchw));
    ++checked;
  }
  CHECK(checked > 200);
}

TEST_CASE("Global pools fast paths match the reference on random shapes (ranks 3-5, both layouts)") {
  std::mt19937 rng(99);
  std::uniform_real_distribution<float> value(-3.0f, 3.0f);
  const Shape shapes[] = {{1, 1, 1}, {2, 3, 7}, {1, 17, 5, 3}, {2, 4, 6, 6}, {1, 37, 7, 7}, {1, 5, 2, 3, 4}};
  for (const Shape& s : shapes)
    for (bool nhwc : {false, true})
      for (PoolKind kind : {PoolKind::kAverage, PoolKind::kMax}) {
        Tensor x(DataType::kFloat32, s);
        for (int64_t i = 0; i < x.size(); ++i) x.data<float>()[i] = value(rng);
        Node n = pool_node(kind == PoolKind::kMax ? "GlobalMaxPool" : "GlobalAveragePool",
                           {{"layout", Attribute::of_string(nhwc ? "NHWC" : "NCHW")}});
        auto got = run_node(n, x);
        REQUIRE(got.is_ok());
        Tensor want(DataType::kFloat32, got->shape());
        reference::global_pool(kind, nhwc, s, x.data<float>(), want.data<float>());
        check_close(*got, want);
      }
}

TEST_CASE("pool errors name the problem") {
  Tensor x5(DataType::kFloat32, {1, 1, 2, 2, 2});
  auto three_d = run_node(pool_node("MaxPool", {{"kernel_shape", ints({2, 2, 2})}}), x5);
  REQUIRE_FALSE(three_d.is_ok());
  CHECK(three_d.status().message().rfind("unsupported: 3-D pooling", 0) == 0);
  auto three_d_input = run_node(pool_node("AveragePool", {{"kernel_shape", ints({2, 2})}}), x5);
  REQUIRE_FALSE(three_d_input.is_ok());
  CHECK(three_d_input.status().message().rfind("unsupported: 3-D pooling", 0) == 0);

  Tensor x(DataType::kFloat32, {1, 1, 3, 3});
  auto indices = run_node(pool_node("MaxPool", {{"kernel_shape", ints({2, 2})}}, 2), x, 2);
  REQUIRE_FALSE(indices.is_ok());
  CHECK(indices.status().message().find("Indices") != std::string::npos);
  auto too_big = run_node(pool_node("MaxPool", {{"kernel_shape", ints({4, 4})}}), x);
  REQUIRE_FALSE(too_big.is_ok());
  CHECK(too_big.status().message().find("MaxPool 'pool'") != std::string::npos);
  CHECK_FALSE(run_node(pool_node("MaxPool", {}), x).is_ok());  // kernel_shape missing
  CHECK_FALSE(run_node(pool_node("MaxPool", {{"kernel_shape", ints({0, 2})}}), x).is_ok());
  CHECK_FALSE(run_node(pool_node("MaxPool", {{"kernel_shape", ints({2, 2})}, {"strides", ints({1})}}), x).is_ok());
  CHECK_FALSE(
      run_node(pool_node("MaxPool", {{"kernel_shape", ints({2, 2})}, {"pads", ints({-1, 0, 0, 0})}}), x).is_ok());
  CHECK_FALSE(
      run_node(pool_node("MaxPool", {{"kernel_shape", ints({2, 2})}, {"auto_pad", Attribute::of_string("SAME")}}), x)
          .is_ok());
  CHECK_FALSE(run_node(pool_node("MaxPool", {{"kernel_shape", ints({2})}}), x).is_ok());  // rank mismatch
  CHECK_FALSE(run_node(pool_node("GlobalAveragePool", {{"layout", Attribute::of_string("NCWH")}}), x).is_ok());
  CHECK_FALSE(run_node(pool_node("GlobalMaxPool", {}), Tensor(DataType::kFloat32, {2, 3})).is_ok());
  CHECK_FALSE(run_node(pool_node("GlobalMaxPool", {}), Tensor(DataType::kFloat32, {1, 2, 0, 3})).is_ok());
}

TEST_CASE("MaxPool on uint8 matches the float path on the same integer values") {
  std::mt19937 rng(5);
  Tensor xf(DataType::kFloat32, {2, 3, 5, 6}), xu(DataType::kUInt8, {2, 3, 5, 6});
  for (int64_t i = 0; i < xf.size(); ++i) {
    const uint8_t v = static_cast<uint8_t>(rng() % 256);
    xu.data<uint8_t>()[i] = v;
    xf.data<float>()[i] = v;
  }
  for (const char* layout : {"NCHW", "NHWC"}) {
    std::map<std::string, Attribute> attrs = {{"kernel_shape", ints({3, 2})},
                                              {"strides", ints({2, 1})},
                                              {"pads", ints({1, 0, 1, 1})},
                                              {"layout", Attribute::of_string(layout)}};
    auto f = run_node(pool_node("MaxPool", attrs), xf);
    auto u = run_node(pool_node("MaxPool", attrs), xu);
    REQUIRE(f.is_ok());
    REQUIRE(u.is_ok());
    REQUIRE(u->dtype() == DataType::kUInt8);
    REQUIRE(u->shape() == f->shape());
    for (int64_t i = 0; i < f->size(); ++i) CHECK(static_cast<float>(u->data<uint8_t>()[i]) == f->data<float>()[i]);
  }
  CHECK_FALSE(run_node(pool_node("AveragePool", {{"kernel_shape", ints({2, 2})}}), xu).is_ok());
}

TEST_CASE("MaxPool/AveragePool refuse pads not smaller than the kernel, as ONNX Runtime does") {
  Tensor x(DataType::kFloat32, {1, 1, 3, 3});
  for (const char* op : {"MaxPool", "AveragePool"}) {
    CAPTURE(op);
    // pad == kernel on the end of axis 1: a window there would see only padding (MaxPool: -inf).
    auto r = run_node(pool_node(op, {{"kernel_shape", ints({2, 2})}, {"pads", ints({0, 0, 0, 2})}}), x);
    REQUIRE_FALSE(r.is_ok());
    CHECK_MESSAGE(r.status().message().find("pads 2 on spatial axis 1 must be smaller than the kernel size 2") !=
                      std::string::npos,
                  r.status().message());
    CHECK_FALSE(run_node(pool_node(op, {{"kernel_shape", ints({1, 3})}, {"pads", ints({1, 0, 0, 0})}}), x).is_ok());
    // One less than the kernel is fine, with or without dilation.
    CHECK(run_node(pool_node(op, {{"kernel_shape", ints({2, 2})}, {"pads", ints({1, 1, 1, 1})}}), x).is_ok());
    CHECK(run_node(pool_node(
                       op, {{"kernel_shape", ints({2, 2})}, {"dilations", ints({2, 2})}, {"pads", ints({1, 1, 1, 1})}}),
                   x)
              .is_ok());
  }
}
