// Reductions (see reduce.h).
//
// A reduction walks the input once, in memory order, over a StridedLoop (broadcast.h) whose second
// operand is the output with stride 0 along the reduced axes. After axis merging the innermost row
// is one of two kinds:
//   - the row's axis is kept (e.g. the spatial mean of NHWC [N,H,W,C] = rows of C): the row is
//     combined element by element into an output row, out[j] = out[j] ⊕ x[j];
//   - the row's axis is reduced (e.g. the spatial mean of NCHW): the row folds to one value, four
//     lanes at a time, then into its output element.
// Float rows go to the active kernel table's f32_reduce_accumulate / f32_reduce_fold (kernels/f32_reduce.cc),
// integer rows to the loops here. Float sums accumulate in float; Mean divides by the count at the end.
#include "ops/reduce.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/kernel_table.h"
#include "ops/broadcast.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {
namespace {

// ---- how elements combine (⊕), with the identity an empty reduction gives ----

template <typename T>
T wrapping(std::make_unsigned_t<T> v) {
  return static_cast<T>(v);
}

struct SumOp {
  template <typename T>
  static T identity() {
    return T(0);
  }
  template <typename T>
  static T apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      using U = std::make_unsigned_t<T>;
      return wrapping<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
    } else {
      return a + b;
    }
  }
  static constexpr kernels::ReduceOp kKernel = kernels::ReduceOp::kSum;
};
struct ProdOp {
  template <typename T>
  static T identity() {
    return T(1);
  }
  template <typename T>
  static T apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      using U = std::make_unsigned_t<T>;
      return wrapping<T>(static_cast<U>(static_cast<U>(a) * static_cast<U>(b)));
    } else {
      return a * b;
    }
  }
  static constexpr kernels::ReduceOp kKernel = kernels::ReduceOp::kProd;
};
struct MaxOp {
  template <typename T>
  static T identity() {
    return std::is_floating_point_v<T> ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
  }
  template <typename T>
  static T apply(T a, T b) {
    return a > b ? a : b;
  }
  static constexpr kernels::ReduceOp kKernel = kernels::ReduceOp::kMax;
};
struct MinOp {
  template <typename T>
  static T identity() {
    return std::is_floating_point_v<T> ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
  }
  template <typename T>
  static T apply(T a, T b) {
    return a < b ? a : b;
  }
  static constexpr kernels::ReduceOp kKernel = kernels::ReduceOp::kMin;
};

// ---- what each element becomes before combining ----

struct Identity {
  template <typename T>
  static T apply(T x) {
    return x;
  }
  static constexpr kernels::ReduceMap kKernel = kernels::ReduceMap::kIdentity;
};
struct Square {
  static float apply(float x) { return x * x; }
  static constexpr kernels::ReduceMap kKernel = kernels::ReduceMap::kSquare;
};
struct Absolute {
  static float apply(float x) { return std::fabs(x); }
  static constexpr kernels::ReduceMap kKernel = kernels::ReduceMap::kAbs;
};

// out[j] = out[j] ⊕ map(x[j]) for a row whose axis is kept.
template <typename Op, typename Map, typename T>
void combine_row(const T* x, T* out, int64_t n) {
  if constexpr (std::is_same_v<T, float>) {
    const size_t op = static_cast<size_t>(Op::kKernel), map = static_cast<size_t>(Map::kKernel);
    kernels::active().f32_reduce_accumulate[op][map](static_cast<size_t>(n), x, out);
  } else {
    for (int64_t j = 0; j < n; ++j) out[j] = Op::apply(out[j], Map::apply(x[j]));
  }
}

