#include "runtime/plan_cache.h"

#include <algorithm>
#include <cstring>

#include "ops/kernel.h"
#include "passes/passes.h"
#include "passes/shape_inference.h"

namespace webcnn {

namespace {

// int32/int64 graph inputs are shape-like (sizes, indices, axes): fed to the plan as constants. 8-bit
// and bool inputs are data (a quantised model's image, a mask): they count as shape-like only where an
// op's traits say their values decide shapes, or every new image would be a new plan.
bool is_index_like(DataType t) { return t == DataType::kInt32 || t == DataType::kInt64; }

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.bytes()) == 0;
}

// Inputs whose values decide output shapes, as the op registry says (ONNX's conformance tests feed
// Resize's scales and Range's bounds as graph inputs), and with `integers_decide` every int32/int64 input:
// the registry does not mark every integer input that shapes depend on (Reshape's shape, Slice's starts...).
bool decides_shapes(const std::string& op, size_t input_index) {
  return OpRegistry::global().traits(op).decides_shapes(input_index);
}

std::vector<bool> find_plan_time_inputs(const Graph& g, bool integers_decide) {
  std::vector<bool> plan_time(g.inputs.size(), false);
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    plan_time[i] = integers_decide && is_index_like(g.value(g.inputs[i]).dtype);
    for (const Node& n : g.nodes)
      for (size_t k = 0; k < n.inputs.size(); ++k)
        if (n.inputs[k] == g.inputs[i] && decides_shapes(n.op, k)) plan_time[i] = true;
  }
  return plan_time;
}

// Specialises the base graph to concrete inputs: shapes fixed, integer inputs made constants, constants
// folded, optimisation passes run, shapes inferred again.
// `g` is a copy of the base graph; its constants are shared with the base unless the caller handed them
// over (a static model's only plan), in which case passes free what they replace as they go.
Result<Graph> specialize(Graph g, const std::vector<const Tensor*>& inputs, const std::vector<bool>& plan_time_input,
                         bool optimize, std::vector<ValueId>& plan_inputs) {
  plan_inputs.clear();
  std::vector<ValueId> float_inputs;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    Value& v = g.value(g.inputs[i]);
    v.shape = inputs[i]->shape();
    v.has_shape = true;
    if (plan_time_input[i]) {
      v.constant = std::make_shared<const Tensor>(*inputs[i]);
    } else {
      float_inputs.push_back(g.inputs[i]);
    }
  }
  g.inputs = float_inputs;
  plan_inputs = float_inputs;
  WEBCNN_TRY(infer_shapes_and_fold_constants(g, /*keep_dequantized_weights=*/optimize));  // for fuse_qdq
  WEBCNN_TRY(run_graph_passes(g, optimize));
  WEBCNN_TRY(infer_shapes_and_fold_constants(g));
  return g;
}

}  // namespace

Result<PlanCache> PlanCache::create(Graph base, const ModelOptions& options) {
  PlanCache c;
  c.options_ = options;
  c.plan_time_input_ = find_plan_time_inputs(base, true);
  for (size_t i = 0; i < base.inputs.size(); ++i) {
    for (int64_t d : base.value(base.inputs[i]).shape)
      if (d < 0) c.free_dims_ = true;
    if (c.plan_time_input_[i]) c.free_dims_ = true;  // values decide shapes; plan at run
  }
  c.base_ = std::move(base);
  WEBCNN_TRY(c.try_integer_inputs_as_data());
  // Weight re-layouts (TF.js's HWIO → OIHW Transposes) are folded now, so the constants reach their
  // kernels as they sit in `base` and can live only in the plan (drop_packed_constants).
  if (c.free_dims_) WEBCNN_TRY(fold_constant_nodes(c.base_, /*keep_dequantized_weights=*/options.optimize));
  return c;
}

namespace {

// A key tensor that carries only a dtype and a shape (no bytes): what a plan of a non-plan-time input needs.
Tensor shape_only(DataType dtype, const Shape& shape) {
  Tensor t(dtype, {0});
  t.reshape(shape);
  return t;
}

}  // namespace

