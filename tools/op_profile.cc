#include "op_profile.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "graph/graph.h"
#include "graph/passes/passes.h"
#include "graph/shape_inference.h"
#include "import/model_import.h"
#include "ops/kernel.h"

namespace webcnn::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Attributes were validated by the kernels' create(); a malformed one just leaves the label plainer.
template <typename T>
T or_default(Result<T> r, T fallback) {
  return r.is_ok() ? std::move(r).value() : fallback;
}

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// "3x3", "3x3 dw", "1x1 s2": the kernel window, depthwise or not, and the stride when it is not 1.
std::string window_kind(const Node& node, const Graph& g) {
  std::vector<int64_t> window;
  bool depthwise = false;
  if ((node.op == "Conv" || node.op == "ConvTranspose") && node.inputs.size() >= 2) {
    const Shape& w = g.value(node.inputs[1]).shape;  // OIHW (the layout pass keeps weights as they are)
    if (w.size() >= 3) window.assign(w.begin() + 2, w.end());
    const int64_t group = or_default<int64_t>(node.attr_int("group", 1), 1);
    depthwise = group > 1 && w.size() >= 2 && w[1] == 1;
  } else {
    window = or_default<std::vector<int64_t>>(node.attr_ints("kernel_shape", {}), {});
  }
  std::string s;
  for (size_t i = 0; i < window.size(); ++i) s += (i ? "x" : "") + std::to_string(window[i]);
  if (depthwise) s += " dw";
  const std::vector<int64_t> strides = or_default<std::vector<int64_t>>(node.attr_ints("strides", {}), {});
  if (!strides.empty() && *std::max_element(strides.begin(), strides.end()) > 1)
    s += " s" + std::to_string(*std::max_element(strides.begin(), strides.end()));
  return s;
}

int64_t node_macs(const Node& n, const Graph& g) {
  if ((n.op == "Conv" || n.op == "ConvTranspose") && n.inputs.size() >= 2) {
    const Shape& w = g.value(n.inputs[1]).shape;
    if (w.empty() || w[0] == 0) return 0;
    const int64_t per_output = num_elements(w) / w[0];
    return per_output * (n.op == "Conv" ? num_elements(g.value(n.outputs[0]).shape) : num_elements(g.value(n.inputs[0]).shape));
  }
  if ((n.op == "MatMul" || n.op == "Gemm") && n.inputs.size() >= 2) {
    const Shape& a = g.value(n.inputs[0]).shape;
    if (a.empty()) return 0;
    int64_t k = a.back();
    if (n.op == "Gemm" && or_default<int64_t>(n.attr_int("transA", 0), 0) != 0) k = a[0];
    return num_elements(g.value(n.outputs[0]).shape) * k;
  }
  return 0;
}

struct Step {
  std::unique_ptr<Kernel> kernel;
  std::vector<TensorView> in, out;
  Tensor scratch;
  size_t node = 0;
};

}  // namespace

