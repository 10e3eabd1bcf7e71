// Cast (ONNX): element type conversion. Float → integer truncates toward zero (as ONNX and TF do);
// NaN and out-of-range values, undefined in C++, become 0 / the nearest representable integer.
#pragma once

#include "webcnn/tensor.h"

namespace webcnn {

// The engine dtype of an ONNX TensorProto type number (1 float, 2 uint8, 3 int8, 6 int32, 7 int64, 9 bool;
// 10 float16 and 11 double are held as float32, as the ONNX importer holds their tensors).
Result<DataType> dtype_from_onnx(int64_t onnx_type);

// The float16 nearest to v (ties to even; beyond the largest half, ±inf; NaN stays), as a float32.
float round_to_float16(float v);

namespace reference {
// out must have in's element count.
void cast(const TensorView& in, const TensorView& out);
}  // namespace reference

}  // namespace webcnn
