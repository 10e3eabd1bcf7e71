// Bytes as an image file, decoded and preprocessed like `webcnn classify` does. See fuzz_targets.h.
#include "fuzz_targets.h"
#include "webcnn/image.h"

namespace webcnn_fuzz {

webcnn::Status image_decode_preprocess(const uint8_t* data, size_t size) {
  WEBCNN_ASSIGN(webcnn::Image image, webcnn::decode_image(data, size));
  webcnn::PreprocessOptions options;
  options.width = 31;  // odd sizes, aspect ratio unlike any photo's
  options.height = 17;
  options.fit = webcnn::FitMode::kLetterbox;
  return webcnn::preprocess_image(image.view(), options).status();
}

}  // namespace webcnn_fuzz
