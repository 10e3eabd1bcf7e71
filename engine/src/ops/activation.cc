// Activation ops: semantics in activation.h.
//
// The piecewise-linear ones run on the active kernel table's f32_v* kernels (kernels/f32_vunary.cc:
// f32x4 with a scalar tail that computes the identical expression, NaN inputs stay NaN). The exponential
// ones call exp per element (see tanh_float in kernels/fused_activation.h).
#include "ops/activation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "kernels/kernel_table.h"
#include "ops/broadcast.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {
namespace {

// ---------------------------------------------------------------------------------------------
// Element-wise activations with only attributes.

enum class Kind {
  kRelu,
  kLeakyRelu,
  kSigmoid,
  kTanh,
  kHardSigmoid,
  kHardSwish,
  kElu,
  kSelu,
  kCelu,
  kThresholdedRelu,
  kSoftplus,
  kSoftsign
};

struct Params {
  float alpha = 0, beta = 0, gamma = 0;
};

// log(1 + e^x) without overflow: x + log1p(e^-x) for x > 0.
inline float softplus(float x) {
  const double e = std::exp(-std::fabs(static_cast<double>(x)));  // in (0, 1]: no overflow
  return static_cast<float>((x > 0 ? static_cast<double>(x) : 0.0) + std::log1p(e));
}

class ActivationKernel : public Kernel {
 public:
  ActivationKernel(Kind kind, Params p) : kind_(kind), p_(p) {}

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    dtype_ = in[0].dtype;
    const bool ints_ok = kind_ == Kind::kRelu && (dtype_ == DataType::kInt32 || dtype_ == DataType::kInt64);
    if (dtype_ != DataType::kFloat32 && !ints_ok)
      return node.error(std::string("does not support ") + dtype_name(dtype_) + " input");
    out[0].dtype = dtype_;
    out[0].shape = in[0].shape;
    return Status::ok();
  }

  Status run(const KernelIO& io) override {
    const int64_t n = io.out[0].size();
    if (dtype_ == DataType::kInt32) return relu_integers(io.in[0].as<const int32_t>(), io.out[0].as<int32_t>(), n);
    if (dtype_ == DataType::kInt64) return relu_integers(io.in[0].as<const int64_t>(), io.out[0].as<int64_t>(), n);
    const float* x = io.in[0].as<const float>();
    float* y = io.out[0].as<float>();
    const size_t count = static_cast<size_t>(n);
    switch (kind_) {
      case Kind::kRelu: kernels::active().f32_vrelu(count, x, y); break;
      case Kind::kLeakyRelu: kernels::active().f32_vlrelu(count, x, p_.alpha, y); break;
      case Kind::kHardSigmoid: kernels::active().f32_vhardsigmoid(count, x, p_.alpha, p_.beta, y); break;
      case Kind::kHardSwish: kernels::active().f32_vhardswish(count, x, y); break;
      case Kind::kSigmoid:
        for (int64_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
        break;
      case Kind::kTanh:
        for (int64_t i = 0; i < n; ++i) y[i] = tanh_float(x[i]);
        break;
      case Kind::kElu:
        for (int64_t i = 0; i < n; ++i) y[i] = x[i] < 0 ? p_.alpha * expm1_float(x[i]) : x[i];
        break;
      case Kind::kSelu:
        for (int64_t i = 0; i < n; ++i) y[i] = p_.gamma * (x[i] > 0 ? x[i] : p_.alpha * expm1_float(x[i]));
        break;
      case Kind::kCelu:
        for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0 ? x[i] : p_.alpha * expm1_float(x[i] / p_.alpha);
        break;
      case Kind::kThresholdedRelu:
        for (int64_t i = 0; i < n; ++i) y[i] = x[i] > p_.alpha ? x[i] : 0.0f;
        break;
      case Kind::kSoftplus:
        for (int64_t i = 0; i < n; ++i) y[i] = softplus(x[i]);
        break;
      case Kind::kSoftsign:
        for (int64_t i = 0; i < n; ++i) y[i] = x[i] / (1.0f + std::fabs(x[i]));
        break;
    }
    return Status::ok();
  }

 private:
  template <typename T>
  static Status relu_integers(const T* x, T* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] < 0 ? T(0) : x[i];
    return Status::ok();
  }

  Kind kind_;
  Params p_;
  DataType dtype_ = DataType::kFloat32;
};

struct ActivationSpec {
  const char* name;
  Kind kind;
  float default_alpha, default_beta, default_gamma;  // ONNX defaults of the attributes the op reads
};

