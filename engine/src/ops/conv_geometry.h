// What Conv and ConvTranspose share before their data paths part: the attributes as written on the node,
// resolved against the input and weight shapes into 2-D geometry (a 1-D conv is H = 1) and the output
// shape for either layout, plus the tile and scratch sizing both kernels use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/fused_activation.h"
#include "ops/kernel.h"
#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn::conv_geometry {

enum class Layout { kNCHW, kNHWC };
enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

inline size_t align_up(size_t bytes) { return (bytes + 63) / 64 * 64; }

// The attributes as written on the node (spatial lists in ONNX order, H then W).
struct ConvAttrs {
  Layout layout = Layout::kNCHW;
  AutoPad auto_pad = AutoPad::kNotSet;
  int64_t group = 1;
  std::vector<int64_t> kernel_shape, strides, dilations, pads, output_padding, output_shape;
  FusedActivation act;
};

// Reads and bounds the attributes (output_padding and output_shape only for ConvTranspose).
Result<ConvAttrs> read_conv_attrs(const Node& node, bool transpose);

// An activation tensor's dims, whatever its layout and rank (rank 3 = 1-D: H = 1).
struct ImageDims {
  int64_t n = 1, c = 1, h = 1, w = 1;
};

ImageDims image_dims(const Shape& s, Layout layout);
Shape image_shape(const ImageDims& d, size_t rank, Layout layout);

// Fully resolved 2-D geometry.
struct Geometry {
  ImageDims in, out;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
};

// Checks the input, weight and bias shapes, resolves padding and computes the output dims.
// Conv: W [O, C/group, kH, kW]. ConvTranspose: W [C, O/group, kH, kW].
Status resolve_geometry(const Node& node, const ConvAttrs& a, bool transpose, const std::vector<ValueInfo>& in,
                        Geometry& g);

// Pixels per im2col / col2im tile: about 128 KiB of floats, at least 16 rows for the microkernel.
int64_t tile_pixels(int64_t row_floats, int64_t pixels);

// The run paths are NHWC only: an NCHW Conv reaching run() is a bug in the passes.
Status nchw_run_error(const std::string& who);

// Multiply-accumulates (the op registry's cost): weights [O, I/group, kH, kW], so each output element of
// a Conv (each input element of a ConvTranspose) takes one weight row of I/group * kH * kW of them.
int64_t conv_macs(const Node& n, const Graph& g);

}  // namespace webcnn::conv_geometry
