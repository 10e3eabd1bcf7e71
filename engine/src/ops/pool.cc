// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool (ONNX semantics, plus the `layout` attribute).
//
// prepare() infers shapes for NCHW and NHWC. The fast run path is NHWC, vectors over channels
// (kernels/f32_pool.cc); the NCHW form is only ever run when a pool of constants is folded before the
// layout pass rewrote it, and then the reference does the work. Global pools are fast in both layouts (each is a plain
// reduction).
#include "ops/pool.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/kernel_table.h"
#include "kernels/requantize.h"
#include "kernels/requantize_fp32.h"
#include "ops/kernel.h"
#include "ops/op_families.h"
#include "ops/qlinear_params.h"

namespace webcnn {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
// Bound on kernel/stride/dilation/pad values: far beyond any real model, small enough that every
// product below stays well inside int64.
constexpr int64_t kMaxWindowAttr = int64_t{1} << 24;

Result<bool> read_layout_is_nhwc(const Node& node) {
  WEBCNN_ASSIGN(std::string layout, node.attr_string("layout", "NCHW"));
  if (layout == "NCHW") return false;
  if (layout == "NHWC") return true;
  return node.error("layout must be \"NCHW\" or \"NHWC\", got \"" + layout + "\"");
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Taps k in [0, kernel) whose position start + k*dilation lies in [lo, hi): returns [first, last).
void taps_within(int64_t start, int64_t dilation, int64_t kernel, int64_t lo, int64_t hi, int64_t& first,
                 int64_t& last) {
  first = start >= lo ? 0 : ceil_div(lo - start, dilation);
  last = start >= hi ? 0 : std::min(kernel, ceil_div(hi - start, dilation));
  if (first > last) first = last;
}

// Divisor of an average window whose top-left tap is (ih0, iw0).
int64_t average_divisor(const PoolWindow& w, int64_t ih0, int64_t iw0) {
  int64_t h0, h1, w0, w1;
  if (w.count_include_pad) {
    taps_within(ih0, w.dilation_h, w.kernel_h, -w.pad_top, w.in_h + w.pad_bottom, h0, h1);
    taps_within(iw0, w.dilation_w, w.kernel_w, -w.pad_left, w.in_w + w.pad_right, w0, w1);
  } else {
    taps_within(ih0, w.dilation_h, w.kernel_h, 0, w.in_h, h0, h1);
    taps_within(iw0, w.dilation_w, w.kernel_w, 0, w.in_w, w0, w1);
  }
  return (h1 - h0) * (w1 - w0);
}

// ---- Window attributes (MaxPool / AveragePool) ----

struct WindowAttrs {
  PoolKind kind = PoolKind::kMax;
  bool nhwc = false;
  std::vector<int64_t> kernel, strides, dilations, pads;  // pads: begins then ends, ONNX order
  std::string auto_pad = "NOTSET";
  bool ceil_mode = false;
  bool count_include_pad = false;
};

Status unsupported_3d(const Node& node) {
  return Status::error("unsupported: 3-D pooling in " + node.describe() + " (only 1-D and 2-D windows)");
}

Result<WindowAttrs> read_window_attrs(const Node& node, PoolKind kind) {
  WindowAttrs a;
  a.kind = kind;
  WEBCNN_ASSIGN(a.nhwc, read_layout_is_nhwc(node));
  if (!node.has_attr("kernel_shape")) return node.error("attribute 'kernel_shape' is required");
  WEBCNN_ASSIGN(a.kernel, node.attr_ints("kernel_shape", {}));
  const size_t k = a.kernel.size();
  if (k == 3) return unsupported_3d(node);
  if (k < 1 || k > 2) return node.error("kernel_shape must have 1 or 2 values, got " + std::to_string(k));
  WEBCNN_ASSIGN(a.strides, node.attr_ints("strides", std::vector<int64_t>(k, 1)));
  WEBCNN_ASSIGN(a.dilations, node.attr_ints("dilations", std::vector<int64_t>(k, 1)));
  WEBCNN_ASSIGN(a.pads, node.attr_ints("pads", std::vector<int64_t>(2 * k, 0)));
  WEBCNN_ASSIGN(a.auto_pad, node.attr_string("auto_pad", "NOTSET"));
  WEBCNN_ASSIGN(int64_t ceil_mode, node.attr_int("ceil_mode", 0));
  a.ceil_mode = ceil_mode != 0;
  if (kind == PoolKind::kAverage) {
    WEBCNN_ASSIGN(int64_t include, node.attr_int("count_include_pad", 0));
    a.count_include_pad = include != 0;
  }
  // storage_order only matters for the Indices output, which is refused in prepare().
  if (a.strides.size() != k || a.dilations.size() != k || a.pads.size() != 2 * k)
    return node.error("strides, dilations and pads must have " + std::to_string(k) + ", " + std::to_string(k) +
                      " and " + std::to_string(2 * k) + " values to match kernel_shape");
  auto in_range = [](const std::vector<int64_t>& v, int64_t lo) {
    for (int64_t x : v)
      if (x < lo || x > kMaxWindowAttr) return false;
    return true;
  };
  if (!in_range(a.kernel, 1)) return node.error("kernel_shape values must be in [1, 2^24]");
  if (!in_range(a.strides, 1)) return node.error("strides must be in [1, 2^24]");
  if (!in_range(a.dilations, 1)) return node.error("dilations must be in [1, 2^24]");
  if (!in_range(a.pads, 0)) return node.error("pads must be in [0, 2^24]");
  // As ONNX Runtime: a window wholly in the padding has no input (MaxPool would output -inf).
  for (size_t i = 0; i < 2 * k; ++i)
    if (a.pads[i] >= a.kernel[i % k])
      return node.error("pads " + std::to_string(a.pads[i]) + " on spatial axis " + std::to_string(i % k) +
                        " must be smaller than the kernel size " + std::to_string(a.kernel[i % k]));
  if (a.auto_pad != "NOTSET" && a.auto_pad != "SAME_UPPER" && a.auto_pad != "SAME_LOWER" && a.auto_pad != "VALID")
    return node.error("unknown auto_pad '" + a.auto_pad + "'");
  return a;
}

// One spatial axis: output length and the padding actually used.
Status resolve_axis(const Node& node, const WindowAttrs& a, size_t axis, int64_t in, int64_t& out, int64_t& pad_begin,
                    int64_t& pad_end) {
  const size_t k = a.kernel.size();
  const int64_t stride = a.strides[axis];
  const int64_t extent = (a.kernel[axis] - 1) * a.dilations[axis] + 1;  // window span in input elements
  pad_begin = a.pads[axis];
  pad_end = a.pads[axis + k];
  if (a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER") {
    out = ceil_div(in, stride);
    const int64_t total = std::max<int64_t>(0, (out - 1) * stride + extent - in);
    pad_begin = a.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    pad_end = total - pad_begin;
  } else {
    if (a.auto_pad == "VALID") pad_begin = pad_end = 0;
    const int64_t span = in + pad_begin + pad_end - extent;
    if (span < 0)
      return node.error("the window (" + std::to_string(extent) +
                        " elements with dilation) is larger than the padded input (" +
                        std::to_string(in + pad_begin + pad_end) + ") on spatial axis " + std::to_string(axis));
    out = (a.ceil_mode && a.auto_pad == "NOTSET" ? ceil_div(span, stride) : span / stride) + 1;
    // ceil_mode may add a window that starts past the input and its leading padding: it would see
    // only trailing padding, so (like PyTorch and onnxruntime) it is dropped.
    if (a.ceil_mode && (out - 1) * stride >= in + pad_begin) --out;
  }
  if (out < 1)
    return node.error("output length on spatial axis " + std::to_string(axis) + " would be " + std::to_string(out));
  return Status::ok();
}

// Resolves the window against an input shape. 1-D inputs map to H = 1.
Result<PoolWindow> resolve_window(const Node& node, const WindowAttrs& a, const Shape& shape) {
  const size_t k = a.kernel.size();
  if (shape.size() == 5) return unsupported_3d(node);
  if (shape.size() != k + 2)
    return node.error("input " + shape_to_string(shape) + " should have rank " + std::to_string(k + 2) + " for a " +
                      std::to_string(k) + "-D kernel_shape");
  PoolWindow w;
  w.batch = shape[0];
  w.channels = a.nhwc ? shape.back() : shape[1];
  const size_t first_spatial = a.nhwc ? 1 : 2;
  int64_t out[2] = {1, 1}, pb[2] = {0, 0}, pe[2] = {0, 0};
  for (size_t i = 0; i < k; ++i) WEBCNN_TRY(resolve_axis(node, a, i, shape[first_spatial + i], out[i], pb[i], pe[i]));
  if (k == 2) {
    w.in_h = shape[first_spatial];
    w.out_h = out[0];
    w.kernel_h = a.kernel[0];
    w.stride_h = a.strides[0];
    w.dilation_h = a.dilations[0];
    w.pad_top = pb[0];
    w.pad_bottom = pe[0];
  }
  const size_t wi = k - 1;
  w.in_w = shape[first_spatial + wi];
  w.out_w = out[wi];
  w.kernel_w = a.kernel[wi];
  w.stride_w = a.strides[wi];
  w.dilation_w = a.dilations[wi];
  w.pad_left = pb[wi];
  w.pad_right = pe[wi];
  w.count_include_pad = a.count_include_pad;
  return w;
}

Shape output_shape(const PoolWindow& w, bool nhwc, size_t rank) {
  Shape s = {w.batch};
  if (!nhwc) s.push_back(w.channels);
  if (rank == 4) s.push_back(w.out_h);
  s.push_back(w.out_w);
  if (nhwc) s.push_back(w.channels);
  return s;
}

// ---- Fast NHWC path ----

// One output pixel: combines the taps [h0,h1) x [w0,w1) of the window at (ih0, iw0) over all channels
// (kernels/f32_pool.cc).
template <PoolKind kKind>
void pool_pixel_nhwc(const kernels::KernelTable& k, const PoolWindow& w, const float* image, int64_t ih0, int64_t iw0,
                     int64_t h0, int64_t h1, int64_t w0, int64_t w1, float scale, float* out) {
  const int64_t C = w.channels;
  const size_t rows = static_cast<size_t>(std::max<int64_t>(h1 - h0, 0)),
               cols = static_cast<size_t>(std::max<int64_t>(w1 - w0, 0));
  // The first tap inside the image (none: the window lies in the padding, and no tap is read).
  const float* first =
      rows && cols ? image + ((ih0 + h0 * w.dilation_h) * w.in_w + (iw0 + w0 * w.dilation_w)) * C : image;
  const size_t row_step = static_cast<size_t>(w.dilation_h * w.in_w * C),
               col_step = static_cast<size_t>(w.dilation_w * C);
  if (kKind == PoolKind::kMax) k.f32_maxpool(static_cast<size_t>(C), first, rows, cols, row_step, col_step, out);
  else k.f32_avgpool(static_cast<size_t>(C), first, rows, cols, row_step, col_step, scale, out);
}

template <PoolKind kKind>
void pool2d_nhwc(const PoolWindow& w, const float* in, float* out) {
  const int64_t C = w.channels;
  const kernels::KernelTable& k = kernels::active();
  for (int64_t n = 0; n < w.batch; ++n) {
    const float* image = in + n * w.in_h * w.in_w * C;
    for (int64_t oh = 0; oh < w.out_h; ++oh) {
      const int64_t ih0 = oh * w.stride_h - w.pad_top;
      int64_t h0, h1;
      taps_within(ih0, w.dilation_h, w.kernel_h, 0, w.in_h, h0, h1);
      for (int64_t ow = 0; ow < w.out_w; ++ow) {
        const int64_t iw0 = ow * w.stride_w - w.pad_left;
        int64_t w0, w1;
        taps_within(iw0, w.dilation_w, w.kernel_w, 0, w.in_w, w0, w1);
        float scale = 0;
        if (kKind == PoolKind::kAverage) {
          const int64_t divisor = average_divisor(w, ih0, iw0);
          scale = divisor > 0 ? 1.0f / static_cast<float>(divisor) : 0.0f;
        }
        pool_pixel_nhwc<kKind>(k, w, image, ih0, iw0, h0, h1, w0, w1, scale,
                               out + ((n * w.out_h + oh) * w.out_w + ow) * C);
      }
    }
  }
}

// MaxPool on 8-bit data (uint8 as ONNX allows, and quantised uint8/int8, whose max is the max of the
// stored integers: the scale is positive). NHWC, the layout quantised models run in, takes each window
// tap as a row of channels (a loop the compiler vectorises); NCHW one element at a time. A window with no
// real element gives the type's minimum.
template <typename T>
void max_pool_8bit(const PoolWindow& w, bool nhwc, const T* in, T* out) {
  const int64_t C = w.channels;
  constexpr T kLowest = std::numeric_limits<T>::lowest();
  for (int64_t n = 0; n < w.batch; ++n)
    for (int64_t oh = 0; oh < w.out_h; ++oh)
      for (int64_t ow = 0; ow < w.out_w; ++ow) {
        const int64_t ih0 = oh * w.stride_h - w.pad_top, iw0 = ow * w.stride_w - w.pad_left;
        int64_t h0, h1, w0, w1;
        taps_within(ih0, w.dilation_h, w.kernel_h, 0, w.in_h, h0, h1);
        taps_within(iw0, w.dilation_w, w.kernel_w, 0, w.in_w, w0, w1);
        if (nhwc) {
          T* o = out + ((n * w.out_h + oh) * w.out_w + ow) * C;
          std::fill(o, o + C, kLowest);
          for (int64_t kh = h0; kh < h1; ++kh)
            for (int64_t kw = w0; kw < w1; ++kw) {
              const T* p = in + ((n * w.in_h + ih0 + kh * w.dilation_h) * w.in_w + iw0 + kw * w.dilation_w) * C;
              for (int64_t c = 0; c < C; ++c) o[c] = std::max(o[c], p[c]);
            }
          continue;
        }
        for (int64_t c = 0; c < C; ++c) {
          T best = kLowest;
          for (int64_t kh = h0; kh < h1; ++kh)
            for (int64_t kw = w0; kw < w1; ++kw) {
              const int64_t h = ih0 + kh * w.dilation_h, x = iw0 + kw * w.dilation_w;
              best = std::max(best, in[((n * C + c) * w.in_h + h) * w.in_w + x]);
            }
          out[((n * C + c) * w.out_h + oh) * w.out_w + ow] = best;
        }
      }
}

class WindowPoolKernel final : public Kernel {
 public:
  explicit WindowPoolKernel(WindowAttrs a) : a_(std::move(a)) {}

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    dtype_ = in[0].dtype;
    if ((dtype_ != DataType::kUInt8 && dtype_ != DataType::kInt8) || a_.kind != PoolKind::kMax)
      WEBCNN_TRY(expect_dtype(node, in[0], DataType::kFloat32, "input"));
    if (out.empty() || !out[0].present) return node.error("output 0 is required");
    if (out.size() > 2) return node.error("has " + std::to_string(out.size()) + " outputs, at most 2 are defined");
    if (out.size() == 2 && out[1].present)
      return node.error("unsupported: the Indices output of MaxPool (only the pooled values are computed)");
    WEBCNN_ASSIGN(window_, resolve_window(node, a_, in[0].shape));
    const Shape shape = output_shape(window_, a_.nhwc, in[0].shape.size());
    WEBCNN_TRY(checked_num_elements(shape).status());
    out[0].dtype = dtype_;
    out[0].shape = shape;
    return Status::ok();
  }

  Status run(const KernelIO& io) override {
    if (dtype_ == DataType::kUInt8) {
      max_pool_8bit(window_, a_.nhwc, io.in[0].as<const uint8_t>(), io.out[0].as<uint8_t>());
      return Status::ok();
    }
    if (dtype_ == DataType::kInt8) {
      max_pool_8bit(window_, a_.nhwc, io.in[0].as<const int8_t>(), io.out[0].as<int8_t>());
      return Status::ok();
    }
    const float* in = io.in[0].as<const float>();
    float* out = io.out[0].as<float>();
    if (!a_.nhwc) {
      reference::pool2d(a_.kind, window_, false, in, out);
    } else if (a_.kind == PoolKind::kMax) {
      pool2d_nhwc<PoolKind::kMax>(window_, in, out);
    } else {
      pool2d_nhwc<PoolKind::kAverage>(window_, in, out);
    }
    return Status::ok();
  }

 private:
  WindowAttrs a_;
  PoolWindow window_;
  DataType dtype_ = DataType::kFloat32;
};

// ---- Global pools ----

class GlobalPoolKernel final : public Kernel {
 public:
  GlobalPoolKernel(PoolKind kind, bool nhwc) : kind_(kind), nhwc_(nhwc) {}

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    WEBCNN_TRY(expect_dtype(node, in[0], DataType::kFloat32, "input"));
    if (out.size() != 1 || !out[0].present) return node.error("expects exactly 1 output");
    const Shape& s = in[0].shape;
    if (s.size() < 3) return node.error("input " + shape_to_string(s) + " needs rank >= 3 (batch, channel, spatial)");
    shape_ = s;
    Shape o(s.size(), 1);
    o[0] = s[0];
    const size_t channel_axis = nhwc_ ? s.size() - 1 : 1;
    o[channel_axis] = s[channel_axis];
    spatial_ = num_elements(s) == 0 ? 0 : num_elements(s) / (s[0] * s[channel_axis]);
    if (spatial_ == 0 && num_elements(o) > 0)
      return node.error("input " + shape_to_string(s) + " has no spatial elements to pool");
    out[0].dtype = DataType::kFloat32;
    out[0].shape = o;
    return Status::ok();
  }

