// Hostile model files: real conformance models truncated and corrupted (fixed seed), and hand-made
// protos with absurd sizes and broken structure. Every attempt must end in a clean error or a valid
// run, never a crash (this file also runs under AddressSanitizer), and errors must say what is wrong.
// Then the resource limits: the memory budget (intermediates, folded constants) and re-planning.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <random>

#include "import/model_import.h"
#include "support/onnx_test_data.h"
#include "support/protobuf_writer.h"
#include "webcnn/model.h"

using namespace webcnn;
using namespace webcnn_test;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

struct Tally {
  int import_errors = 0, load_errors = 0, run_errors = 0, runs = 0;
};

// Imports, loads (plans) and, when inputs are reasonably small, runs. Returns the error, if any.
std::string attempt(const std::vector<uint8_t>& bytes, Tally& tally) {
  Result<Graph> g = import_onnx(bytes.data(), bytes.size());
  if (!g.is_ok()) {
    ++tally.import_errors;
    return g.status().message();
  }
  ModelOptions options;
  options.memory_budget = size_t{64} << 20;  // corrupted dims must fail the budget, not exhaust the machine
  auto model = Model::from_graph(std::move(g).value(), options);
  if (!model.is_ok()) {
    ++tally.load_errors;
    return model.status().message();
  }
  std::vector<Tensor> inputs;
  std::map<std::string, const Tensor*> feed;
  inputs.reserve(model.value()->inputs().size());
  for (const TensorSpec& spec : model.value()->inputs()) {
    Shape shape = spec.shape;
    for (int64_t& d : shape) d = d < 0 ? 1 : d;
    Result<int64_t> n = checked_num_elements(shape);
    if (!n.is_ok() || n.value() > (int64_t{1} << 20)) return "";  // a declared input too big to feed in a test
    inputs.emplace_back(spec.dtype, shape);
    feed[spec.name] = &inputs.back();
  }
  auto out = model.value()->run(feed);
  if (!out.is_ok()) {
    ++tally.run_errors;
    return out.status().message();
  }
  ++tally.runs;
  return "";
}

const char* kCorpus[][2] = {
    {"node", "test_conv_with_strides_padding"},
    {"node", "test_softmax_axis_1"},
    {"node", "test_resize_upsample_sizes_nearest"},
    {"pytorch-converted", "test_Conv2d_groups"},
    {"pytorch-converted", "test_Conv3d_groups"},
    {"pytorch-operator", "test_operator_conv"},  // the largest of the small pytorch exports (7.7 KB)
};

}  // namespace

TEST_CASE("hostile models: truncated and byte-flipped conformance models fail cleanly") {
  if (!std::filesystem::exists(onnx_test_data_root())) {
    MESSAGE("ONNX test data not installed; skipping");
    return;
  }
  std::mt19937 rng(20261127);
  Tally tally;
  int attempts = 0;
  for (const auto& c : kCorpus) {
    std::vector<uint8_t> original;
    if (!read_file_bytes(onnx_case_dir(c[0], c[1]) / "model.onnx", original)) continue;
    INFO(c[1]);
    // Prefixes: each cuts a field (or a message) short somewhere. Every offset in the first 1 KB (the
    // headers and graph structure), every fifth one after that (mostly weights) to keep the test quick.
    for (size_t cut = 0; cut < original.size(); cut += cut < 1024 ? 1 : 5) {
      std::vector<uint8_t> b(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(cut));
      std::string err = attempt(b, tally);
      ++attempts;
      (void)err;
    }
    // Random corruption: 1-4 bytes xor'ed with a random non-zero value.
    for (int trial = 0; trial < 200; ++trial) {
      std::vector<uint8_t> b = original;
      int flips = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < flips; ++k) b[rng() % b.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
      std::string err = attempt(b, tally);
      ++attempts;
      (void)err;
    }
  }
  MESSAGE("hostile: " << attempts << " attempts: " << tally.import_errors << " import errors, " << tally.load_errors
                      << " load errors, " << tally.run_errors << " run errors, " << tally.runs << " runs");
  CHECK(attempts > 1000);
  CHECK(tally.import_errors > 0);
}

