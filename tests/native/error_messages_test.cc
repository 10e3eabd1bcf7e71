// Error messages that say what is wrong in few words: short numbers, NaN named, empty inputs called
// empty, and no message longer than Status::kMaxMessageBytes however long the list it names.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "support/protobuf_writer.h"
#include "webcnn/describe_number.h"
#include "webcnn/model.h"
#include "webcnn/tensor.h"

using namespace webcnn;
using namespace webcnn_test;

namespace {
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("messages: numbers are short, NaN is called not a number") {
  CHECK(describe_number(0) == "0");
  CHECK(describe_number(1e-6) == "1e-06");
  CHECK(describe_number(-1e30) == "-1e+30");
  CHECK(describe_number(224) == "224");
  CHECK(describe_number(NAN) == "NaN");
  CHECK(check_number_in_range("cropFraction", 0.5, 1e-6, 1).is_ok());
  CHECK(check_number_in_range("cropFraction", 0, 1e-6, 1).message() == "cropFraction is 0, outside 1e-06..1");
  CHECK(check_number_in_range("mean", NAN, -1e30, 1e30).message() == "mean is not a number (NaN)");
  CHECK(check_number_in_range("mean", INFINITY, -1e30, 1e30).message() == "mean is Infinity, outside -1e+30..1e+30");
}

TEST_CASE("messages: long shapes are abbreviated, every message is capped") {
  CHECK(shape_to_string({1, 3, 224, 224}) == "[1,3,224,224]");
  CHECK(shape_to_string(Shape(16, 2)) == "[2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2]");
  CHECK(shape_to_string(Shape(200000, 1)) == "[1,1,1,1,1,1,1,1,... (rank 200000)]");

  const Status long_one = Status::error(std::string(400000, 'x'));
  CHECK(long_one.message().size() <= Status::kMaxMessageBytes);
  CHECK(contains(long_one.message(), "... (400000 bytes in all)"));
  // Cut at a character boundary: "é" is 2 bytes, so an odd cut would split one.
  std::string accents;
  for (int i = 0; i < 3000; ++i) accents += "\xC3\xA9";
  const std::string m = Status::error(accents).message();
  CHECK((static_cast<unsigned char>(m[m.find("...") - 1]) & 0xC0) != 0xC0);
  CHECK(Status::error("short").with_context(std::string(5000, 'c')).message().size() <= Status::kMaxMessageBytes);

  // End to end: a graph input of rank 200000 that does not broadcast with [3] (the message names both).
  std::vector<int64_t> dims(200000, 1);
  dims.back() = 2;
  OnnxModel model;
  model.inputs = {value_info("x", kOnnxFloat, dims), value_info("z", kOnnxFloat, {3})};
  model.outputs = {value_info("y", kOnnxFloat, {})};
  model.nodes.push_back(node("Add", {"x", "z"}, {"y"}));
  const std::vector<uint8_t> bytes = model.bytes();
  auto r = Model::load_onnx(bytes.data(), bytes.size());
  REQUIRE_FALSE(r.is_ok());
  CHECK_MESSAGE(r.status().message().size() <= 400, r.status().message());
  CHECK(contains(r.status().message(), "(rank 200000)"));
}

TEST_CASE("messages: a required input with an empty name is called empty, not a count mismatch") {
  OnnxModel model;
  model.inputs = {value_info("x", kOnnxFloat, {1, 4})};
  model.outputs = {value_info("y", kOnnxFloat, {})};
  model.nodes.push_back(node("Relu", {""}, {"y"}, {}, "y"));
  const std::vector<uint8_t> bytes = model.bytes();
  auto r = Model::load_onnx(bytes.data(), bytes.size());
  REQUIRE_FALSE(r.is_ok());
  const std::string m = r.status().message();
  CHECK_MESSAGE(contains(m, "Relu 'y': required input 0 is empty"), m);
  CHECK_FALSE(contains(m, "got 1"));
}
