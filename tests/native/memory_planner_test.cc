// The arena planner against the quadratic one it replaced (kept here as the reference): on random
// lifetimes it must place every buffer at the same offset, and never give two buffers alive at the same
// step overlapping bytes.
#include <doctest/doctest.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>

#include "runtime/memory_planner.h"

using namespace webcnn;

namespace {

size_t align64(size_t n) { return (n + 63) / 64 * 64; }
bool alive_together(const BufferLifetime& a, const BufferLifetime& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

// Greedy by size, best fit, scanning every placed buffer per buffer: O(n^2), obviously right.
ArenaLayout reference_plan(const std::vector<BufferLifetime>& buffers) {
  ArenaLayout layout;
  layout.offsets.assign(buffers.size(), 0);
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return buffers[a].bytes > buffers[b].bytes; });
  std::vector<size_t> placed;  // sorted by offset, ties in placement order
  for (size_t i : order) {
    size_t need = align64(buffers[i].bytes);
    layout.sum_bytes += need;
    size_t best = SIZE_MAX, best_gap = SIZE_MAX, cursor = 0;
    for (size_t p : placed) {
      if (!alive_together(buffers[i], buffers[p])) continue;
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

// Random lifetimes in one of several shapes: short-lived (chains), long-lived (fan-ins, graph
// inputs/outputs up to INT_MAX), a mix; sizes from a few distinct values so equal sizes and gaps tie.
std::vector<BufferLifetime> random_buffers(std::mt19937& rng, int shape) {
  const int n = std::uniform_int_distribution<int>(1, 300)(rng);
  const int steps = std::uniform_int_distribution<int>(1, 2 * n)(rng);
  std::vector<BufferLifetime> buffers;
  const size_t sizes[] = {1, 64, 100, 128, 1000, 4096, 4097, 65536};
  for (int i = 0; i < n; ++i) {
    BufferLifetime b;
    b.bytes = shape == 3 ? std::uniform_int_distribution<size_t>(1, 5000)(rng) : sizes[rng() % 8];
    b.first_step = std::uniform_int_distribution<int>(-1, steps)(rng);
    int length = shape == 0   ? static_cast<int>(rng() % 3)
                 : shape == 1 ? static_cast<int>(rng() % (steps + 2))
                              : (rng() % 4 == 0 ? static_cast<int>(rng() % (steps + 2)) : static_cast<int>(rng() % 4));
    b.last_step = rng() % 20 == 0 ? INT_MAX : b.first_step + length;
    buffers.push_back(b);
  }
  return buffers;
}

}  // namespace

TEST_CASE("arena planner: same offsets as the reference best fit, and no overlap between buffers alive together") {
  std::mt19937 rng(18);
  for (int trial = 0; trial < 2000; ++trial) {
    const std::vector<BufferLifetime> buffers = random_buffers(rng, trial % 4);
    const ArenaLayout got = plan_arena(buffers);
    const ArenaLayout want = reference_plan(buffers);
    CAPTURE(trial);
    REQUIRE(got.offsets == want.offsets);
    REQUIRE(got.total_bytes == want.total_bytes);
    REQUIRE(got.sum_bytes == want.sum_bytes);
    for (size_t i = 0; i < buffers.size(); ++i) {
      REQUIRE(got.offsets[i] % 64 == 0);
      REQUIRE(got.offsets[i] + buffers[i].bytes <= got.total_bytes);
      for (size_t j = i + 1; j < buffers.size(); ++j)
        if (alive_together(buffers[i], buffers[j]))
          REQUIRE_FALSE((got.offsets[i] < got.offsets[j] + buffers[j].bytes &&
                         got.offsets[j] < got.offsets[i] + buffers[i].bytes));
    }
  }
}

TEST_CASE("arena planner: a wide fan-in (every buffer alive together) is packed without gaps") {
  // 5000 buffers alive until one step, as the inputs of a 5000-way Concat: the fast path for buffers
  // alive with all placed ones must stack them exactly.
  std::vector<BufferLifetime> buffers;
  for (int i = 0; i < 5000; ++i) buffers.push_back({static_cast<size_t>(64 * (1 + i % 3)), i, 5000});
  const ArenaLayout got = plan_arena(buffers);
  CHECK(got.total_bytes == got.sum_bytes);
  CHECK(got.offsets == reference_plan(buffers).offsets);
}

TEST_CASE("arena planner: buffers of 0 bytes take no room") {
  std::vector<BufferLifetime> buffers = {{0, 0, 5}, {128, 0, 5}, {0, 1, 2}, {64, 2, 3}};
  const ArenaLayout got = plan_arena(buffers);
  CHECK(got.total_bytes == 192);
  CHECK(got.offsets[0] == 0);
  CHECK(got.offsets[2] == 0);
}
