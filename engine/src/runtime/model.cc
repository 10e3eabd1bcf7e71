#include "webcnn/model.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "graph/graph.h"
#include "ops/kernel.h"
#include "passes/shape_inference.h"
#include "runtime/conv_inspection.h"
#include "runtime/execution_plan.h"
#include "runtime/node_cost.h"
#include "runtime/plan_cache.h"

namespace webcnn {

struct Model::Impl {
  PlanCache plans;  // the imported graph and the plans for the last input shapes
  ModelOptions options;
  int64_t parameters = 0;  // elements of the imported float constants, counted before any release
};

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;

namespace {

// The dtype a caller sees for a graph input or output: float64 where the model declares double
// (tensor.h: kFloat64 lives only at the boundary), else what the graph computes in.
DataType boundary_dtype(const Value& v) {
  return v.declared_float64 && v.dtype == DataType::kFloat32 ? DataType::kFloat64 : v.dtype;
}

// What the plan computes in for a boundary dtype.
DataType computed_dtype(DataType boundary) { return boundary == DataType::kFloat64 ? DataType::kFloat32 : boundary; }

// A float64 tensor as float32, or a float32 one as float64 (rounded to nearest; exact the other way).
Tensor with_float_width(const Tensor& t, DataType to) {
  Tensor out(to, t.shape());
  const size_t n = static_cast<size_t>(t.size());
  if (to == DataType::kFloat32)
    for (size_t i = 0; i < n; ++i) out.data<float>()[i] = static_cast<float>(t.data<double>()[i]);
  else
    for (size_t i = 0; i < n; ++i) out.data<double>()[i] = t.data<float>()[i];
  return out;
}

// Every op the registry lacks, each with the nodes that use it, in one message.
Status check_ops_supported(const Graph& g) {
  std::map<std::string, std::vector<std::string>> missing;
  for (const Node& n : g.nodes)
    if (!OpRegistry::global().find(n.op)) missing[n.op].push_back(n.name);
  if (missing.empty()) return Status::ok();
  std::string msg = "unsupported ops: ";
  bool first = true;
  for (const auto& [op, nodes] : missing) {
    if (!first) msg += "; ";
    first = false;
    msg += op + " (" + std::to_string(nodes.size()) + (nodes.size() == 1 ? " node: '" : " nodes, e.g. '") + nodes[0] +
           "')";
  }
  return Status::error(StatusCode::kUnsupportedOp, msg);
}

// Input `input` of the plan's node `conv`, wherever the plan keeps it (ExecutionPlan::constant_input).
ConstantInput constant_input_of(const ExecutionPlan& plan, const Node& conv) {
  const size_t step = static_cast<size_t>(&conv - plan.graph().nodes.data());
  return [&plan, step](size_t input) { return plan.constant_input(step, input); };
}

// The output shapes of a model with free input dimensions, -1 where they follow the free dims: shape
// inference (no planning, no packing) at two sizes for every free input dimension; an output dimension
// that differs between them is free. Empty when the model does not take the probe sizes (or values of
// inputs decide shapes): the importer's declaration stands then.
std::vector<Shape> probe_output_shapes(const Graph& base, const std::vector<bool>& plan_time_inputs) {
  for (bool p : plan_time_inputs)
    if (p) return {};
  std::vector<std::vector<Shape>> probes;
  for (int64_t size : {64, 96}) {  // multiples of 32: strided backbones and FPN-style concats take them
    Graph g = base;                // constants are shared, not copied
    for (ValueId id : g.inputs)
      for (int64_t& d : g.value(id).shape) d = d < 0 ? size : d;
    if (!infer_shapes_and_fold_constants(g).is_ok()) return {};
    std::vector<Shape> shapes;
    for (ValueId id : g.outputs) shapes.push_back(g.value(id).shape);
    probes.push_back(std::move(shapes));
  }
  std::vector<Shape> merged = probes[0];
  for (size_t o = 0; o < merged.size(); ++o) {
    if (probes[1][o].size() != merged[o].size()) return {};
    for (size_t d = 0; d < merged[o].size(); ++d)
      if (probes[1][o][d] != merged[o][d]) merged[o][d] = -1;
  }
  return merged;
}

}  // namespace

Result<std::unique_ptr<Model>> Model::from_graph(Graph graph, ModelOptions options) {
  return build(std::move(graph), options).with_default_code(StatusCode::kInvalidModel);
}

Result<std::unique_ptr<Model>> Model::build(Graph graph, ModelOptions options) {
  if (graph.nodes.size() > options.max_nodes)
    return Status::error(StatusCode::kResourceExhausted,
                         "the model has " + std::to_string(graph.nodes.size()) + " nodes, over the limit of " +
                             std::to_string(options.max_nodes) + " (ModelOptions::max_nodes)");
  WEBCNN_TRY(graph.validate());
  WEBCNN_TRY(check_ops_supported(graph));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  std::unique_ptr<Model> model(new Model(std::move(impl)));
  for (ValueId id : graph.inputs) {
    const Value& v = graph.value(id);
    if (!v.has_shape) return Status::error("graph input '" + v.name + "' has no declared rank");
    model->inputs_.push_back({v.name, boundary_dtype(v), v.shape, v.quant});
  }
  for (ValueId id : graph.outputs) {
    const Value& v = graph.value(id);
    model->outputs_.push_back({v.name, boundary_dtype(v), v.has_shape ? v.shape : Shape{}, v.quant});
  }
  for (const Value& v : graph.values)
    if (v.constant && v.dtype == DataType::kFloat32) model->impl_->parameters += v.constant->size();
  WEBCNN_ASSIGN(model->impl_->plans, PlanCache::create(std::move(graph), options));
  // Plan now when every input shape is static, so a broken model fails at load, not at first run, and the
  // first run finds its plan ready.
  const bool all_static = !model->impl_->plans.has_free_dims();
  if (all_static) {
    // The inputs count against the budget too (the plan copies them into its arena): refuse before
    // planning for them, so a declared [65536,65536] input fails with a message naming the budget.
    uint64_t input_bytes = 0;
    std::vector<DataType> dtypes;
    std::vector<Shape> shapes;
    for (const TensorSpec& s : model->inputs_) {
      WEBCNN_ASSIGN(int64_t n, checked_num_elements(s.shape));
      input_bytes += static_cast<uint64_t>(n) * dtype_size(computed_dtype(s.dtype));
      dtypes.push_back(computed_dtype(s.dtype));
      shapes.push_back(s.shape);
    }
    if (input_bytes > options.memory_budget)
      return Status::error(StatusCode::kResourceExhausted, "the model's inputs take " +
                                                               std::to_string(input_bytes >> 20) +
                                                               " MiB, over the memory budget of " +
                                                               std::to_string(options.memory_budget >> 20) + " MiB");
    // Plans without running: every kernel's prepare() checks its node and packs its weights, the memory
    // plan sizes the arena against the budget. The constants move from the base into the plan.
    WEBCNN_TRY(model->impl_->plans.plan_for_shapes(dtypes, shapes));
  }
  // Free dims: what shape inference says at two probe sizes, -1 where the outputs follow the inputs.
  if (!all_static) {
    const std::vector<Shape> probed =
        probe_output_shapes(model->impl_->plans.base(), model->impl_->plans.plan_time_inputs());
    for (size_t i = 0; i < probed.size() && i < model->outputs_.size(); ++i) model->outputs_[i].shape = probed[i];
  }
  // Output specs from the plan when we have one (importers may not declare output shapes).
  if (const ExecutionPlan* plan = model->impl_->plans.plan())
    for (size_t i = 0; i < model->outputs_.size(); ++i) {
      const Graph& planned = plan->graph();
      const Value& v = planned.value(planned.outputs[i]);
      const bool widened = model->outputs_[i].dtype == DataType::kFloat64 && v.dtype == DataType::kFloat32;
      model->outputs_[i].dtype = widened ? DataType::kFloat64 : v.dtype;
      model->outputs_[i].shape = v.shape;
    }
  return model;
}

Result<std::vector<Tensor>> Model::run(const std::map<std::string, const Tensor*>& inputs) {
  WEBCNN_ASSIGN(CapturedRun r, run_capturing(inputs, {}));  // run_capturing gave errors their kind
  return std::move(r.outputs);
}

Result<CapturedRun> Model::run_capturing(const std::map<std::string, const Tensor*>& inputs,
                                         const std::vector<std::string>& layers) {
  return run_steps(inputs, layers, nullptr).with_default_code(StatusCode::kInvalidArgument);
}

Result<CapturedRun> Model::run_steps(const std::map<std::string, const Tensor*>& inputs,
                                     const std::vector<std::string>& layers, std::vector<double>* step_ms) {
  Impl& im = *impl_;
  const Graph& base = im.plans.base();
  for (const auto& kv : inputs) {
    bool known = false;
    for (const TensorSpec& s : inputs_) known = known || s.name == kv.first;
    if (!known) return Status::error("the model has no input named '" + kv.first + "'");
  }
  std::vector<const Tensor*> ordered;
  std::vector<Tensor> narrowed;  // float64 inputs as the float32 the plan computes in
  narrowed.reserve(inputs_.size());
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const TensorSpec& spec = inputs_[i];
    auto it = inputs.find(spec.name);
    if (it == inputs.end() || !it->second) return Status::error("input '" + spec.name + "' is missing");
    const Tensor& given = *it->second;
    // A float64 input also takes float32 data (what it is computed in): images preprocessed for it.
    const bool widens = spec.dtype == DataType::kFloat64 && given.dtype() == DataType::kFloat32;
    if (given.dtype() != spec.dtype && !widens)
      return Status::error("input '" + spec.name + "' must be " + dtype_name(spec.dtype) +
                           (spec.dtype == DataType::kFloat64 ? " (or float32)" : "") + ", got " +
                           dtype_name(given.dtype()));
    if (given.dtype() == DataType::kFloat64) narrowed.push_back(with_float_width(given, DataType::kFloat32));
    const Tensor& t = given.dtype() == DataType::kFloat64 ? narrowed.back() : given;
    bool ok = t.shape().size() == spec.shape.size();
    for (size_t d = 0; ok && d < spec.shape.size(); ++d) ok = spec.shape[d] < 0 || spec.shape[d] == t.shape()[d];
    if (!ok)
      return Status::error("input '" + spec.name + "' must have shape " + shape_to_string(spec.shape) + ", got " +
                           shape_to_string(t.shape()));
    ordered.push_back(&t);
  }
  // Re-plan when shapes (or integer inputs' values) differ from the plan's; a new set of captured layers
  // only changes which tensors the plan keeps to the end.
  WEBCNN_TRY(im.plans.ensure_plan(ordered).status());
  ExecutionPlan& plan = *im.plans.plan();
  if (im.plans.plan_captures() != layers) {
    const Graph& planned = plan.graph();
    std::vector<ValueId> outputs(planned.outputs.begin(),
                                 planned.outputs.begin() + static_cast<std::ptrdiff_t>(outputs_.size()));
    for (const std::string& layer : layers) {
      const Node* conv = find_inspectable_conv(planned, layer);
      if (!conv) return Status::error("the model has no convolution layer named '" + layer + "'");
      outputs.push_back(conv->outputs[0]);
    }
    WEBCNN_TRY(plan.set_outputs(outputs, im.options.memory_budget));
    im.plans.plan_captures() = layers;
  }
  std::vector<const Tensor*> feed;
  for (ValueId id : im.plans.plan_inputs()) {
    for (size_t i = 0; i < base.inputs.size(); ++i)
      if (base.inputs[i] == id) feed.push_back(ordered[i]);
  }
  CapturedRun result;
  WEBCNN_TRY(plan.run(feed, result.outputs, step_ms));
  // The plan's outputs are the model's, then the captured layers'.
  const size_t model_outputs = result.outputs.size() - layers.size();
  for (size_t i = 0; i < layers.size(); ++i) {
    const Node& conv = *find_inspectable_conv(plan.graph(), layers[i]);
    WEBCNN_ASSIGN(Tensor layer, captured_as_float_nhwc(std::move(result.outputs[model_outputs + i]), conv,
                                                       constant_input_of(plan, conv)));
    result.layers.push_back(std::move(layer));
  }
  result.outputs.resize(model_outputs);
  for (size_t i = 0; i < model_outputs && i < outputs_.size(); ++i)
    if (outputs_[i].dtype == DataType::kFloat64 && result.outputs[i].dtype() == DataType::kFloat32)
      result.outputs[i] = with_float_width(result.outputs[i], DataType::kFloat64);
  return result;
}

