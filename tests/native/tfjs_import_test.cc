// TF.js importer: the JSON reader, the weights manifest (shards, quantization), the op mapping, and the
// errors hostile or wrong files get. Real models (models/human, fetched by models/fetch-models.mjs) are
// imported when present; the numeric comparison with TF.js is tests/node/tfjs_oracle.test.mjs.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "import/model_import.h"
#include "import/tfjs/json.h"
#include "import/tfjs/shard_path.h"
#include "import/tfjs/tfjs_importer.h"
#include "import/tfjs/weights.h"

using namespace webcnn;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::vector<uint8_t> floats_le(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// Shards kept in memory, as the wasm build gets them.
struct MemoryShards {
  std::map<std::string, std::vector<uint8_t>> files;
  tfjs::ShardReader reader() const {
    return [this](const std::string& p) -> Result<std::vector<uint8_t>> {
      auto it = files.find(p);
      if (it == files.end()) return Status::error("weight shard " + p + ": cannot open file");
      return it->second;
    };
  }
};

// A graph model: x [1,4,4,2] → Conv2D 3x3 SAME (2→3 channels, HWIO filter) + BiasAdd + Relu → Identity.
std::string conv_model_json(const std::string& extra_node = "", const std::string& weights_extra = "",
                            const std::string& paths = "\"group1-shard1of1.bin\"") {
  return R"({"format":"graph-model","modelTopology":{"node":[
    {"name":"x","op":"Placeholder","attr":{"dtype":{"type":"DT_FLOAT"},"shape":{"shape":{"dim":[{"size":"-1"},{"size":"4"},{"size":"4"},{"size":"2"}]}}}},
    {"name":"w","op":"Const","attr":{"dtype":{"type":"DT_FLOAT"}}},
    {"name":"b","op":"Const","attr":{"dtype":{"type":"DT_FLOAT"}}},
    {"name":"conv","op":"_FusedConv2D","input":["x","w","b"],"attr":{"strides":{"list":{"i":["1","1","1","1"]}},
      "padding":{"s":"U0FNRQ=="},"data_format":{"s":"TkhXQw=="},"num_args":{"i":"1"},
      "fused_ops":{"list":{"s":["Qmlhc0FkZA==","UmVsdQ=="]}},"dilations":{"list":{"i":["1","1","1","1"]}}}},
    {"name":"Identity","op":"Identity","input":["conv"]})" +
         extra_node + R"(]},
    "weightsManifest":[{"paths":[)" +
         paths + R"(],"weights":[
      {"name":"w","shape":[3,3,2,3],"dtype":"float32"},
      {"name":"b","shape":[3],"dtype":"float32"})" +
         weights_extra + R"(]}]})";
}

MemoryShards conv_model_shards(size_t extra_bytes = 0) {
  std::vector<float> w(3 * 3 * 2 * 3), b = {0.5f, -0.25f, 1.f};
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.01f * static_cast<float>(i) - 0.2f;
  std::vector<uint8_t> bytes = floats_le(w), bb = floats_le(b);
  bytes.insert(bytes.end(), bb.begin(), bb.end());
  bytes.resize(bytes.size() + extra_bytes);
  MemoryShards s;
  s.files["group1-shard1of1.bin"] = bytes;
  return s;
}

std::string import_error(const std::string& json, const MemoryShards& shards) {
  Result<Graph> g = tfjs::import_model(json, shards.reader());
  return g.is_ok() ? std::string("(imported)") : g.status().message();
}

const Node* find_op(const Graph& g, const std::string& op) {
  for (const Node& n : g.nodes)
    if (n.op == op) return &n;
  return nullptr;
}

}  // namespace

