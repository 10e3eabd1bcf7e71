// Conv and ConvTranspose (ONNX semantics, see README.md), NHWC at run time.
//
// prepare() resolves the attributes into 2-D geometry (a 1-D conv is H = 1), computes the output shape for
// either layout, picks a path and packs constant weights once:
//   depthwise (group == C == O): kernels::dwconv_nhwc_f32x4 by output rows, weights packed per 4 channels;
//   everything else, per group: GEMM with weights packed as B[(ky, kx, c)][o] —
//     1×1 stride 1 unpadded: A is the NHWC input itself (row stride C),
//     otherwise A is an im2col tile of a few dozen output pixels in scratch.
//   ConvTranspose: per group GEMM x · W[c][(ky, kx, o)] into a column tile, scattered (col2im) into y.
// Weights that are not constant (ONNX's conformance tests feed W as an input) are packed at run into scratch.
// A Conv may carry a 4th input R of its output's shape (graph/passes/fuse_residual_add.cc): y = act(conv + R),
// R added to each block of output right after it is written.
//
// Threads (webcnn/threads.h): Conv splits its output over the thread count in effect at prepare — GEMMs by
// row or column tiles (ops/parallel_gemm.h), im2col tiles one per task with a tile buffer per thread,
// depthwise by runs of output rows (dwconv_nhwc_f32x4, no scratch). ConvTranspose's col2im scatter overlaps between
// pixels, so it stays on one thread.
#include "ops/conv.h"

#include <algorithm>
#include <cstring>

#include "kernels/dwconv.h"
#include "kernels/gemm.h"
#include "kernels/im2col_nhwc.h"
#include "ops/kernel.h"
#include "ops/op_families.h"
#include "ops/parallel_gemm.h"
#include "runtime/thread_pool.h"

