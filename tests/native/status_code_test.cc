// Error kinds: every failing public call says what kind of error it is (StatusCode), from real failures
// (a malformed file, an unsupported op, a wrong input, a budget too small), and the message stays the
// sentence it was before codes existed.
#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "import/model_import.h"
#include "import/tfjs/tfjs_importer.h"
#include "ops/kernel.h"
#include "support/protobuf_writer.h"
#include "webcnn/image.h"
#include "webcnn/model.h"

using namespace webcnn;
using namespace webcnn_test;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// x [n, 1024] float32 → Relu → y; n as declared (-1: fixed at run time).
std::vector<uint8_t> relu_model(int64_t n) {
  OnnxModel m;
  m.inputs = {value_info("x", kOnnxFloat, {n, 1024})};
  m.outputs = {value_info("y", kOnnxFloat, {n, 1024})};
  m.nodes = {node("Relu", {"x"}, {"y"})};
  return m.bytes();
}

std::unique_ptr<Model> load(const std::vector<uint8_t>& bytes, size_t budget = size_t{64} << 20) {
  ModelOptions options;
  options.memory_budget = budget;
  auto m = Model::load_onnx(bytes.data(), bytes.size(), options);
  REQUIRE_MESSAGE(m.is_ok(), m.status().message());
  return std::move(m).value();
}

}  // namespace

TEST_CASE("status codes: with_context keeps the code, a default never overwrites a code set at the origin") {
  const Status ok = Status::ok();
  CHECK(ok.code() == StatusCode::kOk);
  CHECK(ok.with_default_code(StatusCode::kInvalidModel).is_ok());
  CHECK(ok.with_code(StatusCode::kInternal).is_ok());

  const Status plain = Status::error("shape [2,-1] has a negative dimension");
  CHECK(plain.code() == StatusCode::kUnknown);
  CHECK(plain.with_default_code(StatusCode::kInvalidModel).code() == StatusCode::kInvalidModel);
  CHECK(plain.with_default_code(StatusCode::kInvalidModel).message() == plain.message());

  const Status budget = Status::error(StatusCode::kResourceExhausted, "over the memory budget");
  CHECK(budget.with_default_code(StatusCode::kInvalidArgument).code() == StatusCode::kResourceExhausted);
  const Status in_context = budget.with_context("model.onnx");
  CHECK(in_context.code() == StatusCode::kResourceExhausted);
  CHECK(in_context.message() == "model.onnx: over the memory budget");
  CHECK(budget.with_code(StatusCode::kInternal).code() == StatusCode::kInternal);

  // An error cannot be made with the OK code: that would be a failure that reads as success.
  const Status not_ok = Status::error(StatusCode::kOk, "oops");
  CHECK_FALSE(not_ok.is_ok());
  CHECK(not_ok.code() == StatusCode::kInternal);

  CHECK(std::string(status_code_name(StatusCode::kInvalidModel)) == "INVALID_MODEL");
  CHECK(std::string(status_code_name(StatusCode::kUnsupportedOp)) == "UNSUPPORTED_OP");
  CHECK(std::string(status_code_name(StatusCode::kInvalidArgument)) == "INVALID_ARGUMENT");
  CHECK(std::string(status_code_name(StatusCode::kResourceExhausted)) == "RESOURCE_EXHAUSTED");
  CHECK(std::string(status_code_name(StatusCode::kInternal)) == "INTERNAL");
}

TEST_CASE("status codes: a malformed model file is INVALID_MODEL") {
  SUBCASE("garbage bytes") {
    const std::vector<uint8_t> garbage = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02};
    auto m = Model::load_onnx(garbage.data(), garbage.size());
    REQUIRE_FALSE(m.is_ok());
    CHECK(m.status().code() == StatusCode::kInvalidModel);
  }
  SUBCASE("a truncated real file, and the importer alone leaves the kind to the caller") {
    std::vector<uint8_t> bytes = relu_model(1);
    bytes.resize(bytes.size() / 2);
    Result<Graph> g = import_onnx(bytes.data(), bytes.size());
    REQUIRE_FALSE(g.is_ok());
    auto m = Model::load_onnx(bytes.data(), bytes.size());
    REQUIRE_FALSE(m.is_ok());
    CHECK(m.status().code() == StatusCode::kInvalidModel);
    CHECK(m.status().message() == g.status().message());  // message unchanged
  }
  SUBCASE("a node reading a value nothing produces") {
    OnnxModel m;
    m.inputs = {value_info("x", kOnnxFloat, {1, 4})};
    m.outputs = {value_info("y", kOnnxFloat, {1, 4})};
    m.nodes = {node("Add", {"x", "nowhere"}, {"y"})};
    const std::vector<uint8_t> bytes = m.bytes();
    auto r = Model::load_onnx(bytes.data(), bytes.size());
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kInvalidModel);
  }
}

