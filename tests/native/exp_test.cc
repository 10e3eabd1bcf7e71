// kernels/exp_f32x4.h (the f32_vexp kernel of every table compiled in) against the double-precision
// std::exp over a dense sweep and at the edges.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "kernels/kernel_table.h"

using namespace webcnn;

namespace {

float exp_lane(const kernels::KernelTable& t, float x) {
  float in[4] = {x, x, x, x}, out[4];
  t.f32_vexp(4, in, out);
  return out[0];
}

// |got − e^x| in units of the float spacing at the correctly rounded e^x.
double ulps(float got, double want) {
  const float w = static_cast<float>(want);
  const double ulp = static_cast<double>(std::nextafter(w, std::numeric_limits<float>::infinity())) - w;
  return std::fabs(static_cast<double>(got) - want) / ulp;
}

}  // namespace

TEST_CASE("exp_f32x4 is within 2 ulp of exp over the normal range") {
  for (const kernels::KernelTable* t : kernels::supported_tables()) {
    const std::string isa = t->isa;
    CAPTURE(isa);
    // Tolerance: 2 ulp (measured worst ≈ 1.2 ulp: Taylor truncation < 6e-9 plus float rounding in Horner).
    double worst = 0;
    float worst_x = 0;
    int lanes_checked = 0;
    for (float x = -87.3f; x <= 88.7f; x += 0.00113f) {
      // Four different values per call, so every lane is exercised.
      const float xs[4] = {x, x * 0.5f, -x * 0.25f, x * 0.001f};
      float out[4];
      t->f32_vexp(4, xs, out);
      for (int l = 0; l < 4; ++l, ++lanes_checked) {
        const double e = ulps(out[l], std::exp(static_cast<double>(xs[l])));
        if (e > worst) worst = e, worst_x = xs[l];
      }
    }
    MESSAGE(t->isa, ": exp_f32x4 worst error ", worst, " ulp at x = ", worst_x, " over ", lanes_checked, " values");
    CHECK(worst <= 2.0);
  }
}

TEST_CASE("exp_f32x4 handles infinities, NaN, overflow and underflow like std::exp") {
  for (const kernels::KernelTable* t : kernels::supported_tables()) {
    const std::string isa = t->isa;
    CAPTURE(isa);
    const auto exp_lane = [&](float x) { return ::exp_lane(*t, x); };
    const float inf = std::numeric_limits<float>::infinity();
    CHECK(exp_lane(inf) == inf);
    CHECK(exp_lane(-inf) == 0.0f);
    CHECK(std::isnan(exp_lane(std::numeric_limits<float>::quiet_NaN())));
    CHECK(exp_lane(0.0f) == 1.0f);
    CHECK(exp_lane(-0.0f) == 1.0f);
    CHECK(exp_lane(1.0f) == doctest::Approx(2.718281828).epsilon(2.5e-7));
    // e^88.72 = 3.3931e38 is the largest finite neighbourhood; e^88.73 overflows.
    CHECK(std::isfinite(exp_lane(88.72f)));
    CHECK(exp_lane(88.73f) == inf);
    CHECK(exp_lane(1000.0f) == inf);
    // Subnormal results: absolute error within the subnormal spacing 2^-149 (plus 1 ulp relative).
    for (float x = -103.9f; x < -87.4f; x += 0.05f) {
      const double want = std::exp(static_cast<double>(x));
      CHECK(std::fabs(exp_lane(x) - want) <= std::ldexp(1.0, -149) + 2.4e-7 * want);
    }
    CHECK(exp_lane(-104.0f) == 0.0f);
    CHECK(exp_lane(-1000.0f) == 0.0f);
  }
}
