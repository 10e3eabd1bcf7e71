// The TFLite importer: the five real models in models/tflite import into the expected ops, dtypes and
// quantisation parameters; tiny models written by models/tflite_writer.py (tests/data/tflite, expected
// outputs from numpy) run end to end in float32; quantised models classify photos.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <doctest/doctest.h>
#include "import/model_import.h"
#include "npy.h"
#include "ops/kernel.h"
#include "support/test_photos.h"
#include "webcnn/image.h"
#include "webcnn/model.h"

using namespace webcnn;

namespace {

std::string source(const std::string& rel) { return std::string(WEBCNN_SOURCE_DIR) + "/" + rel; }
std::string tflite_model(const std::string& name) { return source("models/tflite/" + name); }
std::string tiny(const std::string& name) { return source("tests/data/tflite/" + name); }
std::string photo(const std::string& name) { return webcnn_test::test_photo(name.c_str()); }

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

Graph import_file(const std::string& path) {
  std::vector<uint8_t> bytes = read_bytes(path);
  REQUIRE(!bytes.empty());
  Result<Graph> g = import_tflite(bytes.data(), bytes.size());
  if (!g.is_ok()) FAIL(g.status().message());
  return std::move(g).value();
}

const Value& named(const Graph& g, const std::string& name) {
  ValueId v = g.find_value(name);
  REQUIRE(v != kNoValue);
  return g.value(v);
}

const Node* producer(const Graph& g, ValueId v) {
  for (const Node& n : g.nodes)
    if (std::find(n.outputs.begin(), n.outputs.end(), v) != n.outputs.end()) return &n;
  return nullptr;
}

}  // namespace

TEST_CASE("tflite: MobileNetV2 uint8 (TF1 QAT) imports as QLinear ops, 8-bit end to end") {
  Graph g = import_file(tflite_model("mobilenet_v2_1.0_224_quant.tflite"));
  auto h = g.op_histogram();
  CHECK(h["QLinearConv"] == 53);
  CHECK(h["QLinearAdd"] == 10);
  CHECK(h["QLinearAveragePool"] == 1);
  CHECK(h["Reshape"] == 1);
  CHECK(h["QLinearSoftmax"] == 1);
  CHECK(h.count("QuantizeLinear") == 0);
  CHECK(h.count("DequantizeLinear") == 0);
  REQUIRE(g.inputs.size() == 1);
  const Value& in = g.value(g.inputs[0]);
  CHECK(in.dtype == DataType::kUInt8);
  CHECK(in.shape == Shape{1, 224, 224, 3});
  REQUIRE(in.quant.scale.size() == 1);
  CHECK(in.quant.scale[0] == doctest::Approx(0.0078125));
  CHECK(in.quant.zero_point[0] == 128);
  REQUIRE(g.outputs.size() == 1);
  CHECK(g.value(g.outputs[0]).dtype == DataType::kUInt8);
  CHECK(!g.value(g.outputs[0]).quant.empty());
  // Every QLinearConv: NHWC, uint8 data, weights OIHW with the zero point of the weights' own type.
  for (const Node& n : g.nodes) {
    if (n.op != "QLinearConv") continue;
    REQUIRE(n.inputs.size() == 9);
    CHECK(n.attrs.at("layout").s == "NHWC");
    const Value& w = g.value(n.inputs[3]);
    REQUIRE(w.constant);
    CHECK(w.dtype == DataType::kUInt8);
    CHECK(g.value(n.inputs[5]).constant->dtype() == DataType::kUInt8);
    CHECK(g.value(n.inputs[2]).constant->dtype() == DataType::kUInt8);
    CHECK(g.value(n.inputs[8]).constant->dtype() == DataType::kInt32);
    CHECK(w.constant->rank() == 4);
  }
  CHECK(g.validate().is_ok());
}