std::vector<ConvLayerInfo> Model::conv_layers() const {
  return impl_->plans.plan() ? list_conv_layers(impl_->plans.plan()->graph()) : std::vector<ConvLayerInfo>{};
}

Result<Tensor> Model::conv_weights(const std::string& layer) const {
  const Impl& im = *impl_;
  if (!im.plans.plan())
    return Status::error(StatusCode::kInvalidArgument,
                         "the model has no plan yet: run it once, its input shapes decide the layers");
  const Graph& planned = im.plans.plan()->graph();
  const Node* conv = find_inspectable_conv(planned, layer);
  if (!conv)
    return Status::error(StatusCode::kInvalidArgument, "the model has no convolution layer named '" + layer + "'");
  if (conv->op == "Conv" && planned.value(conv->inputs[1]).dtype != DataType::kFloat32)
    return Status::error(StatusCode::kInvalidArgument,
                         "convolution '" + layer + "' has weights computed at run time, not constant float32 ones");
  Result<Tensor> w = conv_weights_as_float(*conv, constant_input_of(*im.plans.plan(), *conv));
  if (!w.is_ok())
    return w.status().with_context("convolution '" + layer + "'").with_default_code(StatusCode::kInvalidArgument);
  return w;
}

ModelMemory Model::memory() const { return impl_->plans.memory(); }

