// Helpers for kernels whose shape-deciding inputs (Reshape shape, Squeeze axes, Slice starts, Pad pads, ...)
// must be known when the model is planned.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ops/kernel.h"

namespace webcnn {

// Plan-time integer vectors (Reshape shape, Slice starts, Pad pads, ...): constant int64 or int32, 1-D.
inline Result<std::vector<int64_t>> constant_ints(const Node& node, const ValueInfo& v, const char* what) {
  if (!v.constant) return node.error(std::string(what) + " must be a constant (known when the model is planned)");
  if (v.dtype != DataType::kInt64 && v.dtype != DataType::kInt32)
    return node.error(std::string(what) + " must be int64 or int32, got " + dtype_name(v.dtype));
  if (v.shape.size() > 1) return node.error(std::string(what) + " must be 1-D, got shape " + shape_to_string(v.shape));
  return v.constant->to_int64_vector();
}

inline bool optional_present(const std::vector<ValueInfo>& in, size_t i) { return in.size() > i && in[i].present; }

}  // namespace webcnn