TEST_CASE("status codes: unsupported ops are UNSUPPORTED_OP, from every importer and from create_kernel") {
  SUBCASE("ONNX") {
    OnnxModel m;
    m.inputs = {value_info("x", kOnnxFloat, {1, 4})};
    m.outputs = {value_info("y", kOnnxFloat, {1, 4})};
    m.nodes = {node("NoSuchOpAnywhere", {"x"}, {"y"}, {}, "strange")};
    const std::vector<uint8_t> bytes = m.bytes();
    auto r = Model::load_onnx(bytes.data(), bytes.size());
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kUnsupportedOp);
    CHECK(r.status().message() == "unsupported ops: NoSuchOpAnywhere (1 node: 'strange')");
  }
  SUBCASE("TF.js graph model") {
    const std::string json = R"({"format":"graph-model","modelTopology":{"node":[
      {"name":"x","op":"Placeholder","attr":{"dtype":{"type":"DT_FLOAT"},"shape":{"shape":{"dim":[{"size":"1"},{"size":"4"}]}}}},
      {"name":"odd","op":"NoSuchTfOp","input":["x"]},
      {"name":"Identity","op":"Identity","input":["odd"]}]},
      "weightsManifest":[]})";
    Result<Graph> g = tfjs::import_model(json, [](const std::string& p) -> Result<std::vector<uint8_t>> {
      return Status::error("weight shard " + p + ": cannot open file");
    });
    REQUIRE_FALSE(g.is_ok());
    CHECK(g.status().code() == StatusCode::kUnsupportedOp);
    CHECK(contains(g.status().message(), "unsupported TF ops: NoSuchTfOp (1 node: 'odd')"));
  }
  SUBCASE("create_kernel") {
    Node n;
    n.op = "NoSuchOpAnywhere";
    n.name = "strange";
    auto k = create_kernel(n);
    REQUIRE_FALSE(k.is_ok());
    CHECK(k.status().code() == StatusCode::kUnsupportedOp);
    CHECK(contains(k.status().message(), "op 'NoSuchOpAnywhere' is not supported"));
  }
}

TEST_CASE("status codes: the caller's wrong inputs are INVALID_ARGUMENT") {
  auto model = load(relu_model(1));
  Tensor x(DataType::kFloat32, {1, 1024});
  SUBCASE("wrong shape") {
    Tensor wrong(DataType::kFloat32, {2, 1024});
    auto r = model->run({{"x", &wrong}});
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK(r.status().message() == "input 'x' must have shape [1,1024], got [2,1024]");
  }
  SUBCASE("wrong dtype") {
    Tensor wrong(DataType::kInt32, {1, 1024});
    auto r = model->run({{"x", &wrong}});
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
  }
  SUBCASE("an input name the model does not have, and a missing one") {
    auto r = model->run({{"x", &x}, {"z", &x}});
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    auto missing = model->run({});
    REQUIRE_FALSE(missing.is_ok());
    CHECK(missing.status().code() == StatusCode::kInvalidArgument);
  }
  SUBCASE("capturing a layer that does not exist, profiling with no runs") {
    auto c = model->run_capturing({{"x", &x}}, {"no_such_conv"});
    REQUIRE_FALSE(c.is_ok());
    CHECK(c.status().code() == StatusCode::kInvalidArgument);
    auto p = model->profile({{"x", &x}}, 0, 0);
    REQUIRE_FALSE(p.is_ok());
    CHECK(p.status().code() == StatusCode::kInvalidArgument);
    auto w = model->conv_weights("no_such_conv");
    REQUIRE_FALSE(w.is_ok());
    CHECK(w.status().code() == StatusCode::kInvalidArgument);
  }
  SUBCASE("a file that does not exist") {
    auto r = Model::load_file("/nonexistent/dir/model.onnx");
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    auto j = Model::load_file("/nonexistent/dir/model.json");
    REQUIRE_FALSE(j.is_ok());
    CHECK(j.status().code() == StatusCode::kInvalidArgument);
  }
  SUBCASE("images: bytes that are no image, preprocess options out of range") {
    const std::vector<uint8_t> not_an_image = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'};
    auto d = decode_image(not_an_image.data(), not_an_image.size());
    REQUIRE_FALSE(d.is_ok());
    CHECK(d.status().code() == StatusCode::kInvalidArgument);
    auto f = decode_image_file("/nonexistent/picture.jpg");
    REQUIRE_FALSE(f.is_ok());
    CHECK(f.status().code() == StatusCode::kInvalidArgument);
    std::vector<uint8_t> rgba(4 * 4 * 4, 128);
    ImageView view{rgba.data(), 4, 4, PixelFormat::kRGBA8, 0};
    PreprocessOptions o;
    o.crop_fraction = 2.0f;
    auto p = preprocess_image(view, o);
    REQUIRE_FALSE(p.is_ok());
    CHECK(p.status().code() == StatusCode::kInvalidArgument);
    CHECK(p.status().message() == "preprocess: crop fraction must be in (0, 1]");
  }
}

TEST_CASE("status codes: a memory budget too small is RESOURCE_EXHAUSTED, at load and at a re-plan") {
  SUBCASE("static model: refused at load") {
    // [256,1024] floats is 1 MiB of input and 1 MiB of output: over a 1 MiB budget.
    const std::vector<uint8_t> bytes = relu_model(256);
    ModelOptions options;
    options.memory_budget = size_t{1} << 20;
    auto r = Model::load_onnx(bytes.data(), bytes.size(), options);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kResourceExhausted);
    CHECK(contains(r.status().message(), "over the memory budget of 1 MiB"));
  }
  SUBCASE("free batch dimension: a run's re-plan keeps the budget's code (not INVALID_ARGUMENT)") {
    auto model = load(relu_model(-1), size_t{1} << 20);
    Tensor small(DataType::kFloat32, {1, 1024});
    REQUIRE(model->run({{"x", &small}}).is_ok());
    Tensor big(DataType::kFloat32, {512, 1024});  // 2 MiB
    auto r = model->run({{"x", &big}});
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == StatusCode::kResourceExhausted);
    CHECK(contains(r.status().message(), "over the memory budget of 1 MiB"));
  }
}

TEST_CASE("status codes: a broken engine invariant is INTERNAL") {
  // A Result built from an OK status has neither a value nor an error: the engine's own mistake.
  Result<int> r{Status::ok()};
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == StatusCode::kInternal);
  CHECK(r.status().message() == "internal error: Result built from OK status");
}
