#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

void register_softmax_ops(OpRegistry& r) { (void)r; }

}  // namespace webcnn
