#include "ops/logical.h"

#include "ops/broadcast.h"
#include "ops/dtype_dispatch.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

namespace reference {

void logical(const std::string& op, const TensorView& a, const TensorView& b, const TensorView& out) {
  const Shape& os = *out.shape;
  std::vector<std::vector<int64_t>> st = {broadcast_strides(*a.shape, os), broadcast_strides(*b.shape, os)};
  uint8_t* dst = out.as<uint8_t>();
  dispatch_dtype(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* x = a.as<T>();
    const T* y = b.as<T>();
    auto apply = [&](auto pred) {
      for_each_broadcast(os, st, [&](int64_t i, const int64_t* o) { dst[i] = pred(x[o[0]], y[o[1]]) ? 1 : 0; });
    };
    if (op == "And") apply([](T p, T q) { return p && q; });
    else if (op == "Or") apply([](T p, T q) { return p || q; });
    else if (op == "Xor") apply([](T p, T q) { return (p != T(0)) != (q != T(0)); });
    return 0;
  });
}

void logical_not(const TensorView& in, const TensorView& out) {
  int64_t n = in.size();
  for (int64_t i = 0; i < n; ++i) out.as<uint8_t>()[i] = in.as<uint8_t>()[i] ? 0 : 1;
}

void where(const TensorView& cond, const TensorView& x, const TensorView& y, const TensorView& out) {
  const Shape& os = *out.shape;
  std::vector<std::vector<int64_t>> st = {broadcast_strides(*cond.shape, os), broadcast_strides(*x.shape, os),
                                          broadcast_strides(*y.shape, os)};
  const uint8_t* c = cond.as<uint8_t>();
  dispatch_dtype(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* a = x.as<T>();
    const T* b = y.as<T>();
    T* dst = out.as<T>();
    for_each_broadcast(os, st, [&](int64_t i, const int64_t* o) { dst[i] = c[o[0]] ? a[o[1]] : b[o[2]]; });
    return 0;
  });
}

}  // namespace reference

namespace {

class LogicalKernel : public Kernel {
 public:
  explicit LogicalKernel(std::string op) : op_(std::move(op)) {}
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 2));
    if (in[0].dtype != in[1].dtype)
      return node.error(std::string("inputs must share a type, got ") + dtype_name(in[0].dtype) + " and " +
                        dtype_name(in[1].dtype));
    WEBCNN_TRY(expect_dtype(node, in[0], DataType::kBool, "inputs"));
    auto shape = broadcast_shapes({in[0].shape, in[1].shape});
    if (!shape) return shape.status().with_context(node.describe());
    out[0].shape = shape.value();
    out[0].dtype = DataType::kBool;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    reference::logical(op_, io.in[0], io.in[1], io.out[0]);
    return Status::ok();
  }

 private:
  std::string op_;
};

class NotKernel : public Kernel {
 public:
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    WEBCNN_TRY(expect_dtype(node, in[0], DataType::kBool, "input"));
    out[0].dtype = DataType::kBool;
    out[0].shape = in[0].shape;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    reference::logical_not(io.in[0], io.out[0]);
    return Status::ok();
  }
};

class WhereKernel : public Kernel {
 public:
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 3, 3));
    WEBCNN_TRY(expect_dtype(node, in[0], DataType::kBool, "condition"));
    if (in[1].dtype != in[2].dtype)
      return node.error(std::string("x and y must share a type, got ") + dtype_name(in[1].dtype) + " and " +
                        dtype_name(in[2].dtype));
    auto shape = broadcast_shapes({in[0].shape, in[1].shape, in[2].shape});
    if (!shape) return shape.status().with_context(node.describe());
    out[0].shape = shape.value();
    out[0].dtype = in[1].dtype;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    reference::where(io.in[0], io.in[1], io.in[2], io.out[0]);
    return Status::ok();
  }
};

template <const char* kOp>
Result<std::unique_ptr<Kernel>> make_logical(const Node&) {
  return std::unique_ptr<Kernel>(new LogicalKernel(kOp));
}

constexpr char kAnd[] = "And", kOr[] = "Or", kXor[] = "Xor";

}  // namespace

void register_logical_ops(OpRegistry& r) {
  r.add("And", make_logical<kAnd>, OpTraits::broadcast());
  r.add("Or", make_logical<kOr>, OpTraits::broadcast());
  r.add("Xor", make_logical<kXor>, OpTraits::broadcast());
  r.add(
      "Not", [](const Node&) -> Result<std::unique_ptr<Kernel>> { return std::unique_ptr<Kernel>(new NotKernel()); },
      OpTraits::unary());
  r.add("Where",
        [](const Node&) -> Result<std::unique_ptr<Kernel>> { return std::unique_ptr<Kernel>(new WhereKernel()); });
}

}  // namespace webcnn
