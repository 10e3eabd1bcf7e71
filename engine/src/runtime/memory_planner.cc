#include "runtime/memory_planner.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <set>
#include <utility>

namespace webcnn {

// Greedy by size, best fit: each buffer, largest first, goes into the smallest gap left between the placed
// buffers alive at the same time (lowest offset among equal gaps), else on top of them. Visiting every
// placed buffer per buffer made loading a 100k-node graph take a minute (issue 18), so the buffers alive
// together are found through indexes over time instead, with the same results:
// - when every placed buffer is alive with the new one (a wide fan-in), the gaps of all of them are kept
//   in an ordered set, updated per placement;
// - when few are (chains, most CNNs), they are collected from a lifetime index and sorted by offset;
// - otherwise the placed buffers are scanned as before.
// Buffers of 0 bytes take no room and do not split gaps: they get offset 0 and are not placed.

namespace {

size_t align64(size_t n) { return (n + 63) / 64 * 64; }

// How many placed buffers have a coordinate below a given one (Fenwick tree).
class CountBelow {
 public:
  explicit CountBelow(size_t n) : tree_(n + 1, 0) {}
  void add(size_t i) {
    for (++i; i < tree_.size(); i += i & (~i + 1)) ++tree_[i];
  }
  size_t below(size_t i) const {  // count of coordinates < i
    size_t s = 0;
    for (; i > 0; i -= i & (~i + 1)) s += tree_[i];
    return s;
  }

 private:
  std::vector<size_t> tree_;
};

// Placed buffers by lifetime: each stored at the O(log n) segment-tree nodes covering it, so those alive at
// one step are found in O(log n + answers).
class LifetimeIndex {
 public:
  explicit LifetimeIndex(size_t n) : n_(n), nodes_(4 * n + 4) {}
  void insert(size_t lo, size_t hi, size_t buffer) { insert(1, 0, n_ - 1, lo, hi, buffer); }
  template <class F>
  void alive_at(size_t t, F&& f) const {
    size_t node = 1, l = 0, r = n_ - 1;
    for (;;) {
      for (size_t b : nodes_[node]) f(b);
      if (l == r) return;
      size_t m = l + (r - l) / 2;
      if (t <= m) {
        node = 2 * node;
        r = m;
      } else {
        node = 2 * node + 1;
        l = m + 1;
      }
    }
  }

 private:
  void insert(size_t node, size_t l, size_t r, size_t lo, size_t hi, size_t b) {
    if (hi < l || r < lo) return;
    if (lo <= l && r <= hi) {
      nodes_[node].push_back(b);
      return;
    }
    size_t m = l + (r - l) / 2;
    insert(2 * node, l, m, lo, hi, b);
    insert(2 * node + 1, m + 1, r, lo, hi, b);
  }
  size_t n_;
  std::vector<std::vector<size_t>> nodes_;
};

// The free gaps below the top of the union of placed byte ranges.
class FreeGaps {
 public:
  // Smallest gap of at least `need` bytes (lowest offset among equal ones), else the top.
  size_t best_fit(size_t need) const {
    auto it = by_size_.lower_bound({need, 0});
    return it != by_size_.end() ? it->second : top_;
  }
  void occupy(size_t start, size_t end) {
    auto it = by_start_.upper_bound(start);
    if (it != by_start_.begin()) --it;
    while (it != by_start_.end() && it->first < end) {
      const size_t gap_start = it->first, gap_end = it->second;
      if (gap_end <= start) {
        ++it;
        continue;
      }
      by_size_.erase({gap_end - gap_start, gap_start});
      it = by_start_.erase(it);
      if (gap_start < start) add(gap_start, start);
      if (end < gap_end) add(end, gap_end);
    }
    if (end > top_) {
      if (start > top_) add(top_, start);
      top_ = end;
    }
  }

