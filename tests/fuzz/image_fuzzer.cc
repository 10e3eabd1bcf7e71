// libFuzzer: arbitrary bytes as an image file, decoded and preprocessed like `webcnn classify` does.
#include <cstddef>
#include <cstdint>

#include "webcnn/image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto image = webcnn::decode_image(data, size);
  if (!image.is_ok()) return 0;
  webcnn::PreprocessOptions options;
  options.width = 31;
  options.height = 17;
  options.fit = webcnn::FitMode::kLetterbox;
  auto tensor = webcnn::preprocess_image(image.value().view(), options);
  (void)tensor;
  return 0;
}
