// QGemm (com.microsoft: A, a_scale, a_zp, B, b_scale, b_zp, [C int32], y_scale, y_zp; transA/transB;
// a Relu/Clip `fused_activation`) and QLinearMatMul (ONNX: a, a_scale, a_zp, b, b_scale, b_zp, y_scale,
// y_zp) on the 8-bit GEMM (kernels/q8_gemm.h). B is a constant matrix packed once at prepare with its
// per-column zero points, the int32 C as the bias and the per-column requantisation; A (any leading batch
// dims for QLinearMatMul) is widened to int16 in tiles of rows, one task per tile across the threads.
// QGemm's 8-bit output only (without y_scale com.microsoft's QGemm outputs float: refused), alpha = 1,
// C a per-column bias ([N], [1, N] or one value).
#include <algorithm>

#include "core/thread_pool.h"
#include "kernels/q8_gemm.h"
#include "ops/conv_geometry.h"
#include "ops/kernel.h"
#include "ops/op_families.h"
#include "ops/parallel_gemm.h"
#include "ops/qlinear_conv_params.h"

namespace webcnn {

namespace {

using conv_geometry::align_up;

struct Layout {
  size_t c = 0, y_scale = 0, y_zp = 0;  // input indices (c = 0: no C input)
};

class QuantizedGemmKernel : public Kernel {
 public:
  QuantizedGemmKernel(bool gemm, bool trans_a, bool trans_b, FusedActivation act)
      : gemm_(gemm), trans_a_(trans_a), trans_b_(trans_b), act_(act) {
    io_ = gemm ? Layout{6, 7, 8} : Layout{0, 6, 7};
  }

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, gemm_ ? 6 : 8, gemm_ ? 9 : 8));
    if (io_.y_scale >= in.size() || !in[io_.y_scale].present)
      return node.error("unsupported: QGemm without y_scale (a float32 output)");
    WEBCNN_TRY(qlinear::expect_8bit(node, in[0], "A"));
    WEBCNN_TRY(qlinear::expect_8bit(node, in[3], "B"));
    WEBCNN_TRY(qlinear::expect_8bit(node, in[io_.y_zp], "y_zero_point"));
    const Shape& as = in[0].shape;
    const Shape& bs = in[3].shape;
    if (bs.size() != 2) return node.error("unsupported: B of rank " + std::to_string(bs.size()) + " (only a matrix)");
    if (gemm_ ? as.size() != 2 : as.size() < 2)
      return node.error(std::string("A must be ") + (gemm_ ? "a matrix" : "of rank ≥ 2") + ", got " +
                        shape_to_string(as));
    m_ = trans_a_ ? as[1] : as[as.size() - 2];
    k_ = trans_a_ ? as[0] : as.back();
    n_ = trans_b_ ? bs[0] : bs[1];
    const int64_t kb = trans_b_ ? bs[1] : bs[0];
    if (k_ != kb) return node.error("inner dimensions differ: A " + shape_to_string(as) + ", B " + shape_to_string(bs));
    Shape y(as.begin(), as.end() - 1);
    y.back() = m_;
    y.push_back(n_);
    WEBCNN_TRY(checked_num_elements(y).status());
    rows_ = num_elements(y) / std::max<int64_t>(n_, 1);
    out[0].dtype = in[io_.y_zp].dtype;
    out[0].shape = y;

