// MatMul and Gemm on the packed GEMM (kernels/gemm.h). B is packed once at prepare when it is constant
// (the usual weights case), otherwise at run into scratch. Each product is split over the engine's threads
// (ops/parallel_gemm.h); packing, transposing A and adding a full C stay on the calling thread.
#include "ops/matmul.h"

#include <algorithm>
#include <cstring>

#include "kernels/gemm.h"
#include "ops/kernel.h"
#include "ops/op_families.h"
#include "ops/parallel_gemm.h"

namespace webcnn {

namespace {

size_t align_up(size_t bytes) { return (bytes + 63) / 64 * 64; }

// Which matrix of a broadcast operand the output's matrix `index` reads: `dims` are the operand's batch
// dims padded with leading 1s to the rank of `out_dims`; an extent-1 dim always reads coordinate 0.
int64_t broadcast_source(int64_t index, const Shape& dims, const Shape& out_dims) {
  int64_t src = 0, stride = 1;
  for (size_t d = out_dims.size(); d-- > 0;) {
    const int64_t coord = index % out_dims[d];
    index /= out_dims[d];
    if (dims[d] != 1) src += coord * stride;
    stride *= dims[d];
  }
  return src;
}

class MatMulKernel : public Kernel {
 public:
  explicit MatMulKernel(FusedActivation act) : act_(act) {}

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 2));
    WEBCNN_TRY(expect_dtype(node, in[0], DataType::kFloat32, "A"));
    WEBCNN_TRY(expect_dtype(node, in[1], DataType::kFloat32, "B"));
    const Shape& as = in[0].shape;
    const Shape& bs = in[1].shape;
    if (as.empty() || bs.empty())
      return node.error("MatMul inputs must have rank ≥ 1, got " + shape_to_string(as) + " and " + shape_to_string(bs));
    m_ = as.size() == 1 ? 1 : as[as.size() - 2];
    k_ = as.back();
    const int64_t kb = bs.size() == 1 ? bs[0] : bs[bs.size() - 2];
    n_ = bs.size() == 1 ? 1 : bs.back();
    if (k_ != kb) return node.error("inner dimensions differ: A " + shape_to_string(as) + ", B " + shape_to_string(bs));
    Shape a_batch(as.begin(), as.end() - std::min<size_t>(2, as.size()));
    Shape b_batch(bs.begin(), bs.end() - std::min<size_t>(2, bs.size()));
    Shape batch(std::max(a_batch.size(), b_batch.size()), 1);
    for (size_t i = 0; i < batch.size(); ++i) {
      const size_t ai = i + a_batch.size(), bi = i + b_batch.size();
      const int64_t da = ai >= batch.size() ? a_batch[ai - batch.size()] : 1;
      const int64_t db = bi >= batch.size() ? b_batch[bi - batch.size()] : 1;
      if (da != db && da != 1 && db != 1)
        return node.error("batch dimensions do not broadcast: A " + shape_to_string(as) + ", B " + shape_to_string(bs));
      batch[i] = da == 1 ? db : da;
    }
    Shape y = batch;
    if (as.size() > 1) y.push_back(m_);
    if (bs.size() > 1) y.push_back(n_);
    WEBCNN_TRY(checked_num_elements(y).status());
    out[0].dtype = DataType::kFloat32;
    out[0].shape = y;

