// The 8-bit GEMM driver and microkernel (q8_gemm.h), compiled once per instruction set. Two loop orders:
// a small B (up to 64 KiB, kQ8SmallInt8BPairs) is passed over whole by each 4-row group of A, regrouped
// (q8_gemm_rows_outer); a larger B is taken panel by panel over row blocks whose 8-bit A rows fit in
// ~32 KiB, each packed panel (16 bytes per K pair) staying in L1 while the block's 4-row groups pass over it
// (q8_gemm_blocks).
#include <algorithm>
#include <cstring>

#include "kernels/isa_kernels.h"
#include "kernels/q8_gemm.h"
#include "kernels/q8_requantize_x4.h"
#include "simd/i16x8.h"

namespace webcnn::kernels::WEBCNN_ISA {

using namespace simd;

namespace {

// How a tile reads B's pairs: int8 from the panel, as they are (no zp') or less zp'; or int16 pairs (B' −
// zp') that q8_gemm_blocks widened from the panel into a buffer once per row block.
enum class BRead { kInt8, kInt8LessZp, kInt16 };

// How a tile reads A: rows a_stride apart (pair r of row i at a + i·a_stride + 2r), or grouped, the
// kQ8GemmMR rows' pair r side by side (at a + 2·(kQ8GemmMR·r + i)): one address and constant offsets per K
// pair, where each strided row costs an address computation per load in V8 (wasm addressing has no
// base + index + displacement next to the memory base).
enum class ARead { kRows, kGrouped };

// One tile: mr ≤ kQ8GemmMR rows × nc ≤ 8 columns of one panel (header from `panel`, pairs from `w`). Rows
// past mr alias the last valid row (kRows) or hold copies of it (kGrouped). Per K pair: the two B vectors,
// each row's int16 A pair loaded into all lanes.
template <BRead kB, ARead kA = ARead::kRows>
void q8_gemm_tile(size_t mr, size_t nc, size_t pairs, const int16_t* a, size_t a_stride, const int32_t* panel,
                  const void* w, uint8_t* c, size_t c_stride, const Q8Output& out, const Q8Requantizer& rq) {
  constexpr size_t MR = kQ8GemmMR;
  constexpr size_t pair_step = kA == ARead::kGrouped ? 2 * MR : 2;
  const int16_t* ap[MR];
  ap[0] = a;
  for (size_t i = 1; i < MR; ++i) ap[i] = kA == ARead::kGrouped ? a + 2 * i : mr > i ? ap[i - 1] + a_stride : ap[i - 1];
  i32x4 acc[MR][2];
  acc[0][0] = load_i32x4(panel + kQ8Bias * kQ8Lanes);
  acc[0][1] = load_i32x4(panel + kQ8Bias * kQ8Lanes + 4);
  for (size_t i = 1; i < MR; ++i) acc[i][0] = acc[0][0], acc[i][1] = acc[0][1];
  const int16_t* zp = reinterpret_cast<const int16_t*>(panel + kQ8HeaderWords);
  const i16x8 zp0 = load_i16x8(zp), zp1 = load_i16x8(zp + 8);
  const int8_t* w8 = static_cast<const int8_t*>(w);
  const int16_t* w16 = static_cast<const int16_t*>(w);
  for (size_t r = 0; r < pairs; ++r) {
    i16x8 b0, b1;
    if (kB == BRead::kInt16) {
      b0 = load_i16x8(w16 + 16 * r), b1 = load_i16x8(w16 + 16 * r + 8);
    } else {
      b0 = widen_s8x8(w8 + 16 * r), b1 = widen_s8x8(w8 + 16 * r + 8);
      if (kB == BRead::kInt8LessZp) b0 = sub_i16x8(b0, zp0), b1 = sub_i16x8(b1, zp1);
    }
    for (size_t i = 0; i < MR; ++i) {
      const i16x8 av = load_pair_splat(kA == ARead::kGrouped ? a + pair_step * r + 2 * i : ap[i] + pair_step * r);
      acc[i][0] = add_i32x4(acc[i][0], dot_i16x8(av, b0));
      acc[i][1] = add_i32x4(acc[i][1], dot_i16x8(av, b1));
    }
  }
  // Rows by a constant count (mr checked per row) so the accumulators stay registers: indexed by a run-time
  // row count they went through the stack.
  for (size_t i = MR; i-- > 0;)
    if (i < mr)
      q8_store_x8(q8_requantize_x4(acc[i][0], panel, rq), q8_requantize_x4(acc[i][1], panel + 4, rq), out.is_signed,
                  c + i * c_stride, nc);
}

// A panel's pairs as int16 B' − zp', for the tiles of one row block.
void widen_panel(size_t pairs, const int32_t* panel, int16_t* dst) {
  const int16_t* zp = reinterpret_cast<const int16_t*>(panel + kQ8HeaderWords);
  const i16x8 zp0 = load_i16x8(zp), zp1 = load_i16x8(zp + 8);
  const int8_t* w = reinterpret_cast<const int8_t*>(panel + kQ8HeaderWords + kQ8ZpWords);
  for (size_t r = 0; r < pairs; ++r, w += 16, dst += 16) {
    const i16x8 b0 = sub_i16x8(widen_s8x8(w), zp0), b1 = sub_i16x8(widen_s8x8(w + 8), zp1);
    int32_t words[8];  // through int32 stores: i16x8 has no store of its own
    std::memcpy(words, &b0, sizeof b0);
    std::memcpy(words + 4, &b1, sizeof b1);
    std::memcpy(dst, words, sizeof words);
  }
}

// B without zero points zp' (int8 weights with zero point 0, TFLite's; uint8 with 128) skips the subtraction.
bool packed_has_zp(size_t panels, size_t panel_words, const int32_t* packed) {
  for (size_t p = 0; p < panels; ++p, packed += panel_words)
    for (size_t j = 0; j < kQ8ZpWords; ++j)
      if (packed[kQ8HeaderWords + j] != 0) return true;
  return false;
}

// Pairs up to which B with zero points is widened per row block (16 KiB of int16 pairs on the stack): the
// subtraction in the tile's inner loop cost uint8 MobileNetV2 6 %; above it (K > 1024) the tile subtracts.
constexpr size_t kQ8WidenedPairs = 512;

// The blocks and tiles, one instantiation per way of reading B so the tile inlines here (a call per tile
// through a pointer cost 20 % on the K = 16 layers).
template <BRead kB>
void q8_gemm_blocks(size_t m, size_t n, size_t k, const int16_t* a, size_t a_stride, const int32_t* packed_b,
                    uint8_t* c, size_t c_stride, const Q8Output& out) {
  const size_t pairs = q8_gemm_kp(k) / 2;
  const size_t panel_words = q8_gemm_panel_words(k);
  const size_t block_rows =
      std::max<size_t>(kQ8GemmMR, (size_t{32} << 10) / std::max<size_t>(2 * pairs, 1) / kQ8GemmMR * kQ8GemmMR);
  const Q8Requantizer rq(out);  // once per call: made per tile, its constants were reloaded after every store
  alignas(16) int16_t widened[kB == BRead::kInt16 ? kQ8WidenedPairs * 16 : 1];
  for (size_t m0 = 0; m0 < m; m0 += block_rows) {
    const size_t m1 = std::min(m, m0 + block_rows);
    const int32_t* panel = packed_b;
    for (size_t col = 0; col < n; col += kQ8Lanes, panel += panel_words) {
      const size_t nc = std::min(kQ8Lanes, n - col);
      const void* w = panel + kQ8HeaderWords + kQ8ZpWords;
      if (kB == BRead::kInt16) {
        widen_panel(pairs, panel, widened);
        w = widened;
      }
      for (size_t i = m0; i < m1; i += kQ8GemmMR)
        q8_gemm_tile<kB>(std::min(kQ8GemmMR, m1 - i), nc, pairs, a + i * a_stride, a_stride, panel, w,
                         c + i * c_stride + col, c_stride, out, rq);
    }
  }
}

// Panels × K pairs up to which B counts as small: every 4-row group then passes over all of B, so A is read
// once (from L1, regrouped) and each C row written in one go. The panel-outer order of q8_gemm_blocks
// streams the row block's A from L2 once per panel and writes C 8 bytes per row and panel; that cost the
// small-K layers at 112×112 (K = 16, 27, 32) most. B with zero points is widened whole into 16 KiB; int8 B
// is read as packed, up to 64 KiB (from L2: still 5–9 % faster in wasm than the panel-outer order on
// MobileNetV2's 14×14 layers, K = 64..576), with K ≤ 2048 for the regrouped rows.
constexpr size_t kQ8SmallBPairs = kQ8WidenedPairs;
constexpr size_t kQ8SmallInt8BPairs = 8 * kQ8WidenedPairs;
constexpr size_t kQ8GroupedPairs = 2 * kQ8WidenedPairs;

// Rows [0, mr) of A (a_stride apart; mr ≤ kQ8GemmMR) grouped for ARead::kGrouped: dst[kQ8GemmMR·r + i] =
// pair r of row min(i, mr − 1) (int16 pairs). Four pairs of four rows at a time as a 4×4 transpose of 32-bit lanes.
void group_rows(size_t mr, size_t pairs, const int16_t* a, size_t a_stride, int16_t* dst) {
  static_assert(kQ8GemmMR == 4, "the transpose groups 4 rows");
  const int16_t* row[4];
  for (size_t i = 0; i < 4; ++i) row[i] = a + std::min(i, mr - 1) * a_stride;
  size_t r = 0;
#if defined(WEBCNN_ISA_WASM128) || defined(WEBCNN_ISA_WASM_RELAXED)
  for (; r + 4 <= pairs; r += 4, dst += 32) {
    const v128_t r0 = wasm_v128_load(row[0] + 2 * r), r1 = wasm_v128_load(row[1] + 2 * r),
                 r2 = wasm_v128_load(row[2] + 2 * r), r3 = wasm_v128_load(row[3] + 2 * r);
    const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5),
                 t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
    wasm_v128_store(dst, wasm_i64x2_shuffle(t0, t1, 0, 2));
    wasm_v128_store(dst + 8, wasm_i64x2_shuffle(t0, t1, 1, 3));
    wasm_v128_store(dst + 16, wasm_i64x2_shuffle(t2, t3, 0, 2));
    wasm_v128_store(dst + 24, wasm_i64x2_shuffle(t2, t3, 1, 3));
  }
#elif defined(WEBCNN_ISA_SSE2) || defined(WEBCNN_ISA_AVX2)
  for (; r + 4 <= pairs; r += 4, dst += 32) {
    const auto load = [&](size_t i) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(row[i] + 2 * r)); };
    const __m128i r0 = load(0), r1 = load(1), r2 = load(2), r3 = load(3);
    const __m128i t0 = _mm_unpacklo_epi32(r0, r1), t1 = _mm_unpacklo_epi32(r2, r3), t2 = _mm_unpackhi_epi32(r0, r1),
                  t3 = _mm_unpackhi_epi32(r2, r3);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm_unpacklo_epi64(t0, t1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 8), _mm_unpackhi_epi64(t0, t1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 16), _mm_unpacklo_epi64(t2, t3));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 24), _mm_unpackhi_epi64(t2, t3));
  }
