// The Embind module web/webcnn.js drives: load a model (ONNX bytes, or TF.js model.json text and its
// weight shards), describe it, run it on typed arrays, preprocess and classify RGBA images, look inside
// (convolution layers, their weights, their outputs during a run), and report heap use. Every function
// returns a plain JS value or {error: "<engine message>", code: "<its kind>"} (see js_values.h for why
// errors are values). Loading defaults an error's kind to INVALID_MODEL, everything else to INVALID_ARGUMENT.
#include <emscripten/bind.h>
#include <emscripten/heap.h>
#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

#include "js_values.h"
#include "tfjs_shards.h"
#include "webcnn/build_info.h"
#include "webcnn/image.h"
#include "webcnn/model.h"

namespace webcnn::js {
namespace {

const char* expected_array_name(DataType t) {
  switch (t) {
    case DataType::kFloat32: return "Float32Array";
    case DataType::kInt32: return "Int32Array";
    case DataType::kInt64: return "BigInt64Array";
    case DataType::kUInt8:
    case DataType::kBool: return "Uint8Array";
    case DataType::kInt8: return "Int8Array";
    case DataType::kFloat64: return "Float64Array";
  }
  return "Uint8Array";
}

// Defaults for classify()/preprocess(): torchvision's ImageNet evaluation transform
// (resize the short side to 256, centre-crop 224, scale to 0..1, normalise by ImageNet mean and std).
PreprocessOptions imagenet_defaults() {
  PreprocessOptions o;
  o.fit = FitMode::kCenterCrop;
  o.crop_fraction = 0.875f;
  o.scale = 1.0f / 255.0f;
  o.mean = {0.485f, 0.456f, 0.406f};
  o.std = {0.229f, 0.224f, 0.225f};
  return o;
}

}  // namespace

class ModelBinding {
 public:
  explicit ModelBinding(std::unique_ptr<Model> model) : model_(std::move(model)) {}
  ModelBinding(ModelBinding&&) = default;

  val inputs() const {
    val a = val::array();
    for (const TensorSpec& s : model_->inputs()) a.call<void>("push", spec_to_js(s.name, s.shape, s.dtype, s.quant));
    return a;
  }
  val outputs() const {
    val a = val::array();
    for (const TensorSpec& s : model_->outputs()) a.call<void>("push", spec_to_js(s.name, s.shape, s.dtype, s.quant));
    return a;
  }

  // feeds: {[inputName]: {data: TypedArray, shape: number[]}}; capture: undefined or an array of
  // convolution layer names (layers()) → {outputs: {[name]: {data, shape, dtype}}}, plus
  // captured: {[layer]: {data: Float32Array, shape: [N, H, W, C], dtype}} when layers were asked for.
  val run(const val& feeds, const val& capture) {
    Status st = set_inputs(feeds);
    if (!st.is_ok()) return error_object(st);
    return run_and_collect(capture);
  }

  // image: {data: RGBA8 bytes, width, height}; options: preprocess options (js_values.h), defaults from
  // the model's single image input; capture as for run(). → {outputs: ...[, captured]}
  val runImage(const val& image, const val& options, const val& capture) {
    Status st = set_image_input(image, options);
    if (!st.is_ok()) return error_object(st);
    return run_and_collect(capture);
  }

  // feeds as for run(); warmup, runs: counts → {nodes: [{name, kind, outputShape, macs, ms}] (execution
  // order, median ms per node), wholeRunMs, largestStepBytes, largestStep}: where a run's time goes.
  val profile(const val& feeds, int warmup, int runs) {
    if (warmup < 0 || warmup > 100000 || runs < 1 || runs > 100000)
      return error_object("profile: warmup must be 0..100000 and runs 1..100000");
    Status st = set_inputs(feeds);
    if (!st.is_ok()) return error_object(st);
    std::map<std::string, const Tensor*> feed;
    for (size_t i = 0; i < model_->inputs().size(); ++i) feed[model_->inputs()[i].name] = &inputs_[i];
    Result<OpProfile> p = model_->profile(feed, warmup, runs);
    if (!p.is_ok()) return error_object(p.status());
    val nodes = val::array();
    for (const NodeTiming& t : p->nodes) {
      val o = val::object();
      o.set("name", t.name);
      o.set("kind", t.kind);
      o.set("outputShape", shape_to_js(t.output_shape));
      o.set("macs", static_cast<double>(t.macs));
      o.set("ms", t.median_ms);
      nodes.call<void>("push", o);
    }
    val r = val::object();
    r.set("nodes", nodes);
    r.set("wholeRunMs", p->whole_run_median_ms);
    r.set("largestStepBytes", static_cast<double>(p->largest_step_bytes));
    r.set("largestStep", p->largest_step);
    return r;
  }

