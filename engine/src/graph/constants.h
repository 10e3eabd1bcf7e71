// Constants added to a graph: the one helper the importers (ONNX opset normalisation, TF.js graph and
// layers models) and the passes share, over the IR's own Graph::add_constant. Typed shorthands for the
// small constants they make (axes, shapes, pads, scalars), and unique naming for passes, which add to a
// graph whose names the model has already taken.
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"

namespace webcnn {

// 1-D int64 (axes, shapes, pads, sizes, ...).
Tensor int64_tensor(const std::vector<int64_t>& values);
// 1-D float32.
Tensor float_tensor(const std::vector<float>& values);
// float32 of shape [].
Tensor float_scalar_tensor(float value);

// A constant value called `name` holding such a tensor.
ValueId add_int64_constant(Graph& g, std::string name, const std::vector<int64_t>& values);
ValueId add_float_constant(Graph& g, std::string name, const std::vector<float>& values);
ValueId add_float_scalar(Graph& g, std::string name, float value);

// `base` when no value has that name yet, else the first free of base_1, base_2, ...
std::string unique_value_name(const Graph& g, const std::string& base);

}  // namespace webcnn
