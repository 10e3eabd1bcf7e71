#include "graph/shape_inference.h"

#include <cstring>

#include "ops/kernel.h"

namespace webcnn {

namespace {
std::vector<ValueInfo> input_infos(const Graph& g, const Node& n) {
  std::vector<ValueInfo> infos;
  for (ValueId id : n.inputs) {
    ValueInfo vi;
    if (id == kNoValue) {
      vi.present = false;
    } else {
      const Value& v = g.value(id);
      vi.dtype = v.dtype;
      vi.shape = v.shape;
      vi.constant = v.constant.get();
    }
    infos.push_back(std::move(vi));
  }
  return infos;
}
}  // namespace

Status infer_shapes_and_fold_constants(Graph& graph) {
  for (ValueId id : graph.inputs) {
    const Value& v = graph.value(id);
    if (!v.has_shape) return Status::error("graph input '" + v.name + "' has no shape");
    for (int64_t d : v.shape)
      if (d < 0) return Status::error("graph input '" + v.name + "' has unknown dimensions " + shape_to_string(v.shape));
  }
  WEBCNN_ASSIGN(std::vector<size_t> order, graph.topological_order());
  for (size_t idx : order) {
    const Node& node = graph.nodes[idx];
    for (ValueId in : node.inputs)
      if (in != kNoValue && !graph.value(in).has_shape)
        return node.error("input '" + graph.value(in).name + "' has no known shape");
    WEBCNN_ASSIGN(std::unique_ptr<Kernel> kernel, create_kernel(node));
    std::vector<ValueInfo> in = input_infos(graph, node);
    std::vector<ValueInfo> out(node.outputs.size());
    for (size_t i = 0; i < out.size(); ++i) out[i].present = node.outputs[i] != kNoValue;
    WEBCNN_TRY(kernel->prepare(node, in, out));

    // Shape and Size read only their input's shape, known here: they fold even when the data is not
    // constant, so PyTorch's shape arithmetic (x.view(x.size(0), -1)) folds down to a constant.
    bool all_constant = node.op == "Shape" || node.op == "Size";
    if (!all_constant) {
      all_constant = true;
      for (const ValueInfo& vi : in)
        if (vi.present && !vi.constant) all_constant = false;
    }

    std::vector<Tensor> folded;
    if (all_constant) {
      std::vector<TensorView> in_views, out_views;
      std::vector<Tensor> scratch_holder;
      for (size_t i = 0; i < in.size(); ++i)
        in_views.push_back(in[i].present && in[i].constant ? in[i].constant->view()
                                                         : TensorView{in[i].dtype, &in[i].shape, nullptr});
      for (const ValueInfo& o : out) {
        if (!o.present) { folded.emplace_back(); continue; }
        WEBCNN_ASSIGN(Tensor t, Tensor::create(o.dtype, o.shape));
        folded.push_back(std::move(t));
      }
      if (kernel->output_aliases_input()) {
        std::memcpy(folded[0].raw(), in[0].constant->raw(), folded[0].bytes());
      } else {
        for (Tensor& t : folded) out_views.push_back(t.view());
        size_t scratch_bytes = kernel->scratch_bytes();
        Tensor scratch;
        if (scratch_bytes) {
          WEBCNN_ASSIGN(scratch, Tensor::create(DataType::kUInt8, {static_cast<int64_t>(scratch_bytes)}));
        }
        KernelIO io;
        io.in = in_views.data();
        io.num_in = static_cast<int>(in_views.size());
        io.out = out_views.data();
        io.num_out = static_cast<int>(out_views.size());
        io.scratch = scratch.raw();
        WEBCNN_TRY(kernel->run(io));
      }
    }
    for (size_t i = 0; i < out.size(); ++i) {
      if (!out[i].present) continue;
      Value& v = graph.value(node.outputs[i]);
      v.dtype = out[i].dtype;
      v.shape = out[i].shape;
      v.has_shape = true;
      if (all_constant) v.constant = std::make_shared<const Tensor>(std::move(folded[i]));
    }
  }
  graph.remove_dead_nodes();
  return Status::ok();
}

}  // namespace webcnn
