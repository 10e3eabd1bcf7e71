#include "cli_common.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace webcnn::cli {

int fail(const std::string& message) {
  std::fprintf(stderr, "webcnn: %s\n", message.c_str());
  return kExitFailure;
}

int usage_error(const std::string& command, const std::string& message, const char* usage) {
  std::fprintf(stderr, "webcnn %s: %s\n\n%s", command.c_str(), message.c_str(), usage);
  return kExitUsage;
}

const std::string* ParsedArgs::single(const std::string& name) const {
  const std::string* found = nullptr;
  for (const auto& [key, value] : options)
    if (key == name) found = &value;
  return found;
}

Result<ParsedArgs> parse_args(const std::vector<std::string>& args, const std::set<std::string>& known) {
  ParsedArgs out;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (options_done || a.size() < 2 || a[0] != '-') {
      out.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    if (a == "-h" || a == "--help") {
      out.help = true;
      continue;
    }
    std::string name = a, value;
    const size_t eq = a.find('=');
    const bool inline_value = a.rfind("--", 0) == 0 && eq != std::string::npos;
    if (inline_value) name = a.substr(0, eq);
    if (!known.count(name)) return Status::error("unknown option '" + name + "'");
    if (inline_value) {
      value = a.substr(eq + 1);
    } else {
      if (i + 1 >= args.size()) return Status::error("option '" + name + "' needs a value");
      value = args[++i];
    }
    out.options.emplace_back(name, value);
  }
  return out;
}

Status check_single(const ParsedArgs& parsed, const std::set<std::string>& known_single) {
  std::set<std::string> seen;
  for (const auto& kv : parsed.options)
    if (known_single.count(kv.first) && !seen.insert(kv.first).second)
      return Status::error("option '" + kv.first + "' given more than once");
  return Status::ok();
}

Result<int64_t> parse_int(const std::string& text, const std::string& what) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE)
    return Status::error(what + " must be an integer, got '" + text + "'");
  return static_cast<int64_t>(v);
}

Result<float> parse_float(const std::string& text, const std::string& what) {
  errno = 0;
  char* end = nullptr;
  const float v = std::strtof(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
    return Status::error(what + " must be a finite number, got '" + text + "'");
  return v;
}

Result<std::array<float, 3>> parse_float3(const std::string& text, const std::string& what) {
  std::array<float, 3> v{};
  size_t start = 0;
  for (int i = 0; i < 3; ++i) {
    const size_t comma = text.find(',', start);
    if ((i < 2) != (comma != std::string::npos))
      return Status::error(what + " must be three comma-separated numbers (r,g,b), got '" + text + "'");
    WEBCNN_ASSIGN(
        v[i], parse_float(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start), what));
    start = comma + 1;
  }
  return v;
}

Result<std::pair<int, int>> parse_size(const std::string& text) {
  const size_t x = text.find_first_of("xX");
  if (x == std::string::npos) return Status::error("--size must be WxH (e.g. 224x224), got '" + text + "'");
  WEBCNN_ASSIGN(int64_t w, parse_int(text.substr(0, x), "--size width"));
  WEBCNN_ASSIGN(int64_t h, parse_int(text.substr(x + 1), "--size height"));
  if (w < 1 || h < 1 || w > kMaxPreprocessSide || h > kMaxPreprocessSide)
    return Status::error("--size sides must be in 1.." + std::to_string(kMaxPreprocessSide) + ", got '" + text + "'");
  return std::make_pair(static_cast<int>(w), static_cast<int>(h));
}

std::string sanitize_file_name(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return out.empty() ? "_" : out;
}

const std::set<std::string> kImageOptionNames = {"--size",   "--mean", "--std",           "--scale",
                                                 "--layout", "--crop", "--crop-fraction", "--pad"};

