#include "ops/gather_nd.h"

#include <cstring>
#include <vector>

#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

namespace reference {
bool gather_nd(const TensorView& data, const TensorView& indices, const TensorView& out, int64_t batch_dims,
               int64_t& bad_index) {
  const Shape& full_ds = *data.shape;
  const Shape& full_is = *indices.shape;
  const size_t b = static_cast<size_t>(batch_dims);
  // The leading batch_dims axes pair data and indices one to one; within a batch it is plain GatherND.
  const Shape ds(full_ds.begin() + static_cast<std::ptrdiff_t>(b), full_ds.end());
  const Shape is(full_is.begin() + static_cast<std::ptrdiff_t>(b), full_is.end());
  const int64_t batches = num_elements(Shape(full_ds.begin(), full_ds.begin() + static_cast<std::ptrdiff_t>(b)));
  size_t q = static_cast<size_t>(is.back());
  int64_t slice = 1;
  for (size_t a = q; a < ds.size(); ++a) slice *= ds[a];
  std::vector<int64_t> stride(q, 0);
  int64_t s = slice;
  for (size_t a = q; a-- > 0;) {
    stride[a] = s;
    s *= ds[a];
  }
  const int64_t data_per_batch = num_elements(ds);
  const int64_t count = num_elements(Shape(is.begin(), is.end() - 1));  // index tuples per batch
  const size_t elem = dtype_size(data.dtype);
  const size_t bytes = static_cast<size_t>(slice) * elem;
  const uint8_t* src = data.as<uint8_t>();
  uint8_t* dst = out.as<uint8_t>();
  for (int64_t batch = 0; batch < batches; ++batch) {
    for (int64_t i = 0; i < count; ++i) {
      const int64_t tuple = (batch * count + i) * static_cast<int64_t>(q);
      int64_t off = batch * data_per_batch;
      for (size_t a = 0; a < q; ++a) {
        int64_t raw = indices.dtype == DataType::kInt32 ? indices.as<int32_t>()[tuple + static_cast<int64_t>(a)]
                                                        : indices.as<int64_t>()[tuple + static_cast<int64_t>(a)];
        int64_t v = raw < 0 ? raw + ds[a] : raw;
        if (v < 0 || v >= ds[a]) {
          bad_index = raw;
          return false;
        }
        off += v * stride[a];
      }
      std::memcpy(dst + static_cast<size_t>(batch * count + i) * bytes, src + static_cast<size_t>(off) * elem, bytes);
    }
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
    WEBCNN_ASSIGN(batch_dims_, node.attr_int("batch_dims", 0));
    if (in[1].dtype != DataType::kInt64 && in[1].dtype != DataType::kInt32)
      return node.error("indices must be int64 or int32");
    const Shape& ds = in[0].shape;
    const Shape& is = in[1].shape;
    if (is.empty()) return node.error("indices must have rank 1 or more");
    const int64_t b = batch_dims_;
    if (b < 0 || b >= static_cast<int64_t>(is.size()) || b >= static_cast<int64_t>(ds.size()))
      return node.error("batch_dims " + std::to_string(b) + " must be below the ranks of data and indices");
    for (int64_t a = 0; a < b; ++a)
      if (ds[static_cast<size_t>(a)] != is[static_cast<size_t>(a)])
        return node.error("batch dimension " + std::to_string(a) + " differs: data " + shape_to_string(ds) +
                          ", indices " + shape_to_string(is));
    int64_t q = is.back();
    if (q < 0 || q > static_cast<int64_t>(ds.size()) - b)
      return node.error("indices' last dimension " + std::to_string(q) + " exceeds the data rank " +
                        std::to_string(ds.size()) + " less batch_dims");
    Shape s(is.begin(), is.end() - 1);
    s.insert(s.end(), ds.begin() + b + q, ds.end());
    out[0].dtype = in[0].dtype;
    out[0].shape = s;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    int64_t bad = 0;
    if (!reference::gather_nd(io.in[0], io.in[1], io.out[0], batch_dims_, bad))
      return Status::error(what_ + ": index " + std::to_string(bad) + " is out of range");
    return Status::ok();
  }

 private:
  std::string what_;
  int64_t batch_dims_ = 0;
};

}  // namespace

void register_gather_nd_ops(OpRegistry& r) {
  r.add("GatherND", [](const Node& n) -> Result<std::unique_ptr<Kernel>> {
    return std::unique_ptr<Kernel>(new GatherNDKernel(n));
  });
}

}  // namespace webcnn