  Status run(const KernelIO& io) override {
    const float* in = io.in[0].as<const float>();
    float* out = io.out[0].as<float>();
    const int64_t N = shape_[0], C = nhwc_ ? shape_.back() : shape_[1], S = spatial_;
    const float scale = kind_ == PoolKind::kAverage && S > 0 ? 1.0f / static_cast<float>(S) : 1.0f;
    const kernels::KernelTable& k = kernels::active();
    const size_t channels = static_cast<size_t>(C), spatial = static_cast<size_t>(S);
    for (int64_t n = 0; n < N; ++n) {
      if (nhwc_) {
        // S rows of C contiguous floats: a window of S × 1 taps, C floats apart (kernels/f32_pool.cc).
        if (kind_ == PoolKind::kMax) k.f32_maxpool(channels, in + n * S * C, spatial, 1, channels, 0, out + n * C);
        else k.f32_avgpool(channels, in + n * S * C, spatial, 1, channels, 0, scale, out + n * C);
      } else {
        for (int64_t c = 0; c < C; ++c) {
          const float* p = in + (n * C + c) * S;
          out[n * C + c] = kind_ == PoolKind::kMax ? k.f32_rmax(spatial, p) : k.f32_rsum(spatial, p) * scale;
        }
      }
    }
    return Status::ok();
  }

