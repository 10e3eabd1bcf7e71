// `webcnn run MODEL --input NAME=FILE.npy ... --output DIR`: the model on .npy inputs, every output
// written as DIR/<name>.npy. The tool the ONNX Runtime oracle tests drive.
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

#include "cli_common.h"
#include "npy.h"

namespace webcnn::cli {
namespace {

const char kUsage[] =
    "usage: webcnn run MODEL --input NAME=FILE.npy [--input NAME=FILE.npy ...] --output DIR\n"
    "\n"
    "  --input NAME=FILE.npy  a graph input from a .npy file (float32, int32, int64, uint8, int8 or bool;\n"
    "                         C order). NAME= may be left out when the model has one input.\n"
    "  --output DIR           created if missing; each output goes to DIR/<name>.npy, with characters\n"
    "                         outside [A-Za-z0-9._-] in <name> replaced by '_'.\n";

}  // namespace

int command_run(const std::vector<std::string>& args) {
  Result<ParsedArgs> parsed = parse_args(args, {"--input", "--output"});
  if (!parsed.is_ok()) return usage_error("run", parsed.status().message(), kUsage);
  if (parsed->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (Status st = check_single(*parsed, {"--output"}); !st.is_ok()) return usage_error("run", st.message(), kUsage);
  if (parsed->positional.size() != 1) return usage_error("run", "expected exactly one MODEL", kUsage);
  const std::string* out_dir = parsed->single("--output");
  if (!out_dir) return usage_error("run", "--output DIR is required", kUsage);
  std::vector<std::pair<std::string, std::string>> input_files;  // (name or "", path)
  for (const auto& [key, value] : parsed->options) {
    if (key != "--input") continue;
    const size_t eq = value.find('=');
    if (eq == std::string::npos) input_files.emplace_back("", value);
    else input_files.emplace_back(value.substr(0, eq), value.substr(eq + 1));
  }
  if (input_files.empty()) return usage_error("run", "at least one --input is required", kUsage);

  const std::string& path = parsed->positional[0];
  Result<std::unique_ptr<Model>> loaded = Model::load_file(path);
  if (!loaded.is_ok()) return fail(loaded.status().message());
  Model& model = **loaded;

  std::map<std::string, Tensor> tensors;
  for (auto& [name, file] : input_files) {
    if (name.empty()) {
      if (model.inputs().size() != 1)
        return usage_error(
            "run",
            "the model has " + std::to_string(model.inputs().size()) + " inputs; name each one (--input NAME=FILE.npy)",
            kUsage);
      name = model.inputs()[0].name;
    }
    if (tensors.count(name)) return usage_error("run", "input '" + name + "' given more than once", kUsage);
    Result<Tensor> t = npy::read_file(file);
    if (!t.is_ok()) return fail(t.status().message());
    tensors.emplace(name, std::move(t).value());
  }
  std::map<std::string, const Tensor*> feed;
  for (const auto& kv : tensors) feed[kv.first] = &kv.second;

  Result<std::vector<Tensor>> outputs = model.run(feed);
  if (!outputs.is_ok()) return fail(path + ": " + outputs.status().message());

  std::error_code ec;
  std::filesystem::create_directories(*out_dir, ec);
  if (ec) return fail(*out_dir + ": cannot create directory (" + ec.message() + ")");
  std::set<std::string> used;
  for (size_t i = 0; i < outputs->size(); ++i) {
    const std::string& name = model.outputs()[i].name;
    std::string stem = sanitize_file_name(name);
    // Two names that sanitise alike (a/b, a:b) must not overwrite each other.
    if (!used.insert(stem).second) {
      stem += "_" + std::to_string(i);
      used.insert(stem);
    }
    const std::string file = (std::filesystem::path(*out_dir) / (stem + ".npy")).string();
    const Tensor& t = (*outputs)[i];
    if (Status st = npy::write_file(file, t); !st.is_ok()) return fail(st.message());
    std::printf("%s %s %s -> %s\n", name.c_str(), dtype_name(t.dtype()), shape_to_string(t.shape()).c_str(),
                file.c_str());
  }
  return 0;
}

}  // namespace webcnn::cli