    a_batch_ = Shape(batch.size() - a_batch.size(), 1);
    a_batch_.insert(a_batch_.end(), a_batch.begin(), a_batch.end());
    b_batch_ = Shape(batch.size() - b_batch.size(), 1);
    b_batch_.insert(b_batch_.end(), b_batch.begin(), b_batch.end());
    batch_ = batch;
    b_count_ = num_elements(b_batch);
    panel_floats_ = kernels::gemm_packed_b_floats(k_, n_);
    if (panel_floats_ > static_cast<size_t>(kMaxElements) / static_cast<size_t>(std::max<int64_t>(1, b_count_)))
      return node.error("B " + shape_to_string(bs) + " is too large to pack");
    packed_.clear();
    if (in[1].constant) {
      packed_ = pack_weights<float>(
          [&] { return PackingKey("matmul.gemm").add(k_).add(n_).add(b_count_).add(in[1].constant); },
          panel_floats_ * static_cast<size_t>(b_count_),
          [&](float* p) {
            for (int64_t i = 0; i < b_count_; ++i)
              kernels::gemm_pack_b(k_, n_, in[1].constant->data<float>() + i * k_ * n_, n_, 1, nullptr,
                                   p + i * panel_floats_);
          });
    }
    scratch_ = packed_.empty() ? align_up(panel_floats_ * sizeof(float)) : 0;
    return Status::ok();
  }

  size_t scratch_bytes() const override { return scratch_; }
  bool reads_constant_input_at_run(size_t i) const override { return i != 1 || packed_.empty(); }

  Status run(const KernelIO& io) override {
    const float* a = io.in[0].as<const float>();
    const float* b = io.in[1].as<const float>();
    float* y = io.out[0].as<float>();
    float* scratch_packed = static_cast<float*>(io.scratch);
    int64_t packed_index = -1;  // which B matrix scratch holds
    const int64_t batches = num_elements(batch_);
    for (int64_t i = 0; i < batches; ++i) {
      const int64_t bi = broadcast_source(i, b_batch_, batch_);
      const float* packed;
      if (!packed_.empty()) {
        packed = packed_.data() + bi * panel_floats_;
      } else {
        if (bi != packed_index) kernels::gemm_pack_b(k_, n_, b + bi * k_ * n_, n_, 1, nullptr, scratch_packed);
        packed_index = bi;
        packed = scratch_packed;
      }
      parallel_gemm_f32(m_, n_, k_, a + broadcast_source(i, a_batch_, batch_) * m_ * k_, k_, packed, y + i * m_ * n_,
                        n_, act_, ThreadPool::max_threads());
    }
    return Status::ok();
  }

 private:
  FusedActivation act_;
  int64_t m_ = 0, n_ = 0, k_ = 0, b_count_ = 0;
  Shape batch_, a_batch_, b_batch_;  // the output's batch dims; A's and B's padded to the same rank
  size_t panel_floats_ = 0, scratch_ = 0;
  PackedBuffer<float> packed_;  // shared between plans
};

