// Raw pixels with fuzzed dimensions and options. See fuzz_targets.h.
#include <cstring>

#include "fuzz_targets.h"
#include "webcnn/image.h"

namespace webcnn_fuzz {

webcnn::Status preprocess_pixels(const uint8_t* data, size_t size) {
  constexpr size_t kHeader = 12;
  if (size < kHeader) return webcnn::Status::error("fuzz input shorter than the 12-byte header");
  uint16_t w, h, tw, th;
  std::memcpy(&w, data, 2);
  std::memcpy(&h, data + 2, 2);
  std::memcpy(&tw, data + 4, 2);
  std::memcpy(&th, data + 6, 2);
  webcnn::PreprocessOptions options;
  // Target sides up to 160 (0 included: must be refused cleanly). Larger ones only cost time per input:
  // the resampling code is the same.
  options.width = tw % 161;
  options.height = th % 161;
  options.fit = static_cast<webcnn::FitMode>(data[8] % 3);
  options.layout = static_cast<webcnn::TensorLayout>(data[9] % 2);
  options.crop_fraction = (data[10] % 101) / 100.0f;  // 0 included: must be refused cleanly
  webcnn::ImageView view;
  view.format = (data[11] & 1) ? webcnn::PixelFormat::kRGB8 : webcnn::PixelFormat::kRGBA8;
  view.width = w % 1024;
  view.height = h % 1024;
  size_t channels = view.format == webcnn::PixelFormat::kRGB8 ? 3 : 4;
  // Padding between rows (bit 1..3 of byte 11), so strided views are covered too.
  size_t padding = (data[11] >> 1) & 7;
  if (padding) view.row_stride = size_t(view.width) * channels + padding;
  size_t row = view.row_stride ? view.row_stride : size_t(view.width) * channels;
  // Only hand over as many pixels as the fuzzer gave bytes for: the view must describe real memory.
  size_t needed = view.height > 0 ? row * size_t(view.height - 1) + size_t(view.width) * channels : 0;
  if (needed > size - kHeader)
    return webcnn::Status::error("fuzz input has fewer pixel bytes than its header declares");
  view.pixels = data + kHeader;
  return webcnn::preprocess_image(view, options).status();
}

}  // namespace webcnn_fuzz
