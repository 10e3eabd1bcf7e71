#include "core/thread_pool.h"

#include <algorithm>
#include <chrono>

#include "webcnn/threads.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace webcnn {

namespace {

// Set while a thread runs tasks of a job: a parallel_for from inside a task runs inline.
thread_local bool t_in_job = false;

// How long an idle thread polls before it sleeps: longer than the gap between two layers of one
// inference, far shorter than the gap between two inferences.
constexpr auto kSpinTime = std::chrono::microseconds(200);

inline void cpu_relax() {
#if defined(__SSE2__)
  _mm_pause();
#endif
}

// Polls `done()` for up to kSpinTime; true when it came true. Every 64 polls it reads the clock and
// yields the core: on a machine with more runnable threads than cores, the thread we wait for may be
// waiting for this very core.
template <typename Done>
bool spin_until(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
  for (int i = 1;; ++i) {
    if (done()) return true;
    cpu_relax();
    if (i % 64 == 0) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::yield();
    }
  }
}

}  // namespace

ThreadPool& ThreadPool::global() {
  static ThreadPool pool;
  return pool;
}

ThreadPool::~ThreadPool() { stop_workers(); }

int ThreadPool::max_threads() {
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
  return 1;
#else
  return kMaxThreads;
#endif
}

int ThreadPool::resize(int threads) {
  threads = std::clamp(threads, 1, max_threads());
  std::lock_guard<std::mutex> job_lock(caller_mutex_);
  if (threads == size()) return threads;
  stop_workers();
  stopping_.store(false);
  workers_.reserve(static_cast<size_t>(threads - 1));
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_main(); });
  return threads;
}

void ThreadPool::stop_workers() {
  if (workers_.empty()) return;
  stopping_.store(true);
  job_word_.store(((job_word_.load() >> 8) + 1) << 8);
  {
    std::lock_guard<std::mutex> lock(sleep_mutex_);
    job_cv_.notify_all();
  }
  for (std::thread& t : workers_) t.join();
  workers_.clear();
  started_workers_.store(0);
}

void ThreadPool::work(size_t thread) {
  t_in_job = true;
  for (size_t task; (task = next_task_.fetch_add(1, std::memory_order_relaxed)) < tasks_;) fn_(context_, task, thread);
  t_in_job = false;
}

void ThreadPool::worker_main() {
  // Read the current word before announcing ourselves: a job published after a caller counted us is then
  // a new word, one published before it did not count on us.
  uint32_t seen = job_word_.load();
  const size_t thread = static_cast<size_t>(started_workers_.fetch_add(1) + 1);
  // A worker started just before a stop may have read the stop's word as `seen`: stopping_ ends it too.
  auto woken = [&] { return job_word_.load(std::memory_order_acquire) != seen || stopping_.load(); };
  for (;;) {
    if (!spin_until(woken)) {
      std::unique_lock<std::mutex> lock(sleep_mutex_);
      sleeping_workers_.fetch_add(1);
      job_cv_.wait(lock, woken);
      sleeping_workers_.fetch_sub(1);
    }
    seen = job_word_.load(std::memory_order_acquire);
    if (stopping_.load()) return;
    if (thread >= (seen & 0xffu)) continue;  // no open job, or not needed for this one
    // Join, then check the job is still open: either the caller's close sees us joined and waits for us,
    // or we see the close and leave.
    joined_workers_.fetch_add(1);
    if (job_word_.load() == seen) work(thread);
    if (joined_workers_.fetch_sub(1) == 1 && caller_sleeping_.load()) {
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      done_cv_.notify_one();
    }
  }
}

void ThreadPool::run(size_t tasks, size_t max_threads, TaskFn fn, void* context) {
  auto inline_run = [&] {
    for (size_t t = 0; t < tasks; ++t) fn(context, t, 0);
  };
  if (tasks <= 1 || max_threads <= 1 || workers_.empty() || t_in_job || !caller_mutex_.try_lock()) {
    inline_run();
    return;
  }
  std::lock_guard<std::mutex> job_lock(caller_mutex_, std::adopt_lock);
  const size_t active = std::min({max_threads, tasks, static_cast<size_t>(started_workers_.load()) + 1});
  if (active <= 1) {
    inline_run();
    return;
  }
  fn_ = fn;
  context_ = context;
  tasks_ = tasks;
  next_task_.store(0, std::memory_order_relaxed);
  const uint32_t generation = (job_word_.load(std::memory_order_relaxed) >> 8) + 1;
  job_word_.store((generation << 8) | static_cast<uint32_t>(active));
  if (sleeping_workers_.load() > 0) {
    std::lock_guard<std::mutex> lock(sleep_mutex_);
    job_cv_.notify_all();
  }
  work(0);
  // Every task is taken: close the job, then wait for the workers that joined to finish theirs.
  job_word_.store((generation + 1) << 8);
  if (!spin_until([&] { return joined_workers_.load(std::memory_order_acquire) == 0; })) {
    std::unique_lock<std::mutex> lock(sleep_mutex_);
    caller_sleeping_.store(true);
    done_cv_.wait(lock, [&] { return joined_workers_.load() == 0; });
    caller_sleeping_.store(false);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The public knob (webcnn/threads.h).

int set_thread_count(int count) { return ThreadPool::global().resize(count); }
int thread_count() { return ThreadPool::global().size(); }
int max_thread_count() { return ThreadPool::max_threads(); }

}  // namespace webcnn
