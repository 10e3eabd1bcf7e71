// The engine's thread pool (core/thread_pool.h) and its public knob (webcnn/threads.h): every task runs
// exactly once, thread indices stay below the count, work really runs concurrently, nested and
// single-task jobs run inline, and the count clamps and round-trips.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/thread_pool.h"
#include "webcnn/threads.h"

using namespace webcnn;

// The single-threaded wasm build (no pthreads) clamps every pool to one thread: the tests that need a
// second thread say so and stop there; the clamping itself is checked below.
#define REQUIRE_A_SECOND_THREAD()                                                          \
  if (ThreadPool::max_threads() < 2) {                                                     \
    MESSAGE("this build has no threads (max_threads() == 1): nothing concurrent to test"); \
    return;                                                                                \
  }

TEST_CASE("ThreadPool runs every task exactly once on thread indices below the count") {
  for (int threads : {1, 2, 3, 4}) {
    if (threads > ThreadPool::max_threads()) break;
    ThreadPool pool;
    CHECK(pool.resize(threads) == threads);
    CHECK(pool.size() == threads);
    for (size_t tasks : {0, 1, 2, 7, 64, 1000}) {
      for (size_t max_threads : {size_t{1}, size_t{2}, size_t{64}}) {
        std::vector<std::atomic<int>> runs(tasks);
        std::atomic<size_t> max_index{0};
        pool.parallel_for(tasks, max_threads, [&](size_t task, size_t thread) {
          runs[task].fetch_add(1);
          size_t seen = max_index.load();
          while (thread > seen && !max_index.compare_exchange_weak(seen, thread)) {}
        });
        for (size_t t = 0; t < tasks; ++t) REQUIRE(runs[t].load() == 1);
        CHECK(max_index.load() < std::min<size_t>(max_threads, static_cast<size_t>(threads)));
      }
    }
  }
}

TEST_CASE("ThreadPool runs tasks concurrently, and many short jobs in a row") {
  REQUIRE_A_SECOND_THREAD();
  ThreadPool pool;
  REQUIRE(pool.resize(2) == 2);
  // Task 0 waits (up to 10 s) for task 1 to start: only a second thread can start it.
  std::atomic<bool> second_started{false};
  bool overlapped = false;
  for (int attempt = 0; attempt < 3 && !overlapped; ++attempt) {
    second_started = false;
    std::atomic<bool> saw{false};
    pool.parallel_for(2, 2, [&](size_t task, size_t) {
      if (task == 1) {
        second_started = true;
        return;
      }
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (!second_started.load() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
      saw = second_started.load();
    });
    overlapped = saw.load();
  }
  CHECK(overlapped);

  // Back-to-back jobs (the workers spin between them) and jobs after a pause (the workers slept).
  std::atomic<long> sum{0};
  for (int job = 0; job < 2000; ++job)
    pool.parallel_for(4, 2, [&](size_t task, size_t) { sum.fetch_add(static_cast<long>(task) + 1); });
  CHECK(sum.load() == 2000 * 10);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  pool.parallel_for(4, 2, [&](size_t task, size_t) { sum.fetch_add(static_cast<long>(task) + 1); });
  CHECK(sum.load() == 2001 * 10);
}

TEST_CASE("ThreadPool: a parallel_for inside a task runs inline on that thread") {
  REQUIRE_A_SECOND_THREAD();
  ThreadPool& pool = ThreadPool::global();
  const int before = thread_count();
  REQUIRE(set_thread_count(2) == 2);
  std::atomic<int> inner_runs{0}, wrong_thread{0};
  pool.parallel_for(4, 2, [&](size_t, size_t outer_thread) {
    std::thread::id me = std::this_thread::get_id();
    pool.parallel_for(8, 2, [&](size_t, size_t inner_thread) {
      inner_runs.fetch_add(1);
      if (inner_thread != 0 || std::this_thread::get_id() != me) wrong_thread.fetch_add(1);
    });
    (void)outer_thread;
  });
  CHECK(inner_runs.load() == 32);
  CHECK(wrong_thread.load() == 0);
  set_thread_count(before);
}

TEST_CASE("set_thread_count clamps to [1, max_thread_count()] and thread_count reports it") {
  const int before = thread_count();
  CHECK(max_thread_count() >= 1);
  CHECK(set_thread_count(0) == 1);
  CHECK(thread_count() == 1);
  CHECK(set_thread_count(-5) == 1);
  const int two = set_thread_count(2);
  CHECK(two == std::min(2, max_thread_count()));
  CHECK(thread_count() == two);
  CHECK(set_thread_count(1 << 20) == max_thread_count());
  CHECK(set_thread_count(1) == 1);
  CHECK(thread_count() == 1);
  set_thread_count(before);
}