// Gemm: alpha is folded into packed B; beta·C joins the panels' bias when C is the same for every row
// ([N], [1, N], scalar), otherwise it is added after the product (and the activation applied after that).
class GemmKernel : public Kernel {
 public:
  GemmKernel(FusedActivation act, float alpha, float beta, bool trans_a, bool trans_b)
      : act_(act), alpha_(alpha), beta_(beta), trans_a_(trans_a), trans_b_(trans_b) {}

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 3));
    WEBCNN_TRY(expect_dtype(node, in[0], DataType::kFloat32, "A"));
    WEBCNN_TRY(expect_dtype(node, in[1], DataType::kFloat32, "B"));
    const Shape& as = in[0].shape;
    const Shape& bs = in[1].shape;
    if (as.size() != 2 || bs.size() != 2)
      return node.error("A and B must be matrices, got " + shape_to_string(as) + " and " + shape_to_string(bs));
    m_ = trans_a_ ? as[1] : as[0];
    k_ = trans_a_ ? as[0] : as[1];
    n_ = trans_b_ ? bs[0] : bs[1];
    const int64_t kb = trans_b_ ? bs[1] : bs[0];
    if (k_ != kb)
      return node.error("inner dimensions differ: op(A) is " + std::to_string(m_) + "×" + std::to_string(k_) +
                        ", op(B) is " + std::to_string(kb) + "×" + std::to_string(n_));
    has_c_ = in.size() > 2 && in[2].present;
    c_rows_ = c_cols_ = 1;
    if (has_c_) {
      WEBCNN_TRY(expect_dtype(node, in[2], DataType::kFloat32, "C"));
      const Shape& cs = in[2].shape;
      if (cs.size() > 2) return node.error("C must have rank ≤ 2, got " + shape_to_string(cs));
      c_cols_ = cs.empty() ? 1 : cs.back();
      c_rows_ = cs.size() == 2 ? cs[0] : 1;
      if ((c_rows_ != 1 && c_rows_ != m_) || (c_cols_ != 1 && c_cols_ != n_))
        return node.error("C " + shape_to_string(cs) + " does not broadcast to [" + std::to_string(m_) + "," +
                          std::to_string(n_) + "]");
    }
    out[0].dtype = DataType::kFloat32;
    out[0].shape = {m_, n_};
    WEBCNN_TRY(checked_num_elements(out[0].shape).status());

    c_is_bias_ = !has_c_ || c_rows_ == 1;
    packed_floats_ = kernels::gemm_packed_b_floats(k_, n_);
    if (packed_floats_ > static_cast<size_t>(kMaxElements)) return node.error("B is too large to pack");
    packed_.clear();
    if (in[1].constant && (!has_c_ || !c_is_bias_ || in[2].constant)) {
      const Tensor* c = has_c_ && c_is_bias_ ? in[2].constant : nullptr;
      packed_ = pack_weights<float>(
          [&] {
            int32_t alpha_bits, beta_bits;
            std::memcpy(&alpha_bits, &alpha_, sizeof alpha_bits);
            std::memcpy(&beta_bits, &beta_, sizeof beta_bits);
            return PackingKey("gemm")
                .add(k_)
                .add(n_)
                .add(trans_b_)
                .add(alpha_bits)
                .add(beta_bits)
                .add(c_cols_)
                .add(in[1].constant)
                .add(c);
          },
          packed_floats_,
          [&](float* p) {
            std::vector<float> bias_row(n_);
            pack(in[1].constant->data<float>(), c ? c->data<float>() : nullptr, bias_row.data(), p);
          });
    }
    scratch_ = (packed_.empty() ? align_up(packed_floats_ * sizeof(float)) + align_up(n_ * sizeof(float)) : 0) +
               (trans_a_ ? align_up(static_cast<size_t>(m_ * k_) * sizeof(float)) : 0);
    return Status::ok();
  }

  size_t scratch_bytes() const override { return scratch_; }
  // B (and a bias-row C) packed at prepare is never read again; a full C matrix is.
  bool reads_constant_input_at_run(size_t i) const override {
    return i == 0 || packed_.empty() || (i == 2 && !c_is_bias_);
  }

  Status run(const KernelIO& io) override {
    const float* a = io.in[0].as<const float>();
    const float* b = io.in[1].as<const float>();
    const float* c = has_c_ && io.num_in > 2 ? io.in[2].as<const float>() : nullptr;
    float* y = io.out[0].as<float>();
    char* scratch = static_cast<char*>(io.scratch);
    const float* packed = packed_.data();
    if (packed_.empty()) {
      float* p = reinterpret_cast<float*>(scratch);
      float* bias_row = p + align_up(packed_floats_ * sizeof(float)) / sizeof(float);
      scratch += align_up(packed_floats_ * sizeof(float)) + align_up(n_ * sizeof(float));
      pack(b, c, bias_row, p);
      packed = p;
    }
    if (trans_a_) {  // the microkernel reads A by rows
      float* at = reinterpret_cast<float*>(scratch);
      for (int64_t i = 0; i < m_; ++i)
        for (int64_t kk = 0; kk < k_; ++kk) at[i * k_ + kk] = a[kk * m_ + i];
      a = at;
    }
    if (c_is_bias_) {
      parallel_gemm_f32(m_, n_, k_, a, k_, packed, y, n_, act_, ThreadPool::max_threads());
      return Status::ok();
    }
    parallel_gemm_f32(m_, n_, k_, a, k_, packed, y, n_, FusedActivation{}, ThreadPool::max_threads());
    for (int64_t i = 0; i < m_; ++i) {
      float* row = y + i * n_;
      const float* c_row = c + (c_rows_ == 1 ? 0 : i) * c_cols_;
      for (int64_t j = 0; j < n_; ++j) row[j] += beta_ * c_row[c_cols_ == 1 ? 0 : j];
      act_.apply_inplace(row, n_);
    }
    return Status::ok();
  }

 private:
  // Packs alpha·op(B) and, when C is a per-column bias, beta·C (staged in bias_row, n_ floats).
  void pack(const float* b, const float* c, float* bias_row, float* packed) const {
    const bool fuse_c = has_c_ && c_is_bias_;
    if (fuse_c)
      for (int64_t j = 0; j < n_; ++j) bias_row[j] = beta_ * c[c_cols_ == 1 ? 0 : j];
    const size_t row_stride = trans_b_ ? 1 : n_, col_stride = trans_b_ ? k_ : 1;
    const float alpha = alpha_;
    if (alpha == 1.0f) {  // the usual case: a plain strided copy
      kernels::gemm_pack_b(k_, n_, b, row_stride, col_stride, fuse_c ? bias_row : nullptr, packed);
      return;
    }
    kernels::gemm_pack_b_with(
        k_, n_, [&](size_t kk, size_t j) { return alpha * b[kk * row_stride + j * col_stride]; },
        fuse_c ? bias_row : nullptr, packed);
  }

  FusedActivation act_;
  float alpha_, beta_;
  bool trans_a_, trans_b_;
  bool has_c_ = false, c_is_bias_ = true;
  int64_t m_ = 0, n_ = 0, k_ = 0, c_rows_ = 1, c_cols_ = 1;
  size_t packed_floats_ = 0, scratch_ = 0;
  PackedBuffer<float> packed_;  // shared between plans
};

Result<std::unique_ptr<Kernel>> create_matmul(const Node& node) {
  WEBCNN_ASSIGN(FusedActivation act, fused_activation_from_node(node));
  return std::unique_ptr<Kernel>(new MatMulKernel(act));
}

