// Conv/ConvTranspose attributes and geometry (see conv_geometry.h).
#include "ops/conv_geometry.h"

#include <algorithm>

namespace webcnn {
namespace conv_geometry {

namespace {

// Bounds on spatial attributes: far above any real model, low enough that no arithmetic on them overflows.
constexpr int64_t kMaxSpatialAttr = int64_t{1} << 30;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Reads a per-spatial-dim attribute into 2-D form (a 1-D list fills W; H keeps `def`).
Status spatial_list(const Node& node, const char* name, const std::vector<int64_t>& v, size_t spatial, int64_t def,
                    int64_t& h, int64_t& w) {
  h = w = def;
  if (v.empty()) return Status::ok();
  if (v.size() != spatial)
    return node.error(std::string(name) + " has " + std::to_string(v.size()) + " values for " +
                      std::to_string(spatial) + " spatial dims");
  if (spatial == 2) h = v[0];
  w = v.back();
  return Status::ok();
}

}  // namespace

Result<ConvAttrs> read_conv_attrs(const Node& node, bool transpose) {
  ConvAttrs a;
  WEBCNN_ASSIGN(std::string layout, node.attr_string("layout", "NCHW"));
  if (layout == "NHWC") a.layout = Layout::kNHWC;
  else if (layout != "NCHW") return node.error("layout must be NCHW or NHWC, got '" + layout + "'");
  WEBCNN_ASSIGN(std::string auto_pad, node.attr_string("auto_pad", "NOTSET"));
  if (auto_pad == "SAME_UPPER") a.auto_pad = AutoPad::kSameUpper;
  else if (auto_pad == "SAME_LOWER") a.auto_pad = AutoPad::kSameLower;
  else if (auto_pad == "VALID") a.auto_pad = AutoPad::kValid;
  else if (auto_pad != "NOTSET" && !auto_pad.empty()) return node.error("unknown auto_pad '" + auto_pad + "'");
  WEBCNN_ASSIGN(a.group, node.attr_int("group", 1));
  if (a.group < 1 || a.group > kMaxSpatialAttr)
    return node.error("group must be at least 1, got " + std::to_string(a.group));
  WEBCNN_ASSIGN(a.kernel_shape, node.attr_ints("kernel_shape", {}));
  WEBCNN_ASSIGN(a.strides, node.attr_ints("strides", {}));
  WEBCNN_ASSIGN(a.dilations, node.attr_ints("dilations", {}));
  WEBCNN_ASSIGN(a.pads, node.attr_ints("pads", {}));
  if (transpose) {
    WEBCNN_ASSIGN(a.output_padding, node.attr_ints("output_padding", {}));
    WEBCNN_ASSIGN(a.output_shape, node.attr_ints("output_shape", {}));
  }
  for (int64_t v : a.kernel_shape)
    if (v < 1 || v > kMaxSpatialAttr) return node.error("kernel_shape values must be positive");
  for (int64_t v : a.strides)
    if (v < 1 || v > kMaxSpatialAttr) return node.error("strides must be positive, got " + std::to_string(v));
  for (int64_t v : a.dilations)
    if (v < 1 || v > kMaxSpatialAttr) return node.error("dilations must be positive, got " + std::to_string(v));
  for (int64_t v : a.pads)
    if (v < 0 || v > kMaxSpatialAttr) return node.error("pads must be non-negative, got " + std::to_string(v));
  for (int64_t v : a.output_padding)
    if (v < 0 || v > kMaxSpatialAttr) return node.error("output_padding must be non-negative");
  for (int64_t v : a.output_shape)
    if (v < 0 || v > kMaxSpatialAttr) return node.error("output_shape values must be non-negative");
  WEBCNN_ASSIGN(a.act, fused_activation_from_node(node));
  return a;
}

ImageDims image_dims(const Shape& s, Layout layout) {
  ImageDims d;
  d.n = s[0];
  if (s.size() == 3) {
    d.c = layout == Layout::kNCHW ? s[1] : s[2];
    d.w = layout == Layout::kNCHW ? s[2] : s[1];
  } else {
    d.c = layout == Layout::kNCHW ? s[1] : s[3];
    d.h = layout == Layout::kNCHW ? s[2] : s[1];
    d.w = layout == Layout::kNCHW ? s[3] : s[2];
  }
  return d;
}

Shape image_shape(const ImageDims& d, size_t rank, Layout layout) {
  if (rank == 3) return layout == Layout::kNCHW ? Shape{d.n, d.c, d.w} : Shape{d.n, d.w, d.c};
  return layout == Layout::kNCHW ? Shape{d.n, d.c, d.h, d.w} : Shape{d.n, d.h, d.w, d.c};
}

Status resolve_geometry(const Node& node, const ConvAttrs& a, bool transpose, const std::vector<ValueInfo>& in,
                        Geometry& g) {
  // A 4th input, the residual, exists only on Convs made by the fuse_residual_add pass (which marks them).
  WEBCNN_TRY(expect_inputs(node, in, 2, transpose || !node.has_attr("fused_residual") ? 3 : 4));
  WEBCNN_TRY(expect_dtype(node, in[0], DataType::kFloat32, "input X"));
  WEBCNN_TRY(expect_dtype(node, in[1], DataType::kFloat32, "weight W"));
  const Shape& xs = in[0].shape;
  const Shape& ws = in[1].shape;
  if (xs.size() == 5) return node.error("unsupported: 3-D convolution (input " + shape_to_string(xs) + ")");
  if (xs.size() != 3 && xs.size() != 4)
    return node.error("input must have rank 3 (1-D) or 4 (2-D), got " + shape_to_string(xs));
  if (ws.size() != xs.size())
    return node.error("weight " + shape_to_string(ws) + " must have the input's rank " + std::to_string(xs.size()));
  for (int64_t d : xs)
    if (d < 1) return node.error("input " + shape_to_string(xs) + " has an empty dimension");
  for (int64_t d : ws)
    if (d < 1) return node.error("weight " + shape_to_string(ws) + " has an empty dimension");
  const size_t spatial = xs.size() - 2;
  g.in = image_dims(xs, a.layout);
  g.kernel_h = spatial == 2 ? ws[2] : 1;
  g.kernel_w = ws.back();
  if (!a.kernel_shape.empty()) {
    int64_t kh, kw;
    WEBCNN_TRY(spatial_list(node, "kernel_shape", a.kernel_shape, spatial, 1, kh, kw));
    if (kh != g.kernel_h || kw != g.kernel_w)
      return node.error("kernel_shape attribute disagrees with weight " + shape_to_string(ws));
  }
  const int64_t group = a.group;
  int64_t out_c;
  if (!transpose) {
    if (ws[1] * group != g.in.c)
      return node.error("weight " + shape_to_string(ws) + " with group " + std::to_string(group) + " expects " +
                        std::to_string(ws[1] * group) + " input channels, input has " + std::to_string(g.in.c));
    if (ws[0] % group != 0)
      return node.error("weight's " + std::to_string(ws[0]) + " output channels are not divisible by group " +
                        std::to_string(group));
    out_c = ws[0];
  } else {
    if (ws[0] != g.in.c)
      return node.error("weight " + shape_to_string(ws) + " expects " + std::to_string(ws[0]) +
                        " input channels, input has " + std::to_string(g.in.c));
    if (g.in.c % group != 0)
      return node.error("input channels " + std::to_string(g.in.c) + " are not divisible by group " +
                        std::to_string(group));
    out_c = ws[1] * group;
  }
  if (in.size() > 2 && in[2].present) {
    WEBCNN_TRY(expect_dtype(node, in[2], DataType::kFloat32, "bias B"));
    if (in[2].shape != Shape{out_c})
      return node.error("bias " + shape_to_string(in[2].shape) + " must be [" + std::to_string(out_c) + "]");
  }

  WEBCNN_TRY(spatial_list(node, "strides", a.strides, spatial, 1, g.stride_h, g.stride_w));
  WEBCNN_TRY(spatial_list(node, "dilations", a.dilations, spatial, 1, g.dilation_h, g.dilation_w));
  int64_t pads[4] = {0, 0, 0, 0};  // top, left, bottom, right
  if (!a.pads.empty() && a.auto_pad == AutoPad::kNotSet) {
    if (a.pads.size() != 2 * spatial)
      return node.error("pads has " + std::to_string(a.pads.size()) + " values, expected " +
                        std::to_string(2 * spatial));
    if (spatial == 2) {
      pads[0] = a.pads[0], pads[1] = a.pads[1], pads[2] = a.pads[2], pads[3] = a.pads[3];
    } else {
      pads[1] = a.pads[0], pads[3] = a.pads[1];
    }
  }
  const int64_t in_size[2] = {g.in.h, g.in.w}, kernel[2] = {g.kernel_h, g.kernel_w};
  const int64_t stride[2] = {g.stride_h, g.stride_w}, dilation[2] = {g.dilation_h, g.dilation_w};
  int64_t out_size[2];
  int64_t output_padding[2], output_shape[2] = {-1, -1};
  WEBCNN_TRY(spatial_list(node, "output_padding", a.output_padding, spatial, 0, output_padding[0], output_padding[1]));
  if (!a.output_shape.empty()) {
    // Some exporters write the full [N, C, ...] shape; the spatial dims are the last ones.
    if (a.output_shape.size() != spatial && a.output_shape.size() != spatial + 2)
      return node.error("output_shape has " + std::to_string(a.output_shape.size()) + " values for " +
                        std::to_string(spatial) + " spatial dims");
    output_shape[0] = spatial == 2 ? a.output_shape[a.output_shape.size() - 2] : 1;
    output_shape[1] = a.output_shape.back();
  }
  for (int i = 0; i < 2; ++i) {
    const int64_t extent = (kernel[i] - 1) * dilation[i] + 1;  // span of the dilated filter
    int64_t& begin = pads[i];
    int64_t& end = pads[i + 2];
    if (!transpose) {
      if (a.auto_pad == AutoPad::kSameUpper || a.auto_pad == AutoPad::kSameLower) {
        const int64_t out = (in_size[i] + stride[i] - 1) / stride[i];
        const int64_t total = std::max<int64_t>(0, (out - 1) * stride[i] + extent - in_size[i]);
        begin = a.auto_pad == AutoPad::kSameUpper ? total / 2 : total - total / 2;
        end = total - begin;
      }
      const int64_t padded = in_size[i] + begin + end;
      if (padded < extent)
        return node.error("dilated kernel extent " + std::to_string(extent) + " exceeds the padded input size " +
                          std::to_string(padded));
      out_size[i] = (padded - extent) / stride[i] + 1;
    } else {
      const int64_t full = stride[i] * (in_size[i] - 1) + output_padding[i] + extent;
      if (output_shape[i] >= 0 || a.auto_pad == AutoPad::kSameUpper || a.auto_pad == AutoPad::kSameLower) {
        // Padding follows from the requested size (ONNX: output_shape, or input × stride for SAME_*).
        const int64_t out = output_shape[i] >= 0 ? output_shape[i] : in_size[i] * stride[i];
        const int64_t total = full - out;  // may be negative: the output extends past the last tap
        if (a.auto_pad == AutoPad::kSameUpper) {
          begin = floor_div(total, 2);
          end = total - begin;
        } else {
          end = floor_div(total, 2);
          begin = total - end;
        }
      }
      out_size[i] = full - begin - end;
      if (out_size[i] < 1)
        return node.error("output size " + std::to_string(out_size[i]) + " along a spatial axis is not positive");
    }
  }
  g.pad_top = pads[0], g.pad_left = pads[1], g.pad_bottom = pads[2], g.pad_right = pads[3];
  g.out = {g.in.n, out_c, out_size[0], out_size[1]};
  return Status::ok();
}

int64_t tile_pixels(int64_t row_floats, int64_t pixels) {
  int64_t t = std::max<int64_t>(16, (int64_t{32} << 10) / std::max<int64_t>(1, row_floats));
  t = t / 4 * 4;
  return std::min(t, pixels);
}

Status nchw_run_error(const std::string& who) {
  return Status::error(who + ": internal: NCHW Conv must go through convert_to_nhwc");
}

int64_t conv_macs(const Node& n, const Graph& g) {
  if (n.inputs.size() < 2) return 0;
  const Shape& w = g.value(n.inputs[1]).shape;
  if (w.empty() || w[0] == 0) return 0;
  const int64_t per_output = num_elements(w) / w[0];
  return per_output *
         (n.op == "Conv" ? num_elements(g.value(n.outputs[0]).shape) : num_elements(g.value(n.inputs[0]).shape));
}

}  // namespace conv_geometry
}  // namespace webcnn
