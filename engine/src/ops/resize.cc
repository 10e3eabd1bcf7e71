// Resize: nearest / linear / cubic resampling of whichever dims scale (see resize.h). Upsample is
// rewritten into Resize by the importer, so this is the only resampling kernel.
#include "ops/resize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "kernels/kernel_table.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {
namespace resize {

Result<Mode> parse_mode(const std::string& s) {
  if (s == "nearest") return Mode::kNearest;
  if (s == "linear") return Mode::kLinear;
  if (s == "cubic") return Mode::kCubic;
  return Status::error("unknown mode '" + s + "' (expected nearest, linear or cubic)");
}

Result<CoordinateMode> parse_coordinate_mode(const std::string& s) {
  if (s == "half_pixel") return CoordinateMode::kHalfPixel;
  if (s == "half_pixel_symmetric") return CoordinateMode::kHalfPixelSymmetric;
  if (s == "pytorch_half_pixel") return CoordinateMode::kPytorchHalfPixel;
  if (s == "align_corners") return CoordinateMode::kAlignCorners;
  if (s == "asymmetric") return CoordinateMode::kAsymmetric;
  if (s == "tf_half_pixel_for_nn") return CoordinateMode::kTfHalfPixelForNn;
  if (s == "tf_crop_and_resize") return CoordinateMode::kTfCropAndResize;
  return Status::error("unknown coordinate_transformation_mode '" + s +
                       "' (expected half_pixel, half_pixel_symmetric, pytorch_half_pixel, align_corners, asymmetric, "
                       "tf_half_pixel_for_nn or tf_crop_and_resize)");
}

Result<NearestMode> parse_nearest_mode(const std::string& s) {
  if (s == "round_prefer_floor") return NearestMode::kRoundPreferFloor;
  if (s == "round_prefer_ceil") return NearestMode::kRoundPreferCeil;
  if (s == "floor") return NearestMode::kFloor;
  if (s == "ceil") return NearestMode::kCeil;
  return Status::error("unknown nearest_mode '" + s +
                       "' (expected round_prefer_floor, round_prefer_ceil, floor or ceil)");
}

Result<std::vector<AxisScale>> resize_axes(const Shape& in, const std::vector<float>& scales,
                                           const std::vector<int64_t>& sizes, const std::vector<float>& roi,
                                           const std::vector<int64_t>& axes, const std::string& policy) {
  const int64_t rank = static_cast<int64_t>(in.size());
  std::vector<size_t> list;
  std::vector<bool> seen(in.size(), false);
  if (axes.empty()) {
    for (size_t i = 0; i < in.size(); ++i) list.push_back(i);
  } else {
    for (int64_t a : axes) {
      if (a < -rank || a >= rank)
        return Status::error("axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
      size_t k = static_cast<size_t>(a < 0 ? a + rank : a);
      if (seen[k]) return Status::error("axis " + std::to_string(a) + " is listed twice");
      seen[k] = true;
      list.push_back(k);
    }
  }
  const size_t n = list.size();
  if (scales.empty() == sizes.empty()) return Status::error("exactly one of scales and sizes must be given");
  std::vector<AxisScale> result(in.size());
  for (size_t i = 0; i < in.size(); ++i) result[i] = {in[i], in[i], 1.0, static_cast<double>(in[i]), 0.0, 1.0};
  if (!roi.empty()) {
    if (roi.size() != 2 * n)
      return Status::error("roi has " + std::to_string(roi.size()) + " values, expected " + std::to_string(2 * n));
    for (size_t k = 0; k < n; ++k) {
      result[list[k]].roi_start = roi[k];
      result[list[k]].roi_end = roi[k + n];
    }
  }
  auto set_out = [&](size_t axis, double out) -> Status {
    if (!(out >= 0 && out <= static_cast<double>(kMaxElements)))
      return Status::error("output dimension " + std::to_string(axis) + " would be out of range");
    result[axis].out = static_cast<int64_t>(out);
    if (in[axis] == 0 && result[axis].out != 0)
      return Status::error("cannot resize dimension " + std::to_string(axis) + " of size 0 to a non-zero size");
    return Status::ok();
  };
  if (!scales.empty()) {
    if (scales.size() != n)
      return Status::error("scales has " + std::to_string(scales.size()) + " values, expected " + std::to_string(n));
    for (size_t k = 0; k < n; ++k) {
      const double s = scales[k];
      if (!(s > 0) || !std::isfinite(s)) return Status::error("scale " + std::to_string(s) + " must be positive");
      AxisScale& a = result[list[k]];
      a.scale = s;
      a.length = s * static_cast<double>(a.in);
      WEBCNN_TRY(set_out(list[k], std::floor(a.length)));
    }
    return result;
  }
  if (sizes.size() != n)
    return Status::error("sizes has " + std::to_string(sizes.size()) + " values, expected " + std::to_string(n));
  for (int64_t s : sizes)
    if (s < 0) return Status::error("sizes has a negative value " + std::to_string(s));
  if (policy == "stretch") {
    for (size_t k = 0; k < n; ++k) {
      AxisScale& a = result[list[k]];
      WEBCNN_TRY(set_out(list[k], static_cast<double>(sizes[k])));
      a.scale = a.in ? static_cast<double>(a.out) / static_cast<double>(a.in) : 1.0;
      a.length = static_cast<double>(a.out);
    }
    return result;
  }
  if (policy != "not_larger" && policy != "not_smaller")
    return Status::error("unknown keep_aspect_ratio_policy '" + policy +
                         "' (expected stretch, not_larger or not_smaller)");
  // One scale for every listed dim: the largest that fits in sizes (not_larger) or the smallest that covers it.
  double s = policy == "not_larger" ? INFINITY : 0.0;
  for (size_t k = 0; k < n; ++k) {
    if (in[list[k]] == 0) return Status::error("cannot keep the aspect ratio of an empty dimension");
    const double r = static_cast<double>(sizes[k]) / static_cast<double>(in[list[k]]);
    s = policy == "not_larger" ? std::min(s, r) : std::max(s, r);
  }
  if (!(s > 0) || !std::isfinite(s)) return Status::error("sizes give no usable scale");
  for (size_t k = 0; k < n; ++k) {
    AxisScale& a = result[list[k]];
    a.scale = s;
    a.length = s * static_cast<double>(a.in);
    WEBCNN_TRY(set_out(list[k], std::floor(a.length + 0.5)));
  }
  return result;
}

namespace {

// The input coordinate that output coordinate x samples (ONNX coordinate_transformation_mode).
// Sets `outside` when tf_crop_and_resize lands off the input.
double source_coordinate(const Params& p, const AxisScale& a, int64_t x, bool& outside) {
  const double xd = static_cast<double>(x), in = static_cast<double>(a.in);
  outside = false;
  switch (p.coordinate_mode) {
    case CoordinateMode::kHalfPixel: return (xd + 0.5) / a.scale - 0.5;
    case CoordinateMode::kHalfPixelSymmetric: {
      const double adjustment = static_cast<double>(a.out) / a.length;
      const double offset = in / 2 * (1 - adjustment);
      return offset + (xd + 0.5) / a.scale - 0.5;
    }
    case CoordinateMode::kPytorchHalfPixel: return a.out > 1 ? (xd + 0.5) / a.scale - 0.5 : -0.5;
    case CoordinateMode::kAlignCorners: return a.length == 1 ? 0.0 : xd * (in - 1) / (a.length - 1);
    case CoordinateMode::kAsymmetric: return xd / a.scale;
    case CoordinateMode::kTfHalfPixelForNn: return (xd + 0.5) / a.scale;
    case CoordinateMode::kTfCropAndResize: {
      const double span = (a.roi_end - a.roi_start) * (in - 1);
      double xo = a.length == 1 ? span / 2 : xd * span / (a.length - 1);
      xo += a.roi_start * (in - 1);
      outside = !(xo >= 0 && xo <= in - 1);
      return xo;
    }
  }
  return 0.0;
}

void cubic_coefficients(double ratio, double A, double c[4]) {
  const double r1 = ratio + 1, q = 1 - ratio, q1 = q + 1;
  c[0] = ((A * r1 - 5 * A) * r1 + 8 * A) * r1 - 4 * A;
  c[1] = ((A + 2) * ratio - (A + 3)) * ratio * ratio + 1;
  c[2] = ((A + 2) * q - (A + 3)) * q * q + 1;
  c[3] = ((A * q1 - 5 * A) * q1 + 8 * A) * q1 - 4 * A;
}

int64_t clamp_index(int64_t i, int64_t n) { return i < 0 ? 0 : (i >= n ? n - 1 : i); }

}  // namespace

Taps axis_taps(const Params& p, const AxisScale& a, int64_t x) {
  Taps t;
  double xo = source_coordinate(p, a, x, t.outside);
  if (t.outside) return t;
  // Far outside the input every tap clamps to an edge anyway; bounding xo keeps the casts defined.
  const double lo = -4.0, hi = static_cast<double>(a.in) + 3.0;
  if (!(xo >= lo)) xo = lo;
  if (xo > hi) xo = hi;
  const double fl = std::floor(xo);
  int64_t i0 = static_cast<int64_t>(fl);
  double ratio = xo - fl;
  if (p.mode == Mode::kNearest) {
    int64_t i = i0;
    if (ratio != 0) {
      bool up = false;
      switch (p.nearest_mode) {
        case NearestMode::kRoundPreferFloor: up = ratio > 0.5; break;
        case NearestMode::kRoundPreferCeil: up = ratio >= 0.5; break;
        case NearestMode::kFloor: up = false; break;
        case NearestMode::kCeil: up = true; break;
      }
      if (up) ++i;
    }
    t.count = 1;
    t.index[0] = clamp_index(i, a.in);
    t.weight[0] = 1.0;
    return t;
  }
  // ONNX takes the neighbours left of x: on an integer coordinate, ratio is 1, not 0.
  if (ratio == 0) {
    --i0;
    ratio = 1;
  }
  int64_t first;
  if (p.mode == Mode::kLinear) {
    t.count = 2;
    first = i0;
    t.weight[0] = 1 - ratio;
    t.weight[1] = ratio;
  } else {
    t.count = 4;
    first = i0 - 1;
    cubic_coefficients(ratio, p.cubic_coeff_a, t.weight);
  }
  double sum = 0;
  for (int k = 0; k < t.count; ++k) {
    const int64_t idx = first + k;
    if (p.exclude_outside && (idx < 0 || idx >= a.in)) t.weight[k] = 0;
    sum += t.weight[k];
    t.index[k] = clamp_index(idx, a.in);
  }
  if (p.exclude_outside && sum != 0)
    for (int k = 0; k < t.count; ++k) t.weight[k] /= sum;
  return t;
}

namespace {

// XNNPACK's 8-bit bilinear interpolation (s8/u8-ibilinear, what TFLite's XNNPACK delegate runs for
// RESIZE_BILINEAR): each axis' weight of the far neighbour to 11 bits (round half to even), columns then
// rows in fixed point, the result rounded half up: (acc + 2^21) >> 22. An axis with one real tap has
// weight 0 and the same neighbour twice.
int32_t weight_q11(float alpha) { return static_cast<int32_t>(std::nearbyint(alpha * 2048.0f)); }
int32_t bilinear_q11(int32_t tl, int32_t tr, int32_t bl, int32_t br, int32_t alpha_h, int32_t alpha_v) {
  const int32_t top = tl * 2048 + (tr - tl) * alpha_h, bottom = bl * 2048 + (br - bl) * alpha_h;
  const int32_t acc = top * 2048 + (bottom - top) * alpha_v;
  return (acc + (1 << 21)) >> 22;  // arithmetic shift: floor
}

void store_scalar(void* dst, DataType t, float v) {
  switch (t) {
    case DataType::kFloat32: std::memcpy(dst, &v, 4); break;
    case DataType::kInt32: {
      int32_t x = static_cast<int32_t>(std::clamp(v, -2147483648.0f, 2147483520.0f));
      std::memcpy(dst, &x, 4);
      break;
    }
    case DataType::kInt64: {
      int64_t x = static_cast<int64_t>(std::clamp(v, -9.2e18f, 9.2e18f));
      std::memcpy(dst, &x, 8);
      break;
    }
    case DataType::kUInt8:
    case DataType::kBool: {
      uint8_t x = static_cast<uint8_t>(std::clamp(v, 0.0f, 255.0f));
      std::memcpy(dst, &x, 1);
      break;
    }
    case DataType::kInt8: {
      int8_t x = static_cast<int8_t>(std::clamp(v, -128.0f, 127.0f));
      std::memcpy(dst, &x, 1);
      break;
    }
    case DataType::kFloat64: break;  // only at a model's boundary (tensor.h): no op computes in it
  }
}

bool next_index(std::vector<int64_t>& idx, const Shape& shape) {
  for (size_t i = idx.size(); i-- > 0;) {
    if (++idx[i] < shape[i]) return true;
    idx[i] = 0;
  }
  return false;
}

}  // namespace

namespace reference {

namespace {
// 8-bit linear Resize with at most two axes that interpolate (two taps of non-zero weight): bilinear_q11,
// the outer such axis as rows. False when more axes interpolate (the float sum below then).
bool bilinear_8bit(const char* src, DataType dtype, const std::vector<Taps>& taps, const std::vector<int64_t>& stride,
                   char* dst) {
  int64_t base = 0;
  int64_t step[2] = {0, 0};
  int32_t alpha[2] = {0, 0};
  int found = 0;
  for (size_t i = 0; i < taps.size(); ++i) {
    const Taps& t = taps[i];
    if (t.count == 2 && t.weight[0] != 0 && t.weight[1] != 0) {
      if (found == 2) return false;
      base += t.index[0] * stride[i];
      step[found] = (t.index[1] - t.index[0]) * stride[i];
      alpha[found] = weight_q11(static_cast<float>(t.weight[1]));
      ++found;
    } else {
      base += (t.count == 2 && t.weight[0] == 0 ? t.index[1] : t.index[0]) * stride[i];
    }
  }
  // One interpolating axis is the columns (rows of weight 0); two: rows, then columns.
  const int64_t row_step = found == 2 ? step[0] : 0, col_step = found == 2 ? step[1] : step[0];
  const int32_t alpha_v = found == 2 ? alpha[0] : 0, alpha_h = found == 2 ? alpha[1] : alpha[0];
  auto at = [&](int64_t off) -> int32_t {
    return dtype == DataType::kInt8 ? int32_t{reinterpret_cast<const int8_t*>(src)[off]}
                                    : int32_t{reinterpret_cast<const uint8_t*>(src)[off]};
  };
  const int32_t v = bilinear_q11(at(base), at(base + col_step), at(base + row_step), at(base + row_step + col_step),
                                 alpha_h, alpha_v);
  if (dtype == DataType::kInt8) *reinterpret_cast<int8_t*>(dst) = static_cast<int8_t>(v);
  else *reinterpret_cast<uint8_t*>(dst) = static_cast<uint8_t>(v);
  return true;
}
}  // namespace

void resize(const void* in, const Shape& in_shape, DataType dtype, const std::vector<AxisScale>& axes, const Params& p,
            void* out) {
  const size_t rank = in_shape.size(), es = dtype_size(dtype);
  Shape out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = axes[i].out;
  if (num_elements(out_shape) == 0) return;
  std::vector<int64_t> stride(rank, 1);
  for (size_t i = rank; i-- > 1;) stride[i - 1] = stride[i] * in_shape[i];
  std::vector<int64_t> idx(rank, 0), pick(rank, 0);
  std::vector<Taps> taps(rank);
  char* dst = static_cast<char*>(out);
  const char* src = static_cast<const char*>(in);
  do {
    bool outside = false;
    for (size_t i = 0; i < rank; ++i) {
      taps[i] = axis_taps(p, axes[i], idx[i]);
      outside = outside || taps[i].outside;
    }
    if (outside) {
      store_scalar(dst, dtype, p.extrapolation_value);
    } else if (p.mode == Mode::kNearest) {
      int64_t off = 0;
      for (size_t i = 0; i < rank; ++i) off += taps[i].index[0] * stride[i];
      std::memcpy(dst, src + static_cast<size_t>(off) * es, es);
    } else if (p.mode == Mode::kLinear && (dtype == DataType::kUInt8 || dtype == DataType::kInt8) &&
               bilinear_8bit(src, dtype, taps, stride, dst)) {
      // done: XNNPACK's fixed-point rule
    } else {
      // Sum over every combination of one tap per axis.
      double sum = 0;
      std::fill(pick.begin(), pick.end(), 0);
      for (;;) {
        double w = 1;
        int64_t off = 0;
        for (size_t i = 0; i < rank; ++i) {
          w *= taps[i].weight[pick[i]];
          off += taps[i].index[pick[i]] * stride[i];
        }
        const double v = dtype == DataType::kUInt8  ? static_cast<const uint8_t*>(in)[off]
                         : dtype == DataType::kInt8 ? static_cast<const int8_t*>(in)[off]
                                                    : static_cast<const float*>(in)[off];
        sum += w * v;
        size_t i = rank;
        while (i-- > 0) {
          if (++pick[i] < taps[i].count) break;
          pick[i] = 0;
        }
        if (i == static_cast<size_t>(-1)) break;
      }
      // 8-bit data is quantised (README.md "Quantized tensors"): round to nearest, half away from zero.
      if (dtype == DataType::kUInt8 || dtype == DataType::kInt8) sum = std::round(sum);
      store_scalar(dst, dtype, static_cast<float>(sum));
    }
    dst += es;
  } while (next_index(idx, out_shape));
}

}  // namespace reference

std::vector<Resampler::Tap1d> Resampler::table(int axis, int64_t stride) const {
  std::vector<Tap1d> t;
  if (axis < 0) {  // an unscaled stand-in dim of size 1
    t.push_back({{0, 0, 0, 0}, {1, 0, 0, 0}, 1, false});
    return t;
  }
  const AxisScale& a = axes_[static_cast<size_t>(axis)];
  for (int64_t x = 0; x < a.out; ++x) {
    const Taps taps = axis_taps(params_, a, x);
    Tap1d d{{0, 0, 0, 0}, {0, 0, 0, 0}, 0, taps.outside};
    for (int k = 0; k < taps.count; ++k) {
      if (taps.weight[k] == 0) continue;  // e.g. linear on an integer coordinate: one real tap
      d.offset[d.count] = taps.index[k] * stride;
      d.weight[d.count] = static_cast<float>(taps.weight[k]);
      ++d.count;
    }
    t.push_back(d);
  }
  return t;
}

Resampler::Resampler(const Shape& in_shape, const std::vector<AxisScale>& axes, const Params& params, DataType dtype)
    : in_shape_(in_shape), axes_(axes), params_(params), dtype_(dtype) {
  // Which dims really change: an identity dim reads input x for output x with weight 1.
  std::vector<int> scaled;
  for (size_t i = 0; i < axes.size(); ++i) {
    const AxisScale& a = axes[i];
    bool identity = a.in == a.out;
    for (int64_t x = 0; identity && x < a.out; ++x) {
      const Taps t = axis_taps(params, a, x);
      int real = 0;
      for (int k = 0; k < t.count; ++k)
        if (t.weight[k] != 0) {
          ++real;
          identity = identity && t.index[k] == x && t.weight[k] == 1.0;
        }
      identity = identity && !t.outside && real == 1;
    }
    if (!identity) scaled.push_back(static_cast<int>(i));
  }
  auto prod = [&](size_t from, size_t to) {
    int64_t p = 1;
    for (size_t i = from; i < to; ++i) p *= in_shape[i];
    return p;
  };
  int h_axis = -1, w_axis = -1;
  if (scaled.empty()) {
    inner_ = prod(0, in_shape.size());
  } else if (scaled.size() == 1 || (scaled.size() == 2 && scaled[1] == scaled[0] + 1)) {
    w_axis = scaled.back();
    if (scaled.size() == 2) h_axis = scaled[0];
    const size_t first = static_cast<size_t>(scaled[0]), w = static_cast<size_t>(w_axis);
    outer_ = prod(0, first);
    inner_ = prod(w + 1, in_shape.size());
    in_w_ = in_shape[w];
    out_w_ = axes[w].out;
    if (h_axis >= 0) {
      in_h_ = in_shape[first];
      out_h_ = axes[first].out;
    }
  } else {
    use_reference_ = true;
    return;
  }
  rows_ = table(h_axis, in_w_ * inner_);
  cols_ = table(w_axis, inner_);
}

namespace {

// Nearest neighbour on a plane whose pixels are single elements (NCHW): one fixed-size copy per output.
template <size_t ES>
void nearest_plane(const char* src, char* dst, const std::vector<Resampler::Tap1d>& rows,
                   const std::vector<Resampler::Tap1d>& cols, const char* extrapolated) {
  for (const Resampler::Tap1d& r : rows) {
    const char* row = src + static_cast<size_t>(r.offset[0]) * ES;
    for (const Resampler::Tap1d& c : cols) {
      std::memcpy(dst, r.outside || c.outside ? extrapolated : row + static_cast<size_t>(c.offset[0]) * ES, ES);
      dst += ES;
    }
  }
}

}  // namespace

template <typename T>
void Resampler::interpolate_8bit(const T* src, const Tap1d& r, const Tap1d& c, T* dst) const {
  // Quantised data with the same scale and zero point in and out: the weights sum to 1, so interpolating
  // the stored integers is interpolating the reals. Linear: XNNPACK's fixed point (bilinear_q11); cubic:
  // in float, rounded to nearest (half away from zero).
  if (params_.mode == Mode::kLinear && r.count <= 2 && c.count <= 2) {
    const int64_t r1 = r.count == 2 ? r.offset[1] - r.offset[0] : 0, c1 = c.count == 2 ? c.offset[1] - c.offset[0] : 0;
    const int32_t alpha_v = r.count == 2 ? weight_q11(r.weight[1]) : 0,
                  alpha_h = c.count == 2 ? weight_q11(c.weight[1]) : 0;
    const T* p = src + r.offset[0] + c.offset[0];
    for (int64_t k = 0; k < inner_; ++k, ++p)
      dst[k] = static_cast<T>(bilinear_q11(p[0], p[c1], p[r1], p[r1 + c1], alpha_h, alpha_v));
    return;
  }
  for (int64_t k = 0; k < inner_; ++k) {
    float sum = 0;
    for (int a = 0; a < r.count; ++a)
      for (int b = 0; b < c.count; ++b)
        sum += r.weight[a] * c.weight[b] * static_cast<float>(src[r.offset[a] + c.offset[b] + k]);
    dst[k] = static_cast<T>(std::clamp(std::round(sum), static_cast<float>(std::numeric_limits<T>::min()),
                                       static_cast<float>(std::numeric_limits<T>::max())));
  }
}

void Resampler::run(const void* in, void* out) const {
  if (use_reference_) {
    reference::resize(in, in_shape_, dtype_, axes_, params_, out);
    return;
  }
  const size_t es = dtype_size(dtype_);
  const int64_t in_plane = in_h_ * in_w_ * inner_, out_plane = out_h_ * out_w_ * inner_;
  if (out_plane == 0 || outer_ == 0) return;
  char extrapolated[8];
  store_scalar(extrapolated, dtype_, params_.extrapolation_value);
  const kernels::KernelTable& kernel_table = kernels::active();
  for (int64_t o = 0; o < outer_; ++o) {
    const char* src = static_cast<const char*>(in) + static_cast<size_t>(o * in_plane) * es;
    char* dst = static_cast<char*>(out) + static_cast<size_t>(o * out_plane) * es;
    if (params_.mode == Mode::kNearest && inner_ == 1 && (es == 4 || es == 1 || es == 8)) {
      if (es == 4) nearest_plane<4>(src, dst, rows_, cols_, extrapolated);
      if (es == 1) nearest_plane<1>(src, dst, rows_, cols_, extrapolated);
      if (es == 8) nearest_plane<8>(src, dst, rows_, cols_, extrapolated);
      continue;
    }
    for (int64_t oy = 0; oy < out_h_; ++oy) {
      const Tap1d& r = rows_[static_cast<size_t>(oy)];
      for (int64_t ox = 0; ox < out_w_; ++ox, dst += static_cast<size_t>(inner_) * es) {
        const Tap1d& c = cols_[static_cast<size_t>(ox)];
        if (r.outside || c.outside) {
          for (int64_t k = 0; k < inner_; ++k) std::memcpy(dst + static_cast<size_t>(k) * es, extrapolated, es);
          continue;
        }
        if (params_.mode == Mode::kNearest) {
          std::memcpy(dst, src + static_cast<size_t>(r.offset[0] + c.offset[0]) * es, static_cast<size_t>(inner_) * es);
          continue;
        }
        if (dtype_ == DataType::kUInt8) {
          interpolate_8bit(reinterpret_cast<const uint8_t*>(src), r, c, reinterpret_cast<uint8_t*>(dst));
          continue;
        }
        if (dtype_ == DataType::kInt8) {
          interpolate_8bit(reinterpret_cast<const int8_t*>(src), r, c, reinterpret_cast<int8_t*>(dst));
          continue;
        }
        // Weighted sum of up to 4x4 input vectors (kernels/f32_resize.cc), taps in row-major order.
        const float* s = reinterpret_cast<const float*>(src);
        const float* inputs[16];
        float weights[16];
        size_t taps = 0;
        for (int a = 0; a < r.count; ++a)
          for (int b = 0; b < c.count; ++b, ++taps) {
            inputs[taps] = s + r.offset[a] + c.offset[b];
            weights[taps] = r.weight[a] * c.weight[b];
          }
        kernel_table.f32_resize_pixel(static_cast<size_t>(inner_), taps, inputs, weights,
                                      reinterpret_cast<float*>(dst));
      }
    }
  }
}

}  // namespace resize

namespace {

using namespace resize;

class ResizeKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    auto k = std::make_unique<ResizeKernel>();
    Params& p = k->params_;
    WEBCNN_ASSIGN(std::string mode, node.attr_string("mode", "nearest"));
    WEBCNN_ASSIGN(std::string coord, node.attr_string("coordinate_transformation_mode", "half_pixel"));
    WEBCNN_ASSIGN(std::string nearest, node.attr_string("nearest_mode", "round_prefer_floor"));
    WEBCNN_ASSIGN(float a, node.attr_float("cubic_coeff_a", -0.75f));
    WEBCNN_ASSIGN(int64_t exclude, node.attr_int("exclude_outside", 0));
    WEBCNN_ASSIGN(p.extrapolation_value, node.attr_float("extrapolation_value", 0.0f));
    WEBCNN_ASSIGN(int64_t antialias, node.attr_int("antialias", 0));
    WEBCNN_ASSIGN(k->axes_, node.attr_ints("axes", {}));
    WEBCNN_ASSIGN(k->policy_, node.attr_string("keep_aspect_ratio_policy", "stretch"));
    if (antialias != 0) return node.error("unsupported: antialias");
    auto m = parse_mode(mode);
    if (!m) return m.status().with_context(node.describe());
    auto c = parse_coordinate_mode(coord);
    if (!c) return c.status().with_context(node.describe());
    auto n = parse_nearest_mode(nearest);
    if (!n) return n.status().with_context(node.describe());
    p.mode = m.value();
    p.coordinate_mode = c.value();
    p.nearest_mode = n.value();
    p.cubic_coeff_a = a;
    p.exclude_outside = exclude != 0;
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 4));
    const DataType dtype = in[0].dtype;
    if (params_.mode != Mode::kNearest && dtype != DataType::kFloat32 && dtype != DataType::kUInt8 &&
        dtype != DataType::kInt8)
      return node.error(std::string("unsupported: linear/cubic Resize of ") + dtype_name(dtype) + " data");
    // Empty tensors stand for absent inputs (older exporters write "" or a 0-element constant).
    auto given = [&](size_t i) { return in.size() > i && in[i].present && num_elements(in[i].shape) > 0; };
    std::vector<float> roi, scales;
    std::vector<int64_t> sizes;
    if (given(1) && params_.coordinate_mode == CoordinateMode::kTfCropAndResize) {
      if (!in[1].constant) return node.error("roi must be a constant (known when the model is planned)");
      roi = in[1].constant->to_float_vector();
    }
    if (given(2)) {
      if (!in[2].constant) return node.error("scales must be a constant (known when the model is planned)");
      if (in[2].dtype != DataType::kFloat32)
        return node.error(std::string("scales must be float32, got ") + dtype_name(in[2].dtype));
      scales = in[2].constant->to_float_vector();
    }
    if (given(3)) {
      if (!in[3].constant) return node.error("sizes must be a constant (known when the model is planned)");
      if (in[3].dtype != DataType::kInt64 && in[3].dtype != DataType::kInt32)
        return node.error(std::string("sizes must be int64 or int32, got ") + dtype_name(in[3].dtype));
      sizes = in[3].constant->to_int64_vector();
    }
    auto axes = resize_axes(in[0].shape, scales, sizes, roi, axes_, policy_);
    if (!axes) return axes.status().with_context(node.describe());
    Shape shape;
    for (const AxisScale& a : axes.value()) shape.push_back(a.out);
    auto n = checked_num_elements(shape);
    if (!n) return n.status().with_context(node.describe());
    // The tap tables grow with the output's extents: built at the first run, after the planner has checked
    // the output against the memory budget (a hostile file's Resize to 10^8 columns would otherwise fill
    // gigabytes of tables during shape inference, before any limit applies).
    resampler_.reset();
    in_shape_ = in[0].shape;
    axis_scales_ = std::move(axes.value());
    dtype_ = dtype;
    out[0].dtype = dtype;
    out[0].shape = shape;
    return Status::ok();
  }

  Status run(const KernelIO& io) override {
    if (!resampler_) resampler_.emplace(in_shape_, axis_scales_, params_, dtype_);
    resampler_->run(io.in[0].data, io.out[0].data);
    return Status::ok();
  }

 private:
  Params params_;
  std::vector<int64_t> axes_;
  std::string policy_;
  Shape in_shape_;
  std::vector<AxisScale> axis_scales_;
  DataType dtype_ = DataType::kFloat32;
  std::optional<Resampler> resampler_;
};

}  // namespace

void register_resize_ops(OpRegistry& r) {
  r.add("Resize", ResizeKernel::create, OpTraits().shape_deciding(1u << 1 | 1u << 2));  // scales, sizes
}

}  // namespace webcnn
