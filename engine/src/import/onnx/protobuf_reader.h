// A minimal reader for the protobuf wire format (no library): enough to walk an ONNX file.
//
// The bytes are untrusted. Every length is checked against what is left of the buffer, nested
// messages are limited in depth, and a field read with the wrong wire type is an error that names
// the message and the field, e.g. "TensorProto field 1 (dims): expected varint or packed, got fixed32".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "webcnn/status.h"

namespace webcnn {
namespace pb {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5
};
const char* wire_type_name(WireType w);

// Messages nested deeper than this are refused (a hostile file could otherwise recurse without bound).
constexpr int kMaxNestingDepth = 32;

// One field as it sits on the wire. For kLengthDelimited, `bytes`/`size` point into the reader's buffer.
struct Field {
  uint32_t number = 0;
  WireType wire = WireType::kVarint;
  uint64_t scalar = 0;  // the varint, or the raw bits of a fixed32/fixed64
  const uint8_t* bytes = nullptr;
  size_t size = 0;
};

class Reader {
 public:
  // `message` names the message being read, for errors ("ModelProto"); depth counts enclosing messages.
  Reader(const uint8_t* data, size_t size, const char* message, int depth = 0)
      : p_(data), end_(data + size), message_(message), depth_(depth) {}

  bool done() const { return p_ == end_; }
  // Reads the next field's tag and payload. Groups (deprecated) are refused.
  Result<Field> next();
  // A reader for an embedded message held in a length-delimited field; refuses excessive depth.
  Result<Reader> nested(const Field& f, const char* message, const char* field_name) const;

  // Typed accessors: check the wire type, then convert. `field_name` appears in errors.
  Result<int64_t> int64(const Field& f, const char* field_name) const;  // int32/int64/enum/bool (varint)
  Result<uint64_t> uint64(const Field& f, const char* field_name) const;
  Result<float> float32(const Field& f, const char* field_name) const;  // fixed32
  Result<std::string> string(const Field& f, const char* field_name) const;
  // Repeated scalars, packed (one length-delimited field) or not (one field per element): appends.
  Status append_varints(const Field& f, const char* field_name, std::vector<int64_t>& out) const;
  Status append_uint64s(const Field& f, const char* field_name, std::vector<uint64_t>& out) const;
  Status append_floats(const Field& f, const char* field_name, std::vector<float>& out) const;
  Status append_doubles(const Field& f, const char* field_name, std::vector<double>& out) const;

  const char* message() const { return message_; }
  int depth() const { return depth_; }

  // Error helper: "<message> field <n> (<name>): <what>".
  Status error(const Field& f, const char* field_name, const std::string& what) const;

 private:
  Status expect(const Field& f, WireType w, const char* field_name) const;

  const uint8_t* p_;
  const uint8_t* end_;
  const char* message_;
  int depth_;
};

// Reads one base-128 varint from [*p, end); advances *p. False when truncated or longer than 10 bytes.
bool read_varint(const uint8_t** p, const uint8_t* end, uint64_t* value);

}  // namespace pb
}  // namespace webcnn
