// ConvInteger (ONNX): y int32 = Σ (x − x_zero_point)·(w − w_zero_point) over each output's window, a Conv
// without scales, bias or requantisation (dynamically quantised models follow it with Cast and Mul by the
// scales). x and w uint8 or int8 (each its own); x_zero_point a scalar, w_zero_point a scalar or one per
// output channel. Like Conv, an NCHW node is only shape-inferred; convert_to_nhwc rewrites it to NHWC.
// The naive loop is the only path, as for MatMulInteger: dynamically quantised convolutions are rare in
// CNNs shipped for the web, QLinearConv is the fast 8-bit conv. Padding contributes x_zero_point, i.e. 0.
#include <string>
#include <vector>

#include "ops/conv_geometry.h"
#include "ops/kernel.h"
#include "ops/op_families.h"
#include "ops/qlinear_params.h"

namespace webcnn {
namespace {

using namespace conv_geometry;

enum Input : size_t { kX = 0, kW, kXZp, kWZp };

int32_t load8(const TensorView& v, int64_t i) {
  return v.dtype == DataType::kInt8 ? v.as<const int8_t>()[i] : v.as<const uint8_t>()[i];
}

class ConvIntegerKernel final : public Kernel {
 public:
  explicit ConvIntegerKernel(ConvAttrs attrs) : a_(std::move(attrs)) {}

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 4));
    for (size_t i : {kX, kW})
      if (!is_8bit(in[i].dtype))
        return node.error(std::string(i == kX ? "x" : "w") + " must be uint8 or int8, got " + dtype_name(in[i].dtype));
    // Conv's geometry checks on the data shapes (they ask for float32; the types were checked above).
    std::vector<ValueInfo> shapes = {in[kX], in[kW]};
    for (ValueInfo& v : shapes) v.dtype = DataType::kFloat32;
    WEBCNN_TRY(resolve_geometry(node, a_, false, shapes, g_));
    const Shape out_shape = image_shape(g_.out, in[kX].shape.size(), a_.layout);
    WEBCNN_TRY(checked_num_elements(out_shape).status());
    for (size_t z : {kXZp, kWZp}) {
      if (in.size() <= z || !in[z].present) continue;
      const char* what = z == kXZp ? "x_zero_point" : "w_zero_point";
      if (in[z].dtype != in[z - 2].dtype)
        return node.error(std::string(what) + " must be " + dtype_name(in[z - 2].dtype) + ", got " +
                          dtype_name(in[z].dtype));
      const int64_t count = num_elements(in[z].shape);
      if (in[z].shape.size() > 1 || (count != 1 && (z == kXZp || count != g_.out.c)))
        return node.error(
            std::string(what) + " must be a scalar" +
            (z == kWZp ? " or have one value per output channel (" + std::to_string(g_.out.c) + ")" : std::string()) +
            ", got shape " + shape_to_string(in[z].shape));
    }
    out[0].dtype = DataType::kInt32;
    out[0].shape = out_shape;
    return Status::ok();
  }

  Status run(const KernelIO& io) override {
    if (a_.layout != Layout::kNHWC) return nchw_run_error("ConvInteger");
    const TensorView &x = io.in[kX], &w = io.in[kW];
    const size_t inputs = static_cast<size_t>(io.num_in);
    const bool has_xz = inputs > kXZp && io.in[kXZp].data, has_wz = inputs > kWZp && io.in[kWZp].data;
    const int32_t xz = has_xz ? load8(io.in[kXZp], 0) : 0;
    const bool wz_per_channel = has_wz && io.in[kWZp].size() > 1;
    const int64_t cg = g_.in.c / a_.group, og = g_.out.c / a_.group;
    int32_t* y = io.out[0].as<int32_t>();
    // x NHWC [n, h, w, c]; w OIHW [o, c/group, kh, kw]; y NHWC.
    for (int64_t n = 0; n < g_.out.n; ++n)
      for (int64_t oy = 0; oy < g_.out.h; ++oy)
        for (int64_t ox = 0; ox < g_.out.w; ++ox)
          for (int64_t o = 0; o < g_.out.c; ++o) {
            const int32_t wz = has_wz ? load8(io.in[kWZp], wz_per_channel ? o : 0) : 0;
            const int64_t c0 = o / og * cg;
            int32_t acc = 0;  // |(x − xz)(w − wz)| ≤ 255²: 2^31 / 65025 terms per output, far beyond real windows
            for (int64_t ky = 0; ky < g_.kernel_h; ++ky) {
              const int64_t iy = oy * g_.stride_h - g_.pad_top + ky * g_.dilation_h;
              if (iy < 0 || iy >= g_.in.h) continue;
              for (int64_t kx = 0; kx < g_.kernel_w; ++kx) {
                const int64_t ix = ox * g_.stride_w - g_.pad_left + kx * g_.dilation_w;
                if (ix < 0 || ix >= g_.in.w) continue;
                const int64_t x_at = ((n * g_.in.h + iy) * g_.in.w + ix) * g_.in.c + c0;
                for (int64_t c = 0; c < cg; ++c)
                  acc +=
                      (load8(x, x_at + c) - xz) * (load8(w, ((o * cg + c) * g_.kernel_h + ky) * g_.kernel_w + kx) - wz);
              }
            }
            y[((n * g_.out.h + oy) * g_.out.w + ox) * g_.out.c + o] = acc;
          }
    return Status::ok();
  }

 private:
  ConvAttrs a_;
  Geometry g_;
};

Result<std::unique_ptr<Kernel>> create_conv_integer(const Node& node) {
  WEBCNN_ASSIGN(ConvAttrs a, read_conv_attrs(node, false));
  return std::unique_ptr<Kernel>(new ConvIntegerKernel(std::move(a)));
}

}  // namespace

void register_conv_integer_ops(OpRegistry& r) {
  r.add("ConvInteger", create_conv_integer, OpTraits::spatial().with_macs(conv_macs));
}

}  // namespace webcnn
