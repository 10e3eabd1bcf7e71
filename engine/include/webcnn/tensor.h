// Tensors: element types, shapes and owning/non-owning tensor storage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "webcnn/status.h"

namespace webcnn {

// kInt8 and kUInt8 also carry quantised real numbers (real = scale * (q - zero_point)); their QuantParams
// travel beside them (Value::quant, TensorSpec::quant), the ops that compute on them take scale and zero
// point as inputs (ONNX's QLinear* convention; engine/src/ops/README.md "Quantized tensors").
// kFloat64 exists only at a model's boundary: inputs and outputs a model declares as double (ONNX DOUBLE)
// are taken and returned as float64 and computed in float32 inside (the importers narrow every double
// tensor), so a caller sees the type the model declares. No op, kernel or plan ever holds one.
enum class DataType : uint8_t { kFloat32, kInt32, kInt64, kUInt8, kBool, kInt8, kFloat64 };

size_t dtype_size(DataType t);
const char* dtype_name(DataType t);  // "float32", "int32", "int64", "uint8", "bool", "int8", "float64"

// Affine quantisation of an 8-bit tensor: real = scale[c] * (q - zero_point[c]), where c is the index
// along `axis` when there is more than one scale (per-channel weights), else 0 for every element.
// Empty for tensors that are not quantised.
struct QuantParams {
  std::vector<float> scale;
  std::vector<int32_t> zero_point;  // same length as scale
  int32_t axis = 0;                 // meaningful only when scale.size() > 1
  bool empty() const { return scale.empty(); }
  bool per_channel() const { return scale.size() > 1; }
};

using Shape = std::vector<int64_t>;

// Engine-wide bound on any tensor's element count (2^31 - 1 elements): a model asking for more is refused
// long before malloc is asked, and all index arithmetic stays inside int64 with room to spare.
constexpr int64_t kMaxElements = (int64_t{1} << 31) - 1;

// Product of dims with overflow and negativity checks. Errors name the shape.
Result<int64_t> checked_num_elements(const Shape& shape);
// Unchecked product, for shapes already validated.
int64_t num_elements(const Shape& shape);
std::string shape_to_string(const Shape& shape);  // "[1,3,224,224]"

// Non-owning view used by kernels at run time. Shape is owned by the execution plan.
struct TensorView {
  DataType dtype = DataType::kFloat32;
  const Shape* shape = nullptr;
  void* data = nullptr;

  template <typename T>
  T* as() const {
    return static_cast<T*>(data);
  }
  int64_t size() const { return num_elements(*shape); }
};

// Owning tensor with 64-byte aligned storage. Copyable (deep copy) and movable.
class Tensor {
 public:
  Tensor() = default;
  // Allocates zero-initialised storage. The shape must already be validated (see checked_num_elements).
  Tensor(DataType dtype, Shape shape);
  static Result<Tensor> create(DataType dtype, Shape shape);  // validates the shape first
  // As create(), but the elements are left for the caller to write, every one of them before anything reads
  // the tensor (the padding up to the 64-byte rounding is zeroed): importers that fill a weight from the
  // file's bytes at once, one pass over them instead of two.
  static Result<Tensor> create_for_overwrite(DataType dtype, Shape shape);

  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;

  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t size() const { return num_elements(shape_); }
  size_t bytes() const { return static_cast<size_t>(size()) * dtype_size(dtype_); }
  int rank() const { return static_cast<int>(shape_.size()); }

  void* raw() { return data_.get(); }
  const void* raw() const { return data_.get(); }
  template <typename T>
  T* data() {
    return static_cast<T*>(raw());
  }
  template <typename T>
  const T* data() const {
    return static_cast<const T*>(raw());
  }

  // Same bytes, new shape (element count must match; checked by the caller).
  void reshape(Shape shape) { shape_ = std::move(shape); }
  TensorView view() const { return TensorView{dtype_, &shape_, const_cast<void*>(raw())}; }

  // Integer tensors (int32/int64/uint8/bool) read as int64, float as-is; for shape-like inputs.
  std::vector<int64_t> to_int64_vector() const;
  std::vector<float> to_float_vector() const;

 private:
  struct AlignedFree {
    void operator()(void* p) const;
  };
  DataType dtype_ = DataType::kFloat32;
  Shape shape_;
  std::unique_ptr<void, AlignedFree> data_;
};

}  // namespace webcnn