constexpr ActivationSpec kActivationSpecs[] = {
    {"Relu", Kind::kRelu, 0, 0, 0},
    {"LeakyRelu", Kind::kLeakyRelu, 0.01f, 0, 0},
    {"Sigmoid", Kind::kSigmoid, 0, 0, 0},
    {"Tanh", Kind::kTanh, 0, 0, 0},
    {"HardSigmoid", Kind::kHardSigmoid, 0.2f, 0.5f, 0},
    {"HardSwish", Kind::kHardSwish, 0, 0, 0},
    {"Elu", Kind::kElu, 1.0f, 0, 0},
    {"Selu", Kind::kSelu, 1.67326319217681884765625f, 0, 1.05070102214813232421875f},
    {"Celu", Kind::kCelu, 1.0f, 0, 0},
    {"ThresholdedRelu", Kind::kThresholdedRelu, 1.0f, 0, 0},
    {"Softplus", Kind::kSoftplus, 0, 0, 0},
    {"Softsign", Kind::kSoftsign, 0, 0, 0},
};

Result<std::unique_ptr<Kernel>> create_activation(const Node& node) {
  for (const ActivationSpec& s : kActivationSpecs) {
    if (node.op != s.name) continue;
    Params p;
    WEBCNN_ASSIGN(p.alpha, node.attr_float("alpha", s.default_alpha));
    WEBCNN_ASSIGN(p.beta, node.attr_float("beta", s.default_beta));
    WEBCNN_ASSIGN(p.gamma, node.attr_float("gamma", s.default_gamma));
    if (!std::isfinite(p.alpha) || !std::isfinite(p.beta) || !std::isfinite(p.gamma))
      return node.error("alpha, beta and gamma must be finite");
    if (s.kind == Kind::kCelu && p.alpha == 0) return node.error("alpha must not be 0");
    return std::unique_ptr<Kernel>(new ActivationKernel(s.kind, p));
  }
  return node.error("is not an activation op");
}

// ---------------------------------------------------------------------------------------------
// Clip(X, min?, max?): bounds are one-element tensors of X's type, read at run time (they are
// usually constants, but nothing requires it).

template <typename T>
T bound_or(const TensorView& v, T fallback) {
  return v.data ? v.as<const T>()[0] : fallback;
}

class ClipKernel : public Kernel {
 public:
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 3));
    dtype_ = in[0].dtype;
    if (dtype_ != DataType::kFloat32 && dtype_ != DataType::kInt32 && dtype_ != DataType::kInt64 &&
        dtype_ != DataType::kInt8 && dtype_ != DataType::kUInt8)
      return node.error(std::string("does not support ") + dtype_name(dtype_) + " input");
    for (size_t i = 1; i < in.size(); ++i) {
      if (!in[i].present) continue;
      const char* what = i == 1 ? "min" : "max";
      if (in[i].dtype != dtype_)
        return node.error(std::string(what) + " is " + dtype_name(in[i].dtype) + ", input is " + dtype_name(dtype_));
      if (num_elements(in[i].shape) != 1)
        return node.error(std::string(what) + " must be a scalar, got shape " + shape_to_string(in[i].shape));
    }
    out[0].dtype = dtype_;
    out[0].shape = in[0].shape;
    return Status::ok();
  }

  Status run(const KernelIO& io) override {
    const TensorView none{};
    const TensorView& lo = io.num_in > 1 ? io.in[1] : none;
    const TensorView& hi = io.num_in > 2 ? io.in[2] : none;
    const int64_t n = io.out[0].size();
    switch (dtype_) {
      case DataType::kFloat32:
        // min(hi, max(lo, x)); when lo > hi every element becomes hi, as ONNX specifies.
        kernels::active().f32_vclamp(static_cast<size_t>(n), io.in[0].as<const float>(), bound_or(lo, -INFINITY),
                                     bound_or(hi, INFINITY), io.out[0].as<float>());
        break;
      case DataType::kInt32: clip_integers<int32_t>(io.in[0], io.out[0], lo, hi); break;
      case DataType::kInt8: clip_integers<int8_t>(io.in[0], io.out[0], lo, hi); break;
      case DataType::kUInt8: clip_integers<uint8_t>(io.in[0], io.out[0], lo, hi); break;
      default: clip_integers<int64_t>(io.in[0], io.out[0], lo, hi); break;
    }
    return Status::ok();
  }

 private:
  template <typename T>
  static void clip_integers(const TensorView& in, const TensorView& out, const TensorView& lo_v,
                            const TensorView& hi_v) {
    const T lo = bound_or(lo_v, std::numeric_limits<T>::lowest()), hi = bound_or(hi_v, std::numeric_limits<T>::max());
    const T* x = in.as<const T>();
    T* y = out.as<T>();
    const int64_t n = out.size();
    for (int64_t i = 0; i < n; ++i) {
      T m = x[i] < lo ? lo : x[i];
      y[i] = m > hi ? hi : m;
    }
  }

  DataType dtype_ = DataType::kFloat32;
};