#endif
  for (; r < pairs; ++r, dst += 8)
    for (size_t i = 0; i < 4; ++i) std::memcpy(dst + 2 * i, row[i] + 2 * r, 2 * sizeof(int16_t));
}

template <BRead kB>
void q8_gemm_rows_outer(size_t m, size_t n, size_t k, const int16_t* a, size_t a_stride, const int32_t* packed_b,
                        uint8_t* c, size_t c_stride, const Q8Output& out) {
  const size_t pairs = q8_gemm_kp(k) / 2;
  const size_t panel_words = q8_gemm_panel_words(k);
  const size_t panels = (n + kQ8Lanes - 1) / kQ8Lanes;
  const Q8Requantizer rq(out);
  alignas(16) int16_t widened[kB == BRead::kInt16 ? kQ8SmallBPairs * 16 : 1];
  if (kB == BRead::kInt16)
    for (size_t p = 0; p < panels; ++p) widen_panel(pairs, packed_b + p * panel_words, widened + p * pairs * 16);
  alignas(16) int16_t grouped[2 * kQ8GroupedPairs * kQ8GemmMR];
  for (size_t i = 0; i < m; i += kQ8GemmMR) {
    const size_t mr = std::min(kQ8GemmMR, m - i);
    group_rows(mr, pairs, a + i * a_stride, a_stride, grouped);
    const int32_t* panel = packed_b;
    for (size_t p = 0; p < panels; ++p, panel += panel_words) {
      const void* w = kB == BRead::kInt16 ? static_cast<const void*>(widened + p * pairs * 16)
                                          : static_cast<const void*>(panel + kQ8HeaderWords + kQ8ZpWords);
      q8_gemm_tile<kB, ARead::kGrouped>(mr, std::min(kQ8Lanes, n - p * kQ8Lanes), pairs, grouped, 0, panel, w,
                                        c + i * c_stride + p * kQ8Lanes, c_stride, out, rq);
    }
  }
}

