// .npy reader and writer. The format: "\x93NUMPY", major, minor, header length (u16 in 1.0, u32 in
// 2.0/3.0, little-endian), then a Python dict literal
//   {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }
// padded with spaces and ended by '\n', then the raw elements.
#include "npy.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>

namespace webcnn::npy {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
// A header longer than this is not something numpy writes for a tensor; refuse before scanning it.
constexpr size_t kMaxHeaderBytes = size_t{1} << 20;

struct DescrInfo {
  const char* descr;
  DataType dtype;
};
// Accepted dtypes. One-byte types carry no byte order; numpy writes '|' for them.
constexpr DescrInfo kDescrs[] = {
    {"<f4", DataType::kFloat32}, {"<i4", DataType::kInt32}, {"<i8", DataType::kInt64},   {"|u1", DataType::kUInt8},
    {"|b1", DataType::kBool},    {"|i1", DataType::kInt8},  {"<f8", DataType::kFloat64},
};

const char* descr_of(DataType t) {
  for (const DescrInfo& d : kDescrs)
    if (d.dtype == t) return d.descr;
  return "?";
}

// A recursive-descent reader for exactly the dict literal numpy writes.
class HeaderParser {
 public:
  explicit HeaderParser(const std::string& text) : s_(text) {}

  Status parse(std::string& descr, bool& fortran_order, Shape& shape) {
    bool have_descr = false, have_order = false, have_shape = false;
    skip_spaces();
    if (!eat('{')) return fail("expected '{'");
    for (;;) {
      skip_spaces();
      if (eat('}')) break;
      std::string key;
      WEBCNN_TRY(string_literal(key));
      skip_spaces();
      if (!eat(':')) return fail("expected ':' after key '" + key + "'");
      skip_spaces();
      if (key == "descr") {
        if (have_descr) return fail("duplicate key 'descr'");
        have_descr = true;
        WEBCNN_TRY(string_literal(descr));
      } else if (key == "fortran_order") {
        if (have_order) return fail("duplicate key 'fortran_order'");
        have_order = true;
        if (eat_word("True")) fortran_order = true;
        else if (eat_word("False")) fortran_order = false;
        else return fail("'fortran_order' must be True or False");
      } else if (key == "shape") {
        if (have_shape) return fail("duplicate key 'shape'");
        have_shape = true;
        WEBCNN_TRY(shape_tuple(shape));
      } else {
        return fail("unknown key '" + key + "'");
      }
      skip_spaces();
      if (eat(',')) continue;
      skip_spaces();
      if (eat('}')) break;
      return fail("expected ',' or '}'");
    }
    // After the dict: space padding and the final newline only.
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
    if (pos_ + 1 != s_.size() || s_[pos_] != '\n') return fail("header must end with spaces and one '\\n'");
    if (!have_descr) return Status::error("npy header: missing key 'descr'");
    if (!have_order) return Status::error("npy header: missing key 'fortran_order'");
    if (!have_shape) return Status::error("npy header: missing key 'shape'");
    return Status::ok();
  }

 private:
  Status fail(const std::string& what) const {
    return Status::error("npy header: " + what + " at byte " + std::to_string(pos_));
  }
  void skip_spaces() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool eat_word(const char* w) {
    const size_t n = std::strlen(w);
    if (s_.compare(pos_, n, w) != 0) return false;
    pos_ += n;
    return true;
  }
  Status string_literal(std::string& out) {
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) return fail("expected a quoted string");
    const char quote = s_[pos_++];
    const size_t end = s_.find(quote, pos_);
    if (end == std::string::npos) return fail("unterminated string");
    out = s_.substr(pos_, end - pos_);
    if (out.find('\\') != std::string::npos) return fail("escapes in strings are not supported");
    pos_ = end + 1;
    return Status::ok();
  }
  Status shape_tuple(Shape& shape) {
    shape.clear();
    if (!eat('(')) return fail("'shape' must be a tuple");
    for (;;) {
      skip_spaces();
      if (eat(')')) break;
      int64_t v = 0;
      size_t digits = 0;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
        if (v > (kMaxElements - 9) / 10) return fail("shape dimension too large");
        v = v * 10 + (s_[pos_++] - '0');
        ++digits;
      }
      if (digits == 0) return fail("shape dimensions must be non-negative integers");
      if (shape.size() >= 32) return fail("shape has more than 32 dimensions");
      shape.push_back(v);
      skip_spaces();
      if (eat(',')) continue;
      skip_spaces();
      if (eat(')')) break;
      return fail("expected ',' or ')' in shape");
    }
    return Status::ok();
  }

  const std::string& s_;
  size_t pos_ = 0;
};

