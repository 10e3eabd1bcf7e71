// Per-node timing of a model: where a run's time goes, by op kind (e.g. "Conv 3x3 dw s2") and by node.
//
// The engine's ExecutionPlan does not expose its steps, so this drives the same kernels itself: the model
// file is imported and specialised exactly as Model::run does (input shapes fixed, constants folded, the
// optimising passes), then every node's kernel is created, prepared and run in topological order with a
// steady-clock reading around each run. Tensors live in their own buffers rather than in the planned
// arena, so cache behaviour differs slightly from `Model::run`; the per-node split is what matters.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn::cli {

struct NodeTiming {
  std::string name;
  std::string kind;   // op plus what decides its kernel: "Conv 1x1", "Conv 3x3 dw s2", "MaxPool 3x3 s2"
  Shape output_shape;
  int64_t macs = 0;   // multiply-accumulates (Conv, ConvTranspose, Gemm, MatMul), else 0
  double median_ms = 0;
};

struct OpProfile {
  std::vector<NodeTiming> nodes;     // in execution order; nodes that only alias their input are left out
  double whole_run_median_ms = 0;    // median over runs of the sum of all nodes' times
  size_t largest_step_bytes = 0;     // max over nodes of the bytes of its non-constant inputs and outputs
  std::string largest_step;          // which node that is
};

// `inputs` by graph-input name, as for Model::run. Integer inputs are treated as constants (they decide
// shapes), as Model does.
Result<OpProfile> profile_model(const std::string& path, const std::map<std::string, const Tensor*>& inputs,
                                int warmup, int runs);

// Time per op kind (nodes, ms per run, share, GFLOP/s) and the `top` slowest nodes.
void print_profile(const OpProfile& profile, int top);

}  // namespace webcnn::cli
