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

namespace {
// No byte below 0x20 nor DEL, and the whole message well-formed UTF-8 (what Embind decodes without U+FFFD).
bool readable(const std::string& m) {
  for (size_t i = 0; i < m.size();) {
    const auto c = static_cast<unsigned char>(m[i]);
    if (c < 0x20 || c == 0x7F) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    const size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (c < 0xC2 || c > 0xF4 || i + n > m.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(m[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}
std::string message_of(const std::string& m) { return Status::error(m).message(); }
}  // namespace

TEST_CASE("messages: control bytes and bytes that are not UTF-8 text read as \\xNN, UTF-8 characters stay") {
  // Control bytes, newline and tab too (engine messages are one line), NUL and DEL.
  CHECK(message_of(std::string("chunk 'a\x01\x1f\x7f' \n\t") + std::string(1, '\0')) ==
        "chunk 'a\\x01\\x1f\\x7f' \\x0a\\x09\\x00");
  CHECK(message_of("lone continuation \x80 byte") == "lone continuation \\x80 byte");
  CHECK(message_of("truncated \xE2\x82 sequence") == "truncated \\xe2\\x82 sequence");
  CHECK(message_of("truncated at the end \xF0\x9F\x98") == "truncated at the end \\xf0\\x9f\\x98");
  CHECK(message_of("overlong '/' \xC0\xAF and \xE0\x80\xAF") == "overlong '/' \\xc0\\xaf and \\xe0\\x80\\xaf");
  CHECK(message_of("surrogate \xED\xA0\x80, above U+10FFFF \xF4\x90\x80\x80") ==
        "surrogate \\xed\\xa0\\x80, above U+10FFFF \\xf4\\x90\\x80\\x80");
  CHECK(message_of("unexpected character '\xFF'") == "unexpected character '\\xff'");
  CHECK(message_of("Rel\xFF\xFE") == "Rel\\xff\\xfe");
  // Well-formed UTF-8 of 2, 3 and 4 bytes is kept as it is, also next to an escaped byte.
  const std::string utf8 = "Conv 'é/日本': 3×3 → 1×1, U+10FFFF \xF4\x8F\xBF\xBF, 😀";
  CHECK(message_of(utf8) == utf8);
  CHECK(message_of("é\xFF😀") == "é\\xff😀");
  // Plain text, backslashes included, is left alone.
  CHECK(message_of("path C:\\x01\\model.onnx") == "path C:\\x01\\model.onnx");
}

TEST_CASE("messages: escaping is idempotent, with_context and with_code keep an escaped message as it is") {
  const Status s = Status::error(StatusCode::kInvalidModel, "op type 'R\x01\xFF'");
  CHECK(s.message() == "op type 'R\\x01\\xff'");
  CHECK(message_of(s.message()) == s.message());
  CHECK(s.with_context("while loading m.onnx").message() == "while loading m.onnx: op type 'R\\x01\\xff'");
  CHECK(s.with_context("node '\x02'").message() == "node '\\x02': op type 'R\\x01\\xff'");
  CHECK(s.with_code(StatusCode::kUnsupportedOp).message() == s.message());
  CHECK(s.with_default_code(StatusCode::kInvalidArgument).message() == s.message());
  CHECK(s.code() == StatusCode::kInvalidModel);
}

TEST_CASE("messages: the cap counts the escaped text and never cuts an escape or a character") {
  const size_t cap = Status::kMaxMessageBytes;
  // At the cap after escaping: kept whole. One byte more: cut.
  const std::string at_cap = std::string(cap - 4, 'a') + "\x01";
  CHECK(message_of(at_cap) == std::string(cap - 4, 'a') + "\\x01");
  // An escape across the cut: "... (4105 bytes in all)" leaves 4073 bytes for the text: the escape would end 2 bytes
  // past them.
  const std::string over = std::string(4071, 'a') + "\x01" + std::string(30, 'b');
  CHECK(message_of(over) == std::string(4071, 'a') + "... (4105 bytes in all)");
  // Only escapes: the kept part is whole escapes, 4 bytes each.
  const std::string controls = message_of(std::string(3000, '\x02'));
  CHECK(controls.size() <= cap);
  CHECK(contains(controls, "... (12000 bytes in all)"));
  const std::string kept = controls.substr(0, controls.find("..."));
  CHECK(kept.size() % 4 == 0);
  for (size_t i = 0; i < kept.size(); i += 4) CHECK(kept.substr(i, 4) == "\\x02");
  // 3-byte characters next to escapes: whole characters only, and the result is well-formed.
  std::string mixed;
  for (int i = 0; i < 1000; ++i) mixed += "→\xFF";
  const std::string m = message_of(mixed);
  CHECK(m.size() <= cap);
  CHECK(readable(m));
  CHECK(contains(m, "... (7000 bytes in all)"));
  CHECK(message_of(m) == m);
  CHECK(Status::error(m).with_context("ctx").message().size() <= cap);
}

TEST_CASE("messages: names from a model file with control bytes or bytes that are not UTF-8 read as \\xNN") {
  // Found by scripts/hostile_probe.mjs (tests/probe/findings/): ONNX op types and value names quoted raw.
  OnnxModel model;
  model.inputs = {value_info("x", kOnnxFloat, {1, 4})};
  model.outputs = {value_info("y", kOnnxFloat, {})};
  model.nodes.push_back(node("Rel\xFF\x01", {"x"}, {"y"}));
  std::vector<uint8_t> bytes = model.bytes();
  auto r = Model::load_onnx(bytes.data(), bytes.size());
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == StatusCode::kUnsupportedOp);
  CHECK_MESSAGE(contains(r.status().message(), "Rel\\xff\\x01"), r.status().message());
  CHECK(readable(r.status().message()));

  OnnxModel unknown_input;
  unknown_input.inputs = {value_info("x", kOnnxFloat, {1, 4})};
  unknown_input.outputs = {value_info("y", kOnnxFloat, {})};
  unknown_input.nodes.push_back(node("Relu", {"no\x07such\xC3"}, {"y"}));
  bytes = unknown_input.bytes();
  r = Model::load_onnx(bytes.data(), bytes.size());
  REQUIRE_FALSE(r.is_ok());
  CHECK_MESSAGE(contains(r.status().message(), "no\\x07such\\xc3"), r.status().message());
  CHECK(readable(r.status().message()));
}