 private:
  void add(size_t start, size_t end) {
    by_start_[start] = end;
    by_size_.insert({end - start, start});
  }
  std::map<size_t, size_t> by_start_;
  std::set<std::pair<size_t, size_t>> by_size_;  // (size, start)
  size_t top_ = 0;
};

}  // namespace

ArenaLayout plan_arena(const std::vector<BufferLifetime>& buffers) {
  const size_t n = buffers.size();
  ArenaLayout layout;
  layout.offsets.assign(n, 0);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return buffers[a].bytes > buffers[b].bytes; });

  // Steps compressed to 0..T-1, so the indexes are sized by the buffers, not by INT_MAX.
  std::vector<int> steps;
  steps.reserve(2 * n);
  for (const BufferLifetime& b : buffers) {
    steps.push_back(b.first_step);
    steps.push_back(b.last_step);
  }
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  auto coord = [&](int s) {
    return static_cast<size_t>(std::lower_bound(steps.begin(), steps.end(), s) - steps.begin());
  };
  std::vector<size_t> lo(n), hi(n);
  for (size_t i = 0; i < n; ++i) {
    lo[i] = coord(buffers[i].first_step);
    hi[i] = coord(std::max(buffers[i].first_step, buffers[i].last_step));
  }

  const size_t num_steps = std::max<size_t>(steps.size(), 1);
  CountBelow first_steps(num_steps), last_steps(num_steps);
  LifetimeIndex alive(num_steps);
  std::map<size_t, std::vector<size_t>> by_first_step;
  std::set<std::pair<size_t, size_t>> placed;  // (offset, placement number): the order gaps are scanned in
  std::vector<size_t> placement(n, 0), placed_buffer;
  FreeGaps gaps;
  std::vector<size_t> candidates;

  for (size_t i : order) {
    const size_t need = align64(buffers[i].bytes);
    layout.sum_bytes += need;
    if (need == 0) continue;
    const size_t a = lo[i], b = hi[i], count = placed_buffer.size();
    const size_t overlapping = count - last_steps.below(a) - (count - first_steps.below(b + 1));
    size_t best;
    if (overlapping == count) {
      best = gaps.best_fit(need);
    } else {
      size_t best_gap = SIZE_MAX, cursor = 0;
      best = SIZE_MAX;
      auto visit = [&](size_t p) {
        const size_t start = layout.offsets[p];
        if (start >= cursor && start - cursor >= need && start - cursor < best_gap) {
          best = cursor;
          best_gap = start - cursor;
        }
        cursor = std::max(cursor, start + align64(buffers[p].bytes));
      };
      if (overlapping * 16 <= count) {
        // Alive together = born within [a, b], or born before a and still alive at a.
        candidates.clear();
        for (auto it = by_first_step.lower_bound(a); it != by_first_step.end() && it->first <= b; ++it)
          candidates.insert(candidates.end(), it->second.begin(), it->second.end());
        alive.alive_at(a, [&](size_t p) {
          if (lo[p] < a) candidates.push_back(p);
        });
        std::sort(candidates.begin(), candidates.end(), [&](size_t p, size_t q) {
          return std::make_pair(layout.offsets[p], placement[p]) < std::make_pair(layout.offsets[q], placement[q]);
        });
        for (size_t p : candidates) visit(p);
      } else {
        for (const auto& entry : placed) {
          const size_t p = placed_buffer[entry.second];
          if (lo[p] <= b && a <= hi[p]) visit(p);
        }
      }
      if (best == SIZE_MAX) best = cursor;
    }
    layout.offsets[i] = best;
    layout.total_bytes = std::max(layout.total_bytes, best + need);
    placement[i] = count;
    placed.insert({best, count});
    placed_buffer.push_back(i);
    first_steps.add(a);
    last_steps.add(b);
    alive.insert(a, b, i);
    by_first_step[a].push_back(i);
    gaps.occupy(best, best + need);
  }
  return layout;
}

}  // namespace webcnn