TEST_CASE("hostile models: hand-made protos give errors that say what is wrong") {
  auto base = [] {
    OnnxModel m;
    m.inputs = {value_info("x", kOnnxFloat, {1, 4})};
    m.outputs = {value_info("y", kOnnxFloat, {})};
    return m;
  };
  auto import_error = [](const std::vector<uint8_t>& b) {
    Result<Graph> g = import_onnx(b.data(), b.size());
    REQUIRE_FALSE(g.is_ok());
    return g.status().message();
  };
  auto load_error = [](const std::vector<uint8_t>& b) {
    ModelOptions options;
    options.memory_budget = size_t{64} << 20;
    auto m = Model::load_onnx(b.data(), b.size(), options);
    REQUIRE_FALSE(m.is_ok());
    return m.status().message();
  };

  SUBCASE("empty and garbage files") {
    CHECK(contains(import_error({}), "empty"));
    std::string text = "{\"format\": \"graph-model\"}";
    std::vector<uint8_t> json(text.begin(), text.end());
    CHECK_FALSE(import_error(json).empty());
  }
  SUBCASE("initializer of 2^40 elements, negative dims, overflowing products") {
    OnnxModel m = base();
    m.nodes.push_back(node("Add", {"x", "w"}, {"y"}));
    ProtoWriter huge;
    huge.packed_varints(1, {int64_t{1} << 40}).varint(2, kOnnxFloat).string(8, "w");
    m.initializers = {huge};
    std::string e = import_error(m.bytes());
    CHECK(contains(e, "tensor 'w'"));
    CHECK(contains(e, "2^31-1 elements"));

    ProtoWriter negative;
    negative.packed_varints(1, {4, -2}).varint(2, kOnnxFloat).string(8, "w").blob(9, "", 0);
    m.initializers = {negative};
    CHECK(contains(import_error(m.bytes()), "negative dimension"));

    ProtoWriter overflow;  // 2^33 * 2^33 * 2^33 wraps int64 if multiplied naively
    overflow.packed_varints(1, {int64_t{1} << 33, int64_t{1} << 33, int64_t{1} << 33})
        .varint(2, kOnnxFloat)
        .string(8, "w");
    m.initializers = {overflow};
    CHECK(contains(import_error(m.bytes()), "2^31-1 elements"));
  }
  SUBCASE("a node without outputs is refused by name (fuzz regression onnx_load_run_fuzzer/node-without-outputs)") {
    OnnxModel m = base();
    m.nodes.push_back(node("Identity", {"x"}, {"y"}));
    m.nodes.push_back(node("MatMul", {"x", "x"}, {}, {}, "lost"));
    std::string e = load_error(m.bytes());
    CHECK(contains(e, "'lost'"));
    CHECK(contains(e, "has no outputs"));
  }
  SUBCASE("graph input with absurd declared dims") {
    OnnxModel m;
    m.inputs = {value_info("x", kOnnxFloat, {int64_t{1} << 40, int64_t{1} << 40})};
    m.outputs = {value_info("y", kOnnxFloat, {})};
    m.nodes.push_back(node("Identity", {"x"}, {"y"}));
    std::string e = load_error(m.bytes());
    CHECK(contains(e, "elements"));
  }
  SUBCASE("wrong wire types") {
    ProtoWriter model;
    model.varint(1, 8).varint(7, 5);  // graph as a varint
    CHECK(import_error(model.bytes) == "ModelProto field 7 (graph): expected length-delimited, got varint");

    OnnxModel m = base();
    ProtoWriter bad_node;
    bad_node.string(1, "x").string(2, "y").fixed32(4, 1);  // op_type as fixed32
    m.nodes.push_back(bad_node);
    CHECK(import_error(m.bytes()) == "NodeProto field 4 (op_type): expected length-delimited, got fixed32");

    ProtoWriter bad_dims;
    bad_dims.fixed64(1, 3).varint(2, kOnnxFloat).string(8, "w");
    OnnxModel m2 = base();
    m2.initializers = {bad_dims};
    CHECK(contains(import_error(m2.bytes()),
                   "TensorProto field 1 (dims): expected varint or packed varints, got fixed64"));
  }
  SUBCASE("a node reading a tensor nobody produces") {
    OnnxModel m = base();
    m.nodes.push_back(node("Add", {"x", "ghost"}, {"y"}, {}, "adder"));
    CHECK(import_error(m.bytes()) ==
          "Add 'adder': input 'ghost' is not produced by any node, initializer or graph input");
  }
  SUBCASE("an output produced twice, a graph output nobody produces") {
    OnnxModel m = base();
    m.nodes.push_back(node("Relu", {"x"}, {"y"}));
    m.nodes.push_back(node("Relu", {"x"}, {"y"}, {}, "again"));
    CHECK(contains(import_error(m.bytes()), "output 'y' is already produced elsewhere"));
    OnnxModel m2 = base();
    m2.nodes.push_back(node("Relu", {"x"}, {"z"}));
    CHECK(contains(import_error(m2.bytes()), "graph output 'y' is not produced"));
  }
  SUBCASE("a cycle") {
    OnnxModel m = base();
    m.nodes.push_back(node("Add", {"x", "b"}, {"a"}, {}, "first"));
    m.nodes.push_back(node("Relu", {"a"}, {"b"}, {}, "second"));
    m.nodes.push_back(node("Relu", {"b"}, {"y"}));
    CHECK(contains(import_error(m.bytes()), "cycle"));
  }
  SUBCASE("attributes of the wrong type") {
    OnnxModel m = base();
    m.opset = 6;
    m.nodes.push_back(node("Clip", {"x"}, {"y"}, {attr_string("min", "low")}, "clamp"));
    CHECK(import_error(m.bytes()) == "Clip 'clamp': attribute 'min' should be a float, got a string");

    OnnxModel m2 = base();
    m2.opset = 11;
    m2.nodes.push_back(node("Unsqueeze", {"x"}, {"y"}, {attr_float("axes", 1.0f)}, "u"));
    CHECK(import_error(m2.bytes()) == "Unsqueeze 'u': attribute 'axes' should be a list of ints, got a float");

    OnnxModel m3 = base();  // a tensor attribute whose tensor is broken
    ProtoWriter t;
    t.varint(1, 4).varint(2, kOnnxFloat).blob(9, "abc", 3);
    m3.nodes.push_back(node("ConstantOfShape", {"x"}, {"y"}, {attr_tensor("value", t)}, "fill"));
    CHECK(contains(import_error(m3.bytes()),
                   "ConstantOfShape 'fill': attribute 'value': tensor '': raw_data has 3 bytes"));
  }
  SUBCASE("raw_data length mismatch") {
    OnnxModel m = base();
    m.nodes.push_back(node("Add", {"x", "w"}, {"y"}));
    ProtoWriter w;
    w.packed_varints(1, {1, 4}).varint(2, kOnnxFloat).string(8, "w").blob(9, "0123456789", 10);
    m.initializers = {w};
    CHECK(import_error(m.bytes()) == "tensor 'w': raw_data has 10 bytes, but [1,4] of float32 needs 4 x 4 bytes");
  }
  SUBCASE("deeply nested subgraphs") {
    ProtoWriter g;
    g.message(1, node("Relu", {"x"}, {"y"}));
    for (int depth = 0; depth < 100; ++depth) {
      ProtoWriter attr;
      attr.string(1, "body").varint(20, kAttrGraph).message(6, g);
      ProtoWriter n;
      n.string(1, "x").string(2, "y").string(4, "If").message(5, attr);
      ProtoWriter outer;
      outer.message(1, n);
      g = outer;
    }
    ProtoWriter opset;
    opset.varint(2, 13);
    ProtoWriter model;
    model.varint(1, 8).message(8, opset).message(7, g);
    CHECK(contains(import_error(model.bytes), "nested deeper than 32 levels"));
  }
  SUBCASE("length prefix larger than the file") {
    std::vector<uint8_t> b = {0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0a};  // field 7 claims ~4 GiB
    CHECK(contains(import_error(b), "runs past the end of the data"));
  }
}