 private:
  PoolKind kind_;
  bool nhwc_;
  Shape shape_;
  int64_t spatial_ = 0;
};

template <PoolKind kKind>
Result<std::unique_ptr<Kernel>> create_window_pool(const Node& node) {
  WEBCNN_ASSIGN(WindowAttrs a, read_window_attrs(node, kKind));
  return std::unique_ptr<Kernel>(new WindowPoolKernel(std::move(a)));
}

template <PoolKind kKind>
Result<std::unique_ptr<Kernel>> create_global_pool(const Node& node) {
  WEBCNN_ASSIGN(bool nhwc, read_layout_is_nhwc(node));
  return std::unique_ptr<Kernel>(new GlobalPoolKernel(kKind, nhwc));
}

// ---- Quantized pools (QLinearAveragePool, QLinearGlobalAveragePool; README.md "Quantized tensors") ----

// Inputs X, x_scale, [x_zero_point], y_scale, [y_zero_point]; `layout`, or com.microsoft's channels_last.
Result<bool> read_quantized_layout_is_nhwc(const Node& node) {
  WEBCNN_ASSIGN(bool nhwc, read_layout_is_nhwc(node));
  WEBCNN_ASSIGN(int64_t channels_last, node.attr_int("channels_last", 0));
  return nhwc || channels_last != 0;
}

