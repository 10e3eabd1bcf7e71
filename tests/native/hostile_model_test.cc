// Hostile model files: real conformance models truncated and corrupted (fixed seed), and hand-made
// protos with absurd sizes and broken structure. Every attempt must end in a clean error or a valid
// run, never a crash (this file also runs under AddressSanitizer), and errors must say what is wrong.
#include <doctest/doctest.h>

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

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

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
    overflow.packed_varints(1, {int64_t{1} << 33, int64_t{1} << 33, int64_t{1} << 33}).varint(2, kOnnxFloat).string(8, "w");
    m.initializers = {overflow};
    CHECK(contains(import_error(m.bytes()), "2^31-1 elements"));
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
    CHECK(contains(import_error(m2.bytes()), "TensorProto field 1 (dims): expected varint or packed varints, got fixed64"));
  }
  SUBCASE("a node reading a tensor nobody produces") {
    OnnxModel m = base();
    m.nodes.push_back(node("Add", {"x", "ghost"}, {"y"}, {}, "adder"));
    CHECK(import_error(m.bytes()) == "Add 'adder': input 'ghost' is not produced by any node, initializer or graph input");
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
    CHECK(contains(import_error(m3.bytes()), "ConstantOfShape 'fill': attribute 'value': tensor '': raw_data has 3 bytes"));
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