Result<std::unique_ptr<Kernel>> create_gemm(const Node& node) {
  WEBCNN_ASSIGN(FusedActivation act, fused_activation_from_node(node));
  WEBCNN_ASSIGN(float alpha, node.attr_float("alpha", 1.0f));
  WEBCNN_ASSIGN(float beta, node.attr_float("beta", 1.0f));
  WEBCNN_ASSIGN(int64_t trans_a, node.attr_int("transA", 0));
  WEBCNN_ASSIGN(int64_t trans_b, node.attr_int("transB", 0));
  return std::unique_ptr<Kernel>(new GemmKernel(act, alpha, beta, trans_a != 0, trans_b != 0));
}

// Each output element takes K multiply-adds, K the inner dimension of A (its first with Gemm's transA).
int64_t matmul_macs(const Node& n, const Graph& g) {
  if (n.inputs.size() < 2) return 0;
  const Shape& a = g.value(n.inputs[0]).shape;
  if (a.empty()) return 0;
  int64_t k = a.back();
  if (n.op == "Gemm") {
    Result<int64_t> trans_a = n.attr_int("transA", 0);  // validated by create(); malformed counts as 0
    if (trans_a.is_ok() && *trans_a != 0) k = a[0];
  }
  return num_elements(g.value(n.outputs[0]).shape) * k;
}

}  // namespace

void register_gemm_ops(OpRegistry& r) {
  r.add("MatMul", create_matmul, OpTraits().with_fused_activation().with_macs(matmul_macs));
  r.add("Gemm", create_gemm, OpTraits().with_fused_activation().with_macs(matmul_macs));
}

// ---------------------------------------------------------------------------------------------------------
namespace reference {

void matmul(const float* a, const Shape& as, const float* b, const Shape& bs, float* y, const Shape& ys,
            const FusedActivation& act) {
  // Promote 1-D operands to matrices, then pad both batch shapes to the output's batch rank.
  Shape a2 = as, b2 = bs;
  if (a2.size() == 1) a2.insert(a2.begin(), 1);
  if (b2.size() == 1) b2.push_back(1);
  const int64_t m = a2[a2.size() - 2], k = a2.back(), n = b2.back();
  const size_t batch_rank = std::max(a2.size(), b2.size()) - 2;
  Shape ab(batch_rank, 1), bb(batch_rank, 1), yb(batch_rank, 1);
  for (size_t i = 0; i < a2.size() - 2; ++i) ab[batch_rank - (a2.size() - 2) + i] = a2[i];
  for (size_t i = 0; i < b2.size() - 2; ++i) bb[batch_rank - (b2.size() - 2) + i] = b2[i];
  for (size_t i = 0; i < batch_rank; ++i) yb[i] = std::max(ab[i], bb[i]);
  const int64_t batches = num_elements(yb);
  for (int64_t t = 0; t < batches; ++t) {
    // Decompose t into coordinates; a broadcast dim (extent 1) reads coordinate 0.
    int64_t rest = t, a_off = 0, b_off = 0, a_mul = 1, b_mul = 1;
    for (size_t d = batch_rank; d-- > 0;) {
      const int64_t coord = rest % yb[d];
      rest /= yb[d];
      a_off += (ab[d] == 1 ? 0 : coord) * a_mul;
      b_off += (bb[d] == 1 ? 0 : coord) * b_mul;
      a_mul *= ab[d];
      b_mul *= bb[d];
    }
    const float* am = a + a_off * m * k;
    const float* bm = b + b_off * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t kk = 0; kk < k; ++kk) sum += double(am[i * k + kk]) * double(bm[kk * n + j]);
        y[(t * m + i) * n + j] = act.apply(static_cast<float>(sum));
      }
  }
}

void gemm(const float* a, const Shape& as, bool trans_a, const float* b, const Shape& bs, bool trans_b, const float* c,
          const Shape& cs, float alpha, float beta, float* y, const FusedActivation& act) {
  const int64_t m = trans_a ? as[1] : as[0], k = trans_a ? as[0] : as[1], n = trans_b ? bs[0] : bs[1];
  const int64_t c_rows = cs.size() == 2 ? cs[0] : 1, c_cols = cs.empty() ? 1 : cs.back();
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t kk = 0; kk < k; ++kk) {
        const float av = trans_a ? a[kk * m + i] : a[i * k + kk];
        const float bv = trans_b ? b[j * k + kk] : b[kk * n + j];
        sum += double(av) * double(bv);
      }
      double v = alpha * sum;
      if (c) v += double(beta) * c[(c_rows == 1 ? 0 : i) * c_cols + (c_cols == 1 ? 0 : j)];
      y[i * n + j] = act.apply(static_cast<float>(v));
    }
}

}  // namespace reference

}  // namespace webcnn
