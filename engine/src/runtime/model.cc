#include "webcnn/model.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

#include "graph/graph.h"
#include "graph/passes/passes.h"
#include "graph/shape_inference.h"
#include "import/model_import.h"
#include "ops/kernel.h"
#include "runtime/execution_plan.h"
#include "runtime/node_cost.h"

namespace webcnn {

// A base constant held only by the plan: input `input` of step `step` packed it.
struct PackedConstant {
  ValueId value;
  size_t step, input;
};

struct Model::Impl {
  Graph base;  // as imported: graph inputs may have -1 dims
  ModelOptions options;
  // The plan for the last input shapes (and integer input values) seen.
  std::unique_ptr<ExecutionPlan> plan;
  std::vector<Tensor> plan_key;  // per input: a full copy for plan-time inputs, else only the shape
  std::vector<ValueId> plan_inputs;  // base input ids fed to the plan, in plan order
  std::vector<std::string> plan_captures;  // layers whose outputs the plan copies out after the model's
  std::vector<ConvLayerInfo> conv_layers;  // of the plan, in execution order
  // Per base input: its values decide shapes, so the plan is built for (and keyed on) its values.
  std::vector<bool> plan_time_input;
  // Static models never re-plan, so once planned their imported constants are dropped: the plan holds
  // the weights (packed) it needs, and a second copy would nearly double the model's memory.
  bool base_constants_released = false;
  // Models with free input dimensions re-plan for new shapes from `base`. Meanwhile the base constants a
  // kernel packed exactly as imported live only in the plan, and come back from it before a new plan.
  bool free_dims = false;
  std::vector<PackedConstant> in_plan_only;
  int64_t parameters = 0;  // elements of the imported float constants, counted before any release
};

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;

namespace {

bool is_integer(DataType t) { return t != DataType::kFloat32; }

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.bytes()) == 0;
}

// The base constants the plan's kernels packed exactly as imported — the specialised graph handed the very
// tensor to the kernel (no pass rewrote it) and the kernel gives back the same bytes — are dropped from
// `base`; the returned list says where each one now lives.
std::vector<PackedConstant> drop_packed_constants(Graph& base, const Graph& specialized, const ExecutionPlan& plan) {
  std::vector<PackedConstant> dropped;
  const Graph& planned = plan.graph();
  for (size_t s = 0; s < planned.nodes.size(); ++s) {
    const Node& node = planned.nodes[s];
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const ValueId v = node.inputs[i];
      if (v == kNoValue || static_cast<size_t>(v) >= base.values.size()) continue;
      Value& imported = base.value(v);
      if (!imported.constant || imported.constant != specialized.value(v).constant || planned.value(v).constant) continue;
      Result<Tensor> recovered = plan.constant_input(s, i);
      if (!recovered.is_ok() || !same_bytes(recovered.value(), *imported.constant)) continue;
      imported.constant.reset();
      dropped.push_back({v, s, i});
    }
  }
  return dropped;
}

// Puts the dropped constants back into `base` from the plan (all or, on error, none).
Status restore_packed_constants(Graph& base, const ExecutionPlan& plan, std::vector<PackedConstant>& dropped) {
  std::vector<std::shared_ptr<const Tensor>> restored;
  for (const PackedConstant& p : dropped) {
    WEBCNN_ASSIGN(Tensor t, plan.constant_input(p.step, p.input));
    restored.push_back(std::make_shared<const Tensor>(std::move(t)));
  }
  for (size_t i = 0; i < dropped.size(); ++i) base.value(dropped[i].value).constant = std::move(restored[i]);
  dropped.clear();
  return Status::ok();
}

// Float inputs whose values decide output shapes (integer inputs always count as shape-like), as the
// op registry says. ONNX's conformance tests feed Resize's scales and Range's bounds as graph inputs.
bool decides_shapes(const std::string& op, size_t input_index) {
  return OpRegistry::global().traits(op).decides_shapes(input_index);
}

std::vector<bool> find_plan_time_inputs(const Graph& g) {
  std::vector<bool> plan_time(g.inputs.size(), false);
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    plan_time[i] = is_integer(g.value(g.inputs[i]).dtype);
    for (const Node& n : g.nodes)
      for (size_t k = 0; k < n.inputs.size(); ++k)
        if (n.inputs[k] == g.inputs[i] && decides_shapes(n.op, k)) plan_time[i] = true;
  }
  return plan_time;
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
    msg += op + " (" + std::to_string(nodes.size()) + (nodes.size() == 1 ? " node: '" : " nodes, e.g. '") +
           nodes[0] + "')";
  }
  return Status::error(msg);
}

