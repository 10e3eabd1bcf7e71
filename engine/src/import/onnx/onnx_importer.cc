// ONNX ModelProto → Graph IR. Parsing is in onnx_proto.cc, opset rewrites in opset_normalization.cc;
// this file resolves names to values, turns initializers and Constant nodes into constants, and
// translates attributes.
#include <map>
#include <set>

#include "import/model_import.h"
#include "import/onnx/onnx_proto.h"
#include "import/onnx/opset_normalization.h"

namespace webcnn {

namespace {

using namespace onnx;

constexpr int64_t kMinOpset = 1;  // opsets 1-6 are rewritten to 7 first (opset_normalization.cc)
constexpr int64_t kMaxOpset = 18;

bool is_default_domain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

std::string describe(const NodeProto& n) {
  return (n.op_type.empty() ? std::string("node") : n.op_type) + " '" +
         (n.name.empty() ? (n.outputs.empty() ? std::string("?") : n.outputs[0]) : n.name) + "'";
}

Result<int64_t> default_opset(const ModelProto& m) {
  int64_t version = -1;
  for (const OperatorSetIdProto& o : m.opset_import)
    if (is_default_domain(o.domain)) version = o.version;
  if (version < 0) {
    // Fine when no node uses the default domain (e.g. only ai.onnx.preview.training ops).
    for (const NodeProto& n : m.graph.nodes)
      if (is_default_domain(n.domain)) return Status::error("the model declares no opset for the default ONNX domain");
    return kMaxOpset;
  }
  if (version < kMinOpset || version > kMaxOpset)
    return Status::error("unsupported opset " + std::to_string(version) + " (the importer reads opsets " +
                         std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset) + ")");
  return version;
}

Result<Attribute> translate_attribute(const NodeProto& n, const AttributeProto& a) {
  auto fail = [&](const std::string& what) {
    return Status::error(describe(n) + ": attribute '" + a.name + "': " + what);
  };
  switch (a.effective_type()) {
    case AttributeProto::kFloat: return Attribute::of_float(a.f);
    case AttributeProto::kInt: return Attribute::of_int(a.i);
    case AttributeProto::kString: return Attribute::of_string(a.s);
    case AttributeProto::kFloats: return Attribute::of_floats(a.floats);
    case AttributeProto::kInts: return Attribute::of_ints(a.ints);
    case AttributeProto::kStrings: {
      Attribute out;
      out.kind = Attribute::Kind::kStrings;
      out.strings = a.strings;
      return out;
    }
    case AttributeProto::kTensor: {
      if (!a.t) return fail("declared a tensor but holds none");
      Result<Tensor> t = to_engine_tensor(*a.t);
      if (!t.is_ok()) return fail(t.status().message());
      return Attribute::of_tensor(std::make_shared<const Tensor>(std::move(t).value()));
    }
    default: return fail("has an attribute type the engine does not read (" + std::to_string(a.effective_type()) + ")");
  }
}

// Attributes that hold subgraphs, sparse tensors or type protos: no engine op reads them, and the ops
// that carry them (If, Loop, Scan, ...) are reported as unsupported by name, so they are left out.
bool is_unreadable_attribute(const AttributeProto& a) {
  switch (a.effective_type()) {
    case AttributeProto::kGraph:
    case AttributeProto::kGraphs:
    case AttributeProto::kTensors:
    case AttributeProto::kSparseTensor:
    case AttributeProto::kSparseTensors:
    case AttributeProto::kTypeProto:
    case AttributeProto::kTypeProtos:
    case AttributeProto::kUndefined: return true;
    default: return false;
  }
}

// A Constant node's value as a tensor (value, value_float(s), value_int(s)).
Result<Tensor> constant_node_value(const NodeProto& n) {
  for (const AttributeProto& a : n.attributes) {
    if (a.name == "value") {
      if (!a.t) return Status::error(describe(n) + ": attribute 'value' is not a tensor");
      Result<Tensor> t = to_engine_tensor(*a.t);
      if (!t.is_ok()) return Status::error(describe(n) + ": " + t.status().message());
      return t;
    }
    if (a.name == "value_float" || a.name == "value_int") {
      bool is_float = a.name == "value_float";
      Tensor t(is_float ? DataType::kFloat32 : DataType::kInt64, {});
      if (is_float) t.data<float>()[0] = a.f;
      else t.data<int64_t>()[0] = a.i;
      return t;
    }
    if (a.name == "value_floats" || a.name == "value_ints") {
      bool is_float = a.name == "value_floats";
      int64_t count = static_cast<int64_t>(is_float ? a.floats.size() : a.ints.size());
      Tensor t(is_float ? DataType::kFloat32 : DataType::kInt64, {count});
      for (int64_t i = 0; i < count; ++i) {
        if (is_float) t.data<float>()[i] = a.floats[static_cast<size_t>(i)];
        else t.data<int64_t>()[i] = a.ints[static_cast<size_t>(i)];
      }
      return t;
    }
    if (a.name == "value_string" || a.name == "value_strings")
      return Status::error(describe(n) + ": unsupported dtype string");
    if (a.name == "sparse_value") return Status::error(describe(n) + ": unsupported: sparse constant");
  }
  return Status::error(describe(n) + ": has no value attribute");
}

Status declare_input(Graph& g, const ValueInfoProto& vi, ValueId id) {
  Value& v = g.value(id);
  const std::string what = "graph input '" + vi.name + "'";
  if (!vi.has_type) return Status::error(what + " has no type");
  if (!vi.is_tensor)
    return Status::error(what + " has unsupported dtype " +
                         (vi.non_tensor_kind.empty() ? std::string("non-tensor") : vi.non_tensor_kind) +
                         " (only tensors are read)");
  Result<DataType> dt = engine_dtype(vi.elem_type);
  if (!dt.is_ok()) return Status::error(what + ": " + dt.status().message());
  v.dtype = dt.value();
  v.declared_float64 = vi.elem_type == kDouble;
  v.has_shape = vi.has_shape;
  v.shape = vi.dims;
  return Status::ok();
}

}  // namespace