Status check_quantized_pool_inputs(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) {
  if (in.size() < 4 || in.size() > 5)
    return node.error("expects 4 or 5 inputs (X, x_scale, x_zero_point, y_scale, y_zero_point), got " +
                      std::to_string(in.size()));
  for (size_t i : {0, 1, 3})
    if (!in[i].present) return node.error("required input " + std::to_string(i) + " is empty");
  if (!is_8bit(in[0].dtype)) return node.error("X must be uint8 or int8, got " + std::string(dtype_name(in[0].dtype)));
  WEBCNN_TRY(check_scalar_quant_inputs(node, in, 1, 2, in[0].dtype, "X"));
  WEBCNN_TRY(check_scalar_quant_inputs(node, in, 3, 4, in[0].dtype, "Y"));
  if (out.size() != 1 || !out[0].present) return node.error("expects exactly 1 output");
  return Status::ok();
}

// TFLite's quantized AVERAGE_POOL_2D: the window's raw sum divided by its tap count, rounded half away
// from zero. When the output's scale or zero point differ from the input's, the sum (less the zero points)
// is requantised once by s_in / (count · s_out) instead (onnxruntime's QLinearAveragePool, which rounds once).
// Taps in the padding counted by count_include_pad hold real 0 (the input zero point).
struct QuantizedAverage {
  ScalarQuant in, out;
  int32_t qmin = 0, qmax = 255;
  int32_t operator()(int32_t sum, int64_t real_taps, int64_t divisor) const {
    if (divisor <= 0) return std::min(std::max(out.zero_point, qmin), qmax);
    sum += static_cast<int32_t>(divisor - real_taps) * in.zero_point;
    const int32_t d = static_cast<int32_t>(divisor);
    int32_t v;
    if (in == out) {
      v = sum > 0 ? (sum + d / 2) / d : (sum - d / 2) / d;
    } else {
      const kernels::QuantizedMultiplier m =
          kernels::quantize_multiplier(static_cast<double>(in.scale) / (static_cast<double>(d) * out.scale));
      v = kernels::multiply_by_quantized_multiplier(sum - d * in.zero_point, m) + out.zero_point;
    }
    return std::min(std::max(v, qmin), qmax);
  }
};

