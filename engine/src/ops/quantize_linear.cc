// QuantizeLinear / DequantizeLinear: semantics in quantize_linear.h. The kernels walk the data as
// [outer, channels, inner] (channels = 1 per tensor) so the scale and zero point are fixed along each row.
#include "ops/quantize_linear.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "ops/constant_inputs.h"
#include "ops/kernel.h"
#include "ops/op_families.h"
#include "ops/qlinear_params.h"

namespace webcnn {
namespace {

// ONNX's TensorProto.DataType numbers of the 8-bit types (QuantizeLinear's opset-21 output_dtype).
constexpr int64_t kOnnxUInt8 = 2, kOnnxInt8 = 3;

// x / scale rounded half to even, plus the zero point, saturated (the ONNX definition; nearbyint rounds
// half to even in the default rounding mode).
template <typename Q>
Q quantize_one(float x, float scale, int32_t zero_point, DataType t) {
  const float q = std::nearbyint(x / scale);
  return static_cast<Q>(saturate_to(t, q + static_cast<float>(zero_point), zero_point));
}

// Reads a per-tensor or per-axis (scale, zero point) pair: one value each, or `channels` of them.
struct AxisQuant {
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
};

void read_axis_quant(const KernelIO& io, size_t count, AxisQuant& q) {
  q.scale.assign(io.in[1].as<const float>(), io.in[1].as<const float>() + count);
  q.zero_point.assign(count, 0);
  if (io.num_in > 2 && io.in[2].data) {
    const TensorView& z = io.in[2];
    for (size_t i = 0; i < count; ++i)
      q.zero_point[i] = z.dtype == DataType::kInt8    ? z.as<const int8_t>()[i]
                        : z.dtype == DataType::kUInt8 ? z.as<const uint8_t>()[i]
                                                      : z.as<const int32_t>()[i];
  }
}

// Checks the scale / zero point inputs (1, 2) against x (input 0) and resolves the axis: per-tensor when
// the scale has one element and rank <= 1.
Status check_axis_params(const Node& node, const std::vector<ValueInfo>& in, DataType zp_dtype, int64_t axis_attr,
                         int64_t& outer, int64_t& channels, int64_t& inner) {
  const Shape& x = in[0].shape;
  const ValueInfo& s = in[1];
  if (s.dtype != DataType::kFloat32)
    return node.error(std::string("scale must be float32, got ") + dtype_name(s.dtype));
  if (s.shape.size() > 1) return node.error("scale must be a scalar or 1-D, got shape " + shape_to_string(s.shape));
  if (in.size() > 2 && in[2].present) {
    if (in[2].dtype != zp_dtype)
      return node.error("zero point must be " + std::string(dtype_name(zp_dtype)) + ", got " + dtype_name(in[2].dtype));
    if (in[2].shape != s.shape)
      return node.error("zero point shape " + shape_to_string(in[2].shape) + " differs from scale shape " +
                        shape_to_string(s.shape));
  }
  outer = num_elements(x);
  channels = 1;
  inner = 1;
  if (num_elements(s.shape) == 1) return Status::ok();  // per tensor (a scalar or one-element scale)
  if (s.shape.empty()) return node.error("scale must have one element");
  const int64_t rank = static_cast<int64_t>(x.size());
  if (axis_attr < -rank || axis_attr >= rank)
    return node.error("axis " + std::to_string(axis_attr) + " is out of range for input rank " + std::to_string(rank));
  const size_t a = static_cast<size_t>(axis_attr < 0 ? axis_attr + rank : axis_attr);
  if (s.shape[0] != x[a])
    return node.error("scale has " + std::to_string(s.shape[0]) + " values, input " + shape_to_string(x) + " has " +
                      std::to_string(x[a]) + " along axis " + std::to_string(a));
  outer = 1;
  for (size_t i = 0; i < a; ++i) outer *= x[i];
  channels = x[a];
  inner = 1;
  for (size_t i = a + 1; i < x.size(); ++i) inner *= x[i];
  return Status::ok();
}

class QuantizeLinearKernel final : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    auto k = std::make_unique<QuantizeLinearKernel>();
    WEBCNN_ASSIGN(k->axis_, node.attr_int("axis", 1));
    WEBCNN_ASSIGN(int64_t output_dtype, node.attr_int("output_dtype", 0));
    if (output_dtype == kOnnxInt8) k->attr_out_ = DataType::kInt8;
    else if (output_dtype != 0 && output_dtype != kOnnxUInt8)
      return node.error("unsupported output_dtype " + std::to_string(output_dtype) + " (uint8 and int8 are)");
    if (node.has_attr("block_size") && node.attr_int("block_size", 0).value() != 0)
      return node.error("unsupported: blocked quantization (block_size)");
    return std::unique_ptr<Kernel>(std::move(k));
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 3));
    WEBCNN_TRY(expect_dtype(node, in[0], DataType::kFloat32, "input x"));
    out_ = zero_point_dtype(in, 2, attr_out_);
    if (!is_8bit(out_)) return node.error("zero point must be uint8 or int8, got " + std::string(dtype_name(out_)));
    WEBCNN_TRY(check_axis_params(node, in, out_, axis_, outer_, channels_, inner_));
    out[0].dtype = out_;
    out[0].shape = in[0].shape;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    read_axis_quant(io, static_cast<size_t>(channels_), q_);
    if (out_ == DataType::kUInt8) quantize<uint8_t>(io);
    else quantize<int8_t>(io);
    return Status::ok();
  }

 private:
  template <typename Q>
  void quantize(const KernelIO& io) const {
    const float* x = io.in[0].as<const float>();
    Q* y = io.out[0].as<Q>();
    // The inline quantize_value with the type's bounds hoisted (quantize_one's out-of-line saturate_to per
    // element made a 224×224×3 input cost 2.6 ms in wasm); the same roundings and NaN rule.
    const float lo = static_cast<float>(quant_min(out_)), hi = static_cast<float>(quant_max(out_));
    for (int64_t o = 0; o < outer_; ++o)
      for (int64_t c = 0; c < channels_; ++c) {
        const float s = q_.scale[static_cast<size_t>(c)];
        const int32_t z = q_.zero_point[static_cast<size_t>(c)];
        const int64_t base = (o * channels_ + c) * inner_;
        for (int64_t i = 0; i < inner_; ++i) y[base + i] = static_cast<Q>(quantize_value(x[base + i], s, z, lo, hi));
      }
  }

  int64_t axis_ = 1;
  DataType attr_out_ = DataType::kUInt8, out_ = DataType::kUInt8;
  int64_t outer_ = 0, channels_ = 1, inner_ = 1;
  AxisQuant q_;
};

