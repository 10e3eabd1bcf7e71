// e^x on four lanes, written against simd/f32x4.h (f32_vexp.cc; in the namespace of the instruction set
// it is compiled for).
//
// x = n·ln2 + r with n = round(x·log2 e) and |r| ≤ ln2/2 (ln2 split in two parts, Cody–Waite, so r is exact
// to float precision); e^r by its degree-7 Taylor polynomial (truncation < 6e-9 relative); then the result is
// scaled by 2^n as two factors 2^(n/2)·2^(n − n/2), each a normal float, so results that overflow become +inf
// and results that underflow become subnormal or 0 through the final rounding, as in std::exp.
// Inputs are first clamped to [-104, 89]: e^89 overflows and e^-104 rounds to 0, so ±inf map to +inf / 0,
// and NaN passes through (max/min return their second operand on NaN).
// Accuracy: within 2 ulp of the correctly rounded e^x over the normal range (tests/native/exp_test.cc).
#pragma once

#include "simd/f32x4.h"

namespace webcnn::kernels::WEBCNN_ISA {

inline simd::f32x4 exp_f32x4(simd::f32x4 x) {
  using namespace simd;
  x = min(splat(89.0f), max(splat(-104.0f), x));
  // Round to nearest integer by adding and subtracting 1.5·2^23 (exact for |v| < 2^22).
  const f32x4 round_magic = splat(12582912.0f);
  const f32x4 n = sub(add(mul(x, splat(1.44269504088896341f)), round_magic), round_magic);
  // r = x − n·ln2, ln2 = 0.693145751953125 (exact in 16 bits, so n·hi is exact) + 1.428606765330187e-6.
  f32x4 r = sub(x, mul(n, splat(0.693145751953125f)));
  r = sub(r, mul(n, splat(1.428606765330187e-06f)));
  // Horner: 1 + r(1 + r(1/2 + r(1/6 + r(1/24 + r(1/120 + r(1/720 + r/5040)))))).
  f32x4 p = splat(1.0f / 5040.0f);
  p = muladd(p, r, splat(1.0f / 720.0f));
  p = muladd(p, r, splat(1.0f / 120.0f));
  p = muladd(p, r, splat(1.0f / 24.0f));
  p = muladd(p, r, splat(1.0f / 6.0f));
  p = muladd(p, r, splat(0.5f));
  p = muladd(p, r, splat(1.0f));
  p = muladd(p, r, splat(1.0f));
  // 2^k for an integer-valued k in [-126, 127]: the float k + (2^23 + 127) holds k + 127 in its low mantissa
  // bits; shifting the bit pattern left by 23 moves them into the exponent field and drops the rest.
  const f32x4 pow2_magic = splat(8388735.0f);  // 2^23 + 127
  const f32x4 n1 = sub(add(mul(n, splat(0.5f)), round_magic), round_magic);
  const f32x4 n2 = sub(n, n1);
  const f32x4 s1 = shift_bits_left<23>(add(n1, pow2_magic));
  const f32x4 s2 = shift_bits_left<23>(add(n2, pow2_magic));
  return mul(mul(p, s1), s2);
}

}  // namespace webcnn::kernels::WEBCNN_ISA
