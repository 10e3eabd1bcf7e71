// QLinearConv, NHWC at run time (like Conv, an NCHW node is only shape-inferred, then convert_to_nhwc
// rewrites it). Inputs: x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, [B int32]; scales and zero
// points and the weights must be constants (they are packed at prepare and dropped from the plan).
// Paths:
//   depthwise (group == C_in == C_out, ≤ kQ8DwMaxTaps taps): kernels::q8_dwconv_nhwc by output rows;
//   everything else, per group: the 8-bit GEMM over tiles of output pixels whose int16 A rows are the
//   input widened (1×1, stride 1, unpadded) or an im2col tile (a channel multiplier > 1 goes this way too),
//   the input zero point folded into the packed bias (kernels/q8_gemm.h).
// Threads: im2col/widen tiles one per task with a buffer per thread, depthwise by runs of output rows.
#include <algorithm>

#include "core/thread_pool.h"
#include "kernels/q8_dwconv.h"
#include "kernels/q8_gemm.h"
#include "kernels/q8_im2col.h"
#include "ops/conv_geometry.h"
#include "ops/kernel.h"
#include "ops/op_families.h"
#include "ops/parallel_gemm.h"
#include "ops/qlinear_conv_params.h"

namespace webcnn {

namespace {

using namespace conv_geometry;

enum Input : size_t { kX = 0, kXScale, kXZp, kW, kWScale, kWZp, kYScale, kYZp, kBias };

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

class QLinearConvKernel : public Kernel {
 public:
  explicit QLinearConvKernel(ConvAttrs attrs) : a_(std::move(attrs)) {}

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 8, 9));
    WEBCNN_TRY(qlinear::expect_8bit(node, in[kX], "input x"));
    WEBCNN_TRY(qlinear::expect_8bit(node, in[kW], "weight w"));
    WEBCNN_TRY(qlinear::expect_8bit(node, in[kYZp], "y_zero_point"));
    const bool has_bias = in.size() > kBias && in[kBias].present;
    if (has_bias) WEBCNN_TRY(expect_dtype(node, in[kBias], DataType::kInt32, "bias B"));
    // Conv's geometry checks on the data shapes (they ask for float32; the types were checked above).
    std::vector<ValueInfo> shapes = {in[kX], in[kW]};
    if (has_bias) shapes.push_back(in[kBias]);
    for (ValueInfo& v : shapes) v.dtype = DataType::kFloat32;
    WEBCNN_TRY(resolve_geometry(node, a_, false, shapes, g_));
    const Shape out_shape = image_shape(g_.out, in[kX].shape.size(), a_.layout);
    WEBCNN_TRY(checked_num_elements(out_shape).status());
    x_type_ = in[kX].dtype;
    out[0].dtype = in[kYZp].dtype;
    out[0].shape = out_shape;

    const int64_t out_c = g_.out.c;
    WEBCNN_ASSIGN(std::vector<float> x_scale, qlinear::read_scale(node, in[kXScale], "x_scale", 0));
    WEBCNN_ASSIGN(std::vector<float> w_scale, qlinear::read_scale(node, in[kWScale], "w_scale", out_c));
    WEBCNN_ASSIGN(std::vector<float> y_scale, qlinear::read_scale(node, in[kYScale], "y_scale", 0));
    WEBCNN_ASSIGN(std::vector<int32_t> x_zp, qlinear::read_zero_point(node, in, kXZp, x_type_, "x_zero_point", 0));
    WEBCNN_ASSIGN(std::vector<int32_t> w_zp,
                  qlinear::read_zero_point(node, in, kWZp, in[kW].dtype, "w_zero_point", out_c));
    WEBCNN_ASSIGN(std::vector<int32_t> y_zp, qlinear::read_zero_point(node, in, kYZp, out[0].dtype, "y_zero_point", 0));
    if (!in[kW].constant || (has_bias && !in[kBias].constant))
      return node.error("unsupported: weights or bias computed at run time (8-bit weights are packed at load)");
    x_in_.zero_point = x_zp[0];
    x_in_.is_signed = x_type_ == DataType::kInt8;
    WEBCNN_ASSIGN(y_out_, qlinear::output_range(node, a_.act, out[0].dtype, y_scale[0], y_zp[0]));
    const std::vector<float> scale = qlinear::requantization_scales(x_scale[0], w_scale, y_scale[0], out_c);

