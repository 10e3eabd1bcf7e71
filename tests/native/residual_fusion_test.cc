// Residual Adds fused into convolutions (passes/fuse_residual_add.cc, ops/conv.cc's 4th input):
// Conv → Add(·, skip) → activation as ONNX models and TF.js graphs write a residual block. Checks that the
// pass fuses exactly the Adds it may (the Add node disappears, the Conv gains the input), and that the
// model's output equals an oracle written here: the naive reference convolution (ops/conv.h), then the
// Add and the activation element by element. Every conv path is covered: 1×1 straight on NHWC rows, k×k
// through im2col tiles, depthwise; clamp (Relu, Clip) and other (Sigmoid) activations; on 2 threads the
// output is bit-identical to 1 thread. Tolerance: |a − b| ≤ 1e-5·(1 + |b|) (float32 against the
// double-accumulating reference, values in [-1, 1], at most 3·3·16 terms).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "graph/graph.h"
#include "ops/conv.h"
#include "passes/passes.h"
#include "passes/shape_inference.h"
#include "support/graph_building.h"
#include "webcnn/model.h"
#include "webcnn/threads.h"

using namespace webcnn;
using namespace webcnn::test_graph;

namespace {

Tensor scalar(float v) {
  Tensor t(DataType::kFloat32, {});
  t.data<float>()[0] = v;
  return t;
}

struct Block {
  int64_t channels = 8, out_channels = 8, height = 9, width = 7, kernel = 1, group = 1;
  std::string activation;         // "", "Relu", "Clip" (0..6) or "Sigmoid"
  bool skip_first = false;        // Add(skip, conv) instead of Add(conv, skip)
  bool conv_also_output = false;  // the conv's output is a graph output too: must not fuse
};

struct BlockModel {
  Graph graph;
  Tensor w, b;
};

// x [1,H,W,C] → Conv (NHWC, pad k/2, bias) → Add with skip [1,H,W,O] → activation → y, as the TF.js importer
// writes a residual block (ONNX's NCHW blocks reach the same form after convert_to_nhwc/sink_transposes).
BlockModel make_block(const Block& blk, std::mt19937& rng) {
  BlockModel m;
  m.w = random_tensor({blk.out_channels, blk.channels / blk.group, blk.kernel, blk.kernel}, rng);
  m.b = random_tensor({blk.out_channels}, rng);
  Graph& g = m.graph;
  ValueId x = add_input(g, "x", {1, blk.height, blk.width, blk.channels});
  ValueId skip = add_input(g, "skip", {1, blk.height, blk.width, blk.out_channels});
  const int64_t p = blk.kernel / 2;
  const std::vector<int64_t> pads = {p, p, p, p};
  ValueId c = add_node(g, "Conv", "conv", {x, g.add_constant("w", m.w), g.add_constant("b", m.b)},
                       {{"pads", Attribute::of_ints(pads)},
                        {"group", Attribute::of_int(blk.group)},
                        {"layout", Attribute::of_string("NHWC")}});
  ValueId sum =
      add_node(g, "Add", "add", blk.skip_first ? std::vector<ValueId>{skip, c} : std::vector<ValueId>{c, skip});
  ValueId y = sum;
  if (blk.activation == "Clip") {
    y = add_node(g, "Clip", "act", {sum, g.add_constant("lo", scalar(0.0f)), g.add_constant("hi", scalar(6.0f))});
  } else if (!blk.activation.empty()) {
    y = add_node(g, blk.activation, "act", {sum});
  }
  g.outputs.push_back(y);
  if (blk.conv_also_output) g.outputs.push_back(c);
  return m;
}

float activate(const std::string& act, float v) {
  if (act == "Relu") return std::max(v, 0.0f);
  if (act == "Clip") return std::min(std::max(v, 0.0f), 6.0f);
  if (act == "Sigmoid") return 1.0f / (1.0f + std::exp(-v));
  return v;
}

// [1,A,B,C] → [1,C,A,B] (to_channels_first) or [1,B,C,A] (back).
Tensor rotate(const Tensor& t, bool to_channels_first) {
  const Shape& s = t.shape();
  Tensor out(DataType::kFloat32, to_channels_first ? Shape{1, s[3], s[1], s[2]} : Shape{1, s[2], s[3], s[1]});
  for (int64_t a = 0; a < s[1]; ++a)
    for (int64_t b = 0; b < s[2]; ++b)
      for (int64_t c = 0; c < s[3]; ++c) {
        const int64_t to = to_channels_first ? (c * s[1] + a) * s[2] + b : (b * s[3] + c) * s[1] + a;
        out.data<float>()[to] = t.data<float>()[(a * s[2] + b) * s[3] + c];
      }
  return out;
}

// The oracle: naive NCHW convolution, then the Add and the activation (NHWC).
std::vector<float> oracle(const Block& blk, const BlockModel& m, const Tensor& x, const Tensor& skip) {
  const Tensor x_nchw = rotate(x, true);
  Tensor conv(DataType::kFloat32, {1, blk.out_channels, blk.height, blk.width});
  reference::Conv2dParams p;
  p.groups = blk.group;
  p.pad_top = p.pad_left = blk.kernel / 2;
  reference::conv2d_nchw(x_nchw.data<float>(), x_nchw.shape(), m.w.data<float>(), m.w.shape(), m.b.data<float>(), p,
                         FusedActivation{}, conv.data<float>(), conv.shape());
  const Tensor conv_nhwc = rotate(conv, false);
  std::vector<float> y(static_cast<size_t>(conv_nhwc.size()));
  for (size_t i = 0; i < y.size(); ++i)
    y[i] = activate(blk.activation, conv_nhwc.data<float>()[i] + skip.data<float>()[i]);
  return y;
}

// The node ops left after the full pass pipeline, and the Conv's input count.
std::pair<std::map<std::string, int>, size_t> after_passes(Graph g) {
  REQUIRE(infer_shapes_and_fold_constants(g).is_ok());
  Status st = run_graph_passes(g, true);
  REQUIRE_MESSAGE(st.is_ok(), st.message());
  size_t conv_inputs = 0;
  for (const Node& n : g.nodes)
    if (n.op == "Conv") conv_inputs = n.inputs.size();
  return {g.op_histogram(), conv_inputs};
}

std::vector<float> run_model(Graph g, const Tensor& x, const Tensor& skip) {
  auto model = Model::from_graph(std::move(g));
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  auto out = model.value()->run({{"x", &x}, {"skip", &skip}});
  REQUIRE_MESSAGE(out.is_ok(), out.status().message());
  const Tensor& y = out.value()[0];
  return std::vector<float>(y.data<float>(), y.data<float>() + y.size());
}

void check_block(const Block& blk) {
  std::mt19937 rng(static_cast<unsigned>(blk.kernel * 131 + blk.group * 7 + blk.out_channels));
  BlockModel m = make_block(blk, rng);
  Tensor x = random_tensor({1, blk.height, blk.width, blk.channels}, rng);
  Tensor skip = random_tensor({1, blk.height, blk.width, blk.out_channels}, rng);

  const auto fused = after_passes(m.graph);
  std::map<std::string, int> ops = fused.first;
  const size_t conv_inputs = fused.second;
  if (blk.conv_also_output) {
    CHECK(ops["Add"] == 1);
    CHECK(conv_inputs == 3);
  } else {
    CHECK(ops.count("Add") == 0);
    CHECK(ops.count(blk.activation.empty() ? "Add" : blk.activation) == 0);  // the activation fused too
    CHECK(conv_inputs == 4);
  }

  const std::vector<float> want = oracle(blk, m, x, skip);
  const std::vector<float> got = run_model(m.graph, x, skip);
  REQUIRE(got.size() == want.size());
  int64_t bad = 0;
  for (size_t i = 0; i < want.size(); ++i) bad += !(std::fabs(got[i] - want[i]) <= 1e-5f * (1.0f + std::fabs(want[i])));
  CHECK(bad == 0);

  if (max_thread_count() >= 2) {  // row/column splits hand each task its slice of the residual
    const int before = thread_count();
    set_thread_count(2);
    const std::vector<float> two = run_model(m.graph, x, skip);
    set_thread_count(before);
    CHECK(std::memcmp(two.data(), got.data(), got.size() * sizeof(float)) == 0);
  }
}

}  // namespace

TEST_CASE("residual fusion: 1x1 conv (NHWC rows as GEMM A) + Add + Relu") { check_block({16, 24, 9, 7, 1, 1, "Relu"}); }

TEST_CASE("residual fusion: 3x3 conv through im2col + Add, no activation, skip as first operand") {
  Block b{6, 37, 11, 9, 3, 1, ""};
  b.skip_first = true;
  check_block(b);
}

TEST_CASE("residual fusion: grouped 3x3 conv + Add + Sigmoid (activation applied after the residual)") {
  check_block({8, 12, 6, 5, 3, 2, "Sigmoid"});
}

TEST_CASE("residual fusion: depthwise 3x3 + Add + Clip(0, 6)") { check_block({12, 12, 10, 8, 3, 12, "Clip"}); }

TEST_CASE("residual fusion: a conv output read elsewhere too keeps its Add") {
  Block b{8, 8, 5, 5, 1, 1, "Relu"};
  b.conv_also_output = true;
  check_block(b);
}

TEST_CASE("residual fusion: a big 1x1 block split over threads") { check_block({32, 64, 40, 36, 1, 1, "Relu"}); }
