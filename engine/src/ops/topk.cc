#include "ops/topk.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "ops/dtype_dispatch.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

namespace reference {

void topk(const TensorView& x, int64_t outer, int64_t n, int64_t inner, int64_t k, bool largest,
          const TensorView& values, const TensorView& indices, int64_t* order_scratch) {
  int64_t* order = order_scratch;
  dispatch_dtype(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* src = x.as<T>();
    T* vals = values.as<T>();
    int64_t* idx = indices.as<int64_t>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const T* row = src + o * n * inner + i;
        auto at = [&](int64_t j) { return row[j * inner]; };
        auto better = [&](int64_t a, int64_t b) {
          T va = at(a), vb = at(b);
          if (va != vb) return largest ? va > vb : va < vb;
          return a < b;
        };
        std::iota(order, order + n, int64_t{0});
        std::partial_sort(order, order + k, order + n, better);
        for (int64_t j = 0; j < k; ++j) {
          int64_t dst = o * k * inner + j * inner + i;
          vals[dst] = at(order[j]);
          idx[dst] = order[j];
        }
      }
    return 0;
  });
}

void arg_extreme(const TensorView& x, int64_t outer, int64_t n, int64_t inner, bool max, bool last,
                 const TensorView& out) {
  dispatch_dtype(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* src = x.as<T>();
    int64_t* dst = out.as<int64_t>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const T* row = src + o * n * inner + i;
        int64_t best = 0;
        for (int64_t j = 1; j < n; ++j) {
          T v = row[j * inner], b = row[best * inner];
          bool wins = max ? (last ? v >= b : v > b) : (last ? v <= b : v < b);
          if (wins) best = j;
        }
        dst[o * inner + i] = best;
      }
    return 0;
  });
}

}  // namespace reference

namespace {

// Splits `shape` around `axis` into [outer, n, inner]; normalises axis.
Status split_at_axis(const Node& node, const Shape& shape, int64_t& axis, int64_t& outer, int64_t& n, int64_t& inner) {
  int64_t rank = static_cast<int64_t>(shape.size());
  if (axis < -rank || axis >= rank)
    return node.error("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  if (axis < 0) axis += rank;
  outer = inner = 1;
  for (int64_t a = 0; a < axis; ++a) outer *= shape[static_cast<size_t>(a)];
  for (int64_t a = axis + 1; a < rank; ++a) inner *= shape[static_cast<size_t>(a)];
  n = shape[static_cast<size_t>(axis)];
  return Status::ok();
}

class TopKKernel : public Kernel {
 public:
  Status init(const Node& node) {
    WEBCNN_ASSIGN(axis_, node.attr_int("axis", -1));
    WEBCNN_ASSIGN(int64_t largest, node.attr_int("largest", 1));
    WEBCNN_ASSIGN(int64_t sorted, node.attr_int("sorted", 1));
    largest_ = largest != 0;
    (void)sorted;  // results are always sorted, which satisfies sorted = 0 too
    return Status::ok();
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 2));
    if (in[0].dtype != DataType::kFloat32 && in[0].dtype != DataType::kInt32 && in[0].dtype != DataType::kInt64)
      return node.error(std::string("X must be float32 or an integer type, got ") + dtype_name(in[0].dtype));
    if (!in[1].constant || in[1].dtype != DataType::kInt64 || in[1].constant->size() != 1)
      return node.error("K must be a constant int64 tensor of one element");
    k_ = in[1].constant->to_int64_vector()[0];
    int64_t axis = axis_;
    WEBCNN_TRY(split_at_axis(node, in[0].shape, axis, outer_, n_, inner_));
    if (k_ < 0 || k_ > n_)
      return node.error("K = " + std::to_string(k_) + " is out of range for an axis of " + std::to_string(n_));
    if (out.size() != 2) return node.error("expects 2 outputs (values, indices)");
    Shape s = in[0].shape;
    s[static_cast<size_t>(axis)] = k_;
    out[0].dtype = in[0].dtype;
    out[0].shape = s;
    out[1].dtype = DataType::kInt64;
    out[1].shape = s;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    reference::topk(io.in[0], outer_, n_, inner_, k_, largest_, io.out[0], io.out[1],
                    static_cast<int64_t*>(io.scratch));
    return Status::ok();
  }
  size_t scratch_bytes() const override { return static_cast<size_t>(n_) * sizeof(int64_t); }

 private:
  int64_t axis_ = -1, k_ = 0, outer_ = 1, n_ = 1, inner_ = 1;
  bool largest_ = true;
};

class ArgKernel : public Kernel {
 public:
  explicit ArgKernel(bool max) : max_(max) {}
  Status init(const Node& node) {
    WEBCNN_ASSIGN(axis_, node.attr_int("axis", 0));
    WEBCNN_ASSIGN(int64_t keep, node.attr_int("keepdims", 1));
    WEBCNN_ASSIGN(int64_t last, node.attr_int("select_last_index", 0));
    keep_ = keep != 0;
    last_ = last != 0;
    return Status::ok();
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    if (in[0].dtype == DataType::kBool) return node.error("bool input is not supported");
    int64_t axis = axis_;
    WEBCNN_TRY(split_at_axis(node, in[0].shape, axis, outer_, n_, inner_));
    if (n_ == 0) return node.error("the reduced axis is empty");
    Shape s = in[0].shape;
    if (keep_) s[static_cast<size_t>(axis)] = 1;
    else s.erase(s.begin() + axis);
    out[0].dtype = DataType::kInt64;
    out[0].shape = s;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    reference::arg_extreme(io.in[0], outer_, n_, inner_, max_, last_, io.out[0]);
    return Status::ok();
  }

 private:
  bool max_, keep_ = true, last_ = false;
  int64_t axis_ = 0, outer_ = 1, n_ = 1, inner_ = 1;
};

}  // namespace

void register_topk_ops(OpRegistry& r) {
  r.add("TopK", [](const Node& n) -> Result<std::unique_ptr<Kernel>> {
    auto k = std::make_unique<TopKKernel>();
    WEBCNN_TRY(k->init(n));
    return std::unique_ptr<Kernel>(std::move(k));
  });
  r.add("ArgMax", [](const Node& n) -> Result<std::unique_ptr<Kernel>> {
    auto k = std::make_unique<ArgKernel>(true);
    WEBCNN_TRY(k->init(n));
    return std::unique_ptr<Kernel>(std::move(k));
  });
  r.add("ArgMin", [](const Node& n) -> Result<std::unique_ptr<Kernel>> {
    auto k = std::make_unique<ArgKernel>(false);
    WEBCNN_TRY(k->init(n));
    return std::unique_ptr<Kernel>(std::move(k));
  });
}

}  // namespace webcnn