template <typename T>
void quantized_average_pool(const PoolWindow& w, bool nhwc, const T* in, T* out, const QuantizedAverage& avg,
                            int32_t* acc) {
  const int64_t C = w.channels;
  // Element strides of a channel and a pixel in either layout.
  const int64_t c_step = nhwc ? 1 : w.in_h * w.in_w, px_step = nhwc ? C : 1;
  const int64_t out_c_step = nhwc ? 1 : w.out_h * w.out_w, out_px_step = nhwc ? C : 1;
  for (int64_t n = 0; n < w.batch; ++n) {
    const T* image = in + n * C * w.in_h * w.in_w;
    T* out_image = out + n * C * w.out_h * w.out_w;
    for (int64_t oh = 0; oh < w.out_h; ++oh)
      for (int64_t ow = 0; ow < w.out_w; ++ow) {
        const int64_t ih0 = oh * w.stride_h - w.pad_top, iw0 = ow * w.stride_w - w.pad_left;
        int64_t h0, h1, w0, w1;
        taps_within(ih0, w.dilation_h, w.kernel_h, 0, w.in_h, h0, h1);
        taps_within(iw0, w.dilation_w, w.kernel_w, 0, w.in_w, w0, w1);
        std::fill(acc, acc + C, 0);
        for (int64_t kh = h0; kh < h1; ++kh)
          for (int64_t kw = w0; kw < w1; ++kw) {
            const T* p = image + ((ih0 + kh * w.dilation_h) * w.in_w + (iw0 + kw * w.dilation_w)) * px_step;
            for (int64_t c = 0; c < C; ++c) acc[c] += p[c * c_step];
          }
        const int64_t real = (h1 - h0) * (w1 - w0), divisor = average_divisor(w, ih0, iw0);
        T* o = out_image + (oh * w.out_w + ow) * out_px_step;
        for (int64_t c = 0; c < C; ++c) o[c * out_c_step] = static_cast<T>(avg(acc[c], real, divisor));
      }
  }
}