// *out = *out ⊕ map(x[0]) ⊕ ... ⊕ map(x[n-1]) for a row whose axis is reduced.
template <typename Op, typename Map, typename T>
void fold_row(const T* x, T* out, int64_t n) {
  if constexpr (std::is_same_v<T, float>) {
    const size_t op = static_cast<size_t>(Op::kKernel), map = static_cast<size_t>(Map::kKernel);
    kernels::active().f32_reduce_fold[op][map](static_cast<size_t>(n), x, out);
  } else {
    T acc = Op::template identity<T>();
    for (int64_t i = 0; i < n; ++i) acc = Op::apply(acc, Map::apply(x[i]));
    *out = Op::apply(*out, acc);
  }
}

// ---- the op table ----

enum class Combine { kSum, kProd, kMax, kMin };
enum class Pre { kNone, kSquare, kAbs };
enum class Post { kNone, kMean, kSqrt, kLog };

struct ReduceSpec {
  const char* name;
  Combine combine;
  Pre pre;
  Post post;
  bool integers;  // also int32/int64
};

constexpr ReduceSpec kReduceSpecs[] = {
    {"ReduceSum", Combine::kSum, Pre::kNone, Post::kNone, true},
    {"ReduceMean", Combine::kSum, Pre::kNone, Post::kMean, false},
    {"ReduceMax", Combine::kMax, Pre::kNone, Post::kNone, true},
    {"ReduceMin", Combine::kMin, Pre::kNone, Post::kNone, true},
    {"ReduceProd", Combine::kProd, Pre::kNone, Post::kNone, true},
    {"ReduceSumSquare", Combine::kSum, Pre::kSquare, Post::kNone, false},
    {"ReduceL1", Combine::kSum, Pre::kAbs, Post::kNone, false},
    {"ReduceL2", Combine::kSum, Pre::kSquare, Post::kSqrt, false},
    {"ReduceLogSum", Combine::kSum, Pre::kNone, Post::kLog, false},
    // ReduceLogSumExp has its own two-pass path (max, then the shifted sum): see log_sum_exp().
    {"ReduceLogSumExp", Combine::kSum, Pre::kNone, Post::kLog, false},
};

const ReduceSpec* find_spec(const std::string& op) {
  for (const ReduceSpec& s : kReduceSpecs)
    if (op == s.name) return &s;
  return nullptr;
}

