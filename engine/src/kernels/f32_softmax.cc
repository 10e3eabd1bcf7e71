// Softmax's maxima: of one contiguous row, and per column over the rows of an [n, inner] block.
// (The exps and sums stay in ops/softmax.cc, in double; the divisions are f32_vbinary's.)
#include <algorithm>
#include <cmath>

#include "kernels/isa_kernels.h"

namespace webcnn::kernels::WEBCNN_ISA {

using namespace simd;

float f32_softmax_rmax(size_t n, const float* x) {
  size_t i = 0;
  float m = -INFINITY;
  if (n >= 4) {
    f32x4 acc = load(x);
    for (i = 4; i + 4 <= n; i += 4) acc = max(acc, load(x + i));
    float lanes[4];
    store(lanes, acc);
    m = std::max(std::max(lanes[0], lanes[1]), std::max(lanes[2], lanes[3]));
  }
  for (; i < n; ++i) m = std::max(m, x[i]);
  return m;
}

void f32_softmax_vmax(size_t n, const float* x, float* col_max) {
  size_t j = 0;
  for (; j + 4 <= n; j += 4) store(col_max + j, max(load(col_max + j), load(x + j)));
  for (; j < n; ++j) col_max[j] = std::max(col_max[j], x[j]);
}

}  // namespace webcnn::kernels::WEBCNN_ISA