// ---- Resource limits: the memory budget, and re-planning when input shapes change ----

namespace {

Result<std::unique_ptr<Model>> load_with_budget(const std::vector<uint8_t>& bytes, size_t budget) {
  ModelOptions options;
  options.memory_budget = budget;
  return Model::load_onnx(bytes.data(), bytes.size(), options);
}

}  // namespace

TEST_CASE("memory budget: intermediates over ModelOptions::memory_budget are refused at load") {
  // x [1,512,1024] (2 MiB) → Relu → Neg → Add(relu, neg): four 2 MiB tensors; at the Add its two inputs and
  // its output are alive together, so the plan needs at least 6 MiB unless it works in place, at least 2 MiB
  // (the output) in any case, and never more than the four tensors' 8 MiB.
  OnnxModel m;
  m.inputs = {value_info("x", kOnnxFloat, {1, 512, 1024})};
  m.outputs = {value_info("y", kOnnxFloat, {1, 512, 1024})};
  m.nodes = {node("Relu", {"x"}, {"a"}), node("Neg", {"a"}, {"b"}), node("Add", {"a", "b"}, {"y"})};
  const std::vector<uint8_t> bytes = m.bytes();

  auto roomy = load_with_budget(bytes, size_t{64} << 20);
  REQUIRE_MESSAGE(roomy.is_ok(), roomy.status().message());
  auto summary = roomy.value()->summary();
  REQUIRE(summary.is_ok());
  const size_t arena = summary.value().arena_bytes;
  CHECK(arena >= (size_t{2} << 20));
  CHECK(arena <= (size_t{8} << 20));
  const size_t need = arena + (size_t{2} << 20);  // plus the output each run copies out

  CHECK(load_with_budget(bytes, need).is_ok());  // the budget is inclusive
  auto tight = load_with_budget(bytes, need - 1);
  REQUIRE_FALSE(tight.is_ok());
  CHECK(tight.status().code() == StatusCode::kResourceExhausted);
  CHECK(contains(tight.status().message(), "MiB for its outputs, over the memory budget"));
  auto no_room_for_intermediates = load_with_budget(bytes, arena - 1);
  REQUIRE_FALSE(no_room_for_intermediates.is_ok());
  CHECK(contains(no_room_for_intermediates.status().message(), "intermediate tensors, over the memory budget"));
  auto small = load_with_budget(bytes, size_t{1} << 20);
  REQUIRE_FALSE(small.is_ok());
  CHECK(contains(small.status().message(), "over the memory budget of 1 MiB"));
}

