// fold_batch_norm_into_conv: Conv → BatchNormalization, where the Conv output feeds only the BN and the
// BN parameters and Conv weights (and bias) are constants, becomes one Conv with
//   W'[o,...] = W[o,...] * a[o],  B'[o] = (B[o] - mean[o]) * a[o] + beta[o],  a = scale / sqrt(var + eps).
// New constants are made (the originals may be shared); the BN node is removed. An original only this
// Conv read is let go at once, so a model's weights are not all held twice while the pass runs.
#include <cmath>

#include "graph/constants.h"
#include "passes/graph_edit.h"
#include "passes/passes.h"

namespace webcnn {

namespace {

const Tensor* float_constant(const Graph& g, ValueId v) {
  if (v == kNoValue) return nullptr;
  const Value& val = g.value(v);
  return val.constant && val.dtype == DataType::kFloat32 ? val.constant.get() : nullptr;
}

// The BN's per-channel parameters, when the node is an inference BN with constant [C] parameters.
struct BnParams {
  const Tensor *scale, *bias, *mean, *var;
  float epsilon;
};

Result<bool> read_bn(const Graph& g, const Node& bn, int64_t channels, BnParams& p) {
  if (bn.inputs.size() != 5) return false;
  for (size_t i = 1; i < bn.outputs.size(); ++i)
    if (bn.outputs[i] != kNoValue) return false;  // training-mode outputs: its kernel refuses it
  WEBCNN_ASSIGN(int64_t training, bn.attr_int("training_mode", 0));
  if (training != 0) return false;
  WEBCNN_ASSIGN(p.epsilon, bn.attr_float("epsilon", 1e-5f));
  const Tensor* t[4];
  for (size_t i = 0; i < 4; ++i) {
    t[i] = float_constant(g, bn.inputs[i + 1]);
    if (!t[i] || t[i]->shape() != Shape{channels}) return false;
  }
  p = {t[0], t[1], t[2], t[3], p.epsilon};
  return true;
}

}  // namespace

Status fold_batch_norm_into_conv(Graph& graph) {
  using namespace graph_edit;
  std::vector<int> producer = producers(graph);
  std::vector<std::vector<size_t>> readers = graph.consumers();
  std::vector<bool> erase(graph.nodes.size(), false);
  for (size_t b = 0; b < graph.nodes.size(); ++b) {
    const Node& bn = graph.nodes[b];
    if (bn.op != "BatchNormalization" || bn.inputs.empty() || bn.outputs.empty() || bn.inputs[0] == kNoValue) continue;
    const ValueId conv_out = bn.inputs[0];
    const int c = producer[static_cast<size_t>(conv_out)];
    if (c < 0 || erase[static_cast<size_t>(c)]) continue;
    const Node& conv = graph.nodes[static_cast<size_t>(c)];
    if (conv.op != "Conv" || conv.outputs.size() != 1 || conv.has_attr("fused_activation")) continue;
    if (readers[static_cast<size_t>(conv_out)].size() != 1 || is_graph_output(graph, conv_out)) continue;
    WEBCNN_ASSIGN(std::string conv_layout, conv.attr_string("layout", "NCHW"));
    WEBCNN_ASSIGN(std::string bn_layout, bn.attr_string("layout", "NCHW"));
    if (conv_layout != bn_layout) continue;
    const Tensor* w = conv.inputs.size() >= 2 ? float_constant(graph, conv.inputs[1]) : nullptr;
    const bool has_bias = conv.inputs.size() >= 3 && conv.inputs[2] != kNoValue;
    const Tensor* bias = has_bias ? float_constant(graph, conv.inputs[2]) : nullptr;
    if (!w || w->rank() < 2 || (has_bias && !bias)) continue;
    const int64_t out_channels = w->shape()[0];
    if (bias && bias->shape() != Shape{out_channels}) continue;
    BnParams p{};
    WEBCNN_ASSIGN(bool foldable, read_bn(graph, bn, out_channels, p));
    if (!foldable) continue;

    Tensor new_w = *w;
    Tensor new_b(DataType::kFloat32, {out_channels});
    const int64_t per_channel = out_channels == 0 ? 0 : w->size() / out_channels;
    for (int64_t o = 0; o < out_channels; ++o) {
      const float a = p.scale->data<float>()[o] / std::sqrt(p.var->data<float>()[o] + p.epsilon);
      float* wo = new_w.data<float>() + o * per_channel;
      for (int64_t k = 0; k < per_channel; ++k) wo[k] *= a;
      const float b0 = bias ? bias->data<float>()[o] : 0.0f;
      new_b.data<float>()[o] = (b0 - p.mean->data<float>()[o]) * a + p.bias->data<float>()[o];
    }
    const std::string base = conv.name;
    const ValueId old_w = conv.inputs[1];
    const ValueId old_b = has_bias ? conv.inputs[2] : kNoValue;
    const ValueId bn_out = bn.outputs[0];
    const ValueId w_id = graph.add_constant(unique_value_name(graph, base + "/bn_folded_W"), std::move(new_w));
    const ValueId b_id = graph.add_constant(unique_value_name(graph, base + "/bn_folded_B"), std::move(new_b));
    Node& folded = graph.nodes[static_cast<size_t>(c)];
    folded.inputs.resize(3);
    folded.inputs[1] = w_id;
    folded.inputs[2] = b_id;
    folded.outputs[0] = bn_out;
    erase[b] = true;
    for (ValueId v : {old_w, old_b})
      if (v != kNoValue && readers[static_cast<size_t>(v)].size() == 1 && !is_graph_output(graph, v))
        graph.value(v).constant.reset();  // freed unless another graph (the model's base) shares it
  }
  erase_nodes(graph, erase);
  return Status::ok();
}

}  // namespace webcnn
