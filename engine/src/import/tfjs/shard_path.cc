#include "import/tfjs/shard_path.h"

namespace webcnn {
namespace tfjs {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string shard_path_problem(const std::string& path) {
  if (path.empty()) return "nothing in it";
  std::string decoded;
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '%') {
      const int high = i + 1 < path.size() ? hex_value(path[i + 1]) : -1;
      const int low = i + 2 < path.size() ? hex_value(path[i + 2]) : -1;
      if (high < 0 || low < 0) return "a malformed percent escape";
      c = static_cast<char>(high * 16 + low);
      // Encoded separators and a second round of encoding are how escapes hide from a check.
      if (c == '/' || c == '\\' || c == '%') return "an encoded '/', '\\' or '%'";
      i += 2;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "a control character";
    decoded += c;
  }
  if (decoded[0] == '/' || decoded[0] == '\\') return "an absolute path";
  const size_t colon = decoded.find(':');
  if (colon != std::string::npos && decoded.find_first_of("/\\") > colon) return "a scheme or drive";
  size_t start = 0;
  for (;;) {
    const size_t end = decoded.find_first_of("/\\", start);
    if (decoded.compare(start, end == std::string::npos ? std::string::npos : end - start, "..") == 0)
      return "a '..' segment";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return "";
}

}  // namespace tfjs
}  // namespace webcnn
