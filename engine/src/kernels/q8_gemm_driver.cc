// The 8-bit GEMM driver and microkernel (q8_gemm.h), compiled once per instruction set. Rows are taken in
// blocks whose int16 A rows fit in ~64 KiB; within a block each packed panel (kp/2 × 8 pairs, 32 bytes per
// K pair) stays in L1 while every 4-row group of the block passes over it.
#include <algorithm>

#include "kernels/isa_kernels.h"
#include "kernels/q8_gemm.h"
#include "kernels/q8_requantize_x4.h"
#include "simd/i16x8.h"

namespace webcnn::kernels::WEBCNN_ISA {

using namespace simd;

namespace {

// One tile: mr ≤ kQ8GemmMR rows × nc ≤ 8 columns of one panel. Rows past mr alias the last valid row.
void q8_gemm_tile(size_t mr, size_t nc, size_t pairs, const int16_t* a, size_t a_stride, const int32_t* panel,
                  uint8_t* c, size_t c_stride, const Q8Output& out) {
  constexpr size_t MR = kQ8GemmMR;
  const int16_t* ap[MR];
  ap[0] = a;
  for (size_t i = 1; i < MR; ++i) ap[i] = mr > i ? ap[i - 1] + a_stride : ap[i - 1];
  i32x4 acc[MR][2];
  acc[0][0] = load_i32x4(panel + kQ8Bias * kQ8Lanes);
  acc[0][1] = load_i32x4(panel + kQ8Bias * kQ8Lanes + 4);
  for (size_t i = 1; i < MR; ++i) acc[i][0] = acc[0][0], acc[i][1] = acc[0][1];
  const int16_t* w = reinterpret_cast<const int16_t*>(panel + kQ8HeaderWords);
  for (size_t r = 0; r < pairs; ++r) {
    const i16x8 b0 = load_i16x8(w), b1 = load_i16x8(w + 8);
    w += 16;
    for (size_t i = 0; i < MR; ++i) {
      const i16x8 av = load_pair_splat(ap[i] + 2 * r);
      acc[i][0] = add_i32x4(acc[i][0], dot_i16x8(av, b0));
      acc[i][1] = add_i32x4(acc[i][1], dot_i16x8(av, b1));
    }
  }
  const Q8Requantizer rq(out);
  for (size_t i = mr; i-- > 0;)
    q8_store_x8(q8_requantize_x4(acc[i][0], panel, rq), q8_requantize_x4(acc[i][1], panel + 4, rq), out.is_signed,
                c + i * c_stride, nc);
}

template <typename T>
void widen_rows(size_t m, size_t k, const T* x, size_t x_stride, int32_t zero_point, int16_t* rows, size_t row_stride) {
  for (size_t i = 0; i < m; ++i) {
    const T* src = x + i * x_stride;
    int16_t* dst = rows + i * row_stride;
    for (size_t kk = 0; kk < k; ++kk) dst[kk] = static_cast<int16_t>(src[kk] - zero_point);
    if (k & 1) dst[k] = 0;
  }
}

}  // namespace

void q8_gemm(size_t m, size_t n, size_t k, const int16_t* a, size_t a_stride, const int32_t* packed_b, void* c,
             size_t c_stride, const Q8Output& out) {
  if (m == 0 || n == 0) return;
  const size_t pairs = q8_gemm_kp(k) / 2;
  const size_t panel_words = kQ8HeaderWords + pairs * kQ8Lanes;
  const size_t block_rows =
      std::max<size_t>(kQ8GemmMR, (size_t{32} << 10) / std::max<size_t>(2 * pairs, 1) / kQ8GemmMR * kQ8GemmMR);
  uint8_t* c_bytes = static_cast<uint8_t*>(c);
  for (size_t m0 = 0; m0 < m; m0 += block_rows) {
    const size_t m1 = std::min(m, m0 + block_rows);
    const int32_t* panel = packed_b;
    for (size_t col = 0; col < n; col += kQ8Lanes, panel += panel_words) {
      const size_t nc = std::min(kQ8Lanes, n - col);
      for (size_t i = m0; i < m1; i += kQ8GemmMR)
        q8_gemm_tile(std::min(kQ8GemmMR, m1 - i), nc, pairs, a + i * a_stride, a_stride, panel,
                     c_bytes + i * c_stride + col, c_stride, out);
    }
  }
}

void q8_widen_rows(size_t m, size_t k, const void* x, size_t x_stride, const Q8Input& in, int16_t* rows,
                   size_t row_stride) {
  if (in.is_signed) widen_rows(m, k, static_cast<const int8_t*>(x), x_stride, in.zero_point, rows, row_stride);
  else widen_rows(m, k, static_cast<const uint8_t*>(x), x_stride, in.zero_point, rows, row_stride);
}

}  // namespace webcnn::kernels::WEBCNN_ISA