class DequantizeLinearKernel final : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    auto k = std::make_unique<DequantizeLinearKernel>();
    WEBCNN_ASSIGN(k->axis_, node.attr_int("axis", 1));
    if (node.has_attr("block_size") && node.attr_int("block_size", 0).value() != 0)
      return node.error("unsupported: blocked quantization (block_size)");
    return std::unique_ptr<Kernel>(std::move(k));
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 3));
    in_ = in[0].dtype;
    if (!is_8bit(in_) && in_ != DataType::kInt32)
      return node.error("input x must be uint8, int8 or int32, got " + std::string(dtype_name(in_)));
    WEBCNN_TRY(check_axis_params(node, in, in_, axis_, outer_, channels_, inner_));
    if (in_ == DataType::kInt32 && optional_present(in, 2) && in[2].constant) {
      for (int64_t z : in[2].constant->to_int64_vector())
        if (z != 0) return node.error("an int32 input's zero point must be 0, got " + std::to_string(z));
    }
    out[0].dtype = DataType::kFloat32;
    out[0].shape = in[0].shape;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    read_axis_quant(io, static_cast<size_t>(channels_), q_);
    switch (in_) {
      case DataType::kUInt8: dequantize<uint8_t>(io); break;
      case DataType::kInt8: dequantize<int8_t>(io); break;
      default: dequantize<int32_t>(io); break;
    }
    return Status::ok();
  }

 private:
  template <typename Q>
  void dequantize(const KernelIO& io) const {
    const Q* x = io.in[0].as<const Q>();
    float* y = io.out[0].as<float>();
    for (int64_t o = 0; o < outer_; ++o)
      for (int64_t c = 0; c < channels_; ++c) {
        const float s = q_.scale[static_cast<size_t>(c)];
        const int64_t z = q_.zero_point[static_cast<size_t>(c)];
        const int64_t base = (o * channels_ + c) * inner_;
        for (int64_t i = 0; i < inner_; ++i) y[base + i] = dequantize_value(x[base + i], z, s);
      }
  }

  int64_t axis_ = 1;
  DataType in_ = DataType::kUInt8;
  int64_t outer_ = 0, channels_ = 1, inner_ = 1;
  AxisQuant q_;
};