TEST_CASE("memory budget: a huge intermediate from a few bytes of file is refused, not allocated") {
  // Expand of a [1] input to [32768, 32768] floats: 4 GiB from a 60-byte file.
  OnnxModel m;
  m.inputs = {value_info("x", kOnnxFloat, {1})};
  m.outputs = {value_info("y", kOnnxFloat, {})};
  m.initializers = {int64_tensor("shape", {2}, {32768, 32768})};
  m.nodes = {node("Expand", {"x", "shape"}, {"y"}, {}, "grow")};
  auto model = load_with_budget(m.bytes(), size_t{64} << 20);
  REQUIRE_FALSE(model.is_ok());
  // 64-bit builds reach the budget check; in wasm32 the tensor is refused earlier as unaddressable.
  CHECK((contains(model.status().message(), "memory budget") || contains(model.status().message(), "can address")));
}

TEST_CASE("memory budget: the outputs a load's run copies out count too") {
  // Expand of a [1] input to [200e6] floats: an 800 MB arena fits a 1 GiB budget, but the run at load
  // then copied the 800 MB output out as well (1.5 GiB held, 7.5 s from a 79-byte file). Refused at planning.
  OnnxModel m;
  m.inputs = {value_info("x", kOnnxFloat, {1})};
  m.outputs = {value_info("y", kOnnxFloat, {})};
  m.initializers = {int64_tensor("shape", {1}, {200000000})};
  m.nodes = {node("Expand", {"x", "shape"}, {"y"}, {}, "grow")};
  auto model = load_with_budget(m.bytes(), size_t{1} << 30);
  REQUIRE_FALSE(model.is_ok());
  CHECK(model.status().code() == StatusCode::kResourceExhausted);
  CHECK(model.status().message() ==
        "the model needs 762 MiB for intermediate tensors and 762 MiB for its outputs, over the memory budget of "
        "1024 MiB");
}