TEST_CASE("tfjs json: values, escapes, nesting and limits") {
  auto v = json::parse(R"( {"a": [1, -2.5e3, true, false, null], "s": "x\"\\\n\u00e9\ud83d\ude00", "o": {}} )");
  REQUIRE(v.is_ok());
  const json::Value* a = v->find("a");
  REQUIRE(a);
  REQUIRE(a->items().size() == 5);
  CHECK(a->items()[0].as_number() == 1);
  CHECK(a->items()[1].as_number() == -2500);
  CHECK(a->items()[2].as_bool());
  CHECK(a->items()[4].is_null());
  CHECK(v->find("s")->as_string() == "x\"\\\n\xC3\xA9\xF0\x9F\x98\x80");
  CHECK(v->find("o")->is_object());
  CHECK(v->find("missing") == nullptr);

  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "\"\\ud800\"", "tru", "[1] x", "1e999",
                          "\"a\nb\"", "{\"a\":1,}"}) {
    CAPTURE(bad);
    auto r = json::parse(bad);
    REQUIRE_FALSE(r.is_ok());
    CHECK(contains(r.status().message(), "invalid JSON at byte"));
  }
  std::string deep(100, '[');
  deep += std::string(100, ']');
  json::Limits lim;
  lim.max_depth = 64;
  auto r = json::parse(deep, lim);
  REQUIRE_FALSE(r.is_ok());
  CHECK(contains(r.status().message(), "nesting deeper than 64"));
  auto bom = json::parse("\xEF\xBB\xBF {\"a\": 1}");
  REQUIRE_MESSAGE(bom.is_ok(), bom.status().message());
  CHECK(bom.value().find("a") != nullptr);
  CHECK_FALSE(json::parse("\xEF\xBB").is_ok());                    // a partial mark is not one
  CHECK_FALSE(json::parse("\xEF\xBB\xBF\xEF\xBB\xBF{}").is_ok());  // nor is a second one
  lim.max_bytes = 10;
  CHECK_FALSE(json::parse("[1, 2, 3, 4, 5]", lim).is_ok());
}

