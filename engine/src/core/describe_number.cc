#include "webcnn/describe_number.h"

#include <cmath>
#include <cstdio>

namespace webcnn {

std::string describe_number(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";  // as JS prints them
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

Status check_number_in_range(const std::string& what, double x, double lo, double hi) {
  if (std::isnan(x)) return Status::error(what + " is not a number (NaN)");
  if (!(x >= lo && x <= hi))
    return Status::error(what + " is " + describe_number(x) + ", outside " + describe_number(lo) + ".." +
                         describe_number(hi));
  return Status::ok();
}

}  // namespace webcnn