class QLinearAveragePoolKernel final : public Kernel {
 public:
  QLinearAveragePoolKernel(WindowAttrs a, FusedActivation act) : a_(std::move(a)), act_(act) {}

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(check_quantized_pool_inputs(node, in, out));
    dtype_ = in[0].dtype;
    WEBCNN_ASSIGN(window_, resolve_window(node, a_, in[0].shape));
    if (window_.kernel_h * window_.kernel_w > (int64_t{1} << 23))
      return node.error("a window of more than 2^23 taps would overflow the 32-bit sum");
    const Shape shape = output_shape(window_, a_.nhwc, in[0].shape.size());
    WEBCNN_TRY(checked_num_elements(shape).status());
    out[0].dtype = dtype_;
    out[0].shape = shape;
    return Status::ok();
  }
  size_t scratch_bytes() const override { return static_cast<size_t>(window_.channels) * sizeof(int32_t); }

  Status run(const KernelIO& io) override {
    QuantizedAverage avg;
    avg.in = read_scalar_quant(io, 1, 2);
    avg.out = read_scalar_quant(io, 3, 4);
    quantized_clamp_range(act_, dtype_, avg.out, avg.qmin, avg.qmax);
    int32_t* acc = static_cast<int32_t*>(io.scratch);
    if (dtype_ == DataType::kUInt8)
      quantized_average_pool(window_, a_.nhwc, io.in[0].as<const uint8_t>(), io.out[0].as<uint8_t>(), avg, acc);
    else quantized_average_pool(window_, a_.nhwc, io.in[0].as<const int8_t>(), io.out[0].as<int8_t>(), avg, acc);
    return Status::ok();
  }

 private:
  WindowAttrs a_;
  FusedActivation act_;
  PoolWindow window_;
  DataType dtype_ = DataType::kUInt8;
};