namespace webcnn {

namespace {

enum class Layout { kNCHW, kNHWC };
enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

// Bounds on spatial attributes: far above any real model, low enough that no arithmetic on them overflows.
constexpr int64_t kMaxSpatialAttr = int64_t{1} << 30;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
size_t align_up(size_t bytes) { return (bytes + 63) / 64 * 64; }

// The attributes as written on the node (spatial lists in ONNX order, H then W).
struct ConvAttrs {
  Layout layout = Layout::kNCHW;
  AutoPad auto_pad = AutoPad::kNotSet;
  int64_t group = 1;
  std::vector<int64_t> kernel_shape, strides, dilations, pads, output_padding, output_shape;
  FusedActivation act;
};

Result<ConvAttrs> read_conv_attrs(const Node& node, bool transpose) {
  ConvAttrs a;
  WEBCNN_ASSIGN(std::string layout, node.attr_string("layout", "NCHW"));
  if (layout == "NHWC") a.layout = Layout::kNHWC;
  else if (layout != "NCHW") return node.error("layout must be NCHW or NHWC, got '" + layout + "'");
  WEBCNN_ASSIGN(std::string auto_pad, node.attr_string("auto_pad", "NOTSET"));
  if (auto_pad == "SAME_UPPER") a.auto_pad = AutoPad::kSameUpper;
  else if (auto_pad == "SAME_LOWER") a.auto_pad = AutoPad::kSameLower;
  else if (auto_pad == "VALID") a.auto_pad = AutoPad::kValid;
  else if (auto_pad != "NOTSET" && !auto_pad.empty()) return node.error("unknown auto_pad '" + auto_pad + "'");
  WEBCNN_ASSIGN(a.group, node.attr_int("group", 1));
  if (a.group < 1 || a.group > kMaxSpatialAttr) return node.error("group must be at least 1, got " + std::to_string(a.group));
  WEBCNN_ASSIGN(a.kernel_shape, node.attr_ints("kernel_shape", {}));
  WEBCNN_ASSIGN(a.strides, node.attr_ints("strides", {}));
  WEBCNN_ASSIGN(a.dilations, node.attr_ints("dilations", {}));
  WEBCNN_ASSIGN(a.pads, node.attr_ints("pads", {}));
  if (transpose) {
    WEBCNN_ASSIGN(a.output_padding, node.attr_ints("output_padding", {}));
    WEBCNN_ASSIGN(a.output_shape, node.attr_ints("output_shape", {}));
  }
  for (int64_t v : a.kernel_shape)
    if (v < 1 || v > kMaxSpatialAttr) return node.error("kernel_shape values must be positive");
  for (int64_t v : a.strides)
    if (v < 1 || v > kMaxSpatialAttr) return node.error("strides must be positive, got " + std::to_string(v));
  for (int64_t v : a.dilations)
    if (v < 1 || v > kMaxSpatialAttr) return node.error("dilations must be positive, got " + std::to_string(v));
  for (int64_t v : a.pads)
    if (v < 0 || v > kMaxSpatialAttr) return node.error("pads must be non-negative, got " + std::to_string(v));
  for (int64_t v : a.output_padding)
    if (v < 0 || v > kMaxSpatialAttr) return node.error("output_padding must be non-negative");
  for (int64_t v : a.output_shape)
    if (v < 0 || v > kMaxSpatialAttr) return node.error("output_shape values must be non-negative");
  WEBCNN_ASSIGN(a.act, fused_activation_from_node(node));
  return a;
}

// An activation tensor's dims, whatever its layout and rank (rank 3 = 1-D: H = 1).
struct ImageDims {
  int64_t n = 1, c = 1, h = 1, w = 1;
};

ImageDims image_dims(const Shape& s, Layout layout) {
  ImageDims d;
  d.n = s[0];
  if (s.size() == 3) {
    d.c = layout == Layout::kNCHW ? s[1] : s[2];
    d.w = layout == Layout::kNCHW ? s[2] : s[1];
  } else {
    d.c = layout == Layout::kNCHW ? s[1] : s[3];
    d.h = layout == Layout::kNCHW ? s[2] : s[1];
    d.w = layout == Layout::kNCHW ? s[3] : s[2];
  }
  return d;
}

Shape image_shape(const ImageDims& d, size_t rank, Layout layout) {
  if (rank == 3) return layout == Layout::kNCHW ? Shape{d.n, d.c, d.w} : Shape{d.n, d.w, d.c};
  return layout == Layout::kNCHW ? Shape{d.n, d.c, d.h, d.w} : Shape{d.n, d.h, d.w, d.c};
}

// Fully resolved 2-D geometry.
struct Geometry {
  ImageDims in, out;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
};

// Reads a per-spatial-dim attribute into 2-D form (a 1-D list fills W; H keeps `def`).
Status spatial_list(const Node& node, const char* name, const std::vector<int64_t>& v, size_t spatial, int64_t def,
                    int64_t& h, int64_t& w) {
  h = w = def;
  if (v.empty()) return Status::ok();
  if (v.size() != spatial)
    return node.error(std::string(name) + " has " + std::to_string(v.size()) + " values for " + std::to_string(spatial) +
                      " spatial dims");
  if (spatial == 2) h = v[0];
  w = v.back();
  return Status::ok();
}

// Checks the input, weight and bias shapes, resolves padding and computes the output dims.
// Conv: W [O, C/group, kH, kW]. ConvTranspose: W [C, O/group, kH, kW].
Status resolve_geometry(const Node& node, const ConvAttrs& a, bool transpose, const std::vector<ValueInfo>& in,
                        Geometry& g) {
  // A 4th input, the residual, exists only on Convs made by the fuse_residual_add pass (which marks them).
  WEBCNN_TRY(expect_inputs(node, in, 2, transpose || !node.has_attr("fused_residual") ? 3 : 4));
  WEBCNN_TRY(expect_dtype(node, in[0], DataType::kFloat32, "input X"));
  WEBCNN_TRY(expect_dtype(node, in[1], DataType::kFloat32, "weight W"));
  const Shape& xs = in[0].shape;
  const Shape& ws = in[1].shape;
  if (xs.size() == 5) return node.error("unsupported: 3-D convolution (input " + shape_to_string(xs) + ")");
  if (xs.size() != 3 && xs.size() != 4)
    return node.error("input must have rank 3 (1-D) or 4 (2-D), got " + shape_to_string(xs));
  if (ws.size() != xs.size())
    return node.error("weight " + shape_to_string(ws) + " must have the input's rank " + std::to_string(xs.size()));
  for (int64_t d : xs)
    if (d < 1) return node.error("input " + shape_to_string(xs) + " has an empty dimension");
  for (int64_t d : ws)
    if (d < 1) return node.error("weight " + shape_to_string(ws) + " has an empty dimension");
  const size_t spatial = xs.size() - 2;
  g.in = image_dims(xs, a.layout);
  g.kernel_h = spatial == 2 ? ws[2] : 1;
  g.kernel_w = ws.back();
  if (!a.kernel_shape.empty()) {
    int64_t kh, kw;
    WEBCNN_TRY(spatial_list(node, "kernel_shape", a.kernel_shape, spatial, 1, kh, kw));
    if (kh != g.kernel_h || kw != g.kernel_w)
      return node.error("kernel_shape attribute disagrees with weight " + shape_to_string(ws));
  }
  const int64_t group = a.group;
  int64_t out_c;
  if (!transpose) {
    if (ws[1] * group != g.in.c)
      return node.error("weight " + shape_to_string(ws) + " with group " + std::to_string(group) + " expects " +
                        std::to_string(ws[1] * group) + " input channels, input has " + std::to_string(g.in.c));
    if (ws[0] % group != 0)
      return node.error("weight's " + std::to_string(ws[0]) + " output channels are not divisible by group " +
                        std::to_string(group));
    out_c = ws[0];
  } else {
    if (ws[0] != g.in.c)
      return node.error("weight " + shape_to_string(ws) + " expects " + std::to_string(ws[0]) +
                        " input channels, input has " + std::to_string(g.in.c));
    if (g.in.c % group != 0)
      return node.error("input channels " + std::to_string(g.in.c) + " are not divisible by group " +
                        std::to_string(group));
    out_c = ws[1] * group;
  }
  if (in.size() > 2 && in[2].present) {
    WEBCNN_TRY(expect_dtype(node, in[2], DataType::kFloat32, "bias B"));
    if (in[2].shape != Shape{out_c})
      return node.error("bias " + shape_to_string(in[2].shape) + " must be [" + std::to_string(out_c) + "]");
  }

  WEBCNN_TRY(spatial_list(node, "strides", a.strides, spatial, 1, g.stride_h, g.stride_w));
  WEBCNN_TRY(spatial_list(node, "dilations", a.dilations, spatial, 1, g.dilation_h, g.dilation_w));
  int64_t pads[4] = {0, 0, 0, 0};  // top, left, bottom, right
  if (!a.pads.empty() && a.auto_pad == AutoPad::kNotSet) {
    if (a.pads.size() != 2 * spatial)
      return node.error("pads has " + std::to_string(a.pads.size()) + " values, expected " + std::to_string(2 * spatial));
    if (spatial == 2) {
      pads[0] = a.pads[0], pads[1] = a.pads[1], pads[2] = a.pads[2], pads[3] = a.pads[3];
    } else {
      pads[1] = a.pads[0], pads[3] = a.pads[1];
    }
  }
  const int64_t in_size[2] = {g.in.h, g.in.w}, kernel[2] = {g.kernel_h, g.kernel_w};
  const int64_t stride[2] = {g.stride_h, g.stride_w}, dilation[2] = {g.dilation_h, g.dilation_w};
  int64_t out_size[2];
  int64_t output_padding[2], output_shape[2] = {-1, -1};
  WEBCNN_TRY(spatial_list(node, "output_padding", a.output_padding, spatial, 0, output_padding[0], output_padding[1]));
  if (!a.output_shape.empty()) {
    // Some exporters write the full [N, C, ...] shape; the spatial dims are the last ones.
    if (a.output_shape.size() != spatial && a.output_shape.size() != spatial + 2)
      return node.error("output_shape has " + std::to_string(a.output_shape.size()) + " values for " +
                        std::to_string(spatial) + " spatial dims");
    output_shape[0] = spatial == 2 ? a.output_shape[a.output_shape.size() - 2] : 1;
    output_shape[1] = a.output_shape.back();
  }
  for (int i = 0; i < 2; ++i) {
    const int64_t extent = (kernel[i] - 1) * dilation[i] + 1;  // span of the dilated filter
    int64_t& begin = pads[i];
    int64_t& end = pads[i + 2];
    if (!transpose) {
      if (a.auto_pad == AutoPad::kSameUpper || a.auto_pad == AutoPad::kSameLower) {
        const int64_t out = (in_size[i] + stride[i] - 1) / stride[i];
        const int64_t total = std::max<int64_t>(0, (out - 1) * stride[i] + extent - in_size[i]);
        begin = a.auto_pad == AutoPad::kSameUpper ? total / 2 : total - total / 2;
        end = total - begin;
      }
      const int64_t padded = in_size[i] + begin + end;
      if (padded < extent)
        return node.error("dilated kernel extent " + std::to_string(extent) + " exceeds the padded input size " +
                          std::to_string(padded));
      out_size[i] = (padded - extent) / stride[i] + 1;
    } else {
      const int64_t full = stride[i] * (in_size[i] - 1) + output_padding[i] + extent;
      if (output_shape[i] >= 0 || a.auto_pad == AutoPad::kSameUpper || a.auto_pad == AutoPad::kSameLower) {
        // Padding follows from the requested size (ONNX: output_shape, or input × stride for SAME_*).
        const int64_t out = output_shape[i] >= 0 ? output_shape[i] : in_size[i] * stride[i];
        const int64_t total = full - out;  // may be negative: the output extends past the last tap
        if (a.auto_pad == AutoPad::kSameUpper) {
          begin = floor_div(total, 2);
          end = total - begin;
        } else {
          end = floor_div(total, 2);
          begin = total - end;
        }
      }
      out_size[i] = full - begin - end;
      if (out_size[i] < 1)
        return node.error("output size " + std::to_string(out_size[i]) + " along a spatial axis is not positive");
    }
  }
  g.pad_top = pads[0], g.pad_left = pads[1], g.pad_bottom = pads[2], g.pad_right = pads[3];
  g.out = {g.in.n, out_c, out_size[0], out_size[1]};
  return Status::ok();
}

kernels::Conv2dGeometry nhwc_geometry(const Geometry& g) {
  kernels::Conv2dGeometry k;
  k.batch = g.in.n, k.in_h = g.in.h, k.in_w = g.in.w, k.in_c = g.in.c;
  k.out_h = g.out.h, k.out_w = g.out.w;
  k.kernel_h = g.kernel_h, k.kernel_w = g.kernel_w;
  k.stride_h = g.stride_h, k.stride_w = g.stride_w;
  k.dilation_h = g.dilation_h, k.dilation_w = g.dilation_w;
  k.pad_top = g.pad_top, k.pad_left = g.pad_left;
  return k;
}

// Pixels per im2col / col2im tile: about 128 KiB of floats, at least 16 rows for the microkernel.
int64_t tile_pixels(int64_t row_floats, int64_t pixels) {
  int64_t t = std::max<int64_t>(16, (int64_t{32} << 10) / std::max<int64_t>(1, row_floats));
  t = t / 4 * 4;
  return std::min(t, pixels);
}

Status nchw_run_error(const std::string& who) {
  return Status::error(who + ": internal: NCHW Conv must go through convert_to_nhwc");
}

// ---------------------------------------------------------------------------------------------------------
class ConvKernel : public Kernel {
 public:
  explicit ConvKernel(const Node& node, ConvAttrs attrs) : who_(node.describe()), a_(std::move(attrs)) {}

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(resolve_geometry(node, a_, false, in, g_));
    Shape out_shape = image_shape(g_.out, in[0].shape.size(), a_.layout);
    WEBCNN_TRY(checked_num_elements(out_shape).status());
    out[0].dtype = DataType::kFloat32;
    out[0].shape = out_shape;
    has_residual_ = in.size() > 3 && in[3].present;
    if (has_residual_) {
      WEBCNN_TRY(expect_dtype(node, in[3], DataType::kFloat32, "residual"));
      if (in[3].shape != out_shape || a_.layout != Layout::kNHWC)
        return node.error("residual " + shape_to_string(in[3].shape) + " must be the NHWC output's shape " +
                          shape_to_string(out_shape));
    }

