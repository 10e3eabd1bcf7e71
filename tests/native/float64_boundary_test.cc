// Inputs and outputs a model declares as double (ONNX DOUBLE): the model reports and takes float64 and
// returns float64, computed in float32 inside (tensor.h, DataType::kFloat64). The oracle is the same
// arithmetic done here by hand in float32.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "support/protobuf_writer.h"
#include "webcnn/model.h"

using namespace webcnn;
using namespace webcnn_test;

namespace {

// y = Relu(x) * 3, x and y declared double, [2, 3].
std::vector<uint8_t> double_model() {
  OnnxModel m;
  m.opset = 13;
  m.inputs.push_back(value_info("x", kOnnxDouble, {2, 3}));
  m.outputs.push_back(value_info("y", kOnnxDouble, {2, 3}));
  m.initializers.push_back(float_tensor("three", {}, {3.0f}));
  m.nodes.push_back(node("Relu", {"x"}, {"r"}));
  m.nodes.push_back(node("Mul", {"r", "three"}, {"y"}));
  return m.bytes();
}

}  // namespace

TEST_CASE("float64 boundary: a model declaring double inputs and outputs reports, takes and returns float64") {
  const std::vector<uint8_t> bytes = double_model();
  Result<std::unique_ptr<Model>> loaded = Model::load_onnx(bytes.data(), bytes.size());
  REQUIRE_MESSAGE(loaded.is_ok(), loaded.status().message());
  Model& model = *loaded.value();
  REQUIRE(model.inputs().size() == 1);
  REQUIRE(model.outputs().size() == 1);
  CHECK(model.inputs()[0].dtype == DataType::kFloat64);
  CHECK(model.outputs()[0].dtype == DataType::kFloat64);
  CHECK(std::string(dtype_name(model.inputs()[0].dtype)) == "float64");

  const std::vector<double> x = {-1.5, 0.1, 2.25, 1e-3, -0.0, 1.0 / 3.0};
  Tensor in64(DataType::kFloat64, {2, 3});
  for (size_t i = 0; i < x.size(); ++i) in64.data<double>()[i] = x[i];
  auto expected = [&](size_t i) {  // float32 arithmetic, widened
    const float r = std::max(static_cast<float>(x[i]), 0.0f);
    return static_cast<double>(r * 3.0f);
  };

  SUBCASE("float64 data") {
    Result<std::vector<Tensor>> out = model.run({{"x", &in64}});
    REQUIRE_MESSAGE(out.is_ok(), out.status().message());
    REQUIRE(out.value()[0].dtype() == DataType::kFloat64);
    REQUIRE(out.value()[0].shape() == Shape{2, 3});
    for (size_t i = 0; i < x.size(); ++i) CHECK(out.value()[0].data<double>()[i] == expected(i));
  }
  SUBCASE("float32 data is taken too (what it is computed in), the output still float64") {
    Tensor in32(DataType::kFloat32, {2, 3});
    for (size_t i = 0; i < x.size(); ++i) in32.data<float>()[i] = static_cast<float>(x[i]);
    Result<std::vector<Tensor>> out = model.run({{"x", &in32}});
    REQUIRE_MESSAGE(out.is_ok(), out.status().message());
    REQUIRE(out.value()[0].dtype() == DataType::kFloat64);
    for (size_t i = 0; i < x.size(); ++i) CHECK(out.value()[0].data<double>()[i] == expected(i));
  }
  SUBCASE("other dtypes are refused, naming what it takes") {
    Tensor wrong(DataType::kInt32, {2, 3});
    Result<std::vector<Tensor>> out = model.run({{"x", &wrong}});
    REQUIRE_FALSE(out.is_ok());
    CHECK(out.status().message() == "input 'x' must be float64 (or float32), got int32");
  }
}

TEST_CASE("float64 boundary: float models are unchanged (float32 in, float32 out)") {
  OnnxModel m;
  m.inputs.push_back(value_info("x", kOnnxFloat, {3}));
  m.outputs.push_back(value_info("y", kOnnxFloat, {3}));
  m.nodes.push_back(node("Relu", {"x"}, {"y"}));
  const std::vector<uint8_t> bytes = m.bytes();
  Result<std::unique_ptr<Model>> loaded = Model::load_onnx(bytes.data(), bytes.size());
  REQUIRE(loaded.is_ok());
  CHECK(loaded.value()->inputs()[0].dtype == DataType::kFloat32);
  CHECK(loaded.value()->outputs()[0].dtype == DataType::kFloat32);
  Tensor in64(DataType::kFloat64, {3});
  Result<std::vector<Tensor>> out = loaded.value()->run({{"x", &in64}});
  REQUIRE_FALSE(out.is_ok());
  CHECK(out.status().message() == "input 'x' must be float32, got float64");
}
