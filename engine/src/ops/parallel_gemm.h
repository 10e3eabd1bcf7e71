// kernels::gemm_f32 spread over the engine's threads (core/thread_pool.h), for Conv, MatMul and Gemm.
//
// C is cut into whole microkernel tiles — runs of rows that are a multiple of every microkernel's row count,
// or runs of full kGemmNR-column panels (the last run keeps the tail panel, so its panels have the widths
// they have in the whole B) — and each task calls gemm_f32 on its part. Every element of C is still
// computed by the same microkernel with the same K order, so the result is bit-identical to one gemm_f32
// call on any thread count.
#pragma once

#include <algorithm>
#include <cstddef>
#include <numeric>

#include "core/thread_pool.h"
#include "kernels/gemm.h"
#include "ops/fused_activation.h"

namespace webcnn {

// Below this many multiply-adds a job is not worth waking threads for (a hand-off costs a few µs,
// about what a core does in ~20k multiply-adds).
constexpr size_t kMinParallelMacs = size_t{1} << 16;
// Tasks per thread: several, so a thread descheduled by another process holds up only a small task while
// the others take the rest.
constexpr size_t kTasksPerThread = 8;

// Splits `count` units into at most `max_tasks` equal runs; returns the units per run (≥ 1).
inline size_t units_per_task(size_t count, size_t max_tasks) {
  const size_t tasks = std::max<size_t>(1, std::min(count, max_tasks));
  return (count + tasks - 1) / tasks;
}

// Same contract as kernels::gemm_f32; uses at most `max_threads` threads.
inline void parallel_gemm_f32(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const float* packed_b,
                              float* c, size_t c_stride, const FusedActivation& act, size_t max_threads,
                              const float* residual = nullptr, size_t residual_stride = 0) {
  ThreadPool& pool = ThreadPool::global();
  const size_t threads = std::min(max_threads, static_cast<size_t>(pool.size()));
  if (threads <= 1 || m * n * std::max<size_t>(k, 1) < kMinParallelMacs) {
    kernels::gemm_f32(m, n, k, a, a_stride, packed_b, c, c_stride, act, residual, residual_stride);
    return;
  }
  constexpr size_t kRowUnit = std::lcm(kernels::kGemmMR, kernels::kGemmMRTail);
  const size_t row_tiles = (m + kRowUnit - 1) / kRowUnit;
  const size_t panels = (n + kernels::kGemmNR - 1) / kernels::kGemmNR;
  const size_t want_tasks = threads * kTasksPerThread;
  // Each row task reads all of B, each column task all of A: split the dimension that re-reads less.
  const bool by_rows = m >= n ? row_tiles >= threads : panels < threads;
  if (by_rows) {
    const size_t rows = units_per_task(row_tiles, want_tasks) * kRowUnit;
    pool.parallel_for((m + rows - 1) / rows, threads, [&](size_t task, size_t) {
      const size_t r0 = task * rows, r1 = std::min(m, r0 + rows);
      kernels::gemm_f32(r1 - r0, n, k, a + r0 * a_stride, a_stride, packed_b, c + r0 * c_stride, c_stride, act,
                        residual ? residual + r0 * residual_stride : nullptr, residual_stride);
    });
  } else {
    const size_t cols = units_per_task(panels, want_tasks) * kernels::kGemmNR;
    pool.parallel_for((n + cols - 1) / cols, threads, [&](size_t task, size_t) {
      const size_t c0 = task * cols, c1 = std::min(n, c0 + cols);
      // The full panels before c0 take gemm_packed_b_floats(k, c0) floats.
      kernels::gemm_f32(m, c1 - c0, k, a, a_stride, packed_b + kernels::gemm_packed_b_floats(k, c0), c + c0, c_stride,
                        act, residual ? residual + c0 : nullptr, residual_stride);
    });
  }
}

}  // namespace webcnn
