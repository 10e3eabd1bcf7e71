#include "ops/range.h"

#include <cmath>

#include "ops/dtype_dispatch.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

namespace reference {
void range(const TensorView& start, const TensorView& delta, const TensorView& out) {
  int64_t n = out.size();
  dispatch_dtype(out.dtype, [&](auto tag) {
    using T = decltype(tag);
    T s = start.as<T>()[0], d = delta.as<T>()[0];
    for (int64_t i = 0; i < n; ++i)
      out.as<T>()[i] = static_cast<T>(s + static_cast<T>(i) * d);  // as ONNX: start + i·delta
    return 0;
  });
}
}  // namespace reference

namespace {

class RangeKernel : public Kernel {
 public:
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 3, 3));
    DataType t = in[0].dtype;
    if (t != DataType::kFloat32 && t != DataType::kInt32 && t != DataType::kInt64)
      return node.error(std::string("inputs must be float32, int32 or int64, got ") + dtype_name(t));
    double v[3];
    for (size_t i = 0; i < 3; ++i) {
      if (in[i].dtype != t) return node.error("start, limit and delta must share a type");
      if (!in[i].constant || in[i].constant->size() != 1)
        return node.error("start, limit and delta must be constant scalars");
      v[i] = t == DataType::kFloat32 ? static_cast<double>(in[i].constant->to_float_vector()[0])
                                     : static_cast<double>(in[i].constant->to_int64_vector()[0]);
    }
    if (v[2] == 0 || !std::isfinite(v[0]) || !std::isfinite(v[1]) || !std::isfinite(v[2]))
      return node.error("delta must be non-zero and all inputs finite");
    double count = std::ceil((v[1] - v[0]) / v[2]);
    if (count > static_cast<double>(kMaxElements)) return node.error("output too large");
    out[0].dtype = t;
    out[0].shape = {count > 0 ? static_cast<int64_t>(count) : 0};
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    reference::range(io.in[0], io.in[2], io.out[0]);
    return Status::ok();
  }
};

}  // namespace

void register_range_ops(OpRegistry& r) {
  r.add(
      "Range",
      [](const Node&) -> Result<std::unique_ptr<Kernel>> { return std::unique_ptr<Kernel>(new RangeKernel()); },
      OpTraits().shape_deciding(OpTraits::kAllInputs));
}

}  // namespace webcnn
