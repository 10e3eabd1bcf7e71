#include "import/onnx/protobuf_reader.h"

#include <cstring>

namespace webcnn {
namespace pb {

const char* wire_type_name(WireType w) {
  switch (w) {
    case WireType::kVarint: return "varint";
    case WireType::kFixed64: return "fixed64";
    case WireType::kLengthDelimited: return "length-delimited";
    case WireType::kStartGroup: return "start-group";
    case WireType::kEndGroup: return "end-group";
    case WireType::kFixed32: return "fixed32";
  }
  return "unknown";
}

bool read_varint(const uint8_t** p, const uint8_t* end, uint64_t* value) {
  uint64_t v = 0;
  const uint8_t* q = *p;
  for (int shift = 0; shift < 70; shift += 7) {
    if (q == end) return false;
    uint8_t b = *q++;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *p = q;
      *value = v;
      return true;
    }
  }
  return false;  // more than 10 bytes: not a valid varint
}

namespace {
uint32_t load_le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}
uint64_t load_le64(const uint8_t* p) { return load_le32(p) | static_cast<uint64_t>(load_le32(p + 4)) << 32; }
}  // namespace

Result<Field> Reader::next() {
  uint64_t tag = 0;
  if (!read_varint(&p_, end_, &tag)) return Status::error(std::string(message_) + ": truncated or malformed field tag");
  Field f;
  uint64_t number = tag >> 3;
  if (number == 0 || number > 0x1fffffff)
    return Status::error(std::string(message_) + ": invalid field number " + std::to_string(number));
  f.number = static_cast<uint32_t>(number);
  uint32_t wire = static_cast<uint32_t>(tag & 7);
  const size_t left = static_cast<size_t>(end_ - p_);
  switch (wire) {
    case 0:
      f.wire = WireType::kVarint;
      if (!read_varint(&p_, end_, &f.scalar)) return error(f, "?", "truncated varint");
      break;
    case 1:
      f.wire = WireType::kFixed64;
      if (left < 8) return error(f, "?", "truncated fixed64");
      f.scalar = load_le64(p_);
      p_ += 8;
      break;
    case 5:
      f.wire = WireType::kFixed32;
      if (left < 4) return error(f, "?", "truncated fixed32");
      f.scalar = load_le32(p_);
      p_ += 4;
      break;
    case 2: {
      f.wire = WireType::kLengthDelimited;
      uint64_t len = 0;
      if (!read_varint(&p_, end_, &len)) return error(f, "?", "truncated length");
      const size_t avail = static_cast<size_t>(end_ - p_);
      if (len > avail)
        return error(f, "?",
                     "length " + std::to_string(len) + " runs past the end of the data (" + std::to_string(avail) +
                         " bytes left)");
      f.bytes = p_;
      f.size = static_cast<size_t>(len);
      p_ += f.size;
      break;
    }
    case 3:
    case 4: f.wire = static_cast<WireType>(wire); return error(f, "?", "groups are not supported");
    default:
      return Status::error(std::string(message_) + ": invalid wire type " + std::to_string(wire) + " for field " +
                           std::to_string(number));
  }
  return f;
}

Status Reader::error(const Field& f, const char* field_name, const std::string& what) const {
  std::string s = std::string(message_) + " field " + std::to_string(f.number);
  if (field_name && std::strcmp(field_name, "?") != 0) s += std::string(" (") + field_name + ")";
  return Status::error(s + ": " + what);
}

Status Reader::expect(const Field& f, WireType w, const char* field_name) const {
  if (f.wire == w) return Status::ok();
  return error(f, field_name, std::string("expected ") + wire_type_name(w) + ", got " + wire_type_name(f.wire));
}

Result<Reader> Reader::nested(const Field& f, const char* message, const char* field_name) const {
  WEBCNN_TRY(expect(f, WireType::kLengthDelimited, field_name));
  if (depth_ + 1 > kMaxNestingDepth)
    return error(f, field_name, "messages nested deeper than " + std::to_string(kMaxNestingDepth) + " levels");
  return Reader(f.bytes, f.size, message, depth_ + 1);
}

