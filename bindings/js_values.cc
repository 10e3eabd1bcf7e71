#include "js_values.h"

#include <cmath>
#include <cstring>

#include "webcnn/describe_number.h"

namespace webcnn::js {

using emscripten::typed_memory_view;

val error_object(const std::string& message) { return error_object(Status::error(message)); }

val error_object(const Status& status, StatusCode default_code) {
  val o = val::object();
  o.set("error", status.message());
  o.set("code", std::string(status_code_name(status.with_default_code(default_code).code())));
  return o;
}

Result<Shape> shape_from_js(const val& array, const std::string& what) {
  if (!array.isArray()) return Status::error(what + ": shape must be an array of integers");
  const size_t rank = array["length"].as<size_t>();
  if (rank > 8) return Status::error(what + ": shape has rank " + std::to_string(rank) + ", at most 8 is supported");
  Shape shape;
  for (size_t i = 0; i < rank; ++i) {
    val d = array[i];
    const double x = d.isNumber() ? d.as<double>() : -1.0;
    if (!(x >= 0.0 && x <= static_cast<double>(kMaxElements) && std::floor(x) == x))
      return Status::error(what + ": shape entry " + std::to_string(i) + " is not an integer in 0.." +
                           std::to_string(kMaxElements));
    shape.push_back(static_cast<int64_t>(x));
  }
  WEBCNN_TRY(checked_num_elements(shape).status().with_context(what));
  return shape;
}

val shape_to_js(const Shape& shape) {
  val a = val::array();
  for (int64_t d : shape) a.call<void>("push", static_cast<double>(d));
  return a;
}

Result<size_t> byte_length_of(const val& data, const std::string& what) {
  const bool is_view = val::global("ArrayBuffer").call<bool>("isView", data);
  if (!is_view && !data.instanceof (val::global("ArrayBuffer")))
    return Status::error(what + ": data must be a typed array or ArrayBuffer");
  return data["byteLength"].as<size_t>();
}

Status copy_from_js(const val& data, void* dst, size_t bytes, const std::string& what) {
  WEBCNN_ASSIGN(size_t have, byte_length_of(data, what));
  if (have != bytes)
    return Status::error(what + ": data has " + std::to_string(have) + " bytes, the shape needs " +
                         std::to_string(bytes));
  if (bytes == 0) return Status::ok();
  const bool is_view = val::global("ArrayBuffer").call<bool>("isView", data);
  val source = is_view ? val::global("Uint8Array").new_(data["buffer"], data["byteOffset"], data["byteLength"])
                       : val::global("Uint8Array").new_(data);
  // A view of wasm memory made after any allocation above: memory growth would detach an older one.
  val(typed_memory_view(bytes, static_cast<uint8_t*>(dst))).call<void>("set", source);
  return Status::ok();
}

namespace {
const char* typed_array_name(DataType t) {
  switch (t) {
    case DataType::kFloat32: return "Float32Array";
    case DataType::kInt32: return "Int32Array";
    case DataType::kInt64: return "BigInt64Array";
    case DataType::kUInt8: return "Uint8Array";
    case DataType::kBool: return "Uint8Array";
    case DataType::kInt8: return "Int8Array";
    case DataType::kFloat64: return "Float64Array";
  }
  return "Uint8Array";
}
}  // namespace

val tensor_data_to_js(const Tensor& tensor) {
  const size_t bytes = tensor.bytes();
  // slice() copies out of wasm memory into a fresh ArrayBuffer, then the typed array wraps it.
  val copy =
      bytes == 0
          ? val::global("ArrayBuffer").new_(0)
          : val(typed_memory_view(bytes, static_cast<const uint8_t*>(tensor.raw()))).call<val>("slice")["buffer"];
  return val::global(typed_array_name(tensor.dtype())).new_(copy);
}

val tensor_to_js(const Tensor& tensor) {
  val o = val::object();
  o.set("data", tensor_data_to_js(tensor));
  o.set("shape", shape_to_js(tensor.shape()));
  o.set("dtype", std::string(dtype_name(tensor.dtype())));
  return o;
}

val spec_to_js(const std::string& name, const Shape& shape, DataType dtype, const QuantParams& quant) {
  val o = val::object();
  o.set("name", name);
  o.set("shape", shape_to_js(shape));
  o.set("dtype", std::string(dtype_name(dtype)));
  if (!quant.empty()) {
    val q = val::object();
    if (quant.per_channel()) {
      val scale = val::array(), zero_point = val::array();
      for (size_t i = 0; i < quant.scale.size(); ++i) {
        scale.call<void>("push", static_cast<double>(quant.scale[i]));
        zero_point.call<void>("push", i < quant.zero_point.size() ? quant.zero_point[i] : 0);
      }
      q.set("scale", scale);
      q.set("zeroPoint", zero_point);
      q.set("axis", quant.axis);
    } else {
      q.set("scale", static_cast<double>(quant.scale[0]));
      q.set("zeroPoint", quant.zero_point.empty() ? 0 : quant.zero_point[0]);
    }
    o.set("quant", q);
  }
  return o;
}

namespace {

Result<double> number_field(const val& o, const char* key, double lo, double hi) {
  val v = o[key];
  if (!v.isNumber()) return Status::error(std::string("preprocess option '") + key + "' must be a number");
  const double x = v.as<double>();
  WEBCNN_TRY(check_number_in_range(std::string("preprocess option '") + key + "'", x, lo, hi));
  return x;
}

Result<std::array<float, 3>> triple_field(const val& o, const char* key, double lo, double hi) {
  val v = o[key];
  if (v.isNumber()) {  // one value for all three channels
    WEBCNN_ASSIGN(double x, number_field(o, key, lo, hi));
    return std::array<float, 3>{float(x), float(x), float(x)};
  }
  if (!v.isArray() || v["length"].as<size_t>() != 3)
    return Status::error(std::string("preprocess option '") + key +
                         "' must be a number or an array of 3 numbers (R, G, B)");
  std::array<float, 3> r{};
  for (int c = 0; c < 3; ++c) {
    val e = v[c];
    const std::string what = std::string("preprocess option '") + key + "' entry " + std::to_string(c);
    if (!e.isNumber()) return Status::error(what + " must be a number");
    const double x = e.as<double>();
    WEBCNN_TRY(check_number_in_range(what, x, lo, hi));
    r[c] = static_cast<float>(x);
  }
  return r;
}

Result<std::string> string_field(const val& o, const char* key) {
  val v = o[key];
  if (!v.isString()) return Status::error(std::string("preprocess option '") + key + "' must be a string");
  return v.as<std::string>();
}

}  // namespace

Result<PreprocessOptions> preprocess_options_from_js(const val& options, PreprocessOptions o) {
  if (options.isUndefined() || options.isNull()) return o;
  if (options.typeOf().as<std::string>() != "object") return Status::error("preprocess options must be an object");
  val keys = val::global("Object").call<val>("keys", options);
  const size_t n = keys["length"].as<size_t>();
  for (size_t i = 0; i < n; ++i) {
    const std::string key = keys[i].as<std::string>();
    if (options[key].isUndefined()) continue;
    const char* k = key.c_str();
    if (key == "width" || key == "height") {
      WEBCNN_ASSIGN(double x, number_field(options, k, 1, kMaxPreprocessSide));
      (key == "width" ? o.width : o.height) = static_cast<int>(x);
    } else if (key == "fit") {
      WEBCNN_ASSIGN(std::string s, string_field(options, k));
      if (s == "center-crop") o.fit = FitMode::kCenterCrop;
      else if (s == "letterbox") o.fit = FitMode::kLetterbox;
      else if (s == "stretch") o.fit = FitMode::kStretch;
      else return Status::error("preprocess option 'fit' is '" + s + "'; use 'center-crop', 'letterbox' or 'stretch'");
    } else if (key == "cropFraction") {
      WEBCNN_ASSIGN(double x, number_field(options, k, 1e-6, 1.0));
      o.crop_fraction = static_cast<float>(x);
    } else if (key == "padColor") {
      WEBCNN_ASSIGN(auto c, triple_field(options, k, 0, 255));
      for (int j = 0; j < 3; ++j) o.pad_color[j] = static_cast<uint8_t>(std::lround(c[j]));
    } else if (key == "scale") {
      WEBCNN_ASSIGN(double x, number_field(options, k, -1e30, 1e30));
      o.scale = static_cast<float>(x);
    } else if (key == "mean") {
      WEBCNN_ASSIGN(o.mean, triple_field(options, k, -1e30, 1e30));
    } else if (key == "std") {
      WEBCNN_ASSIGN(o.std, triple_field(options, k, -1e30, 1e30));
    } else if (key == "layout") {
      WEBCNN_ASSIGN(std::string s, string_field(options, k));
      if (s == "NCHW") o.layout = TensorLayout::kNCHW;
      else if (s == "NHWC") o.layout = TensorLayout::kNHWC;
      else return Status::error("preprocess option 'layout' is '" + s + "'; use 'NCHW' or 'NHWC'");
    } else {
      return Status::error("unknown preprocess option '" + key +
                           "' (known: width, height, fit, cropFraction, padColor, scale, mean, std, layout)");
    }
  }
  return o;
}

Result<ImageView> rgba_image_from_js(const val& image, std::vector<uint8_t>& storage) {
  if (image.isUndefined() || image.isNull() || image.typeOf().as<std::string>() != "object")
    return Status::error("image must be {data, width, height} with RGBA8 pixels");
  val w = image["width"], h = image["height"];
  const double wd = w.isNumber() ? w.as<double>() : 0, hd = h.isNumber() ? h.as<double>() : 0;
  if (!(wd >= 1 && wd <= kMaxDecodeSide && hd >= 1 && hd <= kMaxDecodeSide && std::floor(wd) == wd &&
        std::floor(hd) == hd))
    return Status::error("image width and height must be integers in 1.." + std::to_string(kMaxDecodeSide));
  const size_t width = static_cast<size_t>(wd), height = static_cast<size_t>(hd);
  const size_t bytes = width * height * 4;
  const std::string what = "image " + std::to_string(width) + "x" + std::to_string(height) + " RGBA";
  // Checked before storage grows: a 16384x16384 claim with 4 bytes of data must not take 1 GiB of heap
  // (wasm memory never shrinks).
  WEBCNN_ASSIGN(size_t have, byte_length_of(image["data"], what));
  if (have != bytes)
    return Status::error(what + ": data has " + std::to_string(have) + " bytes, the size needs " +
                         std::to_string(bytes));
  storage.resize(bytes);  // capacity is kept: the next frame of the same size does not allocate
  WEBCNN_TRY(copy_from_js(image["data"], storage.data(), bytes, what));
  return ImageView{storage.data(), static_cast<int>(width), static_cast<int>(height), PixelFormat::kRGBA8, 0};
}

}  // namespace webcnn::js
