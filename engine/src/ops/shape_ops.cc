// Ops that relabel a tensor's bytes or describe its shape: Reshape, Flatten, Squeeze, Unsqueeze,
// Identity, Dropout (inference), Shape, Size, Expand, ConstantOfShape.
//
// The relabelling ops report output_aliases_input(), so the planner gives their output the input's
// bytes and never runs them; run() still copies, for callers that do run them (e.g. on constants).
#include "ops/shape_ops.h"

#include <cstring>
#include <string>

#include "ops/constant_inputs.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {
namespace shape_ops {

Result<Shape> reshape_shape(const Shape& input, const std::vector<int64_t>& requested, bool allowzero) {
  WEBCNN_ASSIGN(int64_t total, checked_num_elements(input));
  Shape out(requested.size());
  int infer_at = -1;
  int64_t known = 1;  // product of the dims other than the inferred one
  bool has_zero = false;
  for (size_t i = 0; i < requested.size(); ++i) {
    int64_t d = requested[i];
    if (d == -1) {
      if (infer_at >= 0) return Status::error("shape " + shape_to_string(requested) + " has more than one -1");
      infer_at = static_cast<int>(i);
      continue;
    }
    if (d < -1)
      return Status::error("shape " + shape_to_string(requested) + " has invalid dimension " + std::to_string(d));
    if (d == 0 && !allowzero) {
      if (i >= input.size())
        return Status::error("shape " + shape_to_string(requested) + " copies dimension " + std::to_string(i) +
                             " (0) but the input " + shape_to_string(input) + " has rank " +
                             std::to_string(input.size()));
      d = input[i];
    }
    if (d == 0) has_zero = true;
    out[i] = d;
    if (d != 0 && known > kMaxElements / d)
      return Status::error("shape " + shape_to_string(requested) + " has more than 2^31-1 elements");
    known *= d;
  }
  if (infer_at >= 0) {
    if (has_zero)
      return Status::error("shape " + shape_to_string(requested) +
                           " has both -1 and a zero dimension, so -1 is ambiguous");
    if (total % known != 0)
      return Status::error("cannot reshape " + shape_to_string(input) + " (" + std::to_string(total) +
                           " elements) into " + shape_to_string(requested));
    out[static_cast<size_t>(infer_at)] = total / known;
    known = total;
  }
  if (known != total)
    return Status::error("cannot reshape " + shape_to_string(input) + " (" + std::to_string(total) +
                         " elements) into " + shape_to_string(out) + " (" + std::to_string(known) + " elements)");
  return out;
}

Result<Shape> flatten_shape(const Shape& input, int64_t axis) {
  const int64_t rank = static_cast<int64_t>(input.size());
  if (axis < -rank || axis > rank)
    return Status::error("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  if (axis < 0) axis += rank;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < rank; ++i) (i < axis ? outer : inner) *= input[static_cast<size_t>(i)];
  return Shape{outer, inner};
}

Result<Shape> squeeze_shape(const Shape& input, const std::vector<int64_t>* axes) {
  const int64_t rank = static_cast<int64_t>(input.size());
  std::vector<bool> drop(input.size(), false);
  if (!axes) {
    for (size_t i = 0; i < input.size(); ++i) drop[i] = input[i] == 1;
  } else {
    for (int64_t a : *axes) {
      if (a < -rank || a >= rank)
        return Status::error("axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
      size_t k = static_cast<size_t>(a < 0 ? a + rank : a);
      if (drop[k]) return Status::error("axis " + std::to_string(a) + " is listed twice");
      if (input[k] != 1)
        return Status::error("cannot squeeze axis " + std::to_string(a) + " of " + shape_to_string(input) +
                             ": its size is not 1");
      drop[k] = true;
    }
  }
  Shape out;
  for (size_t i = 0; i < input.size(); ++i)
    if (!drop[i]) out.push_back(input[i]);
  return out;
}

Result<Shape> unsqueeze_shape(const Shape& input, const std::vector<int64_t>& axes) {
  const int64_t out_rank = static_cast<int64_t>(input.size() + axes.size());
  std::vector<bool> inserted(static_cast<size_t>(out_rank), false);
  for (int64_t a : axes) {
    if (a < -out_rank || a >= out_rank)
      return Status::error("axis " + std::to_string(a) + " is out of range for output rank " +
                           std::to_string(out_rank));
    size_t k = static_cast<size_t>(a < 0 ? a + out_rank : a);
    if (inserted[k]) return Status::error("axis " + std::to_string(a) + " is listed twice");
    inserted[k] = true;
  }
  Shape out;
  size_t next = 0;
  for (size_t i = 0; i < inserted.size(); ++i) out.push_back(inserted[i] ? 1 : input[next++]);
  return out;
}

std::vector<int64_t> shape_slice(const Shape& input, int64_t start, int64_t end) {
  const int64_t rank = static_cast<int64_t>(input.size());
  auto clamp_index = [rank](int64_t i) {
    if (i < 0) i = i < -rank ? 0 : i + rank;
    return i > rank ? rank : i;
  };
  start = clamp_index(start);
  end = clamp_index(end);
  std::vector<int64_t> out;
  for (int64_t i = start; i < end; ++i) out.push_back(input[static_cast<size_t>(i)]);
  return out;
}

Result<Shape> broadcast_shape(const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()));
  for (size_t i = 0; i < out.size(); ++i) {
    // Right-aligned: a missing leading dim acts as 1.
    int64_t da = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    int64_t db = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    if (da != db && da != 1 && db != 1)
      return Status::error("shapes " + shape_to_string(a) + " and " + shape_to_string(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  WEBCNN_TRY(checked_num_elements(out).status());
  return out;
}

namespace reference {
void expand(const void* in, const Shape& in_shape, void* out, const Shape& out_shape, size_t element_size) {
  const size_t rank = out_shape.size(), lead = rank - in_shape.size();
  const int64_t n = num_elements(out_shape);
  // Input strides in elements, 0 where the input dim is broadcast.
  std::vector<int64_t> in_stride(rank, 0);
  int64_t s = 1;
  for (size_t i = rank; i-- > lead;) {
    in_stride[i] = in_shape[i - lead] == 1 ? 0 : s;
    s *= in_shape[i - lead];
  }
  std::vector<int64_t> idx(rank, 0);
  const char* src = static_cast<const char*>(in);
  char* dst = static_cast<char*>(out);
  for (int64_t o = 0; o < n; ++o) {
    int64_t off = 0;
    for (size_t i = 0; i < rank; ++i) off += idx[i] * in_stride[i];
    std::memcpy(dst + o * static_cast<int64_t>(element_size), src + off * static_cast<int64_t>(element_size),
                element_size);
    for (size_t i = rank; i-- > 0;) {
      if (++idx[i] < out_shape[i]) break;
      idx[i] = 0;
    }
  }
}
}  // namespace reference

}  // namespace shape_ops

namespace {

void copy_input_to_output(const KernelIO& io) {
  const TensorView& in = io.in[0];
  const TensorView& out = io.out[0];
  size_t bytes = static_cast<size_t>(out.size()) * dtype_size(out.dtype);
  if (bytes && out.data != in.data) std::memcpy(out.data, in.data, bytes);
}

// Base of the ops whose output 0 is input 0's bytes under a new shape.
class RelabelKernel : public Kernel {
 public:
  Status run(const KernelIO& io) override {
    copy_input_to_output(io);
    return Status::ok();
  }
  bool output_aliases_input() const override { return true; }

 protected:
  static void set_output(std::vector<ValueInfo>& outputs, DataType dtype, Shape shape) {
    outputs[0].dtype = dtype;
    outputs[0].shape = std::move(shape);
  }
};

class ReshapeKernel : public RelabelKernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    auto k = std::make_unique<ReshapeKernel>();
    WEBCNN_ASSIGN(int64_t allowzero, node.attr_int("allowzero", 0));
    k->allowzero_ = allowzero != 0;
    return std::unique_ptr<Kernel>(std::move(k));
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 2));
    WEBCNN_ASSIGN(std::vector<int64_t> requested, constant_ints(node, in[1], "shape"));
    auto shape = shape_ops::reshape_shape(in[0].shape, requested, allowzero_);
    if (!shape) return shape.status().with_context(node.describe());
    set_output(out, in[0].dtype, shape.value());
    return Status::ok();
  }