TEST_CASE("tflite: MobileNetV2 int8 (TF2 PTQ) takes uint8, requantises to int8, per-channel weights") {
  Graph g = import_file(tflite_model("tf2_mobilenet_v2_1.0_224_ptq.tflite"));
  auto h = g.op_histogram();
  CHECK(h["QLinearConv"] == 53);
  CHECK(h["QLinearAdd"] == 10);
  CHECK(h["QLinearGlobalAveragePool"] == 1);
  CHECK(h["QLinearSoftmax"] == 1);
  // Both QUANTIZEs (uint8 input → int8, int8 scores → uint8 output) requantise through float.
  CHECK(h["QuantizeLinear"] == 2);
  CHECK(h["DequantizeLinear"] == 2);
  for (const Node& n : g.nodes)
    if (n.op == "QuantizeLinear") CHECK(producer(g, n.inputs[0])->op == "DequantizeLinear");
  const Value& in = g.value(g.inputs[0]);
  CHECK(in.dtype == DataType::kUInt8);
  REQUIRE(!in.quant.empty());
  CHECK(in.quant.scale[0] == doctest::Approx(1 / 127.5).epsilon(1e-3));
  CHECK(in.quant.zero_point[0] == 127);
  int per_channel = 0;
  for (const Node& n : g.nodes) {
    if (n.op != "QLinearConv") continue;
    const Value& w = g.value(n.inputs[3]);
    CHECK(w.dtype == DataType::kInt8);
    CHECK(g.value(n.inputs[0]).dtype == DataType::kInt8);
    if (w.quant.per_channel()) {
      ++per_channel;
      CHECK(w.quant.axis == 0);  // O of OIHW, for CONV_2D (dim 0 of OHWI) and DEPTHWISE (dim 3) alike
      CHECK(static_cast<int64_t>(w.quant.scale.size()) == w.constant->shape()[0]);
      CHECK(g.value(n.inputs[4]).constant->size() == w.constant->shape()[0]);
      CHECK(g.value(n.inputs[5]).constant->dtype() == DataType::kInt8);
    }
  }
  CHECK(per_channel == 53);
  CHECK(g.validate().is_ok());
}

TEST_CASE("tflite: the other three real models import") {
  Graph v1 = import_file(tflite_model("mobilenet_v1_0.25_128_quant.tflite"));
  CHECK(v1.op_histogram()["QLinearConv"] == 28);
  Graph dl = import_file(tflite_model("deeplabv3_mnv2_pascal_quant.tflite"));
  auto h = dl.op_histogram();
  CHECK(h["QLinearConv"] == 55);
  CHECK(h["Resize"] == 3);
  CHECK(h["ArgMax"] == 1);
  Graph mv = import_file(tflite_model("movenet_single_pose_lightning_ptq.tflite"));
  CHECK(mv.op_histogram()["QLinearConv"] == 74);
  CHECK(mv.validate().is_ok());
}

TEST_CASE("tflite: weights are re-laid out to OIHW and their per-channel axis follows") {
  Graph g = import_file(tiny("quantized_chain.tflite"));
  auto h = g.op_histogram();
  CHECK(h["QLinearConv"] == 2);
  CHECK(h["MaxPool"] == 1);
  CHECK(h["Reshape"] == 1);
  CHECK(h["QGemm"] == 1);
  CHECK(h["QLinearSoftmax"] == 1);
  // TANH has no quantised op: DequantizeLinear → Tanh → QuantizeLinear.
  CHECK(h["Tanh"] == 1);
  CHECK(h["DequantizeLinear"] == 1);
  CHECK(h["QuantizeLinear"] == 1);
  const Value& w = named(g, "conv/w");
  REQUIRE(w.constant);
  REQUIRE(w.constant->shape() == Shape{4, 3, 3, 3});
  const int8_t* wd = w.constant->data<int8_t>();
  bool same = true;
  for (int o = 0; o < 4; ++o)
    for (int i = 0; i < 3; ++i)
      for (int kh = 0; kh < 3; ++kh)
        for (int kw = 0; kw < 3; ++kw)
          same = same && wd[((o * 3 + i) * 3 + kh) * 3 + kw] == o * 27 + kh * 9 + kw * 3 + i - 50;
  CHECK(same);
  CHECK(w.quant.axis == 0);
  const Value& dw = named(g, "dw/w");
  REQUIRE(dw.constant->shape() == Shape{4, 1, 3, 3});
  const int8_t* dd = dw.constant->data<int8_t>();
  same = true;
  for (int c = 0; c < 4; ++c)
    for (int kh = 0; kh < 3; ++kh)
      for (int kw = 0; kw < 3; ++kw) same = same && dd[(c * 3 + kh) * 3 + kw] == c * 9 + kh * 3 + kw - 20;
  CHECK(same);
  CHECK(dw.quant.axis == 0);  // was quantized_dimension 3 of [1, kH, kW, C]
  CHECK(dw.quant.scale == std::vector<float>{0.1f, 0.2f, 0.3f, 0.4f});
  const Node* conv = producer(g, g.find_value("conv"));
  REQUIRE(conv);
  CHECK(conv->op == "QLinearConv");
  CHECK(conv->attrs.at("fused_activation").s == "Clip");
  CHECK(conv->attrs.at("pads").ints == std::vector<int64_t>{1, 1, 1, 1});
  const Node* depthwise = producer(g, g.find_value("dw"));
  REQUIRE(depthwise);
  CHECK(depthwise->attrs.at("group").i == 4);
  CHECK(depthwise->inputs.size() == 8);  // no bias
  const Node* fc = producer(g, g.find_value("fc"));
  REQUIRE(fc);
  CHECK(fc->op == "QGemm");
  CHECK(fc->attrs.at("transB").i == 1);
  CHECK(g.value(fc->inputs[5]).constant->dtype() == DataType::kUInt8);
  CHECK(g.value(fc->inputs[5]).constant->data<uint8_t>()[0] == 100);
  const Value& probs = named(g, "probs");
  CHECK(probs.dtype == DataType::kUInt8);
  CHECK(probs.quant.scale[0] == doctest::Approx(1.0 / 256));
  CHECK(g.validate().is_ok());
}

