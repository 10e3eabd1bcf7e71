// A model's imported graph and the execution plans for the input shapes it ran with, most recent first.
//
// A plan is made for concrete input shapes (and the values of inputs that decide shapes). A model with free
// input dimensions keeps up to ModelOptions::plan_cache_size plans, one per input-shape signature, and
// evicts the least recently used one when a new signature comes (or when the arenas of the cached plans
// together would pass the memory budget), so alternating between a few shapes plans each of them once.
// Each plan has an arena of its own, sized for it (views are bound to arena addresses when a plan is
// built). The weights its kernels pack are not: packing does not depend on the shape, so the plans share
// them through the model's PackedWeightCache (ops/packed_weights.h). A new shape's plan takes the buffers
// the cached plans packed (keyed on the constants' values and the packing), packs nothing, and an evicted
// plan frees only the buffers no other plan holds. The budget bounds the arenas of the cached plans plus
// the weights the plans beyond the newest hold and the newest does not share.
//
// Where the weights live is this class's other job: a static model plans once (at load) and its constants
// move into that plan; a model with free input dimensions keeps a base graph to re-plan from, whose
// constants a kernel packed exactly as imported live only in packed form, in the newest plan (the holder;
// the others share the buffers), and come back from it (unpacked) before another plan is specialised
// from the base or the holder is evicted: passes and constant folding read the base's values.
#pragma once

#include <list>
#include <memory>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "ops/packed_weights.h"
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

  // Makes the plan for `inputs` (base input order, already checked against the declared specs) the
  // current one: a cached plan when one was made for the same shapes and plan-time values, else a new
  // one. Returns true when it built one.
  Result<bool> ensure_plan(const std::vector<const Tensor*>& inputs);
  // Plans for input shapes alone (base input order), without input data: a model whose inputs are all
  // static and decide no shapes by their values is planned at load this way, running no kernel.
  Status plan_for_shapes(const std::vector<DataType>& dtypes, const std::vector<Shape>& shapes);

  // The current plan (the most recently used), or null before the first.
  ExecutionPlan* plan() const { return entries_.empty() ? nullptr : entries_.front().plan.get(); }
  // The base input ids the current plan is fed, in its input order (plan-time inputs became constants).
  const std::vector<ValueId>& plan_inputs() const { return entries_.front().plan_inputs; }
  // The layers whose outputs the current plan copies out after the model's (Model::run_capturing).
  std::vector<std::string>& plan_captures() { return entries_.front().captures; }
  size_t cached_plans() const { return entries_.size(); }
  // The cached plans' arenas and the weights held (the base's and the plans', each buffer once).
  ModelMemory memory() const;

 private:
  struct Entry {
    std::vector<Tensor> key;  // per input: a full copy for plan-time inputs, else only dtype and shape
    std::unique_ptr<ExecutionPlan> plan;
    std::vector<ValueId> plan_inputs;
    std::vector<std::string> captures;
  };
  // A base constant held only by the holder plan: input `input` of step `step` packed it.
  struct PackedConstant {
    ValueId value;
    size_t step, input;
  };
  Result<bool> ensure_plan_for_key(std::vector<Tensor> key);
  Status try_integer_inputs_as_data();
  bool matches(const Entry& e, const std::vector<const Tensor*>& inputs) const;
  Status evict_last();
  std::vector<PackedConstant> drop_packed_constants(const Graph& specialized, const ExecutionPlan& plan);
  Status restore_packed_constants();

  Graph base_;  // as imported: graph inputs may have -1 dims
  ModelOptions options_;
  // The weights the plans' kernels packed, shared between the plans (a model with free dims only: a static
  // model's one plan packs its own). On the heap: kernels keep its address while a PlanCache moves.
  std::unique_ptr<PackedWeightCache> packed_weights_ = std::make_unique<PackedWeightCache>();
  std::list<Entry> entries_;  // most recently used first
  std::vector<bool> plan_time_input_;
  bool free_dims_ = false;
  // Static models never re-plan, so once planned their imported constants are dropped: the plan holds
  // the weights (packed) it needs, and a second copy would nearly double the model's memory.
  bool base_constants_released_ = false;
  const ExecutionPlan* holder_ = nullptr;  // the plan the base's dropped constants live in
  std::vector<PackedConstant> in_plan_only_;
};

}  // namespace webcnn
