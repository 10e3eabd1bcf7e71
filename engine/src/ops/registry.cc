#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

namespace {
OpRegistry& global_registry() {
  static OpRegistry registry = [] {
    OpRegistry r;
    register_conv_ops(r);
    register_conv_transpose_ops(r);
    register_pool_ops(r);
    register_gemm_ops(r);
    register_activation_ops(r);
    register_elementwise_ops(r);
    register_softmax_ops(r);
    register_normalization_ops(r);
    register_reduce_ops(r);
    register_shape_ops(r);
    register_concat_ops(r);
    register_transpose_ops(r);
    register_gather_ops(r);
    register_slice_ops(r);
    register_pad_ops(r);
    register_resize_ops(r);
    register_constant_ops(r);
    register_cast_ops(r);
    register_logical_ops(r);
    register_floor_division_ops(r);
    register_strided_slice_ops(r);
    register_topk_ops(r);
    register_gather_nd_ops(r);
    register_tile_ops(r);
    register_depth_to_space_ops(r);
    register_split_ops(r);
    register_range_ops(r);
    register_qlinear_conv_ops(r);
    register_qlinear_gemm_ops(r);
    register_quantize_linear_ops(r);
    register_qlinear_binary_ops(r);
    register_qlinear_concat_ops(r);
    register_qlinear_lut_ops(r);
    register_qlinear_softmax_ops(r);
    register_matmul_integer_ops(r);
    register_conv_integer_ops(r);
    return r;
  }();
  return registry;
}
}  // namespace

const OpRegistry& OpRegistry::global() { return global_registry(); }

void register_op(const std::string& op, KernelFactory factory, OpTraits traits) {
  global_registry().add(op, factory, traits);
}

void OpRegistry::add(const std::string& op, KernelFactory factory, OpTraits traits) {
  entries_.emplace(op, Entry{factory, traits});  // the first registration of a name wins
}

KernelFactory OpRegistry::find(const std::string& op) const {
  auto it = entries_.find(op);
  return it == entries_.end() ? nullptr : it->second.factory;
}

OpTraits OpRegistry::traits(const std::string& op) const {
  auto it = entries_.find(op);
  return it == entries_.end() ? OpTraits() : it->second.traits;
}

std::vector<std::string> OpRegistry::names() const {
  std::vector<std::string> n;
  for (const auto& e : entries_) n.push_back(e.first);  // sorted, as the map is
  return n;
}

Result<std::unique_ptr<Kernel>> create_kernel(const Node& node) {
  KernelFactory f = OpRegistry::global().find(node.op);
  if (!f) return node.error("op '" + node.op + "' is not supported").with_code(StatusCode::kUnsupportedOp);
  return f(node);
}

std::vector<ValueInfo> input_value_infos(const Graph& g, const Node& n) {
  std::vector<ValueInfo> infos;
  for (ValueId id : n.inputs) {
    ValueInfo vi;
    if (id == kNoValue) {
      vi.present = false;
    } else {
      const Value& v = g.value(id);
      vi.dtype = v.dtype;
      vi.shape = v.shape;
      vi.constant = v.constant.get();
    }
    infos.push_back(std::move(vi));
  }
  return infos;
}

Status expect_inputs(const Node& node, const std::vector<ValueInfo>& in, size_t min, size_t max) {
  if (in.size() < min || in.size() > max)
    return node.error("expects " +
                      (min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max)) +
                      (min == 1 && max == 1 ? " input" : " inputs") + ", got " + std::to_string(in.size()));
  // An input slot with an empty name is an omitted optional input: a required one cannot be omitted.
  for (size_t i = 0; i < min; ++i)
    if (!in[i].present)
      return node.error("required input " + std::to_string(i) + " is empty (an unnamed, omitted input)");
  return Status::ok();
}

Status expect_dtype(const Node& node, const ValueInfo& v, DataType want, const char* what) {
  if (v.dtype != want)
    return node.error(std::string(what) + " must be " + dtype_name(want) + ", got " + dtype_name(v.dtype));
  return Status::ok();
}

}  // namespace webcnn
