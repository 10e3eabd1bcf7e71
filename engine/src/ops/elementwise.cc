// Elementwise ops: semantics in elementwise.h.
//
// Binary ops run over a StridedLoop (broadcast.h), whose rows come in three shapes that cover
// same-shape tensors, a scalar operand and the NHWC per-channel pattern ([N,H,W,C] op [C]: rows of C
// against the same C values): both operands contiguous, or one of them a single repeated value.
// Float rows of those shapes go to the f32_vbinary kernels (kernels/kernel_table.h); anything else (a rare strided row)
// goes element by element. Variadic ops fold left to right in the output buffer: out = in0 op in1, then out = out op
// in2, ...
#include "ops/elementwise.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/kernel_table.h"
#include "ops/broadcast.h"
#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {
namespace {

// ---------------------------------------------------------------------------------------------
// Scalar semantics, one struct per binary op. `apply` is the definition (shared with the
// reference); ops with a `kVec` have an f32_vbinary kernel that is bit-identical to `apply` on float.

template <typename T>
using Unsigned = std::make_unsigned_t<T>;

// Integer arithmetic through the unsigned type: wraps instead of overflowing (UB for signed).
template <typename T>
T wrap(Unsigned<T> v) {
  return static_cast<T>(v);
}

struct AddOp {
  template <typename T>
  static T apply(T a, T b) {
    if constexpr (std::is_integral_v<T>)
      return wrap<T>(static_cast<Unsigned<T>>(static_cast<Unsigned<T>>(a) + static_cast<Unsigned<T>>(b)));
    else return a + b;
  }
  static constexpr kernels::VBinaryOp kVec = kernels::VBinaryOp::kAdd;
};
struct SubOp {
  template <typename T>
  static T apply(T a, T b) {
    if constexpr (std::is_integral_v<T>)
      return wrap<T>(static_cast<Unsigned<T>>(static_cast<Unsigned<T>>(a) - static_cast<Unsigned<T>>(b)));
    else return a - b;
  }
  static constexpr kernels::VBinaryOp kVec = kernels::VBinaryOp::kSub;
};
struct MulOp {
  template <typename T>
  static T apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      // uint8 promotes to int; 255 * 255 still fits, and the cast back wraps.
      using U = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, Unsigned<T>>;
      return static_cast<T>(static_cast<Unsigned<T>>(static_cast<U>(static_cast<Unsigned<T>>(a)) *
                                                     static_cast<U>(static_cast<Unsigned<T>>(b))));
    } else {
      return a * b;
    }
  }
  static constexpr kernels::VBinaryOp kVec = kernels::VBinaryOp::kMul;
};
struct DivOp {
  template <typename T>
  static T apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      if (b == 0) return 0;
      if constexpr (std::is_signed_v<T>)
        if (a == std::numeric_limits<T>::min() && b == -1) return a;
      return static_cast<T>(a / b);  // C++ truncates toward zero, as ONNX asks
    } else {
      return a / b;
    }
  }
  static constexpr kernels::VBinaryOp kVec = kernels::VBinaryOp::kDiv;
};
struct MaxOp {
  template <typename T>
  static T apply(T a, T b) {
    return a > b ? a : b;
  }
  static constexpr kernels::VBinaryOp kVec = kernels::VBinaryOp::kMax;
};
struct MinOp {
  template <typename T>
  static T apply(T a, T b) {
    return a < b ? a : b;
  }
  static constexpr kernels::VBinaryOp kVec = kernels::VBinaryOp::kMin;
};

// Comparisons produce bool (one byte, 0 or 1).
struct EqualOp {
  template <typename T>
  static uint8_t apply(T a, T b) {
    return a == b;
  }
};
struct GreaterOp {
  template <typename T>
  static uint8_t apply(T a, T b) {
    return a > b;
  }
};
struct GreaterOrEqualOp {
  template <typename T>
  static uint8_t apply(T a, T b) {
    return a >= b;
  }
};
struct LessOp {
  template <typename T>
  static uint8_t apply(T a, T b) {
    return a < b;
  }
};
struct LessOrEqualOp {
  template <typename T>
  static uint8_t apply(T a, T b) {
    return a <= b;
  }
};

