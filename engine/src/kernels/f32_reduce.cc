// Reduction rows for ReduceSum ... ReduceL2 (ops/reduce.cc walks the tensor and calls these per row).
// Sums accumulate in float, in the order written here, identically on every backend.
#include <cmath>
#include <limits>

#include "kernels/isa_kernels.h"

namespace webcnn::kernels::WEBCNN_ISA {

using namespace simd;

namespace {

template <ReduceOp kOp>
inline float identity() {
  if constexpr (kOp == ReduceOp::kSum) return 0.0f;
  if constexpr (kOp == ReduceOp::kProd) return 1.0f;
  if constexpr (kOp == ReduceOp::kMax) return -std::numeric_limits<float>::infinity();
  if constexpr (kOp == ReduceOp::kMin) return std::numeric_limits<float>::infinity();
}

template <ReduceOp kOp>
inline float combine(float a, float b) {
  if constexpr (kOp == ReduceOp::kSum) return a + b;
  if constexpr (kOp == ReduceOp::kProd) return a * b;
  if constexpr (kOp == ReduceOp::kMax) return a > b ? a : b;
  if constexpr (kOp == ReduceOp::kMin) return a < b ? a : b;
}

template <ReduceOp kOp>
inline f32x4 combine(f32x4 a, f32x4 b) {
  if constexpr (kOp == ReduceOp::kSum) return add(a, b);
  if constexpr (kOp == ReduceOp::kProd) return mul(a, b);
  if constexpr (kOp == ReduceOp::kMax) return max(a, b);
  if constexpr (kOp == ReduceOp::kMin) return min(a, b);
}

template <ReduceMap kMap>
inline float map(float x) {
  if constexpr (kMap == ReduceMap::kIdentity) return x;
  if constexpr (kMap == ReduceMap::kSquare) return x * x;
  if constexpr (kMap == ReduceMap::kAbs) return std::fabs(x);
}

template <ReduceMap kMap>
inline f32x4 map(f32x4 x) {
  if constexpr (kMap == ReduceMap::kIdentity) return x;
  if constexpr (kMap == ReduceMap::kSquare) return mul(x, x);
  if constexpr (kMap == ReduceMap::kAbs) return max(x, sub(zero(), x));  // |x|, +0 for ±0
}

}  // namespace

template <ReduceOp kOp, ReduceMap kMap>
void f32_reduce_accumulate(size_t n, const float* x, float* out) {
  size_t j = 0;
  for (; j + 4 <= n; j += 4) store(out + j, combine<kOp>(load(out + j), map<kMap>(load(x + j))));
  for (; j < n; ++j) out[j] = combine<kOp>(out[j], map<kMap>(x[j]));
}

template <ReduceOp kOp, ReduceMap kMap>
void f32_reduce_fold(size_t n, const float* x, float* out) {
  float acc = identity<kOp>();
  size_t i = 0;
  if (n >= 8) {  // two vector accumulators hide the add latency
    f32x4 a0 = map<kMap>(load(x)), a1 = map<kMap>(load(x + 4));
    for (i = 8; i + 8 <= n; i += 8) {
      a0 = combine<kOp>(a0, map<kMap>(load(x + i)));
      a1 = combine<kOp>(a1, map<kMap>(load(x + i + 4)));
    }
    float lanes[4];
    store(lanes, combine<kOp>(a0, a1));
    acc = combine<kOp>(combine<kOp>(lanes[0], lanes[1]), combine<kOp>(lanes[2], lanes[3]));
  }
  for (; i < n; ++i) acc = combine<kOp>(acc, map<kMap>(x[i]));
  *out = combine<kOp>(*out, acc);
}

#define WEBCNN_REDUCE(op, m)                                                                     \
  template void f32_reduce_accumulate<ReduceOp::op, ReduceMap::m>(size_t, const float*, float*); \
  template void f32_reduce_fold<ReduceOp::op, ReduceMap::m>(size_t, const float*, float*);
#define WEBCNN_REDUCE_MAPS(op) WEBCNN_REDUCE(op, kIdentity) WEBCNN_REDUCE(op, kSquare) WEBCNN_REDUCE(op, kAbs)
WEBCNN_REDUCE_MAPS(kSum)
WEBCNN_REDUCE_MAPS(kProd)
WEBCNN_REDUCE_MAPS(kMax)
WEBCNN_REDUCE_MAPS(kMin)
#undef WEBCNN_REDUCE_MAPS
#undef WEBCNN_REDUCE

}  // namespace webcnn::kernels::WEBCNN_ISA