const Node* find_conv(const Graph& g, const std::string& name) {
  for (const Node& n : g.nodes)
    if (n.op == "Conv" && n.name == name && !n.outputs.empty() && n.outputs[0] != kNoValue) return &n;
  return nullptr;
}

// Specialises the base graph to concrete inputs: shapes fixed, integer inputs made constants, constants
// folded, optimisation passes run, shapes inferred again.
// `g` is a copy of the base graph; its constants are shared with the base unless the caller handed them
// over (a static model's only plan), in which case passes free what they replace as they go.
Result<Graph> specialize(Graph g, const std::vector<const Tensor*>& inputs,
                         const std::vector<bool>& plan_time_input, bool optimize, std::vector<ValueId>& plan_inputs) {
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
  WEBCNN_TRY(infer_shapes_and_fold_constants(g));
  WEBCNN_TRY(run_graph_passes(g, optimize));
  WEBCNN_TRY(infer_shapes_and_fold_constants(g));
  return g;
}

std::vector<ConvLayerInfo> list_conv_layers(const Graph& g) {
  std::vector<ConvLayerInfo> layers;
  for (const Node& n : g.nodes) {
    if (n.op != "Conv" || n.inputs.size() < 2 || n.outputs.empty()) continue;
    Result<int64_t> group = n.attr_int("group", 1);
    layers.push_back({n.name, g.value(n.inputs[1]).shape, group.is_ok() ? group.value() : 1});
  }
  return layers;
}

// A captured layer's output as NHWC float32, whatever layout the convolution ran in.
Tensor to_nhwc(Tensor t, const Node& conv) {
  Result<std::string> layout = conv.attr_string("layout", "NCHW");
  if (t.rank() != 4 || !layout.is_ok() || layout.value() != "NCHW") return t;
  const int64_t n = t.shape()[0], c = t.shape()[1], h = t.shape()[2], w = t.shape()[3];
  Tensor out(DataType::kFloat32, {n, h, w, c});
  const float* src = t.data<float>();
  float* dst = out.data<float>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t p = 0; p < h * w; ++p) dst[(b * h * w + p) * c + ch] = src[(b * c + ch) * h * w + p];
  return out;
}

}  // namespace

Result<std::unique_ptr<Model>> Model::from_graph(Graph graph, ModelOptions options) {
  WEBCNN_TRY(graph.validate());
  WEBCNN_TRY(check_ops_supported(graph));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  std::unique_ptr<Model> model(new Model(std::move(impl)));
  for (ValueId id : graph.inputs) {
    const Value& v = graph.value(id);
    if (!v.has_shape) return Status::error("graph input '" + v.name + "' has no declared rank");
    model->inputs_.push_back({v.name, v.dtype, v.shape});
  }
  for (ValueId id : graph.outputs) {
    const Value& v = graph.value(id);
    model->outputs_.push_back({v.name, v.dtype, v.has_shape ? v.shape : Shape{}});
  }
  model->impl_->plan_time_input = find_plan_time_inputs(graph);
  for (const Value& v : graph.values)
    if (v.constant && v.dtype == DataType::kFloat32) model->impl_->parameters += v.constant->size();
  model->impl_->base = std::move(graph);
  // Plan now when every input shape is static, so a broken model fails at load, not at first run.
  bool all_static = true;
  for (size_t i = 0; i < model->inputs_.size(); ++i) {
    for (int64_t d : model->inputs_[i].shape)
      if (d < 0) all_static = false;
    if (model->impl_->plan_time_input[i]) all_static = false;  // values decide shapes; plan at run
  }
  model->impl_->free_dims = !all_static;
  // Weight re-layouts (TF.js's HWIO → OIHW Transposes) are folded now, so the constants reach their
  // kernels as they sit in `base` and can live only in the plan (drop_packed_constants).
  if (!all_static) WEBCNN_TRY(fold_constant_nodes(model->impl_->base));
  if (all_static) {
    std::vector<Tensor> dummies;
    std::map<std::string, const Tensor*> feed;
    dummies.reserve(model->inputs_.size());
    // The inputs count against the budget too (the plan copies them into its arena): refuse before
    // allocating placeholders for them, so a declared [65536,65536] input cannot take 16 GiB at load.
    uint64_t input_bytes = 0;
    for (const TensorSpec& s : model->inputs_) {
      WEBCNN_ASSIGN(int64_t n, checked_num_elements(s.shape));
      input_bytes += static_cast<uint64_t>(n) * dtype_size(s.dtype);
    }
    if (input_bytes > options.memory_budget)
      return Status::error("the model's inputs take " + std::to_string(input_bytes >> 20) +
                           " MiB, over the memory budget of " + std::to_string(options.memory_budget >> 20) + " MiB");
    for (const TensorSpec& s : model->inputs_) {
      WEBCNN_ASSIGN(Tensor t, Tensor::create(s.dtype, s.shape));
      dummies.push_back(std::move(t));
      feed[s.name] = &dummies.back();
    }
    WEBCNN_TRY(model->run(feed).status());  // plans: the constants move from the base into the plan
  }
  // Output specs from the plan when we have one (importers may not declare output shapes).
  if (model->impl_->plan)
    for (size_t i = 0; i < model->outputs_.size(); ++i) {
      const Graph& planned = model->impl_->plan->graph();
      const Value& v = planned.value(planned.outputs[i]);
      model->outputs_[i].dtype = v.dtype;
      model->outputs_[i].shape = v.shape;
    }
  return model;
}

