// Keras layers (TF.js layers-model) → engine ops (ONNX-opset-18 semantics, ops/README.md). Only
// translation happens here: Keras kernels keep their file layout and become Transpose/Reshape nodes on
// constants (HWIO → OIHW, depthwise HWCM → [C·M, 1, kH, kW]) that constant folding evaluates at plan time;
// batch norms stay BatchNormalization nodes for the folding pass. Activations are NHWC (channels_last),
// as Keras keeps them, so spatial ops carry layout "NHWC".
//
// Layers: Conv2D (groups), DepthwiseConv2D, SeparableConv2D, Conv2DTranspose, Dense (any rank),
// BatchNormalization (channel axis 1 or last; center/scale optional), ReLU (max_value, negative_slope,
// threshold), LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax, Activation, MaxPooling2D,
// AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, ZeroPadding2D, Cropping2D, UpSampling2D
// (nearest), Flatten, Reshape, Permute, Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate,
// and the training-only Dropout family (identity). Activations by name: linear, relu, relu6, sigmoid,
// hard_sigmoid, tanh, softmax, log_softmax, elu, selu, softplus, softsign, swish/silu, hard_swish/hard_silu,
// mish, gelu, exponential. Only channels_last.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "import/tfjs/layers_model_topology.h"
#include "import/tfjs/tf_graph_builder.h"

namespace webcnn {
namespace tfjs {
namespace keras {

// A tensor of the Keras graph as the engine sees it: its value and its rank (batch axis included), which
// Keras knows statically and some layers need (BatchNormalization's axis, Concatenate's axis, ...).
struct KerasTensor {
  ValueId value = kNoValue;
  int rank = 0;
};

// The model's weights by manifest name. Each becomes one graph constant on first use, so a layer called
// several times (a shared layer) reads the same constant.
class LayerWeights {
 public:
  LayerWeights(std::map<std::string, Tensor> weights, GraphBuilder& b) : pending_(std::move(weights)), b_(b) {}

  struct Weight {
    ValueId value = kNoValue;
    const Tensor* tensor = nullptr;
  };
  // "<layer>/<what>" ("conv1/kernel"), or else the single manifest name ending in "/<layer>/<what>" (a
  // layer inside a named scope); an error naming the layer and the weight when there is none.
  Result<Weight> get(const Layer& layer, const std::string& what);

 private:
  Result<std::string> resolve(const Layer& layer, const std::string& what) const;
  std::map<std::string, Tensor> pending_;  // not yet in the graph
  std::map<std::string, Weight> used_;
  GraphBuilder& b_;
};

// Layer classes translate_layer() knows. InputLayer is not among them: the importer makes graph inputs.
bool is_supported_layer(const std::string& class_name);

// Appends the engine nodes of one call of `layer` reading `inputs`; the result value is named `name`.
Result<KerasTensor> translate_layer(const Layer& layer, const std::vector<KerasTensor>& inputs, const std::string& name,
                                    LayerWeights& weights, GraphBuilder& b);

}  // namespace keras
}  // namespace tfjs
}  // namespace webcnn
