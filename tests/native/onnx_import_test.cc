// Unit tests of the ONNX importer: the protobuf wire reader, TensorProto conversion, and the rewrite of
// older opsets into the opset-18 form. Models are built byte by byte (support/protobuf_writer.h).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "import/model_import.h"
#include "import/onnx/onnx_proto.h"
#include "import/onnx/protobuf_reader.h"
#include "ops/kernel.h"
#include "support/protobuf_writer.h"
#include "webcnn/model.h"

using namespace webcnn;
using namespace webcnn_test;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

const Node* find_node(const Graph& g, const std::string& op, size_t nth = 0) {
  for (const Node& n : g.nodes)
    if (n.op == op && nth-- == 0) return &n;
  return nullptr;
}

std::vector<int64_t> constant_ints(const Graph& g, ValueId id) {
  REQUIRE(id != kNoValue);
  REQUIRE(g.value(id).constant.get() != nullptr);
  return g.value(id).constant->to_int64_vector();
}

std::vector<float> constant_floats(const Graph& g, ValueId id) {
  REQUIRE(id != kNoValue);
  REQUIRE(g.value(id).constant.get() != nullptr);
  return g.value(id).constant->to_float_vector();
}

Graph import_ok(const OnnxModel& m) {
  std::vector<uint8_t> b = m.bytes();
  Result<Graph> g = import_onnx(b.data(), b.size());
  INFO(g.status().message());
  REQUIRE(g.is_ok());
  return std::move(g).value();
}

std::string import_error(const std::vector<uint8_t>& b) {
  Result<Graph> g = import_onnx(b.data(), b.size());
  REQUIRE_FALSE(g.is_ok());
  return g.status().message();
}

// x [1,3,4,4] → op → y, the most common shape of a test model.
OnnxModel single_node(int64_t opset, const ProtoWriter& n, std::vector<int64_t> dims = {1, 3, 4, 4}) {
  OnnxModel m;
  m.opset = opset;
  m.inputs.push_back(value_info("x", kOnnxFloat, dims));
  m.outputs.push_back(value_info("y", kOnnxFloat, {}));
  m.nodes.push_back(n);
  return m;
}

}  // namespace

TEST_CASE("protobuf reader: varints, fixed widths, strings and unknown fields") {
  // Field 1 varint 300 (AC 02), field 2 fixed32, field 3 fixed64, field 4 string, field 15 varint.
  ProtoWriter w;
  w.varint(1, 300).fixed32(2, 0xdeadbeef).fixed64(3, 0x0123456789abcdefULL).string(4, "hi").varint(15, UINT64_MAX);
  REQUIRE(w.bytes[0] == 0x08);
  REQUIRE(w.bytes[1] == 0xAC);
  REQUIRE(w.bytes[2] == 0x02);
  pb::Reader r(w.bytes.data(), w.bytes.size(), "Test");
  auto f1 = r.next();
  REQUIRE(f1.is_ok());
  CHECK(r.int64(f1.value(), "a").value() == 300);
  auto f2 = r.next();
  CHECK(f2->wire == pb::WireType::kFixed32);
  CHECK(f2->scalar == 0xdeadbeef);
  auto f3 = r.next();
  CHECK(f3->scalar == 0x0123456789abcdefULL);
  auto f4 = r.next();
  CHECK(r.string(f4.value(), "s").value() == "hi");
  auto f5 = r.next();
  CHECK(f5->number == 15);
  CHECK(f5->scalar == UINT64_MAX);  // 10-byte varint
  CHECK(r.done());
}

