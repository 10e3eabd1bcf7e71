#include "passes/shape_inference.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>

#include "ops/kernel.h"

namespace webcnn {

namespace {

// Byte sizes are size_t, which is 32 bits in wasm: there 2^31-1 float32 elements (a shape every op
// accepts) would wrap around to a small allocation that kernels then overrun. Every tensor is checked
// here, before anything is allocated for it; half the address space, so sums of a few cannot wrap.
constexpr uint64_t kMaxTensorBytes = std::numeric_limits<size_t>::max() / 2;

// "[32768,32768] float32 would take 4096 MiB, more than the 2047 MiB this build can address", or OK.
Status check_addressable(const Shape& shape, DataType dtype) {
  WEBCNN_ASSIGN(int64_t n, checked_num_elements(shape));
  const uint64_t bytes = static_cast<uint64_t>(n) * dtype_size(dtype);
  if (bytes <= kMaxTensorBytes) return Status::ok();
  return Status::error(shape_to_string(shape) + " " + dtype_name(dtype) + " would take " + std::to_string(bytes >> 20) +
                       " MiB, more than the " + std::to_string(kMaxTensorBytes >> 20) + " MiB this build can address");
}

// Folding allocates at load what the kernels would otherwise compute at run. A hostile file can ask for
// a lot from a few bytes (ConstantOfShape [65536, 65536], Expand, Tile, Range): folding is bounded by
// what the file can justify — 4x the bytes of the constants the walk starts from (dequantising or
// widening weights is at most that), or kFoldAllowance when that is more (shape arithmetic, small
// tables). A node whose outputs would go past that stays in the graph and runs at inference, where its
// outputs count against the model's memory budget like any intermediate.
constexpr uint64_t kFoldAllowance = uint64_t{64} << 20;
constexpr uint64_t kFoldFactor = 4;

uint64_t fold_limit(const Graph& graph) {
  uint64_t constant_bytes = 0;
  for (const Value& v : graph.values)
    if (v.constant) constant_bytes += v.constant->bytes();
  return std::max(kFoldAllowance, kFoldFactor * constant_bytes);
}

// Bytes of the outputs `out` describes, or UINT64_MAX when a shape is too large to count.
uint64_t output_bytes(const std::vector<ValueInfo>& out) {
  uint64_t total = 0;
  for (const ValueInfo& o : out) {
    if (!o.present) continue;
    Result<int64_t> n = checked_num_elements(o.shape);
    if (!n.is_ok()) return UINT64_MAX;
    total += static_cast<uint64_t>(n.value()) * dtype_size(o.dtype);
  }
  return total;
}

// Runs a prepared kernel whose present inputs are all constant and returns its outputs.
Result<std::vector<Tensor>> evaluate(Kernel& kernel, const std::vector<ValueInfo>& in,
                                     const std::vector<ValueInfo>& out) {
  std::vector<Tensor> folded;
  std::vector<TensorView> in_views, out_views;
  for (size_t i = 0; i < in.size(); ++i)
    in_views.push_back(in[i].present && in[i].constant ? in[i].constant->view()
                                                       : TensorView{in[i].dtype, &in[i].shape, nullptr});
  for (const ValueInfo& o : out) {
    if (!o.present) {
      folded.emplace_back();
      continue;
    }
    WEBCNN_ASSIGN(Tensor t, Tensor::create(o.dtype, o.shape));
    folded.push_back(std::move(t));
  }
  if (kernel.output_aliases_input()) {
    std::memcpy(folded[0].raw(), in[0].constant->raw(), folded[0].bytes());
    return folded;
  }
  for (Tensor& t : folded) out_views.push_back(t.view());
  Tensor scratch;
  if (size_t scratch_bytes = kernel.scratch_bytes()) {
    WEBCNN_ASSIGN(scratch, Tensor::create(DataType::kUInt8, {static_cast<int64_t>(scratch_bytes)}));
  }
  KernelIO io;
  io.in = in_views.data();
  io.num_in = static_cast<int>(in_views.size());
  io.out = out_views.data();
  io.num_out = static_cast<int>(out_views.size());
  io.scratch = scratch.raw();
  WEBCNN_TRY(kernel.run(io));
  return folded;
}

// The walk both entry points share: each node in topological order is prepared (its outputs' dtypes and
// shapes) and run when its inputs are all constant, within the fold budget. With `constant_nodes_only`,
// the other nodes are passed over (their inputs' shapes may be unknown yet).
Status shape_and_fold(Graph& graph, bool constant_nodes_only, bool keep_dequantized_weights) {
  WEBCNN_ASSIGN(std::vector<size_t> order, graph.topological_order());
  const uint64_t limit = fold_limit(graph);
  uint64_t folded_bytes = 0;
  for (size_t idx : order) {
    const Node& node = graph.nodes[idx];
    bool inputs_constant = true;
    for (ValueId id : node.inputs)
      if (id != kNoValue && !graph.value(id).constant) inputs_constant = false;
    if (constant_nodes_only && !inputs_constant) continue;
    for (ValueId in : node.inputs)
      if (in != kNoValue && !graph.value(in).has_shape)
        return node.error("input '" + graph.value(in).name + "' has no known shape");
    WEBCNN_ASSIGN(std::unique_ptr<Kernel> kernel, create_kernel(node));
    if (!inputs_constant) kernel->prepare_for_shapes_only();  // never run here: its weights need no packing
    std::vector<ValueInfo> in = input_value_infos(graph, node);
    std::vector<ValueInfo> out(node.outputs.size());
    for (size_t i = 0; i < out.size(); ++i) out[i].present = node.outputs[i] != kNoValue;
    WEBCNN_TRY(kernel->prepare(node, in, out));
    for (size_t i = 0; i < out.size(); ++i) {
      if (!out[i].present) continue;
      Status addressable = check_addressable(out[i].shape, out[i].dtype);
      if (!addressable.is_ok())
        return node.error("output '" + graph.value(node.outputs[i]).name + "' " + addressable.message());
    }

    // Shape and Size read only their input's shape (their registered traits say so), known here: they
    // fold even when the data is not constant, so PyTorch's shape arithmetic (x.view(x.size(0), -1))
    // folds down to a constant.
    bool fold = !constant_nodes_only && OpRegistry::global().traits(node.op).reads_only_input_shapes;
    const bool kept = keep_dequantized_weights && node.op == "DequantizeLinear";
    if (!fold && inputs_constant && !kept) {
      const uint64_t bytes = output_bytes(out);
      fold = bytes <= limit - folded_bytes;  // else left to run time (see kFoldAllowance)
      if (fold) folded_bytes += bytes;
    }
    if (constant_nodes_only && !fold) continue;

    std::vector<Tensor> folded;
    if (fold) {
      WEBCNN_ASSIGN(folded, evaluate(*kernel, in, out));
    }
    for (size_t i = 0; i < out.size(); ++i) {
      if (!out[i].present) continue;
      Value& v = graph.value(node.outputs[i]);
      v.dtype = out[i].dtype;
      v.shape = out[i].shape;
      v.has_shape = true;
      if (fold) v.constant = std::make_shared<const Tensor>(std::move(folded[i]));
    }
  }
  graph.remove_dead_nodes();
  return Status::ok();
}

}  // namespace

Status infer_shapes_and_fold_constants(Graph& graph, bool keep_dequantized_weights) {
  for (ValueId id : graph.inputs) {
    const Value& v = graph.value(id);
    if (!v.has_shape) return Status::error("graph input '" + v.name + "' has no shape");
    for (int64_t d : v.shape)
      if (d < 0)
        return Status::error("graph input '" + v.name + "' has unknown dimensions " + shape_to_string(v.shape));
    Status addressable = check_addressable(v.shape, v.dtype);
    if (!addressable.is_ok()) return Status::error("graph input '" + v.name + "': " + addressable.message());
  }
  return shape_and_fold(graph, false, keep_dequantized_weights);
}

Status fold_constant_nodes(Graph& graph, bool keep_dequantized_weights) {
  WEBCNN_TRY(shape_and_fold(graph, true, keep_dequantized_weights));
  // The constants only the folded nodes read go with them.
  std::vector<bool> referenced(graph.values.size(), false);
  for (const Node& n : graph.nodes)
    for (ValueId id : n.inputs)
      if (id != kNoValue) referenced[static_cast<size_t>(id)] = true;
  for (ValueId id : graph.inputs) referenced[static_cast<size_t>(id)] = true;
  for (ValueId id : graph.outputs) referenced[static_cast<size_t>(id)] = true;
  for (size_t v = 0; v < graph.values.size(); ++v)
    if (!referenced[v]) graph.values[v].constant.reset();
  return Status::ok();
}

}  // namespace webcnn
