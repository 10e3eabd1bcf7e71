// Picks the importer for a model file by its name and contents.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>

#include "import/model_import.h"
#include "import/tflite/tflite_schema.h"

namespace webcnn {

namespace {
std::string lowercase_extension(const std::string& path) {
  size_t dot = path.find_last_of('.');
  size_t slash = path.find_last_of("/\\");
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}
}  // namespace

Result<Graph> import_model_file(const std::string& path) {
  std::string ext = lowercase_extension(path);
  if (ext == ".json") {
    Result<Graph> g = import_tfjs_model_file(path);
    if (!g.is_ok()) return g.status().with_context(path);
    return g;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::error(StatusCode::kInvalidArgument, path + ": cannot open file");
  // One read of the whole file: a byte-at-a-time stream iterator took about a second for 100 MB.
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  f.seekg(0, std::ios::beg);
  if (size < 0 || !f) return Status::error(StatusCode::kInvalidArgument, path + ": cannot read file");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (size > 0 && !f.read(reinterpret_cast<char*>(bytes.data()), size))
    return Status::error(StatusCode::kInvalidArgument, path + ": cannot read file");
  // A FlatBuffer's file identifier sits at bytes 4..8: "TFL3" whatever the file is called.
  if (ext == ".tflite" || (ext != ".onnx" && tflite::has_tflite_identifier(bytes.data(), bytes.size()))) {
    Result<Graph> g = import_tflite(bytes.data(), bytes.size());
    if (!g.is_ok()) return g.status().with_context(path);
    return g;
  }
  if (ext != ".onnx" && !bytes.empty() && bytes[0] == '{')
    return Status::error(path + ": looks like JSON; TF.js models are loaded from a file named *.json");
  Result<Graph> g = import_onnx(bytes.data(), bytes.size());
  if (!g.is_ok()) return g.status().with_context(path);
  return g;
}

}  // namespace webcnn
