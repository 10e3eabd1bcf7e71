#include "graph/constants.h"

#include <algorithm>

namespace webcnn {

Tensor int64_tensor(const std::vector<int64_t>& values) {
  Tensor t(DataType::kInt64, {static_cast<int64_t>(values.size())});
  std::copy(values.begin(), values.end(), t.data<int64_t>());
  return t;
}

Tensor float_tensor(const std::vector<float>& values) {
  Tensor t(DataType::kFloat32, {static_cast<int64_t>(values.size())});
  std::copy(values.begin(), values.end(), t.data<float>());
  return t;
}

Tensor float_scalar_tensor(float value) {
  Tensor t(DataType::kFloat32, {});
  t.data<float>()[0] = value;
  return t;
}

ValueId add_int64_constant(Graph& g, std::string name, const std::vector<int64_t>& values) {
  return g.add_constant(std::move(name), int64_tensor(values));
}

ValueId add_float_constant(Graph& g, std::string name, const std::vector<float>& values) {
  return g.add_constant(std::move(name), float_tensor(values));
}

ValueId add_float_scalar(Graph& g, std::string name, float value) {
  return g.add_constant(std::move(name), float_scalar_tensor(value));
}

std::string unique_value_name(const Graph& g, const std::string& base) {
  if (g.find_value(base) == kNoValue) return base;
  for (int i = 1;; ++i) {
    std::string name = base + "_" + std::to_string(i);
    if (g.find_value(name) == kNoValue) return name;
  }
}

}  // namespace webcnn