TEST_CASE("tfjs weights: float16 decoding by hand") {
  CHECK(tfjs::half_to_float(0x3C00) == 1.0f);
  CHECK(tfjs::half_to_float(0xC000) == -2.0f);
  CHECK(tfjs::half_to_float(0x3555) == doctest::Approx(0.33325195f).epsilon(1e-7));
  CHECK(tfjs::half_to_float(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
  CHECK(tfjs::half_to_float(0x7BFF) == 65504.0f);
  CHECK(std::isinf(tfjs::half_to_float(0x7C00)));
  CHECK(std::isnan(tfjs::half_to_float(0x7E00)));
  CHECK(std::signbit(tfjs::half_to_float(0x8000)));
}

TEST_CASE("tfjs weights: groups over several shards, uint8/uint16/float16 quantization, int32, bool") {
  // Group 0 spans two shards; weights cross the shard boundary.
  auto manifest = json::parse(R"([
    {"paths":["a.bin","b.bin"],"weights":[
      {"name":"q8","shape":[3],"dtype":"float32","quantization":{"dtype":"uint8","min":-1.0,"scale":0.5}},
      {"name":"q16","shape":[2],"dtype":"float32","quantization":{"dtype":"uint16","min":10.0,"scale":0.25}},
      {"name":"h","shape":[2],"dtype":"float32","quantization":{"dtype":"float16"}},
      {"name":"qi","shape":[2],"dtype":"int32","quantization":{"dtype":"uint8","min":-3.0,"scale":1.5}}]},
    {"paths":["c.bin"],"weights":[
      {"name":"i","shape":[2],"dtype":"int32"},
      {"name":"flag","shape":[2],"dtype":"bool"},
      {"name":"empty","shape":[0,3],"dtype":"float32"}]}])");
  REQUIRE(manifest.is_ok());
  MemoryShards s;
  // q8: 0, 2, 255 → -1, 0, 126.5; q16: 4, 1000 → 11, 260; h: 1.0, -2.0; qi: 1, 2 → round(-1.5) = -1, 0
  s.files["a.bin"] = {0, 2, 255, 4, 0};
  s.files["b.bin"] = {0xE8, 0x03, 0x00, 0x3C, 0x00, 0xC0, 1, 2};
  s.files["c.bin"] = {7, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 3};
  auto w = tfjs::read_weights(manifest.value(), s.reader());
  REQUIRE(w.is_ok());
  auto& m = w.value();
  CHECK(m["q8"].to_float_vector() == std::vector<float>{-1.f, 0.f, 126.5f});
  CHECK(m["q16"].to_float_vector() == std::vector<float>{11.f, 260.f});
  CHECK(m["h"].to_float_vector() == std::vector<float>{1.f, -2.f});
  CHECK(m["qi"].dtype() == DataType::kInt32);
  CHECK(m["qi"].to_int64_vector() == std::vector<int64_t>{-1, 0});  // Math.round(-1.5) = -1, as TF.js
  CHECK(m["i"].to_int64_vector() == std::vector<int64_t>{7, -1});
  CHECK(m["flag"].dtype() == DataType::kBool);
  CHECK(m["flag"].to_int64_vector() == std::vector<int64_t>{0, 1});
  CHECK(m["empty"].size() == 0);
}

TEST_CASE("tfjs weights: bad manifests name the weight or the shard") {
  MemoryShards s;
  s.files["a.bin"] = std::vector<uint8_t>(8);
  auto err = [&](const std::string& text) {
    auto m = json::parse(text);
    REQUIRE(m.is_ok());
    auto r = tfjs::read_weights(m.value(), s.reader());
    return r.is_ok() ? std::string("(ok)") : r.status().message();
  };
  CHECK(contains(err(R"([{"paths":["a.bin"],"weights":[{"name":"w","shape":[2],"dtype":"string"}]}])"),
                 "weight 'w': unsupported dtype 'string'"));
  CHECK(contains(
      err(R"([{"paths":["a.bin"],"weights":[{"name":"w","shape":[2],"dtype":"float32","quantization":{"dtype":"int4"}}]}])"),
      "weight 'w': unknown quantization dtype 'int4'"));
  CHECK(
      contains(err(R"([{"paths":["a.bin"],"weights":[{"name":"w","shape":[-2],"dtype":"float32"}]}])"), "weight 'w'"));
  CHECK(contains(
      err(R"([{"paths":["a.bin"],"weights":[{"name":"w","shape":[1099511627776, 1099511627776],"dtype":"float32"}]}])"),
      "weight 'w'"));
  CHECK(contains(err(R"([{"paths":["a.bin"],"weights":[{"name":"w","shape":[3],"dtype":"float32"}]}])"),
                 "weight 'w': needs bytes 0..12"));
  CHECK(contains(err(R"([{"paths":["a.bin"],"weights":[{"name":"w","shape":[1],"dtype":"float32"}]}])"),
                 "shard 'a.bin'"));
  CHECK(contains(err(R"([{"paths":["missing.bin"],"weights":[{"name":"w","shape":[1],"dtype":"float32"}]}])"),
                 "weight shard missing.bin: cannot open file"));
  CHECK(contains(err(R"([{"paths":["../etc/passwd"],"weights":[]}])"), "without '..'"));
}

TEST_CASE("tfjs weights: shard paths are checked as the URLs they are (percent escapes decoded first)") {
  // Every one of these would be read from outside model.json's directory (a browser resolves %2e%2e as '..').
  const char* escapes[] = {"%2e%2e/%2e%2e/outside.bin",
                           "%2E%2E/outside.bin",
                           ".%2e/outside.bin",
                           "a/%2e%2e/%2e%2e/b.bin",
                           "..%2foutside.bin",
                           "..%5Coutside.bin",
                           "%252e%252e/outside.bin",
                           "%2fetc/passwd",
                           "..\\outside.bin",
                           "\\server/share.bin",
                           "C:/x.bin",
                           "http://elsewhere/x.bin",
                           "a%00.bin",
                           "%zz.bin",
                           "a%2",
                           ""};
  for (const char* path : escapes) {
    CAPTURE(path);
    CHECK_FALSE(tfjs::shard_path_problem(path).empty());
    MemoryShards s;
    s.files[path] = std::vector<uint8_t>(4);
    std::string json_path;  // as a JSON string's contents
    for (const char* c = path; *c; ++c) json_path += *c == '\\' ? std::string("\\\\") : std::string(1, *c);
    auto m = json::parse(R"([{"paths":[")" + json_path + R"("],"weights":[]}])");
    REQUIRE(m.is_ok());
    auto r = tfjs::read_weights(m.value(), s.reader());
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kInvalidModel);
    CHECK(contains(r.status().message(), std::string("shard path '") + path + "'"));
  }
  // Names that stay beside model.json, escapes included, are fine.
  for (const char* path : {"group1-shard1of2.bin", "weights/a.bin", "a..b.bin", "%61.bin", "./a.bin", "a%20b.bin"}) {
    CAPTURE(path);
    CHECK(tfjs::shard_path_problem(path).empty());
  }
}

