// Ops that move elements without arithmetic: Concat, Transpose, Gather, Slice, Pad. Every function
// works on raw bytes with an element size, so any dtype goes through the same code.
//
// Each op has its fast path here and a naive `reference` (one element at a time, straight from the ONNX
// definition) that the tests compare it with. Shapes and parameters are validated by the kernels
// before these run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn::data_movement {

// ---- Concat
// Output shape of concatenating `inputs` along `axis` (negative counts from the end).
Result<Shape> concat_shape(const std::vector<Shape>& inputs, int64_t axis);
// `axis` already normalised to [0, rank).
void concat(const std::vector<const void*>& in, const std::vector<Shape>& in_shapes, int64_t axis, void* out,
            size_t element_size);

// ---- Transpose: output dim i is input dim perm[i].
Result<std::vector<int64_t>> transpose_perm(size_t rank, const std::vector<int64_t>& perm_attr, bool has_perm);
Shape transpose_shape(const Shape& in, const std::vector<int64_t>& perm);
void transpose(const void* in, const Shape& in_shape, const std::vector<int64_t>& perm, void* out, size_t element_size);

// ---- Gather: out = data[:axis] x indices x data[axis+1:]. Indices are int32 or int64; negative ones
// count from the end. An index out of range returns an error saying which (never reads past the data).
Status gather(const void* data, const Shape& data_shape, int64_t axis, const void* indices, DataType index_type,
              int64_t num_indices, void* out, size_t element_size);

// ---- Slice: per input dim, the first element, the step and how many elements are taken.
struct SliceAxis {
  int64_t start = 0, step = 1, count = 0;
};
// From the op's inputs (axes/steps may be empty = all axes / all 1), with ONNX clamping rules.
Result<std::vector<SliceAxis>> slice_plan(const Shape& in, const std::vector<int64_t>& starts,
                                          const std::vector<int64_t>& ends, const std::vector<int64_t>& axes,
                                          const std::vector<int64_t>& steps);
void slice(const void* in, const Shape& in_shape, const std::vector<SliceAxis>& plan, void* out, size_t element_size);

// ---- Pad
enum class PadMode { kConstant, kReflect, kEdge, kWrap };
Result<PadMode> parse_pad_mode(const std::string& mode);
// Per input dim. Negative pads crop first; the kept region [keep_begin, keep_begin + keep) of the input
// is then padded with `before` leading and out_dim - before - keep trailing elements, whose values come
// from the kept region by `mode` (as onnxruntime does).
struct PadAxis {
  int64_t in_dim = 0, out_dim = 0, before = 0, keep_begin = 0, keep = 0;
};
// `pads` as in ONNX: [begin_0, begin_1, ..., end_0, end_1, ...] for the listed axes (all if empty).
Result<std::vector<PadAxis>> pad_plan(const Shape& in, const std::vector<int64_t>& pads, const std::vector<int64_t>& axes,
                                      PadMode mode);
// Input index along one axis for output index `o`, or -1 where the constant value goes.
int64_t pad_source_index(const PadAxis& a, int64_t o, PadMode mode);
// `value` points at one element (the constant for kConstant; ignored otherwise).
void pad(const void* in, const std::vector<PadAxis>& plan, PadMode mode, const void* value, void* out,
         size_t element_size);

namespace reference {
void concat(const std::vector<const void*>& in, const std::vector<Shape>& in_shapes, int64_t axis, void* out,
            size_t element_size);
void transpose(const void* in, const Shape& in_shape, const std::vector<int64_t>& perm, void* out, size_t element_size);
Status gather(const void* data, const Shape& data_shape, int64_t axis, const void* indices, DataType index_type,
              int64_t num_indices, void* out, size_t element_size);
void slice(const void* in, const Shape& in_shape, const std::vector<SliceAxis>& plan, void* out, size_t element_size);
void pad(const void* in, const std::vector<PadAxis>& plan, PadMode mode, const void* value, void* out,
         size_t element_size);
}  // namespace reference

}  // namespace webcnn::data_movement