    WEBCNN_ASSIGN(std::vector<float> a_scale, qlinear::read_scale(node, in[1], "a_scale", 0));
    WEBCNN_ASSIGN(std::vector<float> b_scale, qlinear::read_scale(node, in[4], "b_scale", n_));
    WEBCNN_ASSIGN(std::vector<float> y_scale, qlinear::read_scale(node, in[io_.y_scale], "y_scale", 0));
    WEBCNN_ASSIGN(std::vector<int32_t> a_zp, qlinear::read_zero_point(node, in, 2, in[0].dtype, "a_zero_point", 0));
    WEBCNN_ASSIGN(std::vector<int32_t> b_zp, qlinear::read_zero_point(node, in, 5, in[3].dtype, "b_zero_point", n_));
    WEBCNN_ASSIGN(std::vector<int32_t> y_zp,
                  qlinear::read_zero_point(node, in, io_.y_zp, out[0].dtype, "y_zero_point", 0));
    if (!in[3].constant) return node.error("unsupported: B computed at run time (8-bit weights are packed at load)");
    const int32_t* bias = nullptr;
    int64_t bias_count = 0;
    if (io_.c != 0 && io_.c < in.size() && in[io_.c].present) {
      const ValueInfo& c = in[io_.c];
      WEBCNN_TRY(expect_dtype(node, c, DataType::kInt32, "C"));
      bias_count = num_elements(c.shape);
      const bool row = c.shape.size() <= 1 || (c.shape.size() == 2 && c.shape[0] == 1);
      if (!c.constant || !row || (bias_count != 1 && bias_count != n_))
        return node.error("C " + shape_to_string(c.shape) + " must be a constant int32 bias of [" + std::to_string(n_) +
                          "] or one value");
      bias = c.constant->data<int32_t>();
    }
    a_in_.zero_point = a_zp[0];
    a_in_.is_signed = in[0].dtype == DataType::kInt8;
    WEBCNN_ASSIGN(y_out_, qlinear::output_range(node, act_, out[0].dtype, y_scale[0], y_zp[0]));
    const std::vector<float> scale = qlinear::requantization_scales(a_scale[0], b_scale, y_scale[0], n_);

    const size_t words = kernels::q8_gemm_packed_words(static_cast<size_t>(k_), static_cast<size_t>(n_));
    if (words > static_cast<size_t>(kMaxElements)) return node.error("B is too large to pack");
    const void* b = in[3].constant->raw();
    const DataType b_type = in[3].dtype;
    const size_t row_stride = trans_b_ ? 1 : static_cast<size_t>(n_),
                 col_stride = trans_b_ ? static_cast<size_t>(k_) : 1;
    // The packed panels hold B − zero point, the bias and the requantisation scales: every constant input
    // (all but A) and the dtypes that decide absent zero points go into the key.
    const auto key = [&] {
      PackingKey key("q8.gemm");
      key.add(k_).add(n_).add(trans_b_).add(static_cast<int64_t>(in[0].dtype)).add(static_cast<int64_t>(out[0].dtype));
      for (size_t i = 1; i < in.size(); ++i) key.add(in[i].present ? in[i].constant : nullptr);
      return key;
    };
    packed_ = pack_weights<int32_t>(key, words, [&](int32_t* p) {
      kernels::q8_gemm_pack_b_with(
          static_cast<size_t>(k_), static_cast<size_t>(n_), b_type == DataType::kInt8, a_in_.zero_point,
          [&](size_t kk, size_t j) { return qlinear::q8_value(b, kk * row_stride + j * col_stride, b_type); },
          [&](size_t j) { return b_zp[b_zp.size() == 1 ? 0 : j]; },
          [&](size_t j) { return bias ? bias[bias_count == 1 ? 0 : j] : 0; }, [&](size_t j) { return scale[j]; }, p);
    });

