// sink_transposes: after convert_to_nhwc every spatial op sits between a Transpose to NHWC and one back
// to NCHW. This pass moves Transposes down the graph and cancels them, so a chain of convs runs NHWC
// from end to end. Rewrites, applied one at a time until none applies:
//   1. a Transpose of a Transpose becomes one Transpose of the composed perm; an identity Transpose is
//      bypassed (this is what cancels NCHW→NHWC pairs and feeds NHWC consumers directly);
//   2. a Transpose whose output only one node reads moves below that node when the node is (by its
//      traits in the op registry)
//      - unary elementwise (Relu, Clip, Sigmoid, ...: extra inputs must be constant scalars),
//      - broadcasting elementwise (Add, Mul, PRelu, ...), when every other operand is the output of a
//        Transpose with the same perm (read only there) or a constant (re-laid-out to match),
//      - Concat, under the same conditions, with its axis remapped;
//      - Pad, Resize and Reduce* (constant per-axis inputs: pads, roi/scales/sizes, axes), with the
//        per-axis values re-ordered (a Reduce without keepdims also changes the Transpose's perm);
//   3. a Transpose read by several unary elementwise ops is duplicated, one per reader, so each copy
//      can move on by rule 2.
// Finally a Transpose that only moves dims of size 1 (e.g. [N,1,1,C] → [N,C,1,1] before a classifier)
// becomes a Reshape, which costs nothing (it aliases its input).
#include <algorithm>
#include <cstring>
#include <map>

#include "graph/constants.h"
#include "ops/kernel.h"
#include "passes/graph_edit.h"
#include "passes/passes.h"