    const int64_t group = a_.group;
    in_per_group_ = g_.in.c / group;
    out_per_group_ = out_c / group;
    taps_ = g_.kernel_h * g_.kernel_w;
    depthwise_ = group == g_.in.c && out_c == g_.in.c && static_cast<size_t>(taps_) <= kernels::kQ8DwMaxTaps;
    direct_1x1_ = taps_ == 1 && g_.stride_h == 1 && g_.stride_w == 1 && g_.pad_top == 0 && g_.pad_left == 0 &&
                  g_.pad_bottom == 0 && g_.pad_right == 0;
    gemm_k_ = taps_ * in_per_group_;
    row_stride_ = kernels::q8_gemm_kp(static_cast<size_t>(gemm_k_));
    const int64_t pixels = g_.out.n * g_.out.h * g_.out.w;
    threads_ = ThreadPool::global().size();
    tile_ = tile_pixels(static_cast<int64_t>(row_stride_) / 2, pixels);  // int16 rows: half a float's bytes
    if (threads_ > 1) tile_ = std::min(tile_, std::max<int64_t>(4, (pixels + threads_ - 1) / threads_ + 3) / 4 * 4);

    const size_t words =
        depthwise_ ? kernels::q8_dwconv_packed_words(static_cast<size_t>(out_c), static_cast<size_t>(taps_))
                   : kernels::q8_gemm_packed_words(static_cast<size_t>(gemm_k_), static_cast<size_t>(out_per_group_)) *
                         static_cast<size_t>(group);
    if (words > static_cast<size_t>(kMaxElements))
      return node.error("weight " + shape_to_string(in[kW].shape) + " is too large to pack");
    packed_.clear();
    zero_row_.clear();
    scratch_ = 0;
    // The small constants (scales, zero points, bias) are kept as given, and the weights' type, shape and
    // zero points, so recover_constant_input can give every consumed input back for inspection.
    kept_.assign(in.size(), Tensor());
    for (size_t i = 0; i < in.size(); ++i)
      if (i != kX && i != kW && in[i].present && in[i].constant) kept_[i] = *in[i].constant;
    w_type_ = in[kW].dtype;
    w_shape_ = in[kW].shape;
    w_zp_ = w_zp;
    if (a_.layout != Layout::kNHWC) return Status::ok();  // packed after convert_to_nhwc
    // The packed blocks hold w − zero point, the bias and the requantisation scales: every constant input
    // (all but x) and the dtypes that decide absent zero points go into the key.
    const auto key = [&] {
      PackingKey key(depthwise_ ? "q8.conv.dw" : "q8.conv.gemm");
      key.add(g_.in.c).add(out_c).add(taps_).add(group).add(static_cast<int64_t>(x_type_));
      key.add(static_cast<int64_t>(out[0].dtype));
      for (size_t i = 0; i < in.size(); ++i)
        if (i != kX) key.add(in[i].present ? in[i].constant : nullptr);
      return key;
    };
    const void* w = in[kW].constant->raw();
    const DataType w_type = in[kW].dtype;
    const int32_t* bias = has_bias ? in[kBias].constant->data<int32_t>() : nullptr;
    const auto w_zp_of = [&](int64_t o) { return w_zp.size() == 1 ? w_zp[0] : w_zp[static_cast<size_t>(o)]; };
    if (depthwise_) {
      const size_t taps = static_cast<size_t>(taps_);
      packed_ = pack_weights<int32_t>(key, words, [&](int32_t* p) {
        kernels::q8_dwconv_pack_with(
            static_cast<size_t>(out_c), taps,
            [&](size_t c, size_t t) {
              return qlinear::q8_value(w, c * taps + t, w_type) - w_zp_of(static_cast<int64_t>(c));
            },
            [&](size_t c) { return bias ? bias[c] : 0; }, [&](size_t c) { return scale[c]; }, p);
      });
      zero_row_.assign(static_cast<size_t>(g_.in.c), static_cast<uint8_t>(x_in_.zero_point));
    } else {
      // Per group, B[(ky·kW + kx)·Cg + c][o] = w[o][c][ky][kx] (ONNX OIHW).
      const size_t group_words =
          kernels::q8_gemm_packed_words(static_cast<size_t>(gemm_k_), static_cast<size_t>(out_per_group_));
      const int64_t cg = in_per_group_;
      packed_ = pack_weights<int32_t>(key, words, [&](int32_t* p) {
        for (int64_t gi = 0; gi < group; ++gi) {
          const int64_t o0 = gi * out_per_group_;
          kernels::q8_gemm_pack_b_with(
              static_cast<size_t>(gemm_k_), static_cast<size_t>(out_per_group_), w_type == DataType::kInt8,
              x_in_.zero_point,
              [&](size_t k, size_t j) {
                const int64_t tap = static_cast<int64_t>(k) / cg, c = static_cast<int64_t>(k) % cg;
                const int64_t o = o0 + static_cast<int64_t>(j);
                return qlinear::q8_value(w, static_cast<size_t>((o * cg + c) * taps_ + tap), w_type);
              },
              [&](size_t j) { return w_zp_of(o0 + static_cast<int64_t>(j)); },
              [&](size_t j) { return bias ? bias[o0 + static_cast<int64_t>(j)] : 0; },
              [&](size_t j) { return scale[static_cast<size_t>(o0) + j]; }, p + gi * group_words);
        }
      });
      scratch_ = static_cast<size_t>(threads_) * tile_bytes();
    }
    return Status::ok();
  }

  size_t scratch_bytes() const override { return scratch_; }
  // Weights, bias, scales and zero points are consumed at prepare.
  bool reads_constant_input_at_run(size_t i) const override { return i == kX || packed_.empty(); }

  // A consumed input as given: the small ones from kept_, the weights [O, I/group, kH, kW] read back out
  // of packed_ (each stored as w − w_zp[o]).
  Result<Tensor> recover_constant_input(size_t i) const override {
    if (packed_.empty() || i == kX || i >= kept_.size()) return Kernel::recover_constant_input(i);
    if (i != kW) {
      if (!kept_[i].raw()) return Kernel::recover_constant_input(i);  // absent optional input
      return kept_[i];
    }
    WEBCNN_ASSIGN(Tensor w, Tensor::create(w_type_, w_shape_));
    const int64_t cg = in_per_group_;
    const size_t group_words =
        kernels::q8_gemm_packed_words(static_cast<size_t>(gemm_k_), static_cast<size_t>(out_per_group_));
    for (int64_t o = 0; o < g_.out.c; ++o) {
      const int32_t zp = w_zp_.size() == 1 ? w_zp_[0] : w_zp_[static_cast<size_t>(o)];
      const int64_t gi = o / out_per_group_, j = o % out_per_group_;
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t tap = 0; tap < taps_; ++tap) {
          const int32_t v =
              zp + (depthwise_
                        ? kernels::q8_dwconv_packed_at(static_cast<size_t>(taps_), packed_.data(),
                                                       static_cast<size_t>(o), static_cast<size_t>(tap))
                        : kernels::q8_gemm_packed_b_at(static_cast<size_t>(gemm_k_), packed_.data() + gi * group_words,
                                                       static_cast<size_t>(tap * cg + c), static_cast<size_t>(j)));
          const size_t at = static_cast<size_t>((o * cg + c) * taps_ + tap);
          if (w_type_ == DataType::kInt8) w.data<int8_t>()[at] = static_cast<int8_t>(v);
          else w.data<uint8_t>()[at] = static_cast<uint8_t>(v);
        }
    }
    return w;
  }

  Status run(const KernelIO& io) override {
    if (a_.layout != Layout::kNHWC || packed_.empty()) return nchw_run_error("QLinearConv");
    const void* x = io.in[kX].data;
    void* y = io.out[0].data;
    if (depthwise_) run_depthwise(x, y);
    else run_gemm(x, static_cast<char*>(io.scratch), y);
    return Status::ok();
  }

 private:
  size_t tile_bytes() const { return align_up(static_cast<size_t>(tile_) * row_stride_ * sizeof(int16_t)); }

  size_t threads_for(int64_t macs) const {
    return static_cast<uint64_t>(macs) < kMinParallelMacs ? 1 : static_cast<size_t>(threads_);
  }

  void run_gemm(const void* x, char* tile_buffers, void* y) const {
    const size_t group_words =
        kernels::q8_gemm_packed_words(static_cast<size_t>(gemm_k_), static_cast<size_t>(out_per_group_));
    const int64_t pixels = g_.out.n * g_.out.h * g_.out.w;
    const kernels::Conv2dGeometry geom = nhwc_geometry(g_);
    const int64_t tiles = (pixels + tile_ - 1) / tile_;
    const size_t threads = threads_for(pixels * g_.out.c * gemm_k_);
    const size_t in_c = static_cast<size_t>(g_.in.c), out_c = static_cast<size_t>(g_.out.c);
    const uint8_t* x_bytes = static_cast<const uint8_t*>(x);
    uint8_t* y_bytes = static_cast<uint8_t*>(y);
    ThreadPool::global().parallel_for(static_cast<size_t>(tiles), threads, [&](size_t task, size_t thread) {
      int16_t* tile = reinterpret_cast<int16_t*>(tile_buffers + thread * tile_bytes());
      const int64_t p0 = static_cast<int64_t>(task) * tile_, p1 = std::min(pixels, p0 + tile_);
      for (int64_t gi = 0; gi < a_.group; ++gi) {
        if (direct_1x1_)
          kernels::q8_widen_rows(static_cast<size_t>(p1 - p0), static_cast<size_t>(in_per_group_),
                                 x_bytes + static_cast<size_t>(p0) * in_c + gi * in_per_group_, in_c, x_in_, tile,
                                 row_stride_);
        else kernels::q8_im2col_nhwc(geom, x, x_in_, gi * in_per_group_, in_per_group_, p0, p1, tile, row_stride_);
        kernels::q8_gemm(static_cast<size_t>(p1 - p0), static_cast<size_t>(out_per_group_),
                         static_cast<size_t>(gemm_k_), tile, row_stride_, packed_.data() + gi * group_words,
                         y_bytes + static_cast<size_t>(p0) * out_c + gi * out_per_group_, out_c, y_out_);
      }
    });
  }

  void run_depthwise(const void* x, void* y) const {
    const kernels::Conv2dGeometry geom = nhwc_geometry(g_);
    const size_t rows = static_cast<size_t>(g_.out.n * g_.out.h);
    const size_t threads = threads_for(g_.out.n * g_.out.h * g_.out.w * g_.in.c * taps_);
    const size_t rows_per_task = units_per_task(rows, threads * kTasksPerThread);
    ThreadPool::global().parallel_for((rows + rows_per_task - 1) / rows_per_task, threads, [&](size_t task, size_t) {
      const size_t r0 = task * rows_per_task, r1 = std::min(rows, r0 + rows_per_task);
      kernels::q8_dwconv_nhwc(geom, x, x_in_, packed_.data(), zero_row_.data(), y, y_out_, static_cast<int64_t>(r0),
                              static_cast<int64_t>(r1));
    });
  }

  ConvAttrs a_;
  Geometry g_;
  DataType x_type_ = DataType::kUInt8;
  kernels::Q8Input x_in_;
  kernels::Q8Output y_out_;
  bool depthwise_ = false, direct_1x1_ = false;
  int64_t in_per_group_ = 1, out_per_group_ = 1, taps_ = 1, gemm_k_ = 1, tile_ = 1;
  int64_t threads_ = 1;
  size_t row_stride_ = 2, scratch_ = 0;
  PackedBuffer<int32_t> packed_;   // shared between plans
  std::vector<uint8_t> zero_row_;  // the input zero point per channel, for depthwise taps in the padding
  std::vector<Tensor> kept_;       // per input: the small constants as given (empty for x and w)
  DataType w_type_ = DataType::kUInt8;
  Shape w_shape_;
  std::vector<int32_t> w_zp_;
};

Result<std::unique_ptr<Kernel>> create_qlinear_conv(const Node& node) {
  WEBCNN_ASSIGN(ConvAttrs a, read_conv_attrs(node, false));
  return std::unique_ptr<Kernel>(new QLinearConvKernel(std::move(a)));
}

// Multiply-accumulates: each output element takes one weight row of I/group · kH · kW.
int64_t qlinear_conv_macs(const Node& n, const Graph& g) {
  if (n.inputs.size() < 4 || n.inputs[kW] == kNoValue) return 0;
  const Shape& w = g.value(n.inputs[kW]).shape;
  if (w.empty() || w[0] == 0) return 0;
  return num_elements(w) / w[0] * num_elements(g.value(n.outputs[0]).shape);
}

}  // namespace

void register_qlinear_conv_ops(OpRegistry& r) {
  r.add("QLinearConv", create_qlinear_conv, OpTraits::spatial().with_macs(qlinear_conv_macs));
}

}  // namespace webcnn
