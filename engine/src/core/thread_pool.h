// The engine's worker threads (see webcnn/threads.h for the public knob): a fixed set of workers that
// run `parallel_for` jobs together with the calling thread.
//
// A job is n tasks handed out dynamically (an atomic counter), so a core taken by another process only
// slows the tasks it would have run. Kernels give each task a fixed slice of the output, so which thread
// runs a task never changes a result. `thread` (0 = the caller) indexes per-thread scratch.
//
// Between jobs the workers spin briefly, then sleep on a condition variable: one inference is ~100 jobs a
// few hundred microseconds apart, and a futex wake per job would cost more than a small job itself.
// The caller never waits for a worker that has not joined the job: once it has taken the last task it
// closes the job and waits only for workers still running tasks. A worker that is asleep, or not given a
// core by the OS, then costs nothing, and the job runs at one-thread speed at worst.
// No allocation per job: the task function is passed as a pointer to the caller's lambda.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace webcnn {

class ThreadPool {
 public:
  static constexpr int kMaxThreads = 64;

  // The pool the kernels use (webcnn::set_thread_count resizes it).
  static ThreadPool& global();

  ThreadPool() = default;
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Total threads including the caller; clamped to [1, max_threads()]. Returns the count in effect.
  int resize(int threads);
  int size() const { return static_cast<int>(workers_.size()) + 1; }
  // 1 where the build has no threads (wasm without pthreads).
  static int max_threads();

  // Calls fn(task, thread) for every task in [0, tasks), on at most max(1, min(max_threads, size()))
  // threads; thread < that count. Returns when all tasks are done. Runs inline on the caller when
  // tasks ≤ 1, when called from inside a job (nesting), or while another thread's job holds the pool.
  template <typename Fn>
  void parallel_for(size_t tasks, size_t max_threads, Fn&& fn) {
    auto call = [](void* f, size_t task, size_t thread) { (*static_cast<Fn*>(f))(task, thread); };
    run(tasks, max_threads, call, &fn);
  }

 private:
  using TaskFn = void (*)(void* context, size_t task, size_t thread);

  void run(size_t tasks, size_t max_threads, TaskFn fn, void* context);
  void worker_main();
  void work(size_t thread);  // takes tasks until none are left
  void stop_workers();

  std::vector<std::thread> workers_;
  std::mutex caller_mutex_;  // one job at a time; held by the thread running a job

  // The current job. Written by the caller before it publishes `job_word_` (release), read by workers
  // after they see the new word (acquire).
  TaskFn fn_ = nullptr;
  void* context_ = nullptr;
  size_t tasks_ = 0;
  std::atomic<size_t> next_task_{0};
  // (generation << 8) | threads that may take part (0: no open job), published in one store so a worker
  // never mixes one job's generation with another's thread count.
  std::atomic<uint32_t> job_word_{1u << 8};
  std::atomic<int> joined_workers_{0};  // workers inside the current job (taking or running tasks)
  // Workers that have started, each numbered in start order (1, 2, ...). A job only counts on started
  // workers: a wasm pthread may begin only after the browser's event loop turns, and waiting for it
  // inside a job would deadlock.
  std::atomic<int> started_workers_{0};
  std::atomic<bool> stopping_{false};

  // Sleeping: workers wait on job_cv_ for a new word, the caller on done_cv_ for joined_workers_ == 0.
  std::mutex sleep_mutex_;
  std::condition_variable job_cv_, done_cv_;
  std::atomic<int> sleeping_workers_{0};
  std::atomic<bool> caller_sleeping_{false};
};

}  // namespace webcnn