// 8-bit MEAN over H and W as XNNPACK computes it (what LiteRT.js runs for TFLite's MEAN; ONNX Runtime's
// QLinearGlobalAveragePool rounds the same way): the sum less count·zp_in, times s_in / (s_out · count) in
// float32, rounded half to even (kernels/requantize_fp32.h), plus zp_out, clamped to the type. (TFLite's
// reference kernel requantises in fixed point and subtracts a separately rounded zero-point term: one unit
// off on 11 % of the int8 MobileNetV2's pooled features.)
struct QuantizedMean {
  float scale = 1;
  int32_t zero_point_sum = 0, zero_point = 0, qmin = 0, qmax = 255;
  QuantizedMean(ScalarQuant in, ScalarQuant out, int64_t count, DataType t) {
    // count ≤ 2^23 (prepare): count·zp_in and the sum fit in 32 bits.
    zero_point_sum = static_cast<int32_t>(count * in.zero_point);
    scale = std::min(in.scale / (out.scale * static_cast<float>(count)), kernels::kMaxRequantizationScale);
    zero_point = out.zero_point;
    qmin = quant_min(t);
    qmax = quant_max(t);
  }
  int32_t operator()(int32_t sum) const {
    return kernels::requantize_fp32(sum - zero_point_sum, scale, zero_point, qmin, qmax);
  }
};

class QLinearGlobalAveragePoolKernel final : public Kernel {
 public:
  explicit QLinearGlobalAveragePoolKernel(bool nhwc) : nhwc_(nhwc) {}

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(check_quantized_pool_inputs(node, in, out));
    dtype_ = in[0].dtype;
    const Shape& s = in[0].shape;
    if (s.size() < 3) return node.error("input " + shape_to_string(s) + " needs rank >= 3 (batch, channel, spatial)");
    shape_ = s;
    Shape o(s.size(), 1);
    o[0] = s[0];
    const size_t channel_axis = nhwc_ ? s.size() - 1 : 1;
    o[channel_axis] = s[channel_axis];
    spatial_ = num_elements(s) == 0 ? 0 : num_elements(s) / (s[0] * s[channel_axis]);
    if (spatial_ == 0 && num_elements(o) > 0)
      return node.error("input " + shape_to_string(s) + " has no spatial elements to pool");
    if (spatial_ > (int64_t{1} << 23)) return node.error("more than 2^23 spatial elements would overflow the sum");
    out[0].dtype = dtype_;
    out[0].shape = o;
    return Status::ok();
  }
  size_t scratch_bytes() const override { return static_cast<size_t>(nhwc_ ? shape_.back() : 1) * sizeof(int32_t); }

  Status run(const KernelIO& io) override {
    const QuantizedMean mean(read_scalar_quant(io, 1, 2), read_scalar_quant(io, 3, 4), spatial_, dtype_);
    if (dtype_ == DataType::kUInt8) pool(io.in[0].as<const uint8_t>(), io.out[0].as<uint8_t>(), mean, io);
    else pool(io.in[0].as<const int8_t>(), io.out[0].as<int8_t>(), mean, io);
    return Status::ok();
  }

 private:
  template <typename T>
  void pool(const T* in, T* out, const QuantizedMean& mean, const KernelIO& io) const {
    const int64_t N = shape_[0], C = nhwc_ ? shape_.back() : shape_[1], S = spatial_;
    int32_t* acc = static_cast<int32_t*>(io.scratch);
    for (int64_t n = 0; n < N; ++n) {
      if (nhwc_) {
        std::fill(acc, acc + C, 0);
        for (int64_t s = 0; s < S; ++s) {
          const T* p = in + (n * S + s) * C;
          for (int64_t c = 0; c < C; ++c) acc[c] += p[c];
        }
        for (int64_t c = 0; c < C; ++c) out[n * C + c] = static_cast<T>(mean(acc[c]));
      } else {
        for (int64_t c = 0; c < C; ++c) {
          const T* p = in + (n * C + c) * S;
          int32_t sum = 0;
          for (int64_t s = 0; s < S; ++s) sum += p[s];
          out[n * C + c] = static_cast<T>(mean(sum));
        }
      }
    }
  }

  bool nhwc_;
  DataType dtype_ = DataType::kUInt8;
  Shape shape_;
  int64_t spatial_ = 0;
};