namespace {
void check_tiny_float_model(const std::string& name, float tolerance) {
  auto model = Model::load_file(tiny(name + ".tflite"));
  if (!model.is_ok()) FAIL(model.status().message());
  Result<Tensor> x = npy::read_file(tiny(name + ".input.npy"));
  Result<Tensor> expected = npy::read_file(tiny(name + ".expected.npy"));  // absent with several outputs
  REQUIRE(x.is_ok());
  auto& m = *model.value();
  REQUIRE(m.inputs().size() == 1);
  auto out = m.run({{m.inputs()[0].name, &x.value()}});
  if (!out.is_ok()) FAIL(out.status().message());
  REQUIRE(!out.value().empty());
  for (size_t k = 0; k < out.value().size(); ++k) {
    // One output: name.expected.npy; several: name.expected<k>.npy.
    const std::string file =
        out.value().size() == 1 ? name + ".expected.npy" : name + ".expected" + std::to_string(k) + ".npy";
    Result<Tensor> want = out.value().size() == 1 ? std::move(expected) : npy::read_file(tiny(file));
    REQUIRE(want.is_ok());
    CAPTURE(m.outputs()[k].name);
    const Tensor& y = out.value()[k];
    REQUIRE(y.shape() == want.value().shape());
    float worst = 0;
    for (int64_t i = 0; i < y.size(); ++i)
      worst = std::max(worst, std::fabs(y.data<float>()[i] - want.value().data<float>()[i]));
    CHECK(worst <= tolerance);
  }
}
}  // namespace

TEST_CASE("tflite: float conv chain (SAME/VALID, stride, dilation, depthwise, pools, FC) equals numpy") {
  check_tiny_float_model("conv_chain", 1e-5f);
}

TEST_CASE("tflite: float elementwise, concat, pad, half-pixel resize, transpose, mean equal numpy") {
  check_tiny_float_model("misc_ops", 1e-5f);
}

TEST_CASE("tflite: nearest/align-corners resizes, strided slice, split, gather, prelu, hard swish, slice, squeeze") {
  check_tiny_float_model("shape_ops", 1e-5f);
}

TEST_CASE("tflite: float16 weights through DEQUANTIZE into TRANSPOSE_CONV equal numpy") {
  Graph g = import_file(tiny("float16_transpose_conv.tflite"));
  CHECK(g.op_histogram().count("DequantizeLinear") == 0);  // folded at import: float16 widened
  check_tiny_float_model("float16_transpose_conv", 1e-5f);
}

TEST_CASE("tflite: load_file picks the importer by the TFL3 identifier whatever the name") {
  const std::string copy = (std::filesystem::temp_directory_path() / "webcnn_tflite_as_bin.model").string();
  std::filesystem::copy_file(tiny("conv_chain.tflite"), copy, std::filesystem::copy_options::overwrite_existing);
  auto m = Model::load_file(copy);
  CHECK(m.is_ok());
  std::filesystem::remove(copy);
  auto bytes = read_bytes(tiny("conv_chain.tflite"));
  CHECK(Model::load_tflite(bytes).is_ok());
}