    has_bias_ = in.size() > 2 && in[2].present;
    const int64_t group = a_.group;
    in_per_group_ = g_.in.c / group;
    out_per_group_ = g_.out.c / group;
    taps_ = g_.kernel_h * g_.kernel_w;
    depthwise_ = group == g_.in.c && g_.out.c == g_.in.c;
    direct_1x1_ = taps_ == 1 && g_.stride_h == 1 && g_.stride_w == 1 && g_.pad_top == 0 && g_.pad_left == 0 &&
                  g_.pad_bottom == 0 && g_.pad_right == 0;
    gemm_k_ = taps_ * in_per_group_;
    const int64_t pixels = g_.out.n * g_.out.h * g_.out.w;
    threads_ = ThreadPool::global().size();
    tile_ = tile_pixels(gemm_k_, pixels);
    if (threads_ > 1)  // at least one tile per thread
      tile_ = std::min(tile_, std::max<int64_t>(4, (pixels + threads_ - 1) / threads_ + 3) / 4 * 4);

    packed_floats_ = depthwise_ ? kernels::dwconv_packed_floats(static_cast<size_t>(g_.in.c), static_cast<size_t>(taps_))
                                : kernels::gemm_packed_b_floats(gemm_k_, out_per_group_) * static_cast<size_t>(group);
    if (packed_floats_ > static_cast<size_t>(kMaxElements))
      return node.error("weight " + shape_to_string(in[1].shape) + " is too large to pack");
    const bool weights_constant = in[1].constant && (!has_bias_ || in[2].constant);
    weight_shape_ = in[1].shape;
    packed_.clear();
    if (weights_constant && a_.layout == Layout::kNHWC) {
      packed_.resize(packed_floats_);
      pack(in[1].constant->data<float>(), has_bias_ ? in[2].constant->data<float>() : nullptr, packed_.data());
    }
    // Scratch: [packed weights, when packed at run]
    //          [gemm, not 1×1: im2col tile per thread] (depthwise needs none).
    scratch_ = packed_.empty() ? align_up(packed_floats_ * sizeof(float)) : 0;
    if (!depthwise_ && !direct_1x1_)
      scratch_ += threads_ * tile_bytes();
    return Status::ok();
  }