TEST_CASE("protobuf reader: malformed input gives errors that say what is wrong") {
  SUBCASE("varint longer than 10 bytes") {
    std::vector<uint8_t> b = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    pb::Reader r(b.data(), b.size(), "Test");
    auto f = r.next();
    REQUIRE_FALSE(f.is_ok());
    CHECK(contains(f.status().message(), "varint"));
  }
  SUBCASE("length past the end") {
    std::vector<uint8_t> b = {0x0a, 0x05, 'a', 'b'};
    pb::Reader r(b.data(), b.size(), "Test");
    auto f = r.next();
    REQUIRE_FALSE(f.is_ok());
    CHECK(contains(f.status().message(), "runs past the end"));
  }
  SUBCASE("truncated fixed32") {
    std::vector<uint8_t> b = {0x0d, 0x01, 0x02};
    pb::Reader r(b.data(), b.size(), "Test");
    CHECK(contains(r.next().status().message(), "truncated fixed32"));
  }
  SUBCASE("wrong wire type for a field") {
    ProtoWriter w;
    w.fixed32(1, 7);
    pb::Reader r(w.bytes.data(), w.bytes.size(), "Test");
    auto f = r.next();
    REQUIRE(f.is_ok());
    auto v = r.int64(f.value(), "count");
    REQUIRE_FALSE(v.is_ok());
    CHECK(v.status().message() == "Test field 1 (count): expected varint, got fixed32");
  }
  SUBCASE("groups and invalid wire types") {
    std::vector<uint8_t> group = {0x0b};  // field 1, start group
    pb::Reader r(group.data(), group.size(), "Test");
    CHECK(contains(r.next().status().message(), "groups"));
    std::vector<uint8_t> bad = {0x0e};  // wire type 6
    pb::Reader r2(bad.data(), bad.size(), "Test");
    CHECK(contains(r2.next().status().message(), "invalid wire type 6"));
  }
  SUBCASE("field number 0") {
    std::vector<uint8_t> b = {0x00, 0x01};
    pb::Reader r(b.data(), b.size(), "Test");
    CHECK(contains(r.next().status().message(), "invalid field number 0"));
  }
  SUBCASE("nesting depth is bounded") {
    ProtoWriter w;
    w.string(1, "x");
    pb::Reader r(w.bytes.data(), w.bytes.size(), "Test", pb::kMaxNestingDepth);
    auto f = r.next();
    REQUIRE(f.is_ok());
    auto sub = r.nested(f.value(), "Inner", "inner");
    REQUIRE_FALSE(sub.is_ok());
    CHECK(contains(sub.status().message(), "nested deeper than"));
  }
}

TEST_CASE("protobuf reader: repeated scalars packed and unpacked read the same") {
  ProtoWriter packed, unpacked;
  packed.packed_varints(1, {3, -1, 1000000});
  unpacked.varint(1, 3).varint(1, static_cast<uint64_t>(int64_t{-1})).varint(1, 1000000);
  for (const ProtoWriter* w : {&packed, &unpacked}) {
    pb::Reader r(w->bytes.data(), w->bytes.size(), "Test");
    std::vector<int64_t> out;
    while (!r.done()) {
      auto f = r.next();
      REQUIRE(f.is_ok());
      REQUIRE(r.append_varints(f.value(), "v", out).is_ok());
    }
    CHECK(out == std::vector<int64_t>{3, -1, 1000000});
  }
  ProtoWriter floats;
  floats.blob(1, "\x00\x00\x80\x3f\x00\x00", 6);  // 6 bytes: not a whole number of floats
  pb::Reader r(floats.bytes.data(), floats.bytes.size(), "Test");
  std::vector<float> out;
  CHECK(contains(r.append_floats(r.next().value(), "f", out).message(), "not a multiple of 4"));
}

