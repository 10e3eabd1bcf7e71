// The bodies of the libFuzzer targets, as plain functions: tests/fuzz/*_fuzzer.cc hand them the
// fuzzer's bytes, and tests/native/fuzz_regression_test.cc replays every input kept in
// tests/fuzz/regressions/<fuzzer>/ through the same code in the normal (non-libFuzzer) build.
//
// Each returns the engine's verdict on the input: OK, or the clean error it was refused with. What a
// target must never do, for any bytes, is crash, leak, overflow or read out of bounds (ASan + UBSan).
#pragma once

#include <cstddef>
#include <cstdint>

#include "webcnn/status.h"

namespace webcnn_fuzz {

// Bytes as an .onnx file: load (which plans and runs once when every input shape is static), then,
// when some input dim is free, one run with free dims taken as 1. Budget 64 MiB.
webcnn::Status onnx_load_run(const uint8_t* data, size_t size);

// Bytes as a TF.js graph model: model.json text, a NUL byte, then the bytes every manifest path reads
// (so mutations reach both the JSON and the weights). An imported graph whose inputs are small is also
// loaded (planned and run once when shapes are static).
webcnn::Status tfjs_import(const uint8_t* data, size_t size);

// Bytes as a .tflite file: import, then load (planned and run once when shapes are static). Budget 64 MiB.
webcnn::Status tflite_import(const uint8_t* data, size_t size);

// Bytes as an image file (JPEG/PNG/BMP...), decoded and preprocessed as `webcnn classify` does.
webcnn::Status image_decode_preprocess(const uint8_t* data, size_t size);

// A 12-byte header (source width/height, target width/height, fit, layout, crop fraction, pixel
// format) followed by raw pixels: the path the wasm bindings feed with RGBA frames from the page.
webcnn::Status preprocess_pixels(const uint8_t* data, size_t size);

// The memory budget the targets load models with: hostile dims must fail it, not exhaust the fuzzer.
constexpr size_t kFuzzMemoryBudget = size_t{64} << 20;

}  // namespace webcnn_fuzz