Result<OpProfile> profile_model(const std::string& path, const std::map<std::string, const Tensor*>& inputs,
                                int warmup, int runs) {
  WEBCNN_ASSIGN(Graph g, import_model_file(path));
  // Specialise as Model::run does: shapes fixed, integer inputs constant, folding, passes, folding again.
  std::vector<ValueId> float_inputs;
  for (ValueId id : g.inputs) {
    Value& v = g.value(id);
    auto it = inputs.find(v.name);
    if (it == inputs.end() || !it->second) return Status::error("input '" + v.name + "' is missing");
    v.shape = it->second->shape();
    v.has_shape = true;
    if (v.dtype != DataType::kFloat32) v.constant = std::make_shared<const Tensor>(*it->second);
    else float_inputs.push_back(id);
  }
  g.inputs = float_inputs;
  WEBCNN_TRY(infer_shapes_and_fold_constants(g));
  WEBCNN_TRY(run_graph_passes(g, /*optimize=*/true));
  WEBCNN_TRY(infer_shapes_and_fold_constants(g));
  WEBCNN_ASSIGN(std::vector<size_t> order, g.topological_order());

  // Storage: constants in place, every other value in its own zeroed buffer; aliases share their input's.
  std::vector<void*> data(g.values.size(), nullptr);
  std::vector<Tensor> owned;
  owned.reserve(g.values.size() + 1);
  for (size_t i = 0; i < g.values.size(); ++i)
    if (g.values[i].constant) data[i] = const_cast<void*>(g.values[i].constant->raw());
  for (ValueId id : g.inputs) {
    const Value& v = g.value(id);
    owned.push_back(*inputs.at(v.name));
    data[static_cast<size_t>(id)] = owned.back().raw();
  }

  OpProfile profile;
  std::vector<Step> steps;
  for (size_t index : order) {
    const Node& node = g.nodes[index];
    Step step;
    step.node = index;
    WEBCNN_ASSIGN(step.kernel, create_kernel(node));
    std::vector<ValueInfo> in;
    for (ValueId id : node.inputs) {
      ValueInfo vi;
      if (id == kNoValue) {
        vi.present = false;
      } else {
        const Value& v = g.value(id);
        vi.dtype = v.dtype;
        vi.shape = v.shape;
        vi.constant = v.constant.get();
      }
      in.push_back(std::move(vi));
    }
    std::vector<ValueInfo> out(node.outputs.size());
    for (size_t i = 0; i < out.size(); ++i) out[i].present = node.outputs[i] != kNoValue;
    WEBCNN_TRY(step.kernel->prepare(node, in, out));
    const bool alias = step.kernel->output_aliases_input() && !node.inputs.empty() && node.inputs[0] != kNoValue;
    size_t step_bytes = 0;
    for (ValueId id : node.inputs)
      if (id != kNoValue && !g.value(id).constant)
        step_bytes += static_cast<size_t>(num_elements(g.value(id).shape)) * dtype_size(g.value(id).dtype);
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      const ValueId o = node.outputs[i];
      if (o == kNoValue) continue;
      const Value& v = g.value(o);
      if (i == 0 && alias) {
        data[static_cast<size_t>(o)] = data[static_cast<size_t>(node.inputs[0])];
        continue;
      }
      WEBCNN_ASSIGN(Tensor t, Tensor::create(v.dtype, v.shape));
      owned.push_back(std::move(t));
      data[static_cast<size_t>(o)] = owned.back().raw();
      step_bytes += owned.back().bytes();
    }
    if (!alias && step_bytes > profile.largest_step_bytes) {
      profile.largest_step_bytes = step_bytes;
      profile.largest_step = node.name;
    }
    if (alias) continue;
    if (step.kernel->scratch_bytes()) {
      WEBCNN_ASSIGN(step.scratch, Tensor::create(DataType::kUInt8, {static_cast<int64_t>(step.kernel->scratch_bytes())}));
    }
    for (ValueId id : node.inputs)
      step.in.push_back(id == kNoValue ? TensorView{}
                                       : TensorView{g.value(id).dtype, &g.value(id).shape, data[static_cast<size_t>(id)]});
    for (ValueId id : node.outputs)
      step.out.push_back(id == kNoValue ? TensorView{}
                                        : TensorView{g.value(id).dtype, &g.value(id).shape, data[static_cast<size_t>(id)]});
    steps.push_back(std::move(step));
  }

  std::vector<std::vector<double>> samples(steps.size());
  std::vector<double> totals;
  for (int r = 0; r < warmup + runs; ++r) {
    double total = 0;
    for (size_t s = 0; s < steps.size(); ++s) {
      Step& step = steps[s];
      KernelIO io;
      io.in = step.in.data();
      io.num_in = static_cast<int>(step.in.size());
      io.out = step.out.data();
      io.num_out = static_cast<int>(step.out.size());
      io.scratch = step.scratch.bytes() ? step.scratch.raw() : nullptr;
      const Clock::time_point t0 = Clock::now();
      WEBCNN_TRY(step.kernel->run(io));
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      total += ms;
      if (r >= warmup) samples[s].push_back(ms);
    }
    if (r >= warmup) totals.push_back(total);
  }
  profile.whole_run_median_ms = median_of(totals);
  for (size_t s = 0; s < steps.size(); ++s) {
    const Node& node = g.nodes[steps[s].node];
    NodeTiming t;
    t.name = node.name;
    const std::string window = window_kind(node, g);
    t.kind = window.empty() ? node.op : node.op + " " + window;
    t.output_shape = node.outputs.empty() || node.outputs[0] == kNoValue ? Shape{} : g.value(node.outputs[0]).shape;
    t.macs = node_macs(node, g);
    t.median_ms = median_of(samples[s]);
    profile.nodes.push_back(std::move(t));
  }
  return profile;
}