  size_t scratch_bytes() const override { return scratch_; }
  // Weights and bias packed at prepare are never read again.
  bool reads_constant_input_at_run(size_t i) const override { return i == 0 || i == 3 || packed_.empty(); }

  // The weights [O, I/group, kH, kW] out of packed_. Packing only moves values (and pads with zeros), so
  // packing each weight's index + 1 instead of its value says where every weight went.
  Result<Tensor> recover_constant_input(size_t i) const override {
    if (i != 1 || packed_.empty()) return Kernel::recover_constant_input(i);
    WEBCNN_ASSIGN(int64_t count, checked_num_elements(weight_shape_));
    if (count >= (int64_t{1} << 24))  // indices above 2^24 are not exact in float
      return Status::error(who_ + ": " + std::to_string(count) + " weights are too many to recover from the packed form");
    std::vector<float> index(static_cast<size_t>(count));
    for (size_t k = 0; k < index.size(); ++k) index[k] = static_cast<float>(k + 1);
    std::vector<float> where(packed_floats_);
    pack(index.data(), nullptr, where.data());
    Tensor w(DataType::kFloat32, weight_shape_);
    float* out = w.data<float>();
    int64_t found = 0;
    for (size_t p = 0; p < where.size(); ++p)
      if (where[p] > 0) {
        out[static_cast<size_t>(where[p]) - 1] = packed_[p];
        ++found;
      }
    if (found != count) return Status::error(who_ + ": internal error: the packed weights do not cover every weight");
    return w;
  }

