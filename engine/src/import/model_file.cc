#include "import/model_import.h"

namespace webcnn {

Result<Graph> import_onnx(const uint8_t* data, size_t size) {
  (void)data;
  (void)size;
  return Status::error("ONNX import is not built yet");
}

Result<Graph> import_model_file(const std::string& path) {
  return Status::error(path + ": model files are not supported yet");
}

}  // namespace webcnn
