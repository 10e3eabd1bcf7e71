// Conv, MatMul and Gemm on several threads (webcnn/threads.h): over random shapes big enough to be split,
// the output is bit-identical to the one-thread run (every element computed by the same arithmetic) and
// close to the naive reference (tolerance as in conv_test.cc: 1e-5·terms + 1e-5, float32 against a
// double-accumulating reference over values in [-1, 1]).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ops/conv.h"
#include "ops/kernel.h"
#include "ops/matmul.h"
#include "webcnn/model.h"
#include "webcnn/threads.h"

using namespace webcnn;

namespace {

// Sets the engine's thread count for one scope, restoring the previous count afterwards.
struct ThreadCountScope {
  explicit ThreadCountScope(int n) : before(thread_count()) { set_thread_count(n); }
  ~ThreadCountScope() { set_thread_count(before); }
  int before;
};

// create → prepare → run under the current thread count (prepare sizes per-thread scratch). Inputs
// flagged constant are visible to prepare().
std::vector<float> run_kernel(const Node& node, const std::vector<const Tensor*>& inputs,
                              const std::vector<bool>& constant, Shape* out_shape = nullptr) {
  auto kernel = create_kernel(node);
  REQUIRE_MESSAGE(kernel.is_ok(), kernel.status().message());
  std::vector<ValueInfo> in(inputs.size());
  std::vector<TensorView> in_views(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i]) {
      in[i].present = false;
      continue;
    }
    in[i].dtype = inputs[i]->dtype();
    in[i].shape = inputs[i]->shape();
    in[i].constant = constant[i] ? inputs[i] : nullptr;
    in_views[i] = inputs[i]->view();
  }
  std::vector<ValueInfo> out(1);
  Status st = (*kernel)->prepare(node, in, out);
  REQUIRE_MESSAGE(st.is_ok(), st.message());
  Tensor y(DataType::kFloat32, out[0].shape);
  std::vector<uint64_t> scratch(((*kernel)->scratch_bytes() + 7) / 8 + 8);
  TensorView out_view = y.view();
  KernelIO io;
  io.in = in_views.data();
  io.num_in = static_cast<int>(in_views.size());
  io.out = &out_view;
  io.num_out = 1;
  io.scratch = scratch.data();
  st = (*kernel)->run(io);
  REQUIRE_MESSAGE(st.is_ok(), st.message());
  if (out_shape) *out_shape = out[0].shape;
  return std::vector<float>(y.data<float>(), y.data<float>() + y.size());
}

Tensor random_tensor(Shape shape, std::mt19937& rng) {
  Tensor t(DataType::kFloat32, std::move(shape));
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.size(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

bool bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void check_close(const std::vector<float>& got, const std::vector<float>& want, int64_t terms) {
  REQUIRE(got.size() == want.size());
  const float tol = 1e-5f * static_cast<float>(terms) + 1e-5f;
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= tol)) {
      FAIL_CHECK("element " << i << " of " << got.size() << ": got " << got[i] << ", want " << want[i]);
      return;
    }
}

struct ConvCase {
  int64_t batch, in_c, h, w, out_c, group, kh, kw, stride, pad;
  bool constant_weights;
  int activation;  // 0 none, 1 Clip(0, 6), 2 Sigmoid
};

void set_activation(Node& node, int which) {
  if (which == 1) {
    node.attrs["fused_activation"] = Attribute::of_string("Clip");
    node.attrs["fused_min"] = Attribute::of_float(0.0f);
    node.attrs["fused_max"] = Attribute::of_float(6.0f);
  } else if (which == 2) {
    node.attrs["fused_activation"] = Attribute::of_string("Sigmoid");
  }
}