// ---------------------------------------------------------------------------------------------
// PRelu(X, slope): slope broadcasts onto X (unidirectionally); y = x for x >= 0, slope * x below.

class PReluKernel : public Kernel {
 public:
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 2));
    WEBCNN_TRY(expect_dtype(node, in[0], DataType::kFloat32, "X"));
    WEBCNN_TRY(expect_dtype(node, in[1], DataType::kFloat32, "slope"));
    if (!broadcasts_to(in[1].shape, in[0].shape))
      return node.error("slope of shape " + shape_to_string(in[1].shape) + " does not broadcast to X of shape " +
                        shape_to_string(in[0].shape));
    loop_ = std::make_unique<StridedLoop<3>>(binary_broadcast_loop(in[0].shape, in[0].shape, in[1].shape));
    out[0].dtype = DataType::kFloat32;
    out[0].shape = in[0].shape;
    return Status::ok();
  }

  Status run(const KernelIO& io) override {
    const float* x = io.in[0].as<const float>();
    const float* slope = io.in[1].as<const float>();
    float* y = io.out[0].as<float>();
    // X has the output's shape, so its step along a row is 1 like the output's.
    loop_->for_each_row([&](const std::array<int64_t, 3>& off, int64_t n, const std::array<int64_t, 3>& step) {
      prelu_row(x + off[1], slope + off[2], step[2], y + off[0], n);
    });
    return Status::ok();
  }

 private:
  static void prelu_row(const float* x, const float* s, int64_t s_step, float* y, int64_t n) {
    const size_t count = static_cast<size_t>(n);
    if (s_step == 1) kernels::active().f32_vprelu(count, x, s, y);
    else kernels::active().f32_vlrelu(count, x, s[0], y);  // one slope for the whole row (per-channel slope on NCHW)
  }

  std::unique_ptr<StridedLoop<3>> loop_;
};

Result<std::unique_ptr<Kernel>> create_clip(const Node&) { return std::unique_ptr<Kernel>(new ClipKernel()); }
Result<std::unique_ptr<Kernel>> create_prelu(const Node&) { return std::unique_ptr<Kernel>(new PReluKernel()); }

}  // namespace

// ---------------------------------------------------------------------------------------------

namespace reference {

Result<Tensor> activation(const Node& node, const std::vector<const Tensor*>& inputs) {
  if (inputs.empty() || !inputs[0]) return node.error("reference: no input");
  const Tensor& x = *inputs[0];
  Tensor y(x.dtype(), x.shape());
  const std::string& op = node.op;
  if (x.dtype() != DataType::kFloat32) {  // Relu and Clip on integers
    auto at = [&](const Tensor& t, int64_t i) -> int64_t {
      return t.dtype() == DataType::kInt32 ? t.data<int32_t>()[i] : t.data<int64_t>()[i];
    };
    for (int64_t i = 0; i < x.size(); ++i) {
      int64_t v = at(x, i);
      if (op == "Relu") v = std::max<int64_t>(v, 0);
      else if (op == "Clip") {
        if (inputs.size() > 1 && inputs[1]) v = std::max(v, at(*inputs[1], 0));
        if (inputs.size() > 2 && inputs[2]) v = std::min(v, at(*inputs[2], 0));
      } else {
        return node.error("reference: integer input");
      }
      if (x.dtype() == DataType::kInt32) y.data<int32_t>()[i] = static_cast<int32_t>(v);
      else y.data<int64_t>()[i] = v;
    }
    return y;
  }
  const float default_alpha = op == "LeakyRelu"     ? 0.01f
                              : op == "HardSigmoid" ? 0.2f
                              : op == "Selu"        ? 1.6732632423543772f
                                                    : 1.0f;
  WEBCNN_ASSIGN(float alpha_f, node.attr_float("alpha", default_alpha));
  WEBCNN_ASSIGN(float beta_f, node.attr_float("beta", 0.5f));
  WEBCNN_ASSIGN(float gamma_f, node.attr_float("gamma", 1.0507009873554805f));
  const double alpha = alpha_f, beta = beta_f, gamma = gamma_f;
  for (int64_t i = 0; i < x.size(); ++i) {
    const double v = x.data<float>()[i];
    double r;
    if (op == "Relu") r = std::isnan(v) ? v : std::max(v, 0.0);
    else if (op == "LeakyRelu") r = v < 0 ? alpha * v : v;
    else if (op == "PRelu")
      r = v < 0 ? inputs[1]->data<float>()[broadcast_source_offset(inputs[1]->shape(), x.shape(), i)] * v : v;
    else if (op == "Clip") {
      double lo = inputs.size() > 1 && inputs[1] ? inputs[1]->data<float>()[0] : -INFINITY;
      double hi = inputs.size() > 2 && inputs[2] ? inputs[2]->data<float>()[0] : INFINITY;
      r = std::isnan(v) ? v : std::min(std::max(v, lo), hi);
    } else if (op == "Sigmoid") r = 1.0 / (1.0 + std::exp(-v));
    else if (op == "Tanh") r = std::tanh(v);
    else if (op == "HardSigmoid") r = std::isnan(v) ? v : std::max(0.0, std::min(1.0, alpha * v + beta));
    else if (op == "HardSwish") r = std::isnan(v) ? v : v * std::max(0.0, std::min(1.0, v / 6.0 + 0.5));
    else if (op == "Elu") r = v < 0 ? alpha * (std::exp(v) - 1.0) : v;
    else if (op == "Selu") r = v > 0 ? gamma * v : gamma * alpha * (std::exp(v) - 1.0);
    else if (op == "Celu")
      r = std::isnan(v) ? v : std::max(0.0, v) + std::min(0.0, alpha * (std::exp(v / alpha) - 1.0));
    else if (op == "ThresholdedRelu") r = v > alpha ? v : 0;
    else if (op == "Softplus") r = std::log(1.0 + std::exp(v));
    else if (op == "Softsign") r = v / (1.0 + std::fabs(v));
    else return node.error("reference: not an activation");
    y.data<float>()[i] = static_cast<float>(r);
  }
  return y;
}

}  // namespace reference

