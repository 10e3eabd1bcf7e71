// Prints Model::profile (webcnn/model.h): time per op kind (e.g. "Conv 3x3 dw s2": nodes, ms per run,
// share, GFLOP/s) and the slowest nodes, for `webcnn bench MODEL --profile`.
#pragma once

#include "webcnn/model.h"

namespace webcnn::cli {

// Time per op kind and the `top` slowest nodes.
void print_profile(const OpProfile& profile, int top);

}  // namespace webcnn::cli
