#include "op_profile.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace webcnn::cli {

void print_profile(const OpProfile& p, int top) {
  double sum = 0;
  for (const NodeTiming& n : p.nodes) sum += n.median_ms;
  struct Group {
    int nodes = 0;
    double ms = 0;
    int64_t macs = 0;
  };
  std::map<std::string, Group> groups;
  for (const NodeTiming& n : p.nodes) {
    Group& gr = groups[n.kind];
    ++gr.nodes;
    gr.ms += n.median_ms;
    gr.macs += n.macs;
  }
  std::vector<std::pair<std::string, Group>> by_time(groups.begin(), groups.end());
  std::sort(by_time.begin(), by_time.end(), [](const auto& a, const auto& b) { return a.second.ms > b.second.ms; });
  auto gflops = [](int64_t macs, double ms) {
    return macs > 0 && ms > 0 ? 2.0 * static_cast<double>(macs) / (ms * 1e6) : 0.0;
  };

  std::printf(
      "profile: %zu node%s; per-node medians sum to %.3f ms, whole-run median %.3f ms (the planned arena, a clock read "
      "per node)\n",
      p.nodes.size(), p.nodes.size() == 1 ? "" : "s", sum, p.whole_run_median_ms);
  std::printf("by op kind:\n  %-24s %5s %9s %7s %8s\n", "kind", "nodes", "ms/run", "share", "GFLOP/s");
  for (const auto& [kind, gr] : by_time) {
    std::printf("  %-24s %5d %9.3f %6.1f%%", kind.c_str(), gr.nodes, gr.ms, sum > 0 ? 100.0 * gr.ms / sum : 0.0);
    if (gr.macs) std::printf(" %8.2f", gflops(gr.macs, gr.ms));
    std::printf("\n");
  }
  std::vector<const NodeTiming*> slowest;
  for (const NodeTiming& n : p.nodes) slowest.push_back(&n);
  std::sort(slowest.begin(), slowest.end(),
            [](const NodeTiming* a, const NodeTiming* b) { return a->median_ms > b->median_ms; });
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
