// libFuzzer: arbitrary bytes as a TF.js model.json followed by one weight shard. The input is split at
// the first NUL byte: JSON text before it, the shard's bytes after it (every manifest path reads it).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "import/tfjs/tfjs_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const uint8_t* nul = static_cast<const uint8_t*>(std::memchr(data, 0, size));
  size_t json_size = nul ? static_cast<size_t>(nul - data) : size;
  std::string json(reinterpret_cast<const char*>(data), json_size);
  std::vector<uint8_t> shard;
  if (nul) shard.assign(nul + 1, data + size);
  auto graph = webcnn::tfjs::import_model(
      json, [&](const std::string&) -> webcnn::Result<std::vector<uint8_t>> { return shard; });
  (void)graph;
  return 0;
}