Result<int64_t> Reader::int64(const Field& f, const char* field_name) const {
  WEBCNN_TRY(expect(f, WireType::kVarint, field_name));
  return static_cast<int64_t>(f.scalar);
}

Result<uint64_t> Reader::uint64(const Field& f, const char* field_name) const {
  WEBCNN_TRY(expect(f, WireType::kVarint, field_name));
  return f.scalar;
}

Result<float> Reader::float32(const Field& f, const char* field_name) const {
  WEBCNN_TRY(expect(f, WireType::kFixed32, field_name));
  uint32_t bits = static_cast<uint32_t>(f.scalar);
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

Result<std::string> Reader::string(const Field& f, const char* field_name) const {
  WEBCNN_TRY(expect(f, WireType::kLengthDelimited, field_name));
  return std::string(reinterpret_cast<const char*>(f.bytes), f.size);
}

Status Reader::append_varints(const Field& f, const char* field_name, std::vector<int64_t>& out) const {
  if (f.wire == WireType::kVarint) {
    out.push_back(static_cast<int64_t>(f.scalar));
    return Status::ok();
  }
  if (f.wire != WireType::kLengthDelimited)
    return error(f, field_name, std::string("expected varint or packed varints, got ") + wire_type_name(f.wire));
  const uint8_t* p = f.bytes;
  const uint8_t* end = f.bytes + f.size;
  while (p != end) {
    uint64_t v = 0;
    if (!read_varint(&p, end, &v)) return error(f, field_name, "malformed packed varint");
    out.push_back(static_cast<int64_t>(v));
  }
  return Status::ok();
}

Status Reader::append_uint64s(const Field& f, const char* field_name, std::vector<uint64_t>& out) const {
  std::vector<int64_t> tmp;
  WEBCNN_TRY(append_varints(f, field_name, tmp));
  for (int64_t v : tmp) out.push_back(static_cast<uint64_t>(v));
  return Status::ok();
}

Status Reader::append_floats(const Field& f, const char* field_name, std::vector<float>& out) const {
  if (f.wire == WireType::kFixed32) {
    WEBCNN_ASSIGN(float v, float32(f, field_name));
    out.push_back(v);
    return Status::ok();
  }
  if (f.wire != WireType::kLengthDelimited)
    return error(f, field_name, std::string("expected fixed32 or packed floats, got ") + wire_type_name(f.wire));
  if (f.size % 4 != 0)
    return error(f, field_name, "packed floats take " + std::to_string(f.size) + " bytes, not a multiple of 4");
  size_t n = f.size / 4;
  if (n == 0) return Status::ok();  // an empty vector's data() may be null, which memcpy must not see
  size_t old = out.size();
  out.resize(old + n);
  std::memcpy(out.data() + old, f.bytes, f.size);  // little-endian hosts only (x86, ARM, wasm)
  return Status::ok();
}

Status Reader::append_doubles(const Field& f, const char* field_name, std::vector<double>& out) const {
  if (f.wire == WireType::kFixed64) {
    double v;
    std::memcpy(&v, &f.scalar, 8);
    out.push_back(v);
    return Status::ok();
  }
  if (f.wire != WireType::kLengthDelimited)
    return error(f, field_name, std::string("expected fixed64 or packed doubles, got ") + wire_type_name(f.wire));
  if (f.size % 8 != 0)
    return error(f, field_name, "packed doubles take " + std::to_string(f.size) + " bytes, not a multiple of 8");
  size_t n = f.size / 8;
  if (n == 0) return Status::ok();  // as in append_floats
  size_t old = out.size();
  out.resize(old + n);
  std::memcpy(out.data() + old, f.bytes, f.size);
  return Status::ok();
}

}  // namespace pb
}  // namespace webcnn
