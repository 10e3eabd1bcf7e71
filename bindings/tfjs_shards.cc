#include "tfjs_shards.h"

#include <string>
#include <vector>

#include "js_values.h"

namespace webcnn::js {
namespace {

std::string file_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string list(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
  return s.empty() ? "none" : s;
}

}  // namespace

TfjsShardReader shard_reader(const val& shards) {
  return [&shards](const std::string& path) -> Result<std::vector<uint8_t>> {
    if (shards.isUndefined() || shards.isNull() || shards.typeOf().as<std::string>() != "object")
      return Status::error(StatusCode::kInvalidArgument, "weight shard '" + path + "': no shards were given");
    val keys = val::global("Object").call<val>("keys", shards);
    std::vector<std::string> names;
    for (size_t i = 0, n = keys["length"].as<size_t>(); i < n; ++i) names.push_back(keys[i].as<std::string>());
    std::string key;
    for (const std::string& n : names)
      if (n == path) key = n;
    if (key.empty()) {
      std::vector<std::string> same_file;
      for (const std::string& n : names)
        if (file_name(n) == file_name(path)) same_file.push_back(n);
      if (same_file.size() > 1)
        return Status::error(StatusCode::kInvalidArgument, "weight shard '" + path +
                                                               "': several given files are named '" + file_name(path) +
                                                               "' (" + list(same_file) + ")");
      if (same_file.empty())
        return Status::error(StatusCode::kInvalidArgument,
                             "weight shard '" + path + "' was not given (given: " + list(names) + ")");
      key = same_file[0];
    }
    val data = shards[key];
    const std::string what = "weight shard '" + path + "'";
    WEBCNN_ASSIGN(size_t bytes, byte_length_of(data, what));
    std::vector<uint8_t> copy(bytes);
    WEBCNN_TRY(copy_from_js(data, copy.data(), bytes, what));
    return copy;
  };
}

}  // namespace webcnn::js