// An int32/int64 input counts as deciding shapes unless the model can be planned without its values. A
// TF.js MoveNet takes its picture as int32: planned on each frame's values, it constant-folded the whole
// network per frame (250-290 ms a run, and a plan per distinct picture). Tried once, at load, for models
// whose input shapes are all static and whose other inputs decide nothing: a plan with the integer
// inputs as data. If a kernel or shape inference needs their values (CumSum's axis, Reshape's shape fed
// as an input), the model keeps planning at run on their values, as before.
Status PlanCache::try_integer_inputs_as_data() {
  const std::vector<bool> by_traits = find_plan_time_inputs(base_, false);
  if (by_traits == plan_time_input_) return Status::ok();  // no integer input
  std::vector<Tensor> key;
  for (size_t i = 0; i < base_.inputs.size(); ++i) {
    const Value& v = base_.value(base_.inputs[i]);
    if (by_traits[i] || !v.has_shape) return Status::ok();
    for (int64_t d : v.shape)
      if (d < 0) return Status::ok();  // free dimensions: planned at run anyway
    if (!checked_num_elements(v.shape).is_ok()) return Status::ok();
    key.push_back(shape_only(v.dtype, v.shape));
  }
  std::vector<const Tensor*> inputs;
  for (const Tensor& k : key) inputs.push_back(&k);
  Entry entry;
  Result<Graph> g = specialize(Graph(base_), inputs, by_traits, options_.optimize, entry.plan_inputs);
  if (!g.is_ok()) return Status::ok();
  Result<std::unique_ptr<ExecutionPlan>> plan = ExecutionPlan::build(std::move(g).value(), options_.memory_budget);
  if (!plan.is_ok()) return Status::ok();
  entry.plan = std::move(plan).value();
  entry.key = std::move(key);
  entries_.push_front(std::move(entry));
  plan_time_input_ = by_traits;
  free_dims_ = false;
  // Static from now on: the plan holds the weights it needs, the base's copies go (as for any static model).
  for (Value& v : base_.values) v.constant.reset();
  base_constants_released_ = true;
  return Status::ok();
}

bool PlanCache::matches(const Entry& e, const std::vector<const Tensor*>& inputs) const {
  if (e.key.size() != inputs.size()) return false;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& k = e.key[i];
    if (k.dtype() != inputs[i]->dtype() || k.shape() != inputs[i]->shape()) return false;
    if (plan_time_input_[i] && std::memcmp(k.raw(), inputs[i]->raw(), k.bytes()) != 0) return false;
  }
  return true;
}

Result<bool> PlanCache::ensure_plan(const std::vector<const Tensor*>& inputs) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if (matches(*it, inputs)) {
      entries_.splice(entries_.begin(), entries_, it);  // now the most recently used
      return false;
    }
  // Shape-only key tensors have no bytes: never copy one (vector growth moves them).
  std::vector<Tensor> key;
  key.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (plan_time_input_[i]) key.push_back(*inputs[i]);
    else key.push_back(shape_only(inputs[i]->dtype(), inputs[i]->shape()));
  }
  return ensure_plan_for_key(std::move(key));
}

Status PlanCache::plan_for_shapes(const std::vector<DataType>& dtypes, const std::vector<Shape>& shapes) {
  if (dtypes.size() != base_.inputs.size() || shapes.size() != base_.inputs.size())
    return Status::error(StatusCode::kInternal, "internal error: one shape per model input expected");
  if (!entries_.empty()) {  // planned already (try_integer_inputs_as_data): the same shapes, or an error
    const std::vector<Tensor>& planned = entries_.front().key;
    for (size_t i = 0; i < shapes.size(); ++i)
      if (planned[i].dtype() != dtypes[i] || planned[i].shape() != shapes[i])
        return Status::error(StatusCode::kInternal, "internal error: a static model asked to re-plan");
    return Status::ok();
  }
  std::vector<Tensor> key;
  key.reserve(shapes.size());
  for (size_t i = 0; i < shapes.size(); ++i) {
    if (plan_time_input_[i])
      return Status::error(StatusCode::kInternal, "internal error: input values decide shapes; plan at run");
    key.push_back(shape_only(dtypes[i], shapes[i]));
  }
  return ensure_plan_for_key(std::move(key)).status();
}