 private:
  bool allowzero_ = false;
};

class FlattenKernel : public RelabelKernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    auto k = std::make_unique<FlattenKernel>();
    WEBCNN_ASSIGN(k->axis_, node.attr_int("axis", 1));
    return std::unique_ptr<Kernel>(std::move(k));
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    auto shape = shape_ops::flatten_shape(in[0].shape, axis_);
    if (!shape) return shape.status().with_context(node.describe());
    set_output(out, in[0].dtype, shape.value());
    return Status::ok();
  }

 private:
  int64_t axis_ = 1;
};

class SqueezeKernel : public RelabelKernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    return std::unique_ptr<Kernel>(new SqueezeKernel());
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 2));
    Result<Shape> shape = Shape{};
    if (in.size() > 1 && in[1].present) {
      WEBCNN_ASSIGN(std::vector<int64_t> axes, constant_ints(node, in[1], "axes"));
      shape = shape_ops::squeeze_shape(in[0].shape, &axes);
    } else {
      shape = shape_ops::squeeze_shape(in[0].shape, nullptr);
    }
    if (!shape) return shape.status().with_context(node.describe());
    set_output(out, in[0].dtype, shape.value());
    return Status::ok();
  }
};

class UnsqueezeKernel : public RelabelKernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    return std::unique_ptr<Kernel>(new UnsqueezeKernel());
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 2));
    WEBCNN_ASSIGN(std::vector<int64_t> axes, constant_ints(node, in[1], "axes"));
    auto shape = shape_ops::unsqueeze_shape(in[0].shape, axes);
    if (!shape) return shape.status().with_context(node.describe());
    set_output(out, in[0].dtype, shape.value());
    return Status::ok();
  }
};

