#include "ops/kernel.h"
#include "ops/op_families.h"

namespace webcnn {

void register_data_movement_ops(OpRegistry& r) { (void)r; }

}  // namespace webcnn
