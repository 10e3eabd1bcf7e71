// The f32x4 backend in plain C++: four floats in an array, one lane at a time. Runs anywhere; it is
// the reference the vector backends are compared with. Included through simd/f32x4.h only.
#pragma once

#include <cstdint>
#include <cstring>

namespace webcnn::simd::scalar {

constexpr const char* kBackend = "scalar";
constexpr bool kNativeFma = false;
inline bool supported() { return true; }
struct f32x4 {
  float v[4];
};
inline f32x4 load(const float* p) { return {{p[0], p[1], p[2], p[3]}}; }
inline void store(float* p, f32x4 a) {
  for (int i = 0; i < 4; ++i) p[i] = a.v[i];
}
inline f32x4 splat(float x) { return {{x, x, x, x}}; }
inline f32x4 zero() { return splat(0.0f); }
#define WEBCNN_LANEWISE(name, expr)              \
  inline f32x4 name(f32x4 a, f32x4 b) {          \
    f32x4 r;                                     \
    for (int i = 0; i < 4; ++i) r.v[i] = (expr); \
    return r;                                    \
  }
WEBCNN_LANEWISE(add, a.v[i] + b.v[i])
WEBCNN_LANEWISE(sub, a.v[i] - b.v[i])
WEBCNN_LANEWISE(mul, a.v[i] * b.v[i])
WEBCNN_LANEWISE(div, a.v[i] / b.v[i])
// Same operand order as maxps/pmax: the second operand wins on NaN or equality.
WEBCNN_LANEWISE(max, a.v[i] > b.v[i] ? a.v[i] : b.v[i])
WEBCNN_LANEWISE(min, a.v[i] < b.v[i] ? a.v[i] : b.v[i])
#undef WEBCNN_LANEWISE
// The build passes -ffp-contract=off, so this stays a separate mul and add, as in the SIMD backends.
inline f32x4 muladd(f32x4 a, f32x4 b, f32x4 c) { return add(mul(a, b), c); }
template <int L>
inline f32x4 broadcast_lane(f32x4 a) {
  return splat(a.v[L]);
}
inline float lane0(f32x4 a) { return a.v[0]; }
template <int S>
inline f32x4 shift_bits_left(f32x4 a) {
  for (float& x : a.v) {
    uint32_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    bits <<= S;
    std::memcpy(&x, &bits, sizeof bits);
  }
  return a;
}
// a * b + c, fused (one rounding) where kNativeFma; here a mul then an add, the same as muladd (std::fma
// would be fused, but slow where the CPU has no FMA, and it would differ from the vector backends).
inline f32x4 fmadd(f32x4 a, f32x4 b, f32x4 c) { return muladd(a, b, c); }

}  // namespace webcnn::simd::scalar
