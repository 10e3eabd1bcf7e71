// Softmax / LogSoftmax (see softmax.h).
//
// The tensor is viewed as [outer, n, inner] with n the normalised axis. When inner is 1 (the usual
// last-axis case) each row of n is contiguous: max, exp and sum along the row, then normalise.
// Otherwise (e.g. channels of an NCHW tensor) the inner axis is contiguous, so the passes run over
// n slices of `inner` values each, keeping per-column max and sum in scratch: every load is
// sequential and the vector lanes are columns. Maxima and divisions run on the active kernel table.
// Sums of exp accumulate in double, so a long axis loses no precision; exp itself is std::exp.
#include "ops/softmax.h"

#include <algorithm>
#include <cmath>

#include "kernels/kernel_table.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {
namespace {

// y[i] = y[i] / d[0] (one_divisor) or y[i] / d[i], over n floats.
void divide_in_place(float* y, const float* d, int64_t n, bool one_divisor) {
  using kernels::VBinaryOperands;
  const auto& div = kernels::active().f32_vbinary[static_cast<size_t>(kernels::VBinaryOp::kDiv)];
  div[static_cast<size_t>(one_divisor ? VBinaryOperands::kVectorScalar : VBinaryOperands::kVectorVector)](
      static_cast<size_t>(n), y, d, y);
}

// One contiguous row: y = softmax(x) or log_softmax(x).
void softmax_row(const float* x, float* y, int64_t n, bool log) {
  const float m = kernels::active().f32_softmax_rmax(static_cast<size_t>(n), x);
  double sum = 0;
  if (log) {
    for (int64_t i = 0; i < n; ++i) sum += std::exp(x[i] - m);
    const float log_sum = static_cast<float>(std::log(sum));
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - m) - log_sum;
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    y[i] = std::exp(x[i] - m);
    sum += y[i];
  }
  const float s = static_cast<float>(sum);
  divide_in_place(y, &s, n, /*one_divisor=*/true);
}

// One [n, inner] block normalised along n. `col_max` holds inner floats, `col_sum` inner doubles.
void softmax_columns(const float* x, float* y, int64_t n, int64_t inner, bool log, float* col_max, double* col_sum) {
  std::copy(x, x + inner, col_max);
  for (int64_t k = 1; k < n; ++k) {
    kernels::active().f32_softmax_vmax(static_cast<size_t>(inner), x + k * inner, col_max);
  }
  std::fill(col_sum, col_sum + inner, 0.0);
  for (int64_t k = 0; k < n; ++k) {
    const float* xk = x + k * inner;
    float* yk = y + k * inner;
    for (int64_t j = 0; j < inner; ++j) {
      const float e = std::exp(xk[j] - col_max[j]);
      if (!log) yk[j] = e;
      col_sum[j] += e;
    }
  }
  if (log) {
    for (int64_t j = 0; j < inner; ++j) col_sum[j] = std::log(col_sum[j]);
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < inner; ++j)
        y[k * inner + j] = (x[k * inner + j] - col_max[j]) - static_cast<float>(col_sum[j]);
    return;
  }
  // Reuse col_max for the float sums so the division runs on the vector kernel.
  for (int64_t j = 0; j < inner; ++j) col_max[j] = static_cast<float>(col_sum[j]);
  for (int64_t k = 0; k < n; ++k) divide_in_place(y + k * inner, col_max, inner, /*one_divisor=*/false);
}

class SoftmaxKernel : public Kernel {
 public:
  SoftmaxKernel(bool log, int64_t axis) : log_(log), axis_attr_(axis) {}

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    WEBCNN_TRY(expect_dtype(node, in[0], DataType::kFloat32, "input"));
    const Shape& shape = in[0].shape;
    const int64_t rank = static_cast<int64_t>(shape.size());
    if (rank == 0) return node.error("input must have at least one axis, got a scalar");
    if (axis_attr_ < -rank || axis_attr_ >= rank)
      return node.error("axis " + std::to_string(axis_attr_) + " is out of range for input of shape " +
                        shape_to_string(shape));
    const size_t axis = static_cast<size_t>(axis_attr_ < 0 ? axis_attr_ + rank : axis_attr_);
    outer_ = 1;
    inner_ = 1;
    for (size_t i = 0; i < axis; ++i) outer_ *= shape[i];
    for (size_t i = axis + 1; i < shape.size(); ++i) inner_ *= shape[i];
    n_ = shape[axis];
    out[0].dtype = DataType::kFloat32;
    out[0].shape = shape;
    return Status::ok();
  }

  size_t scratch_bytes() const override {
    return inner_ > 1 ? static_cast<size_t>(inner_) * (sizeof(float) + sizeof(double)) : 0;
  }

  Status run(const KernelIO& io) override {
    const float* x = io.in[0].as<const float>();
    float* y = io.out[0].as<float>();
    if (n_ == 0) return Status::ok();
    if (inner_ == 1) {
      for (int64_t o = 0; o < outer_; ++o) softmax_row(x + o * n_, y + o * n_, n_, log_);
      return Status::ok();
    }
    double* col_sum = static_cast<double*>(io.scratch);  // scratch is 64-byte aligned
    float* col_max = reinterpret_cast<float*>(col_sum + inner_);
    for (int64_t o = 0; o < outer_; ++o)
      softmax_columns(x + o * n_ * inner_, y + o * n_ * inner_, n_, inner_, log_, col_max, col_sum);
    return Status::ok();
  }

 private:
  bool log_;
  int64_t axis_attr_;
  int64_t outer_ = 1, n_ = 1, inner_ = 1;
};

template <bool kLog>
Result<std::unique_ptr<Kernel>> create_softmax(const Node& node) {
  WEBCNN_ASSIGN(int64_t axis, node.attr_int("axis", -1));
  return std::unique_ptr<Kernel>(new SoftmaxKernel(kLog, axis));
}

}  // namespace

namespace reference {

Result<Tensor> softmax(const Tensor& x, int64_t axis, bool log) {
  const int64_t rank = x.rank();
  if (axis < -rank || axis >= rank) return Status::error("reference::softmax: axis out of range");
  const size_t a = static_cast<size_t>(axis < 0 ? axis + rank : axis);
  int64_t outer = 1, inner = 1;
  for (size_t i = 0; i < a; ++i) outer *= x.shape()[i];
  for (size_t i = a + 1; i < x.shape().size(); ++i) inner *= x.shape()[i];
  const int64_t n = x.shape()[a];
  Tensor y(DataType::kFloat32, x.shape());
  const float* px = x.data<float>();
  float* py = y.data<float>();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      auto at = [&](int64_t k) { return o * n * inner + k * inner + j; };
      double m = -INFINITY, sum = 0;
      for (int64_t k = 0; k < n; ++k) m = std::max(m, static_cast<double>(px[at(k)]));
      for (int64_t k = 0; k < n; ++k) sum += std::exp(px[at(k)] - m);
      for (int64_t k = 0; k < n; ++k)
        py[at(k)] = static_cast<float>(log ? px[at(k)] - m - std::log(sum) : std::exp(px[at(k)] - m) / sum);
    }
  return y;
}

}  // namespace reference

void register_softmax_ops(OpRegistry& r) {
  r.add("Softmax", create_softmax<false>);
  r.add("LogSoftmax", create_softmax<true>);
}

}  // namespace webcnn
