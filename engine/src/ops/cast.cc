#include "ops/cast.h"

#include <cmath>
#include <limits>

#include "ops/dtype_dispatch.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

Result<DataType> dtype_from_onnx(int64_t t) {
  switch (t) {
    case 1: return DataType::kFloat32;
    case 2: return DataType::kUInt8;
    case 6: return DataType::kInt32;
    case 7: return DataType::kInt64;
    case 9: return DataType::kBool;
  }
  // float16 (10) and the other types the engine has no dtype for: "unsupported dtype" (a skip, not a failure,
  // in the conformance runner).
  return Status::error("unsupported dtype: ONNX element type " + std::to_string(t));
}

namespace {

template <typename To, typename From>
To convert(From v) {
  if constexpr (std::is_floating_point_v<From> && !std::is_floating_point_v<To>) {
    if (std::isnan(v)) return To(0);
    double t = std::trunc(static_cast<double>(v));
    if (t <= static_cast<double>(std::numeric_limits<To>::lowest())) return std::numeric_limits<To>::lowest();
    if (t >= static_cast<double>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return static_cast<To>(t);
  } else {
    return static_cast<To>(v);  // integer ↔ integer wraps as two's complement, like ONNX Runtime
  }
}

}  // namespace

namespace reference {
void cast(const TensorView& in, const TensorView& out) {
  int64_t n = in.size();
  dispatch_dtype(in.dtype, [&](auto from_tag) {
    using From = decltype(from_tag);
    const From* src = in.as<From>();
    if (out.dtype == DataType::kBool) {
      for (int64_t i = 0; i < n; ++i) out.as<uint8_t>()[i] = src[i] != From(0);
      return 0;
    }
    dispatch_dtype(out.dtype, [&](auto to_tag) {
      using To = decltype(to_tag);
      To* dst = out.as<To>();
      for (int64_t i = 0; i < n; ++i) dst[i] = convert<To>(src[i]);
      return 0;
    });
    return 0;
  });
}
}  // namespace reference

namespace {

class CastKernel : public Kernel {
 public:
  Status init(const Node& node) {
    WEBCNN_ASSIGN(int64_t to, node.attr_int("to", -1));
    Result<DataType> t = dtype_from_onnx(to);
    if (!t.is_ok()) return node.error("attribute 'to': " + t.status().message());
    to_ = t.value();
    return Status::ok();
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    if (out.size() != 1) return node.error("expects 1 output");
    same_ = in[0].dtype == to_;
    out[0].dtype = to_;
    out[0].shape = in[0].shape;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    reference::cast(io.in[0], io.out[0]);
    return Status::ok();
  }
  bool output_aliases_input() const override { return same_; }

 private:
  DataType to_ = DataType::kFloat32;
  bool same_ = false;
};

Result<std::unique_ptr<Kernel>> make_cast(const Node& node) {
  auto k = std::make_unique<CastKernel>();
  WEBCNN_TRY(k->init(node));
  return std::unique_ptr<Kernel>(std::move(k));
}

}  // namespace

void register_cast_ops(OpRegistry& r) { r.add("Cast", make_cast, OpTraits::unary()); }

}  // namespace webcnn
