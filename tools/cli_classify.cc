// `webcnn classify MODEL IMAGE`: decode, preprocess, run, print the top classes as "rank label score".
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>

#include "cli_common.h"

namespace webcnn::cli {
namespace {

const char kUsage[] =
    "usage: webcnn classify MODEL IMAGE [options]\n"
    "\n"
    "Decodes IMAGE (JPEG, PNG or BMP), preprocesses it for the model's image input (the one float input\n"
    "of rank 4 with 3 channels; a quantised uint8/int8 input gets the raw pixels), runs the model and prints\n"
    "the top classes of its first float output (or quantised 8-bit output, dequantised) as\n"
    "`rank label score`. Scores are probabilities: the output is taken as is when every value lies in\n"
    "[0, 1] and they sum to 1 within 1e-3 (the model ends in a softmax); otherwise softmax is applied.\n"
    "\n"
    "  --labels FILE         one label per line, in class order. With one line fewer than the model has\n"
    "                        classes, class 0 is taken as 'background' (TF-style 1001-class models).\n"
    "  --top K               how many classes to print (default 5)\n";

constexpr float kProbabilitySumTolerance = 1e-3f;

struct ImageInput {
  const TensorSpec* spec = nullptr;
  int64_t height = -1, width = -1;  // from the model, -1 when set at run time
};

// The model's image input and its layout, from its shape (or --layout when the shape cannot tell).
Result<ImageInput> find_image_input(const Model& model, const ParsedArgs& parsed, PreprocessOptions& o) {
  if (model.inputs().size() != 1)
    return Status::error("classify needs a model with exactly one input; this one has " +
                         std::to_string(model.inputs().size()));
  const TensorSpec& s = model.inputs()[0];
  const bool quantised = (s.dtype == DataType::kUInt8 || s.dtype == DataType::kInt8) && s.quant.scale.size() == 1;
  const bool real = s.dtype == DataType::kFloat32 || s.dtype == DataType::kFloat64;  // float64: declared double
  if ((!real && !quantised) || s.shape.size() != 4)
    return Status::error("input '" + s.name + "' is " + dtype_name(s.dtype) + " " + shape_to_string(s.shape) +
                         "; classify needs a float32 (or quantised uint8/int8) image tensor of rank 4");
  const bool nchw = s.shape[1] == 3, nhwc = s.shape[3] == 3;
  if (!parsed.single("--layout")) {
    if (nchw) o.layout = TensorLayout::kNCHW;
    else if (nhwc) o.layout = TensorLayout::kNHWC;
    else
      return Status::error("cannot tell the layout of input '" + s.name + "' " + shape_to_string(s.shape) +
                           " (no dimension of 3 channels); pass --layout");
  }
  const bool is_nchw = o.layout == TensorLayout::kNCHW;
  const int64_t channels = s.shape[is_nchw ? 1 : 3];
  if (channels >= 0 && channels != 3)
    return Status::error(std::string("input '") + s.name + "' " + shape_to_string(s.shape) +
                         " does not have 3 channels in " + (is_nchw ? "NCHW" : "NHWC") + " layout");
  ImageInput in;
  in.spec = &s;
  in.height = s.shape[is_nchw ? 2 : 1];
  in.width = s.shape[is_nchw ? 3 : 2];
  return in;
}

Result<std::vector<std::string>> read_labels(const std::string& path) {
  std::ifstream f(path);
  if (!f) return Status::error(path + ": cannot open labels file");
  std::vector<std::string> labels;
  std::string line;
  while (std::getline(f, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    labels.push_back(line);
  }
  while (!labels.empty() && labels.back().empty()) labels.pop_back();
  return labels;
}

// Scores → probabilities by the rule in the usage text.
std::vector<float> to_probabilities(std::vector<float> v, bool quantized_probability) {
  double sum = 0;
  bool in_unit = true;
  for (float x : v) {
    in_unit = in_unit && x >= 0.0f && x <= 1.0f;
    sum += x;
  }
  if (in_unit && (quantized_probability || std::fabs(sum - 1.0) <= kProbabilitySumTolerance)) return v;
  const float peak = *std::max_element(v.begin(), v.end());
  double total = 0;
  for (float& x : v) {
    x = std::exp(x - peak);
    total += x;
  }
  for (float& x : v) x = static_cast<float>(x / total);
  return v;
}

}  // namespace

int command_classify(const std::vector<std::string>& args) {
  const std::string usage = std::string(kUsage) + kImageOptionsUsage;
  std::set<std::string> known = kImageOptionNames;
  known.insert({"--labels", "--top"});
  Result<ParsedArgs> parsed = parse_args(args, known);
  if (!parsed.is_ok()) return usage_error("classify", parsed.status().message(), usage.c_str());
  if (parsed->help) {
    std::fputs(usage.c_str(), stdout);
    return 0;
  }
  if (Status st = check_single(*parsed, {"--labels", "--top"}); !st.is_ok())
    return usage_error("classify", st.message(), usage.c_str());
  if (parsed->positional.size() != 2) return usage_error("classify", "expected MODEL and IMAGE", usage.c_str());
  int64_t top = 5;
  if (const std::string* v = parsed->single("--top")) {
    Result<int64_t> k = parse_int(*v, "--top");
    if (!k.is_ok() || *k < 1) return usage_error("classify", "--top must be a positive integer", usage.c_str());
    top = *k;
  }
  PreprocessOptions options = default_image_options();
  if (Status st = apply_image_options(*parsed, options); !st.is_ok())
    return usage_error("classify", st.message(), usage.c_str());
  std::vector<std::string> labels;
  if (const std::string* v = parsed->single("--labels")) {
    Result<std::vector<std::string>> l = read_labels(*v);
    if (!l.is_ok()) return fail(l.status().message());
    labels = std::move(l).value();
  }

  const std::string& model_path = parsed->positional[0];
  const std::string& image_path = parsed->positional[1];
  Result<std::unique_ptr<Model>> loaded = Model::load_file(model_path);
  if (!loaded.is_ok()) return fail(loaded.status().message());
  Model& model = **loaded;
  Result<ImageInput> input = find_image_input(model, *parsed, options);
  if (!input.is_ok()) return fail(model_path + ": " + input.status().message());
  if (!parsed->single("--size")) {
    // Dimensions the model leaves open default to 224, the common classifier size.
    options.width = input->width > 0 ? static_cast<int>(std::min<int64_t>(input->width, kMaxPreprocessSide)) : 224;
    options.height = input->height > 0 ? static_cast<int>(std::min<int64_t>(input->height, kMaxPreprocessSide)) : 224;
  }

  Result<Image> image = decode_image_file(image_path);
  if (!image.is_ok()) return fail(image.status().message());
  const TensorSpec& spec = *input->spec;
  const bool quantised = spec.dtype != DataType::kFloat32 && spec.dtype != DataType::kFloat64;
  if (quantised) {
    // Quantised image inputs take the pixels that fill their 8-bit range (uint8 q = pixel, int8 q = pixel -
    // 128), which is what TFLite image classifiers were trained on (image.h); the normalisation options
    // do not apply.
    Result<PreprocessOptions> q = quantized_image_defaults(options, spec.dtype, spec.quant);
    if (!q.is_ok()) return fail(model_path + ": " + q.status().message());
    options = q.value();
  }
  Result<Tensor> tensor = preprocess_image(image->view(), options);
  if (!tensor.is_ok()) return fail(image_path + ": " + tensor.status().message());
  if (quantised) {
    Tensor q(spec.dtype, tensor->shape());
    if (Status st =
            quantize_real_into(tensor->data<float>(), static_cast<size_t>(q.size()), spec.dtype, spec.quant, q.raw());
        !st.is_ok())
      return fail(model_path + ": " + st.message());
    tensor = std::move(q);
  }
  Result<std::vector<Tensor>> outputs = model.run({{input->spec->name, &tensor.value()}});
  if (!outputs.is_ok()) return fail(model_path + ": " + outputs.status().message());

  // The first float output, or the first quantised 8-bit one, dequantised: real = scale * (q - zero_point).
  std::vector<float> raw_scores;
  bool quantized_probability = false;
  for (size_t i = 0; i < outputs->size() && raw_scores.empty(); ++i) {
    const Tensor& t = (*outputs)[i];
    const QuantParams& q = model.outputs()[i].quant;
    const bool eight_bit = (t.dtype() == DataType::kUInt8 || t.dtype() == DataType::kInt8) && q.scale.size() == 1;
    if (t.dtype() != DataType::kFloat32 && t.dtype() != DataType::kFloat64 && !eight_bit) continue;
    Result<std::vector<float>> real = dequantized_values(t, q);
    if (real.is_ok()) raw_scores = std::move(real).value();
    quantized_probability = is_quantized_probability(t.dtype(), q);
  }
  if (raw_scores.empty()) return fail(model_path + ": the model has no non-empty float or quantised output to rank");
  const std::vector<float> probs = to_probabilities(raw_scores, quantized_probability);
  const size_t classes = probs.size();
  const bool background_first = !labels.empty() && labels.size() + 1 == classes;
  if (!labels.empty() && labels.size() != classes && !background_first)
    std::fprintf(stderr, "webcnn: warning: %zu labels for %zu classes; unlabelled classes print as their index\n",
                 labels.size(), classes);
  auto label_of = [&](size_t c) -> std::string {
    if (background_first) return c == 0 ? "background" : labels[c - 1];
    return c < labels.size() ? labels[c] : std::to_string(c);
  };

  std::vector<size_t> order(classes);
  std::iota(order.begin(), order.end(), size_t{0});
  const size_t k = std::min<size_t>(static_cast<size_t>(top), classes);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](size_t a, size_t b) { return probs[a] > probs[b] || (probs[a] == probs[b] && a < b); });
  for (size_t r = 0; r < k; ++r) std::printf("%zu %s %.6f\n", r + 1, label_of(order[r]).c_str(), probs[order[r]]);
  return 0;
}

}  // namespace webcnn::cli