Result<std::unique_ptr<Model>> Model::load_onnx(const uint8_t* data, size_t size, ModelOptions options) {
  WEBCNN_ASSIGN(Graph g, import_onnx(data, size));
  return from_graph(std::move(g), options);
}

Result<std::unique_ptr<Model>> Model::load_file(const std::string& path, ModelOptions options) {
  WEBCNN_ASSIGN(Graph g, import_model_file(path));
  auto m = from_graph(std::move(g), options);
  if (!m.is_ok()) return m.status().with_context(path);
  return m;
}

Result<std::vector<Tensor>> Model::run(const std::map<std::string, const Tensor*>& inputs) {
  WEBCNN_ASSIGN(CapturedRun r, run_capturing(inputs, {}));
  return std::move(r.outputs);
}

Result<CapturedRun> Model::run_capturing(const std::map<std::string, const Tensor*>& inputs,
                                         const std::vector<std::string>& layers) {
  return run_steps(inputs, layers, nullptr);
}

Result<CapturedRun> Model::run_steps(const std::map<std::string, const Tensor*>& inputs,
                                     const std::vector<std::string>& layers, std::vector<double>* step_ms) {
  Impl& im = *impl_;
  const Graph& base = im.base;
  for (const auto& kv : inputs) {
    bool known = false;
    for (const TensorSpec& s : inputs_) known = known || s.name == kv.first;
    if (!known) return Status::error("the model has no input named '" + kv.first + "'");
  }
  std::vector<const Tensor*> ordered;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const TensorSpec& spec = inputs_[i];
    auto it = inputs.find(spec.name);
    if (it == inputs.end() || !it->second) return Status::error("input '" + spec.name + "' is missing");
    const Tensor& t = *it->second;
    if (t.dtype() != spec.dtype)
      return Status::error("input '" + spec.name + "' must be " + dtype_name(spec.dtype) + ", got " + dtype_name(t.dtype()));
    bool ok = t.shape().size() == spec.shape.size();
    for (size_t d = 0; ok && d < spec.shape.size(); ++d) ok = spec.shape[d] < 0 || spec.shape[d] == t.shape()[d];
    if (!ok)
      return Status::error("input '" + spec.name + "' must have shape " + shape_to_string(spec.shape) + ", got " +
                           shape_to_string(t.shape()));
    ordered.push_back(&t);
  }
  // Re-plan when shapes (or integer inputs' values) differ from the plan's; a new set of captured layers
  // only changes which tensors the plan keeps to the end.
  bool same = im.plan && im.plan_key.size() == ordered.size();
  for (size_t i = 0; same && i < ordered.size(); ++i) {
    const Tensor& k = im.plan_key[i];
    same = k.shape() == ordered[i]->shape() &&
           (!im.plan_time_input[i] || std::memcmp(k.raw(), ordered[i]->raw(), k.bytes()) == 0);
  }
  if (!same) {
    if (im.base_constants_released) return Status::error("internal error: a static model asked to re-plan");
    if (im.plan) WEBCNN_TRY(restore_packed_constants(im.base, *im.plan, im.in_plan_only));
    im.plan.reset();
    im.conv_layers.clear();
    im.plan_captures.clear();
    std::vector<ValueId> plan_inputs;
    // A static model plans once (at load): its constants move into that plan rather than being shared
    // with the base, so each copy a pass or a kernel makes can free its original at once. Wasm memory
    // never shrinks, so the load's peak is what the page keeps.
    Graph copy = base;
    if (!im.free_dims) {
      for (Value& v : im.base.values) v.constant.reset();
      im.base_constants_released = true;
    }
    WEBCNN_ASSIGN(Graph g, specialize(std::move(copy), ordered, im.plan_time_input, im.options.optimize, plan_inputs));
    if (im.free_dims) {
      WEBCNN_ASSIGN(im.plan, ExecutionPlan::build(Graph(g), im.options.memory_budget));
      im.in_plan_only = drop_packed_constants(im.base, g, *im.plan);
    } else {
      WEBCNN_ASSIGN(im.plan, ExecutionPlan::build(std::move(g), im.options.memory_budget));
    }
    im.conv_layers = list_conv_layers(im.plan->graph());
    im.plan_inputs = plan_inputs;
    im.plan_key.clear();
    for (size_t i = 0; i < ordered.size(); ++i)
      im.plan_key.push_back(im.plan_time_input[i] ? *ordered[i] : Tensor(ordered[i]->dtype(), {0}));
    for (size_t i = 0; i < ordered.size(); ++i) im.plan_key[i].reshape(ordered[i]->shape());
  }
  if (im.plan_captures != layers) {
    const Graph& planned = im.plan->graph();
    std::vector<ValueId> outputs(planned.outputs.begin(), planned.outputs.begin() + static_cast<std::ptrdiff_t>(outputs_.size()));
    for (const std::string& layer : layers) {
      const Node* conv = find_conv(planned, layer);
      if (!conv) return Status::error("the model has no convolution layer named '" + layer + "'");
      outputs.push_back(conv->outputs[0]);
    }
    WEBCNN_TRY(im.plan->set_outputs(outputs, im.options.memory_budget));
    im.plan_captures = layers;
  }
  std::vector<const Tensor*> feed;
  for (ValueId id : im.plan_inputs) {
    for (size_t i = 0; i < base.inputs.size(); ++i)
      if (base.inputs[i] == id) feed.push_back(ordered[i]);
  }
  CapturedRun result;
  WEBCNN_TRY(im.plan->run(feed, result.outputs, step_ms));
  // The plan's outputs are the model's, then the captured layers'.
  const size_t model_outputs = result.outputs.size() - layers.size();
  for (size_t i = 0; i < layers.size(); ++i)
    result.layers.push_back(to_nhwc(std::move(result.outputs[model_outputs + i]), *find_conv(im.plan->graph(), layers[i])));
  result.outputs.resize(model_outputs);
  return result;
}