// Converts toward zero, saturating, NaN → 0: the one float→int conversion with no UB.
template <typename T>
T saturating_cast(double v) {
  if (std::isnan(v)) return 0;
  if (v <= static_cast<double>(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
  if (v >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return static_cast<T>(v);
}

template <typename T>
T integer_power(T base, int64_t exponent) {
  if (exponent < 0) {
    if (base == 1) return 1;
    if (base == -1) return (exponent & 1) ? T(-1) : T(1);
    return 0;
  }
  T result = 1;
  while (exponent) {
    if (exponent & 1) result = MulOp::apply(result, base);
    base = MulOp::apply(base, base);
    exponent >>= 1;
  }
  return result;
}

// Pow(X, Y): the output has X's type; Y may be float or integer.
struct PowOp {
  template <typename T, typename E>
  static T apply(T x, E y) {
    if constexpr (std::is_floating_point_v<T>) {
      if constexpr (std::is_floating_point_v<E>) return std::pow(x, y);
      else return static_cast<T>(std::pow(static_cast<double>(x), static_cast<double>(y)));
    } else if constexpr (std::is_integral_v<E>) {
      return integer_power<T>(x, static_cast<int64_t>(y));
    } else {
      return saturating_cast<T>(std::pow(static_cast<double>(x), static_cast<double>(y)));
    }
  }
};

template <typename Op, typename = void>
struct HasVec : std::false_type {};
template <typename Op>
struct HasVec<Op, std::void_t<decltype(Op::kVec)>> : std::true_type {};

// ---------------------------------------------------------------------------------------------
// Row loops. Operand k's elements are at p[i * step]; a step of 0 repeats one value.

template <typename Op, typename A, typename B, typename R>
void binary_row(const A* a, int64_t sa, const B* b, int64_t sb, R* out, int64_t n) {
  int64_t i = 0;
  if constexpr (std::is_same_v<A, float> && std::is_same_v<B, float> && std::is_same_v<R, float> && HasVec<Op>::value) {
    using kernels::VBinaryOperands;
    const auto& vbinary = kernels::active().f32_vbinary[static_cast<size_t>(Op::kVec)];
    const size_t count = static_cast<size_t>(n);
    if (sa == 1 && sb == 1) return vbinary[static_cast<size_t>(VBinaryOperands::kVectorVector)](count, a, b, out);
    if (sa == 1 && sb == 0) return vbinary[static_cast<size_t>(VBinaryOperands::kVectorScalar)](count, a, b, out);
    if (sa == 0 && sb == 1) return vbinary[static_cast<size_t>(VBinaryOperands::kScalarVector)](count, a, b, out);
  }
  // Integer rows and strided float rows. The common step patterns get their own loops so the compiler
  // can vectorise them.
  if (sa == 1 && sb == 1) {
    for (; i < n; ++i) out[i] = Op::apply(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    for (; i < n; ++i) out[i] = Op::apply(a[i], b[0]);
  } else if (sa == 0 && sb == 1) {
    for (; i < n; ++i) out[i] = Op::apply(a[0], b[i]);
  } else {
    for (; i < n; ++i) out[i] = Op::apply(a[i * sa], b[i * sb]);
  }
}

template <typename Op, typename A, typename B, typename R>
void binary_loop(const StridedLoop<3>& loop, const void* a, const void* b, void* out) {
  const A* pa = static_cast<const A*>(a);
  const B* pb = static_cast<const B*>(b);
  R* po = static_cast<R*>(out);
  loop.for_each_row([&](const std::array<int64_t, 3>& off, int64_t n, const std::array<int64_t, 3>& step) {
    (void)step[0];  // the output is contiguous: its step along a row is always 1
    binary_row<Op>(pa + off[1], step[1], pb + off[2], step[2], po + off[0], n);
  });
}

// ---------------------------------------------------------------------------------------------
// Op table.

enum class Family { kArithmetic, kComparison, kPow, kMean };
enum class BinaryOp {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMax,
  kMin,
  kPow,
  kEqual,
  kGreater,
  kGreaterOrEqual,
  kLess,
  kLessOrEqual
};

struct BinarySpec {
  const char* name;
  BinaryOp op;  // Sum and Mean fold with kAdd
  Family family;
  size_t min_inputs, max_inputs;  // variadic ops take 1..many
  bool integers;                  // also int32/int64/uint8
  bool bools;                     // also bool (Equal)
};

constexpr size_t kManyInputs = 1u << 16;

constexpr BinarySpec kBinarySpecs[] = {
    {"Add", BinaryOp::kAdd, Family::kArithmetic, 2, 2, true, false},
    {"Sub", BinaryOp::kSub, Family::kArithmetic, 2, 2, true, false},
    {"Mul", BinaryOp::kMul, Family::kArithmetic, 2, 2, true, false},
    {"Div", BinaryOp::kDiv, Family::kArithmetic, 2, 2, true, false},
    {"Max", BinaryOp::kMax, Family::kArithmetic, 1, kManyInputs, true, false},
    {"Min", BinaryOp::kMin, Family::kArithmetic, 1, kManyInputs, true, false},
    {"Sum", BinaryOp::kAdd, Family::kArithmetic, 1, kManyInputs, true, false},
    {"Mean", BinaryOp::kAdd, Family::kMean, 1, kManyInputs, false, false},
    {"Pow", BinaryOp::kPow, Family::kPow, 2, 2, true, false},
    {"Equal", BinaryOp::kEqual, Family::kComparison, 2, 2, true, true},
    {"Greater", BinaryOp::kGreater, Family::kComparison, 2, 2, true, false},
    {"GreaterOrEqual", BinaryOp::kGreaterOrEqual, Family::kComparison, 2, 2, true, false},
    {"Less", BinaryOp::kLess, Family::kComparison, 2, 2, true, false},
    {"LessOrEqual", BinaryOp::kLessOrEqual, Family::kComparison, 2, 2, true, false},
};

const BinarySpec* find_binary_spec(const std::string& op) {
  for (const BinarySpec& s : kBinarySpecs)
    if (op == s.name) return &s;
  return nullptr;
}

// Calls fn(T{}) with the C++ type of `t`, for the types elementwise ops compute in.
template <typename Fn>
void with_type(DataType t, Fn&& fn) {
  switch (t) {
    case DataType::kFloat32: fn(float{}); break;
    case DataType::kInt32: fn(int32_t{}); break;
    case DataType::kInt64: fn(int64_t{}); break;
    case DataType::kUInt8: fn(uint8_t{}); break;
    case DataType::kBool: fn(uint8_t{}); break;
    case DataType::kInt8: fn(int8_t{}); break;
    case DataType::kFloat64: break;  // only at a model's boundary (tensor.h): no op computes in it
  }
}

// Runs one fold step `out = a op b` for the same-typed ops (Pow has its own path).
template <typename T>
void run_binary_step(BinaryOp op, const StridedLoop<3>& loop, const void* a, const void* b, void* out) {
  switch (op) {
    case BinaryOp::kAdd: binary_loop<AddOp, T, T, T>(loop, a, b, out); break;
    case BinaryOp::kSub: binary_loop<SubOp, T, T, T>(loop, a, b, out); break;
    case BinaryOp::kMul: binary_loop<MulOp, T, T, T>(loop, a, b, out); break;
    case BinaryOp::kDiv: binary_loop<DivOp, T, T, T>(loop, a, b, out); break;
    case BinaryOp::kMax: binary_loop<MaxOp, T, T, T>(loop, a, b, out); break;
    case BinaryOp::kMin: binary_loop<MinOp, T, T, T>(loop, a, b, out); break;
    case BinaryOp::kEqual: binary_loop<EqualOp, T, T, uint8_t>(loop, a, b, out); break;
    case BinaryOp::kGreater: binary_loop<GreaterOp, T, T, uint8_t>(loop, a, b, out); break;
    case BinaryOp::kGreaterOrEqual: binary_loop<GreaterOrEqualOp, T, T, uint8_t>(loop, a, b, out); break;
    case BinaryOp::kLess: binary_loop<LessOp, T, T, uint8_t>(loop, a, b, out); break;
    case BinaryOp::kLessOrEqual: binary_loop<LessOrEqualOp, T, T, uint8_t>(loop, a, b, out); break;
    case BinaryOp::kPow: break;
  }
}

bool is_numeric(DataType t) {
  return t == DataType::kFloat32 || t == DataType::kInt32 || t == DataType::kInt64 || t == DataType::kUInt8 ||
         t == DataType::kInt8;
}

class BroadcastKernel : public Kernel {
 public:
  explicit BroadcastKernel(const BinarySpec& spec) : spec_(spec) {}

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, spec_.min_inputs, spec_.max_inputs));
    for (size_t i = 0; i < in.size(); ++i)
      if (!in[i].present) return node.error("input " + std::to_string(i) + " is missing");
    if (out.size() != 1) return node.error("expects 1 output, got " + std::to_string(out.size()));

    what_ = node.describe();
    dtype_ = in[0].dtype;
    exponent_dtype_ = in.size() > 1 ? in[1].dtype : dtype_;
    if (spec_.family == Family::kPow) {
      for (DataType t : {dtype_, exponent_dtype_})
        if (t != DataType::kFloat32 && t != DataType::kInt32 && t != DataType::kInt64)
          return node.error(std::string("does not support ") + dtype_name(t) + " (float32, int32, int64 only)");
    } else {
      for (size_t i = 1; i < in.size(); ++i)
        if (in[i].dtype != dtype_)
          return node.error("inputs have different dtypes: input 0 is " + std::string(dtype_name(dtype_)) + ", input " +
                            std::to_string(i) + " is " + dtype_name(in[i].dtype));
      bool ok = dtype_ == DataType::kFloat32 || (spec_.integers && is_numeric(dtype_)) ||
                (spec_.bools && dtype_ == DataType::kBool);
      if (!ok) return node.error(std::string("does not support ") + dtype_name(dtype_) + " inputs");
    }

    Shape shape = in[0].shape;
    for (size_t i = 1; i < in.size(); ++i) {
      auto r = broadcast_shapes(shape, in[i].shape);
      if (!r.is_ok()) return node.error(r.status().message());
      shape = std::move(r).value();
    }
    WEBCNN_TRY(checked_num_elements(shape).status().with_context(node.describe()));

    loops_.clear();
    for (size_t i = 1; i < in.size(); ++i)
      loops_.push_back(binary_broadcast_loop(shape, i == 1 ? in[0].shape : shape, in[i].shape));

    // Squaring reads x as both operands, so x must already have the output's shape.
    square_ = spec_.family == Family::kPow && dtype_ == DataType::kFloat32 && exponent_dtype_ == DataType::kFloat32 &&
              in[1].constant && in[1].constant->size() == 1 && in[1].constant->data<float>()[0] == 2.0f &&
              in[0].shape == shape;
    if (square_) loops_[0] = binary_broadcast_loop(shape, shape, shape);

    out[0].dtype = spec_.family == Family::kComparison ? DataType::kBool : dtype_;
    out[0].shape = shape;
    return Status::ok();
  }

  Status run(const KernelIO& io) override {
    void* out = io.out[0].data;
    if (io.num_in == 1) {  // single-input Max/Min/Sum/Mean: a copy
      std::memcpy(out, io.in[0].data, static_cast<size_t>(io.out[0].size()) * dtype_size(dtype_));
      return Status::ok();
    }
    if (spec_.family == Family::kPow) {
      run_pow(io.in[0].data, io.in[1].data, out);
      return Status::ok();
    }
    if (spec_.op == BinaryOp::kDiv && dtype_ != DataType::kFloat32 && has_zero(io.in[1]))
      return Status::error(what_ + ": integer division by zero");
    with_type(dtype_, [&](auto tag) {
      using T = decltype(tag);
      for (size_t k = 0; k < loops_.size(); ++k)
        run_binary_step<T>(spec_.op, loops_[k], k == 0 ? io.in[0].data : out, io.in[k + 1].data, out);
    });
    if (spec_.family == Family::kMean) {
      float* p = static_cast<float*>(out);
      const float count = static_cast<float>(io.num_in);
      const int64_t n = io.out[0].size();
      for (int64_t i = 0; i < n; ++i) p[i] /= count;
    }
    return Status::ok();
  }

 private:
  void run_pow(const void* x, const void* y, void* out) const {
    if (square_) {  // Pow(x, 2), as in LayerNorm's variance: x * x, exact where pow is only close
      binary_loop<MulOp, float, float, float>(loops_[0], x, x, out);
      return;
    }
    with_type(dtype_, [&](auto base_tag) {
      using T = decltype(base_tag);
      with_type(exponent_dtype_, [&](auto exp_tag) {
        using E = decltype(exp_tag);
        binary_loop<PowOp, T, E, T>(loops_[0], x, y, out);
      });
    });
  }

  // ONNX leaves integer division by zero undefined; ONNX Runtime refuses it, and so do Div and Mod here.
  bool has_zero(const TensorView& divisor) const {
    bool zero = false;
    with_type(dtype_, [&](auto tag) {
      using T = decltype(tag);
      const T* d = divisor.as<const T>();
      const int64_t n = divisor.size();
      for (int64_t i = 0; i < n && !zero; ++i) zero = d[i] == T{0};
    });
    return zero;
  }

  BinarySpec spec_;
  std::string what_;
  DataType dtype_ = DataType::kFloat32, exponent_dtype_ = DataType::kFloat32;
  bool square_ = false;
  std::vector<StridedLoop<3>> loops_;
};

// ---------------------------------------------------------------------------------------------
// Unary ops.

float sqrt_of(float x) { return std::sqrt(x); }
float exp_of(float x) { return std::exp(x); }
float log_of(float x) { return std::log(x); }
float abs_of(float x) { return std::fabs(x); }
float neg_of(float x) { return -x; }
float reciprocal_of(float x) { return 1.0f / x; }
float floor_of(float x) { return std::floor(x); }
float ceil_of(float x) { return std::ceil(x); }
float round_of(float x) { return std::nearbyint(x); }                // halves to even (default rounding mode)
float sign_of(float x) { return x > 0 ? 1.0f : x < 0 ? -1.0f : x; }  // ±0 and NaN pass through
float erf_of(float x) { return std::erf(x); }
float sin_of(float x) { return std::sin(x); }
float cos_of(float x) { return std::cos(x); }
float tan_of(float x) { return std::tan(x); }
float asin_of(float x) { return std::asin(x); }
float acos_of(float x) { return std::acos(x); }
float atan_of(float x) { return std::atan(x); }
float sinh_of(float x) { return std::sinh(x); }
float cosh_of(float x) { return std::cosh(x); }
float asinh_of(float x) { return std::asinh(x); }
float acosh_of(float x) { return std::acosh(x); }
float atanh_of(float x) { return std::atanh(x); }

// A template argument, so the compiler inlines (and for the cheap ones vectorises) F in the loop.
template <float (*F)(float)>
void map_floats(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = F(x[i]);
}

// What the integer forms do (only Abs, Neg and Sign take integers).
enum class IntegerForm { kNone, kAbs, kNeg, kSign };

struct UnarySpec {
  const char* name;
  IntegerForm integers;
  float (*apply)(float);
  void (*map)(const float*, float*, int64_t);
};

#define WEBCNN_UNARY(name, integers, fn) \
  { name, IntegerForm::integers, fn, map_floats<fn> }
constexpr UnarySpec kUnarySpecs[] = {
    WEBCNN_UNARY("Sqrt", kNone, sqrt_of),   WEBCNN_UNARY("Exp", kNone, exp_of),
    WEBCNN_UNARY("Log", kNone, log_of),     WEBCNN_UNARY("Abs", kAbs, abs_of),
    WEBCNN_UNARY("Neg", kNeg, neg_of),      WEBCNN_UNARY("Reciprocal", kNone, reciprocal_of),
    WEBCNN_UNARY("Floor", kNone, floor_of), WEBCNN_UNARY("Ceil", kNone, ceil_of),
    WEBCNN_UNARY("Round", kNone, round_of), WEBCNN_UNARY("Sign", kSign, sign_of),
    WEBCNN_UNARY("Erf", kNone, erf_of),     WEBCNN_UNARY("Sin", kNone, sin_of),
    WEBCNN_UNARY("Cos", kNone, cos_of),     WEBCNN_UNARY("Tan", kNone, tan_of),
    WEBCNN_UNARY("Asin", kNone, asin_of),   WEBCNN_UNARY("Acos", kNone, acos_of),
    WEBCNN_UNARY("Atan", kNone, atan_of),   WEBCNN_UNARY("Sinh", kNone, sinh_of),
    WEBCNN_UNARY("Cosh", kNone, cosh_of),   WEBCNN_UNARY("Asinh", kNone, asinh_of),
    WEBCNN_UNARY("Acosh", kNone, acosh_of), WEBCNN_UNARY("Atanh", kNone, atanh_of),
};
#undef WEBCNN_UNARY

const UnarySpec* find_unary_spec(const std::string& op) {
  for (const UnarySpec& s : kUnarySpecs)
    if (op == s.name) return &s;
  return nullptr;
}

// Integer Neg, Abs (negate only negatives) and Sign. Negation wraps, so -INT_MIN = INT_MIN.
template <typename T>
T integer_unary(IntegerForm form, T x) {
  const T negated = wrap<T>(static_cast<Unsigned<T>>(Unsigned<T>{0} - static_cast<Unsigned<T>>(x)));
  switch (form) {
    case IntegerForm::kNeg: return negated;
    case IntegerForm::kAbs: return x < 0 ? negated : x;
    case IntegerForm::kSign: return static_cast<T>(x > 0 ? 1 : x < 0 ? -1 : 0);
    case IntegerForm::kNone: break;
  }
  return x;
}

template <typename T>
void integer_unary_map(IntegerForm form, const T* x, T* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = integer_unary(form, x[i]);
}

class UnaryKernel : public Kernel {
 public:
  explicit UnaryKernel(const UnarySpec& spec) : spec_(spec) {}

  Status prepare(const Node& node, const std::vector<ValueInfo>& in, std::vector<ValueInfo>& out) override {
    WEBCNN_TRY(expect_inputs(node, in, 1, 1));
    dtype_ = in[0].dtype;
    bool ok = dtype_ == DataType::kFloat32 ||
              (spec_.integers != IntegerForm::kNone && (dtype_ == DataType::kInt32 || dtype_ == DataType::kInt64));
    if (!ok) return node.error(std::string("does not support ") + dtype_name(dtype_) + " input");
    out[0].dtype = dtype_;
    out[0].shape = in[0].shape;
    return Status::ok();
  }

  Status run(const KernelIO& io) override {
    const int64_t n = io.out[0].size();
    if (dtype_ == DataType::kFloat32) {
      spec_.map(io.in[0].as<const float>(), io.out[0].as<float>(), n);
    } else if (dtype_ == DataType::kInt32) {
      integer_unary_map(spec_.integers, io.in[0].as<const int32_t>(), io.out[0].as<int32_t>(), n);
    } else {
      integer_unary_map(spec_.integers, io.in[0].as<const int64_t>(), io.out[0].as<int64_t>(), n);
    }
    return Status::ok();
  }

 private:
  UnarySpec spec_;
  DataType dtype_ = DataType::kFloat32;
};

Result<std::unique_ptr<Kernel>> create_elementwise(const Node& node) {
  if (const BinarySpec* s = find_binary_spec(node.op)) return std::unique_ptr<Kernel>(new BroadcastKernel(*s));
  if (const UnarySpec* s = find_unary_spec(node.op)) return std::unique_ptr<Kernel>(new UnaryKernel(*s));
  return node.error("is not an elementwise op");
}

}  // namespace

