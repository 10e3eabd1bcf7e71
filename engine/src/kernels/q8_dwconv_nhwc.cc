// The 8-bit depthwise convolution (q8_dwconv.h), compiled once per instruction set. Two taps per multiply
// (dot of interleaved int16 pairs), blocks of 8 channels. 3×3 filters (any stride, dilation): the pixels
// away from the left/right padding in runs along the row (dwconv_run: tap pointers stepped, the input zero
// point folded into the bias); the others per pixel (tap pointers per pixel, the zero-point row in the
// padding), the channels past the last full block one by one.
#include <algorithm>

#include "kernels/isa_kernels.h"
#include "kernels/q8_dwconv.h"
#include "kernels/q8_requantize_x4.h"
#include "simd/i16x8.h"

namespace webcnn::kernels::WEBCNN_ISA {

using namespace simd;

namespace {

inline i16x8 widen8(const uint8_t* p) { return widen_u8x8(p); }
inline i16x8 widen8(const int8_t* p) { return widen_s8x8(p); }

// Requantises 8 accumulators (the channels of one block) and stores them as 8 bytes.
inline void store_block(i32x4 acc0, i32x4 acc1, const int32_t* block, const Q8Requantizer& rq, bool is_signed,
                        uint8_t* y) {
  q8_store_x8(q8_requantize_x4(acc0, block, rq), q8_requantize_x4(acc1, block + 4, rq), is_signed, y, kQ8Lanes);
}

// One output pixel at (oy, ox) of `image`, channels from c_begin (a multiple of kQ8Lanes) on: the tap
// pointers per pixel (the zero-point row where a tap falls in the padding), the zero point subtracted per tap.
template <typename T>
void dwconv_pixel(const Conv2dGeometry& g, const T* image, int32_t in_zp, const int32_t* packed, const T* zero_row,
                  uint8_t* y, const Q8Output& out, int64_t oy, int64_t ox, size_t c_begin) {
  const size_t ch = static_cast<size_t>(g.in_c);
  const size_t taps = static_cast<size_t>(g.kernel_h * g.kernel_w);
  const size_t pairs = q8_dwconv_pairs(taps);
  const size_t block_words = kQ8HeaderWords + pairs * kQ8Lanes;
  const size_t full = ch / kQ8Lanes * kQ8Lanes;
  const i16x8 zp = splat_i16x8(static_cast<int16_t>(in_zp));
  const T* tp[kQ8DwMaxTaps + 1];
  size_t t = 0;
  for (int64_t ky = 0; ky < g.kernel_h; ++ky) {
    const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
    for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
      const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
      tp[t++] = iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w ? zero_row : image + (iy * g.in_w + ix) * g.in_c;
    }
  }
  tp[taps] = zero_row;  // the odd last tap's partner (its weights are 0)
  const int32_t* block = packed + c_begin / kQ8Lanes * block_words;
  const Q8Requantizer rq(out);
  size_t c = c_begin;
  for (; c < full; c += kQ8Lanes, block += block_words) {
    i32x4 acc0 = load_i32x4(block + kQ8Bias * kQ8Lanes), acc1 = load_i32x4(block + kQ8Bias * kQ8Lanes + 4);
    const int16_t* w = reinterpret_cast<const int16_t*>(block + kQ8HeaderWords);
    for (size_t p = 0; p < pairs; ++p, w += 16) {
      const i16x8 x0 = sub_i16x8(widen8(tp[2 * p] + c), zp), x1 = sub_i16x8(widen8(tp[2 * p + 1] + c), zp);
      acc0 = add_i32x4(acc0, dot_i16x8(zip_lo_i16x8(x0, x1), load_i16x8(w)));
      acc1 = add_i32x4(acc1, dot_i16x8(zip_hi_i16x8(x0, x1), load_i16x8(w + 8)));
    }
    store_block(acc0, acc1, block, rq, out.is_signed, y + c);
  }
  for (; c < ch; ++c) {  // block points at the last, partial block
    const size_t l = c - full;
    const int16_t* w = reinterpret_cast<const int16_t*>(block + kQ8HeaderWords);
    int32_t acc = block[kQ8Bias * kQ8Lanes + l];
    for (size_t i = 0; i < taps; ++i) acc += (int32_t{tp[i][c]} - in_zp) * w[(i / 2) * 16 + 2 * l + (i & 1)];
    const int32_t v = requantize_fp32(acc, q8_header_scale(block, l), out.zero_point, out.qmin, out.qmax);
    if (out.is_signed) reinterpret_cast<int8_t*>(y)[c] = static_cast<int8_t>(v);
    else y[c] = static_cast<uint8_t>(v);
  }
}

// Output pixels [ox_begin, ox_end) of row oy whose taps all lie inside the image horizontally, the full blocks
// of 8 channels, for filters of kTaps taps: one block over the run of pixels (tap pointers advance by a
// stride), the input zero point folded into the bias once per block, Σ (x − zx)·w = Σ x·w − zx·Σ w (the
// dot of the weights with −zx), so a tap costs its load, widening and half a dot. The weights and header are
// read from memory (L1) per pixel: kept in registers (10 + 8 vectors) V8 spills, and the run was slower
// than the per-pixel kernel. Rows in the vertical padding read
// zero_row (every byte zx) without advancing: zx·w − zx·w = 0 as the per-pixel path's (zx − zx)·w.
// Arithmetic wraps mod 2^32 as the reference's int32 sums do, so the results are bit-identical.
template <size_t kTaps, typename T>
void dwconv_run(const Conv2dGeometry& g, const T* image, int32_t in_zp, const int32_t* packed, const T* zero_row,
                uint8_t* y_row, const Q8Output& out, int64_t oy, int64_t ox_begin, int64_t ox_end) {
  constexpr size_t kPairs = (kTaps + 1) / 2;
  const size_t ch = static_cast<size_t>(g.in_c);
  const size_t block_words = kQ8HeaderWords + kPairs * kQ8Lanes;
  const size_t full = ch / kQ8Lanes * kQ8Lanes;
  const T* base[kTaps];
  size_t step[kTaps];
  for (size_t t = 0; t < kTaps; ++t) {
    const int64_t ky = static_cast<int64_t>(t) / g.kernel_w, kx = static_cast<int64_t>(t) % g.kernel_w;
    const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
    const int64_t ix = ox_begin * g.stride_w - g.pad_left + kx * g.dilation_w;
    const bool inside = iy >= 0 && iy < g.in_h;
    base[t] = inside ? image + (iy * g.in_w + ix) * g.in_c : zero_row;
    step[t] = inside ? static_cast<size_t>(g.stride_w * g.in_c) : 0;
  }
  const i16x8 minus_zp = splat_i16x8(static_cast<int16_t>(-in_zp));
  const size_t n = static_cast<size_t>(ox_end - ox_begin);
  const Q8Requantizer rq(out);
  const int32_t* block = packed;
  for (size_t c = 0; c < full; c += kQ8Lanes, block += block_words) {
    const int16_t* w = reinterpret_cast<const int16_t*>(block + kQ8HeaderWords);
    i32x4 bias0 = load_i32x4(block + kQ8Bias * kQ8Lanes), bias1 = load_i32x4(block + kQ8Bias * kQ8Lanes + 4);
    for (size_t p = 0; p < kPairs; ++p) {
      bias0 = add_i32x4(bias0, dot_i16x8(minus_zp, load_i16x8(w + 16 * p)));
      bias1 = add_i32x4(bias1, dot_i16x8(minus_zp, load_i16x8(w + 16 * p + 8)));
    }
    uint8_t* y = y_row + static_cast<size_t>(ox_begin) * ch + c;
    for (size_t i = 0; i < n; ++i, y += ch) {
      i32x4 acc0 = bias0, acc1 = bias1;
      for (size_t p = 0; p < kPairs; ++p) {
        const i16x8 x0 = widen8(base[2 * p] + i * step[2 * p] + c);
        // The odd last tap's partner has weights 0: any value does, the tap itself saves a load.
        const i16x8 x1 = 2 * p + 1 < kTaps ? widen8(base[2 * p + 1] + i * step[2 * p + 1] + c) : x0;
        acc0 = add_i32x4(acc0, dot_i16x8(zip_lo_i16x8(x0, x1), load_i16x8(w + 16 * p)));
        acc1 = add_i32x4(acc1, dot_i16x8(zip_hi_i16x8(x0, x1), load_i16x8(w + 16 * p + 8)));
      }
      store_block(acc0, acc1, block, rq, out.is_signed, y);
    }
  }
  if (full < ch)
    for (int64_t ox = ox_begin; ox < ox_end; ++ox)
      dwconv_pixel(g, image, in_zp, packed, zero_row, y_row + ox * g.in_c, out, oy, ox, full);
}

template <typename T>
void dwconv_rows(const Conv2dGeometry& g, const T* input, int32_t in_zp, const int32_t* packed, const T* zero_row,
                 uint8_t* output, const Q8Output& out, int64_t row_begin, int64_t row_end) {
  // The pixels whose taps all fall inside the image horizontally: [ox_lo, ox_hi).
  const int64_t span = (g.kernel_w - 1) * g.dilation_w;
  const int64_t ox_lo = std::min<int64_t>(g.out_w, (g.pad_left + g.stride_w - 1) / g.stride_w);
  const int64_t last = g.in_w - 1 - span + g.pad_left;  // ox·stride_w ≤ last
  const int64_t ox_hi = last < 0 ? ox_lo : std::max(ox_lo, std::min<int64_t>(g.out_w, last / g.stride_w + 1));
  const bool run = g.kernel_h * g.kernel_w == 9;
  for (int64_t r = row_begin; r < row_end; ++r) {
    const int64_t n = r / g.out_h, oy = r % g.out_h;
    const T* image = input + n * g.in_h * g.in_w * g.in_c;
    uint8_t* y_row = output + r * g.out_w * g.in_c;
    const int64_t a = run ? ox_lo : g.out_w, b = run ? ox_hi : g.out_w;
    for (int64_t ox = 0; ox < a; ++ox)
      dwconv_pixel(g, image, in_zp, packed, zero_row, y_row + ox * g.in_c, out, oy, ox, 0);
    if (a < b) dwconv_run<9>(g, image, in_zp, packed, zero_row, y_row, out, oy, a, b);
    for (int64_t ox = std::max(a, b); ox < g.out_w; ++ox)
      dwconv_pixel(g, image, in_zp, packed, zero_row, y_row + ox * g.in_c, out, oy, ox, 0);
  }
}

}  // namespace

void q8_dwconv_nhwc(const Conv2dGeometry& g, const void* input, const Q8Input& in, const int32_t* packed,
                    const void* zero_row, void* output, const Q8Output& out, int64_t row_begin, int64_t row_end) {
  if (in.is_signed)
    dwconv_rows(g, static_cast<const int8_t*>(input), in.zero_point, packed, static_cast<const int8_t*>(zero_row),
                static_cast<uint8_t*>(output), out, row_begin, row_end);
  else
    dwconv_rows(g, static_cast<const uint8_t*>(input), in.zero_point, packed, static_cast<const uint8_t*>(zero_row),
                static_cast<uint8_t*>(output), out, row_begin, row_end);
}

}  // namespace webcnn::kernels::WEBCNN_ISA