  Status run(const KernelIO& io) override {
    if (a_.layout != Layout::kNHWC) return nchw_run_error(who_);
    char* scratch = static_cast<char*>(io.scratch);
    const float* packed = packed_.data();
    if (packed_.empty()) {
      float* p = reinterpret_cast<float*>(scratch);
      pack(io.in[1].as<const float>(), has_bias_ && io.num_in > 2 ? io.in[2].as<const float>() : nullptr, p);
      packed = p;
      scratch += align_up(packed_floats_ * sizeof(float));
    }
    const float* x = io.in[0].as<const float>();
    const float* residual = has_residual_ ? io.in[3].as<const float>() : nullptr;
    float* y = io.out[0].as<float>();
    if (depthwise_) run_depthwise(x, packed, residual, y);
    else run_gemm(x, packed, residual, scratch, y);
    return Status::ok();
  }

 private:
  // Depthwise: kernels::dwconv_pack_with's blocks of 4 channels. Otherwise per group a GEMM B panel set over
  // k = (ky·kW + kx)·Cg + c, n = o (output channel within the group).
  void pack(const float* w, const float* bias, float* packed) const {
    if (depthwise_) {
      const size_t taps = static_cast<size_t>(taps_);
      kernels::dwconv_pack_with(
          static_cast<size_t>(g_.in.c), taps, [&](size_t c, size_t t) { return w[c * taps + t]; }, bias, packed);
      return;
    }
    const size_t group_floats = kernels::gemm_packed_b_floats(gemm_k_, out_per_group_);
    const int64_t cg = in_per_group_;
    for (int64_t gi = 0; gi < a_.group; ++gi) {
      const float* wg = w + gi * out_per_group_ * cg * taps_;
      kernels::gemm_pack_b_with(
          static_cast<size_t>(gemm_k_), static_cast<size_t>(out_per_group_),
          [&](size_t k, size_t o) {
            const int64_t tap = static_cast<int64_t>(k) / cg, c = static_cast<int64_t>(k) % cg;
            return wg[(static_cast<int64_t>(o) * cg + c) * taps_ + tap];
          },
          bias ? bias + gi * out_per_group_ : nullptr, packed + gi * group_floats);
    }
  }

  size_t tile_bytes() const { return align_up(static_cast<size_t>(tile_ * gemm_k_) * sizeof(float)); }

  // Threads worth using for `macs` multiply-adds.
  size_t threads_for(int64_t macs) const {
    return static_cast<uint64_t>(macs) < kMinParallelMacs ? 1 : static_cast<size_t>(threads_);
  }