uint32_t read_le(const uint8_t* p, size_t bytes) {
  uint32_t v = 0;
  for (size_t i = 0; i < bytes; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

Result<Tensor> parse(const uint8_t* data, size_t size) {
  if (size == 0) return Status::error("empty file, not an .npy file");
  if (std::memcmp(data, kMagic, std::min(size, kMagicSize)) != 0)
    return Status::error("not an .npy file (missing \\x93NUMPY magic)");
  // The bytes there are all right, the rest is missing.
  if (size < kMagicSize + 2)
    return Status::error("truncated .npy file (" + std::to_string(size) + " bytes, shorter than the " +
                         std::to_string(kMagicSize + 2) + "-byte magic and format version)");
  const uint8_t major = data[6], minor = data[7];
  if (major < 1 || major > 3 || minor != 0)
    return Status::error("unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                         " (1.0, 2.0 and 3.0 are read)");
  const size_t len_bytes = major == 1 ? 2 : 4;
  const size_t prefix = kMagicSize + 2 + len_bytes;
  if (size < prefix) return Status::error("npy file truncated in the header length");
  const size_t header_len = read_le(data + 8, len_bytes);
  if (header_len > kMaxHeaderBytes)
    return Status::error("npy header length " + std::to_string(header_len) + " is implausible");
  if (header_len > size - prefix)
    return Status::error("npy header length " + std::to_string(header_len) + " runs past the end of the file");
  const std::string header(reinterpret_cast<const char*>(data + prefix), header_len);
  // 1.0/2.0 headers are latin-1 but numpy writes plain ASCII; 3.0 allows UTF-8 only in field names
  // we do not accept anyway. So: printable ASCII and the final newline.
  for (size_t i = 0; i < header.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(header[i]);
    if ((c < 0x20 || c > 0x7e) && !(c == '\n' && i + 1 == header.size()))
      return Status::error("npy header has a non-printable byte at " + std::to_string(i));
  }
  std::string descr;
  bool fortran_order = false;
  Shape shape;
  WEBCNN_TRY(HeaderParser(header).parse(descr, fortran_order, shape));

  std::optional<DataType> dtype;
  for (const DescrInfo& d : kDescrs)
    if (descr == d.descr) dtype = d.dtype;
  if (!dtype && (descr == "<u1" || descr == ">u1")) dtype = DataType::kUInt8;  // byte order is moot for one byte
  if (!dtype && (descr == "<b1" || descr == ">b1")) dtype = DataType::kBool;
  if (!dtype && (descr == "<i1" || descr == ">i1")) dtype = DataType::kInt8;
  if (!dtype) {
    const bool big = !descr.empty() && descr[0] == '>';
    return Status::error(
        "npy dtype '" + descr + "' is not supported" + (big ? " (big-endian; save with dtype.newbyteorder('<'))" : "") +
        " (float32 '<f4', float64 '<f8', int32 '<i4', int64 '<i8', uint8 '|u1', int8 '|i1', bool '|b1')");
  }
  if (fortran_order)
    return Status::error("npy array is in Fortran order; save a C-contiguous array (np.ascontiguousarray)");
  WEBCNN_ASSIGN(int64_t count, checked_num_elements(shape));
  const size_t payload = size - prefix - header_len;
  const size_t expected = static_cast<size_t>(count) * dtype_size(*dtype);
  if (payload != expected)
    return Status::error("npy data is " + std::to_string(payload) + " bytes; shape " + shape_to_string(shape) + " of " +
                         descr + " needs " + std::to_string(expected));
  WEBCNN_ASSIGN(Tensor t, Tensor::create(*dtype, shape));
  if (expected) std::memcpy(t.raw(), data + prefix + header_len, expected);  // host is little-endian (x86, wasm)
  if (*dtype == DataType::kBool) {
    const uint8_t* b = t.data<uint8_t>();
    for (int64_t i = 0; i < count; ++i)
      if (b[i] > 1)
        return Status::error("npy bool element " + std::to_string(i) + " is " + std::to_string(b[i]) + ", not 0 or 1");
  }
  return t;
}

std::vector<uint8_t> serialize(const Tensor& tensor) {
  std::string dims;  // Python tuple syntax: (), (5,), (1, 3)
  for (size_t i = 0; i < tensor.shape().size(); ++i) dims += (i ? ", " : "") + std::to_string(tensor.shape()[i]);
  if (tensor.shape().size() == 1) dims += ",";
  std::string dict =
      "{'descr': '" + std::string(descr_of(tensor.dtype())) + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad with spaces so magic + version + length + header is a multiple of 64, ending in '\n'.
  size_t len_bytes = 2;
  size_t total = kMagicSize + 2 + len_bytes + dict.size() + 1;
  if ((total + 63) / 64 * 64 - kMagicSize - 2 - len_bytes > 0xffff) {
    len_bytes = 4;
    total = kMagicSize + 2 + len_bytes + dict.size() + 1;
  }
  const size_t padded = (total + 63) / 64 * 64;
  const size_t header_len = padded - kMagicSize - 2 - len_bytes;
  dict.append(header_len - dict.size() - 1, ' ');
  dict += '\n';

  std::vector<uint8_t> out;
  out.reserve(padded + tensor.bytes());
  out.insert(out.end(), kMagic, kMagic + kMagicSize);
  out.push_back(len_bytes == 2 ? 1 : 2);
  out.push_back(0);
  for (size_t i = 0; i < len_bytes; ++i) out.push_back(static_cast<uint8_t>(header_len >> (8 * i)));
  out.insert(out.end(), dict.begin(), dict.end());
  const uint8_t* raw = static_cast<const uint8_t*>(tensor.raw());
  if (tensor.bytes()) out.insert(out.end(), raw, raw + tensor.bytes());
  return out;
}

Result<Tensor> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::error(path + ": cannot open file");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) return Status::error(path + ": cannot read file");
  Result<Tensor> t = parse(bytes.data(), bytes.size());
  if (!t.is_ok()) return t.status().with_context(path);
  return t;
}

Status write_file(const std::string& path, const Tensor& tensor) {
  const std::vector<uint8_t> bytes = serialize(tensor);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return Status::error(path + ": cannot create file");
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) return Status::error(path + ": write failed");
  return Status::ok();
}

}  // namespace webcnn::npy
