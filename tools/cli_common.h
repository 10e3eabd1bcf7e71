// Shared pieces of the `webcnn` command-line tool: argument parsing, number parsing, error exits,
// and the image options that `classify` and `preprocess` both take.
#pragma once

#include <array>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "webcnn/image.h"
#include "webcnn/model.h"
#include "webcnn/status.h"

namespace webcnn::cli {

// Exit codes: 0 success, 1 the work failed (bad model, bad file, ...), 2 the command line is wrong.
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// One entry point per command; `args` excludes the program and command names.
int command_info(const std::vector<std::string>& args);
int command_run(const std::vector<std::string>& args);
int command_classify(const std::vector<std::string>& args);
int command_preprocess(const std::vector<std::string>& args);
int command_bench(const std::vector<std::string>& args);

// Prints "webcnn: <message>" to stderr; returns kExitFailure.
int fail(const std::string& message);
// Prints "webcnn <command>: <message>" and the command's usage to stderr; returns kExitUsage.
int usage_error(const std::string& command, const std::string& message, const char* usage);

struct ParsedArgs {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;  // ("--top", "5"), in command-line order
  bool help = false;

  // The value of an option given at most once; nullptr when absent.
  const std::string* single(const std::string& name) const;
};

// Splits `args` into positionals and `--name value` / `--name=value` options. Every option takes a
// value and must be in `known`; "-h"/"--help" set `help`. "--" ends option parsing.
Result<ParsedArgs> parse_args(const std::vector<std::string>& args, const std::set<std::string>& known);
// An error if any option in `known_single` appears more than once.
Status check_single(const ParsedArgs& parsed, const std::set<std::string>& known_single);

Result<int64_t> parse_int(const std::string& text, const std::string& what);
Result<float> parse_float(const std::string& text, const std::string& what);
Result<std::array<float, 3>> parse_float3(const std::string& text, const std::string& what);  // "r,g,b"
Result<std::pair<int, int>> parse_size(const std::string& text);                              // "WxH"

// Output tensor name → file name: characters outside [A-Za-z0-9._-] become '_'; "" becomes "_".
std::string sanitize_file_name(const std::string& name);

// Image options shared by `classify` and `preprocess`. Defaults are torchvision's ImageNet
// normalisation: scale 1/255, mean 0.485,0.456,0.406, std 0.229,0.224,0.225; centre crop.
extern const std::set<std::string>
    kImageOptionNames;  // --size --mean --std --scale --layout --crop --crop-fraction --pad
PreprocessOptions default_image_options();
// Applies the image options present in `parsed` on top of `options`.
Status apply_image_options(const ParsedArgs& parsed, PreprocessOptions& options);
// Usage text for the image options (one line per option).
extern const char* const kImageOptionsUsage;

std::string format_count(int64_t n);  // 3504872 → "3,504,872"
std::string format_bytes(size_t n);   // 6389760 → "6.09 MiB (6389760 bytes)", 512 → "512 bytes"

}  // namespace webcnn::cli
