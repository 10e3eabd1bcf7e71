// A model's imported graph and the execution plan for the inputs it last ran with.
//
// A plan is made for concrete input shapes (and the values of inputs that decide shapes). When the next
// run's inputs differ, the model re-plans from the imported graph. Where the weights live is this class's
// other job: a static model plans once (at load) and its constants move into that plan; a model with free
// input dimensions keeps a base graph to re-plan from, whose constants a kernel packed exactly as imported
// live only in the plan and come back from it before the next plan is built.
#pragma once

#include <memory>
#include <vector>

#include "graph/graph.h"
#include "runtime/execution_plan.h"
#include "webcnn/model.h"

namespace webcnn {

class PlanCache {
 public:
  // `base` must be validated; constants the kernels need are folded now when the model has free dims.
  static Result<PlanCache> create(Graph base, const ModelOptions& options);

  const Graph& base() const { return base_; }
  // True when some input has a free (-1) dimension or decides shapes by its values: planned at run.
  bool has_free_dims() const { return free_dims_; }
  // Per base input: its values decide shapes (integer inputs, Resize scales...), so plans are keyed on them.
  const std::vector<bool>& plan_time_inputs() const { return plan_time_input_; }

  // Makes the current plan fit `inputs` (base input order, already checked against the declared specs),
  // building a new one when their shapes or plan-time values differ. Returns true when it built one.
  Result<bool> ensure_plan(const std::vector<const Tensor*>& inputs);
  // Plans for input shapes alone (base input order), without input data: a model whose inputs are all
  // static and decide no shapes by their values is planned at load this way, running no kernel.
  Status plan_for_shapes(const std::vector<DataType>& dtypes, const std::vector<Shape>& shapes);

  ExecutionPlan* plan() const { return plan_.get(); }
  // The base input ids the plan is fed, in the plan's input order (plan-time inputs became constants).
  const std::vector<ValueId>& plan_inputs() const { return plan_inputs_; }

 private:
  // A base constant held only by the plan: input `input` of step `step` packed it.
  struct PackedConstant {
    ValueId value;
    size_t step, input;
  };
  // `key`: per base input, a full copy for plan-time inputs, else a tensor that only carries dtype and shape.
  Result<bool> ensure_plan_for_key(std::vector<Tensor> key);
  std::vector<PackedConstant> drop_packed_constants(const Graph& specialized);
  Status restore_packed_constants();

  Graph base_;  // as imported: graph inputs may have -1 dims
  ModelOptions options_;
  std::unique_ptr<ExecutionPlan> plan_;
  std::vector<Tensor> plan_key_;  // per input: a full copy for plan-time inputs, else only the shape
  std::vector<ValueId> plan_inputs_;
  std::vector<bool> plan_time_input_;
  bool free_dims_ = false;
  // Static models never re-plan, so once planned their imported constants are dropped: the plan holds
  // the weights (packed) it needs, and a second copy would nearly double the model's memory.
  bool base_constants_released_ = false;
  std::vector<PackedConstant> in_plan_only_;
};

}  // namespace webcnn
