// QLinearRequantize (webcnn's own op; README.md "Quantized tensors"): X, X_scale, [X_zero_point], Y_scale,
// [Y_zero_point] → Y = QuantizeLinear(DequantizeLinear(X)), per tensor, X uint8 or int8, Y of Y_zero_point's
// type (uint8 when absent). passes/fuse_qdq.cc makes it of a DequantizeLinear read only by a
// QuantizeLinear: TFLite's 8-bit QUANTIZE (an int8 model's uint8 input → int8) and the requantisation after
// an op whose output parameters differ from its input's.
//
// An 8-bit X has 256 values, so Y is a table lookup. The table is built with the two kernels' own element
// functions (quantize_linear.h), so the result is the float pair's bit for bit; it replaces a float
// multiply, a divide and a rounding per element (the int8 MobileNetV2's input pair took 8 % of a frame).
#include <array>

#include "ops/kernel.h"
#include "ops/op_families.h"
#include "ops/qlinear_params.h"
#include "ops/quantize_linear.h"

namespace webcnn {
namespace {

class QLinearRequantizeKernel final : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node&) {
    return std::unique_ptr<Kernel>(new QLinearRequantizeKernel());
  }

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    if (in.size() < 4 || in.size() > 5)
      return node.error("expects 4 or 5 inputs (X, X_scale, X_zero_point, Y_scale, Y_zero_point), got " +
                        std::to_string(in.size()));
    for (size_t i : {0, 1, 3})
      if (!in[i].present) return node.error("required input " + std::to_string(i) + " is empty");
    in_ = in[0].dtype;
    if (!is_8bit(in_)) return node.error("X must be uint8 or int8, got " + std::string(dtype_name(in_)));
    out_ = zero_point_dtype(in, 4, DataType::kUInt8);
    if (!is_8bit(out_)) return node.error("Y_zero_point must be uint8 or int8, got " + std::string(dtype_name(out_)));
    WEBCNN_TRY(check_scalar_quant_inputs(node, in, 1, 2, in_, "X"));
    WEBCNN_TRY(check_scalar_quant_inputs(node, in, 3, 4, out_, "Y"));
    out[0].dtype = out_;
    out[0].shape = in[0].shape;
    return Status::ok();
  }

  Status run(const KernelIO& io) override {
    const ScalarQuant qx = read_scalar_quant(io, 1, 2), qy = read_scalar_quant(io, 3, 4);
    if (!table_ready_ || qx != qx_ || qy != qy_) {
      qx_ = qx;
      qy_ = qy;
      build_table();
      table_ready_ = true;
    }
    const uint8_t* x = static_cast<const uint8_t*>(io.in[0].data);
    uint8_t* y = static_cast<uint8_t*>(io.out[0].data);
    const int64_t n = io.in[0].size();
    for (int64_t i = 0; i < n; ++i) y[i] = table_[x[i]];  // int8 bytes index by their bit pattern
    return Status::ok();
  }

 private:
  void build_table() {
    const float lo = static_cast<float>(quant_min(out_)), hi = static_cast<float>(quant_max(out_));
    for (int32_t q = quant_min(in_); q <= quant_max(in_); ++q) {
      const float real = dequantize_value(q, qx_.zero_point, qx_.scale);
      table_[static_cast<uint8_t>(q)] = static_cast<uint8_t>(quantize_value(real, qy_.scale, qy_.zero_point, lo, hi));
    }
  }

  DataType in_ = DataType::kUInt8, out_ = DataType::kUInt8;
  bool table_ready_ = false;
  ScalarQuant qx_, qy_;
  std::array<uint8_t, 256> table_{};
};

}  // namespace

void register_qlinear_requantize_ops(OpRegistry& r) {
  r.add("QLinearRequantize", QLinearRequantizeKernel::create, OpTraits::unary());
}

}  // namespace webcnn