TEST_CASE("TensorProto conversion: every stored form, and the checks on it") {
  auto parse = [](const ProtoWriter& w) { return parse_tensor_proto(w.bytes.data(), w.bytes.size()); };
  {
    auto t = parse(float_tensor("w", {2, 2}, {1, 2, 3, 4}));
    REQUIRE(t.is_ok());
    CHECK(t->shape() == Shape{2, 2});
    CHECK(t->to_float_vector() == std::vector<float>{1, 2, 3, 4});
  }
  {
    ProtoWriter w;  // float_data, unpacked
    w.varint(1, 2).varint(2, kOnnxFloat).float32(4, 1.5f).float32(4, -2.0f);
    auto t = parse(w);
    REQUIRE(t.is_ok());
    CHECK(t->to_float_vector() == std::vector<float>{1.5f, -2.0f});
  }
  {
    ProtoWriter w;  // double_data → float32
    double d[2] = {0.25, 1e300};
    w.varint(1, 2).varint(2, kOnnxDouble).blob(10, d, sizeof(d));
    auto t = parse(w);
    REQUIRE(t.is_ok());
    CHECK(t->dtype() == DataType::kFloat32);
    CHECK(t->to_float_vector()[0] == 0.25f);
    CHECK(std::isinf(t->to_float_vector()[1]));
  }
  {
    ProtoWriter w;  // int64_data and a scalar (no dims)
    w.varint(2, kOnnxInt64).packed_varints(7, {-7});
    auto t = parse(w);
    REQUIRE(t.is_ok());
    CHECK(t->shape().empty());
    CHECK(t->to_int64_vector() == std::vector<int64_t>{-7});
  }
  {
    ProtoWriter w;  // bool in int32_data, any non-zero is true
    w.varint(1, 3).varint(2, kOnnxBool).packed_varints(5, {0, 1, 5});
    auto t = parse(w);
    REQUIRE(t.is_ok());
    CHECK(t->dtype() == DataType::kBool);
    CHECK(t->to_int64_vector() == std::vector<int64_t>{0, 1, 1});
  }
  {
    ProtoWriter w;  // uint8 raw
    w.varint(1, 3).varint(2, kOnnxUInt8).blob(9, "\x01\xff\x00", 3);
    auto t = parse(w);
    REQUIRE(t.is_ok());
    CHECK(t->to_int64_vector() == std::vector<int64_t>{1, 255, 0});
  }
  {
    ProtoWriter w;
    w.varint(1, 2).varint(2, kOnnxFloat).string(8, "short").blob(9, "1234567", 7);
    auto t = parse(w);
    REQUIRE_FALSE(t.is_ok());
    CHECK(contains(t.status().message(), "tensor 'short': raw_data has 7 bytes"));
  }
  {
    ProtoWriter w;
    w.varint(1, 2).varint(2, kOnnxInt8).string(8, "q").blob(9, "\x81\x7f", 2);  // int8 loads (QDQ models)
    auto t = parse(w);
    REQUIRE(t.is_ok());
    CHECK(t.value().dtype() == DataType::kInt8);
    CHECK(t.value().data<int8_t>()[0] == -127);
    CHECK(t.value().data<int8_t>()[1] == 127);
  }
  {
    ProtoWriter w;
    w.varint(1, 2).varint(2, kOnnxFloat).string(8, "big").varint(14, 1);
    CHECK(parse(w).status().message() == "external-data tensors are not supported (tensor 'big')");
  }
  {
    ProtoWriter w;  // 2^40 elements with no data: refused before any allocation
    w.packed_varints(1, {int64_t{1} << 20, int64_t{1} << 20}).varint(2, kOnnxFloat).string(8, "huge");
    auto t = parse(w);
    REQUIRE_FALSE(t.is_ok());
    CHECK(contains(t.status().message(), "huge"));
    CHECK(contains(t.status().message(), "2^31-1 elements"));
  }
  {
    ProtoWriter w;  // dims present but no data
    w.varint(1, 3).varint(2, kOnnxFloat).string(8, "empty");
    CHECK(contains(parse(w).status().message(), "float_data holds 0 values, but [3] needs 3"));
  }
}

