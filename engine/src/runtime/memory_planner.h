// Places intermediate tensors in one arena by liveness: two buffers share bytes only when their
// lifetimes (first and last step that touch them) do not overlap.
#pragma once

#include <cstddef>
#include <vector>

namespace webcnn {

struct BufferLifetime {
  size_t bytes = 0;
  int first_step = 0;  // step that writes it (or -1 for buffers filled before step 0)
  int last_step = 0;   // last step that reads it (INT_MAX for graph outputs)
};

struct ArenaLayout {
  std::vector<size_t> offsets;  // per buffer, 64-byte aligned
  size_t total_bytes = 0;       // the arena's size
  size_t sum_bytes = 0;         // what separate allocations would take, for reports
};

// Greedy best fit, largest buffers first (the "greedy by size" strategy of TFLite's arena planner).
ArenaLayout plan_arena(const std::vector<BufferLifetime>& buffers);

}  // namespace webcnn
