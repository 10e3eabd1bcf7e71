// QLinearAdd / QLinearSub / QLinearMul: semantics in qlinear_binary.h. Rows come from a StridedLoop
// (broadcast.h) as for the float ops; Add/Sub rows whose operands are contiguous or a repeated value go to the
// u8/s8_vadd kernels (kernels/q8_vadd.cc; Sub is Add with B's scale negated, as XNNPACK does), the rest
// element by element with the same scalar arithmetic.
#include "ops/qlinear_binary.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "kernels/kernel_table.h"
#include "kernels/q8_add.h"
#include "kernels/requantize_fp32.h"
#include "ops/broadcast.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {
namespace {

using kernels::Q8AddParams;

// XNNPACK's quantized MUL: (a − a_zp)·(b − b_zp) requantised in float32 by (sa · sb) / so (computed in float32,
// in that order, as xnn_init_qs8_mul_minmax_scalar_params does).
struct Q8MulParams {
  int32_t a_zero_point = 0, b_zero_point = 0, out_zero_point = 0;
  float scale = 0;
  int32_t qmin = 0, qmax = 255;
};

Q8MulParams make_mul_params(ScalarQuant a, ScalarQuant b, ScalarQuant c, int32_t qmin, int32_t qmax) {
  Q8MulParams p;
  p.a_zero_point = a.zero_point;
  p.b_zero_point = b.zero_point;
  p.out_zero_point = c.zero_point;
  p.scale = kernels::requantization_scale(a.scale, b.scale, c.scale);
  p.qmin = qmin;
  p.qmax = qmax;
  return p;
}

inline int32_t q8_mul(int32_t a, int32_t b, const Q8MulParams& p) {
  return kernels::requantize_fp32((a - p.a_zero_point) * (b - p.b_zero_point), p.scale, p.out_zero_point, p.qmin,
                                  p.qmax);
}

// b_sign −1: A − B.
Q8AddParams make_add_params(ScalarQuant a, ScalarQuant b, float b_sign, ScalarQuant c, int32_t qmin, int32_t qmax) {
  return kernels::make_q8_add_params(a.scale, a.zero_point, b_sign * b.scale, b.zero_point, c.scale, c.zero_point, qmin,
                                     qmax);
}

class QLinearBinaryKernel final : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create_add(const Node& node) { return create(node, false, false); }
  static Result<std::unique_ptr<Kernel>> create_sub(const Node& node) { return create(node, false, true); }
  static Result<std::unique_ptr<Kernel>> create_mul(const Node& node) { return create(node, true, false); }

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    if (in.size() < 7 || in.size() > 8)
      return node.error(
          "expects 7 or 8 inputs (A, A_scale, A_zero_point, B, B_scale, B_zero_point, C_scale, "
          "C_zero_point), got " +
          std::to_string(in.size()));
    for (size_t i : {0, 1, 3, 4, 6})
      if (!in[i].present) return node.error("required input " + std::to_string(i) + " is empty");
    dtype_ = in[0].dtype;
    if (!is_8bit(dtype_)) return node.error("A must be uint8 or int8, got " + std::string(dtype_name(dtype_)));
    if (in[3].dtype != dtype_)
      return node.error("B is " + std::string(dtype_name(in[3].dtype)) + ", A is " + dtype_name(dtype_));
    WEBCNN_TRY(check_scalar_quant_inputs(node, in, 1, 2, dtype_, "A"));
    WEBCNN_TRY(check_scalar_quant_inputs(node, in, 4, 5, dtype_, "B"));
    WEBCNN_TRY(check_scalar_quant_inputs(node, in, 6, 7, dtype_, "C"));
    auto shape = broadcast_shapes(in[0].shape, in[3].shape);
    if (!shape) return shape.status().with_context(node.describe());
    out_shape_ = shape.value();
    loop_.emplace(binary_broadcast_loop(out_shape_, in[0].shape, in[3].shape));
    out[0].dtype = dtype_;
    out[0].shape = out_shape_;
    return Status::ok();
  }

  Status run(const KernelIO& io) override {
    const ScalarQuant qa = read_scalar_quant(io, 1, 2), qb = read_scalar_quant(io, 4, 5),
                      qc = read_scalar_quant(io, 6, 7);
    if (!params_ready_ || qa != qa_ || qb != qb_ || qc != qc_) {
      qa_ = qa;
      qb_ = qb;
      qc_ = qc;
      int32_t lo, hi;
      quantized_clamp_range(act_, dtype_, qc, lo, hi);
      const float b_sign = sub_op_ ? -1.0f : 1.0f;
      add_ = make_add_params(qa, qb, b_sign, qc, lo, hi);
      // B first (a repeated A): B·b_sign + A.
      add_swapped_ = kernels::make_q8_add_params(b_sign * qb.scale, qb.zero_point, qa.scale, qa.zero_point, qc.scale,
                                                 qc.zero_point, lo, hi);
      mul_ = make_mul_params(qa, qb, qc, lo, hi);
      params_ready_ = true;
    }
    if (dtype_ == DataType::kUInt8) compute<uint8_t>(io);
    else compute<int8_t>(io);
    return Status::ok();
  }

 private:
  static Result<std::unique_ptr<Kernel>> create(const Node& node, bool mul, bool sub) {
    auto k = std::make_unique<QLinearBinaryKernel>();
    k->mul_op_ = mul;
    k->sub_op_ = sub;
    WEBCNN_ASSIGN(k->act_, read_quantized_fused_clamp(node));
    return std::unique_ptr<Kernel>(std::move(k));
  }

  template <typename T>
  void compute(const KernelIO& io) const {
    const T* a = io.in[0].as<const T>();
    const T* b = io.in[3].as<const T>();
    T* out = io.out[0].as<T>();
    const kernels::KernelTable& k = kernels::active();
    auto vadd = [&](size_t n, const T* x, const T* y, bool y_scalar, T* o, const Q8AddParams& p) {
      if constexpr (std::is_same_v<T, uint8_t>) k.u8_vadd(n, x, y, y_scalar, o, p);
      else k.s8_vadd(n, x, y, y_scalar, o, p);
    };
    loop_->for_each_row([&](const std::array<int64_t, 3>& off, int64_t n, const std::array<int64_t, 3>& step) {
      const T* pa = a + off[1];
      const T* pb = b + off[2];
      T* po = out + off[0];
      const int64_t sa = step[1], sb = step[2];
      if (!mul_op_) {
        const size_t count = static_cast<size_t>(n);
        if (sa == 1 && sb == 1) return vadd(count, pa, pb, false, po, add_);
        if (sa == 1 && sb == 0) return vadd(count, pa, pb, true, po, add_);
        if (sa == 0 && sb == 1) return vadd(count, pb, pa, true, po, add_swapped_);
        for (int64_t i = 0; i < n; ++i) po[i] = static_cast<T>(kernels::q8_add(pa[i * sa], pb[i * sb], add_));
        return;
      }
      for (int64_t i = 0; i < n; ++i) po[i] = static_cast<T>(q8_mul(pa[i * sa], pb[i * sb], mul_));
    });
  }

  bool mul_op_ = false, sub_op_ = false;
  FusedActivation act_;
  DataType dtype_ = DataType::kUInt8;
  Shape out_shape_;
  std::optional<StridedLoop<3>> loop_;
  bool params_ready_ = false;
  ScalarQuant qa_, qb_, qc_;
  Q8AddParams add_, add_swapped_;
  Q8MulParams mul_;
};

}  // namespace

