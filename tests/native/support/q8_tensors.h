// 8-bit tensors for the quantized op tests: random bytes, given values, one element read as an integer.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "webcnn/tensor.h"

namespace webcnn::q8_tensors {

// Every byte uniform in 0..255 (for int8, the same bytes read as −128..127).
inline Tensor random_q8(DataType t, Shape shape, std::mt19937& rng) {
  Tensor r(t, std::move(shape));
  std::uniform_int_distribution<int> d(0, 255);
  for (int64_t i = 0; i < r.size(); ++i) static_cast<uint8_t*>(r.raw())[i] = static_cast<uint8_t>(d(rng));
  return r;
}

// Element i of a uint8 or int8 tensor.
inline int32_t at(const Tensor& t, int64_t i) {
  return t.dtype() == DataType::kInt8 ? int32_t{t.data<int8_t>()[i]} : int32_t{t.data<uint8_t>()[i]};
}

// A uint8 or int8 tensor holding `v` (each value in the type's range).
inline Tensor q8_values(DataType t, Shape shape, const std::vector<int32_t>& v) {
  Tensor r(t, std::move(shape));
  for (size_t i = 0; i < v.size(); ++i) static_cast<uint8_t*>(r.raw())[i] = static_cast<uint8_t>(v[i]);
  return r;
}

}  // namespace webcnn::q8_tensors
