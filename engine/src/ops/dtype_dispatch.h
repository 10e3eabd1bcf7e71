// One generic lambda over the engine's element types, for the small ops that handle every dtype with one
// template body (Cast, Range, TopK, comparison, Where, Mod/FloorDiv).
#pragma once

#include <cstdint>

#include "webcnn/tensor.h"

namespace webcnn {

// Runs f.template operator()<T>() for the element type T of `t`.
template <typename F>
auto dispatch_dtype(DataType t, F&& f) {
  switch (t) {
    case DataType::kFloat32: return f(float{});
    case DataType::kInt32: return f(int32_t{});
    case DataType::kInt64: return f(int64_t{});
    case DataType::kUInt8: return f(uint8_t{});
    case DataType::kBool: return f(uint8_t{});  // stored as one byte, 0 or 1
    case DataType::kInt8: return f(int8_t{});
    case DataType::kFloat64: break;  // only at a model's boundary (tensor.h): no op computes in it
  }
  return f(float{});
}

}  // namespace webcnn
