// The shard paths of a TF.js weightsManifest are URLs relative to model.json: a browser resolves
// "%2e%2e/x.bin" exactly as "../x.bin". So a path is checked as what it decodes to, and one that could
// leave model.json's directory is refused (web/webcnn/model_sources.js applies the same rule).
#pragma once

#include <string>

namespace webcnn {
namespace tfjs {

// Why `path` may not name a shard, or "" when it may: empty; a malformed percent escape; an encoded
// '/', '\', '%' or control character; after decoding, an absolute path, a scheme or drive ("x:"), or a
// '..' segment.
std::string shard_path_problem(const std::string& path);

}  // namespace tfjs
}  // namespace webcnn
