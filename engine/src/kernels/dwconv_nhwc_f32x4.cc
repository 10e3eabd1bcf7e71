// Depthwise convolution by output rows (dwconv.h, entry point 2). Each output row splits into a left border,
// an interior run and a right border. Interior pixels of 3×3 / 5×5 filters take the row kernel: tap pointers
// are row pointers plus constant steps, one block of 4 channels at a time over the whole run (8 at a time on
// the avx2 table). Every other pixel gathers the pointers of its taps inside the image (at most kListTaps at
// a time) and sums those, in the same tap order, so a channel's result does not depend on which path
// computed it. Both sum the taps from zero and add the bias last, as TF.js does (a depthwise convolution,
// then BiasAdd): a large folded bias does not enter every rounding of the running sum.
#include <algorithm>

#include "kernels/dwconv.h"
#include "kernels/isa_kernels.h"

namespace webcnn::kernels::WEBCNN_ISA {

using namespace simd;

namespace {

inline float clamp_scalar(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }  // NaN stays NaN

// `pixels` output pixels whose K×K taps all lie in the image. rows[ky] points at the input pixel under tap
// (ky, 0) of the first pixel; tap kx is kx·tap_step floats further, the next pixel pixel_step further.
// Within a tile of pixels, channel blocks outside and pixels inside: a block's K·K weight vectors are
// loaded once per tile, and two pixels at a time give two independent accumulation chains (one chain of
// K·K dependent adds would leave the adder waiting on its own latency).
template <int K>
void dwconv_interior_run(size_t channels, size_t pixels, const float* const* rows, size_t tap_step, size_t pixel_step,
                         const float* packed, float* out, float lo_s, float hi_s) {
  constexpr int kTaps = K * K;
  const f32x4 lo = splat(lo_s), hi = splat(hi_s);
  // Tiles of a few pixels, all channels of a tile written before the next: the output stays one
  // contiguous stream (the next layer reads it right away).
  constexpr size_t kTile = 8;
  for (size_t p0 = 0; p0 < pixels; p0 += kTile) {
    const size_t p1 = std::min(pixels, p0 + kTile);
    const float* w = packed;
    size_t c = 0;
#if defined(WEBCNN_ISA_AVX2)
    // 8 channels at a time: two packed blocks of 4, their weights joined into one 8-lane vector each. The
    // same fused multiply-adds in the same tap order as the 4-lane loop below, so the same bits.
    const __m256 lo8 = _mm256_set1_ps(lo_s), hi8 = _mm256_set1_ps(hi_s);
    const auto join = [](const float* first, const float* second) {
      return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(first)), _mm_loadu_ps(second), 1);
    };
    for (; c + 8 <= channels; c += 8, w += 8 * (kTaps + 1)) {
      const float* w_hi = w + 4 * (kTaps + 1);
      __m256 wv[kTaps];
      for (int t = 0; t < kTaps; ++t) wv[t] = join(w + 4 + 4 * t, w_hi + 4 + 4 * t);
      const __m256 bias = join(w, w_hi);
      const __m256 zero8 = _mm256_setzero_ps();
      size_t p = p0;
      for (; p + 2 <= p1; p += 2) {
        __m256 acc0 = zero8, acc1 = zero8;
        for (int ky = 0; ky < K; ++ky) {
          const float* r = rows[ky] + p * pixel_step + c;
          for (int kx = 0; kx < K; ++kx) {
            acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(r + kx * tap_step), wv[ky * K + kx], acc0);
            acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(r + pixel_step + kx * tap_step), wv[ky * K + kx], acc1);
          }
        }
        acc0 = _mm256_add_ps(acc0, bias);
        acc1 = _mm256_add_ps(acc1, bias);
        _mm256_storeu_ps(out + p * channels + c, _mm256_min_ps(hi8, _mm256_max_ps(lo8, acc0)));
        _mm256_storeu_ps(out + (p + 1) * channels + c, _mm256_min_ps(hi8, _mm256_max_ps(lo8, acc1)));
      }
      for (; p < p1; ++p) {
        __m256 acc = zero8;
        for (int ky = 0; ky < K; ++ky) {
          const float* r = rows[ky] + p * pixel_step + c;
          for (int kx = 0; kx < K; ++kx)
            acc = _mm256_fmadd_ps(_mm256_loadu_ps(r + kx * tap_step), wv[ky * K + kx], acc);
        }
        acc = _mm256_add_ps(acc, bias);
        _mm256_storeu_ps(out + p * channels + c, _mm256_min_ps(hi8, _mm256_max_ps(lo8, acc)));
      }
    }
