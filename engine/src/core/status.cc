// Status messages made readable where they are built: names quoted from a hostile file (a PNG chunk type, an
// ONNX op type, a TFLite custom op name) can hold any bytes, and a terminal or Embind's UTF-8 decoding
// (U+FFFD) would show them as noise. Escapes as web/webcnn/errors.js readableMessage does: \xNN, two lower-
// case hex digits.
#include <string>
#include <string_view>

#include "webcnn/status.h"

namespace webcnn {

namespace {

bool in(unsigned char c, unsigned char lo, unsigned char hi) { return c >= lo && c <= hi; }

// Bytes of the well-formed UTF-8 character of 2 to 4 bytes at s[i] (Unicode's table 3-7: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 when none starts there.
size_t utf8_character_bytes(std::string_view s, size_t i) {
  const auto at = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
  const unsigned char b0 = at(0), b1 = at(1);
  const auto tail = [&](size_t from, size_t to) {
    for (size_t k = from; k < to; ++k)
      if (!in(at(k), 0x80, 0xBF)) return false;
    return true;
  };
  if (in(b0, 0xC2, 0xDF)) return tail(1, 2) ? 2 : 0;
  if (b0 == 0xE0) return in(b1, 0xA0, 0xBF) && tail(2, 3) ? 3 : 0;
  if (in(b0, 0xE1, 0xEC) || in(b0, 0xEE, 0xEF)) return tail(1, 3) ? 3 : 0;
  if (b0 == 0xED) return in(b1, 0x80, 0x9F) && tail(2, 3) ? 3 : 0;
  if (b0 == 0xF0) return in(b1, 0x90, 0xBF) && tail(2, 4) ? 4 : 0;
  if (in(b0, 0xF1, 0xF3)) return tail(1, 4) ? 4 : 0;
  if (b0 == 0xF4) return in(b1, 0x80, 0x8F) && tail(2, 4) ? 4 : 0;
  return 0;
}

constexpr size_t kEscapeBytes = 4;  // \xNN

// The message read unit by unit: a printable ASCII byte, a UTF-8 character, or a byte to escape.
struct Unit {
  size_t in_bytes;   // bytes of the message it reads
  size_t out_bytes;  // bytes it becomes
  bool escaped;
};

Unit unit_at(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c >= 0x20 && c < 0x7F) return {1, 1, false};
  if (c >= 0x80)
    if (const size_t n = utf8_character_bytes(s, i)) return {n, n, false};
  return {1, kEscapeBytes, true};  // a control byte (newline and tab too), or a byte that is not UTF-8 text
}

void append_unit(std::string& out, std::string_view s, size_t i, const Unit& u) {
  if (!u.escaped) {
    out.append(s.substr(i, u.in_bytes));
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  const auto c = static_cast<unsigned char>(s[i]);
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

}  // namespace

std::string Status::readable(std::string m) {
  size_t readable_bytes = 0;
  for (size_t i = 0; i < m.size();) {
    const Unit u = unit_at(m, i);
    readable_bytes += u.out_bytes;
    i += u.in_bytes;
  }
  // Every escape makes the text longer, so the same length means nothing to escape.
  if (readable_bytes == m.size() && m.size() <= kMaxMessageBytes) return m;

  std::string tail;
  size_t keep = readable_bytes;
  if (readable_bytes > kMaxMessageBytes) {
    tail = "... (" + std::to_string(readable_bytes) + " bytes in all)";
    keep = kMaxMessageBytes - tail.size();
  }
  std::string out;
  out.reserve(keep + tail.size());
  for (size_t i = 0; i < m.size();) {
    const Unit u = unit_at(m, i);
    if (out.size() + u.out_bytes > keep) break;  // whole escapes and characters only
    append_unit(out, m, i, u);
    i += u.in_bytes;
  }
  return out + tail;
}

}  // namespace webcnn