TEST_CASE("ONNX import: inputs, initializers, Constant nodes, attributes, layout") {
  OnnxModel m;
  m.opset = 13;
  m.inputs.push_back(value_info("x", kOnnxFloat, {-1, 3, 8, 8}));
  m.inputs.push_back(value_info("w", kOnnxFloat, {4, 3, 3, 3}));  // also an initializer: stays a constant
  m.initializers.push_back(float_tensor("w", {4, 3, 3, 3}, std::vector<float>(108, 0.5f)));
  m.outputs.push_back(value_info("z", kOnnxFloat, {}));
  ProtoWriter bias_tensor = float_tensor("", {4}, {1, 2, 3, 4});
  m.nodes.push_back(node("Constant", {}, {"b"}, {attr_tensor("value", bias_tensor)}));
  m.nodes.push_back(node("Conv", {"x", "w", "b"}, {"y"},
                         {attr_ints("pads", {1, 1, 1, 1}), attr_string("auto_pad", "NOTSET")}, "conv1"));
  m.nodes.push_back(node("Relu", {"y"}, {"z"}));
  Graph g = import_ok(m);
  REQUIRE(g.inputs.size() == 1);
  CHECK(g.value(g.inputs[0]).name == "x");
  CHECK(g.value(g.inputs[0]).shape == Shape{-1, 3, 8, 8});
  REQUIRE(g.nodes.size() == 2);
  const Node* conv = find_node(g, "Conv");
  REQUIRE(conv);
  CHECK(conv->name == "conv1");
  CHECK(conv->attrs.at("layout").s == "NCHW");
  CHECK(conv->attrs.at("pads").ints == std::vector<int64_t>{1, 1, 1, 1});
  CHECK(conv->attrs.at("auto_pad").s == "NOTSET");
  CHECK(constant_floats(g, conv->inputs[2]) == std::vector<float>{1, 2, 3, 4});
  CHECK(g.value(conv->inputs[1]).constant.get() != nullptr);
  CHECK(find_node(g, "Relu")->name == "z");  // unnamed nodes are named after their first output
}

TEST_CASE("ONNX import: absent optional inputs, unknown ops and foreign domains") {
  OnnxModel m = single_node(13, node("Resize", {"x", "", "s"}, {"y"}));
  m.initializers.push_back(float_tensor("s", {4}, {1, 1, 2, 2}));
  m.nodes.push_back(node("FancyOp", {"y"}, {"y2"}));
  m.nodes.push_back(node("FusedConv", {"y2"}, {"y3"}, {}, "", "com.microsoft"));
  m.outputs = {value_info("y3", kOnnxFloat, {})};
  Graph g = import_ok(m);
  const Node* resize = find_node(g, "Resize");
  REQUIRE(resize);
  CHECK(resize->inputs[1] == kNoValue);
  CHECK(find_node(g, "FancyOp"));
  CHECK(find_node(g, "com.microsoft.FusedConv"));
  std::vector<uint8_t> b = m.bytes();
  auto model = Model::load_onnx(b.data(), b.size());
  REQUIRE_FALSE(model.is_ok());
  CHECK(contains(model.status().message(), "FancyOp"));
  CHECK(contains(model.status().message(), "com.microsoft.FusedConv"));
}

