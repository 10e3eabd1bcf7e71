// The 8-bit depthwise convolution (q8_dwconv.h), compiled once per instruction set: per output pixel, the
// tap pointers (the zero-point row where a tap falls in the padding), then blocks of 8 channels, two taps per
// multiply (dot of interleaved int16 pairs); the channels past the last full block one by one.
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

template <typename T>
void dwconv_rows(const Conv2dGeometry& g, const T* input, int32_t in_zp, const int32_t* packed, const T* zero_row,
                 uint8_t* output, const Q8Output& out, int64_t row_begin, int64_t row_end) {
  const size_t ch = static_cast<size_t>(g.in_c);
  const size_t taps = static_cast<size_t>(g.kernel_h * g.kernel_w);
  const size_t pairs = q8_dwconv_pairs(taps);
  const size_t block_words = kQ8HeaderWords + pairs * kQ8Lanes;
  const size_t full = ch / kQ8Lanes * kQ8Lanes;
  const i16x8 zp = splat_i16x8(static_cast<int16_t>(in_zp));
#if defined(WEBCNN_ISA_WASM128)
  const v128_t zp_out = wasm_i32x4_splat(out.zero_point), lo = wasm_i32x4_splat(out.qmin),
               hi = wasm_i32x4_splat(out.qmax);
#endif
  const T* tp[kQ8DwMaxTaps + 1];
  for (int64_t r = row_begin; r < row_end; ++r) {
    const int64_t n = r / g.out_h, oy = r % g.out_h;
    const T* image = input + n * g.in_h * g.in_w * g.in_c;
    for (int64_t ox = 0; ox < g.out_w; ++ox) {
      size_t t = 0;
      for (int64_t ky = 0; ky < g.kernel_h; ++ky) {
        const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
        for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
          const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
          tp[t++] = iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w ? zero_row : image + (iy * g.in_w + ix) * g.in_c;
        }
      }
      tp[taps] = zero_row;  // the odd last tap's partner (its weights are 0)
      uint8_t* y = output + ((r * g.out_w) + ox) * g.in_c;
      const int32_t* block = packed;
      size_t c = 0;
      for (; c < full; c += kQ8Lanes, block += block_words) {
        i32x4 acc0 = load_i32x4(block + kQ8Bias * kQ8Lanes), acc1 = load_i32x4(block + kQ8Bias * kQ8Lanes + 4);
        const int16_t* w = reinterpret_cast<const int16_t*>(block + kQ8HeaderWords);
        for (size_t p = 0; p < pairs; ++p, w += 16) {
          const i16x8 x0 = sub_i16x8(widen8(tp[2 * p] + c), zp), x1 = sub_i16x8(widen8(tp[2 * p + 1] + c), zp);
          acc0 = add_i32x4(acc0, dot_i16x8(zip_lo_i16x8(x0, x1), load_i16x8(w)));
          acc1 = add_i32x4(acc1, dot_i16x8(zip_hi_i16x8(x0, x1), load_i16x8(w + 8)));
        }
#if defined(WEBCNN_ISA_WASM128)
        if (q8_header_vectorizable(block)) {
          q8_store_x8(q8_requantize_x4_vector(acc0, block, zp_out, lo, hi),
                      q8_requantize_x4_vector(acc1, block + 4, zp_out, lo, hi), out.is_signed, y + c, kQ8Lanes);
          continue;
        }
#endif
        q8_store_x8(q8_requantize_x4_scalar(acc0, block, out), q8_requantize_x4_scalar(acc1, block + 4, out),
                    out.is_signed, y + c, kQ8Lanes);
      }
      for (; c < ch; ++c) {  // block points at the last, partial block
        const size_t l = c - full;
        const int16_t* w = reinterpret_cast<const int16_t*>(block + kQ8HeaderWords);
        int32_t acc = block[kQ8Bias * kQ8Lanes + l];
        for (size_t i = 0; i < taps; ++i) acc += (int32_t{tp[i][c]} - in_zp) * w[(i / 2) * 16 + 2 * l + (i & 1)];
        QuantizedMultiplier m;
        m.mantissa = block[kQ8Mantissa * kQ8Lanes + l];
        m.shift = block[kQ8Shift * kQ8Lanes + l];
        const int32_t v = requantize(acc, m, out.zero_point, out.qmin, out.qmax);
        if (out.is_signed) reinterpret_cast<int8_t*>(y)[c] = static_cast<int8_t>(v);
        else y[c] = static_cast<uint8_t>(v);
      }
    }
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
