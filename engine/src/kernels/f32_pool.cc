// Pooling: MaxPool / AveragePool windows over NHWC (also the NHWC global pools: one column of taps),
// and the max / sum of a contiguous run (the NCHW global pools).
#include <limits>

#include "kernels/isa_kernels.h"

namespace webcnn::kernels::WEBCNN_ISA {

using namespace simd;

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Combines the taps over all channels, 16 then 4 channels at a time in registers, then the scalar tail.
template <bool kMax>
void pool_window(size_t C, const float* first, size_t rows, size_t cols, size_t row_step, size_t col_step, float scale,
                 float* out) {
  const float init = kMax ? kNegInf : 0.0f;
  auto combine = [](f32x4 acc, f32x4 x) { return kMax ? max(acc, x) : add(acc, x); };
  auto finish = [&](f32x4 acc) { return kMax ? acc : mul(acc, splat(scale)); };
  auto tap = [&](size_t r, size_t k) { return first + r * row_step + k * col_step; };
  size_t c = 0;
  for (; c + 16 <= C; c += 16) {
    f32x4 a0 = splat(init), a1 = a0, a2 = a0, a3 = a0;
    for (size_t r = 0; r < rows; ++r)
      for (size_t k = 0; k < cols; ++k) {
        const float* p = tap(r, k) + c;
        a0 = combine(a0, load(p));
        a1 = combine(a1, load(p + 4));
        a2 = combine(a2, load(p + 8));
        a3 = combine(a3, load(p + 12));
      }
    store(out + c, finish(a0));
    store(out + c + 4, finish(a1));
    store(out + c + 8, finish(a2));
    store(out + c + 12, finish(a3));
  }
  for (; c + 4 <= C; c += 4) {
    f32x4 a = splat(init);
    for (size_t r = 0; r < rows; ++r)
      for (size_t k = 0; k < cols; ++k) a = combine(a, load(tap(r, k) + c));
    store(out + c, finish(a));
  }
  for (; c < C; ++c) {
    float a = init;
    for (size_t r = 0; r < rows; ++r)
      for (size_t k = 0; k < cols; ++k) {
        const float x = tap(r, k)[c];
        a = kMax ? (a > x ? a : x) : a + x;
      }
    out[c] = kMax ? a : a * scale;
  }
}

// Reduces n contiguous floats to one, four lanes at a time.
template <bool kMax>
float reduce_contiguous(size_t n, const float* p) {
  const float init = kMax ? kNegInf : 0.0f;
  float lanes[4];
  f32x4 acc = splat(init);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) acc = kMax ? max(acc, load(p + i)) : add(acc, load(p + i));
  store(lanes, acc);
  float r = init;
  for (float x : lanes) r = kMax ? (r > x ? r : x) : r + x;
  for (; i < n; ++i) r = kMax ? (r > p[i] ? r : p[i]) : r + p[i];
  return r;
}

}  // namespace

void f32_maxpool(size_t channels, const float* first, size_t rows, size_t cols, size_t row_step, size_t col_step,
                 float* out) {
  pool_window<true>(channels, first, rows, cols, row_step, col_step, 1.0f, out);
}

void f32_avgpool(size_t channels, const float* first, size_t rows, size_t cols, size_t row_step, size_t col_step,
                 float scale, float* out) {
  pool_window<false>(channels, first, rows, cols, row_step, col_step, scale, out);
}

float f32_rmax(size_t n, const float* x) { return reduce_contiguous<true>(n, x); }
float f32_rsum(size_t n, const float* x) { return reduce_contiguous<false>(n, x); }

}  // namespace webcnn::kernels::WEBCNN_ISA
