// How numbers read in error messages: short ("1e-06", "0.5", "1e+30"), and NaN named as such, so a
// message says "cropFraction is 0, outside 1e-06..1" rather than printing 30 digits of 1e30.
#pragma once

#include <string>

#include "webcnn/status.h"

namespace webcnn {

// Up to 6 significant digits, as printf's %g: "0", "1e-06", "224", "-1e+30", "NaN", "Infinity".
std::string describe_number(double x);

// OK when lo <= x <= hi; otherwise "<what> is not a number (NaN)" or "<what> is 0, outside 1e-06..1".
Status check_number_in_range(const std::string& what, double x, double lo, double hi);

}  // namespace webcnn
