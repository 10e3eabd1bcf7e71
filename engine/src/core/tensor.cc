#include "webcnn/tensor.h"

#include <cstdlib>
#include <cstring>
#include <limits>

namespace webcnn {

size_t dtype_size(DataType t) {
  switch (t) {
    case DataType::kFloat32: return 4;
    case DataType::kInt32: return 4;
    case DataType::kInt64: return 8;
    case DataType::kUInt8: return 1;
    case DataType::kBool: return 1;
    case DataType::kInt8: return 1;
    case DataType::kFloat64: return 8;
  }
  return 1;
}

const char* dtype_name(DataType t) {
  switch (t) {
    case DataType::kFloat32: return "float32";
    case DataType::kInt32: return "int32";
    case DataType::kInt64: return "int64";
    case DataType::kUInt8: return "uint8";
    case DataType::kBool: return "bool";
    case DataType::kInt8: return "int8";
    case DataType::kFloat64: return "float64";
  }
  return "?";
}

Result<int64_t> checked_num_elements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return Status::error("shape " + shape_to_string(shape) + " has a negative dimension");
    if (d != 0 && n > kMaxElements / d)
      return Status::error("shape " + shape_to_string(shape) + " has more than 2^31-1 elements");
    n *= d;
  }
  return n;
}

int64_t num_elements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_to_string(const Shape& shape) {
  // Shapes end up in error messages: a hostile rank-200000 shape is shown by its first dims and its rank.
  constexpr size_t kShown = 8;
  const size_t shown = shape.size() > 2 * kShown ? kShown : shape.size();
  std::string s = "[";
  for (size_t i = 0; i < shown; ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  if (shown < shape.size()) s += ",... (rank " + std::to_string(shape.size()) + ")";
  return s + "]";
}

void Tensor::AlignedFree::operator()(void* p) const { std::free(p); }

namespace {

// 64-byte aligned storage for `bytes`, rounded up to 64 (at least 64): the rounding tail zeroed, the bytes
// themselves zeroed too unless the caller overwrites them.
void* aligned_storage(size_t bytes, bool zero_all) {
  const size_t rounded = bytes == 0 ? 64 : (bytes + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, rounded);
  if (p) std::memset(static_cast<char*>(p) + (zero_all ? 0 : bytes), 0, zero_all ? rounded : rounded - bytes);
  return p;
}

}  // namespace

Tensor::Tensor(DataType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  data_.reset(aligned_storage(bytes(), /*zero_all=*/true));
  if (!data_) std::abort();  // shapes are validated against kMaxElements before we get here
}

Result<Tensor> Tensor::create(DataType dtype, Shape shape) {
  WEBCNN_ASSIGN(Tensor t, create_for_overwrite(dtype, std::move(shape)));
  std::memset(t.raw(), 0, t.bytes());
  return t;
}

Result<Tensor> Tensor::create_for_overwrite(DataType dtype, Shape shape) {
  WEBCNN_ASSIGN(int64_t n, checked_num_elements(shape));
  // size_t is 32 bits in wasm: 2^31-1 float32 elements would wrap bytes() to a small allocation.
  if (static_cast<uint64_t>(n) * dtype_size(dtype) > std::numeric_limits<size_t>::max() / 2)
    return Status::error(
        StatusCode::kResourceExhausted,
        "tensor " + shape_to_string(shape) + " of " + dtype_name(dtype) + " is larger than this build can address");
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_.reset(aligned_storage(t.bytes(), /*zero_all=*/false));
  if (!t.data_)
    return Status::error(StatusCode::kResourceExhausted,
                         "out of memory allocating tensor " + shape_to_string(t.shape_));
  return t;
}

Tensor::Tensor(const Tensor& other) : dtype_(other.dtype_), shape_(other.shape_) {
  if (other.data_) {
    // The copy overwrites the bytes: only the rounding tail is zeroed (one pass over the data, not two).
    data_.reset(aligned_storage(bytes(), /*zero_all=*/false));
    if (!data_) std::abort();
    std::memcpy(data_.get(), other.data_.get(), bytes());
  }
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) {
    Tensor copy(other);
    *this = std::move(copy);
  }
  return *this;
}

// Float to int64 without undefined behaviour for NaN or out-of-range values.
static int64_t saturating_i64(float f) {
  if (!(f == f)) return 0;
  if (f >= 9.2e18f) return INT64_MAX;
  if (f <= -9.2e18f) return INT64_MIN;
  return static_cast<int64_t>(f);
}

std::vector<int64_t> Tensor::to_int64_vector() const {
  std::vector<int64_t> v(static_cast<size_t>(size()));
  for (size_t i = 0; i < v.size(); ++i) {
    switch (dtype_) {
      case DataType::kFloat32: v[i] = saturating_i64(data<float>()[i]); break;
      case DataType::kInt32: v[i] = data<int32_t>()[i]; break;
      case DataType::kInt64: v[i] = data<int64_t>()[i]; break;
      case DataType::kUInt8:
      case DataType::kBool: v[i] = data<uint8_t>()[i]; break;
      case DataType::kInt8: v[i] = data<int8_t>()[i]; break;
      case DataType::kFloat64: v[i] = saturating_i64(static_cast<float>(data<double>()[i])); break;
    }
  }
  return v;
}

std::vector<float> Tensor::to_float_vector() const {
  std::vector<float> v(static_cast<size_t>(size()));
  for (size_t i = 0; i < v.size(); ++i) {
    switch (dtype_) {
      case DataType::kFloat32: v[i] = data<float>()[i]; break;
      case DataType::kInt32: v[i] = static_cast<float>(data<int32_t>()[i]); break;
      case DataType::kInt64: v[i] = static_cast<float>(data<int64_t>()[i]); break;
      case DataType::kUInt8:
      case DataType::kBool: v[i] = data<uint8_t>()[i]; break;
      case DataType::kInt8: v[i] = data<int8_t>()[i]; break;
      case DataType::kFloat64: v[i] = static_cast<float>(data<double>()[i]); break;
    }
  }
  return v;
}

}  // namespace webcnn
