// BatchNormalization (inference only), NCHW (channel axis 1) or NHWC (channel axis last), any rank >= 2.
//
// The per-channel affine form y = x * a + b, a = scale / sqrt(var + eps), b = B - mean * a, is computed
// into scratch at the start of each run, so parameters that are not constants work too (when they are
// constants and BN follows a Conv, passes/fold_batch_norm.cc removes the node altogether).
#include "ops/normalization.h"

#include <cmath>

#include "kernels/kernel_table.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

namespace {

class BatchNormalizationKernel final : public Kernel {
 public:
  BatchNormalizationKernel(bool nhwc, float epsilon) : nhwc_(nhwc), epsilon_(epsilon) {}

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 5, 5));
    if (out.empty() || !out[0].present) return node.error("output 0 is required");
    for (size_t i = 1; i < out.size(); ++i)
      if (out[i].present)
        return node.error("unsupported: training-mode outputs (running mean/var); only inference is implemented");
    static const char* const kNames[5] = {"input X", "scale", "B", "input_mean", "input_var"};
    for (size_t i = 0; i < 5; ++i) WEBCNN_TRY(expect_dtype(node, in[i], DataType::kFloat32, kNames[i]));
    const Shape& s = in[0].shape;
    if (s.size() < 2) return node.error("input " + shape_to_string(s) + " needs rank >= 2");
    channels_ = nhwc_ ? s.back() : s[1];
    for (size_t i = 1; i < 5; ++i)
      if (in[i].shape != Shape{channels_})
        return node.error(std::string(kNames[i]) + " has shape " + shape_to_string(in[i].shape) + ", expected [" +
                          std::to_string(channels_) + "] (one value per channel of " + shape_to_string(s) + ")");
    shape_ = s;
    out[0].dtype = DataType::kFloat32;
    out[0].shape = s;
    return Status::ok();
  }

  size_t scratch_bytes() const override { return static_cast<size_t>(channels_) * 2 * sizeof(float); }

  Status run(const KernelIO& io) override {
    const int64_t C = channels_;
    float* a = static_cast<float*>(io.scratch);
    float* b = a + C;
    const float *scale = io.in[1].as<const float>(), *bias = io.in[2].as<const float>();
    const float *mean = io.in[3].as<const float>(), *var = io.in[4].as<const float>();
    for (int64_t c = 0; c < C; ++c) {
      a[c] = scale[c] / std::sqrt(var[c] + epsilon_);
      b[c] = bias[c] - mean[c] * a[c];
    }
    const float* x = io.in[0].as<const float>();
    float* y = io.out[0].as<float>();
    const int64_t total = num_elements(shape_);
    if (total == 0) return Status::ok();
    const kernels::KernelTable& k = kernels::active();
    if (nhwc_) {
      // Rows of C channels: a and b line up with every row.
      for (int64_t row = 0; row < total / C; ++row)
        k.f32_vmuladd(static_cast<size_t>(C), x + row * C, a, b, y + row * C);
    } else {
      // Planes of `inner` elements share one channel's a and b.
      const int64_t inner = total / (shape_[0] * C);
      for (int64_t plane = 0; plane < shape_[0] * C; ++plane) {
        const int64_t c = plane % C;
        k.f32_vmuladdc(static_cast<size_t>(inner), x + plane * inner, a[c], b[c], y + plane * inner);
      }
    }
    return Status::ok();
  }

 private:
  bool nhwc_;
  float epsilon_;
  int64_t channels_ = 0;
  Shape shape_;
};

Result<std::unique_ptr<Kernel>> create_batch_normalization(const Node& node) {
  WEBCNN_ASSIGN(std::string layout, node.attr_string("layout", "NCHW"));
  if (layout != "NCHW" && layout != "NHWC")
    return node.error("layout must be \"NCHW\" or \"NHWC\", got \"" + layout + "\"");
  WEBCNN_ASSIGN(float epsilon, node.attr_float("epsilon", 1e-5f));
  if (!(epsilon >= 0)) return node.error("epsilon must be >= 0");
  WEBCNN_ASSIGN(int64_t training_mode, node.attr_int("training_mode", 0));
  if (training_mode != 0) return node.error("unsupported: training_mode=1; only inference is implemented");
  // momentum only affects the training-mode outputs.
  return std::unique_ptr<Kernel>(new BatchNormalizationKernel(layout == "NHWC", epsilon));
}

}  // namespace

namespace reference {

void batch_normalization(bool nhwc, const Shape& shape, const float* x, const float* scale, const float* bias,
                         const float* mean, const float* var, float epsilon, float* y) {
  const int64_t total = num_elements(shape);
  const int64_t C = nhwc ? shape.back() : shape[1];
  if (total == 0) return;
  const int64_t inner = nhwc ? 1 : total / (shape[0] * C);  // elements between consecutive channels
  for (int64_t i = 0; i < total; ++i) {
    const int64_t c = (i / inner) % C;
    y[i] = (x[i] - mean[c]) / std::sqrt(var[c] + epsilon) * scale[c] + bias[c];
  }
}

}  // namespace reference

void register_normalization_ops(OpRegistry& r) {
  r.add("BatchNormalization", create_batch_normalization, OpTraits::spatial());
}

}  // namespace webcnn