class IdentityKernel : public RelabelKernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    return std::unique_ptr<Kernel>(new IdentityKernel());
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    set_output(out, in[0].dtype, in[0].shape);
    return Status::ok();
  }
};

// Dropout at inference: the identity, plus an all-true mask when the graph asks for it. Training mode
// (random masking) is refused unless the ratio is a constant 0, where it is the identity too.
class DropoutKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    return std::unique_ptr<Kernel>(new DropoutKernel());
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 3));
    if (in.size() > 2 && in[2].present) {
      if (!in[2].constant || in[2].constant->size() != 1) return node.error("training_mode must be a constant scalar");
      if (in[2].constant->to_int64_vector()[0] != 0) {
        bool zero_ratio = in.size() > 1 && in[1].present && in[1].constant && in[1].constant->size() == 1 &&
                          in[1].constant->to_float_vector()[0] == 0.0f;
        if (!zero_ratio) return node.error("unsupported: training mode with a non-zero ratio (random dropout)");
      }
    }
    out[0].dtype = in[0].dtype;
    out[0].shape = in[0].shape;
    mask_ = out.size() > 1 && out[1].present;
    if (mask_) {
      out[1].dtype = DataType::kBool;
      out[1].shape = in[0].shape;
    }
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    copy_input_to_output(io);
    if (mask_) std::memset(io.out[1].data, 1, static_cast<size_t>(io.out[1].size()));
    return Status::ok();
  }
  // With a mask to fill, run() must be called, so no aliasing then.
  bool output_aliases_input() const override { return !mask_; }

 private:
  bool mask_ = false;
};

class ShapeKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    auto k = std::make_unique<ShapeKernel>();
    WEBCNN_ASSIGN(k->start_, node.attr_int("start", 0));
    WEBCNN_ASSIGN(k->end_, node.attr_int("end", INT64_MAX));
    return std::unique_ptr<Kernel>(std::move(k));
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    dims_ = shape_ops::shape_slice(in[0].shape, start_, end_);
    out[0].dtype = DataType::kInt64;
    out[0].shape = {static_cast<int64_t>(dims_.size())};
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    if (!dims_.empty()) std::memcpy(io.out[0].data, dims_.data(), dims_.size() * sizeof(int64_t));
    return Status::ok();
  }

 private:
  int64_t start_ = 0, end_ = INT64_MAX;
  std::vector<int64_t> dims_;
};

class SizeKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) { return std::unique_ptr<Kernel>(new SizeKernel()); }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    WEBCNN_ASSIGN(size_, checked_num_elements(in[0].shape));
    out[0].dtype = DataType::kInt64;
    out[0].shape = {};
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    *io.out[0].as<int64_t>() = size_;
    return Status::ok();
  }

 private:
  int64_t size_ = 0;
};

class ExpandKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    return std::unique_ptr<Kernel>(new ExpandKernel());
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 2, 2));
    WEBCNN_ASSIGN(std::vector<int64_t> requested, constant_ints(node, in[1], "shape"));
    for (int64_t d : requested)
      if (d < 0) return node.error("shape " + shape_to_string(requested) + " has a negative dimension");
    auto shape = shape_ops::broadcast_shape(in[0].shape, requested);
    if (!shape) return shape.status().with_context(node.describe());
    out[0].dtype = in[0].dtype;
    out[0].shape = shape.value();
    return Status::ok();
  }
  // Expand is rare in CNNs (shape plumbing); the element-wise reference is fast enough.
  Status run(const KernelIO& io) override {
    shape_ops::reference::expand(io.in[0].data, *io.in[0].shape, io.out[0].data, *io.out[0].shape,
                                 dtype_size(io.out[0].dtype));
    return Status::ok();
  }
};

class ConstantOfShapeKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    auto k = std::make_unique<ConstantOfShapeKernel>();
    k->value_ = Tensor(DataType::kFloat32, {1});
    auto it = node.attrs.find("value");
    if (it != node.attrs.end()) {
      if (it->second.kind != Attribute::Kind::kTensor || !it->second.tensor)
        return node.error("attribute 'value' should be a tensor");
      if (it->second.tensor->size() != 1)
        return node.error("attribute 'value' must hold exactly one element, got shape " +
                          shape_to_string(it->second.tensor->shape()));
      k->value_ = *it->second.tensor;
    }
    return std::unique_ptr<Kernel>(std::move(k));
  }
  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    WEBCNN_ASSIGN(std::vector<int64_t> shape, constant_ints(node, in[0], "shape"));
    auto n = checked_num_elements(shape);
    if (!n) return n.status().with_context(node.describe());
    out[0].dtype = value_.dtype();
    out[0].shape = shape;
    return Status::ok();
  }
  Status run(const KernelIO& io) override {
    const size_t es = dtype_size(value_.dtype());
    char* dst = static_cast<char*>(io.out[0].data);
    for (int64_t i = 0, n = io.out[0].size(); i < n; ++i)
      std::memcpy(dst + i * static_cast<int64_t>(es), value_.raw(), es);
    return Status::ok();
  }

 private:
  Tensor value_;
};

}  // namespace

void register_shape_ops(OpRegistry& r) {
  r.add("Reshape", ReshapeKernel::create);
  r.add("Flatten", FlattenKernel::create);
  r.add("Squeeze", SqueezeKernel::create);
  r.add("Unsqueeze", UnsqueezeKernel::create);
  r.add("Identity", IdentityKernel::create, OpTraits::unary());
  // training_mode (input 2, bool) picks what the kernel is at plan time: a graph input feeding it is a constant.
  r.add("Dropout", DropoutKernel::create, OpTraits::unary().shape_deciding(1u << 2));
  r.add("Shape", ShapeKernel::create, OpTraits().shape_only());
  r.add("Size", SizeKernel::create, OpTraits().shape_only());
  r.add("Expand", ExpandKernel::create);
  r.add("ConstantOfShape", ConstantOfShapeKernel::create);
}

}  // namespace webcnn
