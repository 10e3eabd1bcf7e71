#include "ops/depth_to_space.h"

#include <cstring>

#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

namespace reference {
void depth_to_space(const TensorView& in, int64_t b, bool crd, bool nhwc, const TensorView& out) {
  const Shape& os = *out.shape;
  int64_t n = os[0];
  int64_t c = nhwc ? os[3] : os[1], oh = nhwc ? os[1] : os[2], ow = nhwc ? os[2] : os[3];
  int64_t ih = oh / b, iw = ow / b, ic = c * b * b;
  size_t esize = dtype_size(in.dtype);
  const uint8_t* src = in.as<uint8_t>();
  uint8_t* dst = out.as<uint8_t>();
  for (int64_t bn = 0; bn < n; ++bn)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t x = 0; x < ow; ++x) {
          int64_t i = y % b, j = x % b, h = y / b, w = x / b;
          int64_t in_c = crd ? ch * b * b + i * b + j : (i * b + j) * c + ch;
          int64_t s = nhwc ? ((bn * ih + h) * iw + w) * ic + in_c : ((bn * ic + in_c) * ih + h) * iw + w;
          int64_t d = nhwc ? ((bn * oh + y) * ow + x) * c + ch : ((bn * c + ch) * oh + y) * ow + x;
          std::memcpy(dst + static_cast<size_t>(d) * esize, src + static_cast<size_t>(s) * esize, esize);
        }
}
}  // namespace reference

namespace {

class DepthToSpaceKernel : public Kernel {
 public:
  Status init(const Node& node) {
    WEBCNN_ASSIGN(block_, node.attr_int("blocksize", 0));
    WEBCNN_ASSIGN(std::string mode, node.attr_string("mode", "DCR"));
    WEBCNN_ASSIGN(std::string layout, node.attr_string("layout", "NCHW"));
    if (block_ < 1 || block_ > 4096) return node.error("blocksize must be between 1 and 4096");
    if (mode != "DCR" && mode != "CRD") return node.error("mode must be DCR or CRD, got '" + mode + "'");
    if (layout != "NCHW" && layout != "NHWC") return node.error("layout must be NCHW or NHWC, got '" + layout + "'");
    crd_ = mode == "CRD";
    nhwc_ = layout == "NHWC";
    return Status::ok();
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    const Shape& s = in[0].shape;
    if (s.size() != 4) return node.error("input must have rank 4, got " + shape_to_string(s));
    int64_t c = nhwc_ ? s[3] : s[1], bb = block_ * block_;
    if (c % bb != 0)
      return node.error("channels " + std::to_string(c) + " are not a multiple of blocksize² " + std::to_string(bb));
    int64_t h = nhwc_ ? s[1] : s[2], w = nhwc_ ? s[2] : s[3];
    if (h > kMaxElements / block_ || w > kMaxElements / block_) return node.error("output too large");
    out[0].dtype = in[0].dtype;
    out[0].shape = nhwc_ ? Shape{s[0], h * block_, w * block_, c / bb} : Shape{s[0], c / bb, h * block_, w * block_};
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    reference::depth_to_space(io.in[0], block_, crd_, nhwc_, io.out[0]);
    return Status::ok();
  }

 private:
  int64_t block_ = 1;
  bool crd_ = false, nhwc_ = false;
};

}  // namespace

void register_depth_to_space_ops(OpRegistry& r) {
  r.add("DepthToSpace", [](const Node& n) -> Result<std::unique_ptr<Kernel>> {
    auto k = std::make_unique<DepthToSpaceKernel>();
    WEBCNN_TRY(k->init(n));
    return std::unique_ptr<Kernel>(std::move(k));
  });
}

}  // namespace webcnn