// DynamicQuantizeLinear(x f32) -> y uint8, y_scale, y_zero_point: the range [min(0, min x), max(0, max x)]
// mapped onto [0, 255] (scale = range / 255, zero point = round(-min / scale), both rounded half to even as
// ONNX's numpy definition), then QuantizeLinear. An all-zero (or empty) x gives scale 0, zero point 0, y 0.
class DynamicQuantizeLinearKernel final : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node&) {
    return std::unique_ptr<Kernel>(new DynamicQuantizeLinearKernel());
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    WEBCNN_TRY(expect_dtype(node, in[0], DataType::kFloat32, "input x"));
    if (out.size() != 3)
      return node.error("expects 3 outputs (y, y_scale, y_zero_point), got " + std::to_string(out.size()));
    out[0].dtype = DataType::kUInt8;
    out[0].shape = in[0].shape;
    out[1].dtype = DataType::kFloat32;
    out[1].shape = {};
    out[2].dtype = DataType::kUInt8;
    out[2].shape = {};
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    const float* x = io.in[0].as<const float>();
    const int64_t n = io.in[0].size();
    float lo = 0, hi = 0;
    for (int64_t i = 0; i < n; ++i) {
      lo = std::min(lo, x[i]);
      hi = std::max(hi, x[i]);
    }
    const float scale = (hi - lo) / 255.0f;
    const int32_t zero_point = scale > 0 ? saturate_to(DataType::kUInt8, std::nearbyint(-lo / scale), 0) : 0;
    uint8_t* y = io.out[0].as<uint8_t>();
    for (int64_t i = 0; i < n; ++i)
      y[i] = scale > 0 ? quantize_one<uint8_t>(x[i], scale, zero_point, DataType::kUInt8) : 0;
    if (io.num_out > 1 && io.out[1].data) io.out[1].as<float>()[0] = scale;
    if (io.num_out > 2 && io.out[2].data) io.out[2].as<uint8_t>()[0] = static_cast<uint8_t>(zero_point);
    return Status::ok();
  }
};

// The index along `axis` of flat element i, or 0 per tensor.
size_t channel_of(const Shape& shape, size_t count, int64_t axis, int64_t i) {
  if (count == 1) return 0;
  const size_t a = static_cast<size_t>(axis < 0 ? axis + static_cast<int64_t>(shape.size()) : axis);
  int64_t inner = 1;
  for (size_t d = a + 1; d < shape.size(); ++d) inner *= shape[d];
  return static_cast<size_t>((i / inner) % shape[a]);
}

}  // namespace

namespace reference {

Tensor quantize_linear(const Tensor& x, const std::vector<float>& scale, const std::vector<int32_t>& zero_point,
                       int64_t axis, DataType out) {
  Tensor y(out, x.shape());
  for (int64_t i = 0; i < x.size(); ++i) {
    const size_t c = channel_of(x.shape(), scale.size(), axis, i);
    const double r = std::nearbyint(static_cast<double>(x.data<float>()[i] / scale[c]));  // the float quotient
    double v = std::isnan(r) ? zero_point[c] : r + zero_point[c];
    v = std::min<double>(std::max<double>(v, quant_min(out)), quant_max(out));
    if (out == DataType::kUInt8) y.data<uint8_t>()[i] = static_cast<uint8_t>(v);
    else y.data<int8_t>()[i] = static_cast<int8_t>(v);
  }
  return y;
}

Tensor dequantize_linear(const Tensor& x, const std::vector<float>& scale, const std::vector<int32_t>& zero_point,
                         int64_t axis) {
  Tensor y(DataType::kFloat32, x.shape());
  for (int64_t i = 0; i < x.size(); ++i) {
    const size_t c = channel_of(x.shape(), scale.size(), axis, i);
    int64_t q = 0;
    switch (x.dtype()) {
      case DataType::kUInt8: q = x.data<uint8_t>()[i]; break;
      case DataType::kInt8: q = x.data<int8_t>()[i]; break;
      default: q = x.data<int32_t>()[i]; break;
    }
    y.data<float>()[i] = static_cast<float>(q - zero_point[c]) * scale[c];
  }
  return y;
}

}  // namespace reference

void register_quantize_linear_ops(OpRegistry& r) {
  r.add("QuantizeLinear", QuantizeLinearKernel::create);
  r.add("DequantizeLinear", DequantizeLinearKernel::create);
  r.add("DynamicQuantizeLinear", DynamicQuantizeLinearKernel::create);
}

}  // namespace webcnn