Result<bool> PlanCache::ensure_plan_for_key(std::vector<Tensor> key) {
  if (base_constants_released_)
    return Status::error(StatusCode::kInternal, "internal error: a static model asked to re-plan");
  // The base needs all its constants to specialise from; the holder keeps its own packed copies.
  WEBCNN_TRY(restore_packed_constants());
  // A static model plans once (at load): its constants move into that plan rather than being shared
  // with the base, so each copy a pass or a kernel makes can free its original at once. Wasm memory
  // never shrinks, so the load's peak is what the page keeps.
  Graph copy = base_;
  if (!free_dims_) {
    for (Value& v : base_.values) v.constant.reset();
    base_constants_released_ = true;
  }
  std::vector<const Tensor*> inputs;
  for (const Tensor& k : key) inputs.push_back(&k);
  Entry entry;
  WEBCNN_ASSIGN(Graph g, specialize(std::move(copy), inputs, plan_time_input_, options_.optimize, entry.plan_inputs));
  if (free_dims_) {
    WEBCNN_ASSIGN(entry.plan, ExecutionPlan::build(Graph(g), options_.memory_budget, packed_weights_.get()));
  } else {
    WEBCNN_ASSIGN(entry.plan, ExecutionPlan::build(std::move(g), options_.memory_budget));
  }
  // The new plan fits the budget alone (build checked); older plans make room for it, least recently
  // used first, until the cached plans together fit too: their arenas, and the weights plans beyond the
  // newest hold that the newest does not share (packed buffers and constants, each counted once).
  const size_t capacity = std::max<size_t>(1, options_.plan_cache_size);
  auto cached_bytes = [&] {
    uint64_t sum = entry.plan->stats().arena_bytes;
    std::vector<std::pair<const void*, size_t>> newest = entry.plan->held_weights(), older;
    for (const Entry& e : entries_) {
      sum += e.plan->stats().arena_bytes;
      for (const auto& w : e.plan->held_weights())
        if (!std::binary_search(newest.begin(), newest.end(), w)) older.push_back(w);
    }
    std::sort(older.begin(), older.end());
    older.erase(std::unique(older.begin(), older.end()), older.end());
    for (const auto& w : older) sum += w.second;
    return sum;
  };
  while (!entries_.empty() && (entries_.size() >= capacity || cached_bytes() > options_.memory_budget))
    WEBCNN_TRY(evict_last());
  entry.key = std::move(key);
  entries_.push_front(std::move(entry));
  if (free_dims_) {
    in_plan_only_ = drop_packed_constants(g, *entries_.front().plan);
    holder_ = entries_.front().plan.get();
  }
  return true;
}

ModelMemory PlanCache::memory() const {
  ModelMemory m;
  m.cached_plans = entries_.size();
  std::vector<std::pair<const void*, size_t>> weights;
  for (const Value& v : base_.values)
    if (v.constant) weights.emplace_back(v.constant.get(), v.constant->bytes());
  for (const Entry& e : entries_) {
    m.arena_bytes += e.plan->stats().arena_bytes;
    for (const auto& w : e.plan->held_weights()) weights.push_back(w);
  }
  std::sort(weights.begin(), weights.end());
  weights.erase(std::unique(weights.begin(), weights.end()), weights.end());
  for (const auto& w : weights) m.weight_bytes += w.second;
  m.weight_packs = packed_weights_->packs();
  return m;
}

Status PlanCache::evict_last() {
  if (entries_.back().plan.get() == holder_) WEBCNN_TRY(restore_packed_constants());
  entries_.pop_back();
  return Status::ok();
}

// The base constants the plan's kernels packed exactly as imported — the specialised graph handed the very
// tensor to the kernel (no pass rewrote it) and the kernel gives back the same bytes — are dropped from
// the base; the returned list says where each one now lives.
std::vector<PlanCache::PackedConstant> PlanCache::drop_packed_constants(const Graph& specialized,
                                                                        const ExecutionPlan& plan) {
  std::vector<PackedConstant> dropped;
  const Graph& planned = plan.graph();
  for (size_t s = 0; s < planned.nodes.size(); ++s) {
    const Node& node = planned.nodes[s];
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const ValueId v = node.inputs[i];
      if (v == kNoValue || static_cast<size_t>(v) >= base_.values.size()) continue;
      Value& imported = base_.value(v);
      if (!imported.constant || imported.constant != specialized.value(v).constant || planned.value(v).constant)
        continue;
      Result<Tensor> recovered = plan.constant_input(s, i);
      if (!recovered.is_ok() || !same_bytes(recovered.value(), *imported.constant)) continue;
      imported.constant.reset();
      dropped.push_back({v, s, i});
    }
  }
  return dropped;
}

// Puts the dropped constants back into the base from the holder plan (all or, on error, none).
Status PlanCache::restore_packed_constants() {
  if (!holder_) return Status::ok();
  std::vector<std::shared_ptr<const Tensor>> restored;
  for (const PackedConstant& p : in_plan_only_) {
    WEBCNN_ASSIGN(Tensor t, holder_->constant_input(p.step, p.input));
    restored.push_back(std::make_shared<const Tensor>(std::move(t)));
  }
  for (size_t i = 0; i < in_plan_only_.size(); ++i)
    base_.value(in_plan_only_[i].value).constant = std::move(restored[i]);
  in_plan_only_.clear();
  holder_ = nullptr;
  return Status::ok();
}

}  // namespace webcnn