namespace reference {
namespace {

template <typename Op, typename A, typename B, typename R>
void naive_binary(const Tensor& a, const Tensor& b, Tensor& out) {
  for (int64_t i = 0; i < out.size(); ++i)
    out.data<R>()[i] = Op::apply(a.data<A>()[broadcast_source_offset(a.shape(), out.shape(), i)],
                                 b.data<B>()[broadcast_source_offset(b.shape(), out.shape(), i)]);
}

template <typename T>
void naive_same_type_binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) {
  switch (op) {
    case BinaryOp::kAdd: naive_binary<AddOp, T, T, T>(a, b, out); break;
    case BinaryOp::kSub: naive_binary<SubOp, T, T, T>(a, b, out); break;
    case BinaryOp::kMul: naive_binary<MulOp, T, T, T>(a, b, out); break;
    case BinaryOp::kDiv: naive_binary<DivOp, T, T, T>(a, b, out); break;
    case BinaryOp::kMax: naive_binary<MaxOp, T, T, T>(a, b, out); break;
    case BinaryOp::kMin: naive_binary<MinOp, T, T, T>(a, b, out); break;
    case BinaryOp::kEqual: naive_binary<EqualOp, T, T, uint8_t>(a, b, out); break;
    case BinaryOp::kGreater: naive_binary<GreaterOp, T, T, uint8_t>(a, b, out); break;
    case BinaryOp::kGreaterOrEqual: naive_binary<GreaterOrEqualOp, T, T, uint8_t>(a, b, out); break;
    case BinaryOp::kLess: naive_binary<LessOp, T, T, uint8_t>(a, b, out); break;
    case BinaryOp::kLessOrEqual: naive_binary<LessOrEqualOp, T, T, uint8_t>(a, b, out); break;
    case BinaryOp::kPow: break;
  }
}

Result<Tensor> naive_binary_step(const BinarySpec& spec, const Tensor& a, const Tensor& b) {
  WEBCNN_ASSIGN(Shape shape, broadcast_shapes(a.shape(), b.shape()));
  WEBCNN_ASSIGN(Tensor out, Tensor::create(spec.family == Family::kComparison ? DataType::kBool : a.dtype(), shape));
  if (spec.op == BinaryOp::kPow) {
    with_type(a.dtype(), [&](auto base_tag) {
      with_type(b.dtype(), [&](auto exp_tag) {
        using T = decltype(base_tag);
        naive_binary<PowOp, T, decltype(exp_tag), T>(a, b, out);
      });
    });
  } else {
    if (a.dtype() != b.dtype()) return Status::error("reference::elementwise: mixed dtypes");
    if (spec.op == BinaryOp::kDiv && b.dtype() != DataType::kFloat32) {
      bool zero = false;
      with_type(b.dtype(), [&](auto tag) {
        for (int64_t i = 0; i < b.size() && !zero; ++i) zero = b.data<decltype(tag)>()[i] == 0;
      });
      if (zero) return Status::error("reference::elementwise: integer division by zero");
    }
    with_type(a.dtype(), [&](auto tag) { naive_same_type_binary<decltype(tag)>(spec.op, a, b, out); });
  }
  return out;
}

}  // namespace