TEST_CASE("memory budget: constant folding cannot be made to allocate what the file does not justify") {
  // ConstantOfShape of a constant [32768, 32768] would fold into a 4 GiB constant at load. It is left to
  // run time instead, where its output counts against the budget like any intermediate.
  OnnxModel huge;
  huge.inputs = {value_info("x", kOnnxFloat, {1})};
  huge.outputs = {value_info("y", kOnnxFloat, {})};
  huge.initializers = {int64_tensor("shape", {2}, {32768, 32768})};
  huge.nodes = {
      node("ConstantOfShape", {"shape"}, {"c"}, {attr_tensor("value", float_tensor("v", {1}, {1.0f}))}, "fill"),
      node("Add", {"x", "c"}, {"y"})};
  auto refused = load_with_budget(huge.bytes(), size_t{64} << 20);
  REQUIRE_FALSE(refused.is_ok());
  CHECK((contains(refused.status().message(), "memory budget") || contains(refused.status().message(), "can address")));

  // The same graph at a small size still folds and computes x + 1.
  OnnxModel small = huge;
  small.initializers = {int64_tensor("shape", {2}, {2, 3})};
  auto model = load_with_budget(small.bytes(), size_t{64} << 20);
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  Tensor x(DataType::kFloat32, {1});
  x.data<float>()[0] = 2.5f;
  auto out = model.value()->run({{"x", &x}});
  REQUIRE(out.is_ok());
  REQUIRE(out.value()[0].shape() == Shape{2, 3});
  for (int i = 0; i < 6; ++i) CHECK(out.value()[0].data<float>()[i] == 3.5f);
}

TEST_CASE("node limit: a graph over ModelOptions::max_nodes is refused before planning, with the numbers") {
  // A chain of 50 Relu nodes: loads under the default limit, refused with a limit of 49.
  OnnxModel m;
  m.inputs = {value_info("x", kOnnxFloat, {1, 4})};
  m.outputs = {value_info("y", kOnnxFloat, {1, 4})};
  for (int i = 0; i < 50; ++i)
    m.nodes.push_back(
        node("Relu", {i == 0 ? "x" : "t" + std::to_string(i - 1)}, {i == 49 ? "y" : "t" + std::to_string(i)}));
  const std::vector<uint8_t> bytes = m.bytes();
  CHECK(ModelOptions{}.max_nodes >= 100000);
  auto fine = Model::load_onnx(bytes.data(), bytes.size(), ModelOptions{});
  CHECK_MESSAGE(fine.is_ok(), fine.status().message());
  ModelOptions tight;
  tight.max_nodes = 50;
  CHECK(Model::load_onnx(bytes.data(), bytes.size(), tight).is_ok());  // the limit is inclusive
  tight.max_nodes = 49;
  auto refused = Model::load_onnx(bytes.data(), bytes.size(), tight);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == StatusCode::kResourceExhausted);
  CHECK(refused.status().message() == "the model has 50 nodes, over the limit of 49 (ModelOptions::max_nodes)");
}

