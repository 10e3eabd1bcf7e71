// Constant: a node with no inputs whose output is an attribute's value. Having no inputs, it is folded
// at plan time (the importer may also turn it into an initializer directly).
#include <cstring>

#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

namespace {

class ConstantKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> create(const Node& node) {
    static const char* const kValueAttrs[] = {"value",      "value_float",  "value_floats",  "value_int",
                                              "value_ints", "value_string", "value_strings", "sparse_value"};
    const char* which = nullptr;
    for (const char* name : kValueAttrs)
      if (node.has_attr(name)) {
        if (which)
          return node.error(std::string("has both '") + which + "' and '" + name + "'; exactly one is allowed");
        which = name;
      }
    if (!which) return node.error("needs one of the attributes value, value_float(s), value_int(s)");
    const std::string key = which;
    auto k = std::make_unique<ConstantKernel>();
    if (key == "value") {
      const Attribute& a = node.attrs.at(key);
      if (a.kind != Attribute::Kind::kTensor || !a.tensor) return node.error("attribute 'value' should be a tensor");
      k->value_ = *a.tensor;
    } else if (key == "value_float") {
      WEBCNN_ASSIGN(float v, node.attr_float(key, 0.0f));
      k->value_ = Tensor(DataType::kFloat32, {});
      k->value_.data<float>()[0] = v;
    } else if (key == "value_floats") {
      WEBCNN_ASSIGN(std::vector<float> v, node.attr_floats(key, {}));
      k->value_ = Tensor(DataType::kFloat32, {static_cast<int64_t>(v.size())});
      if (!v.empty()) std::memcpy(k->value_.raw(), v.data(), v.size() * sizeof(float));
    } else if (key == "value_int") {
      WEBCNN_ASSIGN(int64_t v, node.attr_int(key, 0));
      k->value_ = Tensor(DataType::kInt64, {});
      k->value_.data<int64_t>()[0] = v;
    } else if (key == "value_ints") {
      WEBCNN_ASSIGN(std::vector<int64_t> v, node.attr_ints(key, {}));
      k->value_ = Tensor(DataType::kInt64, {static_cast<int64_t>(v.size())});
      if (!v.empty()) std::memcpy(k->value_.raw(), v.data(), v.size() * sizeof(int64_t));
    } else {
      return node.error("unsupported: attribute '" + key + "' (string and sparse constants)");
    }
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 0, 0));
    out[0].dtype = value_.dtype();
    out[0].shape = value_.shape();
    return Status::ok();
  }

  Status run(const KernelIO& io) override {
    if (value_.bytes()) std::memcpy(io.out[0].data, value_.raw(), value_.bytes());
    return Status::ok();
  }

 private:
  Tensor value_;
};

}  // namespace

void register_constant_ops(OpRegistry& r) { r.add("Constant", ConstantKernel::create); }

}  // namespace webcnn