  // The convolutions as the engine runs them, in execution order:
  // [{name, weights: [O, I/group, kH, kW], group}]. Empty for a model with free input dimensions until
  // its first run fixes the shapes.
  val layers() const {
    val a = val::array();
    for (const ConvLayerInfo& l : model_->conv_layers()) {
      val o = val::object();
      o.set("name", l.name);
      o.set("weights", shape_to_js(l.weights));
      o.set("group", static_cast<double>(l.group));
      a.call<void>("push", o);
    }
    return a;
  }

  // One convolution's weights (BatchNorm folded in) → {data: Float32Array, shape: [O, I/group, kH, kW], dtype}
  val filters(const val& layer) const {
    if (!layer.isString()) return error_object("filters(layer): the layer name must be a string");
    Result<Tensor> w = model_->conv_weights(layer.as<std::string>());
    if (!w.is_ok()) return error_object(w.status());
    return tensor_to_js(w.value());
  }

  // options: {topK = 5, preprocess, softmax: true | false | undefined (auto)} → {top: [{index, score}]}
  val classify(const val& image, const val& options) {
    const bool has_options = !options.isUndefined() && !options.isNull();
    Status st = set_image_input(image, has_options ? options["preprocess"] : val::undefined());
    if (!st.is_ok()) return error_object(st);
    Result<std::vector<Tensor>> out = run_inputs();
    if (!out.is_ok()) return error_object(out.status());
    const Tensor& scores = out.value()[0];
    const TensorSpec& spec = model_->outputs()[0];
    const bool quantized =
        !spec.quant.empty() && (scores.dtype() == DataType::kUInt8 || scores.dtype() == DataType::kInt8);
    if (scores.dtype() != DataType::kFloat32 && scores.dtype() != DataType::kFloat64 && !quantized)
      return error_object("classify: the first output '" + spec.name + "' is " + dtype_name(scores.dtype()) +
                          ", not float32 or quantised 8-bit scores");
    int top_k = 5;
    val softmax = val::undefined();
    if (has_options) {
      val k = options["topK"];
      if (!k.isUndefined()) {
        const double x = k.isNumber() ? k.as<double>() : 0;
        if (!(x >= 1 && x <= 1e9 && std::floor(x) == x))
          return error_object("classify: topK must be a positive integer");
        top_k = static_cast<int>(x);
      }
      softmax = options["softmax"];
    }
    const size_t n = static_cast<size_t>(scores.size());
    if (quantized) {
      Result<std::vector<float>> real = dequantized_values(scores, spec.quant);
      if (!real.is_ok()) return error_object(real.status());
      probabilities_ = std::move(real).value();
    } else if (scores.dtype() == DataType::kFloat64) {
      probabilities_ = scores.to_float_vector();  // declared double, computed in float32
    } else {
      const float* s = scores.data<float>();
      probabilities_.assign(s, s + n);
    }
    bool apply = softmax.isTrue();
    if (softmax.isUndefined()) {  // auto: already probabilities when all lie in [0, 1] and sum to ~1
      double sum = 0;
      bool in_range = true;
      for (float v : probabilities_) {
        sum += v;
        in_range = in_range && v >= 0.0f && v <= 1.0f;
      }
      apply = !(in_range && (is_quantized_probability(scores.dtype(), spec.quant) || std::fabs(sum - 1.0) < 1e-3));
    }
    if (apply && n > 0) {
      const float m = *std::max_element(probabilities_.begin(), probabilities_.end());
      double sum = 0;
      for (float& v : probabilities_) sum += (v = std::exp(v - m));
      for (float& v : probabilities_) v = static_cast<float>(v / sum);
    }
    const size_t k = std::min<size_t>(static_cast<size_t>(top_k), n);
    order_.resize(n);
    std::iota(order_.begin(), order_.end(), 0u);
    std::partial_sort(order_.begin(), order_.begin() + k, order_.end(), [&](uint32_t a, uint32_t b) {
      return probabilities_[a] > probabilities_[b] || (probabilities_[a] == probabilities_[b] && a < b);
    });
    val top = val::array();
    for (size_t i = 0; i < k; ++i) {
      val e = val::object();
      e.set("index", order_[i]);
      e.set("score", probabilities_[order_[i]]);
      top.call<void>("push", e);
    }
    val r = val::object();
    r.set("top", top);
    return r;
  }

