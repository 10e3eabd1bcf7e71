// Conv (ONNX semantics, see README.md), NHWC at run time.
//
// prepare() resolves the attributes into 2-D geometry (ops/conv_geometry.h), computes the output shape for
// either layout, picks a path and packs constant weights once:
//   depthwise (group == C == O): kernels::dwconv_nhwc_f32x4 by output rows, weights packed per 4 channels;
//   everything else, per group: GEMM with weights packed as B[(ky, kx, c)][o] —
//     1×1 stride 1 unpadded: A is the NHWC input itself (row stride C),
//     otherwise A is an im2col tile of a few dozen output pixels in scratch.
// Weights that are not constant (ONNX's conformance tests feed W as an input) are packed at run into scratch.
// A Conv may carry a 4th input R of its output's shape (passes/fuse_residual_add.cc): y = act(conv + R),
// R added to each block of output right after it is written.
//
// Threads (webcnn/threads.h): Conv splits its output over the thread count in effect at prepare — GEMMs by
// row or column tiles (ops/parallel_gemm.h), im2col tiles one per task with a tile buffer per thread,
// depthwise by runs of output rows (dwconv_nhwc_f32x4, no scratch).
#include "ops/conv.h"

#include <algorithm>
#include <cstring>

#include "core/thread_pool.h"
#include "kernels/dwconv.h"
#include "kernels/gemm.h"
#include "kernels/im2col_nhwc.h"
#include "ops/conv_geometry.h"
#include "ops/kernel.h"
#include "ops/op_families.h"
#include "ops/parallel_gemm.h"

namespace webcnn {

namespace {

using namespace conv_geometry;

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

    packed_floats_ = depthwise_
                         ? kernels::dwconv_packed_floats(static_cast<size_t>(g_.in.c), static_cast<size_t>(taps_))
                         : kernels::gemm_packed_b_floats(gemm_k_, out_per_group_) * static_cast<size_t>(group);
    if (packed_floats_ > static_cast<size_t>(kMaxElements))
      return node.error("weight " + shape_to_string(in[1].shape) + " is too large to pack");
    const bool weights_constant = in[1].constant && (!has_bias_ || in[2].constant);
    weight_shape_ = in[1].shape;
    packed_.clear();
    if (weights_constant && a_.layout == Layout::kNHWC) {
      const Tensor* bias = has_bias_ ? in[2].constant : nullptr;
      packed_ = pack_weights<float>(
          [&] {
            return PackingKey(depthwise_ ? "conv.dw" : "conv.gemm")
                .add(g_.in.c)
                .add(taps_)
                .add(a_.group)
                .add(out_per_group_)
                .add(in[1].constant)
                .add(bias);
          },
          packed_floats_,
          [&](float* p) { pack(in[1].constant->data<float>(), bias ? bias->data<float>() : nullptr, p); });
    }
    // Scratch: [packed weights, when packed at run]
    //          [gemm, not 1×1: im2col tile per thread] (depthwise needs none).
    scratch_ = packed_.empty() ? align_up(packed_floats_ * sizeof(float)) : 0;
    if (!depthwise_ && !direct_1x1_) scratch_ += threads_ * tile_bytes();
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
      return Status::error(who_ + ": " + std::to_string(count) +
                           " weights are too many to recover from the packed form");
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
    if (found != count)
      return Status::error(StatusCode::kInternal,
                           who_ + ": internal error: the packed weights do not cover every weight");
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
    const size_t cg = static_cast<size_t>(in_per_group_), taps = static_cast<size_t>(taps_);
    const size_t filter = cg * taps;  // floats of one output channel's [Cg, kH, kW] weights
    for (int64_t gi = 0; gi < a_.group; ++gi)
      kernels::gemm_pack_b_rows(
          static_cast<size_t>(gemm_k_), static_cast<size_t>(out_per_group_),
          w + static_cast<size_t>(gi * out_per_group_) * filter, [&](size_t k) { return k % cg * taps + k / cg; },
          filter, bias ? bias + gi * out_per_group_ : nullptr, packed + gi * group_floats);
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
  PackedBuffer<float> packed_;  // constant weights, packed at prepare (shared between plans)
};

Result<std::unique_ptr<Kernel>> create_conv(const Node& node) {
  WEBCNN_ASSIGN(ConvAttrs a, read_conv_attrs(node, false));
  return std::unique_ptr<Kernel>(new ConvKernel(node, std::move(a)));
}

}  // namespace

void register_conv_ops(OpRegistry& r) {
  r.add("Conv", create_conv, OpTraits::spatial().with_fused_activation().with_macs(conv_geometry::conv_macs));
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

}  // namespace reference

}  // namespace webcnn