TEST_CASE(
    "tfjs import: _FusedConv2D becomes an NHWC Conv with bias and fused Relu; filter re-laid out by a Transpose node") {
  MemoryShards shards = conv_model_shards();
  Result<Graph> r = tfjs::import_model(conv_model_json(), shards.reader());
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  Graph& g = r.value();
  REQUIRE(g.inputs.size() == 1);
  CHECK(g.value(g.inputs[0]).name == "x");
  CHECK(g.value(g.inputs[0]).shape == Shape{-1, 4, 4, 2});
  REQUIRE(g.outputs.size() == 1);
  CHECK(g.value(g.outputs[0]).name == "Identity");
  const Node* conv = find_op(g, "Conv");
  REQUIRE(conv);
  CHECK(conv->attr_string("layout", "").value() == "NHWC");
  CHECK(conv->attr_string("auto_pad", "").value() == "SAME_UPPER");
  CHECK(conv->attr_string("fused_activation", "").value() == "Relu");
  CHECK(conv->attr_ints("kernel_shape", {}).value() == std::vector<int64_t>{3, 3});
  REQUIRE(conv->inputs.size() == 3);
  CHECK(g.value(conv->inputs[2]).name == "b");
  const Node* t = find_op(g, "Transpose");
  REQUIRE(t);
  CHECK(t->outputs[0] == conv->inputs[1]);
  CHECK(t->attr_ints("perm", {}).value() == std::vector<int64_t>{3, 2, 0, 1});  // HWIO → OIHW
  CHECK(g.value(t->inputs[0]).constant->shape() == Shape{3, 3, 2, 3});
}

TEST_CASE("tfjs import: depthwise filter [kH,kW,C,M] → Reshape + Transpose to [C*M,1,kH,kW], group C") {
  std::string json = R"({"format":"graph-model","modelTopology":{"node":[
    {"name":"x","op":"Placeholder","attr":{"dtype":{"type":"DT_FLOAT"},"shape":{"shape":{"dim":[{"size":"1"},{"size":"5"},{"size":"5"},{"size":"3"}]}}}},
    {"name":"w","op":"Const"},
    {"name":"dw","op":"DepthwiseConv2dNative","input":["x","w"],"attr":{"strides":{"list":{"i":["1","2","2","1"]}},
      "padding":{"s":"VkFMSUQ="},"data_format":{"s":"TkhXQw=="}}}]},
    "weightsManifest":[{"paths":["w.bin"],"weights":[{"name":"w","shape":[3,3,3,2],"dtype":"float32"}]}]})";
  MemoryShards s;
  s.files["w.bin"] = std::vector<uint8_t>(3 * 3 * 3 * 2 * 4);
  Result<Graph> r = tfjs::import_model(json, s.reader());
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  const Graph& g = r.value();
  const Node* conv = find_op(g, "Conv");
  REQUIRE(conv);
  CHECK(conv->attr_int("group", 0).value() == 3);
  CHECK(conv->attr_string("auto_pad", "").value() == "VALID");
  CHECK(conv->attr_ints("strides", {}).value() == std::vector<int64_t>{2, 2});
  const Node* reshape = find_op(g, "Reshape");
  REQUIRE(reshape);
  CHECK(g.value(reshape->inputs[1]).constant->to_int64_vector() == std::vector<int64_t>{3, 3, 1, 6});
  CHECK(g.value(g.outputs[0]).name == "dw");
}

