// Pad: constant, reflect, edge or wrap padding (negative pads crop).
// Works on raw bytes with an element size, so any dtype goes through the same code. The fast path sits
// beside a naive `reference` (one element at a time, straight from the ONNX definition) that the tests
// compare it with. Shapes and parameters are validated by the kernel before these run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn::data_movement {

enum class PadMode { kConstant, kReflect, kEdge, kWrap };
Result<PadMode> parse_pad_mode(const std::string& mode);
// Per input dim. Negative pads crop first; the kept region [keep_begin, keep_begin + keep) of the input
// is then padded with `before` leading and out_dim - before - keep trailing elements, whose values come
// from the kept region by `mode` (as onnxruntime does).
struct PadAxis {
  int64_t in_dim = 0, out_dim = 0, before = 0, keep_begin = 0, keep = 0;
};
// `pads` as in ONNX: [begin_0, begin_1, ..., end_0, end_1, ...] for the listed axes (all if empty).
Result<std::vector<PadAxis>> pad_plan(const Shape& in, const std::vector<int64_t>& pads,
                                      const std::vector<int64_t>& axes, PadMode mode);
// Input index along one axis for output index `o`, or -1 where the constant value goes.
int64_t pad_source_index(const PadAxis& a, int64_t o, PadMode mode);
// `value` points at one element (the constant for kConstant; ignored otherwise).
void pad(const void* in, const std::vector<PadAxis>& plan, PadMode mode, const void* value, void* out,
         size_t element_size);

namespace reference {
void pad(const void* in, const std::vector<PadAxis>& plan, PadMode mode, const void* value, void* out,
         size_t element_size);
}  // namespace reference

}  // namespace webcnn::data_movement
