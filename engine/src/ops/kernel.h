// The interface every op implements, and the registry that maps op names to kernels.
//
// Life of a kernel (like TFLite's Init/Prepare/Eval):
//   create(node)  - read and validate attributes (errors name the node)
//   prepare(...)  - at plan time: input dtypes/shapes are known, constant inputs are readable.
//                   Set output dtypes/shapes, pack weights (pack_weights: shared between the plans
//                   of one model), size the scratch buffer.
//   run(io)       - compute. No allocation: scratch comes from the plan's arena.
// A node whose inputs are all constant is run once at plan time (constant folding).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"
#include "ops/op_traits.h"
#include "ops/packed_weights.h"
#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn {

// What the planner knows about a value. `present` is false for an absent optional input.
struct ValueInfo {
  bool present = true;
  DataType dtype = DataType::kFloat32;
  Shape shape;
  const Tensor* constant = nullptr;  // non-null when the value is known at plan time
};

struct KernelIO {
  const TensorView* in = nullptr;  // absent optional inputs have data == nullptr
  int num_in = 0;
  const TensorView* out = nullptr;
  int num_out = 0;
  void* scratch = nullptr;  // scratch_bytes() bytes, 64-byte aligned
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status prepare(const Node& node, const std::vector<ValueInfo>& inputs, std::vector<ValueInfo>& outputs) = 0;
  // Run-time errors (e.g. an index out of range in data) are rare; kernels that can meet them keep
  // node.describe() from create() for the message.
  virtual Status run(const KernelIO& io) = 0;
  // Scratch needed by run(), known after prepare().
  virtual size_t scratch_bytes() const { return 0; }
  // True when output 0 is input 0's bytes under another shape (Reshape, Flatten, Squeeze, Identity...):
  // the planner then aliases the buffers and never calls run().
  virtual bool output_aliases_input() const { return false; }
  // False for a constant input the kernel has fully consumed in prepare() (weights it packed into its
  // own layout): the plan then drops its copy of that tensor, and run() gets a null view for it.
  virtual bool reads_constant_input_at_run(size_t /*input_index*/) const { return true; }
  // Such a consumed constant rebuilt from the kernel's own copy, for inspection (Model::conv_weights):
  // the plan need not keep the original for the rare caller who asks.
  virtual Result<Tensor> recover_constant_input(size_t input_index) const {
    return Status::error(StatusCode::kInternal,
                         "internal error: input " + std::to_string(input_index) + " was not packed by its reader");
  }

  // The model's packed weights, shared between its plans (ops/packed_weights.h): set by the plan builder
  // before prepare(); null elsewhere (constant folding, a static model), where each kernel packs its own.
  void share_packed_weights(PackedWeightCache* cache) { packed_weights_ = cache; }
  // Prepared for its output shapes only (shape inference, for a node it will not run): pack_weights()
  // then packs nothing, so inferring a new shape's plan does not pack every weight again.
  void prepare_for_shapes_only() { shapes_only_ = true; }
  // Each buffer pack_weights() handed this kernel: its identity (kernels sharing one give the same) and bytes.
  const std::vector<std::pair<const void*, size_t>>& packed_buffers() const { return packed_buffers_; }

 protected:
  // The buffer of `count` elements that fill(T*) packs, shared with every kernel of the model that packs
  // the same constants the same way: make_key() (called only when there is a cache to look in) says what
  // and how. Call it from prepare(). Empty when prepared for shapes only: run() is never called then.
  template <typename T, typename MakeKey, typename Fill>
  PackedBuffer<T> pack_weights(MakeKey make_key, size_t count, Fill fill) {
    PackedBuffer<T> packed;
    if (shapes_only_) return packed;
    if (packed_weights_) {
      packed = packed_weights_->get_or_pack<T>(make_key(), count, fill);
    } else {
      auto own = std::make_shared<std::vector<T>>(count);
      fill(own->data());
      packed = PackedBuffer<T>(std::move(own));
    }
    packed_buffers_.emplace_back(packed.identity(), packed.bytes());
    return packed;
  }

 private:
  PackedWeightCache* packed_weights_ = nullptr;
  bool shapes_only_ = false;
  std::vector<std::pair<const void*, size_t>> packed_buffers_;
};

using KernelFactory = Result<std::unique_ptr<Kernel>> (*)(const Node& node);

// Op name -> kernel factory and traits. global() holds every built-in op; register_op adds more.
class OpRegistry {
 public:
  static const OpRegistry& global();
  void add(const std::string& op, KernelFactory factory, OpTraits traits = OpTraits());
  KernelFactory find(const std::string& op) const;
  // The op's traits; the defaults (nothing special) for an op nobody registered.
  OpTraits traits(const std::string& op) const;
  std::vector<std::string> names() const;

 private:
  struct Entry {
    KernelFactory factory;
    OpTraits traits;
  };
  std::map<std::string, Entry> entries_;  // passes look traits up per node and rewrite: keep it O(log n)
};

// Adds an op to OpRegistry::global() (an op outside the built-in families, or a test's toy op); an op
// already registered keeps its first entry. Call it before loading models, not during.
void register_op(const std::string& op, KernelFactory factory, OpTraits traits = OpTraits());

// Creates the kernel for a node, or an error naming the op when nobody implements it.
Result<std::unique_ptr<Kernel>> create_kernel(const Node& node);

// Helpers shared by kernels' prepare().
// What the planner knows about each of a node's inputs in `g` (absent optional inputs: present = false).
std::vector<ValueInfo> input_value_infos(const Graph& g, const Node& node);

Status expect_inputs(const Node& node, const std::vector<ValueInfo>& in, size_t min, size_t max);
Status expect_dtype(const Node& node, const ValueInfo& v, DataType want, const char* what);

}  // namespace webcnn