// Sorted, non-negative, distinct axes; an error naming the node otherwise.
Result<std::vector<int64_t>> normalize_axes(const Node& node, std::vector<int64_t> axes, int64_t rank) {
  for (int64_t& a : axes) {
    if (a < -rank || a >= rank)
      return node.error("axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
    if (a < 0) a += rank;
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) return node.error("axes contain a duplicate");
  return axes;
}

class ReduceKernel : public Kernel {
 public:
  ReduceKernel(const ReduceSpec& spec, bool keepdims, bool noop_with_empty_axes)
      : spec_(spec), keepdims_(keepdims), noop_(noop_with_empty_axes) {}

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 2));
    dtype_ = in[0].dtype;
    const bool int_ok = spec_.integers && (dtype_ == DataType::kInt32 || dtype_ == DataType::kInt64);
    if (dtype_ != DataType::kFloat32 && !int_ok)
      return node.error(std::string("does not support ") + dtype_name(dtype_) + " input");
    const Shape& shape = in[0].shape;
    const int64_t rank = static_cast<int64_t>(shape.size());

    std::vector<int64_t> axes;
    if (in.size() > 1 && in[1].present) {
      if (!in[1].constant) return node.error("axes must be a constant (known when the model is planned)");
      if (in[1].dtype != DataType::kInt64 && in[1].dtype != DataType::kInt32)
        return node.error(std::string("axes must be int64, got ") + dtype_name(in[1].dtype));
      if (in[1].shape.size() > 1) return node.error("axes must be 1-D, got shape " + shape_to_string(in[1].shape));
      axes = in[1].constant->to_int64_vector();
    }
    if (axes.empty() && !noop_)
      for (int64_t a = 0; a < rank; ++a) axes.push_back(a);
    WEBCNN_ASSIGN(axes, normalize_axes(node, axes, rank));

    Shape kept = shape, out_shape;  // kept: reduced axes as 1
    count_ = 1;
    for (int64_t a : axes) {
      count_ *= shape[static_cast<size_t>(a)];
      kept[static_cast<size_t>(a)] = 1;
    }
    for (size_t i = 0; i < shape.size(); ++i)
      if (keepdims_ || !std::binary_search(axes.begin(), axes.end(), static_cast<int64_t>(i)))
        out_shape.push_back(kept[i]);
    loop_ = std::make_unique<StridedLoop<2>>(
        shape, std::array<std::vector<int64_t>, 2>{broadcast_strides(shape, shape), broadcast_strides(kept, shape)});
    out_count_ = num_elements(out_shape);
    log_sum_exp_ = std::string(spec_.name) == "ReduceLogSumExp";
    out[0].dtype = dtype_;
    out[0].shape = out_shape;
    return Status::ok();
  }

  // Each output element reduces exactly one input element, unchanged: the output is the input's bytes.
  bool output_aliases_input() const override {
    return count_ == 1 && spec_.pre == Pre::kNone && spec_.post != Post::kLog;
  }

  // ReduceLogSumExp keeps its shifted sums beside the output.
  size_t scratch_bytes() const override { return log_sum_exp_ ? static_cast<size_t>(out_count_) * sizeof(float) : 0; }

  Status run(const KernelIO& io) override {
    if (log_sum_exp_) {
      log_sum_exp(io);
      return Status::ok();
    }
    switch (dtype_) {
      case DataType::kFloat32: run_typed<float>(io); break;
      case DataType::kInt32: run_typed<int32_t>(io); break;
      default: run_typed<int64_t>(io); break;
    }
    return Status::ok();
  }

 private:
  template <typename T>
  void run_typed(const KernelIO& io) const {
    switch (spec_.combine) {
      case Combine::kSum: run_with<SumOp, T>(io); break;
      case Combine::kProd: run_with<ProdOp, T>(io); break;
      case Combine::kMax: run_with<MaxOp, T>(io); break;
      case Combine::kMin: run_with<MinOp, T>(io); break;
    }
  }

  template <typename Op, typename T>
  void run_with(const KernelIO& io) const {
    if constexpr (std::is_same_v<T, float>) {
      switch (spec_.pre) {
        case Pre::kNone: walk<Op, Identity, T>(io); break;
        case Pre::kSquare: walk<Op, Square, T>(io); break;
        case Pre::kAbs: walk<Op, Absolute, T>(io); break;
      }
    } else {
      walk<Op, Identity, T>(io);
    }
  }

  // Reduces into the output; `finish` applies the op's final step (mean, sqrt, log).
  template <typename Op, typename Map, typename T>
  void walk(const KernelIO& io, bool finish = true) const {
    const T* x = io.in[0].as<const T>();
    T* y = io.out[0].as<T>();
    const int64_t n_out = io.out[0].size();
    std::fill(y, y + n_out, Op::template identity<T>());
    loop_->for_each_row([&](const std::array<int64_t, 2>& off, int64_t n, const std::array<int64_t, 2>& step) {
      // The input is walked in memory order, so its step is 1; the output's is 1 or 0.
      if (step[1] == 0) fold_row<Op, Map>(x + off[0], y + off[1], n);
      else combine_row<Op, Map>(x + off[0], y + off[1], n);
    });
    if constexpr (std::is_same_v<T, float>) {
      if (!finish) return;
      if (spec_.post == Post::kMean) {
        const float c = static_cast<float>(count_);
        for (int64_t i = 0; i < n_out; ++i) y[i] /= c;
      } else if (spec_.post == Post::kSqrt) {
        for (int64_t i = 0; i < n_out; ++i) y[i] = std::sqrt(y[i]);
      } else if (spec_.post == Post::kLog) {
        for (int64_t i = 0; i < n_out; ++i) y[i] = std::log(y[i]);
      }
    }
  }

  // log(sum(exp(x))) = m + log(sum(exp(x - m))) with m the maximum, so no exp overflows. An
  // all -inf (or empty) set has no finite maximum; it is shifted by 0 and gives log(0) = -inf.
  void log_sum_exp(const KernelIO& io) const {
    walk<MaxOp, Identity, float>(io, /*finish=*/false);  // y = max
    const float* x = io.in[0].as<const float>();
    float* y = io.out[0].as<float>();
    float* sum = static_cast<float*>(io.scratch);
    for (int64_t i = 0; i < out_count_; ++i) {
      if (!std::isfinite(y[i])) y[i] = 0;
      sum[i] = 0;
    }
    loop_->for_each_row([&](const std::array<int64_t, 2>& off, int64_t n, const std::array<int64_t, 2>& step) {
      const float* xr = x + off[0];
      if (step[1] == 0) {
        const float m = y[off[1]];
        float s = 0;
        for (int64_t i = 0; i < n; ++i) s += std::exp(xr[i] - m);
        sum[off[1]] += s;
      } else {
        for (int64_t j = 0; j < n; ++j) sum[off[1] + j] += std::exp(xr[j] - y[off[1] + j]);
      }
    });
    for (int64_t i = 0; i < out_count_; ++i) y[i] += std::log(sum[i]);
  }

  ReduceSpec spec_;
  bool log_sum_exp_ = false;
  int64_t out_count_ = 0;
  bool keepdims_, noop_;
  DataType dtype_ = DataType::kFloat32;
  int64_t count_ = 1;  // input elements per output element
  std::unique_ptr<StridedLoop<2>> loop_;
};