// The case in NHWC at 1 thread and at each of `thread_counts`; identical bits, and close to the reference.
void check_conv_threads(const ConvCase& k, std::mt19937& rng) {
  CAPTURE(k.in_c);
  CAPTURE(k.h);
  CAPTURE(k.w);
  CAPTURE(k.out_c);
  CAPTURE(k.group);
  CAPTURE(k.kh);
  CAPTURE(k.stride);
  Tensor x = random_tensor({k.batch, k.h, k.w, k.in_c}, rng);  // NHWC
  Tensor w = random_tensor({k.out_c, k.in_c / k.group, k.kh, k.kw}, rng);
  Tensor b = random_tensor({k.out_c}, rng);
  Node node;
  node.op = "Conv";
  node.name = "threads_conv";
  node.attrs["layout"] = Attribute::of_string("NHWC");
  node.attrs["group"] = Attribute::of_int(k.group);
  node.attrs["strides"] = Attribute::of_ints({k.stride, k.stride});
  node.attrs["pads"] = Attribute::of_ints({k.pad, k.pad, k.pad, k.pad});
  set_activation(node, k.activation);
  const std::vector<bool> constant{false, k.constant_weights, k.constant_weights};

  Shape y_shape;
  std::vector<float> one;
  {
    ThreadCountScope scope(1);
    one = run_kernel(node, {&x, &w, &b}, constant, &y_shape);
  }
  for (int threads : {2, 3, 4}) {
    ThreadCountScope scope(threads);
    CAPTURE(threads);
    CHECK(bit_identical(run_kernel(node, {&x, &w, &b}, constant), one));
  }

  // The reference works in NCHW.
  const int64_t oh = y_shape[1], ow = y_shape[2];
  Tensor x_nchw(DataType::kFloat32, {k.batch, k.in_c, k.h, k.w});
  for (int64_t n = 0; n < k.batch; ++n)
    for (int64_t c = 0; c < k.in_c; ++c)
      for (int64_t i = 0; i < k.h * k.w; ++i)
        x_nchw.data<float>()[(n * k.in_c + c) * k.h * k.w + i] = x.data<float>()[(n * k.h * k.w + i) * k.in_c + c];
  std::vector<float> want(static_cast<size_t>(k.batch * k.out_c * oh * ow));
  reference::Conv2dParams p;
  p.groups = k.group;
  p.stride_h = p.stride_w = k.stride;
  p.pad_top = p.pad_left = k.pad;
  auto act = fused_activation_from_node(node);
  REQUIRE(act.is_ok());
  reference::conv2d_nchw(x_nchw.data<float>(), x_nchw.shape(), w.data<float>(), w.shape(), b.data<float>(), p, *act,
                         want.data(), {k.batch, k.out_c, oh, ow});
  std::vector<float> one_nchw(one.size());
  for (int64_t n = 0; n < k.batch; ++n)
    for (int64_t c = 0; c < k.out_c; ++c)
      for (int64_t i = 0; i < oh * ow; ++i)
        one_nchw[static_cast<size_t>((n * k.out_c + c) * oh * ow + i)] =
            one[static_cast<size_t>((n * oh * ow + i) * k.out_c + c)];
  check_close(one_nchw, want, k.in_c / k.group * k.kh * k.kw);
}

}  // namespace

TEST_CASE("Conv on 2-4 threads is bit-identical to 1 thread and matches the reference") {
  std::mt19937 rng(2024);
  const ConvCase cases[] = {
      // 1×1 direct GEMM: many pixels (split by rows), few pixels and many channels (split by columns).
      {1, 24, 23, 19, 40, 1, 1, 1, 1, 0, true, 1},
      {1, 96, 5, 7, 168, 1, 1, 1, 1, 0, true, 0},
      {2, 32, 9, 11, 29, 1, 1, 1, 1, 0, false, 2},
      // im2col: the stem-like 3×3 stride 2, an odd-sized one, a grouped one, runtime weights.
      {1, 3, 57, 61, 32, 1, 3, 3, 2, 1, true, 1},
      {1, 13, 17, 15, 21, 1, 3, 3, 1, 1, true, 2},
      {2, 16, 12, 13, 24, 4, 3, 3, 1, 1, false, 0},
      {1, 20, 9, 9, 44, 1, 5, 5, 1, 2, true, 1},
      // Depthwise: 3×3 (unrolled kernel) stride 1 and 2, 5×5 (generic kernel), batch 2.
      {1, 48, 29, 31, 48, 48, 3, 3, 1, 1, true, 1},
      {2, 40, 22, 18, 40, 40, 3, 3, 2, 1, false, 2},
      {1, 36, 19, 23, 36, 36, 5, 5, 1, 2, true, 0},
  };
  for (const ConvCase& k : cases) check_conv_threads(k, rng);
}