 private:
  // Input tensors live as long as the model and are reused while shapes and dtypes stay the same, so
  // steady-state runs do not allocate for inputs. `dtype` is the spec's, or float32 for images fed to a
  // float64 input (Model takes both).
  Result<Tensor*> input_tensor(size_t i, const Shape& shape, DataType dtype) {
    if (inputs_.size() != model_->inputs().size()) inputs_.resize(model_->inputs().size());
    if (inputs_[i].dtype() != dtype || inputs_[i].shape() != shape || !inputs_[i].raw()) {
      WEBCNN_ASSIGN(inputs_[i], Tensor::create(dtype, shape));
    }
    return &inputs_[i];
  }

  Status set_inputs(const val& feeds) {
    if (feeds.isUndefined() || feeds.isNull() || feeds.typeOf().as<std::string>() != "object")
      return Status::error("run: inputs must be an object {[inputName]: {data, shape}}");
    const std::vector<TensorSpec>& specs = model_->inputs();
    val keys = val::global("Object").call<val>("keys", feeds);
    for (size_t i = 0, n = keys["length"].as<size_t>(); i < n; ++i) {
      const std::string key = keys[i].as<std::string>();
      if (std::none_of(specs.begin(), specs.end(), [&](const TensorSpec& s) { return s.name == key; }))
        return Status::error("the model has no input named '" + key + "'");
    }
    for (size_t i = 0; i < specs.size(); ++i) {
      const std::string what = "input '" + specs[i].name + "'";
      val feed = feeds[specs[i].name];
      if (feed.isUndefined() || feed.isNull()) return Status::error(what + " is missing");
      WEBCNN_ASSIGN(Shape shape, shape_from_js(feed["shape"], what));
      val data = feed["data"];
      const char* want = expected_array_name(specs[i].dtype);
      const bool is_view = val::global("ArrayBuffer").call<bool>("isView", data);
      const std::string have = is_view ? data["constructor"]["name"].as<std::string>() : "";
      if (is_view && have != want && !(specs[i].dtype == DataType::kUInt8 && have == "Uint8ClampedArray"))
        return Status::error(what + " is " + dtype_name(specs[i].dtype) + " and takes a " + want + ", got a " + have);
      WEBCNN_ASSIGN(Tensor * t, input_tensor(i, shape, specs[i].dtype));
      WEBCNN_TRY(copy_from_js(data, t->raw(), t->bytes(), what));
    }
    return Status::ok();
  }

  Status set_image_input(const val& image, const val& options) {
    const std::vector<TensorSpec>& specs = model_->inputs();
    const bool quantized = specs.size() == 1 && !specs[0].quant.empty() &&
                           (specs[0].dtype == DataType::kUInt8 || specs[0].dtype == DataType::kInt8);
    const bool real =
        specs.size() == 1 && (specs[0].dtype == DataType::kFloat32 || specs[0].dtype == DataType::kFloat64);
    if (specs.size() != 1 || (!real && !quantized) || specs[0].shape.size() != 4)
      return Status::error(
          "image input: the model must have one float32 or quantised 8-bit input of rank 4 (NCHW or NHWC), it has " +
          std::to_string(specs.size()) + " inputs" +
          (specs.size() == 1 ? " (" + std::string(dtype_name(specs[0].dtype)) + ")" : std::string()));
    const Shape& s = specs[0].shape;
    PreprocessOptions defaults = imagenet_defaults();
    if (s[3] == 3 && s[1] != 3) {
      defaults.layout = TensorLayout::kNHWC;
      if (s[1] > 0) defaults.height = static_cast<int>(std::min<int64_t>(s[1], kMaxPreprocessSide));
      if (s[2] > 0) defaults.width = static_cast<int>(std::min<int64_t>(s[2], kMaxPreprocessSide));
    } else {
      defaults.layout = TensorLayout::kNCHW;
      if (s[2] > 0) defaults.height = static_cast<int>(std::min<int64_t>(s[2], kMaxPreprocessSide));
      if (s[3] > 0) defaults.width = static_cast<int>(std::min<int64_t>(s[3], kMaxPreprocessSide));
    }
    if (quantized) {
      WEBCNN_ASSIGN(defaults, quantized_image_defaults(defaults, specs[0].dtype, specs[0].quant));
    }
    WEBCNN_ASSIGN(PreprocessOptions o, preprocess_options_from_js(options, defaults));
    WEBCNN_ASSIGN(ImageView view, rgba_image_from_js(image, pixels_));
    const Shape shape =
        o.layout == TensorLayout::kNCHW ? Shape{1, 3, o.height, o.width} : Shape{1, o.height, o.width, 3};
    WEBCNN_ASSIGN(Tensor * t, input_tensor(0, shape, quantized ? specs[0].dtype : DataType::kFloat32));
    if (!quantized) return preprocess_image_into(view, o, t->data<float>(), static_cast<size_t>(t->size()));
    // Real numbers first (the one preprocessing path), then the input's 8-bit type.
    real_pixels_.resize(static_cast<size_t>(t->size()));
    WEBCNN_TRY(preprocess_image_into(view, o, real_pixels_.data(), real_pixels_.size()));
    return quantize_real_into(real_pixels_.data(), real_pixels_.size(), specs[0].dtype, specs[0].quant, t->raw());
  }

