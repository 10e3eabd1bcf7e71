// QLinearSigmoid and QLinearLeakyRelu: semantics in qlinear_lut.h. The table is rebuilt only when the
// scales or zero points change (they are constants in every real model: built once, at the first run).
#include <cmath>

#include "ops/kernel.h"
#include "ops/op_families.h"
#include "ops/qlinear_lut.h"

namespace webcnn {
namespace {

enum class LutOp { kSigmoid, kLeakyRelu };

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
    if (in.size() < 4 || in.size() > 5)
      return node.error("expects 4 or 5 inputs (X, X_scale, X_zero_point, Y_scale, Y_zero_point), got " +
                        std::to_string(in.size()));
    for (size_t i : {0, 1, 3})
      if (!in[i].present) return node.error("required input " + std::to_string(i) + " is empty");
    dtype_ = in[0].dtype;
    if (!is_8bit(dtype_)) return node.error("X must be uint8 or int8, got " + std::string(dtype_name(dtype_)));
    WEBCNN_TRY(check_scalar_quant_inputs(node, in, 1, 2, dtype_, "X"));
    WEBCNN_TRY(check_scalar_quant_inputs(node, in, 3, 4, dtype_, "Y"));
    out[0].dtype = dtype_;
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
      else table_ = build_quantized_lut(dtype_, qx, qy, [alpha](float v) { return v >= 0 ? v : alpha * v; });
      table_ready_ = true;
    }
    const uint8_t* x = static_cast<const uint8_t*>(io.in[0].data);
    uint8_t* y = static_cast<uint8_t*>(io.out[0].data);
    const int64_t n = io.in[0].size();
    for (int64_t i = 0; i < n; ++i) y[i] = table_[x[i]];  // int8 bytes index by their bit pattern
    return Status::ok();
  }

 private:
  LutOp op_ = LutOp::kSigmoid;
  float alpha_ = 0.01f;
  DataType dtype_ = DataType::kUInt8;
  bool table_ready_ = false;
  ScalarQuant qx_, qy_;
  std::array<uint8_t, 256> table_{};
};

}  // namespace

void register_qlinear_lut_ops(OpRegistry& r) {
  r.add("QLinearSigmoid", QLinearLutKernel::create<LutOp::kSigmoid>, OpTraits::unary());
  r.add("QLinearLeakyRelu", QLinearLutKernel::create<LutOp::kLeakyRelu>, OpTraits::unary());
}

}  // namespace webcnn