Result<std::unique_ptr<Kernel>> create_qlinear_average_pool(const Node& node) {
  WEBCNN_ASSIGN(WindowAttrs a, read_window_attrs(node, PoolKind::kAverage));
  WEBCNN_ASSIGN(a.nhwc, read_quantized_layout_is_nhwc(node));
  WEBCNN_ASSIGN(FusedActivation act, read_quantized_fused_clamp(node));
  return std::unique_ptr<Kernel>(new QLinearAveragePoolKernel(std::move(a), act));
}

Result<std::unique_ptr<Kernel>> create_qlinear_global_average_pool(const Node& node) {
  WEBCNN_ASSIGN(bool nhwc, read_quantized_layout_is_nhwc(node));
  return std::unique_ptr<Kernel>(new QLinearGlobalAveragePoolKernel(nhwc));
}

}  // namespace

namespace reference {

void pool2d(PoolKind kind, const PoolWindow& w, bool nhwc, const float* in, float* out) {
  const int64_t C = w.channels;
  auto in_index = [&](int64_t n, int64_t c, int64_t h, int64_t x) {
    return nhwc ? ((n * w.in_h + h) * w.in_w + x) * C + c : ((n * C + c) * w.in_h + h) * w.in_w + x;
  };
  auto out_index = [&](int64_t n, int64_t c, int64_t h, int64_t x) {
    return nhwc ? ((n * w.out_h + h) * w.out_w + x) * C + c : ((n * C + c) * w.out_h + h) * w.out_w + x;
  };
  for (int64_t n = 0; n < w.batch; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t oh = 0; oh < w.out_h; ++oh)
        for (int64_t ow = 0; ow < w.out_w; ++ow) {
          float best = kNegInf, sum = 0;
          int64_t real = 0, padded = 0;
          for (int64_t kh = 0; kh < w.kernel_h; ++kh)
            for (int64_t kw = 0; kw < w.kernel_w; ++kw) {
              const int64_t h = oh * w.stride_h - w.pad_top + kh * w.dilation_h;
              const int64_t x = ow * w.stride_w - w.pad_left + kw * w.dilation_w;
              if (h >= -w.pad_top && h < w.in_h + w.pad_bottom && x >= -w.pad_left && x < w.in_w + w.pad_right)
                ++padded;
              if (h < 0 || h >= w.in_h || x < 0 || x >= w.in_w) continue;
              const float v = in[in_index(n, c, h, x)];
              best = std::max(best, v);
              sum += v;
              ++real;
            }
          const int64_t divisor = w.count_include_pad ? padded : real;
          out[out_index(n, c, oh, ow)] =
              kind == PoolKind::kMax ? best : (divisor > 0 ? sum / static_cast<float>(divisor) : 0.0f);
        }
}

void global_pool(PoolKind kind, bool nhwc, const Shape& shape, const float* in, float* out) {
  const int64_t N = shape[0], C = nhwc ? shape.back() : shape[1];
  const int64_t S = N * C == 0 ? 0 : num_elements(shape) / (N * C);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      float best = kNegInf, sum = 0;
      for (int64_t s = 0; s < S; ++s) {
        const float v = nhwc ? in[(n * S + s) * C + c] : in[(n * C + c) * S + s];
        best = std::max(best, v);
        sum += v;
      }
      out[n * C + c] = kind == PoolKind::kMax ? best : sum / static_cast<float>(S);
    }
}

}  // namespace reference

void register_pool_ops(OpRegistry& r) {
  r.add("MaxPool", create_window_pool<PoolKind::kMax>, OpTraits::spatial());
  r.add("AveragePool", create_window_pool<PoolKind::kAverage>, OpTraits::spatial());
  r.add("GlobalMaxPool", create_global_pool<PoolKind::kMax>, OpTraits::spatial());
  r.add("GlobalAveragePool", create_global_pool<PoolKind::kAverage>, OpTraits::spatial());
  r.add("QLinearAveragePool", create_qlinear_average_pool, OpTraits::spatial());
  r.add("QLinearGlobalAveragePool", create_qlinear_global_average_pool, OpTraits::spatial());
}

}  // namespace webcnn