namespace reference {

Tensor qlinear_binary(bool mul, const Tensor& a, ScalarQuant qa, const Tensor& b, ScalarQuant qb, ScalarQuant qc,
                      int32_t qmin, int32_t qmax, bool sub) {
  const Shape out_shape = broadcast_shapes(a.shape(), b.shape()).value();
  Tensor y(a.dtype(), out_shape);
  auto get = [](const Tensor& t, int64_t i) -> int32_t {
    return t.dtype() == DataType::kInt8 ? t.data<int8_t>()[i] : t.data<uint8_t>()[i];
  };
  const Q8AddParams add = make_add_params(qa, qb, sub ? -1.0f : 1.0f, qc, qmin, qmax);
  const Q8MulParams mp = make_mul_params(qa, qb, qc, qmin, qmax);
  for (int64_t i = 0; i < y.size(); ++i) {
    const int32_t x1 = get(a, broadcast_source_offset(a.shape(), out_shape, i));
    const int32_t x2 = get(b, broadcast_source_offset(b.shape(), out_shape, i));
    const int32_t v = mul ? q8_mul(x1, x2, mp) : kernels::q8_add(x1, x2, add);
    if (y.dtype() == DataType::kInt8) y.data<int8_t>()[i] = static_cast<int8_t>(v);
    else y.data<uint8_t>()[i] = static_cast<uint8_t>(v);
  }
  return y;
}

}  // namespace reference

void register_qlinear_binary_ops(OpRegistry& r) {
  r.add("QLinearAdd", QLinearBinaryKernel::create_add, OpTraits::broadcast());
  r.add("QLinearSub", QLinearBinaryKernel::create_sub, OpTraits::broadcast());
  r.add("QLinearMul", QLinearBinaryKernel::create_mul, OpTraits::broadcast());
}

}  // namespace webcnn