TEST_CASE("opset normalisation: attributes that became inputs") {
  SUBCASE("Clip opset 6 min/max") {
    Graph g =
        import_ok(single_node(6, node("Clip", {"x"}, {"y"}, {attr_float("min", -1.0f), attr_float("max", 6.0f)})));
    const Node* n = find_node(g, "Clip");
    REQUIRE(n);
    REQUIRE(n->inputs.size() == 3);
    CHECK(constant_floats(g, n->inputs[1]) == std::vector<float>{-1.0f});
    CHECK(constant_floats(g, n->inputs[2]) == std::vector<float>{6.0f});
    CHECK(n->attrs.empty());
  }
  SUBCASE("Clip opset 10 with only max") {
    Graph g = import_ok(single_node(10, node("Clip", {"x"}, {"y"}, {attr_float("max", 6.0f)})));
    const Node* n = find_node(g, "Clip");
    CHECK(n->inputs[1] == kNoValue);
    CHECK(constant_floats(g, n->inputs[2]) == std::vector<float>{6.0f});
  }
  SUBCASE("Pad opset 2 pads/value") {
    Graph g = import_ok(single_node(7, node("Pad", {"x"}, {"y"},
                                            {attr_ints("pads", {0, 0, 1, 1, 0, 0, 1, 1}),
                                             attr_string("mode", "reflect"), attr_float("value", 0.5f)})));
    const Node* n = find_node(g, "Pad");
    CHECK(constant_ints(g, n->inputs[1]) == std::vector<int64_t>{0, 0, 1, 1, 0, 0, 1, 1});
    CHECK(constant_floats(g, n->inputs[2]) == std::vector<float>{0.5f});
    CHECK(n->attrs.at("mode").s == "reflect");
    CHECK_FALSE(n->has_attr("pads"));
  }
  SUBCASE("Slice opset 9") {
    Graph g = import_ok(single_node(
        9, node("Slice", {"x"}, {"y"}, {attr_ints("starts", {1}), attr_ints("ends", {3}), attr_ints("axes", {2})})));
    const Node* n = find_node(g, "Slice");
    REQUIRE(n->inputs.size() == 4);
    CHECK(constant_ints(g, n->inputs[1]) == std::vector<int64_t>{1});
    CHECK(constant_ints(g, n->inputs[2]) == std::vector<int64_t>{3});
    CHECK(constant_ints(g, n->inputs[3]) == std::vector<int64_t>{2});
  }
  SUBCASE("Squeeze/Unsqueeze opset 11 axes") {
    Graph g = import_ok(single_node(11, node("Unsqueeze", {"x"}, {"y"}, {attr_ints("axes", {0})})));
    CHECK(constant_ints(g, find_node(g, "Unsqueeze")->inputs[1]) == std::vector<int64_t>{0});
    Graph g2 = import_ok(single_node(13, node("Squeeze", {"x"}, {"y"})));
    CHECK(find_node(g2, "Squeeze")->inputs.size() == 1);
  }
  SUBCASE("Reduce* axes: ReduceSum moved at 13, the others at 18") {
    Graph g = import_ok(
        single_node(13, node("ReduceMean", {"x"}, {"y"}, {attr_ints("axes", {2, 3}), attr_int("keepdims", 0)})));
    const Node* n = find_node(g, "ReduceMean");
    CHECK(constant_ints(g, n->inputs[1]) == std::vector<int64_t>{2, 3});
    CHECK(n->attrs.at("keepdims").i == 0);
    Graph g2 = import_ok(single_node(11, node("ReduceSum", {"x"}, {"y"}, {attr_ints("axes", {1})})));
    CHECK(constant_ints(g2, find_node(g2, "ReduceSum")->inputs[1]) == std::vector<int64_t>{1});
  }
  SUBCASE("Split: split attribute (opset 11), equal parts (opset 13)") {
    OnnxModel m = single_node(11, node("Split", {"x"}, {"a", "b"}, {attr_int("axis", 1), attr_ints("split", {1, 2})}));
    m.outputs = {value_info("a", kOnnxFloat, {}), value_info("b", kOnnxFloat, {})};
    Graph g = import_ok(m);
    CHECK(constant_ints(g, find_node(g, "Split")->inputs[1]) == std::vector<int64_t>{1, 2});
    OnnxModel m2 = single_node(13, node("Split", {"x"}, {"a", "b", "c"}, {attr_int("axis", 1)}));
    m2.outputs = {value_info("a", kOnnxFloat, {})};
    Graph g2 = import_ok(m2);
    CHECK(find_node(g2, "Split")->attrs.at("num_outputs").i == 3);
  }
  SUBCASE("TopK opset 9 k") {
    OnnxModel m = single_node(9, node("TopK", {"x"}, {"v", "i"}, {attr_int("k", 2)}));
    m.outputs = {value_info("v", kOnnxFloat, {})};
    Graph g = import_ok(m);
    CHECK(constant_ints(g, find_node(g, "TopK")->inputs[1]) == std::vector<int64_t>{2});
  }
}

