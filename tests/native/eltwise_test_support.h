// Shared by the elementwise-family tests (activation, elementwise, softmax, reduce, broadcast):
// run one node's kernel the way the planner does, and make and compare small tensors.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ops/kernel.h"

namespace webcnn::testing {

// Inputs: nullptr = absent optional input. `constant[i]` marks input i as known at plan time
// (shape-determining inputs such as Reduce axes must be).
inline Result<std::vector<Tensor>> run_kernel(const Node& node, const std::vector<const Tensor*>& inputs,
                                              const std::vector<bool>& constant = {}, size_t num_outputs = 1) {
  WEBCNN_ASSIGN(std::unique_ptr<Kernel> kernel, create_kernel(node));
  std::vector<ValueInfo> in(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i]) {
      in[i].present = false;
      continue;
    }
    in[i].dtype = inputs[i]->dtype();
    in[i].shape = inputs[i]->shape();
    if (i < constant.size() && constant[i]) in[i].constant = inputs[i];
  }
  std::vector<ValueInfo> out(num_outputs);
  WEBCNN_TRY(kernel->prepare(node, in, out));
  std::vector<Tensor> results;
  for (const ValueInfo& o : out) {
    WEBCNN_ASSIGN(Tensor t, Tensor::create(o.dtype, o.shape));
    // Poison the output so a kernel that skips elements is caught.
    if (o.dtype == DataType::kFloat32)
      for (int64_t i = 0; i < t.size(); ++i) t.data<float>()[i] = NAN;
    else std::memset(t.raw(), 0xA5, t.bytes());
    results.push_back(std::move(t));
  }
  std::vector<TensorView> in_views, out_views;
  for (const Tensor* t : inputs) in_views.push_back(t ? t->view() : TensorView{});
  for (const Tensor& t : results) out_views.push_back(t.view());
  std::vector<unsigned char> scratch(kernel->scratch_bytes() + 64);
  KernelIO io;
  io.in = in_views.data();
  io.num_in = static_cast<int>(in_views.size());
  io.out = out_views.data();
  io.num_out = static_cast<int>(out_views.size());
  io.scratch = kernel->scratch_bytes() ? scratch.data() : nullptr;
  WEBCNN_TRY(kernel->run(io));
  return results;
}

inline Node make_node(const std::string& op, std::map<std::string, Attribute> attrs = {}, size_t num_inputs = 1) {
  Node n;
  n.op = op;
  n.name = "t_" + op;
  n.attrs = std::move(attrs);
  for (size_t i = 0; i < num_inputs; ++i) n.inputs.push_back(static_cast<ValueId>(i));
  n.outputs = {static_cast<ValueId>(num_inputs)};
  return n;
}

template <typename T>
Tensor tensor_of(DataType dtype, const Shape& shape, const std::vector<T>& values) {
  Tensor t(dtype, shape);
  REQUIRE(static_cast<int64_t>(values.size()) == t.size());
  if (!values.empty()) std::memcpy(t.raw(), values.data(), t.bytes());  // an empty vector's data() may be null
  return t;
}
inline Tensor floats(const Shape& shape, const std::vector<float>& v) {
  return tensor_of(DataType::kFloat32, shape, v);
}
inline Tensor int32s(const Shape& shape, const std::vector<int32_t>& v) {
  return tensor_of(DataType::kInt32, shape, v);
}
inline Tensor int64s(const Shape& shape, const std::vector<int64_t>& v) {
  return tensor_of(DataType::kInt64, shape, v);
}

template <typename T>
std::vector<T> values_of(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.size());
}

// Uniform random values in [lo, hi] (integers for integer dtypes).
inline Tensor random_tensor(std::mt19937& rng, DataType dtype, const Shape& shape, double lo = -4, double hi = 4) {
  Tensor t(dtype, shape);
  std::uniform_real_distribution<double> u(lo, hi);
  for (int64_t i = 0; i < t.size(); ++i) {
    double v = u(rng);
    switch (dtype) {
      case DataType::kFloat32: t.data<float>()[i] = static_cast<float>(v); break;
      case DataType::kInt32: t.data<int32_t>()[i] = static_cast<int32_t>(std::lround(v)); break;
      case DataType::kInt64: t.data<int64_t>()[i] = std::lround(v); break;
      case DataType::kUInt8: t.data<uint8_t>()[i] = static_cast<uint8_t>(std::lround(std::fabs(v))); break;
      case DataType::kBool: t.data<uint8_t>()[i] = v > (lo + hi) / 2; break;
      case DataType::kInt8:
        t.data<int8_t>()[i] = static_cast<int8_t>(std::clamp<long>(std::lround(v), -128, 127));
        break;
      case DataType::kFloat64: t.data<double>()[i] = v; break;
    }
  }
  return t;
}

// Largest |a - b| - tol(b) over the elements, where tol = abs_tol + rel_tol * |b|; <= 0 means all
// within tolerance. NaN in either place must be matched by NaN in the other.
inline bool all_close(const Tensor& a, const Tensor& b, double abs_tol, double rel_tol, std::string* where = nullptr) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) {
    if (where) *where = "dtype/shape differ: " + shape_to_string(a.shape()) + " vs " + shape_to_string(b.shape());
    return false;
  }
  for (int64_t i = 0; i < a.size(); ++i) {
    double x, y;
    switch (a.dtype()) {
      case DataType::kFloat32:
        x = a.data<float>()[i];
        y = b.data<float>()[i];
        break;
      case DataType::kInt32:
        x = a.data<int32_t>()[i];
        y = b.data<int32_t>()[i];
        break;
      case DataType::kInt64:
        x = static_cast<double>(a.data<int64_t>()[i]);
        y = static_cast<double>(b.data<int64_t>()[i]);
        break;
      default:
        x = a.data<uint8_t>()[i];
        y = b.data<uint8_t>()[i];
        break;
    }
    bool ok = (std::isnan(x) && std::isnan(y)) || x == y || std::fabs(x - y) <= abs_tol + rel_tol * std::fabs(y);
    if (!ok) {
      if (where) *where = "element " + std::to_string(i) + ": " + std::to_string(x) + " vs " + std::to_string(y);
      return false;
    }
  }
  return true;
}

// Random shape of the given rank with extents in [1, max_extent], odd ones likely.
inline Shape random_shape(std::mt19937& rng, size_t rank, int64_t max_extent = 7) {
  std::uniform_int_distribution<int64_t> d(1, max_extent);
  Shape s(rank);
  for (auto& e : s) e = d(rng);
  return s;
}

}  // namespace webcnn::testing