  Result<std::vector<Tensor>> run_inputs() {
    std::map<std::string, const Tensor*> feed;
    for (size_t i = 0; i < model_->inputs().size(); ++i) feed[model_->inputs()[i].name] = &inputs_[i];
    return model_->run(feed);
  }

  val run_and_collect(const val& capture) {
    Result<std::vector<std::string>> layers = layer_names(capture);
    if (!layers.is_ok()) return error_object(layers.status());
    std::map<std::string, const Tensor*> feed;
    for (size_t i = 0; i < model_->inputs().size(); ++i) feed[model_->inputs()[i].name] = &inputs_[i];
    Result<CapturedRun> out = model_->run_capturing(feed, layers.value());
    if (!out.is_ok()) return error_object(out.status());
    val outputs = val::object();
    for (size_t i = 0; i < out.value().outputs.size(); ++i)
      outputs.set(model_->outputs()[i].name, tensor_to_js(out.value().outputs[i]));
    val r = val::object();
    r.set("outputs", outputs);
    if (!capture.isUndefined() && !capture.isNull()) {
      val captured = val::object();
      for (size_t i = 0; i < layers.value().size(); ++i)
        captured.set(layers.value()[i], tensor_to_js(out.value().layers[i]));
      r.set("captured", captured);
    }
    return r;
  }

  // undefined/null → no layers; else an array of distinct layer names.
  static Result<std::vector<std::string>> layer_names(const val& capture) {
    std::vector<std::string> names;
    if (capture.isUndefined() || capture.isNull()) return names;
    if (!capture.isArray()) return Status::error("capture must be an array of convolution layer names");
    for (size_t i = 0, n = capture["length"].as<size_t>(); i < n; ++i) {
      val name = capture[i];
      if (!name.isString())
        return Status::error("capture entry " + std::to_string(i) + " is not a layer name (string)");
      std::string s = name.as<std::string>();
      if (std::find(names.begin(), names.end(), s) != names.end())
        return Status::error("capture names layer '" + s + "' twice");
      names.push_back(std::move(s));
    }
    return names;
  }