Result<std::unique_ptr<Kernel>> create_reduce(const Node& node) {
  const ReduceSpec* spec = find_spec(node.op);
  if (!spec) return node.error("is not a reduction");
  if (node.has_attr("axes")) return node.error("axes must be an input (opset 18 form), not an attribute");
  WEBCNN_ASSIGN(int64_t keepdims, node.attr_int("keepdims", 1));
  WEBCNN_ASSIGN(int64_t noop, node.attr_int("noop_with_empty_axes", 0));
  return std::unique_ptr<Kernel>(new ReduceKernel(*spec, keepdims != 0, noop != 0));
}

}  // namespace

namespace reference {
namespace {
template <typename T>
T empty_integer_reduction(Combine c) {
  switch (c) {
    case Combine::kSum: return 0;
    case Combine::kProd: return 1;
    case Combine::kMax: return std::numeric_limits<T>::lowest();
    case Combine::kMin: return std::numeric_limits<T>::max();
  }
  return 0;
}
}  // namespace

Result<Tensor> reduce(const std::string& op, const Tensor& x, const std::vector<int64_t>& axes_in, bool keepdims) {
  const ReduceSpec* spec = find_spec(op);
  if (!spec) return Status::error("reference::reduce: unknown op " + op);
  const int64_t rank = x.rank();
  std::vector<bool> reduced(static_cast<size_t>(rank), axes_in.empty());
  for (int64_t a : axes_in) reduced[static_cast<size_t>(a < 0 ? a + rank : a)] = true;
  Shape out_shape, kept = x.shape();
  for (size_t i = 0; i < kept.size(); ++i) {
    if (reduced[i]) kept[i] = 1;
    if (keepdims || !reduced[i]) out_shape.push_back(kept[i]);
  }
  const int64_t n_out = num_elements(kept);
  // Accumulate in double (integers: in int64 with wrap-around through uint64, cast at the end).
  std::vector<double> acc(static_cast<size_t>(n_out));
  std::vector<uint64_t> iacc(static_cast<size_t>(n_out));
  std::vector<int64_t> count(static_cast<size_t>(n_out), 0);
  const bool is_float = x.dtype() == DataType::kFloat32;
  std::vector<size_t> out_index(static_cast<size_t>(x.size()));
  for (int64_t i = 0; i < x.size(); ++i) {
    // Output index: the input's coordinates with reduced axes at 0.
    int64_t rem = i, o = 0, o_stride = 1;
    for (size_t d = kept.size(); d-- > 0;) {
      int64_t c = rem % x.shape()[d];
      rem /= x.shape()[d];
      if (!reduced[d]) o += c * o_stride;
      o_stride *= kept[d];
    }
    out_index[static_cast<size_t>(i)] = static_cast<size_t>(o);
  }
  // LogSumExp sums exp(x - max) and adds the max back, so no exp overflows.
  std::vector<double> shift(static_cast<size_t>(n_out), 0.0);
  if (op == "ReduceLogSumExp") {
    std::vector<double> m(static_cast<size_t>(n_out), -INFINITY);
    for (int64_t i = 0; i < x.size(); ++i) {
      double& mk = m[out_index[static_cast<size_t>(i)]];
      mk = std::max(mk, static_cast<double>(x.data<float>()[i]));
    }
    for (size_t k = 0; k < m.size(); ++k) shift[k] = std::isfinite(m[k]) ? m[k] : 0.0;
  }
  for (int64_t i = 0; i < x.size(); ++i) {
    const size_t k = out_index[static_cast<size_t>(i)];
    const bool first = count[k]++ == 0;
    if (is_float) {
      double v = x.data<float>()[i];
      if (op == "ReduceLogSumExp") v = std::exp(v - shift[k]);
      if (spec->pre == Pre::kSquare) v = v * v;
      if (spec->pre == Pre::kAbs) v = std::fabs(v);
      switch (spec->combine) {
        case Combine::kSum: acc[k] += v; break;
        case Combine::kProd: acc[k] = first ? v : acc[k] * v; break;
        case Combine::kMax: acc[k] = first ? v : std::max(acc[k], v); break;
        case Combine::kMin: acc[k] = first ? v : std::min(acc[k], v); break;
      }
    } else {
      const int64_t v = x.dtype() == DataType::kInt32 ? x.data<int32_t>()[i] : x.data<int64_t>()[i];
      const int64_t cur = static_cast<int64_t>(iacc[k]);
      switch (spec->combine) {
        case Combine::kSum: iacc[k] += static_cast<uint64_t>(v); break;
        case Combine::kProd: iacc[k] = first ? static_cast<uint64_t>(v) : iacc[k] * static_cast<uint64_t>(v); break;
        case Combine::kMax: iacc[k] = static_cast<uint64_t>(first ? v : std::max(cur, v)); break;
        case Combine::kMin: iacc[k] = static_cast<uint64_t>(first ? v : std::min(cur, v)); break;
      }
    }
  }
  Tensor y(x.dtype(), out_shape);
  for (int64_t k = 0; k < n_out; ++k) {
    const size_t u = static_cast<size_t>(k);
    if (is_float) {
      double v = acc[u];
      if (count[u] == 0) {  // empty reduction
        v = spec->combine == Combine::kProd  ? 1
            : spec->combine == Combine::kMax ? -INFINITY
            : spec->combine == Combine::kMin ? INFINITY
                                             : 0;
      }
      if (spec->post == Post::kMean) v /= static_cast<double>(count[u]);
      if (spec->post == Post::kSqrt) v = std::sqrt(v);
      if (spec->post == Post::kLog) v = std::log(v) + shift[u];
      y.data<float>()[k] = static_cast<float>(v);
    } else if (x.dtype() == DataType::kInt32) {
      y.data<int32_t>()[k] = count[u] == 0 ? empty_integer_reduction<int32_t>(spec->combine)
                                           : static_cast<int32_t>(static_cast<uint32_t>(iacc[u]));
    } else {
      y.data<int64_t>()[k] =
          count[u] == 0 ? empty_integer_reduction<int64_t>(spec->combine) : static_cast<int64_t>(iacc[u]);
    }
  }
  return y;
}

}  // namespace reference

void register_reduce_ops(OpRegistry& r) {
  for (const ReduceSpec& s : kReduceSpecs) r.add(s.name, create_reduce, OpTraits().as_reduce());
}

}  // namespace webcnn
