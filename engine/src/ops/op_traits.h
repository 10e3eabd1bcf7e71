// What the graph passes, importers and runtime need to know about an op besides its kernel. Each op
// family file registers its ops with their traits (op_families.h, registry.cc); code outside ops/ asks
// OpRegistry::global().traits(op) instead of keeping its own list of op names, so a new op cannot be
// forgotten by one pass and remembered by another.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "graph/graph.h"
#include "webcnn/status.h"

namespace webcnn {

struct OpTraits {
  enum class Elementwise {
    kNone,
    kUnary,      // output = f(input 0) element by element; any other input is a scalar parameter (Clip bounds)
    kBroadcast,  // output[i] = f(inputs at i), the inputs broadcast numpy-style to the output (Add, PRelu, ...)
  };

  // Fills the `fused_*` attributes (ops/README.md) that make a Conv/Gemm/MatMul apply activation node
  // `act` as it stores results; false when this node cannot be fused (e.g. Clip bounds that are not
  // constants of `g`).
  using ActivationFuser = Result<bool> (*)(const Graph& g, const Node& act, std::map<std::string, Attribute>& fused);
  // Multiply-accumulates of `node` at the shapes `g` holds.
  using MacsCounter = int64_t (*)(const Node& node, const Graph& g);

  // A spatial op with a `layout` attribute ("NCHW", the default, or "NHWC") that applies to its data
  // input 0 and output 0; other inputs (weights, BatchNormalization's parameters) keep their layout.
  // The ONNX importer marks it NCHW; convert_to_nhwc rewrites it to NHWC between two Transposes.
  bool layout_sensitive = false;
  // sink_transposes moves a Transpose below such an op.
  Elementwise elementwise = Elementwise::kNone;
  // The ONNX Reduce* form: (data, axes) with `keepdims` and `noop_with_empty_axes`; axes an input since
  // opset 18 (ReduceSum: 13), which the ONNX importer rewrites older forms into.
  bool reduce = false;
  // Conv/Gemm/MatMul: the kernel applies a `fused_activation` at its store.
  bool accepts_fused_activation = false;
  // Set for activations those kernels can apply (fuse_activations, the TF.js importer's fused ops).
  ActivationFuser fuse_as_activation = nullptr;
  // Bit i set: input i's values decide output shapes (or what the kernel is), so a graph input feeding
  // it is needed at plan time (int32/int64 graph inputs always are; float, 8-bit and bool ones only here). kAllInputs
  // for ops whose every input does (Range).
  uint32_t shape_deciding_float_inputs = 0;
  static constexpr uint32_t kAllInputs = ~0u;
  // For Model::summary/profile; null for ops counted as 0 MACs.
  MacsCounter macs = nullptr;
  // The output depends on the inputs' shapes only (Shape, Size): shape inference folds the node even
  // when its input is computed at run time.
  bool reads_only_input_shapes = false;

  bool decides_shapes(size_t input_index) const {
    return input_index < 32 && ((shape_deciding_float_inputs >> input_index) & 1u) != 0;
  }

  // Chainable setters, so a registration reads as one line:
  //   r.add("Relu", create_activation, OpTraits::unary().fusing(fuse_relu));
  static OpTraits unary() { return OpTraits().with_elementwise(Elementwise::kUnary); }
  static OpTraits broadcast() { return OpTraits().with_elementwise(Elementwise::kBroadcast); }
  static OpTraits spatial() {
    OpTraits t;
    t.layout_sensitive = true;
    return t;
  }
  OpTraits& with_elementwise(Elementwise e) {
    elementwise = e;
    return *this;
  }
  OpTraits& fusing(ActivationFuser f) {
    fuse_as_activation = f;
    return *this;
  }
  OpTraits& with_fused_activation() {
    accepts_fused_activation = true;
    return *this;
  }
  OpTraits& with_macs(MacsCounter m) {
    macs = m;
    return *this;
  }
  OpTraits& as_reduce() {
    reduce = true;
    return *this;
  }
  OpTraits& shape_deciding(uint32_t input_mask) {
    shape_deciding_float_inputs = input_mask;
    return *this;
  }
  OpTraits& shape_only() {
    reads_only_input_shapes = true;
    return *this;
  }
};

}  // namespace webcnn