TEST_CASE("re-planning: runs with a different input shape than the last re-plan, none reuses a stale arena") {
  // y = Concat(Relu(x * c), x) on axis 0, x [N,3] with N free: every intermediate's size follows N.
  OnnxModel m;
  m.inputs = {value_info("x", kOnnxFloat, {-1, 3})};
  m.outputs = {value_info("y", kOnnxFloat, {-1, 3})};
  m.initializers = {float_tensor("c", {3}, {1.0f, -2.0f, 0.5f})};
  m.nodes = {node("Mul", {"x", "c"}, {"a"}), node("Relu", {"a"}, {"b"}),
             node("Concat", {"b", "x"}, {"y"}, {attr_int("axis", 0)})};
  auto model = load_with_budget(m.bytes(), size_t{64} << 20);
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  const float c[3] = {1.0f, -2.0f, 0.5f};
  // Growing, shrinking, growing again, and back to a shape seen before.
  for (int64_t n : {2, 7, 1, 300, 7, 2}) {
    INFO("N = " << n);
    Tensor x(DataType::kFloat32, {n, 3});
    for (int64_t i = 0; i < n * 3; ++i) x.data<float>()[i] = static_cast<float>((i * 7) % 11) - 5.0f;
    auto out = model.value()->run({{"x", &x}});
    REQUIRE_MESSAGE(out.is_ok(), out.status().message());
    const Tensor& y = out.value()[0];
    REQUIRE(y.shape() == Shape{2 * n, 3});
    for (int64_t i = 0; i < n * 3; ++i) {
      const float xi = x.data<float>()[i];
      CHECK(y.data<float>()[i] == std::max(0.0f, xi * c[i % 3]));
      CHECK(y.data<float>()[n * 3 + i] == xi);
    }
  }
  Tensor wrong_rank(DataType::kFloat32, {2, 3, 1});
  auto refused = model.value()->run({{"x", &wrong_rank}});
  REQUIRE_FALSE(refused.is_ok());
  CHECK(contains(refused.status().message(), "must have shape"));
}

TEST_CASE("a model whose output is a float32 scalar runs (fuzz regression reducemin-scalar-output)") {
  // The plan's run() used to keep the caller's default-constructed output Tensor, which has a float32
  // scalar's dtype and shape but no storage, and copy the result into its null pointer.
  OnnxModel m;
  m.inputs = {value_info("x", kOnnxFloat, {2, 3})};
  m.outputs = {value_info("y", kOnnxFloat, {})};
  m.nodes = {node("ReduceMin", {"x"}, {"y"}, {attr_int("keepdims", 0)})};
  auto model = load_with_budget(m.bytes(), size_t{64} << 20);
  REQUIRE_MESSAGE(model.is_ok(), model.status().message());
  Tensor x(DataType::kFloat32, {2, 3});
  const float values[6] = {4.0f, -1.5f, 3.0f, 0.25f, 7.0f, -0.5f};
  std::copy(values, values + 6, x.data<float>());
  auto out = model.value()->run({{"x", &x}});
  REQUIRE_MESSAGE(out.is_ok(), out.status().message());
  REQUIRE(out.value()[0].shape() == Shape{});
  CHECK(out.value()[0].data<float>()[0] == -1.5f);
}

TEST_CASE("ONNX inputs: dims below -1 are refused, not read as free dims") {
  auto dims_input = [](int64_t bad) {
    ProtoWriter shape, d0, d1;
    d0.varint(1, 1);
    d1.varint(1, static_cast<uint64_t>(bad));
    shape.message(1, d0).message(1, d1);
    ProtoWriter tensor_type, type, vi;
    tensor_type.varint(1, kOnnxFloat).message(2, shape);
    type.message(1, tensor_type);
    vi.string(1, "x").message(2, type);
    OnnxModel m;
    m.inputs = {vi};
    m.outputs = {value_info("y", kOnnxFloat, {})};
    m.nodes.push_back(node("Relu", {"x"}, {"y"}));
    return m.bytes();
  };
  for (int64_t bad : {int64_t{-5}, INT64_MIN}) {
    CAPTURE(bad);
    const std::vector<uint8_t> b = dims_input(bad);
    auto r = Model::load_onnx(b.data(), b.size());
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kInvalidModel);
    CHECK_MESSAGE(contains(r.status().message(), "'x' declares dimension 1 as " + std::to_string(bad)),
                  r.status().message());
  }
  const std::vector<uint8_t> unknown = dims_input(-1);  // -1 still means unknown
  CHECK(Model::load_onnx(unknown.data(), unknown.size()).is_ok());
}
