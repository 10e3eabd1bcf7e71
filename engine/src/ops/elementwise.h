// Elementwise arithmetic with numpy broadcasting (elementwise.cc): Add, Sub, Mul, Div, Pow,
// Max, Min, Sum, Mean (the last four variadic), Equal, Greater, GreaterOrEqual, Less, LessOrEqual,
// and the unary Sqrt, Exp, Log, Abs, Neg, Reciprocal, Floor, Ceil, Round (halves to even), Sign,
// Erf, Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Asinh, Acosh, Atanh.
//
// Types: float32, int32, int64, uint8 and int8 for the arithmetic ops, plus bool for Equal; Mean and the
// unary ops take float32, Abs/Neg/Sign also int32/int64. Pow's exponent may have a different type
// from its base (the output has the base's). Comparisons output bool. Integer semantics, which
// ONNX leaves open and we define so no input can trap:
//   - Add/Sub/Mul/Neg/Abs wrap around (two's complement), as the hardware does.
//   - Div truncates toward zero; x / 0 = 0 (as numpy), INT_MIN / -1 = INT_MIN (wraps).
//   - Pow with an integer exponent is exact repeated multiplication (wrapping); a negative exponent
//     gives 1/x^n truncated: 1 for x = 1, ±1 for x = -1, 0 otherwise (also 0 for x = 0).
//   - Pow of an integer base with a float exponent converts the double result toward zero,
//     saturating at the type's limits, NaN → 0.
// Float Max/Min: when either operand is NaN or they are equal, the result is the second operand
// (the x86 maxps / wasm pmax rule the vector path uses), so scalar tails and vectors agree.
#pragma once

#include <string>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn::reference {

// Naive per-element implementations: each output element recomputes its operands' offsets from
// scratch. `op` is the engine op name; variadic ops fold their inputs left to right.
Result<Tensor> elementwise(const std::string& op, const std::vector<const Tensor*>& inputs);

}  // namespace webcnn::reference
