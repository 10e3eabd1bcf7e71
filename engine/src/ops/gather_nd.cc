#include "ops/gather_nd.h"

#include <cstring>
#include <vector>

#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

namespace reference {
bool gather_nd(const TensorView& data, const TensorView& indices, const TensorView& out, int64_t& bad_index) {
  const Shape& ds = *data.shape;
  const Shape& is = *indices.shape;
  size_t q = static_cast<size_t>(is.back());
  int64_t slice = 1;
  for (size_t a = q; a < ds.size(); ++a) slice *= ds[a];
  std::vector<int64_t> stride(q, 0);
  int64_t s = slice;
  for (size_t a = q; a-- > 0;) {
    stride[a] = s;
    s *= ds[a];
  }
  int64_t count = num_elements(Shape(is.begin(), is.end() - 1));  // index tuples
  size_t bytes = static_cast<size_t>(slice) * dtype_size(data.dtype);
  const uint8_t* src = data.as<uint8_t>();
  uint8_t* dst = out.as<uint8_t>();
  for (int64_t i = 0; i < count; ++i) {
    int64_t off = 0;
    for (size_t a = 0; a < q; ++a) {
      int64_t raw = indices.dtype == DataType::kInt32 ? indices.as<int32_t>()[i * static_cast<int64_t>(q) + static_cast<int64_t>(a)]
                                                      : indices.as<int64_t>()[i * static_cast<int64_t>(q) + static_cast<int64_t>(a)];
      int64_t v = raw < 0 ? raw + ds[a] : raw;
      if (v < 0 || v >= ds[a]) {
        bad_index = raw;
        return false;
      }
      off += v * stride[a];
    }
    std::memcpy(dst + static_cast<size_t>(i) * bytes, src + static_cast<size_t>(off) * dtype_size(data.dtype), bytes);
  }
  return true;
}
}  // namespace reference

namespace {

class GatherNDKernel : public Kernel {
 public:
  explicit GatherNDKernel(const Node& node) : what_(node.describe()) {}
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 2));
    WEBCNN_ASSIGN(int64_t batch_dims, node.attr_int("batch_dims", 0));
    if (batch_dims != 0) return node.error("batch_dims other than 0 is not supported");
    if (in[1].dtype != DataType::kInt64 && in[1].dtype != DataType::kInt32) return node.error("indices must be int64 or int32");
    const Shape& ds = in[0].shape;
    const Shape& is = in[1].shape;
    if (is.empty()) return node.error("indices must have rank 1 or more");
    int64_t q = is.back();
    if (q < 0 || q > static_cast<int64_t>(ds.size()))
      return node.error("indices' last dimension " + std::to_string(q) + " exceeds the data rank " + std::to_string(ds.size()));
    Shape s(is.begin(), is.end() - 1);
    s.insert(s.end(), ds.begin() + q, ds.end());
    out[0].dtype = in[0].dtype;
    out[0].shape = s;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    int64_t bad = 0;
    if (!reference::gather_nd(io.in[0], io.in[1], io.out[0], bad))
      return Status::error(what_ + ": index " + std::to_string(bad) + " is out of range");
    return Status::ok();
  }

 private:
  std::string what_;
};

}  // namespace

void register_gather_nd_ops(OpRegistry& r) {
  r.add("GatherND", [](const Node& n) -> Result<std::unique_ptr<Kernel>> { return std::unique_ptr<Kernel>(new GatherNDKernel(n)); });
}

}  // namespace webcnn
