// ConvTranspose (ONNX semantics, see README.md), NHWC at run time.
//
// prepare() resolves the attributes into 2-D geometry (ops/conv_geometry.h), computes the output shape for
// either layout and packs constant weights once; run() does per group a GEMM x · W[c][(ky, kx, o)] into a
// column tile, scattered (col2im) into y. Weights that are not constant are packed at run into scratch.
// The col2im scatter overlaps between pixels, so ConvTranspose stays on one thread.
#include "ops/conv_transpose.h"

#include <algorithm>

#include "kernels/gemm.h"
#include "ops/conv_geometry.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

namespace {

using namespace conv_geometry;

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
      packed_ = pack_weights<float>(
          [&] {
            return PackingKey("conv_transpose.gemm")
                .add(a_.group)
                .add(in_per_group_)
                .add(out_per_group_)
                .add(taps_)
                .add(in[1].constant);
          },
          packed_floats_, [&](float* p) { pack(in[1].constant->data<float>(), p); });
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
    std::fill(y, y + out_pixels * out_c, 0.0f);

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
    // The bias after the sums, as TF.js adds it (Conv2DBackpropInput, then BiasAdd/Add): a large bias would
    // otherwise enter every rounding of the scattered sums.
    if (bias)
      for (int64_t p = 0; p < out_pixels; ++p)
        for (int64_t o = 0; o < out_c; ++o) y[p * out_c + o] += bias[o];
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
  PackedBuffer<float> packed_;  // shared between plans
};

Result<std::unique_ptr<Kernel>> create_conv_transpose(const Node& node) {
  WEBCNN_ASSIGN(ConvAttrs a, read_conv_attrs(node, true));
  return std::unique_ptr<Kernel>(new ConvTransposeKernel(node, std::move(a)));
}

}  // namespace

void register_conv_transpose_ops(OpRegistry& r) {
  r.add("ConvTranspose", create_conv_transpose, OpTraits::spatial().with_macs(conv_macs));
}

// ---------------------------------------------------------------------------------------------------------
namespace reference {

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
