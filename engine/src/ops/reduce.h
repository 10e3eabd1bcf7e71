// Reductions over a set of axes (reduce.cc), ONNX opset-18 form: ReduceSum, ReduceMean, ReduceMax,
// ReduceMin, ReduceProd, ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp (the
// latter shifted by the maximum, so large inputs do not overflow).
//   inputs: data, axes (optional int64/int32 1-D, must be constant at plan time)
//   attributes: keepdims (default 1), noop_with_empty_axes (default 0)
// Absent or empty axes reduce every axis, unless noop_with_empty_axes = 1: then the output is the
// input. Float32 for all; int32/int64 also for Sum, Max, Min, Prod (which wrap around on overflow).
// Over an empty set: Sum 0, Prod 1, Max -inf (lowest int), Min +inf (highest int), Mean NaN.
#pragma once

#include <string>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn::reference {

// Naive reduction by engine op name, accumulating floats in double. `axes` already resolved:
// empty means all axes (the noop case is the caller's).
Result<Tensor> reduce(const std::string& op, const Tensor& x, const std::vector<int64_t>& axes, bool keepdims);

}  // namespace webcnn::reference
