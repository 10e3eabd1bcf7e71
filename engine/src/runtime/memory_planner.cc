#include "runtime/memory_planner.h"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace webcnn {

namespace {
size_t align64(size_t n) { return (n + 63) / 64 * 64; }
bool overlap_in_time(const BufferLifetime& a, const BufferLifetime& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}
}  // namespace

ArenaLayout plan_arena(const std::vector<BufferLifetime>& buffers) {
  ArenaLayout layout;
  layout.offsets.assign(buffers.size(), 0);
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return buffers[a].bytes > buffers[b].bytes; });
  std::vector<size_t> placed;  // indices already given an offset, sorted by offset
  for (size_t i : order) {
    size_t need = align64(buffers[i].bytes);
    layout.sum_bytes += need;
    // Scan placed buffers that overlap in time, in offset order, for the smallest gap that fits.
    size_t best = SIZE_MAX, best_gap = SIZE_MAX, cursor = 0;
    for (size_t p : placed) {
      if (!overlap_in_time(buffers[i], buffers[p])) continue;
      size_t start = layout.offsets[p];
      if (start >= cursor && start - cursor >= need && start - cursor < best_gap) {
        best = cursor;
        best_gap = start - cursor;
      }
      cursor = std::max(cursor, start + align64(buffers[p].bytes));
    }
    if (best == SIZE_MAX) best = cursor;
    layout.offsets[i] = best;
    layout.total_bytes = std::max(layout.total_bytes, best + need);
    placed.insert(std::upper_bound(placed.begin(), placed.end(), best,
                                   [&](size_t off, size_t q) { return off < layout.offsets[q]; }),
                  i);
  }
  return layout;
}

}  // namespace webcnn