TEST_CASE("tfjs import: bad input gives errors naming the file, node or weight") {
  MemoryShards shards = conv_model_shards();
  SUBCASE("missing shard") {
    MemoryShards none;
    CHECK(contains(import_error(conv_model_json(), none), "weight shard group1-shard1of1.bin: cannot open file"));
  }
  SUBCASE("shard shorter than the manifest says") {
    MemoryShards s = conv_model_shards();
    s.files["group1-shard1of1.bin"].resize(40);
    std::string e = import_error(conv_model_json(), s);
    CHECK(contains(e, "weight 'w'"));
    CHECK(contains(e, "shorter"));
  }
  SUBCASE("shard longer than the manifest says") {
    std::string e = import_error(conv_model_json(), conv_model_shards(4));
    CHECK(contains(e, "shard 'group1-shard1of1.bin'"));
    CHECK(contains(e, "longer"));
  }
  SUBCASE("unknown weight dtype") {
    std::string e = import_error(conv_model_json("", R"(,{"name":"s","shape":[1],"dtype":"complex64"})"), shards);
    CHECK(contains(e, "weight 's': unsupported dtype 'complex64'"));
  }
  SUBCASE("unknown ops are listed all at once, control flow named as out of scope") {
    std::string extra = R"(,{"name":"u1","op":"FancyOp","input":["conv"]},{"name":"u2","op":"FancyOp","input":["u1"]},
                          {"name":"sw","op":"Switch","input":["u2","u2"]},{"name":"m","op":"OtherOp","input":["sw"]})";
    std::string e = import_error(conv_model_json(extra), shards);
    CHECK(contains(e, "FancyOp (2 nodes, e.g. 'u1')"));
    CHECK(contains(e, "OtherOp (1 node: 'm')"));
    CHECK(contains(e, "out of scope"));
    CHECK(contains(e, "Switch (1 node: 'sw')"));
  }
  SUBCASE("node with a missing input") {
    std::string e = import_error(conv_model_json(R"(,{"name":"r","op":"Relu","input":["nowhere"]})"), shards);
    CHECK(contains(e, "Relu 'r'"));
    CHECK(contains(e, "input 'nowhere' is not a node"));
  }
  SUBCASE("Const without a weight") {
    std::string e = import_error(
        conv_model_json(R"(,{"name":"c","op":"Const"},{"name":"a","op":"AddV2","input":["conv","c"]})"), shards);
    CHECK(contains(e, "Const 'c': has no weight"));
  }
  SUBCASE("layers-model where a graph model is expected") {
    std::string e = import_error(
        R"({"format":"layers-model","modelTopology":{"class_name":"Sequential","config":{}},"weightsManifest":[]})",
        shards);
    CHECK(contains(e, "layers-model"));
    e = import_error(R"({"modelTopology":{"class_name":"Model","config":{}},"weightsManifest":[]})", shards);
    CHECK(contains(e, "layers-model"));
  }
  SUBCASE("JSON that is not a model") {
    CHECK(contains(import_error(R"({"name":"package","version":"1.0.0"})", shards), "not a TF.js model"));
    CHECK(contains(import_error("[1,2,3]", shards), "not a TF.js model"));
    CHECK(contains(import_error("{\"format\":", shards), "invalid JSON at byte"));
  }
  SUBCASE("bad attributes name the node") {
    std::string json = conv_model_json();
    size_t p = json.find("U0FNRQ==");  // SAME → "FOO"
    json.replace(p, 8, "Rk9P");
    CHECK(contains(import_error(json, shards), "_FusedConv2D 'conv': unknown padding 'FOO'"));
  }
}

