// Running one node the way the planner does (create → prepare → run), for op tests: inputs given as
// tensors, each marked variable, constant (visible to prepare) or absent (an omitted optional input).
#pragma once

#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ops/kernel.h"

namespace webcnn::single_node {

struct Arg {
  Tensor tensor;
  bool constant = false;
  bool present = true;
};
inline Arg var(Tensor t) { return {std::move(t), false, true}; }
inline Arg konst(Tensor t) { return {std::move(t), true, true}; }
inline Arg absent() { return {Tensor(), false, false}; }
inline Arg arg(Tensor t, bool constant) { return {std::move(t), constant, true}; }

template <typename T>
Tensor make(DataType dt, Shape shape, std::vector<T> values) {
  Tensor t(dt, std::move(shape));
  REQUIRE(static_cast<int64_t>(values.size()) == t.size());
  if (!values.empty()) std::memcpy(t.raw(), values.data(), values.size() * sizeof(T));
  return t;
}
inline Tensor floats(Shape s, std::vector<float> v) { return make(DataType::kFloat32, std::move(s), std::move(v)); }
inline Tensor i64(Shape s, std::vector<int64_t> v) { return make(DataType::kInt64, std::move(s), std::move(v)); }
inline Tensor i32(Shape s, std::vector<int32_t> v) { return make(DataType::kInt32, std::move(s), std::move(v)); }
inline Tensor iota(Shape s) {
  Tensor t(DataType::kFloat32, std::move(s));
  for (int64_t i = 0; i < t.size(); ++i) t.data<float>()[i] = static_cast<float>(i);
  return t;
}

template <typename T>
std::vector<T> values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.size());
}

inline Node make_node(const std::string& op, std::map<std::string, Attribute> attrs = {}) {
  Node n;
  n.op = op;
  n.name = "n";
  n.attrs = std::move(attrs);
  return n;
}

// create → prepare → run of one node; absent inputs are kNoValue, constants are visible to prepare.
// `shapes` gets the output shapes prepare() set, even when run() then fails.
inline Status run_node_steps(Node node, const std::vector<Arg>& args, size_t num_outputs, std::vector<Shape>& shapes,
                             std::vector<Tensor>& results) {
  node.inputs.clear();
  node.outputs.clear();
  for (size_t i = 0; i < args.size(); ++i) node.inputs.push_back(args[i].present ? static_cast<ValueId>(i) : kNoValue);
  for (size_t i = 0; i < num_outputs; ++i) node.outputs.push_back(static_cast<ValueId>(args.size() + i));
  WEBCNN_ASSIGN(std::unique_ptr<Kernel> kernel, create_kernel(node));
  std::vector<ValueInfo> in;
  std::vector<TensorView> in_views;
  for (const Arg& a : args) {
    ValueInfo vi;
    vi.present = a.present;
    if (a.present) {
      vi.dtype = a.tensor.dtype();
      vi.shape = a.tensor.shape();
      if (a.constant) vi.constant = &a.tensor;
    }
    in.push_back(vi);
    in_views.push_back(a.present ? a.tensor.view() : TensorView{});
  }
  std::vector<ValueInfo> out(num_outputs);
  WEBCNN_TRY(kernel->prepare(node, in, out));
  for (const ValueInfo& o : out) shapes.push_back(o.shape);
  std::vector<TensorView> out_views;
  for (const ValueInfo& o : out) results.emplace_back(o.dtype, o.shape);
  for (const Tensor& t : results) out_views.push_back(t.view());
  std::vector<uint8_t> scratch(kernel->scratch_bytes() + 64);
  KernelIO io;
  io.in = in_views.data();
  io.num_in = static_cast<int>(in_views.size());
  io.out = out_views.data();
  io.num_out = static_cast<int>(out_views.size());
  io.scratch = scratch.data();
  return kernel->run(io);
}

inline Result<std::vector<Tensor>> run_node(Node node, const std::vector<Arg>& args, size_t num_outputs = 1) {
  std::vector<Shape> shapes;
  std::vector<Tensor> results;
  WEBCNN_TRY(run_node_steps(std::move(node), args, num_outputs, shapes, results));
  return results;
}

// A node with one float output, for tests that check a failure's step: the status, the shape prepare()
// set (kept when run() fails) and, on success, the output.
struct FloatRun {
  Status status;
  Shape shape;
  std::vector<float> data;
};
inline FloatRun run_float_node(Node node, const std::vector<Arg>& args) {
  FloatRun r;
  std::vector<Shape> shapes;
  std::vector<Tensor> results;
  r.status = run_node_steps(std::move(node), args, 1, shapes, results);
  if (!shapes.empty()) r.shape = shapes[0];
  if (r.status.is_ok()) r.data = values<float>(results[0]);
  return r;
}

inline bool error_mentions(const Status& s, const std::string& what) {
  return !s.is_ok() && s.message().find(what) != std::string::npos;
}

}  // namespace webcnn::single_node
