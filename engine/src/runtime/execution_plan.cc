#include "runtime/execution_plan.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace webcnn {

Result<std::unique_ptr<ExecutionPlan>> ExecutionPlan::build(Graph graph, size_t memory_budget,
                                                            PackedWeightCache* packed_weights) {
  std::unique_ptr<ExecutionPlan> plan(new ExecutionPlan());
  plan->graph_ = std::move(graph);
  Graph& g = plan->graph_;
  WEBCNN_ASSIGN(std::vector<size_t> order, g.topological_order());
  {  // keep nodes in execution order so step i is node i
    std::vector<Node> sorted;
    for (size_t i : order) sorted.push_back(std::move(g.nodes[i]));
    g.nodes = std::move(sorted);
  }
  const size_t nv = g.values.size();
  plan->slots_.assign(nv, Slot{});
  for (size_t i = 0; i < nv; ++i)
    if (g.values[i].constant) plan->slots_[i].where = Slot::Where::kConstant;

  // Every value a step reads is a constant, a graph input or an earlier step's output: anything else
  // would be arena bytes nobody wrote.
  std::vector<bool> available(nv, false);
  for (size_t i = 0; i < nv; ++i) available[i] = g.values[i].constant != nullptr;
  for (ValueId in : g.inputs) available[static_cast<size_t>(in)] = true;
  // Which step reads each value last, and whether any step so far reads it at run (outputs always are).
  std::vector<size_t> last_reader(nv, SIZE_MAX);
  for (size_t s = 0; s < g.nodes.size(); ++s)
    for (ValueId id : g.nodes[s].inputs)
      if (id != kNoValue) last_reader[static_cast<size_t>(id)] = s;
  std::vector<bool> read_at_run(nv, false);
  for (ValueId o : g.outputs) read_at_run[static_cast<size_t>(o)] = true;
  for (size_t s = 0; s < g.nodes.size(); ++s) {
    const Node& node = g.nodes[s];
    for (ValueId id : node.inputs)
      if (id != kNoValue && !available[static_cast<size_t>(id)])
        return node.error("internal error: input '" + g.value(id).name + "' is neither computed nor constant")
            .with_code(StatusCode::kInternal);
    for (ValueId id : node.outputs)
      if (id != kNoValue) available[static_cast<size_t>(id)] = true;
    Step step;
    WEBCNN_ASSIGN(step.kernel, create_kernel(node));
    step.kernel->share_packed_weights(packed_weights);
    std::vector<ValueInfo> in = input_value_infos(g, node);
    std::vector<ValueInfo> out(node.outputs.size());
    for (size_t i = 0; i < out.size(); ++i) out[i].present = node.outputs[i] != kNoValue;
    WEBCNN_TRY(step.kernel->prepare(node, in, out));
    for (size_t i = 0; i < out.size(); ++i) {
      if (!out[i].present) continue;
      const Value& v = g.value(node.outputs[i]);
      if (v.dtype != out[i].dtype || v.shape != out[i].shape)
        return node.error("internal error: output shape changed between inference and planning")
            .with_code(StatusCode::kInternal);
    }
    step.alias = step.kernel->output_aliases_input() && !node.inputs.empty() && node.inputs[0] != kNoValue &&
                 !g.value(node.inputs[0]).constant;
    if (step.alias && !node.outputs.empty() && node.outputs[0] != kNoValue) {
      // Point at the root, not the input: steps run in order, so the input's own alias is resolved
      // already, and every lookup is then one hop (walking a 100k-long chain per lookup was quadratic).
      const int input_root = plan->slots_[static_cast<size_t>(node.inputs[0])].alias_of;
      plan->slots_[static_cast<size_t>(node.outputs[0])].alias_of = input_root >= 0 ? input_root : node.inputs[0];
    }
    step.scratch_bytes = step.kernel->scratch_bytes();
    if (!step.alias) {  // the working set this step needs at once
      size_t bytes = 0;
      for (ValueId id : node.inputs)
        if (id != kNoValue && !g.value(id).constant)
          bytes += static_cast<size_t>(num_elements(g.value(id).shape)) * dtype_size(g.value(id).dtype);
      for (ValueId id : node.outputs)
        if (id != kNoValue)
          bytes += static_cast<size_t>(num_elements(g.value(id).shape)) * dtype_size(g.value(id).dtype);
      if (bytes > plan->stats_.largest_step_bytes) {
        plan->stats_.largest_step_bytes = bytes;
        plan->stats_.largest_step = node.name;
      }
    }
    // Weights packed by their last reader go now, not after the whole plan: a model's weights are then
    // never all held twice (imported and packed) while it loads.
    for (size_t i = 0; i < node.inputs.size(); ++i)
      if (node.inputs[i] != kNoValue && step.kernel->reads_constant_input_at_run(i))
        read_at_run[static_cast<size_t>(node.inputs[i])] = true;
    for (ValueId id : node.inputs)
      if (id != kNoValue && last_reader[static_cast<size_t>(id)] == s && !read_at_run[static_cast<size_t>(id)])
        g.value(id).constant.reset();
    plan->steps_.push_back(std::move(step));
  }
  WEBCNN_TRY(plan->plan_memory(memory_budget));
  plan->release_packed_constants(read_at_run);
  plan->bind_views();
  return plan;
}