TEST_CASE("opset normalisation: Upsample and old Resize become opset-18 Resize") {
  SUBCASE("Upsample opset 7, scales attribute") {
    Graph g = import_ok(single_node(
        7, node("Upsample", {"x"}, {"y"}, {attr_floats("scales", {1, 1, 2, 2}), attr_string("mode", "bilinear")})));
    const Node* n = find_node(g, "Resize");
    REQUIRE(n);
    REQUIRE(n->inputs.size() == 3);
    CHECK(n->inputs[1] == kNoValue);
    CHECK(constant_floats(g, n->inputs[2]) == std::vector<float>{1, 1, 2, 2});
    CHECK(n->attrs.at("mode").s == "linear");
    CHECK(n->attrs.at("coordinate_transformation_mode").s == "asymmetric");
    CHECK(n->attrs.at("nearest_mode").s == "floor");
  }
  SUBCASE("Resize opset 10, scales input") {
    OnnxModel m = single_node(10, node("Resize", {"x", "s"}, {"y"}));
    m.initializers.push_back(float_tensor("s", {4}, {1, 1, 2, 2}));
    Graph g = import_ok(m);
    const Node* n = find_node(g, "Resize");
    CHECK(n->inputs[1] == kNoValue);
    CHECK(constant_floats(g, n->inputs[2]) == std::vector<float>{1, 1, 2, 2});
    CHECK(n->attrs.at("coordinate_transformation_mode").s == "asymmetric");
  }
  SUBCASE("Resize opset 11: empty roi and scales mean absent") {
    OnnxModel m = single_node(11, node("Resize", {"x", "roi", "scales", "sizes"}, {"y"}));
    m.initializers.push_back(float_tensor("roi", {0}, {}));
    m.initializers.push_back(float_tensor("scales", {0}, {}));
    m.initializers.push_back(int64_tensor("sizes", {4}, {1, 3, 8, 8}));
    Graph g = import_ok(m);
    const Node* n = find_node(g, "Resize");
    CHECK(n->inputs[1] == kNoValue);
    CHECK(n->inputs[2] == kNoValue);
    CHECK(constant_ints(g, n->inputs[3]) == std::vector<int64_t>{1, 3, 8, 8});
  }
}

TEST_CASE("opset normalisation: Softmax before opset 13 flattens to 2-D") {
  SUBCASE("axis 1 of a 4-D input: Shape, Flatten, Softmax(-1), Reshape") {
    Graph g = import_ok(single_node(11, node("Softmax", {"x"}, {"y"}, {attr_int("axis", 1)})));
    const Node* flatten = find_node(g, "Flatten");
    const Node* softmax = find_node(g, "Softmax");
    const Node* reshape = find_node(g, "Reshape");
    const Node* shape = find_node(g, "Shape");
    REQUIRE((flatten && softmax && reshape && shape));
    CHECK(flatten->attrs.at("axis").i == 1);
    CHECK(softmax->attrs.at("axis").i == -1);
    CHECK(softmax->inputs[0] == flatten->outputs[0]);
    CHECK(reshape->inputs[0] == softmax->outputs[0]);
    CHECK(reshape->inputs[1] == shape->outputs[0]);
    CHECK(shape->inputs[0] == g.inputs[0]);
    CHECK(g.value(reshape->outputs[0]).name == "y");
  }
  SUBCASE("last axis of a known rank needs no rewrite") {
    Graph g = import_ok(single_node(11, node("LogSoftmax", {"x"}, {"y"}, {attr_int("axis", 3)})));
    REQUIRE(g.nodes.size() == 1);
    CHECK(g.nodes[0].attrs.at("axis").i == -1);
  }
  SUBCASE("opset 13 is left alone") {
    Graph g = import_ok(single_node(13, node("Softmax", {"x"}, {"y"}, {attr_int("axis", 1)})));
    REQUIRE(g.nodes.size() == 1);
    CHECK(g.nodes[0].attrs.at("axis").i == 1);
  }
}