TEST_CASE("MatMul and Gemm on 2-4 threads are bit-identical to 1 thread and match the reference") {
  std::mt19937 rng(77);
  // {m, k, n}: tall (row split), a classifier row (column split), square-ish with odd sizes.
  const int64_t shapes[][3] = {{301, 37, 45}, {1, 640, 1000}, {67, 129, 83}, {5, 300, 250}};
  for (const auto& s : shapes) {
    const int64_t m = s[0], k = s[1], n = s[2];
    CAPTURE(m);
    CAPTURE(k);
    CAPTURE(n);
    Tensor a = random_tensor({m, k}, rng);
    Tensor bt = random_tensor({k, n}, rng);
    Tensor c = random_tensor({n}, rng);

    Node matmul;
    matmul.op = "MatMul";
    matmul.name = "threads_matmul";
    Node gemm;
    gemm.op = "Gemm";
    gemm.name = "threads_gemm";
    gemm.attrs["alpha"] = Attribute::of_float(0.5f);
    gemm.attrs["beta"] = Attribute::of_float(2.0f);
    set_activation(gemm, 1);

    std::vector<float> mm1, gm1;
    {
      ThreadCountScope scope(1);
      mm1 = run_kernel(matmul, {&a, &bt}, {false, true});
      gm1 = run_kernel(gemm, {&a, &bt, &c}, {false, true, true});
    }
    for (int threads : {2, 3, 4}) {
      ThreadCountScope scope(threads);
      CAPTURE(threads);
      CHECK(bit_identical(run_kernel(matmul, {&a, &bt}, {false, true}), mm1));
      CHECK(bit_identical(run_kernel(matmul, {&a, &bt}, {false, false}), mm1));
      CHECK(bit_identical(run_kernel(gemm, {&a, &bt, &c}, {false, true, true}), gm1));
    }

    std::vector<float> want(static_cast<size_t>(m * n));
    reference::matmul(a.data<float>(), a.shape(), bt.data<float>(), bt.shape(), want.data(), {m, n}, FusedActivation{});
    check_close(mm1, want, k);
    auto act = fused_activation_from_node(gemm);
    REQUIRE(act.is_ok());
    reference::gemm(a.data<float>(), a.shape(), false, bt.data<float>(), bt.shape(), false, c.data<float>(), c.shape(),
                    0.5f, 2.0f, want.data(), *act);
    check_close(gm1, want, k);
  }
}

// Not a test: wall-clock medians of MobileNetV2 (models/make_mobilenetv2_onnx.py →
// models/generated/mobilenetv2.onnx, or WEBCNN_BENCH_MODEL) at 1 and 2 threads.
// Run: ./webcnn_tests_sse2 -tc='benchmark: MobileNetV2*' --no-skip
TEST_CASE("benchmark: MobileNetV2 at 1 and 2 threads" * doctest::skip()) {
  const char* env = std::getenv("WEBCNN_BENCH_MODEL");
  const std::string path = env ? env : std::string(WEBCNN_SOURCE_DIR) + "/models/generated/mobilenetv2.onnx";
  const int runs = std::getenv("WEBCNN_BENCH_RUNS") ? std::atoi(std::getenv("WEBCNN_BENCH_RUNS")) : 20;
  std::mt19937 rng(1);
  std::vector<float> out_one;
  for (int threads : {1, 2, 1, 2}) {
    ThreadCountScope scope(threads);
    auto model = Model::load_file(path);
    REQUIRE_MESSAGE(model.is_ok(), model.status().message());
    const TensorSpec& spec = (*model)->inputs()[0];
    Tensor x = random_tensor(spec.shape, rng);
    rng.seed(1);
    std::map<std::string, const Tensor*> feed{{spec.name, &x}};
    std::vector<double> ms;
    std::vector<float> out;
    for (int i = 0; i < runs + 2; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      auto y = (*model)->run(feed);
      const auto t1 = std::chrono::steady_clock::now();
      REQUIRE(y.is_ok());
      if (i >= 2) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      out.assign(y->at(0).data<float>(), y->at(0).data<float>() + y->at(0).size());
    }
    if (threads == 1) out_one = out;
    else CHECK(bit_identical(out, out_one));
    std::sort(ms.begin(), ms.end());
    MESSAGE(threads << " thread(s): median " << ms[ms.size() / 2] << " ms, min " << ms.front() << " ms over " << runs
                    << " runs");
  }
}
