// QLinearConcat (com.microsoft): inputs Y_scale, [Y_zero_point], then X, X_scale, [X_zero_point] per input;
// `axis`. All data share one 8-bit type. An input whose scale and zero point equal the output's is copied;
// the others are requantised element by element as TFLite's CONCATENATION does (ConcatenationWithScaling):
// round(q · (s_in / s_out) - zp_in · (s_in / s_out)) + zp_out in float, rounding half away from zero, clamped.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/concat.h"
#include "ops/element_copy.h"
#include "ops/kernel.h"
#include "ops/op_families.h"
#include "ops/qlinear_params.h"

namespace webcnn {
namespace {

class QLinearConcatKernel final : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    if (!node.has_attr("axis")) return node.error("attribute 'axis' is required");
    auto k = std::make_unique<QLinearConcatKernel>();
    WEBCNN_ASSIGN(k->axis_, node.attr_int("axis", 0));
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    if (in.size() < 5 || (in.size() - 2) % 3 != 0)
      return node.error("expects Y_scale, Y_zero_point, then (X, X_scale, X_zero_point) per input; got " +
                        std::to_string(in.size()) + " inputs");
    shapes_.clear();
    for (size_t i = 2; i < in.size(); i += 3) {
      if (!in[i].present || !in[i + 1].present)
        return node.error("input " + std::to_string(i) + " or its scale is empty");
      shapes_.push_back(in[i].shape);
    }
    dtype_ = in[2].dtype;
    if (!is_8bit(dtype_)) return node.error("inputs must be uint8 or int8, got " + std::string(dtype_name(dtype_)));
    for (size_t i = 2; i < in.size(); i += 3) {
      if (in[i].dtype != dtype_)
        return node.error("input " + std::to_string(i) + " is " + dtype_name(in[i].dtype) + ", input 2 is " +
                          dtype_name(dtype_));
      WEBCNN_TRY(check_scalar_quant_inputs(node, in, i + 1, i + 2, dtype_, "X"));
    }
    WEBCNN_TRY(check_scalar_quant_inputs(node, in, 0, 1, dtype_, "Y"));
    auto shape = data_movement::concat_shape(shapes_, axis_);
    if (!shape) return shape.status().with_context(node.describe());
    if (axis_ < 0) axis_ += static_cast<int64_t>(shapes_[0].size());
    out[0].dtype = dtype_;
    out[0].shape = shape.value();
    return Status::ok();
  }

  Status run(const KernelIO& io) override {
    if (dtype_ == DataType::kUInt8) concat<uint8_t>(io);
    else concat<int8_t>(io);
    return Status::ok();
  }

 private:
  template <typename T>
  void concat(const KernelIO& io) const {
    const ScalarQuant qy = read_scalar_quant(io, 0, 1);
    const float inverse_output_scale = 1.0f / qy.scale;
    const size_t a = static_cast<size_t>(axis_);
    const int64_t outer = data_movement::product(shapes_[0], 0, a);
    T* dst = io.out[0].as<T>();
    for (int64_t o = 0; o < outer; ++o)
      for (size_t j = 0; j < shapes_.size(); ++j) {
        const size_t in_index = 2 + 3 * j;
        const int64_t chunk = data_movement::product(shapes_[j], a, shapes_[j].size());
        const T* src = io.in[in_index].as<const T>() + o * chunk;
        const ScalarQuant qx = read_scalar_quant(io, in_index + 1, in_index + 2);
        if (qx == qy) {
          if (chunk) std::memcpy(dst, src, static_cast<size_t>(chunk) * sizeof(T));
        } else {
          const float scale = qx.scale * inverse_output_scale;
          const float bias = -static_cast<float>(qx.zero_point) * scale;
          for (int64_t i = 0; i < chunk; ++i)
            dst[i] = static_cast<T>(saturate_to(
                dtype_, std::round(static_cast<float>(src[i]) * scale + bias) + static_cast<float>(qy.zero_point),
                qy.zero_point));
        }
        dst += chunk;
      }
  }

  int64_t axis_ = 0;
  DataType dtype_ = DataType::kUInt8;
  std::vector<Shape> shapes_;
};

}  // namespace

void register_qlinear_concat_ops(OpRegistry& r) { r.add("QLinearConcat", QLinearConcatKernel::create); }

}  // namespace webcnn
