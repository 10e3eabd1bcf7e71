// Resize (ONNX opset 11-19 semantics): nearest, linear and cubic interpolation over any dims that scale,
// whatever the layout. The sampling rule per output coordinate (`axis_taps`) is shared by the fast path
// and the naive reference, and is checked against hand-computed values in the tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn::resize {

enum class Mode { kNearest, kLinear, kCubic };
enum class CoordinateMode {
  kHalfPixel,
  kHalfPixelSymmetric,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNn,
  kTfCropAndResize
};
enum class NearestMode { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil };

struct Params {
  Mode mode = Mode::kNearest;
  CoordinateMode coordinate_mode = CoordinateMode::kHalfPixel;
  NearestMode nearest_mode = NearestMode::kRoundPreferFloor;
  double cubic_coeff_a = -0.75;
  bool exclude_outside = false;
  float extrapolation_value = 0.0f;  // tf_crop_and_resize, outside the input
};

// Parses the attribute strings; errors list the accepted values.
Result<Mode> parse_mode(const std::string& s);
Result<CoordinateMode> parse_coordinate_mode(const std::string& s);
Result<NearestMode> parse_nearest_mode(const std::string& s);

// How one dim maps: sizes, the scale used by the coordinate transform, the resized length it implies
// (scale * in, fractional when scales were given; ONNX uses it for align_corners and
// tf_crop_and_resize), and the region of interest (tf_crop_and_resize only).
struct AxisScale {
  int64_t in = 1, out = 1;
  double scale = 1.0, length = 1.0;
  double roi_start = 0.0, roi_end = 1.0;
};

// From the op's inputs. Exactly one of scales/sizes is non-empty. `axes` empty = all dims; otherwise
// scales/sizes/roi list only those dims. `policy` is keep_aspect_ratio_policy (sizes only).
Result<std::vector<AxisScale>> resize_axes(const Shape& in, const std::vector<float>& scales,
                                           const std::vector<int64_t>& sizes, const std::vector<float>& roi,
                                           const std::vector<int64_t>& axes, const std::string& policy);

// The input samples output coordinate `x` reads along one axis: up to 4 (index, weight) pairs, indices
// already clamped to the input (edge replication). `outside`: the coordinate falls outside the crop
// (tf_crop_and_resize), so the output is the extrapolation value.
struct Taps {
  int64_t index[4] = {0, 0, 0, 0};
  double weight[4] = {0, 0, 0, 0};
  int count = 0;
  bool outside = false;
};
Taps axis_taps(const Params& p, const AxisScale& a, int64_t x);

// The fast path: separable tap tables over the one or two dims that really scale, vectorised over the
// contiguous unscaled dims after them (channels in NHWC). Falls back to the reference for rarer cases
// (three or more scaled dims, or scaled dims that are not adjacent). Any dtype for nearest; float32, and
// quantised uint8/int8 (interpolated, then rounded to nearest), otherwise.
class Resampler {
 public:
  Resampler() = default;
  Resampler(const Shape& in_shape, const std::vector<AxisScale>& axes, const Params& params, DataType dtype);
  void run(const void* in, void* out) const;

  // One output coordinate of the fast path: input offsets (in elements, stride applied) and weights.
  struct Tap1d {
    int64_t offset[4];  // element offsets into the input
    float weight[4];
    int count;
    bool outside;
  };

 private:
  std::vector<Tap1d> table(int axis, int64_t stride) const;

  Shape in_shape_;
  std::vector<AxisScale> axes_;
  Params params_;
  DataType dtype_ = DataType::kFloat32;
  bool use_reference_ = false;
  // One output pixel of linear/cubic Resize on 8-bit data (inner_ elements).
  template <typename T>
  void interpolate_8bit(const T* src, const Tap1d& r, const Tap1d& c, T* dst) const;
  // The fast path sees [outer, H, W, inner] with only H and W scaled (H may be an unscaled size-1 dim).
  int64_t outer_ = 1, in_h_ = 1, in_w_ = 1, out_h_ = 1, out_w_ = 1, inner_ = 1;
  std::vector<Tap1d> rows_, cols_;
};

namespace reference {
// One output element at a time: the product of every axis's taps, summed in double.
void resize(const void* in, const Shape& in_shape, DataType dtype, const std::vector<AxisScale>& axes, const Params& p,
            void* out);
}  // namespace reference

}  // namespace webcnn::resize