Result<ModelSummary> Model::summary() {
  if (!impl_->plans.plan()) {
    std::vector<Tensor> dummies;
    std::map<std::string, const Tensor*> feed;
    dummies.reserve(inputs_.size());
    for (const TensorSpec& s : inputs_) {
      Shape shape = s.shape;
      for (int64_t& d : shape) d = d < 0 ? 1 : d;
      WEBCNN_ASSIGN(Tensor t, Tensor::create(s.dtype, shape));
      dummies.push_back(std::move(t));
      feed[s.name] = &dummies.back();
    }
    WEBCNN_TRY(run_steps(feed, {}, nullptr).status().with_default_code(StatusCode::kInvalidModel));
  }
  ModelSummary sum;
  sum.op_histogram = impl_->plans.base().op_histogram();
  sum.parameters = impl_->parameters;
  const ExecutionPlan& plan = *impl_->plans.plan();
  const Graph& g = plan.graph();
  for (const Node& n : g.nodes) sum.macs += node_macs(n, g);
  sum.arena_bytes = plan.stats().arena_bytes;
  sum.intermediates_bytes = plan.stats().intermediates_bytes;
  return sum;
}

namespace {

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

Result<OpProfile> Model::profile(const std::map<std::string, const Tensor*>& inputs, int warmup, int runs) {
  using Clock = std::chrono::steady_clock;
  if (warmup < 0 || runs < 1)
    return Status::error(StatusCode::kInvalidArgument, "profile: needs warmup >= 0 and runs >= 1");
  std::vector<std::vector<double>> samples;  // per step
  std::vector<double> whole, step_ms;
  for (int r = 0; r < warmup + runs; ++r) {
    const Clock::time_point t0 = Clock::now();
    WEBCNN_TRY(run_steps(inputs, {}, &step_ms).status().with_default_code(StatusCode::kInvalidArgument));
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (r < warmup) continue;
    whole.push_back(ms);
    samples.resize(step_ms.size());
    for (size_t s = 0; s < step_ms.size(); ++s) samples[s].push_back(step_ms[s]);
  }
  const ExecutionPlan& plan = *impl_->plans.plan();
  const Graph& g = plan.graph();
  OpProfile p;
  p.whole_run_median_ms = median_of(whole);
  p.largest_step_bytes = plan.stats().largest_step_bytes;
  p.largest_step = plan.stats().largest_step;
  for (size_t s = 0; s < samples.size() && s < g.nodes.size(); ++s) {
    const Node& node = g.nodes[s];
    if (samples[s][0] < 0) continue;  // aliases never run
    NodeTiming t;
    t.name = node.name;
    t.kind = node_kind(node, g);
    t.output_shape = node.outputs.empty() || node.outputs[0] == kNoValue ? Shape{} : g.value(node.outputs[0]).shape;
    t.macs = node_macs(node, g);
    t.median_ms = median_of(samples[s]);
    p.nodes.push_back(std::move(t));
  }
  return p;
}

}  // namespace webcnn
