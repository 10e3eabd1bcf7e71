// DepthToSpace (ONNX, with the engine's `layout` attribute): moves blocks of channels into b×b spatial
// blocks. mode "DCR" (default; TF's order, channel = (i·b + j)·C' + c) or "CRD" (channel = c·b² + i·b + j).
// layout "NCHW" (default, as ONNX) or "NHWC" (as TF.js graphs are).
#pragma once

#include <cstdint>

#include "webcnn/tensor.h"

namespace webcnn {
namespace reference {
void depth_to_space(const TensorView& in, int64_t block, bool crd, bool nhwc, const TensorView& out);
}  // namespace reference
}  // namespace webcnn