const char* const kImageOptionsUsage =
    "  --size WxH            tensor size (classify: default from the model's input shape)\n"
    "  --crop MODE           center (default) | letterbox | stretch\n"
    "  --crop-fraction F     center crop keeps this fraction of the covering crop (default 1;\n"
    "                        torchvision's Resize(256)+CenterCrop(224) is 0.875)\n"
    "  --pad r,g,b           letterbox bar colour in 0..255 (default 0,0,0)\n"
    "  --scale S             pixel values 0..255 are multiplied by S (default 1/255)\n"
    "  --mean r,g,b          then this is subtracted (default 0.485,0.456,0.406)\n"
    "  --std r,g,b           then divided by this (default 0.229,0.224,0.225)\n"
    "  --layout nchw|nhwc    tensor layout (classify: default from the model's input shape)\n";

PreprocessOptions default_image_options() {
  PreprocessOptions o;
  o.scale = 1.0f / 255.0f;
  o.mean = {0.485f, 0.456f, 0.406f};
  o.std = {0.229f, 0.224f, 0.225f};
  o.fit = FitMode::kCenterCrop;
  o.layout = TensorLayout::kNCHW;
  return o;
}

Status apply_image_options(const ParsedArgs& parsed, PreprocessOptions& o) {
  WEBCNN_TRY(check_single(parsed, kImageOptionNames));
  if (const std::string* v = parsed.single("--size")) {
    WEBCNN_ASSIGN(auto wh, parse_size(*v));
    o.width = wh.first;
    o.height = wh.second;
  }
  if (const std::string* v = parsed.single("--crop")) {
    if (*v == "center") o.fit = FitMode::kCenterCrop;
    else if (*v == "letterbox") o.fit = FitMode::kLetterbox;
    else if (*v == "stretch") o.fit = FitMode::kStretch;
    else return Status::error("--crop must be center, letterbox or stretch, got '" + *v + "'");
  }
  if (const std::string* v = parsed.single("--crop-fraction")) {
    WEBCNN_ASSIGN(o.crop_fraction, parse_float(*v, "--crop-fraction"));
    if (!(o.crop_fraction > 0 && o.crop_fraction <= 1)) return Status::error("--crop-fraction must be in (0, 1]");
  }
  if (const std::string* v = parsed.single("--pad")) {
    WEBCNN_ASSIGN(auto pad, parse_float3(*v, "--pad"));
    for (int c = 0; c < 3; ++c) {
      if (pad[c] < 0 || pad[c] > 255 || pad[c] != std::floor(pad[c]))
        return Status::error("--pad values must be integers in 0..255");
      o.pad_color[c] = static_cast<uint8_t>(pad[c]);
    }
  }
  if (const std::string* v = parsed.single("--scale")) {
    WEBCNN_ASSIGN(o.scale, parse_float(*v, "--scale"));
  }
  if (const std::string* v = parsed.single("--mean")) {
    WEBCNN_ASSIGN(o.mean, parse_float3(*v, "--mean"));
  }
  if (const std::string* v = parsed.single("--std")) {
    WEBCNN_ASSIGN(o.std, parse_float3(*v, "--std"));
    for (float s : o.std)
      if (s == 0) return Status::error("--std values must be non-zero");
  }
  if (const std::string* v = parsed.single("--layout")) {
    if (*v == "nchw" || *v == "NCHW") o.layout = TensorLayout::kNCHW;
    else if (*v == "nhwc" || *v == "NHWC") o.layout = TensorLayout::kNHWC;
    else return Status::error("--layout must be nchw or nhwc, got '" + *v + "'");
  }
  return Status::ok();
}

std::string format_count(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string format_bytes(size_t n) {
  char buf[64];
  if (n < 1024) std::snprintf(buf, sizeof buf, "%zu bytes", n);
  else if (n < (size_t{1} << 20))
    std::snprintf(buf, sizeof buf, "%.1f KiB (%zu bytes)", static_cast<double>(n) / 1024, n);
  else std::snprintf(buf, sizeof buf, "%.2f MiB (%zu bytes)", static_cast<double>(n) / (1 << 20), n);
  return buf;
}

}  // namespace webcnn::cli
