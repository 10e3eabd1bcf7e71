#include "ops/cast.h"

#include <algorithm>
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
    case 3: return DataType::kInt8;
    case 6: return DataType::kInt32;
    case 7: return DataType::kInt64;
    case 9: return DataType::kBool;
    // The ONNX importer holds float16 and double tensors as float32 (widened or narrowed when read), so
    // casts to them produce float32; a cast to float16 also rounds to half precision (CastKernel).
    case 10: return DataType::kFloat32;
    case 11: return DataType::kFloat32;
  }
  // The types the engine has no dtype for: "unsupported dtype" (a skip, not a failure, in the conformance
  // runner).
  return Status::error("unsupported dtype: ONNX element type " + std::to_string(t));
}

float round_to_float16(float v) {
  const float a = std::fabs(v);
  if (!(a < std::numeric_limits<float>::infinity())) return v;  // NaN and ±inf stay
  // 65520 is halfway between the largest half (65504, odd significand) and 2^16: ties go to even, to inf.
  if (a >= 65520.0f) return std::copysign(std::numeric_limits<float>::infinity(), v);
  int exponent = 0;
  std::frexp(a, &exponent);  // a = m · 2^exponent, m in [0.5, 1): a half's ulp there is 2^(exponent − 11)
  // Below 2^-14 halves are subnormal with a fixed ulp of 2^-24. Scaling by a power of two is exact, and
  // nearbyint rounds half to even (the default rounding mode), as IEEE conversion does.
  const float ulp = std::ldexp(1.0f, std::max(exponent - 11, -24));
  return std::copysign(std::nearbyint(a / ulp) * ulp, v);
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
    to_float16_ = to == 10;
    return Status::ok();
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    if (out.size() != 1) return node.error("expects 1 output");
    same_ = in[0].dtype == to_ && !to_float16_;
    out[0].dtype = to_;
    out[0].shape = in[0].shape;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    reference::cast(io.in[0], io.out[0]);
    if (to_float16_) {
      float* y = io.out[0].as<float>();
      for (int64_t i = 0, n = io.out[0].size(); i < n; ++i) y[i] = round_to_float16(y[i]);
    }
    return Status::ok();
  }
  bool output_aliases_input() const override { return same_; }

 private:
  DataType to_ = DataType::kFloat32;
  bool to_float16_ = false;  // float32 values rounded to the nearest float16
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