namespace webcnn {

namespace {

using graph_edit::Perm;

// What the op registry says (ops/op_traits.h) decides which ops a Transpose moves through.
bool is_unary_elementwise(const std::string& op) {
  return OpRegistry::global().traits(op).elementwise == OpTraits::Elementwise::kUnary;
}

bool is_broadcasting_elementwise(const std::string& op) {
  return OpRegistry::global().traits(op).elementwise == OpTraits::Elementwise::kBroadcast;
}

bool is_reduce(const std::string& op) { return OpRegistry::global().traits(op).reduce; }

struct GraphMaps {
  std::vector<int> producer;
  std::vector<std::vector<size_t>> readers;  // may list a node twice when it reads a value twice
};

GraphMaps maps_of(const Graph& g) { return {graph_edit::producers(g), g.consumers()}; }

// The one node reading v, or -1 when none or several do.
int single_reader(const GraphMaps& m, ValueId v) {
  const auto& r = m.readers[static_cast<size_t>(v)];
  if (r.empty()) return -1;
  for (size_t n : r)
    if (n != r[0]) return -1;
  return static_cast<int>(r[0]);
}

// The perm of node `t` when it is a Transpose with one input and output of known shape.
Result<bool> transpose_info(const Graph& g, const Node& n, ValueId& in, ValueId& out, Perm& perm) {
  if (n.op != "Transpose" || n.inputs.size() != 1 || n.outputs.size() != 1) return false;
  in = n.inputs[0];
  out = n.outputs[0];
  if (in == kNoValue || out == kNoValue || !g.value(in).has_shape) return false;
  WEBCNN_ASSIGN(perm, graph_edit::transpose_perm_of(n, g.value(in).shape.size()));
  return true;
}

// Rule 1 (bypass): consumers of `t` read `x` instead.
void replace_uses(Graph& g, const GraphMaps& m, ValueId t, ValueId x) {
  for (size_t r : m.readers[static_cast<size_t>(t)])
    for (ValueId& in : g.nodes[r].inputs)
      if (in == t) in = x;
}

// How one operand of a node below a Transpose `perm` gets into the un-transposed layout.
struct Operand {
  enum class Kind { kTheTranspose, kSameTranspose, kConstant, kScalarConstant, kReplaced } kind;
  ValueId source = kNoValue;  // the Transpose's input for the two transpose kinds
  Tensor replacement;         // kReplaced: the new constant (per-axis values re-ordered)
};

// What moving a Transpose below a node changes besides its operands.
struct PushPlan {
  std::vector<Operand> operands;
  Perm out_perm;  // the moved Transpose's perm (differs from the original after a rank-reducing Reduce)
  std::map<std::string, Attribute> attr_updates;
};

// Per-axis lists of a node reading t (t axis i is x axis perm[i]).
std::vector<int64_t> remap_axes(const std::vector<int64_t>& axes, const Perm& perm) {
  const int64_t rank = static_cast<int64_t>(perm.size());
  std::vector<int64_t> out;
  for (int64_t a : axes) out.push_back(perm[static_cast<size_t>(a < 0 ? a + rank : a)]);
  return out;
}
bool axes_in_range(const std::vector<int64_t>& axes, size_t rank) {
  for (int64_t a : axes)
    if (a < -static_cast<int64_t>(rank) || a >= static_cast<int64_t>(rank)) return false;
  return true;
}
// A list with one value per axis (or `groups` such lists back to back, like pads' begins and ends),
// re-ordered so value i for t's axis i lands at x's axis perm[i].
Tensor remap_per_axis(const Tensor& t, const Perm& perm, size_t groups) {
  const size_t rank = perm.size();
  Tensor out = t;
  const size_t bytes = dtype_size(t.dtype());
  const char* src = static_cast<const char*>(t.raw());
  char* dst = static_cast<char*>(out.raw());
  for (size_t g = 0; g < groups; ++g)
    for (size_t i = 0; i < rank; ++i)
      std::memcpy(dst + (g * rank + static_cast<size_t>(perm[i])) * bytes, src + (g * rank + i) * bytes, bytes);
  return out;
}

// Rule 2 for Pad, Resize and Reduce*: the node reads t as input 0; its other inputs are constant
// per-axis lists (or absent). Fills the plan, or returns false.
bool plan_axis_op(const Graph& g, const Node& u, ValueId t, const Perm& perm, PushPlan& plan) {
  const size_t rank = perm.size();
  if (u.inputs.empty() || u.inputs[0] != t) return false;
  plan.operands.assign(u.inputs.size(), Operand{Operand::Kind::kScalarConstant, kNoValue, {}});
  plan.operands[0].kind = Operand::Kind::kTheTranspose;
  plan.out_perm = perm;
  for (size_t i = 1; i < u.inputs.size(); ++i) {
    const ValueId v = u.inputs[i];
    if (v == t || (v != kNoValue && !g.value(v).constant)) return false;
  }
  auto constant = [&](size_t i) -> const Tensor* {
    return i < u.inputs.size() && u.inputs[i] != kNoValue ? g.value(u.inputs[i]).constant.get() : nullptr;
  };
  auto replace = [&](size_t i, Tensor t2) {
    plan.operands[i].kind = Operand::Kind::kReplaced;
    plan.operands[i].replacement = std::move(t2);
  };
  const int64_t r = static_cast<int64_t>(rank);
  if (u.op == "Pad") {  // data, pads, constant_value, axes
    const Tensor* pads = constant(1);
    const Tensor* axes = constant(3);
    if (!pads) return false;
    if (axes) {
      const std::vector<int64_t> a = axes->to_int64_vector();
      if (!axes_in_range(a, rank)) return false;
      replace(3, int64_tensor(remap_axes(a, perm)));
    } else {
      if (pads->size() != 2 * r) return false;
      replace(1, remap_per_axis(*pads, perm, 2));
    }
    return true;
  }
  if (u.op == "Resize") {  // X, roi, scales, sizes; optional `axes` attribute
    if (u.has_attr("axes")) {
      auto axes = u.attr_ints("axes", {});
      if (!axes.is_ok() || !axes_in_range(*axes, rank)) return false;
      plan.attr_updates["axes"] = Attribute::of_ints(remap_axes(*axes, perm));
      return true;
    }
    const size_t groups[4] = {0, 2, 1, 1};  // roi holds starts then ends
    for (size_t i = 1; i < 4; ++i) {
      const Tensor* c = constant(i);
      if (!c || c->size() == 0) continue;
      if (c->size() != static_cast<int64_t>(groups[i]) * r) return false;
      replace(i, remap_per_axis(*c, perm, groups[i]));
    }
    return true;
  }
  if (is_reduce(u.op)) {  // data, axes; keepdims, noop_with_empty_axes
    const Tensor* axes_t = constant(1);
    std::vector<int64_t> axes = axes_t ? axes_t->to_int64_vector() : std::vector<int64_t>{};
    if (axes.empty()) return false;  // all axes (or none): nothing to gain
    if (!axes_in_range(axes, rank)) return false;
    auto keepdims = u.attr_int("keepdims", 1);
    if (!keepdims.is_ok()) return false;
    const std::vector<int64_t> x_axes = remap_axes(axes, perm);
    replace(1, int64_tensor(x_axes));
    if (*keepdims == 0) {
      // y keeps t's unreduced axes in order; y' keeps x's in order. y dim j is x axis perm[t_kept[j]].
      std::vector<bool> x_reduced(rank, false);
      for (int64_t a : x_axes) x_reduced[static_cast<size_t>(a)] = true;
      std::vector<int64_t> x_kept;
      for (size_t j = 0; j < rank; ++j)
        if (!x_reduced[j]) x_kept.push_back(static_cast<int64_t>(j));
      plan.out_perm.clear();
      for (size_t i = 0; i < rank; ++i) {
        if (x_reduced[static_cast<size_t>(perm[i])]) continue;
        plan.out_perm.push_back(std::find(x_kept.begin(), x_kept.end(), perm[i]) - x_kept.begin());
      }
    }
    return true;
  }
  return false;
}

// Rule 2's precondition for node u reading transpose output t (of `perm` on `rank` dims).
Result<bool> can_push_through(const Graph& g, const GraphMaps& m, const Node& u, size_t u_index, ValueId t,
                              const Perm& perm, PushPlan& plan) {
  const size_t rank = perm.size();
  if (u.outputs.empty() || u.outputs[0] == kNoValue) return false;
  for (size_t i = 1; i < u.outputs.size(); ++i)
    if (u.outputs[i] != kNoValue) return false;  // e.g. Dropout's mask
  const Value& y = g.value(u.outputs[0]);
  if (!y.has_shape) return false;
  if (u.op == "Pad" || u.op == "Resize" || is_reduce(u.op))
    return plan_axis_op(g, u, t, perm, plan) && y.shape.size() == plan.out_perm.size();
  if (y.shape.size() != rank) return false;
  plan.out_perm = perm;
  std::vector<Operand>& operands = plan.operands;
  const bool unary = is_unary_elementwise(u.op);
  const bool concat = u.op == "Concat";
  if (!unary && !concat && !is_broadcasting_elementwise(u.op)) return false;
  operands.clear();
  for (size_t i = 0; i < u.inputs.size(); ++i) {
    const ValueId v = u.inputs[i];
    Operand op{Operand::Kind::kConstant, kNoValue, {}};
    if (v == t) {
      if (unary && i != 0) return false;
      op.kind = Operand::Kind::kTheTranspose;
    } else if (v == kNoValue) {
      if (!unary) return false;
      op.kind = Operand::Kind::kScalarConstant;
    } else if (g.value(v).constant) {
      const Tensor& c = *g.value(v).constant;
      if (unary) {
        if (c.size() != 1) return false;  // e.g. Clip bounds: layout does not matter
        op.kind = Operand::Kind::kScalarConstant;
      } else if (concat ? c.shape().size() != rank : c.shape().size() > rank) {
        return false;
      } else {
        op.kind = c.shape().empty() ? Operand::Kind::kScalarConstant : Operand::Kind::kConstant;
      }
    } else {
      if (unary) return false;
      const int p = m.producer[static_cast<size_t>(v)];
      if (p < 0) return false;
      ValueId src, out;
      Perm other;
      WEBCNN_ASSIGN(bool is_transpose, transpose_info(g, g.nodes[static_cast<size_t>(p)], src, out, other));
      if (!is_transpose || other != perm || single_reader(m, v) != static_cast<int>(u_index) ||
          graph_edit::is_graph_output(g, v))
        return false;
      op.kind = Operand::Kind::kSameTranspose;
      op.source = src;
    }
    operands.push_back(std::move(op));
  }
  return true;
}

// Rule 2: the Transpose node `t_index` (x → t) moves below u: u reads the un-transposed operands and
// the Transpose turns u's new output back into u's old output value.
void push_below(Graph& g, size_t t_index, size_t u_index, ValueId x, const Perm& perm, PushPlan& plan) {
  const Perm inv = graph_edit::inverse(perm);
  const size_t rank = perm.size();
  for (size_t i = 0; i < plan.operands.size(); ++i) {
    const ValueId v = g.nodes[u_index].inputs[i];
    switch (plan.operands[i].kind) {
      case Operand::Kind::kTheTranspose: g.nodes[u_index].inputs[i] = x; break;
      case Operand::Kind::kSameTranspose: g.nodes[u_index].inputs[i] = plan.operands[i].source; break;
      case Operand::Kind::kScalarConstant: break;
      case Operand::Kind::kReplaced: {
        const std::string name = g.value(v).name + "/untransposed";
        g.nodes[u_index].inputs[i] =
            g.add_constant(unique_value_name(g, name), std::move(plan.operands[i].replacement));
        break;
      }
      case Operand::Kind::kConstant: {
        // Broadcast to full rank by leading 1s, then lay out so that transposing by perm gives it back.
        Tensor c = *g.value(v).constant;
        Shape full(rank - c.shape().size(), 1);
        full.insert(full.end(), c.shape().begin(), c.shape().end());
        c.reshape(full);
        const std::string name = g.value(v).name + "/untransposed";
        g.nodes[u_index].inputs[i] = g.add_constant(unique_value_name(g, name), graph_edit::permute_tensor(c, inv));
        break;
      }
    }
  }
  Node& u = g.nodes[u_index];
  if (u.op == "Concat") {
    int64_t axis = u.attrs.count("axis") ? u.attrs["axis"].i : 0;
    if (axis < 0) axis += static_cast<int64_t>(rank);
    u.attrs["axis"] = Attribute::of_int(perm[static_cast<size_t>(axis)]);
  }
  for (auto& kv : plan.attr_updates) u.attrs[kv.first] = kv.second;
  const ValueId y = u.outputs[0];
  const Value& yv = g.value(y);
  const ValueId y_pre = graph_edit::add_value(g, yv.name + "/pre_transpose", yv.dtype,
                                              graph_edit::permute(yv.shape, graph_edit::inverse(plan.out_perm)));
  g.nodes[u_index].outputs[0] = y_pre;
  Node& moved = g.nodes[t_index];
  moved.inputs[0] = y_pre;
  moved.outputs[0] = y;
  moved.attrs["perm"] = Attribute::of_ints(plan.out_perm);
}

// One rewrite anywhere in the graph; false when none applies.
Result<bool> rewrite_once(Graph& g) {
  const GraphMaps m = maps_of(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    ValueId x, t;
    Perm perm;
    WEBCNN_ASSIGN(bool is_transpose, transpose_info(g, g.nodes[i], x, t, perm));
    if (!is_transpose) continue;
    const bool t_is_output = graph_edit::is_graph_output(g, t);
    const auto& readers = m.readers[static_cast<size_t>(t)];

    // Rule 1.
    if (graph_edit::is_identity(perm) && !t_is_output && !readers.empty()) {
      replace_uses(g, m, t, x);
      return true;
    }
    const int p = m.producer[static_cast<size_t>(x)];
    if (p >= 0) {
      ValueId x0, mid;
      Perm first;
      WEBCNN_ASSIGN(bool below_transpose, transpose_info(g, g.nodes[static_cast<size_t>(p)], x0, mid, first));
      if (below_transpose) {
        g.nodes[i].inputs[0] = x0;
        g.nodes[i].attrs["perm"] = Attribute::of_ints(graph_edit::compose(first, perm));
        return true;
      }
    }
    if (t_is_output || readers.empty()) continue;

    // Rule 2.
    const int u = single_reader(m, t);
    if (u >= 0) {
      PushPlan plan;
      WEBCNN_ASSIGN(bool pushable,
                    can_push_through(g, m, g.nodes[static_cast<size_t>(u)], static_cast<size_t>(u), t, perm, plan));
      if (pushable) {
        push_below(g, i, static_cast<size_t>(u), x, perm, plan);
        return true;
      }
      continue;
    }

    // Rule 3.
    bool all_unary = true;
    for (size_t r : readers) {
      const Node& reader = g.nodes[r];
      all_unary = all_unary && is_unary_elementwise(reader.op) && reader.inputs[0] == t &&
                  std::count(reader.inputs.begin(), reader.inputs.end(), t) == 1;
    }
    if (!all_unary) continue;
    const Value tv = g.value(t);
    const std::string name = g.nodes[i].name;
    for (size_t k = 1; k < readers.size(); ++k) {
      const ValueId copy = graph_edit::add_value(g, tv.name + "/copy", tv.dtype, tv.shape);
      g.add_node(graph_edit::make_transpose(name + "/copy", x, copy, perm));
      g.nodes[readers[k]].inputs[0] = copy;
    }
    return true;
  }
  return false;
}

// A Transpose that keeps the order of every dim larger than 1 only relabels the bytes.
void transposes_to_reshapes(Graph& g) {
  for (Node& n : g.nodes) {
    if (n.op != "Transpose" || n.inputs.size() != 1 || n.outputs.size() != 1) continue;
    const Value& in = g.value(n.inputs[0]);
    const Value& out = g.value(n.outputs[0]);
    if (!in.has_shape || !out.has_shape) continue;
    auto perm = graph_edit::transpose_perm_of(n, in.shape.size());
    if (!perm.is_ok()) continue;
    int64_t last = -1;
    bool order_kept = true;
    for (int64_t axis : *perm) {
      const int64_t d = in.shape[static_cast<size_t>(axis)];
      if (d == 0) order_kept = false;  // Reshape would read 0 as "copy this dim"
      if (d == 1) continue;
      order_kept = order_kept && axis > last;
      last = axis;
    }
    if (!order_kept) continue;
    const std::string name = out.name + "/shape";
    const ValueId shape_id = g.add_constant(unique_value_name(g, name), int64_tensor(out.shape));
    n.op = "Reshape";
    n.attrs.clear();
    n.inputs.push_back(shape_id);
  }
}

}  // namespace

Status sink_transposes(Graph& graph) {
  // Every rewrite moves a Transpose strictly downstream, merges two or removes one, so this ends; the
  // bound only guards against a mistake turning into a hang.
  const size_t max_rewrites = 64 * (graph.nodes.size() + 16);
  for (size_t k = 0; k < max_rewrites; ++k) {
    WEBCNN_ASSIGN(bool changed, rewrite_once(graph));
    if (!changed) break;
    graph.remove_dead_nodes();  // so dropped Transposes no longer count as readers
  }
  transposes_to_reshapes(graph);
  return Status::ok();
}

}  // namespace webcnn
