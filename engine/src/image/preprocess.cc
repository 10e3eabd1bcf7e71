// Image → input tensor: fit (crop / letterbox / stretch), separable triangle-filter resampling,
// per-channel normalisation, NCHW or NHWC store. See webcnn/image.h for the contract.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "webcnn/image.h"

namespace webcnn {
namespace {

// Where the picture lands: the source rectangle (in input pixels, fractional) is resampled onto the
// destination rectangle (in output pixels); output pixels outside the destination get the pad colour.
struct Placement {
  double src_x = 0, src_y = 0, src_w = 0, src_h = 0;
  int dst_x = 0, dst_y = 0, dst_w = 0, dst_h = 0;
};

Placement place(int in_w, int in_h, const PreprocessOptions& o) {
  Placement p;
  p.src_w = in_w;
  p.src_h = in_h;
  p.dst_w = o.width;
  p.dst_h = o.height;
  const double sx = static_cast<double>(o.width) / in_w, sy = static_cast<double>(o.height) / in_h;
  switch (o.fit) {
    case FitMode::kStretch: break;
    case FitMode::kCenterCrop: {
      // Output pixels per source pixel, so the kept region covers the whole output.
      const double s = std::max(sx, sy) / o.crop_fraction;
      p.src_w = o.width / s;
      p.src_h = o.height / s;
      p.src_x = (in_w - p.src_w) / 2;
      p.src_y = (in_h - p.src_h) / 2;
      break;
    }
    case FitMode::kLetterbox: {
      const double s = std::min(sx, sy);
      p.dst_w = std::clamp(static_cast<int>(std::lround(in_w * s)), 1, o.width);
      p.dst_h = std::clamp(static_cast<int>(std::lround(in_h * s)), 1, o.height);
      p.dst_x = (o.width - p.dst_w) / 2;
      p.dst_y = (o.height - p.dst_h) / 2;
      break;
    }
  }
  return p;
}

// Taps of a 1-D resampling: output sample i reads source samples first[i] .. first[i]+count[i]-1 with
// weights[i*max_taps + k], which sum to 1.
struct AxisTaps {
  std::vector<int> first, count;
  std::vector<float> weights;
  int max_taps = 0;
};

// Output sample i has its centre at src_start + (i + 0.5)·step in source coordinates, where source
// sample j covers [j, j+1). The triangle kernel has radius 1 source pixel when enlarging and `step`
// source pixels when shrinking. Taps outside [0, in_size) are dropped and the rest renormalised, which
// for enlargement is the same as clamping coordinates to the edge.
AxisTaps plan_axis(int in_size, double src_start, double src_extent, int out_size) {
  AxisTaps t;
  const double step = src_extent / out_size;
  const double radius = std::max(step, 1.0);
  t.max_taps = static_cast<int>(std::ceil(radius)) * 2 + 1;
  t.first.resize(out_size);
  t.count.resize(out_size);
  t.weights.assign(static_cast<size_t>(out_size) * t.max_taps, 0.0f);
  std::vector<double> w(t.max_taps);
  for (int i = 0; i < out_size; ++i) {
    const double centre = src_start + (i + 0.5) * step;
    // Source samples whose centre j + 0.5 lies strictly inside (centre − radius, centre + radius).
    int lo = static_cast<int>(std::floor(centre - radius - 0.5)) + 1;
    int hi = static_cast<int>(std::ceil(centre + radius - 0.5)) - 1;
    lo = std::max(lo, 0);
    hi = std::min(hi, in_size - 1);
    double sum = 0;
    int n = 0;
    for (int j = lo; j <= hi && n < t.max_taps; ++j, ++n) {
      w[n] = std::max(0.0, 1.0 - std::fabs((j + 0.5 - centre) / radius));
      sum += w[n];
    }
    if (n == 0 || sum <= 0) {  // centre off the picture (cannot happen for valid placements): nearest edge
      lo = std::clamp(static_cast<int>(std::floor(centre)), 0, in_size - 1);
      n = 1;
      w[0] = sum = 1;
    }
    t.first[i] = lo;
    t.count[i] = n;
    for (int k = 0; k < n; ++k) t.weights[static_cast<size_t>(i) * t.max_taps + k] = static_cast<float>(w[k] / sum);
  }
  return t;
}

Status validate(const ImageView& image, const PreprocessOptions& o) {
  if (!image.pixels) return Status::error("preprocess: image has no pixels");
  if (image.width <= 0 || image.height <= 0 || image.width > kMaxDecodeSide || image.height > kMaxDecodeSide)
    return Status::error("preprocess: image size " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                         " is outside 1.." + std::to_string(kMaxDecodeSide));
  const size_t channels = image.format == PixelFormat::kRGBA8 ? 4 : 3;
  if (image.row_stride != 0 && image.row_stride < static_cast<size_t>(image.width) * channels)
    return Status::error("preprocess: row stride " + std::to_string(image.row_stride) + " is shorter than a row");
  if (o.width <= 0 || o.height <= 0 || o.width > kMaxPreprocessSide || o.height > kMaxPreprocessSide)
    return Status::error("preprocess: tensor size " + std::to_string(o.width) + "x" + std::to_string(o.height) +
                         " is outside 1.." + std::to_string(kMaxPreprocessSide));
  if (!(o.crop_fraction > 0.0f && o.crop_fraction <= 1.0f))
    return Status::error("preprocess: crop fraction must be in (0, 1]");
  if (!std::isfinite(o.scale)) return Status::error("preprocess: scale must be finite");
  for (int c = 0; c < 3; ++c) {
    if (!std::isfinite(o.mean[c])) return Status::error("preprocess: mean must be finite");
    if (!std::isfinite(o.std[c]) || o.std[c] == 0.0f)
      return Status::error("preprocess: std must be finite and non-zero");
  }
  return Status::ok();
}

}  // namespace

Status preprocess_image_into(const ImageView& image, const PreprocessOptions& o, float* out, size_t out_elements) {
  WEBCNN_TRY(validate(image, o).with_default_code(StatusCode::kInvalidArgument));
  const size_t W = static_cast<size_t>(o.width), H = static_cast<size_t>(o.height), plane = W * H;
  if (!out || out_elements < plane * 3)
    return Status::error(StatusCode::kInvalidArgument, "preprocess: output needs " + std::to_string(plane * 3) +
                                                           " floats, has " + std::to_string(out ? out_elements : 0));
  const size_t channels = image.format == PixelFormat::kRGBA8 ? 4 : 3;
  const size_t stride = image.row_stride ? image.row_stride : static_cast<size_t>(image.width) * channels;

  // v·scale − mean over std, folded into one multiply-add per value.
  float mul[3], add[3];
  for (int c = 0; c < 3; ++c) {
    mul[c] = o.scale / o.std[c];
    add[c] = -o.mean[c] / o.std[c];
  }
  auto store = [&](size_t x, size_t y, const float rgb[3]) {
    for (size_t c = 0; c < 3; ++c) {
      const float v = rgb[c] * mul[c] + add[c];
      if (o.layout == TensorLayout::kNCHW) out[c * plane + y * W + x] = v;
      else out[(y * W + x) * 3 + c] = v;
    }
  };

  const Placement p = place(image.width, image.height, o);
  const float pad[3] = {float(o.pad_color[0]), float(o.pad_color[1]), float(o.pad_color[2])};
  for (size_t y = 0; y < H; ++y)
    for (size_t x = 0; x < W; ++x) {
      const bool inside = x >= size_t(p.dst_x) && x < size_t(p.dst_x + p.dst_w) && y >= size_t(p.dst_y) &&
                          y < size_t(p.dst_y + p.dst_h);
      if (!inside) store(x, y, pad);
    }

  const AxisTaps tx = plan_axis(image.width, p.src_x, p.src_w, p.dst_w);
  const AxisTaps ty = plan_axis(image.height, p.src_y, p.src_h, p.dst_h);
  // Horizontal pass over just the source rows the vertical taps read.
  int row_lo = image.height, row_hi = 0;
  for (int j = 0; j < p.dst_h; ++j) {
    row_lo = std::min(row_lo, ty.first[j]);
    row_hi = std::max(row_hi, ty.first[j] + ty.count[j]);
  }
  const size_t dw = static_cast<size_t>(p.dst_w);
  std::vector<float> rows(static_cast<size_t>(row_hi - row_lo) * dw * 3);
  for (int r = row_lo; r < row_hi; ++r) {
    const uint8_t* src = image.pixels + static_cast<size_t>(r) * stride;
    float* dst = rows.data() + static_cast<size_t>(r - row_lo) * dw * 3;
    for (size_t i = 0; i < dw; ++i) {
      const float* w = tx.weights.data() + i * tx.max_taps;
      const uint8_t* s = src + static_cast<size_t>(tx.first[i]) * channels;
      float acc[3] = {0, 0, 0};
      for (int k = 0; k < tx.count[i]; ++k, s += channels) {
        acc[0] += w[k] * s[0];
        acc[1] += w[k] * s[1];
        acc[2] += w[k] * s[2];
      }
      dst[i * 3 + 0] = acc[0];
      dst[i * 3 + 1] = acc[1];
      dst[i * 3 + 2] = acc[2];
    }
  }
  // Vertical pass, normalise, store.
  for (int j = 0; j < p.dst_h; ++j) {
    const float* w = ty.weights.data() + static_cast<size_t>(j) * ty.max_taps;
    const float* base = rows.data() + static_cast<size_t>(ty.first[j] - row_lo) * dw * 3;
    for (size_t i = 0; i < dw; ++i) {
      float acc[3] = {0, 0, 0};
      const float* s = base + i * 3;
      for (int k = 0; k < ty.count[j]; ++k, s += dw * 3) {
        acc[0] += w[k] * s[0];
        acc[1] += w[k] * s[1];
        acc[2] += w[k] * s[2];
      }
      store(static_cast<size_t>(p.dst_x) + i, static_cast<size_t>(p.dst_y + j), acc);
    }
  }
  return Status::ok();
}

Result<Tensor> preprocess_image(const ImageView& image, const PreprocessOptions& o) {
  WEBCNN_TRY(validate(image, o).with_default_code(StatusCode::kInvalidArgument));
  const Shape shape = o.layout == TensorLayout::kNCHW ? Shape{1, 3, o.height, o.width} : Shape{1, o.height, o.width, 3};
  WEBCNN_ASSIGN(Tensor t, Tensor::create(DataType::kFloat32, shape));
  WEBCNN_TRY(preprocess_image_into(image, o, t.data<float>(), static_cast<size_t>(t.size())));
  return t;
}

}  // namespace webcnn