Status ExecutionPlan::plan_memory(size_t memory_budget) {
  const Graph& g = graph_;
  const size_t nv = g.values.size();
  // Buffers: one per non-constant value (aliases resolved to their root), plus per-step scratch.
  std::vector<BufferLifetime> buffers;
  std::vector<int> buffer_of(nv, -1);
  std::vector<int> scratch_buffer(steps_.size(), -1);
  auto root = [&](ValueId v) {
    while (slots_[static_cast<size_t>(v)].alias_of >= 0) v = slots_[static_cast<size_t>(v)].alias_of;
    return v;
  };
  auto touch = [&](ValueId v, int step) {
    int b = buffer_of[static_cast<size_t>(root(v))];
    if (b < 0) return;
    buffers[static_cast<size_t>(b)].first_step = std::min(buffers[static_cast<size_t>(b)].first_step, step);
    buffers[static_cast<size_t>(b)].last_step = std::max(buffers[static_cast<size_t>(b)].last_step, step);
  };
  auto new_buffer = [&](ValueId v, int step) {
    const Value& val = g.value(v);
    BufferLifetime b;
    b.bytes = static_cast<size_t>(num_elements(val.shape)) * dtype_size(val.dtype);
    b.first_step = b.last_step = step;
    buffer_of[static_cast<size_t>(v)] = static_cast<int>(buffers.size());
    buffers.push_back(b);
  };
  for (ValueId in : g.inputs) new_buffer(in, -1);
  for (size_t s = 0; s < steps_.size(); ++s) {
    const Node& node = g.nodes[s];
    for (ValueId id : node.inputs)
      if (id != kNoValue) touch(id, static_cast<int>(s));
    for (size_t i = 0; i < node.outputs.size(); ++i)
      if (node.outputs[i] != kNoValue && !(i == 0 && steps_[s].alias)) new_buffer(node.outputs[i], static_cast<int>(s));
    if (steps_[s].scratch_bytes) {
      BufferLifetime b;
      b.bytes = steps_[s].scratch_bytes;
      b.first_step = b.last_step = static_cast<int>(s);
      scratch_buffer[s] = static_cast<int>(buffers.size());
      buffers.push_back(b);
    }
  }
  for (ValueId o : g.outputs) touch(o, INT_MAX);

  ArenaLayout layout = plan_arena(buffers);
  if (layout.total_bytes > memory_budget)
    return Status::error(StatusCode::kResourceExhausted,
                         "the model needs " + std::to_string(layout.total_bytes >> 20) +
                             " MiB for intermediate tensors, over the memory budget of " +
                             std::to_string(memory_budget >> 20) + " MiB");
  // Every run copies the outputs out of the arena into tensors of their own, and the load runs once: they
  // are part of what the budget bounds (a 100-byte Expand to 800 MB held 1.5 GiB past a 1 GiB budget).
  uint64_t output_bytes = 0;
  for (ValueId o : g.outputs)
    output_bytes += static_cast<uint64_t>(num_elements(g.value(o).shape)) * dtype_size(g.value(o).dtype);
  if (output_bytes > memory_budget - layout.total_bytes)
    return Status::error(StatusCode::kResourceExhausted, "the model needs " + std::to_string(layout.total_bytes >> 20) +
                                                             " MiB for intermediate tensors and " +
                                                             std::to_string(output_bytes >> 20) +
                                                             " MiB for its outputs, over the memory budget of " +
                                                             std::to_string(memory_budget >> 20) + " MiB");
  void* arena = std::aligned_alloc(64, (layout.total_bytes + 63) / 64 * 64 + 64);
  if (!arena)
    return Status::error(StatusCode::kResourceExhausted,
                         "out of memory allocating a " + std::to_string(layout.total_bytes) + "-byte arena");
  // Nothing below can fail: the plan changes only now.
  arena_ = std::unique_ptr<void, void (*)(void*)>(arena, std::free);
  stats_.arena_bytes = layout.total_bytes;
  stats_.intermediates_bytes = layout.sum_bytes;
  for (size_t v = 0; v < nv; ++v)
    if (buffer_of[v] >= 0) slots_[v].offset = layout.offsets[static_cast<size_t>(buffer_of[v])];
  for (size_t s = 0; s < steps_.size(); ++s)
    steps_[s].scratch_offset = scratch_buffer[s] >= 0 ? layout.offsets[static_cast<size_t>(scratch_buffer[s])] : 0;
  return Status::ok();
}