Result<Graph> import_onnx(const uint8_t* data, size_t size) {
  WEBCNN_ASSIGN(ModelProto model, parse_model_proto(data, size));
  if (!model.has_graph) return Status::error("the ONNX model has no graph");
  WEBCNN_ASSIGN(int64_t opset, default_opset(model));
  const GraphProto& gp = model.graph;
  if (gp.num_sparse_initializers) return Status::error("unsupported: sparse initializers");

  Graph g;
  std::map<std::string, ValueId> by_name;
  auto define = [&](const std::string& name, ValueId id) { by_name[name] = id; };

  for (const TensorProto& t : gp.initializers) {
    if (by_name.count(t.name)) return Status::error("initializer '" + t.name + "' is defined twice");
    WEBCNN_ASSIGN(Tensor tensor, to_engine_tensor(t));
    define(t.name, g.add_constant(t.name, std::move(tensor)));
  }
  // Graph inputs that are initializers (IR < 4 listed weights as inputs) stay constants.
  for (const ValueInfoProto& vi : gp.inputs) {
    if (by_name.count(vi.name)) {
      if (g.value(by_name[vi.name]).constant) continue;
      return Status::error("graph input '" + vi.name + "' is declared twice");
    }
    ValueId id = g.add_value(vi.name);
    WEBCNN_TRY(declare_input(g, vi, id));
    define(vi.name, id);
    g.inputs.push_back(id);
  }

  // Every node output first, so inputs can be resolved whatever the node order (cycles are caught by
  // Graph::validate, which names the nodes).
  for (const NodeProto& n : gp.nodes) {
    for (const std::string& out : n.outputs) {
      if (out.empty()) continue;
      if (by_name.count(out))
        return Status::error(describe(n) + ": output '" + out + "' is already produced elsewhere");
      define(out, g.add_value(out));
    }
  }

  onnx::ImportContext ctx(g, opset);
  for (const NodeProto& np : gp.nodes) {
    if (np.op_type.empty()) return Status::error(describe(np) + ": node has no op_type");
    const bool default_domain = is_default_domain(np.domain);
    if (default_domain && np.op_type == "Constant") {
      if (np.outputs.size() != 1 || np.outputs[0].empty()) return Status::error(describe(np) + ": expects one output");
      WEBCNN_ASSIGN(Tensor t, constant_node_value(np));
      Value& v = g.value(by_name[np.outputs[0]]);
      v.dtype = t.dtype();
      v.shape = t.shape();
      v.has_shape = true;
      v.constant = std::make_shared<const Tensor>(std::move(t));
      continue;
    }
    Node node;
    node.name = np.name.empty() ? (np.outputs.empty() ? np.op_type : np.outputs[0]) : np.name;
    // Ops of other domains keep their domain so they are reported as unsupported, never confused with ours.
    node.op = default_domain ? np.op_type : np.domain + "." + np.op_type;
    for (const std::string& in : np.inputs) {
      if (in.empty()) {
        node.inputs.push_back(kNoValue);
        continue;
      }
      auto it = by_name.find(in);
      if (it == by_name.end())
        return Status::error(describe(np) + ": input '" + in +
                             "' is not produced by any node, initializer or graph input");
      node.inputs.push_back(it->second);
    }
    for (const std::string& out : np.outputs) node.outputs.push_back(out.empty() ? kNoValue : by_name[out]);
    for (const AttributeProto& a : np.attributes) {
      if (is_unreadable_attribute(a)) continue;
      if (node.attrs.count(a.name)) return Status::error(describe(np) + ": attribute '" + a.name + "' appears twice");
      WEBCNN_ASSIGN(node.attrs[a.name], translate_attribute(np, a));
    }
    if (default_domain) {
      WEBCNN_TRY(onnx::add_normalized_node(ctx, std::move(node)));
    } else {
      g.add_node(std::move(node));
    }
  }

  for (const ValueInfoProto& vi : gp.outputs) {
    auto it = by_name.find(vi.name);
    if (it == by_name.end())
      return Status::error("graph output '" + vi.name + "' is not produced by any node, initializer or input");
    if (vi.has_type && !vi.is_tensor)
      return Status::error("graph output '" + vi.name + "' has unsupported dtype " + vi.non_tensor_kind +
                           " (only tensors are read)");
    if (vi.has_type && vi.elem_type != kUndefined) {
      Result<DataType> dt = engine_dtype(vi.elem_type);
      if (!dt.is_ok()) return Status::error("graph output '" + vi.name + "': " + dt.status().message());
      if (vi.elem_type == kDouble && g.value(it->second).dtype == DataType::kFloat32)
        g.value(it->second).declared_float64 = true;
    }
    g.outputs.push_back(it->second);
  }
  if (g.outputs.empty()) return Status::error("the ONNX graph has no outputs");
  WEBCNN_TRY(g.validate());
  return g;
}

}  // namespace webcnn