  // `residual` (null when none) is [pixels, out_c] like y.
  void run_gemm(const float* x, const float* packed, const float* residual, char* tile_buffers, float* y) const {
    const size_t group_floats = kernels::gemm_packed_b_floats(gemm_k_, out_per_group_);
    const size_t in_c = static_cast<size_t>(g_.in.c), out_c = static_cast<size_t>(g_.out.c);
    const int64_t pixels = g_.out.n * g_.out.h * g_.out.w;
    auto residual_at = [&](int64_t pixel, int64_t gi) {
      return residual ? residual + pixel * g_.out.c + gi * out_per_group_ : nullptr;
    };
    if (direct_1x1_) {  // NHWC input rows are already the A operand
      for (int64_t gi = 0; gi < a_.group; ++gi)
        parallel_gemm_f32(pixels, out_per_group_, in_per_group_, x + gi * in_per_group_, in_c,
                          packed + gi * group_floats, y + gi * out_per_group_, out_c, a_.act, threads_,
                          residual_at(0, gi), out_c);
      return;
    }
    // One task per tile of output pixels, through the im2col buffer of the thread running it.
    const kernels::Conv2dGeometry geom = nhwc_geometry(g_);
    const int64_t tiles = (pixels + tile_ - 1) / tile_;
    const size_t threads = threads_for(pixels * g_.out.c * gemm_k_);
    ThreadPool::global().parallel_for(static_cast<size_t>(tiles), threads, [&](size_t task, size_t thread) {
      float* tile = reinterpret_cast<float*>(tile_buffers + thread * tile_bytes());
      const int64_t p0 = static_cast<int64_t>(task) * tile_, p1 = std::min(pixels, p0 + tile_);
      for (int64_t gi = 0; gi < a_.group; ++gi) {
        kernels::im2col_nhwc(geom, x, gi * in_per_group_, in_per_group_, p0, p1, tile);
        kernels::gemm_f32(p1 - p0, out_per_group_, gemm_k_, tile, gemm_k_, packed + gi * group_floats,
                          y + p0 * g_.out.c + gi * out_per_group_, out_c, a_.act, residual_at(p0, gi), out_c);
      }
    });
  }

  // Output rows (over batch × height) in equal runs, one run per task; a residual is added to each run
  // (then the activation applied) right after it is written.
  void run_depthwise(const float* x, const float* packed, const float* residual, float* y) const {
    const kernels::Conv2dGeometry geom = nhwc_geometry(g_);
    const size_t rows = static_cast<size_t>(g_.out.n * g_.out.h);
    const size_t row_floats = static_cast<size_t>(g_.out.w * g_.out.c);
    const size_t threads = threads_for(g_.out.n * g_.out.h * g_.out.w * g_.in.c * taps_);
    const size_t rows_per_task = units_per_task(rows, threads * kTasksPerThread);
    const FusedActivation none;
    ThreadPool::global().parallel_for((rows + rows_per_task - 1) / rows_per_task, threads, [&](size_t task, size_t) {
      const size_t r0 = task * rows_per_task, r1 = std::min(rows, r0 + rows_per_task);
      kernels::dwconv_nhwc_f32x4(geom, x, packed, y, static_cast<int64_t>(r0), static_cast<int64_t>(r1),
                                 residual ? none : a_.act);
      if (residual) a_.act.add_then_apply(y + r0 * row_floats, residual + r0 * row_floats, (r1 - r0) * row_floats);
    });
  }

  std::string who_;
  ConvAttrs a_;
  Geometry g_;
  bool has_bias_ = false, has_residual_ = false, depthwise_ = false, direct_1x1_ = false;
  int64_t in_per_group_ = 1, out_per_group_ = 1, taps_ = 1, gemm_k_ = 1, tile_ = 1;
  int64_t threads_ = 1;  // the thread count scratch is sized for (the pool's size at prepare)
  size_t packed_floats_ = 0, scratch_ = 0;
  Shape weight_shape_;
  std::vector<float> packed_;  // constant weights, packed at prepare
};

// ---------------------------------------------------------------------------------------------------------
class ConvTransposeKernel : public Kernel {
 public:
  explicit ConvTransposeKernel(const Node& node, ConvAttrs attrs) : who_(node.describe()), a_(std::move(attrs)) {}

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(resolve_geometry(node, a_, true, in, g_));
    Shape out_shape = image_shape(g_.out, in[0].shape.size(), a_.layout);
    WEBCNN_TRY(checked_num_elements(out_shape).status());
    out[0].dtype = DataType::kFloat32;
    out[0].shape = out_shape;