Status ExecutionPlan::set_outputs(const std::vector<ValueId>& outputs, size_t memory_budget) {
  for (ValueId o : outputs) {
    if (o < 0 || static_cast<size_t>(o) >= graph_.values.size())
      return Status::error(StatusCode::kInternal, "internal error: an output is not a value of the plan's graph");
    ValueId r = o;
    while (slots_[static_cast<size_t>(r)].alias_of >= 0) r = slots_[static_cast<size_t>(r)].alias_of;
    if (slots_[static_cast<size_t>(r)].where == Slot::Where::kConstant && !graph_.value(r).constant)
      return Status::error("'" + graph_.value(o).name +
                           "' is a constant the plan packed away; it cannot become an output");
  }
  std::vector<ValueId> previous = std::move(graph_.outputs);
  graph_.outputs = outputs;
  Status st = plan_memory(memory_budget);
  if (!st.is_ok()) {
    graph_.outputs = std::move(previous);
    return st;
  }
  bind_views();
  return Status::ok();
}

Result<Tensor> ExecutionPlan::constant_input(size_t step, size_t input) const {
  if (step >= steps_.size() || input >= graph_.nodes[step].inputs.size() ||
      graph_.nodes[step].inputs[input] == kNoValue)
    return Status::error(StatusCode::kInternal, "internal error: no such step input");
  const Value& v = graph_.value(graph_.nodes[step].inputs[input]);
  if (v.constant) return *v.constant;
  if (slots_[static_cast<size_t>(graph_.nodes[step].inputs[input])].where != Slot::Where::kConstant)
    return Status::error("'" + v.name + "' is computed at run time, not a constant");
  return steps_[step].kernel->recover_constant_input(input);
}

// Weights a kernel packed at prepare() exist twice otherwise: once as the graph's constant, once in the
// kernel's layout. Drop the graph's copy when no step reads it at run and it is not a graph output
// (`read_at_run`, as build() worked it out step by step; most went there already, after their last reader).
void ExecutionPlan::release_packed_constants(const std::vector<bool>& read_at_run) {
  stats_.constant_bytes = 0;
  stats_.packed_bytes = 0;
  for (const auto& packed : packed_buffers()) stats_.packed_bytes += packed.second;
  for (size_t v = 0; v < graph_.values.size(); ++v) {
    Value& value = graph_.values[v];
    if (!value.constant) continue;
    if (read_at_run[v]) stats_.constant_bytes += value.constant->bytes();
    else value.constant.reset();
  }
}

// Each distinct buffer the kernels packed (kernels that packed equal weights share one).
std::vector<std::pair<const void*, size_t>> ExecutionPlan::packed_buffers() const {
  std::vector<std::pair<const void*, size_t>> packed;
  for (const Step& step : steps_)
    for (const auto& buffer : step.kernel->packed_buffers())
      if (buffer.first) packed.push_back(buffer);
  std::sort(packed.begin(), packed.end());
  packed.erase(std::unique(packed.begin(), packed.end()), packed.end());
  return packed;
}