std::vector<ConvLayerInfo> Model::conv_layers() const { return impl_->conv_layers; }

Result<Tensor> Model::conv_weights(const std::string& layer) const {
  const Impl& im = *impl_;
  if (!im.plan) return Status::error("the model has no plan yet: run it once, its input shapes decide the layers");
  const Graph& planned = im.plan->graph();
  const Node* conv = find_conv(planned, layer);
  if (!conv) return Status::error("the model has no convolution layer named '" + layer + "'");
  if (planned.value(conv->inputs[1]).dtype != DataType::kFloat32)
    return Status::error("convolution '" + layer + "' has weights computed at run time, not constant float32 ones");
  Result<Tensor> w = im.plan->constant_input(static_cast<size_t>(conv - planned.nodes.data()), 1);
  if (!w.is_ok()) return Status::error("convolution '" + layer + "': " + w.status().message());
  return w;
}

Result<ModelSummary> Model::summary() {
  if (!impl_->plan) {
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
    WEBCNN_TRY(run(feed).status());
  }
  ModelSummary sum;
  sum.op_histogram = impl_->base.op_histogram();
  sum.parameters = impl_->parameters;
  const Graph& g = impl_->plan->graph();
  for (const Node& n : g.nodes) sum.macs += node_macs(n, g);
  sum.arena_bytes = impl_->plan->stats().arena_bytes;
  sum.intermediates_bytes = impl_->plan->stats().intermediates_bytes;
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
  if (warmup < 0 || runs < 1) return Status::error("profile: needs warmup >= 0 and runs >= 1");
  std::vector<std::vector<double>> samples;  // per step
  std::vector<double> whole, step_ms;
  for (int r = 0; r < warmup + runs; ++r) {
    const Clock::time_point t0 = Clock::now();
    WEBCNN_TRY(run_steps(inputs, {}, &step_ms).status());
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (r < warmup) continue;
    whole.push_back(ms);
    samples.resize(step_ms.size());
    for (size_t s = 0; s < step_ms.size(); ++s) samples[s].push_back(step_ms[s]);
  }
  const ExecutionPlan& plan = *impl_->plan;
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