    has_bias_ = in.size() > 2 && in[2].present;
    in_per_group_ = g_.in.c / a_.group;
    out_per_group_ = g_.out.c / a_.group;
    taps_ = g_.kernel_h * g_.kernel_w;
    col_width_ = taps_ * out_per_group_;
    WEBCNN_TRY(checked_num_elements({col_width_, 16}).status());
    tile_ = tile_pixels(col_width_, g_.in.n * g_.in.h * g_.in.w);
    packed_floats_ = kernels::gemm_packed_b_floats(in_per_group_, col_width_) * static_cast<size_t>(a_.group);
    if (packed_floats_ > static_cast<size_t>(kMaxElements))
      return node.error("weight " + shape_to_string(in[1].shape) + " is too large to pack");
    packed_.clear();
    if (in[1].constant && a_.layout == Layout::kNHWC) {
      packed_.resize(packed_floats_);
      pack(in[1].constant->data<float>(), packed_.data());
    }
    scratch_ = (packed_.empty() ? align_up(packed_floats_ * sizeof(float)) : 0) +
               align_up(static_cast<size_t>(tile_ * col_width_) * sizeof(float));
    return Status::ok();
  }

  size_t scratch_bytes() const override { return scratch_; }
  // Packed weights replace the constant; the bias is still read at run.
  bool reads_constant_input_at_run(size_t i) const override { return i != 1 || packed_.empty(); }

  Status run(const KernelIO& io) override {
    if (a_.layout != Layout::kNHWC) return nchw_run_error(who_);
    char* scratch = static_cast<char*>(io.scratch);
    const float* packed = packed_.data();
    if (packed_.empty()) {
      float* p = reinterpret_cast<float*>(scratch);
      pack(io.in[1].as<const float>(), p);
      packed = p;
      scratch += align_up(packed_floats_ * sizeof(float));
    }
    float* col = reinterpret_cast<float*>(scratch);
    const float* x = io.in[0].as<const float>();
    const float* bias = has_bias_ && io.num_in > 2 ? io.in[2].as<const float>() : nullptr;
    float* y = io.out[0].as<float>();

    const int64_t out_c = g_.out.c, out_pixels = g_.out.n * g_.out.h * g_.out.w;
    for (int64_t p = 0; p < out_pixels; ++p)
      for (int64_t o = 0; o < out_c; ++o) y[p * out_c + o] = bias ? bias[o] : 0.0f;

    const size_t group_floats = kernels::gemm_packed_b_floats(in_per_group_, col_width_);
    const int64_t in_pixels = g_.in.n * g_.in.h * g_.in.w;
    for (int64_t p0 = 0; p0 < in_pixels; p0 += tile_) {
      const int64_t p1 = std::min(in_pixels, p0 + tile_);
      for (int64_t gi = 0; gi < a_.group; ++gi) {
        kernels::gemm_f32(p1 - p0, col_width_, in_per_group_, x + p0 * g_.in.c + gi * in_per_group_, g_.in.c,
                          packed + gi * group_floats, col, col_width_, FusedActivation{});
        scatter(col, p0, p1, gi, y);
      }
    }
    a_.act.apply_inplace(y, static_cast<size_t>(out_pixels * out_c));
    return Status::ok();
  }

 private:
  // Per group a GEMM B of Cg rows and taps·Og columns: B[c][(ky·kW + kx)·Og + o] = W[g·Cg + c, o, ky, kx].
  void pack(const float* w, float* packed) const {
    const size_t group_floats = kernels::gemm_packed_b_floats(in_per_group_, col_width_);
    for (int64_t gi = 0; gi < a_.group; ++gi) {
      const float* wg = w + gi * in_per_group_ * out_per_group_ * taps_;
      kernels::gemm_pack_b_with(
          static_cast<size_t>(in_per_group_), static_cast<size_t>(col_width_),
          [&](size_t c, size_t j) {
            const int64_t tap = static_cast<int64_t>(j) / out_per_group_, o = static_cast<int64_t>(j) % out_per_group_;
            return wg[(static_cast<int64_t>(c) * out_per_group_ + o) * taps_ + tap];
          },
          nullptr, packed + gi * group_floats);
    }
  }

  // col2im: adds each input pixel's taps·Og products to the output pixels they land on.
  void scatter(const float* col, int64_t p0, int64_t p1, int64_t gi, float* y) const {
    const int64_t out_c = g_.out.c;
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t ix = p % g_.in.w, iy = (p / g_.in.w) % g_.in.h, n = p / (g_.in.w * g_.in.h);
      const float* src = col + (p - p0) * col_width_;
      for (int64_t ky = 0; ky < g_.kernel_h; ++ky) {
        const int64_t oy = iy * g_.stride_h - g_.pad_top + ky * g_.dilation_h;
        for (int64_t kx = 0; kx < g_.kernel_w; ++kx, src += out_per_group_) {
          const int64_t ox = ix * g_.stride_w - g_.pad_left + kx * g_.dilation_w;
          if (oy < 0 || oy >= g_.out.h || ox < 0 || ox >= g_.out.w) continue;
          float* dst = y + ((n * g_.out.h + oy) * g_.out.w + ox) * out_c + gi * out_per_group_;
          for (int64_t o = 0; o < out_per_group_; ++o) dst[o] += src[o];
        }
      }
    }
  }

  std::string who_;
  ConvAttrs a_;
  Geometry g_;
  bool has_bias_ = false;
  int64_t in_per_group_ = 1, out_per_group_ = 1, taps_ = 1, col_width_ = 1, tile_ = 1;
  size_t packed_floats_ = 0, scratch_ = 0;
  std::vector<float> packed_;
};

