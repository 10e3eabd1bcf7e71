// The pass pipeline, in the order each pass expects: QDQ patterns become 8-bit ops first (before their
// Relus fuse into float Convs); folding and fusion see the ONNX NCHW graph (Conv → BN → Relu patterns
// are adjacent there); the layout pass then wraps spatial ops in Transposes, and sink_transposes removes
// the ones that cancel. Residual Adds fuse into NHWC Convs last, and an activation after such an Add
// then fuses too.
#include "passes/passes.h"

namespace webcnn {

Status run_graph_passes(Graph& graph, bool optimize) {
  if (optimize) {
    WEBCNN_TRY(fuse_qdq(graph).with_context("fuse_qdq"));  // before fuse_activations takes the Relus
    WEBCNN_TRY(fold_batch_norm_into_conv(graph).with_context("fold_batch_norm_into_conv"));
    WEBCNN_TRY(fuse_activations(graph).with_context("fuse_activations"));
  }
  WEBCNN_TRY(convert_to_nhwc(graph).with_context("convert_to_nhwc"));  // the kernels need it
  if (optimize) {
    WEBCNN_TRY(sink_transposes(graph).with_context("sink_transposes"));
    WEBCNN_TRY(fuse_residual_add(graph).with_context("fuse_residual_add"));
    WEBCNN_TRY(fuse_activations(graph).with_context("fuse_activations"));
  }
  return Status::ok();
}

}  // namespace webcnn