// A's values widened as they are (the zero point is folded into the packed bias), the odd pad 0.
template <typename T>
void widen_rows(size_t m, size_t k, const T* x, size_t x_stride, int16_t* rows, size_t row_stride) {
  for (size_t i = 0; i < m; ++i) {
    const T* src = x + i * x_stride;
    int16_t* dst = rows + i * row_stride;
    for (size_t kk = 0; kk < k; ++kk) dst[kk] = src[kk];
    if (k & 1) dst[k] = 0;
  }
}

}  // namespace

void q8_gemm(size_t m, size_t n, size_t k, const int16_t* a, size_t a_stride, const int32_t* packed_b, void* c,
             size_t c_stride, const Q8Output& out) {
  if (m == 0 || n == 0) return;
  uint8_t* c_bytes = static_cast<uint8_t*>(c);
  const size_t panels = (n + kQ8Lanes - 1) / kQ8Lanes;
  const bool has_zp = packed_has_zp(panels, q8_gemm_panel_words(k), packed_b);
  const size_t b_pairs = panels * (q8_gemm_kp(k) / 2);
  if (has_zp && b_pairs <= kQ8SmallBPairs)
    q8_gemm_rows_outer<BRead::kInt16>(m, n, k, a, a_stride, packed_b, c_bytes, c_stride, out);
  else if (!has_zp && b_pairs <= kQ8SmallInt8BPairs && q8_gemm_kp(k) / 2 <= kQ8GroupedPairs)
    q8_gemm_rows_outer<BRead::kInt8>(m, n, k, a, a_stride, packed_b, c_bytes, c_stride, out);
  else if (!has_zp) q8_gemm_blocks<BRead::kInt8>(m, n, k, a, a_stride, packed_b, c_bytes, c_stride, out);
  else if (q8_gemm_kp(k) / 2 <= kQ8WidenedPairs)
    q8_gemm_blocks<BRead::kInt16>(m, n, k, a, a_stride, packed_b, c_bytes, c_stride, out);
  else q8_gemm_blocks<BRead::kInt8LessZp>(m, n, k, a, a_stride, packed_b, c_bytes, c_stride, out);
}

void q8_widen_rows(size_t m, size_t k, const void* x, size_t x_stride, const Q8Input& in, int16_t* rows,
                   size_t row_stride) {
  if (in.is_signed) widen_rows(m, k, static_cast<const int8_t*>(x), x_stride, rows, row_stride);
  else widen_rows(m, k, static_cast<const uint8_t*>(x), x_stride, rows, row_stride);
}

}  // namespace webcnn::kernels::WEBCNN_ISA
