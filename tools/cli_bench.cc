// `webcnn bench MODEL`: how long one run of a model takes natively, on one thread: warm-up runs, then the
// median (and spread) of timed runs on the steady clock; with --profile, where that time goes per op kind
// and per node (op_profile.h). bench/run.mjs drives it beside onnxruntime-node.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <vector>

#include "cli_common.h"
#include "npy.h"
#include "op_profile.h"
#include "webcnn/build_info.h"

namespace webcnn::cli {
namespace {

const char kUsage[] =
    "usage: webcnn bench MODEL [--runs N] [--warmup N] [--input NAME=FILE.npy ...] [--profile] [--top N]\n"
    "\n"
    "  --runs N        timed runs (default 40); the median, min and 90th percentile are printed\n"
    "  --warmup N      untimed runs first (default 10)\n"
    "  --input ...     a graph input from a .npy file; inputs not given get deterministic pseudo-random\n"
    "                  values in [-1, 1) (integer inputs: zeros), with free dimensions taken as 1\n"
    "  --profile       also time every node (same runs/warm-up) and print time per op kind and the\n"
    "                  slowest nodes\n"
    "  --top N         how many slowest nodes --profile lists (default 15)\n"
    "\n"
    "One thread, std::chrono::steady_clock. GFLOP/s = 2 x MACs (Conv/Gemm/MatMul) / median time.\n";

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

// A tensor for `spec` when no file was given: floats pseudo-random in [-1, 1) (a fixed LCG, so every run
// of the tool sees the same values), integers zero.
Result<Tensor> synthetic_input(const TensorSpec& spec) {
  Shape shape = spec.shape;
  for (int64_t& d : shape) d = d < 0 ? 1 : d;
  // A float64 input takes float32 data too (what it is computed in): the same values as a float32 one.
  WEBCNN_ASSIGN(Tensor t, Tensor::create(spec.dtype == DataType::kFloat64 ? DataType::kFloat32 : spec.dtype, shape));
  if (t.dtype() == DataType::kFloat32) {
    uint32_t state = 12345;
    float* p = t.data<float>();
    for (int64_t i = 0; i < t.size(); ++i) {
      state = state * 1664525u + 1013904223u;
      p[i] = static_cast<float>(state >> 8) / static_cast<float>(1 << 24) * 2.0f - 1.0f;
    }
  }
  return t;
}

}  // namespace

int command_bench(const std::vector<std::string>& raw_args) {
  // --profile is the one option without a value; take it out before the common parser sees the rest.
  bool profile = false;
  std::vector<std::string> args;
  for (const std::string& a : raw_args) {
    if (a == "--profile") profile = true;
    else args.push_back(a);
  }
  Result<ParsedArgs> parsed = parse_args(args, {"--runs", "--warmup", "--input", "--top"});
  if (!parsed.is_ok()) return usage_error("bench", parsed.status().message(), kUsage);
  if (parsed->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (Status st = check_single(*parsed, {"--runs", "--warmup", "--top"}); !st.is_ok())
    return usage_error("bench", st.message(), kUsage);
  if (parsed->positional.size() != 1) return usage_error("bench", "expected exactly one MODEL", kUsage);
  int64_t runs = 40, warmup = 10, top = 15;
  const std::pair<const char*, int64_t*> counts[] = {{"--runs", &runs}, {"--warmup", &warmup}, {"--top", &top}};
  for (const auto& [name, target] : counts) {
    const std::string* text = parsed->single(name);
    if (!text) continue;
    Result<int64_t> v = parse_int(*text, name);
    if (!v.is_ok()) return usage_error("bench", v.status().message(), kUsage);
    const int64_t least = target == &runs ? 1 : 0;
    if (*v < least || *v > 1000000)
      return usage_error("bench",
                         std::string(name) + " must be between " + std::to_string(least) + " and 1000000, got " + *text,
                         kUsage);
    *target = *v;
  }

  using Clock = std::chrono::steady_clock;
  const std::string& path = parsed->positional[0];
  const Clock::time_point load_start = Clock::now();
  Result<std::unique_ptr<Model>> loaded = Model::load_file(path);
  const double load_ms = std::chrono::duration<double, std::milli>(Clock::now() - load_start).count();
  if (!loaded.is_ok()) return fail(loaded.status().message());
  Model& model = **loaded;

  std::map<std::string, Tensor> tensors;
  for (const auto& [key, value] : parsed->options) {
    if (key != "--input") continue;
    const size_t eq = value.find('=');
    std::string name = eq == std::string::npos ? "" : value.substr(0, eq);
    const std::string file = eq == std::string::npos ? value : value.substr(eq + 1);
    if (name.empty()) {
      if (model.inputs().size() != 1)
        return usage_error(
            "bench",
            "the model has " + std::to_string(model.inputs().size()) + " inputs; name each one (--input NAME=FILE.npy)",
            kUsage);
      name = model.inputs()[0].name;
    }
    if (tensors.count(name)) return usage_error("bench", "input '" + name + "' given more than once", kUsage);
    Result<Tensor> t = npy::read_file(file);
    if (!t.is_ok()) return fail(t.status().message());
    tensors.emplace(name, std::move(t).value());
  }
  std::printf("model: %s\n", path.c_str());
  for (const TensorSpec& spec : model.inputs()) {
    const bool from_file = tensors.count(spec.name) != 0;
    if (!from_file) {
      Result<Tensor> t = synthetic_input(spec);
      if (!t.is_ok()) return fail(path + ": input '" + spec.name + "': " + t.status().message());
      tensors.emplace(spec.name, std::move(t).value());
    }
    const Tensor& t = tensors.at(spec.name);
    std::printf("input: %s %s %s (%s)\n", spec.name.c_str(), dtype_name(t.dtype()), shape_to_string(t.shape()).c_str(),
                from_file                          ? "from file"
                : spec.dtype == DataType::kFloat32 ? "pseudo-random in [-1, 1)"
                                                   : "zeros");
  }
  std::map<std::string, const Tensor*> feed;
  for (const auto& kv : tensors) feed[kv.first] = &kv.second;

  std::vector<double> ms;
  double first_run_ms = 0;
  for (int64_t r = 0; r < warmup + runs; ++r) {
    const Clock::time_point t0 = Clock::now();
    Result<std::vector<Tensor>> out = model.run(feed);
    const double elapsed = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!out.is_ok()) return fail(path + ": " + out.status().message());
    if (r == 0) first_run_ms = elapsed;
    if (r >= warmup) ms.push_back(elapsed);
  }
  Result<ModelSummary> summary = model.summary();
  if (!summary.is_ok()) return fail(path + ": " + summary.status().message());
  const double median = percentile(ms, 0.5);
  std::printf("runs: %lld timed after %lld warm-up, one thread, steady clock\n", static_cast<long long>(runs),
              static_cast<long long>(warmup));
  std::printf("kernels: %s (WEBCNN_ISA=avx2|sse2|scalar forces one)\n", simd_backend());
  std::printf("time_ms: median %.3f min %.3f p90 %.3f\n", median, percentile(ms, 0.0), percentile(ms, 0.9));
  std::printf("load_ms: %.3f (file read, import, planning)\nfirst_run_ms: %.3f\n", load_ms, first_run_ms);
  std::printf("MACs: %s -> %.2f GFLOP/s at the median\n", format_count(summary->macs).c_str(),
              2.0 * static_cast<double>(summary->macs) / (median * 1e6));
  std::printf("arena: %s\n", format_bytes(summary->arena_bytes).c_str());
  std::printf("intermediates (unshared): %s\n", format_bytes(summary->intermediates_bytes).c_str());

  if (profile) {
    Result<OpProfile> p = model.profile(feed, static_cast<int>(warmup), static_cast<int>(runs));
    if (!p.is_ok()) return fail(path + ": profile: " + p.status().message());
    print_profile(*p, static_cast<int>(top));
  }
  return 0;
}

}  // namespace webcnn::cli