#endif
    for (; c + 4 <= channels; c += 4, w += 4 * (kTaps + 1)) {
      f32x4 wv[kTaps];
      for (int t = 0; t < kTaps; ++t) wv[t] = load(w + 4 + 4 * t);
      const f32x4 bias = load(w), zero = splat(0.0f);
      size_t p = p0;
      for (; p + 2 <= p1; p += 2) {
        f32x4 acc0 = zero, acc1 = zero;
        for (int ky = 0; ky < K; ++ky) {
          const float* r = rows[ky] + p * pixel_step + c;
          for (int kx = 0; kx < K; ++kx) {
            acc0 = fmadd(load(r + kx * tap_step), wv[ky * K + kx], acc0);
            acc1 = fmadd(load(r + pixel_step + kx * tap_step), wv[ky * K + kx], acc1);
          }
        }
        store(out + p * channels + c, min(hi, max(lo, add(acc0, bias))));
        store(out + (p + 1) * channels + c, min(hi, max(lo, add(acc1, bias))));
      }
      for (; p < p1; ++p) {
        f32x4 acc = zero;
        for (int ky = 0; ky < K; ++ky) {
          const float* r = rows[ky] + p * pixel_step + c;
          for (int kx = 0; kx < K; ++kx) acc = fmadd(load(r + kx * tap_step), wv[ky * K + kx], acc);
        }
        store(out + p * channels + c, min(hi, max(lo, add(acc, bias))));
      }
    }
    for (; c < channels; ++c) {  // w is at the last, partial block
      const size_t l = c & 3;
      for (size_t p = p0; p < p1; ++p) {
        float acc = 0.0f;
        for (int ky = 0; ky < K; ++ky)
          for (int kx = 0; kx < K; ++kx)
            acc += rows[ky][p * pixel_step + kx * tap_step + c] * w[4 + 4 * (ky * K + kx) + l];
        out[p * channels + c] = clamp_scalar(acc + w[l], lo_s, hi_s);
      }
    }
  }
}

constexpr size_t kListTaps = 16;

// One pixel from `count` tap pointers with their tap numbers. `first`: start from zero, else from the
// partial sums already in out; `last`: add the bias and clamp (else store the partial sums).
void dwconv_tap_list(size_t channels, size_t taps, size_t count, const float* const* in, const size_t* tap,
                     const float* packed, float* out, bool first, bool last, float lo_s, float hi_s) {
  const float lo_v = last ? lo_s : -INFINITY, hi_v = last ? hi_s : INFINITY;
  const f32x4 lo = splat(lo_v), hi = splat(hi_v);
  const size_t block = 4 * (taps + 1);
  const float* w = packed;
  size_t c = 0;
  for (; c + 4 <= channels; c += 4, w += block) {
    f32x4 acc = first ? splat(0.0f) : load(out + c);
    for (size_t i = 0; i < count; ++i) acc = fmadd(load(in[i] + c), load(w + 4 + 4 * tap[i]), acc);
    if (last) acc = add(acc, load(w));
    store(out + c, min(hi, max(lo, acc)));
  }
  for (; c < channels; ++c) {
    const size_t l = c & 3;
    float acc = first ? 0.0f : out[c];
    for (size_t i = 0; i < count; ++i) acc += in[i][c] * w[4 + 4 * tap[i] + l];
    if (last) acc += w[l];
    out[c] = clamp_scalar(acc, lo_v, hi_v);
  }
}

// Taps t in [t0, t1) of a filter dimension land inside [0, n) for input position base + t·dilation.
void valid_taps(int64_t base, int64_t dilation, int64_t k, int64_t n, int64_t& t0, int64_t& t1) {
  t0 = base >= 0 ? 0 : (-base + dilation - 1) / dilation;
  t1 = base >= n ? 0 : std::min<int64_t>(k, (n - base + dilation - 1) / dilation);
  if (t0 > t1) t0 = t1;
}

