// The GEMM driver: walks C in microkernel tiles. Rows are taken in blocks whose A rows fit in L2
// (~128 KiB); within a block each packed B panel (K×8 floats) stays in L1 while every 4-row group of
// the block passes over it.
#include <algorithm>
#include <cmath>

#include "kernels/gemm.h"

namespace webcnn::kernels {

void gemm_f32(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const float* packed_b, float* c,
              size_t c_stride, const FusedActivation& act) {
  if (m == 0 || n == 0) return;
  const bool clamp = act.is_clamp();
  const float out_min = clamp ? act.min : -INFINITY;
  const float out_max = clamp ? act.max : INFINITY;
  const size_t panel_floats = kGemmNR * (k + 1);
  const size_t panels = (n + kGemmNR - 1) / kGemmNR;
  const size_t block_rows = std::max<size_t>(kGemmMR, (size_t{32} << 10) / std::max<size_t>(k, 1) / kGemmMR * kGemmMR);

  for (size_t m0 = 0; m0 < m; m0 += block_rows) {
    const size_t m1 = std::min(m, m0 + block_rows);
    for (size_t p = 0; p < panels; ++p) {
      const size_t col = p * kGemmNR;
      const size_t nc = std::min(kGemmNR, n - col);
      const float* panel = packed_b + p * panel_floats;
      for (size_t i = m0; i < m1; i += kGemmMR) {
        const size_t mr = std::min(kGemmMR, m1 - i);
        if (k == 0) {  // empty sum: the tile is just the bias, clamped
          for (size_t r = 0; r < mr; ++r)
            for (size_t j = 0; j < nc; ++j)
              c[(i + r) * c_stride + col + j] = std::min(out_max, std::max(out_min, panel[j]));
          continue;
        }
        gemm_4x8_f32x4(mr, nc, k, a + i * a_stride, a_stride, panel, c + i * c_stride + col, c_stride, out_min, out_max);
      }
    }
    if (!clamp)  // the other activations on the block just written, while it is still in cache
      for (size_t r = m0; r < m1; ++r) act.apply_inplace(c + r * c_stride, n);
  }
}

}  // namespace webcnn::kernels
