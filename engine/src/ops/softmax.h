// Softmax and LogSoftmax over one axis (softmax.cc), ONNX opset-13 form: `axis` (default -1,
// negative counts from the end) names the single axis normalised; float32 only. Numerically
// stable: the axis maximum is subtracted before exp, so large inputs do not overflow.
#pragma once

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn::reference {

// Naive double-precision Softmax (log = false) or LogSoftmax (log = true) of a float32 tensor.
Result<Tensor> softmax(const Tensor& x, int64_t axis, bool log);

}  // namespace webcnn::reference
