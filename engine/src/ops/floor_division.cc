#include "ops/floor_division.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "ops/broadcast.h"
#include "ops/dtype_dispatch.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

namespace {

template <typename T>
bool floor_mod(T a, T b, bool c_fmod, T& r) {
  if constexpr (std::is_floating_point_v<T>) {
    r = std::fmod(a, b);
    if (!c_fmod && r != 0 && ((r < 0) != (b < 0))) r += b;
    return true;
  } else {
    if (b == 0) return false;
    if (std::is_signed_v<T> && b == T(-1)) {
      r = 0;
      return true;
    }  // avoids INT_MIN % -1
    r = static_cast<T>(a % b);
    if (!c_fmod && r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
    return true;
  }
}

template <typename T>
bool floor_divide(T a, T b, T& q) {
  if constexpr (std::is_floating_point_v<T>) {
    q = std::floor(a / b);
    return true;
  } else {
    if (b == 0) return false;
    if (std::is_signed_v<T> && b == T(-1)) {
      q = static_cast<T>(T(0) - a);
      return true;
    }  // wraps like TF for INT_MIN
    q = static_cast<T>(a / b);
    if ((a % b != 0) && ((a < 0) != (b < 0))) q = static_cast<T>(q - 1);
    return true;
  }
}

template <typename F>
bool binary(const TensorView& a, const TensorView& b, const TensorView& out, F f) {
  const Shape& os = *out.shape;
  std::vector<std::vector<int64_t>> st = {broadcast_strides(*a.shape, os), broadcast_strides(*b.shape, os)};
  bool ok = true;
  dispatch_dtype(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* x = a.as<T>();
    const T* y = b.as<T>();
    T* dst = out.as<T>();
    for_each_broadcast(os, st, [&](int64_t i, const int64_t* o) {
      T r{};
      if (!f(x[o[0]], y[o[1]], r)) {
        ok = false;
        r = T(0);
      }
      dst[i] = r;
    });
    return 0;
  });
  return ok;
}

}  // namespace

namespace reference {
bool mod(const TensorView& a, const TensorView& b, bool c_fmod, const TensorView& out) {
  return binary(a, b, out, [c_fmod](auto x, auto y, auto& r) { return floor_mod(x, y, c_fmod, r); });
}
bool floor_div(const TensorView& a, const TensorView& b, const TensorView& out) {
  return binary(a, b, out, [](auto x, auto y, auto& r) { return floor_divide(x, y, r); });
}
}  // namespace reference

namespace {

class FloorDivisionKernel : public Kernel {
 public:
  FloorDivisionKernel(const Node& node, bool is_mod, bool c_fmod)
      : what_(node.describe()), mod_(is_mod), fmod_(c_fmod) {}
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 2));
    if (in[0].dtype != in[1].dtype)
      return node.error(std::string("inputs must share a type, got ") + dtype_name(in[0].dtype) + " and " +
                        dtype_name(in[1].dtype));
    if (in[0].dtype == DataType::kBool) return node.error("bool inputs are not supported");
    auto shape = broadcast_shapes({in[0].shape, in[1].shape});
    if (!shape) return shape.status().with_context(node.describe());
    out[0].shape = shape.value();
    out[0].dtype = in[0].dtype;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    bool ok = mod_ ? reference::mod(io.in[0], io.in[1], fmod_, io.out[0])
                   : reference::floor_div(io.in[0], io.in[1], io.out[0]);
    return ok ? Status::ok() : Status::error(what_ + ": integer division by zero");
  }

 private:
  std::string what_;
  bool mod_, fmod_;
};

}  // namespace

void register_floor_division_ops(OpRegistry& r) {
  r.add("Mod", [](const Node& n) -> Result<std::unique_ptr<Kernel>> {
    WEBCNN_ASSIGN(int64_t fmod, n.attr_int("fmod", 0));
    if (fmod != 0 && fmod != 1) return n.error("attribute 'fmod' must be 0 or 1");
    return std::unique_ptr<Kernel>(new FloorDivisionKernel(n, true, fmod == 1));
  });
  r.add("FloorDiv", [](const Node& n) -> Result<std::unique_ptr<Kernel>> {
    return std::unique_ptr<Kernel>(new FloorDivisionKernel(n, false, false));
  });
}

}  // namespace webcnn