TEST_CASE("tfjs import: files on disk, errors name the model file") {
  std::string dir = "/tmp/webcnn_tfjs_import_test";
  std::system(("mkdir -p " + dir).c_str());
  {
    std::ofstream(dir + "/model.json") << conv_model_json();
    std::ofstream(dir + "/notamodel.json") << "{\"hello\": 1}";
    MemoryShards s = conv_model_shards();
    const auto& bytes = s.files["group1-shard1of1.bin"];
    std::ofstream(dir + "/group1-shard1of1.bin", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  Result<Graph> g = import_model_file(dir + "/model.json");
  REQUIRE_MESSAGE(g.is_ok(), g.status().message());
  CHECK(find_op(g.value(), "Conv"));
  Result<Graph> bad = import_model_file(dir + "/notamodel.json");
  REQUIRE_FALSE(bad.is_ok());
  CHECK(contains(bad.status().message(), dir + "/notamodel.json"));
  CHECK(contains(bad.status().message(), "not a TF.js model"));
  // A UTF-8 byte order mark before the JSON (some editors write one; JSON.parse in the browser takes it).
  std::ofstream(dir + "/bom.json") << "\xEF\xBB\xBF" << conv_model_json();
  Result<Graph> bom = import_model_file(dir + "/bom.json");
  REQUIRE_MESSAGE(bom.is_ok(), bom.status().message());
  CHECK(find_op(bom.value(), "Conv"));
  Result<Graph> missing = import_model_file(dir + "/nope.json");
  REQUIRE_FALSE(missing.is_ok());
  CHECK(contains(missing.status().message(), "nope.json"));
}

TEST_CASE("tfjs import: the human-models models translate (when fetched)") {
  std::string dir = std::string(WEBCNN_SOURCE_DIR) + "/models/human/";
  const char* names[] = {"blazeface",         "emotion", "gender",       "faceres",      "antispoof",
                         "liveness",          "iris",    "facemesh",     "handskeleton", "centernet",
                         "movenet-lightning", "selfie",  "mobilefacenet"};
  if (!std::ifstream(dir + "blazeface.json")) {
    MESSAGE("models/human not fetched (node models/fetch-models.mjs): skipped");
    return;
  }
  for (const char* name : names) {
    CAPTURE(name);
    Result<Graph> g = import_model_file(dir + name + ".json");
    CHECK_MESSAGE(g.is_ok(), g.status().message());
    if (!g.is_ok()) continue;
    CHECK(g->inputs.size() == 1);
    CHECK(!g->outputs.empty());
    CHECK(g->validate().is_ok());
  }
}

TEST_CASE("tfjs import: loops are reported by their control-flow ops") {
  std::string extra =
      R"(,{"name":"enter","op":"Enter","input":["conv"]},{"name":"merge","op":"Merge","input":["enter","next"]},
                        {"name":"body","op":"Relu","input":["merge"]},{"name":"next","op":"NextIteration","input":["body"]},
                        {"name":"exit","op":"Exit","input":["merge"]})";
  std::string e = import_error(conv_model_json(extra), conv_model_shards());
  CHECK(contains(e, "out of scope"));
  CHECK(contains(e, "Merge (1 node: 'merge')"));
  CHECK(contains(e, "NextIteration (1 node: 'next')"));
}

TEST_CASE("tfjs import: Split/SplitV outputs, Slice, Pack and Unpack map to engine ops with TF output names") {
  std::string json = R"({"format":"graph-model","modelTopology":{"node":[
    {"name":"x","op":"Placeholder","attr":{"dtype":{"type":"DT_FLOAT"},"shape":{"shape":{"dim":[{"size":"4"},{"size":"6"}]}}}},
    {"name":"axis","op":"Const"},{"name":"sizes","op":"Const"},{"name":"begin","op":"Const"},{"name":"size","op":"Const"},
    {"name":"sp","op":"Split","input":["axis","x"],"attr":{"num_split":{"i":"2"}}},
    {"name":"spv","op":"SplitV","input":["x","sizes","axis"],"attr":{"num_split":{"i":"2"}}},
    {"name":"sl","op":"Slice","input":["x","begin","size"]},
    {"name":"pk","op":"Pack","input":["sp:1","spv:1"],"attr":{"axis":{"i":"0"}}},
    {"name":"up","op":"Unpack","input":["sl"],"attr":{"num":{"i":"3"},"axis":{"i":"0"}}},
    {"name":"out","op":"AddN","input":["up","up:1","up:2"]}]},
    "signature":{"outputs":{"a":{"name":"pk:0"},"b":{"name":"out"}}},
    "weightsManifest":[{"paths":["w.bin"],"weights":[
      {"name":"axis","shape":[],"dtype":"int32"},{"name":"sizes","shape":[2],"dtype":"int32"},
      {"name":"begin","shape":[2],"dtype":"int32"},{"name":"size","shape":[2],"dtype":"int32"}]}]})";
  MemoryShards s;
  std::vector<int32_t> ints = {1, 3, -1, 1, 0, 3, -1};
  s.files["w.bin"].resize(ints.size() * 4);
  std::memcpy(s.files["w.bin"].data(), ints.data(), ints.size() * 4);
  Result<Graph> r = tfjs::import_model(json, s.reader());
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  const Graph& g = r.value();
  REQUIRE(g.outputs.size() == 2);
  CHECK(g.value(g.outputs[0]).name == "pk");
  CHECK(g.value(g.outputs[1]).name == "out");
  int splits = 0, gathers = 0, adds = 0;
  for (const Node& n : g.nodes) {
    splits += n.op == "Split";
    gathers += n.op == "Gather";
    adds += n.op == "Add";
  }
  CHECK(splits == 2);
  CHECK(gathers == 3);  // Unpack: one Gather per output
  CHECK(adds == 3);     // AddN of 3: two Adds, plus Slice's begin + size
  const Node* ss = find_op(g, "StridedSlice");
  REQUIRE(ss);
  CHECK(ss->attr_int("end_mask", 0).value() == 2);  // size -1 on axis 1
}

TEST_CASE("tfjs import: truncated and mutated model.json never crash (errors or a valid graph)") {
  MemoryShards shards = conv_model_shards();
  std::string json = conv_model_json();
  for (size_t cut = 0; cut < json.size(); cut += 7) {
    Result<Graph> r = tfjs::import_model(json.substr(0, cut), shards.reader());
    CHECK_FALSE(r.is_ok());
  }
  uint32_t seed = 12345;
  auto next = [&seed] { return seed = seed * 1664525u + 1013904223u; };
  const char bytes[] = {'"', '{', '}', '[', ']', ',', ':', '0', '-', 'x', '\\', '9', ' '};
  int ok = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    std::string m = json;
    for (int k = 0; k < 3; ++k) m[next() % m.size()] = bytes[next() % sizeof(bytes)];
    Result<Graph> r = tfjs::import_model(m, shards.reader());
    if (r.is_ok()) {
      ++ok;
      CHECK(r->validate().is_ok());
    } else {
      CHECK_FALSE(r.status().message().empty());
    }
  }
  MESSAGE(ok << " of 2000 mutated files still imported");
}
