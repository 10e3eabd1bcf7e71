#include "import/model_import.h"

namespace webcnn {

Result<Graph> import_onnx(const uint8_t* data, size_t size) {
  (void)data;
  (void)size;
  return Status::error("ONNX import is being built");
}

}  // namespace webcnn