void dwconv_border_pixel(const Conv2dGeometry& g, const float* image, int64_t oy, int64_t ox, const float* packed,
                         float* out, float lo, float hi) {
  const int64_t ch = g.in_c;
  int64_t ky0, ky1, kx0, kx1;
  valid_taps(oy * g.stride_h - g.pad_top, g.dilation_h, g.kernel_h, g.in_h, ky0, ky1);
  valid_taps(ox * g.stride_w - g.pad_left, g.dilation_w, g.kernel_w, g.in_w, kx0, kx1);
  const size_t taps = static_cast<size_t>(g.kernel_h * g.kernel_w);
  const float* in[kListTaps];
  size_t tap[kListTaps];
  size_t count = 0;
  bool first = true;
  for (int64_t ky = ky0; ky < ky1; ++ky) {
    const float* row = image + (oy * g.stride_h - g.pad_top + ky * g.dilation_h) * g.in_w * ch;
    for (int64_t kx = kx0; kx < kx1; ++kx) {
      if (count == kListTaps) {
        dwconv_tap_list(ch, taps, count, in, tap, packed, out, first, false, lo, hi);
        first = false;
        count = 0;
      }
      in[count] = row + (ox * g.stride_w - g.pad_left + kx * g.dilation_w) * ch;
      tap[count++] = static_cast<size_t>(ky * g.kernel_w + kx);
    }
  }
  dwconv_tap_list(ch, taps, count, in, tap, packed, out, first, true, lo, hi);
}

}  // namespace

void f32_dwconv_nhwc(const Conv2dGeometry& g, const float* input, const float* packed, float* output, int64_t row_begin,
                     int64_t row_end, const FusedActivation& act) {
  const bool clamp = act.is_clamp();
  const float lo = clamp ? act.min : -INFINITY, hi = clamp ? act.max : INFINITY;
  const int64_t ch = g.in_c;
  const int64_t k = g.kernel_h;
  const bool row_kernel = (k == 3 || k == 5) && g.kernel_w == k;
  // Interior columns: every tap inside the image horizontally.
  int64_t ox_lo = g.pad_left > 0 ? (g.pad_left + g.stride_w - 1) / g.stride_w : 0;
  const int64_t last_start = g.in_w - 1 - (g.kernel_w - 1) * g.dilation_w + g.pad_left;
  int64_t ox_hi = last_start < 0 ? 0 : std::min<int64_t>(g.out_w, last_start / g.stride_w + 1);
  ox_lo = std::min(ox_lo, g.out_w);
  ox_hi = std::max(ox_hi, ox_lo);

  for (int64_t r = row_begin; r < row_end; ++r) {
    const int64_t n = r / g.out_h, oy = r % g.out_h;
    const float* image = input + n * g.in_h * g.in_w * ch;
    float* out_row = output + r * g.out_w * ch;
    int64_t ky0, ky1;
    valid_taps(oy * g.stride_h - g.pad_top, g.dilation_h, g.kernel_h, g.in_h, ky0, ky1);
    const bool interior_rows = row_kernel && ky0 == 0 && ky1 == g.kernel_h;
    const int64_t run_begin = interior_rows ? ox_lo : g.out_w, run_end = interior_rows ? ox_hi : g.out_w;
    for (int64_t ox = 0; ox < run_begin; ++ox) dwconv_border_pixel(g, image, oy, ox, packed, out_row + ox * ch, lo, hi);
    if (run_end > run_begin) {
      const float* rows[5];
      for (int64_t ky = 0; ky < k; ++ky)
        rows[ky] =
            image +
            ((oy * g.stride_h - g.pad_top + ky * g.dilation_h) * g.in_w + (run_begin * g.stride_w - g.pad_left)) * ch;
      const size_t pixels = static_cast<size_t>(run_end - run_begin);
      const size_t tap_step = static_cast<size_t>(g.dilation_w * ch), pixel_step = static_cast<size_t>(g.stride_w * ch);
      float* out = out_row + run_begin * ch;
      if (k == 3)
        dwconv_interior_run<3>(static_cast<size_t>(ch), pixels, rows, tap_step, pixel_step, packed, out, lo, hi);
      else dwconv_interior_run<5>(static_cast<size_t>(ch), pixels, rows, tap_step, pixel_step, packed, out, lo, hi);
    }
    for (int64_t ox = run_end; ox < g.out_w; ++ox)
      dwconv_border_pixel(g, image, oy, ox, packed, out_row + ox * ch, lo, hi);
    if (!clamp) f32_fused_apply(act, out_row, static_cast<size_t>(g.out_w * ch));
  }
}

}  // namespace webcnn::kernels::WEBCNN_ISA
