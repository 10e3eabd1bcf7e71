// How many threads the engine computes with. Optional: the default is 1 (no worker threads at all).
//
// With count > 1, convolutions and matrix products split their output rows (or columns) over the
// calling thread plus count − 1 worker threads. Results are bit-identical to one thread: every output
// element is computed by exactly the same arithmetic, only by another thread.
//
// Set the count before loading models: kernels size their per-thread scratch when a model is planned,
// and a plan made for fewer threads uses at most that many.
#pragma once

namespace webcnn {

// Starts or stops worker threads so that `count` threads (clamped to [1, max_thread_count()]) compute.
// Returns the count in effect. Not to be called while a model runs on another thread.
int set_thread_count(int count);

// The count in effect (1 until set_thread_count asks for more).
int thread_count();

// The most this build can use: 1 in a WebAssembly build without pthreads (no SharedArrayBuffer),
// otherwise a fixed cap well above any core count that helps (64).
int max_thread_count();

}  // namespace webcnn
