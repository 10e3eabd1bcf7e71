// A graph bound to kernels and memory: built once per set of input shapes, run many times.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"
#include "ops/kernel.h"
#include "runtime/memory_planner.h"

namespace webcnn {

struct PlanStats {
  size_t arena_bytes = 0;          // planned peak for intermediates (incl. scratch)
  size_t intermediates_bytes = 0;  // what they would take unshared
  size_t constant_bytes = 0;       // constants the plan keeps (those packed by kernels are dropped)
  size_t packed_bytes = 0;         // weights its kernels packed (buffers shared between plans count in each)
  size_t largest_step_bytes = 0;   // max over steps of its non-constant inputs + outputs (the largest
  std::string largest_step;        //   pair of live activations), and that step's node
};

class ExecutionPlan {
 public:
  // `graph` must have gone through infer_shapes_and_fold_constants. `memory_budget` bounds the arena.
  // Weights a kernel packs are let go as soon as their last reader has packed them: freed then when the
  // plan is their only owner (move the graph in), else when the other owners let go too. With
  // `packed_weights`, the kernels take packed buffers from it (shared with the model's other plans, no
  // packing when one is there already) instead of packing their own.
  static Result<std::unique_ptr<ExecutionPlan>> build(Graph graph, size_t memory_budget,
                                                      PackedWeightCache* packed_weights = nullptr);

  // Inputs in graph.inputs order, with the shapes the plan was built for. Outputs are (re)allocated.
  // With `step_ms`, also the milliseconds each step took (steady clock; -1 for steps that only alias).
  Status run(const std::vector<const Tensor*>& inputs, std::vector<Tensor>& outputs,
             std::vector<double>* step_ms = nullptr);

  // The same graph and kernels with other graph outputs (a model's outputs plus captured layers): only
  // the memory plan changes, so nothing is prepared or packed again. On error the plan is unchanged.
  Status set_outputs(const std::vector<ValueId>& outputs, size_t memory_budget);

  // Input `input` of step (= node) `step` when it is a constant: the graph's tensor, or, when its reader
  // packed it at prepare and the plan dropped the original, the reader's recovery of it.
  Result<Tensor> constant_input(size_t step, size_t input) const;

  const PlanStats& stats() const { return stats_; }
  // The weights the plan holds, each once: the packed buffers of its kernels and the constants it keeps,
  // by identity (the storage, so what plans share appears in each with the same key) with their bytes.
  std::vector<std::pair<const void*, size_t>> held_weights() const;
  // The graph the plan runs, nodes in execution order. Constants the kernels packed at prepare are gone
  // from it (shapes and dtypes stay).
  const Graph& graph() const { return graph_; }

 private:
  struct Step {
    std::unique_ptr<Kernel> kernel;
    std::vector<TensorView> in, out;  // views into the arena/constants, filled at build
    size_t scratch_offset = 0;
    size_t scratch_bytes = 0;
    bool alias = false;  // output 0 shares input 0's bytes; nothing to run
  };
  struct Slot {  // where a value lives
    enum class Where { kArena, kConstant } where = Where::kArena;
    size_t offset = 0;
    int alias_of = -1;  // value id whose storage this value shares: a root, never itself an alias
  };

  ExecutionPlan() = default;
  // Places every intermediate, graph input and scratch buffer by liveness and allocates the arena.
  Status plan_memory(size_t memory_budget);
  void bind_views();
  void release_packed_constants(const std::vector<bool>& read_at_run);
  std::vector<std::pair<const void*, size_t>> packed_buffers() const;

  Graph graph_;
  std::vector<Step> steps_;
  std::vector<Slot> slots_;
  std::unique_ptr<void, void (*)(void*)> arena_{nullptr, nullptr};
  PlanStats stats_;
};

}  // namespace webcnn