std::vector<std::pair<const void*, size_t>> ExecutionPlan::held_weights() const {
  std::vector<std::pair<const void*, size_t>> held = packed_buffers();
  for (const Value& v : graph_.values)
    if (v.constant) held.emplace_back(v.constant.get(), v.constant->bytes());
  std::sort(held.begin(), held.end());
  held.erase(std::unique(held.begin(), held.end()), held.end());
  return held;
}

void ExecutionPlan::bind_views() {
  char* base = static_cast<char*>(arena_.get());
  auto view_of = [&](ValueId id) {
    if (id == kNoValue) return TensorView{};
    const Value& v = graph_.value(id);
    ValueId r = id;
    while (slots_[static_cast<size_t>(r)].alias_of >= 0) r = slots_[static_cast<size_t>(r)].alias_of;
    const Slot& slot = slots_[static_cast<size_t>(r)];
    const Value& root = graph_.value(r);
    void* data = slot.where != Slot::Where::kConstant ? base + slot.offset
                 : root.constant                      ? const_cast<void*>(root.constant->raw())
                                                      : nullptr;  // packed by its reader and released
    return TensorView{v.dtype, &v.shape, data};
  };
  for (size_t s = 0; s < steps_.size(); ++s) {
    const Node& node = graph_.nodes[s];
    Step& step = steps_[s];
    step.in.clear();
    step.out.clear();
    for (ValueId id : node.inputs) step.in.push_back(view_of(id));
    for (ValueId id : node.outputs) step.out.push_back(view_of(id));
  }
}

Status ExecutionPlan::run(const std::vector<const Tensor*>& inputs, std::vector<Tensor>& outputs,
                          std::vector<double>* step_ms) {
  using Clock = std::chrono::steady_clock;
  if (step_ms) step_ms->assign(steps_.size(), -1.0);
  if (inputs.size() != graph_.inputs.size())
    return Status::error("expected " + std::to_string(graph_.inputs.size()) + " inputs, got " +
                         std::to_string(inputs.size()));
  char* base = static_cast<char*>(arena_.get());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Value& v = graph_.value(graph_.inputs[i]);
    if (inputs[i]->dtype() != v.dtype || inputs[i]->shape() != v.shape)
      return Status::error("input '" + v.name + "' changed shape or dtype without re-planning");
    std::memcpy(base + slots_[static_cast<size_t>(graph_.inputs[i])].offset, inputs[i]->raw(), inputs[i]->bytes());
  }
  for (size_t s = 0; s < steps_.size(); ++s) {
    Step& step = steps_[s];
    if (step.alias) continue;
    KernelIO io;
    io.in = step.in.data();
    io.num_in = static_cast<int>(step.in.size());
    io.out = step.out.data();
    io.num_out = static_cast<int>(step.out.size());
    io.scratch = step.scratch_bytes ? base + step.scratch_offset : nullptr;
    if (!step_ms) {
      WEBCNN_TRY(step.kernel->run(io));
      continue;
    }
    const Clock::time_point t0 = Clock::now();
    WEBCNN_TRY(step.kernel->run(io));
    (*step_ms)[s] = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  }
  outputs.resize(graph_.outputs.size());
  for (size_t i = 0; i < graph_.outputs.size(); ++i) {
    ValueId id = graph_.outputs[i];
    const Value& v = graph_.value(id);
    ValueId r = id;
    while (slots_[static_cast<size_t>(r)].alias_of >= 0) r = slots_[static_cast<size_t>(r)].alias_of;
    const void* src = slots_[static_cast<size_t>(r)].where == Slot::Where::kConstant
                          ? graph_.value(r).constant->raw()
                          : base + slots_[static_cast<size_t>(r)].offset;
    // A default-constructed Tensor looks like a float32 scalar but has no storage: reuse only real ones.
    if (outputs[i].dtype() != v.dtype || outputs[i].shape() != v.shape || !outputs[i].raw())
      outputs[i] = Tensor(v.dtype, v.shape);
    std::memcpy(outputs[i].raw(), src, outputs[i].bytes());
  }
  return Status::ok();
}

}  // namespace webcnn
