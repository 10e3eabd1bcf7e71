// Every input a fuzzer ever crashed on, kept (minimised) in tests/fuzz/regressions/<fuzzer>/, replayed
// through the fuzzers' own target code (tests/fuzz/*_target.cc, compiled here without libFuzzer). Under
// AddressSanitizer + UBSan (scripts/test.sh) a regression shows as a sanitizer report; in every build
// each input must end in OK or a clean error with a message. The targets are also checked to accept a
// valid input of their format, so a target that refuses everything cannot pass unnoticed.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "support/onnx_test_data.h"

// The build globs tests/native/*.cc only, so the target bodies are compiled into this file.
#include "../fuzz/image_target.cc"
#include "../fuzz/onnx_load_run_target.cc"
#include "../fuzz/preprocess_target.cc"
#include "../fuzz/tfjs_import_target.cc"
#include "../fuzz/tflite_import_target.cc"

namespace {

using Target = webcnn::Status (*)(const uint8_t*, size_t);

struct Fuzzer {
  const char* name;
  Target target;
};

const Fuzzer kFuzzers[] = {
    {"onnx_load_run_fuzzer", webcnn_fuzz::onnx_load_run},  {"tfjs_import_fuzzer", webcnn_fuzz::tfjs_import},
    {"tfjs_layers_fuzzer", webcnn_fuzz::tfjs_import},      {"image_fuzzer", webcnn_fuzz::image_decode_preprocess},
    {"preprocess_fuzzer", webcnn_fuzz::preprocess_pixels}, {"tflite_import_fuzzer", webcnn_fuzz::tflite_import},
};

std::filesystem::path regressions_dir() { return std::filesystem::path(WEBCNN_SOURCE_DIR) / "tests/fuzz/regressions"; }

std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename().string()[0] != '.') files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

webcnn::Status replay(Target target, const std::vector<uint8_t>& bytes) {
  // An exact-size heap copy, so ASan catches a read one byte past the input's end.
  std::unique_ptr<uint8_t[]> copy(new uint8_t[bytes.size() + 1]);
  if (!bytes.empty()) std::memcpy(copy.get(), bytes.data(), bytes.size());
  return target(bytes.empty() ? nullptr : copy.get(), bytes.size());
}

}  // namespace

TEST_CASE("fuzz regressions: every kept crash input now ends in OK or a clean error") {
  int replayed = 0;
  for (const Fuzzer& f : kFuzzers) {
    for (const auto& path : files_in(regressions_dir() / f.name)) {
      INFO(f.name << ": " << path.filename().string());
      std::vector<uint8_t> bytes;
      REQUIRE(webcnn_test::read_file_bytes(path, bytes));
      webcnn::Status st = replay(f.target, bytes);
      if (!st.is_ok()) CHECK_FALSE(st.message().empty());
      ++replayed;
    }
  }
  MESSAGE("replayed " << replayed << " fuzz regression inputs");
}

TEST_CASE("fuzz targets accept a valid input of their format") {
  SUBCASE("onnx_load_run: a conformance model loads and runs") {
    std::vector<uint8_t> bytes;
    auto path = webcnn_test::onnx_case_dir("node", "test_conv_with_strides_padding") / "model.onnx";
    if (!webcnn_test::read_file_bytes(path, bytes)) {
      MESSAGE("ONNX test data not installed; skipping");
      return;
    }
    webcnn::Status st = replay(webcnn_fuzz::onnx_load_run, bytes);
    CHECK_MESSAGE(st.is_ok(), st.message());
    bytes.resize(bytes.size() / 2);
    CHECK_FALSE(replay(webcnn_fuzz::onnx_load_run, bytes).is_ok());
  }
  SUBCASE("tfjs_import: model.json NUL shard") {
    // x [1,2] → Add(x, b) with b = [1, 2] from the shard.
    std::string json = R"({"format":"graph-model","modelTopology":{"node":[
      {"name":"x","op":"Placeholder","attr":{"dtype":{"type":"DT_FLOAT"},"shape":{"shape":{"dim":[{"size":"1"},{"size":"2"}]}}}},
      {"name":"b","op":"Const","attr":{"dtype":{"type":"DT_FLOAT"}}},
      {"name":"y","op":"AddV2","input":["x","b"]}]},
      "weightsManifest":[{"paths":["w.bin"],"weights":[{"name":"b","shape":[2],"dtype":"float32"}]}]})";
    const float b[2] = {1.0f, 2.0f};
    std::vector<uint8_t> bytes(json.begin(), json.end());
    bytes.push_back(0);
    bytes.insert(bytes.end(), reinterpret_cast<const uint8_t*>(b), reinterpret_cast<const uint8_t*>(b) + sizeof b);
    webcnn::Status st = replay(webcnn_fuzz::tfjs_import, bytes);
    CHECK_MESSAGE(st.is_ok(), st.message());
    bytes.pop_back();  // the shard one byte short
    st = replay(webcnn_fuzz::tfjs_import, bytes);
    REQUIRE_FALSE(st.is_ok());
    CHECK(st.message().find("'b'") != std::string::npos);
  }
  SUBCASE("tflite_import: a tiny float model loads and runs") {
    std::vector<uint8_t> bytes;
    REQUIRE(webcnn_test::read_file_bytes(
        std::filesystem::path(WEBCNN_SOURCE_DIR) / "tests/data/tflite/conv_chain.tflite", bytes));
    webcnn::Status st = replay(webcnn_fuzz::tflite_import, bytes);
    CHECK_MESSAGE(st.is_ok(), st.message());
    bytes.resize(bytes.size() / 2);
    CHECK_FALSE(replay(webcnn_fuzz::tflite_import, bytes).is_ok());
  }
  SUBCASE("image: a 2x2 24-bit BMP decodes and preprocesses") {
    // BITMAPFILEHEADER (14) + BITMAPINFOHEADER (40) + 2 rows of 2 BGR pixels padded to 8 bytes.
    std::vector<uint8_t> bmp = {'B',  'M',  70, 0,   0,    0,    0, 0, 0, 0,  54,  0,   0,   0,   40, 0,  0, 0, 2,
                                0,    0,    0,  2,   0,    0,    0, 1, 0, 24, 0,   0,   0,   0,   0,  16, 0, 0, 0,
                                0x13, 0x0b, 0,  0,   0x13, 0x0b, 0, 0, 0, 0,  0,   0,   0,   0,   0,  0,  0, 0, 255,
                                0,    0,    0,  255, 0,    0,    0, 0, 0, 0,  255, 255, 255, 255, 0,  0};
    webcnn::Status st = replay(webcnn_fuzz::image_decode_preprocess, bmp);
    CHECK_MESSAGE(st.is_ok(), st.message());
    CHECK_FALSE(replay(webcnn_fuzz::image_decode_preprocess, {'B', 'M', 1, 2, 3}).is_ok());
  }
  SUBCASE("preprocess: header + pixels") {
    std::vector<uint8_t> bytes = {3, 0, 2, 0, 5, 0, 4, 0, /*fit*/ 1, /*layout*/ 0, /*crop*/ 100, /*RGB8*/ 1};
    for (int i = 0; i < 3 * 2 * 3; ++i) bytes.push_back(static_cast<uint8_t>(i * 13));
    webcnn::Status st = replay(webcnn_fuzz::preprocess_pixels, bytes);
    CHECK_MESSAGE(st.is_ok(), st.message());
    bytes.pop_back();  // one pixel byte short of what the header declares
    CHECK_FALSE(replay(webcnn_fuzz::preprocess_pixels, bytes).is_ok());
  }
}