Result<Tensor> elementwise(const std::string& op, const std::vector<const Tensor*>& inputs) {
  if (inputs.empty()) return Status::error("reference::elementwise: no inputs");
  if (const UnarySpec* spec = find_unary_spec(op)) {
    const Tensor& x = *inputs[0];
    Tensor out(x.dtype(), x.shape());
    for (int64_t i = 0; i < x.size(); ++i) {
      if (x.dtype() == DataType::kFloat32) {
        out.data<float>()[i] = spec->apply(x.data<float>()[i]);
      } else if (x.dtype() == DataType::kInt32) {
        out.data<int32_t>()[i] = integer_unary(spec->integers, x.data<int32_t>()[i]);
      } else {
        out.data<int64_t>()[i] = integer_unary(spec->integers, x.data<int64_t>()[i]);
      }
    }
    return out;
  }
  const BinarySpec* spec = find_binary_spec(op);
  if (!spec) return Status::error("reference::elementwise: unknown op " + op);
  Tensor acc = *inputs[0];
  for (size_t k = 1; k < inputs.size(); ++k) {
    WEBCNN_ASSIGN(acc, naive_binary_step(*spec, acc, *inputs[k]));
  }
  if (op == "Mean")
    for (int64_t i = 0; i < acc.size(); ++i) acc.data<float>()[i] /= static_cast<float>(inputs.size());
  return acc;
}

}  // namespace reference

void register_elementwise_ops(OpRegistry& r) {
  for (const BinarySpec& s : kBinarySpecs) r.add(s.name, create_elementwise, OpTraits::broadcast());
  for (const UnarySpec& s : kUnarySpecs) r.add(s.name, create_elementwise, OpTraits::unary());
}

}  // namespace webcnn
