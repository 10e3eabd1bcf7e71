// libFuzzer: preprocessing of raw pixels with fuzzed dimensions and options — the path the wasm
// bindings feed with RGBA frames from the page.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "webcnn/image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 12) return 0;
  uint16_t w, h, tw, th;
  std::memcpy(&w, data, 2);
  std::memcpy(&h, data + 2, 2);
  std::memcpy(&tw, data + 4, 2);
  std::memcpy(&th, data + 6, 2);
  webcnn::PreprocessOptions options;
  options.width = tw % 512;
  options.height = th % 512;
  options.fit = static_cast<webcnn::FitMode>(data[8] % 3);
  options.layout = static_cast<webcnn::TensorLayout>(data[9] % 2);
  options.crop_fraction = (data[10] % 101) / 100.0f;
  webcnn::ImageView view;
  view.format = (data[11] & 1) ? webcnn::PixelFormat::kRGB8 : webcnn::PixelFormat::kRGBA8;
  view.width = w % 1024;
  view.height = h % 1024;
  size_t channels = view.format == webcnn::PixelFormat::kRGB8 ? 3 : 4;
  // Only hand over as many pixels as the fuzzer gave bytes for; the declared size must match.
  if (size_t(view.width) * size_t(view.height) * channels > size - 12) return 0;
  view.pixels = data + 12;
  auto tensor = webcnn::preprocess_image(view, options);
  (void)tensor;
  return 0;
}