void print_profile(const OpProfile& p, int top) {
  double sum = 0;
  for (const NodeTiming& n : p.nodes) sum += n.median_ms;
  struct Group { int nodes = 0; double ms = 0; int64_t macs = 0; };
  std::map<std::string, Group> groups;
  for (const NodeTiming& n : p.nodes) {
    Group& gr = groups[n.kind];
    ++gr.nodes;
    gr.ms += n.median_ms;
    gr.macs += n.macs;
  }
  std::vector<std::pair<std::string, Group>> by_time(groups.begin(), groups.end());
  std::sort(by_time.begin(), by_time.end(), [](const auto& a, const auto& b) { return a.second.ms > b.second.ms; });
  auto gflops = [](int64_t macs, double ms) { return macs > 0 && ms > 0 ? 2.0 * static_cast<double>(macs) / (ms * 1e6) : 0.0; };

  std::printf("profile: %zu node%s; per-node medians sum to %.3f ms, whole-run median %.3f ms (own buffers, not the arena)\n",
              p.nodes.size(), p.nodes.size() == 1 ? "" : "s", sum, p.whole_run_median_ms);
  std::printf("by op kind:\n  %-24s %5s %9s %7s %8s\n", "kind", "nodes", "ms/run", "share", "GFLOP/s");
  for (const auto& [kind, gr] : by_time) {
    std::printf("  %-24s %5d %9.3f %6.1f%%", kind.c_str(), gr.nodes, gr.ms, sum > 0 ? 100.0 * gr.ms / sum : 0.0);
    if (gr.macs) std::printf(" %8.2f", gflops(gr.macs, gr.ms));
    std::printf("\n");
  }
  std::vector<const NodeTiming*> slowest;
  for (const NodeTiming& n : p.nodes) slowest.push_back(&n);
  std::sort(slowest.begin(), slowest.end(), [](const NodeTiming* a, const NodeTiming* b) { return a->median_ms > b->median_ms; });
  if (top < static_cast<int>(slowest.size())) slowest.resize(static_cast<size_t>(std::max(top, 0)));
  std::printf("slowest %zu nodes:\n  %9s %7s %8s  %-20s %-18s %s\n", slowest.size(), "ms", "share", "GFLOP/s", "kind",
              "output", "node");
  for (const NodeTiming* n : slowest) {
    std::printf("  %9.3f %6.1f%% ", n->median_ms, sum > 0 ? 100.0 * n->median_ms / sum : 0.0);
    if (n->macs) std::printf("%8.2f", gflops(n->macs, n->median_ms));
    else std::printf("%8s", "");
    std::printf("  %-20s %-18s %s\n", n->kind.c_str(), shape_to_string(n->output_shape).c_str(), n->name.c_str());
  }
  std::printf("largest step working set (non-constant inputs + outputs): %zu bytes (%s)\n", p.largest_step_bytes,
              p.largest_step.c_str());
}

}  // namespace webcnn::cli
