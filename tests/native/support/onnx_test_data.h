// Where the official ONNX backend test data lives, and small file helpers shared by the ONNX tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace webcnn_test {

inline const char* onnx_test_data_root() { return "/usr/share/libonnx-testdata/data"; }
// The four case families the conformance test walks ("real" holds only download links).
inline std::vector<std::string> onnx_test_data_families() {
  return {"node", "pytorch-converted", "pytorch-operator", "simple"};
}

inline std::filesystem::path onnx_case_dir(const std::string& family, const std::string& name) {
  return std::filesystem::path(onnx_test_data_root()) / family / name;
}

inline bool read_file_bytes(const std::filesystem::path& path, std::vector<uint8_t>& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}

}  // namespace webcnn_test
