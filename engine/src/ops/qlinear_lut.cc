// QLinearSigmoid and QLinearLeakyRelu (semantics in qlinear_lut.h) and QLinearRequantize: 8-bit ops that are
// a 256-entry table. The table is rebuilt only when the scales or zero points change (they are constants in
// every real model: built once, at the first run).
//
// QLinearRequantize (webcnn's own op; README.md "Quantized tensors"): Y = QuantizeLinear(DequantizeLinear(X))
// per tensor, Y of Y_zero_point's type (uint8 when absent). passes/fuse_qdq.cc makes it of a
// DequantizeLinear read only by a QuantizeLinear: TFLite's 8-bit QUANTIZE (an int8 model's uint8 input →
// int8) and the requantisation after an op whose output parameters differ from its input's. Its table is
// built with the two kernels' own element functions (quantize_linear.h), so the result is the float
// pair's bit for bit, without a float multiply, divide and rounding per element (the int8 MobileNetV2's
// input pair took 8 % of a frame).
#include <cmath>

#include "ops/kernel.h"
#include "ops/op_families.h"
#include "ops/qlinear_lut.h"
#include "ops/quantize_linear.h"

namespace webcnn {
namespace {

enum class LutOp { kSigmoid, kLeakyRelu, kRequantize };

class QLinearLutKernel final : public Kernel {
 public:
  template <LutOp kOp>
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    auto k = std::make_unique<QLinearLutKernel>();
    k->op_ = kOp;
    if (kOp == LutOp::kLeakyRelu) {
      WEBCNN_ASSIGN(k->alpha_, node.attr_float("alpha", 0.01f));
    }
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_ASSIGN(out_, check_unary_quant_inputs(node, in, /*same_type=*/op_ != LutOp::kRequantize));
    dtype_ = in[0].dtype;
    out[0].dtype = out_;
    out[0].shape = in[0].shape;
    return Status::ok();
  }

  Status run(const KernelIO& io) override {
    const ScalarQuant qx = read_scalar_quant(io, 1, 2), qy = read_scalar_quant(io, 3, 4);
    if (!table_ready_ || qx != qx_ || qy != qy_) {
      qx_ = qx;
      qy_ = qy;
      const float alpha = alpha_;
      if (op_ == LutOp::kSigmoid)
        table_ = build_quantized_lut(dtype_, qx, qy, [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
      else if (op_ == LutOp::kLeakyRelu)
        table_ = build_quantized_lut(dtype_, qx, qy, [alpha](float v) { return v >= 0 ? v : alpha * v; });
      else build_requantize_table();
      table_ready_ = true;
    }
    const uint8_t* x = static_cast<const uint8_t*>(io.in[0].data);
    uint8_t* y = static_cast<uint8_t*>(io.out[0].data);
    const int64_t n = io.in[0].size();
    for (int64_t i = 0; i < n; ++i) y[i] = table_[x[i]];  // int8 bytes index by their bit pattern
    return Status::ok();
  }

 private:
  void build_requantize_table() {
    const float lo = static_cast<float>(quant_min(out_)), hi = static_cast<float>(quant_max(out_));
    for (int32_t q = quant_min(dtype_); q <= quant_max(dtype_); ++q) {
      const float real = dequantize_value(q, qx_.zero_point, qx_.scale);
      table_[static_cast<uint8_t>(q)] = static_cast<uint8_t>(quantize_value(real, qy_.scale, qy_.zero_point, lo, hi));
    }
  }

  LutOp op_ = LutOp::kSigmoid;
  float alpha_ = 0.01f;
  DataType dtype_ = DataType::kUInt8, out_ = DataType::kUInt8;  // X's and Y's
  bool table_ready_ = false;
  ScalarQuant qx_, qy_;
  std::array<uint8_t, 256> table_{};
};

}  // namespace

void register_qlinear_lut_ops(OpRegistry& r) {
  r.add("QLinearSigmoid", QLinearLutKernel::create<LutOp::kSigmoid>, OpTraits::unary());
  r.add("QLinearLeakyRelu", QLinearLutKernel::create<LutOp::kLeakyRelu>, OpTraits::unary());
  r.add("QLinearRequantize", QLinearLutKernel::create<LutOp::kRequantize>, OpTraits::unary());
}

}  // namespace webcnn