  std::unique_ptr<Model> model_;
  std::vector<Tensor> inputs_;
  std::vector<uint8_t> pixels_;       // last image's RGBA copy, reused
  std::vector<float> probabilities_;  // classify scratch, reused
  std::vector<float> real_pixels_;    // a quantised image input's real values before quantising, reused
  std::vector<uint32_t> order_;
};

// A model file's bytes copied into the heap and handed over to `load` (Model::load_onnx or load_tflite),
// which frees them once imported, before planning → {model: Model} | {error}.
using BytesLoader = Result<std::unique_ptr<Model>> (*)(std::vector<uint8_t>, ModelOptions);
val load_from_bytes(const val& bytes, BytesLoader load) {
  Result<size_t> size = byte_length_of(bytes, "model bytes");
  if (!size.is_ok()) return error_object(size.status());
  std::vector<uint8_t> copy(size.value());
  const Status copied = copy_from_js(bytes, copy.data(), copy.size(), "model bytes");
  if (!copied.is_ok()) return error_object(copied, StatusCode::kInvalidModel);
  Result<std::unique_ptr<Model>> model = load(std::move(copy), ModelOptions{});
  if (!model.is_ok()) return error_object(model.status(), StatusCode::kInvalidModel);
  val r = val::object();
  r.set("model", val(ModelBinding(std::move(model).value())));
  return r;
}

// bytes: Uint8Array | ArrayBuffer of an .onnx file → {model: Model} | {error}
val load_model(const val& bytes) { return load_from_bytes(bytes, &Model::load_onnx); }

// bytes: Uint8Array | ArrayBuffer of a .tflite file → {model: Model} | {error}
val load_tflite_model(const val& bytes) { return load_from_bytes(bytes, &Model::load_tflite); }

// json: the text of a TF.js model.json, or its UTF-8 bytes (Uint8Array: copied into the heap at once, where
// a string is encoded character by character in JS); shards: {[manifest path or file name]: Uint8Array |
// ArrayBuffer} → {model: Model} | {error}. Shards are copied into the heap one at a time as the importer
// reads them (tfjs_shards.h); the graph keeps the decoded weights, the shard bytes are freed before planning.
val load_tfjs_model(const val& json, const val& shards) {
  std::string text;
  if (json.isString()) {
    text = json.as<std::string>();
  } else if (val::global("ArrayBuffer").call<bool>("isView", json)) {
    Result<size_t> size = byte_length_of(json, "model.json");
    if (!size.is_ok()) return error_object(size.status());
    text.resize(size.value());
    const Status copied = copy_from_js(json, text.data(), text.size(), "model.json");
    if (!copied.is_ok()) return error_object(copied);
  } else {
    return error_object("model.json must be given as text or UTF-8 bytes");
  }
  Result<std::unique_ptr<Model>> model = Model::load_tfjs(text, shard_reader(shards));
  if (!model.is_ok()) return error_object(model.status(), StatusCode::kInvalidModel);
  val r = val::object();
  r.set("model", val(ModelBinding(std::move(model).value())));
  return r;
}

// image: {data: RGBA8, width, height}; options as in js_values.h (defaults: 224x224 NCHW ImageNet)
// → {data: Float32Array, shape, dtype}
val preprocess(const val& image, const val& options) {
  Result<PreprocessOptions> o = preprocess_options_from_js(options, imagenet_defaults());
  if (!o.is_ok()) return error_object(o.status());
  std::vector<uint8_t> pixels;
  Result<ImageView> view = rgba_image_from_js(image, pixels);
  if (!view.is_ok()) return error_object(view.status());
  Result<Tensor> t = preprocess_image(view.value(), o.value());
  if (!t.is_ok()) return error_object(t.status());
  return tensor_to_js(t.value());
}

// {heapBytes: size of wasm memory, usedBytes: bytes malloc has handed out and not had back}
val heap_stats() {
  const struct mallinfo mi = mallinfo();
  val r = val::object();
  r.set("heapBytes", static_cast<double>(emscripten_get_heap_size()));
  r.set("usedBytes", static_cast<double>(static_cast<unsigned>(mi.uordblks)));
  return r;
}

std::string simd_backend() { return webcnn::simd_backend(); }

}  // namespace webcnn::js

EMSCRIPTEN_BINDINGS(webcnn) {
  using namespace emscripten;
  using webcnn::js::ModelBinding;
  class_<ModelBinding>("Model")
      .function("inputs", &ModelBinding::inputs)
      .function("outputs", &ModelBinding::outputs)
      .function("run", &ModelBinding::run)
      .function("runImage", &ModelBinding::runImage)
      .function("classify", &ModelBinding::classify)
      .function("layers", &ModelBinding::layers)
      .function("filters", &ModelBinding::filters)
      .function("profile", &ModelBinding::profile);
  function("loadModel", &webcnn::js::load_model);
  function("loadTfjsModel", &webcnn::js::load_tfjs_model);
  function("loadTfliteModel", &webcnn::js::load_tflite_model);
  function("preprocess", &webcnn::js::preprocess);
  function("heapStats", &webcnn::js::heap_stats);
  function("simdBackend", &webcnn::js::simd_backend);
}