Result<std::unique_ptr<Kernel>> create_conv(const Node& node) {
  WEBCNN_ASSIGN(ConvAttrs a, read_conv_attrs(node, false));
  return std::unique_ptr<Kernel>(new ConvKernel(node, std::move(a)));
}

Result<std::unique_ptr<Kernel>> create_conv_transpose(const Node& node) {
  WEBCNN_ASSIGN(ConvAttrs a, read_conv_attrs(node, true));
  return std::unique_ptr<Kernel>(new ConvTransposeKernel(node, std::move(a)));
}

}  // namespace

void register_conv_ops(OpRegistry& r) {
  r.add("Conv", create_conv);
  r.add("ConvTranspose", create_conv_transpose);
}

// ---------------------------------------------------------------------------------------------------------
namespace reference {

void conv2d_nchw(const float* x, const Shape& xs, const float* w, const Shape& ws, const float* bias,
                 const Conv2dParams& p, const FusedActivation& act, float* y, const Shape& ys) {
  const int64_t batch = xs[0], in_c = xs[1], in_h = xs[2], in_w = xs[3];
  const int64_t out_c = ys[1], out_h = ys[2], out_w = ys[3], kh = ws[2], kw = ws[3];
  const int64_t cg = in_c / p.groups, og = out_c / p.groups;
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t o = 0; o < out_c; ++o) {
      const int64_t gi = o / og;
      for (int64_t oy = 0; oy < out_h; ++oy)
        for (int64_t ox = 0; ox < out_w; ++ox) {
          double sum = bias ? bias[o] : 0.0;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t ky = 0; ky < kh; ++ky)
              for (int64_t kx = 0; kx < kw; ++kx) {
                const int64_t iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
                const int64_t ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
                if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) continue;
                sum += double(x[((n * in_c + gi * cg + c) * in_h + iy) * in_w + ix]) *
                       double(w[((o * cg + c) * kh + ky) * kw + kx]);
              }
          y[((n * out_c + o) * out_h + oy) * out_w + ox] = act.apply(static_cast<float>(sum));
        }
    }
}

void conv_transpose2d_nchw(const float* x, const Shape& xs, const float* w, const Shape& ws, const float* bias,
                           const Conv2dParams& p, const FusedActivation& act, float* y, const Shape& ys) {
  const int64_t batch = xs[0], in_c = xs[1], in_h = xs[2], in_w = xs[3];
  const int64_t out_c = ys[1], out_h = ys[2], out_w = ys[3], kh = ws[2], kw = ws[3];
  const int64_t cg = in_c / p.groups, og = out_c / p.groups;
  std::vector<double> acc(static_cast<size_t>(batch * out_c * out_h * out_w), 0.0);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t c = 0; c < in_c; ++c) {
      const int64_t gi = c / cg;
      for (int64_t iy = 0; iy < in_h; ++iy)
        for (int64_t ix = 0; ix < in_w; ++ix)
          for (int64_t o = 0; o < og; ++o)
            for (int64_t ky = 0; ky < kh; ++ky)
              for (int64_t kx = 0; kx < kw; ++kx) {
                const int64_t oy = iy * p.stride_h - p.pad_top + ky * p.dilation_h;
                const int64_t ox = ix * p.stride_w - p.pad_left + kx * p.dilation_w;
                if (oy < 0 || oy >= out_h || ox < 0 || ox >= out_w) continue;
                acc[static_cast<size_t>(((n * out_c + gi * og + o) * out_h + oy) * out_w + ox)] +=
                    double(x[((n * in_c + c) * in_h + iy) * in_w + ix]) * double(w[((c * og + o) * kh + ky) * kw + kx]);
              }
    }
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t o = 0; o < out_c; ++o)
      for (int64_t i = 0; i < out_h * out_w; ++i) {
        const size_t at = static_cast<size_t>((n * out_c + o) * out_h * out_w + i);
        y[at] = act.apply(static_cast<float>(acc[at] + (bias ? bias[o] : 0.0)));
      }
}

}  // namespace reference

}  // namespace webcnn
