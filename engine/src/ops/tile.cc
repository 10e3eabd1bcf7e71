#include "ops/tile.h"

#include <cstring>

#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

namespace reference {

void tile(const TensorView& in, const TensorView& out) {
  const Shape& is = *in.shape;
  const Shape& os = *out.shape;
  size_t rank = is.size(), esize = dtype_size(in.dtype);
  int64_t n = num_elements(os);
  std::vector<int64_t> in_stride(rank, 1), idx(rank, 0);
  for (size_t a = rank; a-- > 1;) in_stride[a - 1] = in_stride[a] * is[a];
  const uint8_t* src = in.as<uint8_t>();
  uint8_t* dst = out.as<uint8_t>();
  for (int64_t o = 0; o < n; ++o) {
    int64_t off = 0;
    for (size_t a = 0; a < rank; ++a) off += (idx[a] % is[a]) * in_stride[a];
    std::memcpy(dst + static_cast<size_t>(o) * esize, src + static_cast<size_t>(off) * esize, esize);
    for (size_t a = rank; a-- > 0;) {
      if (++idx[a] < os[a]) break;
      idx[a] = 0;
    }
  }
}

}  // namespace reference

namespace {

Result<std::vector<int64_t>> constant_int64s(const Node& node, const ValueInfo& v, const char* what) {
  if (!v.constant) return node.error(std::string(what) + " must be a constant at plan time");
  if (v.dtype != DataType::kInt64 || v.shape.size() != 1)
    return node.error(std::string(what) + " must be a 1-D int64 tensor");
  return v.constant->to_int64_vector();
}

class TileKernel : public Kernel {
 public:
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 2));
    WEBCNN_ASSIGN(std::vector<int64_t> rep, constant_int64s(node, in[1], "repeats"));
    if (rep.size() != in[0].shape.size())
      return node.error("repeats has " + std::to_string(rep.size()) + " values for an input of rank " +
                        std::to_string(in[0].shape.size()));
    Shape s = in[0].shape;
    for (size_t a = 0; a < s.size(); ++a) {
      if (rep[a] < 0) return node.error("repeats must not be negative");
      if (rep[a] > kMaxElements || (s[a] && rep[a] > kMaxElements / s[a])) return node.error("output too large");
      s[a] *= rep[a];
    }
    WEBCNN_TRY(checked_num_elements(s).status());
    out[0].dtype = in[0].dtype;
    out[0].shape = s;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    reference::tile(io.in[0], io.out[0]);
    return Status::ok();
  }
};

}  // namespace

void register_tile_ops(OpRegistry& r) {
  r.add("Tile",
        [](const Node&) -> Result<std::unique_ptr<Kernel>> { return std::unique_ptr<Kernel>(new TileKernel()); });
}

}  // namespace webcnn
