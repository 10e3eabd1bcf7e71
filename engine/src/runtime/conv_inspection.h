// Looking inside a planned model's convolutions (Model::conv_layers, conv_weights and run_capturing):
// float Conv and 8-bit QLinearConv alike, both shown as real numbers — an 8-bit layer's weights and
// captured outputs dequantized with its own scales and zero points, so "Look inside" draws a quantized
// network the way it draws a float one.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "webcnn/model.h"

namespace webcnn {

// The layer's constant input at an index, wherever the plan keeps it (its graph, or the kernel that
// consumed it: ExecutionPlan::constant_input), or an error when it is computed at run time.
using ConstantInput = std::function<Result<Tensor>(size_t input)>;

// The convolution (Conv or QLinearConv) named `name` with an output, or nullptr.
const Node* find_inspectable_conv(const Graph& g, const std::string& name);

// Every convolution of `g` in execution order: name, weight shape [O, I/group, kH, kW], group.
std::vector<ConvLayerInfo> list_conv_layers(const Graph& g);

// A captured convolution output as NHWC float32: transposed when the layer ran NCHW, dequantized
// (scale · (q − zero point)) when it is 8-bit.
Result<Tensor> captured_as_float_nhwc(Tensor t, const Node& conv, const ConstantInput& constant_input);

// A convolution's weights as float32 [O, I/group, kH, kW]: Conv's as the plan holds them (BatchNorm
// folded in), QLinearConv's dequantized per output channel.
Result<Tensor> conv_weights_as_float(const Node& conv, const ConstantInput& constant_input);

}  // namespace webcnn
