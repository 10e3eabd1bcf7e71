// Images in, input tensors out: the one preprocessing path shared by the native CLI and the wasm
// bindings, so every front end resizes and normalises a picture the same way.
//
//   pixels (RGBA8 or RGB8) ──resize + crop/letterbox/stretch──▶ RGB float ──(v·scale − mean) / std──▶
//   [1,3,H,W] (NCHW) or [1,H,W,3] (NHWC)
//
// Decoding files (JPEG/PNG/BMP) is native only (target webcnn_decode): the browser decodes images itself.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn {

enum class PixelFormat : uint8_t { kRGBA8, kRGB8 };  // alpha, when present, is ignored

// Non-owning view of 8-bit pixels, rows top to bottom.
struct ImageView {
  const uint8_t* pixels = nullptr;
  int width = 0;
  int height = 0;
  PixelFormat format = PixelFormat::kRGBA8;
  size_t row_stride = 0;  // bytes from one row to the next; 0 = tightly packed (width × channels)
};

// Owning decoded image.
struct Image {
  int width = 0;
  int height = 0;
  PixelFormat format = PixelFormat::kRGB8;
  std::vector<uint8_t> pixels;
  ImageView view() const { return ImageView{pixels.data(), width, height, format, 0}; }
};

// How the picture's aspect ratio meets the tensor's.
enum class FitMode : uint8_t {
  kCenterCrop,  // scale so the picture covers the target, cut the overhang evenly from both sides
  kLetterbox,   // scale so the whole picture fits, centre it, fill the bars with pad_color
  kStretch,     // scale each axis independently to the target
};

enum class TensorLayout : uint8_t { kNCHW, kNHWC };

struct PreprocessOptions {
  int width = 224;  // tensor width and height in pixels
  int height = 224;
  FitMode fit = FitMode::kCenterCrop;
  // kCenterCrop only: the fraction of the covering crop that is kept (torchvision's
  // Resize(256) + CenterCrop(224) is 224/256 = 0.875). In (0, 1].
  float crop_fraction = 1.0f;
  std::array<uint8_t, 3> pad_color = {0, 0, 0};  // kLetterbox bars, as RGB pixel values (normalised like pixels)
  // Every channel value v in 0..255 becomes (v · scale − mean[c]) / std[c], c in R, G, B order.
  // torchvision: scale 1/255, mean {0.485, 0.456, 0.406}, std {0.229, 0.224, 0.225};
  // "−1..1" models: scale 1/127.5, mean {1, 1, 1}, std {1, 1, 1}; raw 0..255: scale 1.
  float scale = 1.0f / 255.0f;
  std::array<float, 3> mean = {0.0f, 0.0f, 0.0f};
  std::array<float, 3> std = {1.0f, 1.0f, 1.0f};
  TensorLayout layout = TensorLayout::kNCHW;
};

// Largest tensor side preprocessing accepts; larger requests are refused before any allocation.
constexpr int kMaxPreprocessSide = 8192;

// Resampling is separable with a triangle (bilinear) kernel on half-pixel centres: when enlarging it is
// exactly bilinear interpolation with edge clamping; when shrinking by a factor f the kernel is widened
// by f so every source pixel contributes (area-correct, no aliasing; as PIL's BILINEAR resize does).
//
// Writes height·width·3 floats to `out` (capacity `out_elements`) in the chosen layout, batch of one.
Status preprocess_image_into(const ImageView& image, const PreprocessOptions& options, float* out, size_t out_elements);
// The same into a new tensor of shape [1,3,H,W] (NCHW) or [1,H,W,3] (NHWC).
Result<Tensor> preprocess_image(const ImageView& image, const PreprocessOptions& options);

// ---- Quantised (8-bit) image inputs, as TFLite image models take them ----
// Such models are trained on pixels that fill the input's 8-bit range: q = pixel for uint8, q = pixel − 128
// for int8 (MobileNet's uint8 input has scale 1/128, zero point 128: real = (pixel − 128) / 128, its −1..1).
// These options say that in real numbers: scale 1, mean = zero point (+128 for int8), std = 1 / scale, so
// that quantize_real_into() gives back exactly those q. Other normalisations may still be given: pixels go
// through them to real numbers, which are then quantised with the input's parameters.
// `base` keeps its size, fit and layout. Per-tensor parameters only (an image input has one scale).
Result<PreprocessOptions> quantized_image_defaults(PreprocessOptions base, DataType dtype, const QuantParams& quant);
// Real numbers into an 8-bit tensor's storage: q = clamp(round_half_even(real / scale) + zero_point), as
// ONNX QuantizeLinear and TFLite QUANTIZE do; per-tensor parameters, dtype kUInt8 or kInt8.
Status quantize_real_into(const float* real, size_t n, DataType dtype, const QuantParams& quant, void* out);
// An 8-bit output in TFLite's softmax encoding (scale 1/256, zero point at the type's minimum: 0..255 or
// -128..127 onto [0, 1)) holds probabilities already; classifiers must not apply softmax again. Rounding
// each to 1/256 makes their sum stray from 1 by more than a float sum check allows.
bool is_quantized_probability(DataType dtype, const QuantParams& quant);
// An 8-bit tensor's real values (per-tensor or per-channel along quant.axis); other tensors as float.
Result<std::vector<float>> dequantized_values(const Tensor& t, const QuantParams& quant);

// ---- Native only (link webcnn_decode) ----

// Decoding refuses images with a side above this or more pixels than kMaxDecodePixels.
constexpr int kMaxDecodeSide = 16384;
constexpr int64_t kMaxDecodePixels = int64_t{64} << 20;  // 64 Mpx: 192 MiB as RGB8

// JPEG, PNG or BMP bytes → RGB8. Other formats and damaged bytes give an error saying why.
Result<Image> decode_image(const uint8_t* data, size_t size);
// Reads and decodes a file; errors name the file.
Result<Image> decode_image_file(const std::string& path);

}  // namespace webcnn
