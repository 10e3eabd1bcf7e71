// QLinearSoftmax: semantics in qlinear_lut.h. Rows along the axis may be strided (axis not last): the
// data is walked as [outer, length, inner].
#include <algorithm>
#include <cmath>

#include "ops/element_copy.h"
#include "ops/kernel.h"
#include "ops/op_families.h"
#include "ops/qlinear_lut.h"

namespace webcnn {
namespace {

class QLinearSoftmaxKernel final : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    auto k = std::make_unique<QLinearSoftmaxKernel>();
    WEBCNN_ASSIGN(k->axis_, node.attr_int("axis", -1));
    WEBCNN_ASSIGN(int64_t opset, node.attr_int("opset", 13));
    k->flatten_ = opset < 13;
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_ASSIGN(dtype_, check_unary_quant_inputs(node, in, /*same_type=*/true));
    const Shape& s = in[0].shape;
    const int64_t rank = static_cast<int64_t>(s.size());
    if (rank == 0) return node.error("input must have rank >= 1");
    if (axis_ < -rank || axis_ >= rank)
      return node.error("axis " + std::to_string(axis_) + " is out of range for rank " + std::to_string(rank));
    const size_t a = static_cast<size_t>(axis_ < 0 ? axis_ + rank : axis_);
    outer_ = data_movement::product(s, 0, a);
    if (flatten_) {
      length_ = data_movement::product(s, a, s.size());
      inner_ = 1;
    } else {
      length_ = s[a];
      inner_ = data_movement::product(s, a + 1, s.size());
    }
    out[0].dtype = dtype_;
    out[0].shape = s;
    return Status::ok();
  }

  Status run(const KernelIO& io) override {
    const ScalarQuant qx = read_scalar_quant(io, 1, 2), qy = read_scalar_quant(io, 3, 4);
    if (!table_ready_ || qx != qx_) {
      qx_ = qx;
      const float scale = -qx.scale;  // beta = 1
      for (int32_t d = 0; d <= 255; ++d) table_[static_cast<size_t>(255 - d)] = std::exp(scale * static_cast<float>(d));
      table_ready_ = true;
    }
    if (dtype_ == DataType::kUInt8) softmax(io.in[0].as<const uint8_t>(), io.out[0].as<uint8_t>(), qy);
    else softmax(io.in[0].as<const int8_t>(), io.out[0].as<int8_t>(), qy);
    return Status::ok();
  }

 private:
  template <typename T>
  void softmax(const T* x, T* y, ScalarQuant qy) const {
    const int32_t lo = quant_min(dtype_), hi = quant_max(dtype_);
    for (int64_t o = 0; o < outer_; ++o)
      for (int64_t i = 0; i < inner_; ++i) {
        const T* row = x + o * length_ * inner_ + i;
        T* out = y + o * length_ * inner_ + i;
        int32_t max_val = lo;
        for (int64_t j = 0; j < length_; ++j) max_val = std::max<int32_t>(max_val, row[j * inner_]);
        // table[255 - (max - q)] = e^(-s_x (max - q)); max - q is in [0, 255].
        const float* exp_of = table_.data() + 255 - max_val;
        float sum = 0;
        for (int64_t j = 0; j < length_; ++j) sum += exp_of[row[j * inner_]];
        const float inverse = 1.0f / (sum * qy.scale);
        for (int64_t j = 0; j < length_; ++j) {
          const float p = exp_of[row[j * inner_]] * inverse;
          int32_t q;
          if (dtype_ == DataType::kUInt8) q = static_cast<int32_t>(std::min(p + 0.5f, 1e9f)) + qy.zero_point;
          else q = static_cast<int32_t>(std::round(std::min(p, 1e9f))) + qy.zero_point;
          out[j * inner_] = static_cast<T>(std::min(std::max(q, lo), hi));
        }
      }
  }

  int64_t axis_ = -1;
  bool flatten_ = false;
  DataType dtype_ = DataType::kUInt8;
  int64_t outer_ = 0, length_ = 0, inner_ = 1;
  bool table_ready_ = false;
  ScalarQuant qx_;
  std::array<float, 256> table_{};
};

}  // namespace

void register_qlinear_softmax_ops(OpRegistry& r) { r.add("QLinearSoftmax", QLinearSoftmaxKernel::create); }

}  // namespace webcnn
