// Cast to float16 (ops/cast.cc): the engine holds float16 tensors as float32, so Cast(to=FLOAT16) rounds
// each value to the nearest half. Oracle: an independent decoder of all 65,536 half bit patterns written
// out here from IEEE 754's definition; every half must round to itself, every midpoint between two
// neighbouring halves to the one with the even significand, and points just off a midpoint to the nearer.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ops/cast.h"
#include "support/single_node.h"

using namespace webcnn;
using namespace webcnn::single_node;

namespace {

// IEEE 754 binary16: sign, 5 exponent bits (bias 15), 10 significand bits; exponent 0 subnormal, 31 inf/NaN.
double decode_half(uint16_t h) {
  const int sign = h >> 15, exponent = (h >> 10) & 31, significand = h & 1023;
  double magnitude;
  if (exponent == 0) magnitude = std::ldexp(significand, -24);
  else if (exponent == 31) magnitude = significand ? std::numeric_limits<double>::quiet_NaN() : INFINITY;
  else magnitude = std::ldexp(1024 + significand, exponent - 25);
  return sign ? -magnitude : magnitude;
}

}  // namespace

TEST_CASE("round_to_float16: halves stay, midpoints go to the even significand, overflow to infinity") {
  int checked = 0;
  for (uint32_t bits = 0; bits < 0x7C00; ++bits) {  // every finite non-negative half, in increasing order
    const double h = decode_half(static_cast<uint16_t>(bits));
    CAPTURE(bits);
    REQUIRE(round_to_float16(static_cast<float>(h)) == static_cast<float>(h));
    REQUIRE(round_to_float16(static_cast<float>(-h)) == static_cast<float>(-h));
    const double next = decode_half(static_cast<uint16_t>(bits + 1));  // 0x7C00 itself is +inf
    if (std::isinf(next)) continue;
    const double mid = (h + next) / 2;  // exact in float: a half has 11 significant bits
    const double even = (bits & 1) ? next : h;
    REQUIRE(round_to_float16(static_cast<float>(mid)) == static_cast<float>(even));
    REQUIRE(round_to_float16(static_cast<float>(-mid)) == static_cast<float>(-even));
    REQUIRE(round_to_float16(std::nextafter(static_cast<float>(mid), 0.0f)) == static_cast<float>(h));
    REQUIRE(round_to_float16(std::nextafter(static_cast<float>(mid), INFINITY)) == static_cast<float>(next));
    ++checked;
  }
  CHECK(checked == 0x7BFF);
  // 65504 is the largest half; from the midpoint to 2^16 on, the result is infinite (ties to even: 2^16).
  CHECK(round_to_float16(65519.99f) == 65504.0f);
  CHECK(std::isinf(round_to_float16(65520.0f)));
  CHECK(round_to_float16(-1e30f) == -INFINITY);
  CHECK(round_to_float16(INFINITY) == INFINITY);
  CHECK(std::isnan(round_to_float16(std::numeric_limits<float>::quiet_NaN())));
  // Below half the smallest subnormal (2^-25) values go to zero, keeping the sign.
  CHECK(round_to_float16(std::ldexp(1.0f, -26)) == 0.0f);
  CHECK(std::signbit(round_to_float16(-std::ldexp(1.0f, -26))));
  CHECK(round_to_float16(std::ldexp(1.5f, -25)) == std::ldexp(1.0f, -24));
}

TEST_CASE("Cast to float16 rounds (and never aliases its input); to int8 and from float16 are plain casts") {
  const Tensor x = floats({5}, {1.0f, 0.1f, 70000.0f, -2049.0f, 3.0f});
  auto half = run_node(make_node("Cast", {{"to", Attribute::of_int(10)}}), {var(x)});
  REQUIRE_MESSAGE(half.is_ok(), half.status().message());
  CHECK(half->at(0).dtype() == DataType::kFloat32);
  // 0.1 → 0x2E66 = 0.0999755859375; 70000 → inf; −2049 is a tie between −2048 and −2050: even is −2048.
  CHECK(values<float>(half->at(0)) == std::vector<float>{1.0f, 0.0999755859375f, INFINITY, -2048.0f, 3.0f});
  auto back = run_node(make_node("Cast", {{"to", Attribute::of_int(1)}}), {var(half->at(0))});
  REQUIRE(back.is_ok());
  CHECK(values<float>(back->at(0)) == values<float>(half->at(0)));
  auto i8 = run_node(make_node("Cast", {{"to", Attribute::of_int(3)}}), {var(floats({3}, {-3.7f, 200.0f, 5.2f}))});
  REQUIRE_MESSAGE(i8.is_ok(), i8.status().message());
  CHECK(i8->at(0).dtype() == DataType::kInt8);
  CHECK(values<int8_t>(i8->at(0)) == std::vector<int8_t>{-3, 127, 5});
  CHECK(error_mentions(run_node(make_node("Cast", {{"to", Attribute::of_int(16)}}), {var(x)}).status(),
                       "unsupported dtype"));
}