namespace {
// Top-1 ImageNet label of a quantised classifier on a photo, the whole photo resized to the input (as the
// LiteRT.js oracle feeds it: tests/node/support/tflite_cases.mjs): pixels quantised by the engine's
// image path (uint8: q = pixel; int8: pixel − 128, what TFLite image classifiers expect), scores dequantised.
std::string classify_quantized(const std::string& model_file, const std::string& photo_name) {
  auto model = Model::load_file(tflite_model(model_file));
  if (!model.is_ok()) {
    FAIL(model.status().message());
    return "";
  }
  auto& m = *model.value();
  const TensorSpec& in = m.inputs()[0];
  Result<Image> img = decode_image_file(photo(photo_name));
  REQUIRE(img.is_ok());
  PreprocessOptions p;
  p.height = static_cast<int>(in.shape[1]);
  p.width = static_cast<int>(in.shape[2]);
  p.layout = TensorLayout::kNHWC;
  p.fit = FitMode::kStretch;
  Result<PreprocessOptions> options = quantized_image_defaults(p, in.dtype, in.quant);
  REQUIRE(options.is_ok());
  Result<Tensor> pixels = preprocess_image(img.value().view(), options.value());
  REQUIRE(pixels.is_ok());
  Tensor x(in.dtype, in.shape);
  REQUIRE(quantize_real_into(pixels.value().data<float>(), static_cast<size_t>(x.size()), in.dtype, in.quant, x.raw())
              .is_ok());
  auto out = m.run({{in.name, &x}});
  if (!out.is_ok()) {
    FAIL(out.status().message());
    return "";
  }
  const Tensor& y = out.value()[0];
  int64_t best = 0;
  std::vector<float> scores(static_cast<size_t>(y.size()));
  const QuantParams& q = m.outputs()[0].quant;
  for (int64_t i = 0; i < y.size(); ++i) {
    const int32_t raw = y.dtype() == DataType::kUInt8 ? y.data<uint8_t>()[i] : y.data<int8_t>()[i];
    scores[static_cast<size_t>(i)] = q.scale[0] * static_cast<float>(raw - q.zero_point[0]);
    if (scores[static_cast<size_t>(i)] > scores[static_cast<size_t>(best)]) best = i;
  }
  std::ifstream labels(tflite_model("imagenet_labels.txt"));
  std::string line;
  for (int64_t i = 0; std::getline(labels, line); ++i)
    if (i == best) return line;
  return "?";
}

}  // namespace

TEST_CASE("tflite: quantised MobileNetV2s name what the photos show") {
  for (const char* model : {"mobilenet_v2_1.0_224_quant.tflite", "tf2_mobilenet_v2_1.0_224_ptq.tflite"}) {
    CAPTURE(model);
    CHECK(classify_quantized(model, "grace_hopper.bmp") == "military uniform");
  }
}

TEST_CASE("tflite: a uint8 image input is data, not shape-like: planned at load, one plan for every image") {
  // int32/int64 graph inputs are fed to the plan as constants; an 8-bit image must not be, or each new
  // image would plan (and pack weights) again.
  auto model = Model::load_file(tflite_model("mobilenet_v1_0.25_128_quant.tflite"));
  REQUIRE(model.is_ok());
  Model& m = *model.value();
  CHECK(m.outputs()[0].shape == Shape{1, 1001});  // known at load: the model was planned there
  Tensor a(DataType::kUInt8, m.inputs()[0].shape), b(DataType::kUInt8, m.inputs()[0].shape);
  for (int64_t i = 0; i < a.size(); ++i) {
    a.data<uint8_t>()[i] = static_cast<uint8_t>(i * 7);
    b.data<uint8_t>()[i] = static_cast<uint8_t>(i * 13 + 5);
  }
  auto ra = m.run({{m.inputs()[0].name, &a}});
  auto rb = m.run({{m.inputs()[0].name, &b}});
  auto ra2 = m.run({{m.inputs()[0].name, &a}});
  REQUIRE(ra.is_ok());
  REQUIRE(rb.is_ok());
  REQUIRE(ra2.is_ok());
  CHECK(std::memcmp(ra.value()[0].raw(), ra2.value()[0].raw(), ra.value()[0].bytes()) == 0);
  CHECK(std::memcmp(ra.value()[0].raw(), rb.value()[0].raw(), ra.value()[0].bytes()) != 0);
}
