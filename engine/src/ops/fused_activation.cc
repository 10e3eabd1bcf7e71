#include "ops/fused_activation.h"

#include <cmath>
#include <string>

namespace webcnn {

Result<FusedActivation> fused_activation_from_node(const Node& node) {
  using Kind = FusedActivation::Kind;
  FusedActivation a;
  WEBCNN_ASSIGN(std::string k, node.attr_string("fused_activation", ""));
  if (k.empty()) return a;
  if (k == "Relu") {
    a.kind = Kind::kRelu;
    a.min = 0;
  } else if (k == "Clip") {
    a.kind = Kind::kClip;
    WEBCNN_ASSIGN(a.min, node.attr_float("fused_min", -INFINITY));
    WEBCNN_ASSIGN(a.max, node.attr_float("fused_max", INFINITY));
  } else if (k == "LeakyRelu") {
    a.kind = Kind::kLeakyRelu;
    WEBCNN_ASSIGN(a.alpha, node.attr_float("fused_alpha", 0.01f));
  } else if (k == "Sigmoid") a.kind = Kind::kSigmoid;
  else if (k == "HardSwish") a.kind = Kind::kHardSwish;
  else if (k == "HardSigmoid") {
    a.kind = Kind::kHardSigmoid;
    WEBCNN_ASSIGN(a.alpha, node.attr_float("fused_alpha", 0.2f));
    WEBCNN_ASSIGN(a.beta, node.attr_float("fused_beta", 0.5f));
  } else if (k == "Tanh") a.kind = Kind::kTanh;
  else return node.error("unknown fused_activation '" + k + "'");
  return a;
}

}  // namespace webcnn
