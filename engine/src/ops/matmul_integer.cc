// MatMulInteger (ONNX): Y int32 = (A - a_zero_point) · (B - b_zero_point), numpy matmul; A and B uint8 or
// int8 (each its own), zero points scalar, or per row of A ([M]) and per column of B ([N]). The naive loop
// is the only path: dynamically quantised MatMuls are rare in CNNs (QLinearMatMul / QGemm are the fast ones).
// Supported shapes: A [..., M, K] with B [K, N], or B with A's batch dimensions.
#include <algorithm>
#include <string>

#include "ops/constant_inputs.h"
#include "ops/kernel.h"
#include "ops/op_families.h"
#include "ops/qlinear_params.h"

namespace webcnn {
namespace {

int32_t load8(const TensorView& v, int64_t i) {
  return v.dtype == DataType::kInt8 ? v.as<const int8_t>()[i] : v.as<const uint8_t>()[i];
}

class MatMulIntegerKernel final : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node&) {
    return std::unique_ptr<Kernel>(new MatMulIntegerKernel());
  }

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 4));
    for (size_t i = 0; i < 2; ++i)
      if (!is_8bit(in[i].dtype))
        return node.error(std::string(i ? "B" : "A") + " must be uint8 or int8, got " + dtype_name(in[i].dtype));
    const Shape &a = in[0].shape, &b = in[1].shape;
    if (a.size() < 2 || b.size() < 2) return node.error("unsupported: MatMulInteger of 1-D operands");
    m_ = a[a.size() - 2];
    k_ = a.back();
    n_ = b.back();
    if (b[b.size() - 2] != k_)
      return node.error("A " + shape_to_string(a) + " and B " + shape_to_string(b) + " do not multiply");
    batch_ = num_elements(a) / std::max<int64_t>(1, m_ * k_);
    b_batched_ = b.size() > 2;
    if (b_batched_ && (b.size() != a.size() || !std::equal(a.begin(), a.end() - 2, b.begin())))
      return node.error("unsupported: B " + shape_to_string(b) + " must be 2-D or have A's batch dimensions " +
                        shape_to_string(a));
    for (size_t z = 2; z < 4; ++z) {
      if (!optional_present(in, z)) continue;
      const int64_t want = z == 2 ? m_ : n_;
      const int64_t count = num_elements(in[z].shape);
      if (in[z].dtype != in[z - 2].dtype)
        return node.error(std::string(z == 2 ? "a" : "b") + "_zero_point must be " + dtype_name(in[z - 2].dtype));
      if (in[z].shape.size() > 1 || (count != 1 && count != want))
        return node.error(std::string(z == 2 ? "a" : "b") + "_zero_point must be a scalar or have " +
                          std::to_string(want) + " values, got shape " + shape_to_string(in[z].shape));
    }
    out[0].dtype = DataType::kInt32;
    out[0].shape = a;
    out[0].shape.back() = n_;
    return Status::ok();
  }

  Status run(const KernelIO& io) override {
    const TensorView &a = io.in[0], &b = io.in[1];
    const bool has_az = io.num_in > 2 && io.in[2].data, has_bz = io.num_in > 3 && io.in[3].data;
    const int64_t az_count = has_az ? io.in[2].size() : 0, bz_count = has_bz ? io.in[3].size() : 0;
    int32_t* y = io.out[0].as<int32_t>();
    for (int64_t t = 0; t < batch_; ++t)
      for (int64_t i = 0; i < m_; ++i) {
        const int32_t az = has_az ? load8(io.in[2], az_count == 1 ? 0 : i) : 0;
        for (int64_t j = 0; j < n_; ++j) {
          const int32_t bz = has_bz ? load8(io.in[3], bz_count == 1 ? 0 : j) : 0;
          int32_t acc = 0;  // |(a - az)(b - bz)| <= 255^2: 2^31 / 65025 terms, far beyond any real K
          for (int64_t p = 0; p < k_; ++p)
            acc +=
                (load8(a, (t * m_ + i) * k_ + p) - az) * (load8(b, (b_batched_ ? t * k_ * n_ : 0) + p * n_ + j) - bz);
          y[(t * m_ + i) * n_ + j] = acc;
        }
      }
    return Status::ok();
  }

 private:
  int64_t batch_ = 1, m_ = 0, k_ = 0, n_ = 0;
  bool b_batched_ = false;
};

}  // namespace

void register_matmul_integer_ops(OpRegistry& r) { r.add("MatMulInteger", MatMulIntegerKernel::create); }

}  // namespace webcnn