TEST_CASE("opset normalisation: BatchNormalization, Dropout, Gemm, Cast, opsets before 7") {
  SUBCASE("BatchNormalization legacy attributes dropped, layout added") {
    OnnxModel m = single_node(7, node("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"y"},
                                      {attr_int("spatial", 1), attr_int("is_test", 1), attr_float("epsilon", 1e-3f)}));
    for (const char* name : {"s", "b", "mean", "var"}) m.initializers.push_back(float_tensor(name, {3}, {1, 1, 1}));
    Graph g = import_ok(m);
    const Node* n = find_node(g, "BatchNormalization");
    CHECK_FALSE(n->has_attr("spatial"));
    CHECK_FALSE(n->has_attr("is_test"));
    CHECK(n->attrs.at("epsilon").f == doctest::Approx(1e-3f));
    CHECK(n->attrs.at("layout").s == "NCHW");
  }
  SUBCASE("Dropout: legacy attributes dropped; before opset 10 the mask is built as float ones") {
    OnnxModel m = single_node(12, node("Dropout", {"x"}, {"y", "mask"}, {attr_float("ratio", 0.3f)}));
    m.outputs.push_back(value_info("mask", kOnnxBool, {}));
    Graph g = import_ok(m);
    const Node* dropout = find_node(g, "Dropout");
    REQUIRE(dropout);
    CHECK(dropout->outputs.size() == 2);
    CHECK_FALSE(dropout->has_attr("ratio"));

    OnnxModel old = single_node(9, node("Dropout", {"x"}, {"y", "mask"}, {attr_float("ratio", 0.3f)}));
    old.outputs.push_back(value_info("mask", kOnnxFloat, {}));
    Graph g2 = import_ok(old);
    CHECK_FALSE(find_node(g2, "Dropout"));
    CHECK(find_node(g2, "Identity"));
    const Node* fill = find_node(g2, "ConstantOfShape");
    REQUIRE(fill);
    CHECK(fill->attrs.at("value").tensor->dtype() == DataType::kFloat32);
    CHECK(g2.value(fill->outputs[0]).name == "mask");
  }
  SUBCASE("Cast to double casts to float") {
    Graph g = import_ok(single_node(13, node("Cast", {"x"}, {"y"}, {attr_int("to", 11)})));
    CHECK(find_node(g, "Cast")->attrs.at("to").i == 1);
  }
  SUBCASE("opset 6 Add with broadcast/axis aligns B at the axis") {
    OnnxModel m;
    m.opset = 6;
    m.inputs = {value_info("a", kOnnxFloat, {2, 3, 4}), value_info("b", kOnnxFloat, {3})};
    m.outputs = {value_info("y", kOnnxFloat, {})};
    m.nodes.push_back(node("Add", {"a", "b"}, {"y"}, {attr_int("broadcast", 1), attr_int("axis", 1)}));
    Graph g = import_ok(m);
    const Node* un = find_node(g, "Unsqueeze");
    REQUIRE(un);
    CHECK(constant_ints(g, un->inputs[1]) == std::vector<int64_t>{1});  // [3] → [3,1]
    const Node* add = find_node(g, "Add");
    CHECK(add->inputs[1] == un->outputs[0]);
    CHECK(add->attrs.empty());
  }
  SUBCASE("opset 6 PRelu slope is per channel") {
    OnnxModel m = single_node(6, node("PRelu", {"x", "slope"}, {"y"}));
    m.initializers.push_back(float_tensor("slope", {3}, {0.1f, 0.2f, 0.3f}));
    Graph g = import_ok(m);
    const Node* un = find_node(g, "Unsqueeze");
    REQUIRE(un);
    CHECK(constant_ints(g, un->inputs[1]) == std::vector<int64_t>{1, 2});  // [3] → [3,1,1]
  }
  SUBCASE("opsets outside 1..18 are refused by number") {
    CHECK(contains(import_error(single_node(19, node("Relu", {"x"}, {"y"})).bytes()), "unsupported opset 19"));
  }
}

TEST_CASE("ONNX import: a small model runs end to end") {
  if (!OpRegistry::global().find("Add")) {
    MESSAGE("Add not registered yet; skipping");
    return;
  }
  OnnxModel m;
  m.inputs = {value_info("x", kOnnxFloat, {2, 2})};
  m.outputs = {value_info("y", kOnnxFloat, {2, 2})};
  m.initializers.push_back(float_tensor("c", {2}, {10, 20}));
  m.nodes.push_back(node("Add", {"x", "c"}, {"y"}));
  std::vector<uint8_t> b = m.bytes();
  auto model = Model::load_onnx(b.data(), b.size());
  INFO(model.status().message());
  REQUIRE(model.is_ok());
  Tensor x(DataType::kFloat32, {2, 2});
  for (int i = 0; i < 4; ++i) x.data<float>()[i] = static_cast<float>(i);
  auto out = model.value()->run({{"x", &x}});
  REQUIRE(out.is_ok());
  CHECK(out.value()[0].to_float_vector() == std::vector<float>{10, 21, 12, 23});
}
