#include "import/model_import.h"

namespace webcnn {

Result<Graph> import_tfjs_model_file(const std::string& json_path) {
  (void)json_path;
  return Status::error("TF.js graph models are being built");
}

}  // namespace webcnn
