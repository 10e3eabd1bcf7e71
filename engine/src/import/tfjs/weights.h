// The weightsManifest of a TF.js model.json: groups of weights whose bytes are the group's shard files
// concatenated in order. Decodes float32/int32/bool and the quantized forms tfjs-converter writes
// (uint8/uint16 with min and scale, float16) into engine tensors.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "import/tfjs/json.h"
#include "webcnn/model.h"
#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn {
namespace tfjs {

// Returns the bytes of a shard named by its manifest path (relative to model.json), or an error naming it.
using ShardReader = TfjsShardReader;

// Reads every weight of every group. Errors name the shard file or the weight: a missing shard, shards
// shorter or longer than the group's weights need, an unknown dtype or quantization, a bad shape.
Result<std::map<std::string, Tensor>> read_weights(const json::Value& manifest, const ShardReader& read_shard);

// IEEE half → float (exact; subnormals, infinities and NaN included).
float half_to_float(uint16_t h);

}  // namespace tfjs
}  // namespace webcnn
