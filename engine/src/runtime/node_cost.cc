#include "runtime/node_cost.h"

#include <algorithm>
#include <vector>

#include "ops/kernel.h"

namespace webcnn {

namespace {

// Attributes were validated by the kernels' create(); a malformed one just leaves the label plainer.
template <typename T>
T or_default(Result<T> r, T fallback) {
  return r.is_ok() ? std::move(r).value() : fallback;
}

}  // namespace

std::string node_kind(const Node& node, const Graph& g) {
  std::vector<int64_t> window;
  bool depthwise = false;
  if ((node.op == "Conv" || node.op == "ConvTranspose") && node.inputs.size() >= 2) {
    const Shape& w = g.value(node.inputs[1]).shape;  // OIHW (the layout pass keeps weights as they are)
    if (w.size() >= 3) window.assign(w.begin() + 2, w.end());
    const int64_t group = or_default<int64_t>(node.attr_int("group", 1), 1);
    depthwise = group > 1 && w.size() >= 2 && w[1] == 1;
  } else {
    window = or_default<std::vector<int64_t>>(node.attr_ints("kernel_shape", {}), {});
  }
  std::string s;
  for (size_t i = 0; i < window.size(); ++i) s += (i ? "x" : "") + std::to_string(window[i]);
  if (depthwise) s += " dw";
  const std::vector<int64_t> strides = or_default<std::vector<int64_t>>(node.attr_ints("strides", {}), {});
  if (!strides.empty() && *std::max_element(strides.begin(), strides.end()) > 1)
    s += " s" + std::to_string(*std::max_element(strides.begin(), strides.end()));
  return s.empty() ? node.op : node.op + " " + s;
}

int64_t node_macs(const Node& n, const Graph& g) {
  const OpTraits::MacsCounter macs = OpRegistry::global().traits(n.op).macs;
  return macs ? macs(n, g) : 0;
}

}  // namespace webcnn