    kp_ = kernels::q8_gemm_kp(static_cast<size_t>(k_));
    threads_ = ThreadPool::global().size();
    tile_ = std::max<int64_t>(kernels::kQ8GemmMR, (int64_t{64} << 10) / static_cast<int64_t>(2 * kp_) /
                                                      static_cast<int64_t>(kernels::kQ8GemmMR) *
                                                      static_cast<int64_t>(kernels::kQ8GemmMR));
    tile_ = std::min(tile_, std::max<int64_t>(rows_, 1));
    scratch_ = static_cast<size_t>(threads_) * tile_bytes();
    return Status::ok();
  }

  size_t scratch_bytes() const override { return scratch_; }
  bool reads_constant_input_at_run(size_t i) const override { return i == 0; }

  Status run(const KernelIO& io) override {
    const uint8_t* a = static_cast<const uint8_t*>(io.in[0].data);
    uint8_t* y = static_cast<uint8_t*>(io.out[0].data);
    char* buffers = static_cast<char*>(io.scratch);
    const int64_t tiles = (rows_ + tile_ - 1) / tile_;
    const size_t threads =
        static_cast<uint64_t>(rows_ * n_ * k_) < kMinParallelMacs ? 1 : static_cast<size_t>(threads_);
    ThreadPool::global().parallel_for(static_cast<size_t>(tiles), threads, [&](size_t task, size_t thread) {
      int16_t* tile = reinterpret_cast<int16_t*>(buffers + thread * tile_bytes());
      const int64_t r0 = static_cast<int64_t>(task) * tile_, r1 = std::min(rows_, r0 + tile_);
      const size_t count = static_cast<size_t>(r1 - r0), k = static_cast<size_t>(k_);
      if (!trans_a_) {
        kernels::q8_widen_rows(count, k, a + static_cast<size_t>(r0) * k, k, a_in_, tile, kp_);
      } else {  // A is [K, M]: row i of op(A) is column i
        for (size_t i = 0; i < count; ++i) {
          int16_t* row = tile + i * kp_;
          for (size_t kk = 0; kk < k; ++kk)  // the zero point is folded into the packed bias
            row[kk] =
                static_cast<int16_t>(qlinear::q8_value(a, kk * static_cast<size_t>(m_) + static_cast<size_t>(r0) + i,
                                                       a_in_.is_signed ? DataType::kInt8 : DataType::kUInt8));
          if (k & 1) row[k] = 0;
        }
      }
      kernels::q8_gemm(count, static_cast<size_t>(n_), k, tile, kp_, packed_.data(),
                       y + static_cast<size_t>(r0) * static_cast<size_t>(n_), static_cast<size_t>(n_), y_out_);
    });
    return Status::ok();
  }

 private:
  size_t tile_bytes() const { return align_up(static_cast<size_t>(tile_) * kp_ * sizeof(int16_t)); }

  bool gemm_, trans_a_, trans_b_;
  FusedActivation act_;
  Layout io_;
  int64_t m_ = 0, n_ = 0, k_ = 0, rows_ = 0, tile_ = 1, threads_ = 1;
  size_t kp_ = 2, scratch_ = 0;
  kernels::Q8Input a_in_;
  kernels::Q8Output y_out_;
  PackedBuffer<int32_t> packed_;  // shared between plans
};

Result<std::unique_ptr<Kernel>> create_qgemm(const Node& node) {
  WEBCNN_ASSIGN(FusedActivation act, fused_activation_from_node(node));
  WEBCNN_ASSIGN(float alpha, node.attr_float("alpha", 1.0f));
  WEBCNN_ASSIGN(int64_t trans_a, node.attr_int("transA", 0));
  WEBCNN_ASSIGN(int64_t trans_b, node.attr_int("transB", 0));
  if (alpha != 1.0f) return node.error("unsupported: alpha " + std::to_string(alpha) + " (only 1)");
  return std::unique_ptr<Kernel>(new QuantizedGemmKernel(true, trans_a != 0, trans_b != 0, act));
}

Result<std::unique_ptr<Kernel>> create_qlinear_matmul(const Node& node) {
  WEBCNN_ASSIGN(FusedActivation act, fused_activation_from_node(node));
  return std::unique_ptr<Kernel>(new QuantizedGemmKernel(false, false, false, act));
}

// Multiply-accumulates: every output element takes K of them (K from B, input 3).
int64_t qlinear_gemm_macs(const Node& n, const Graph& g) {
  if (n.inputs.size() < 4 || n.inputs[3] == kNoValue) return 0;
  const Shape& b = g.value(n.inputs[3]).shape;
  if (b.size() != 2) return 0;
  int64_t trans_b = 0;
  if (auto t = n.attr_int("transB", 0); t.is_ok()) trans_b = *t;
  return (trans_b ? b[1] : b[0]) * num_elements(g.value(n.outputs[0]).shape);
}

}  // namespace

void register_qlinear_gemm_ops(OpRegistry& r) {
  r.add("QGemm", create_qgemm, OpTraits().with_macs(qlinear_gemm_macs));
  r.add("QLinearMatMul", create_qlinear_matmul, OpTraits().with_macs(qlinear_gemm_macs));
}

}  // namespace webcnn