namespace {

// OpTraits::ActivationFuser for the activations FusedActivation implements (fused_activation.h).
Result<bool> fuse_plain(const Graph&, const Node& act, std::map<std::string, Attribute>& fused) {
  if (act.inputs.size() != 1 || act.outputs.size() != 1) return false;
  fused["fused_activation"] = Attribute::of_string(act.op);
  return true;
}

Result<bool> fuse_clip(const Graph& g, const Node& act, std::map<std::string, Attribute>& fused) {
  if (act.inputs.size() > 3 || act.outputs.size() != 1) return false;
  float bounds[2] = {-INFINITY, INFINITY};
  for (size_t i = 1; i < act.inputs.size(); ++i) {
    const ValueId v = act.inputs[i];
    if (v == kNoValue) continue;
    const Value& bound = g.value(v);
    if (!bound.constant || bound.dtype != DataType::kFloat32 || bound.constant->size() != 1) return false;
    bounds[i - 1] = bound.constant->data<float>()[0];
  }
  fused["fused_activation"] = Attribute::of_string("Clip");
  fused["fused_min"] = Attribute::of_float(bounds[0]);
  fused["fused_max"] = Attribute::of_float(bounds[1]);
  return true;
}

Result<bool> fuse_leaky_relu(const Graph&, const Node& act, std::map<std::string, Attribute>& fused) {
  WEBCNN_ASSIGN(float alpha, act.attr_float("alpha", 0.01f));
  if (act.outputs.size() != 1) return false;
  fused["fused_activation"] = Attribute::of_string("LeakyRelu");
  fused["fused_alpha"] = Attribute::of_float(alpha);
  return true;
}

Result<bool> fuse_hard_sigmoid(const Graph&, const Node& act, std::map<std::string, Attribute>& fused) {
  WEBCNN_ASSIGN(float alpha, act.attr_float("alpha", 0.2f));
  WEBCNN_ASSIGN(float beta, act.attr_float("beta", 0.5f));
  if (act.outputs.size() != 1) return false;
  fused["fused_activation"] = Attribute::of_string("HardSigmoid");
  fused["fused_alpha"] = Attribute::of_float(alpha);
  fused["fused_beta"] = Attribute::of_float(beta);
  return true;
}

OpTraits::ActivationFuser fuser_of(Kind kind) {
  switch (kind) {
    case Kind::kRelu:
    case Kind::kSigmoid:
    case Kind::kTanh:
    case Kind::kHardSwish: return fuse_plain;
    case Kind::kLeakyRelu: return fuse_leaky_relu;
    case Kind::kHardSigmoid: return fuse_hard_sigmoid;
    default: return nullptr;  // FusedActivation lacks it
  }
}

}  // namespace

void register_activation_ops(OpRegistry& r) {
  for (const ActivationSpec& s : kActivationSpecs)
    r.add(s.name, create_activation, OpTraits::unary().fusing(fuser_of(s.kind)));
  r.add("Clip", create_clip, OpTraits::unary().fusing(fuse_clip));
  r.add("PRelu", create_prelu, OpTraits::broadcast());
}

}  // namespace webcnn
