// `webcnn info MODEL`: what a model takes and gives, what it is made of, what it costs.
#include <cstdio>

#include "cli_common.h"
#include "webcnn/build_info.h"

namespace webcnn::cli {
namespace {

const char kUsage[] =
    "usage: webcnn info MODEL\n"
    "\n"
    "Prints the model's inputs and outputs (name, dtype, shape; -1 = set at run time; for 8-bit tensors of\n"
    "quantised models the scale and zero point, real = scale * (q - zero_point)), the op histogram,\n"
    "the parameter count (float weight elements), multiply-accumulates of Conv/Gemm/MatMul and the planned\n"
    "arena bytes, all at the declared input shapes (unknown dimensions taken as 1).\n";

void print_specs(const char* title, const std::vector<TensorSpec>& specs) {
  std::printf("%s:\n", title);
  for (const TensorSpec& s : specs) {
    std::printf("  %-24s %-8s %s", s.name.c_str(), dtype_name(s.dtype), shape_to_string(s.shape).c_str());
    if (s.quant.scale.size() == 1)
      std::printf("  scale %.9g zero_point %d", s.quant.scale[0],
                  s.quant.zero_point.empty() ? 0 : s.quant.zero_point[0]);
    else if (!s.quant.empty())
      std::printf("  per-channel along axis %d (%zu scales)", s.quant.axis, s.quant.scale.size());
    std::printf("\n");
  }
}

}  // namespace

int command_info(const std::vector<std::string>& args) {
  Result<ParsedArgs> parsed = parse_args(args, {});
  if (!parsed.is_ok()) return usage_error("info", parsed.status().message(), kUsage);
  if (parsed->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (parsed->positional.size() != 1) return usage_error("info", "expected exactly one MODEL", kUsage);
  const std::string& path = parsed->positional[0];

  Result<std::unique_ptr<Model>> model = Model::load_file(path);
  if (!model.is_ok()) return fail(model.status().message());
  Result<ModelSummary> summary = (*model)->summary();
  if (!summary.is_ok()) return fail(path + ": " + summary.status().message());

  std::printf("model: %s\n", path.c_str());
  print_specs("inputs", (*model)->inputs());
  print_specs("outputs", (*model)->outputs());
  int nodes = 0;
  for (const auto& kv : summary->op_histogram) nodes += kv.second;
  std::printf("ops (%d node%s):\n", nodes, nodes == 1 ? "" : "s");
  for (const auto& [op, count] : summary->op_histogram) std::printf("  %-24s %d\n", op.c_str(), count);
  std::printf("parameters: %s\n", format_count(summary->parameters).c_str());
  std::printf("MACs: %s\n", format_count(summary->macs).c_str());
  std::printf("arena: %s\n", format_bytes(summary->arena_bytes).c_str());
  std::printf("intermediates (unshared): %s\n", format_bytes(summary->intermediates_bytes).c_str());
  std::printf("kernels: %s (the instruction set this CPU runs; WEBCNN_ISA=avx2|sse2|scalar forces one)\n",
              simd_backend());
  return 0;
}

}  // namespace webcnn::cli
