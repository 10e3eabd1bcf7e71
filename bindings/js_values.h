// Conversions between JavaScript values (emscripten::val) and engine types, used by the Embind module.
//
// Errors cross the boundary as values. The engine never throws and the module is built without C++
// exceptions, so a C++ function called from JS returns either its result or {error: "<engine message>"},
// and web/webcnn.js turns the latter into a JS Error. The object also carries code: the error's kind as
// status_code_name() spells it ("INVALID_MODEL", ...), which webcnn.js puts on the Error. (Throwing a JS exception from
// C++ with val::throw_ would unwind past C++ frames without running destructors and leak what they own.)
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <string>
#include <vector>

#include "webcnn/image.h"
#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn::js {

using emscripten::val;

// {error: message, code}. A message alone is a check of the caller's arguments: INVALID_ARGUMENT.
// A Status keeps its own code; one without a kind yet takes `default_code` (what the call was doing
// decides: loading a model, or running one on the caller's inputs).
val error_object(const std::string& message);
val error_object(const Status& status, StatusCode default_code = StatusCode::kInvalidArgument);

// JS array of numbers → Shape. Every entry must be an integer in 0..kMaxElements.
Result<Shape> shape_from_js(const val& array, const std::string& what);
// Shape → JS array of numbers (-1 for dimensions fixed at run time).
val shape_to_js(const Shape& shape);

// Length in bytes of an ArrayBuffer view (typed array, DataView) or ArrayBuffer; error if neither.
Result<size_t> byte_length_of(const val& data, const std::string& what);
// Copies the bytes of `data` (ArrayBuffer or view) to `dst`; the byte length must be `bytes`.
Status copy_from_js(const val& data, void* dst, size_t bytes, const std::string& what);

// A new JS typed array holding a copy of the tensor's elements: Float32Array, Int32Array,
// BigInt64Array, or Uint8Array (uint8 and bool).
val tensor_data_to_js(const Tensor& tensor);
// {data, shape, dtype}
val tensor_to_js(const Tensor& tensor);

// {name, shape, dtype}
// {name, shape, dtype} and, for 8-bit tensors of quantised models, quant: {scale, zeroPoint} (numbers) or,
// per channel, {scale: number[], zeroPoint: number[], axis}.
val spec_to_js(const std::string& name, const Shape& shape, DataType dtype, const QuantParams& quant = {});

// Preprocessing options from JS, laid over `defaults`:
//   {width, height, fit: 'center-crop'|'letterbox'|'stretch', cropFraction, padColor: [r, g, b],
//    scale, mean: [r, g, b], std: [r, g, b], layout: 'NCHW'|'NHWC'}
// Unknown keys are refused (a misspelt option must not be silently ignored).
Result<PreprocessOptions> preprocess_options_from_js(const val& options, PreprocessOptions defaults);

// An RGBA8 image given as {data: Uint8Array | Uint8ClampedArray, width, height}; the pixels are copied
// into `storage` (reused between calls, so repeated frames do not allocate).
Result<ImageView> rgba_image_from_js(const val& image, std::vector<uint8_t>& storage);

}  // namespace webcnn::js
