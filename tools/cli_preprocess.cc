// `webcnn preprocess IMAGE --output FILE.npy`: the tensor `classify` would feed a model, as .npy, so
// other tools (the ONNX Runtime oracle tests) can run on exactly the same input.
#include <cstdio>

#include "cli_common.h"
#include "npy.h"

namespace webcnn::cli {
namespace {

const char kUsage[] =
    "usage: webcnn preprocess IMAGE --output FILE.npy [options]\n"
    "\n"
    "Decodes IMAGE (JPEG, PNG or BMP) and writes a float32 [1,3,H,W] (or [1,H,W,3]) tensor.\n"
    "\n"
    "  --output FILE.npy     where to write the tensor\n"
    "  (--size defaults to 224x224 and --layout to nchw here)\n";

}  // namespace

int command_preprocess(const std::vector<std::string>& args) {
  const std::string usage = std::string(kUsage) + kImageOptionsUsage;
  std::set<std::string> known = kImageOptionNames;
  known.insert("--output");
  Result<ParsedArgs> parsed = parse_args(args, known);
  if (!parsed.is_ok()) return usage_error("preprocess", parsed.status().message(), usage.c_str());
  if (parsed->help) {
    std::fputs(usage.c_str(), stdout);
    return 0;
  }
  if (Status st = check_single(*parsed, {"--output"}); !st.is_ok())
    return usage_error("preprocess", st.message(), usage.c_str());
  if (parsed->positional.size() != 1) return usage_error("preprocess", "expected exactly one IMAGE", usage.c_str());
  const std::string* out = parsed->single("--output");
  if (!out) return usage_error("preprocess", "--output FILE.npy is required", usage.c_str());
  PreprocessOptions options = default_image_options();
  if (Status st = apply_image_options(*parsed, options); !st.is_ok())
    return usage_error("preprocess", st.message(), usage.c_str());

  Result<Image> image = decode_image_file(parsed->positional[0]);
  if (!image.is_ok()) return fail(image.status().message());
  Result<Tensor> tensor = preprocess_image(image->view(), options);
  if (!tensor.is_ok()) return fail(parsed->positional[0] + ": " + tensor.status().message());
  if (Status st = npy::write_file(*out, *tensor); !st.is_ok()) return fail(st.message());
  return 0;
}

}  // namespace webcnn::cli
