// Each op family file (one concept per file) registers its kernels here. Adding a family: declare its
// register function below and call it from registry.cc.
#pragma once

namespace webcnn {
class OpRegistry;
void register_conv_ops(OpRegistry& r);            // conv.cc: Conv
void register_conv_transpose_ops(OpRegistry& r);  // conv_transpose.cc: ConvTranspose
void register_pool_ops(OpRegistry& r);            // pool.cc: MaxPool, AveragePool, Global*Pool
void register_gemm_ops(OpRegistry& r);            // matmul.cc: MatMul, Gemm
void register_activation_ops(OpRegistry& r);      // activation.cc: Relu, LeakyRelu, PRelu, Clip, Sigmoid, ...
void register_elementwise_ops(OpRegistry& r);     // elementwise.cc: Add, Sub, Mul, Div, Max, Min, Pow, Sqrt, ...
void register_softmax_ops(OpRegistry& r);         // softmax.cc: Softmax, LogSoftmax
void register_normalization_ops(OpRegistry& r);   // normalization.cc: BatchNormalization
void register_reduce_ops(OpRegistry& r);     // reduce.cc: ReduceSum/Mean/Max/Min/Prod/SumSquare/L1/L2/LogSum/LogSumExp
void register_shape_ops(OpRegistry& r);      // shape_ops.cc: Reshape, Flatten, Squeeze, Unsqueeze, Shape, Size, Expand,
                                             // ConstantOfShape, Identity, Dropout
void register_concat_ops(OpRegistry& r);     // concat.cc: Concat
void register_transpose_ops(OpRegistry& r);  // transpose.cc: Transpose
void register_gather_ops(OpRegistry& r);     // gather.cc: Gather
void register_slice_ops(OpRegistry& r);      // slice.cc: Slice
void register_pad_ops(OpRegistry& r);        // pad.cc: Pad
void register_resize_ops(OpRegistry& r);     // resize.cc: Resize (the importer rewrites Upsample into it)
void register_constant_ops(OpRegistry& r);   // constant.cc: Constant
// TF-derived ops the TF.js importer needs (one family per file; reference is the only path: index-sized data).
void register_cast_ops(OpRegistry& r);            // cast.cc: Cast
void register_logical_ops(OpRegistry& r);         // logical.cc: And, Or, Xor, Not, Where
void register_floor_division_ops(OpRegistry& r);  // floor_division.cc: Mod, FloorDiv
void register_strided_slice_ops(OpRegistry& r);   // strided_slice.cc: StridedSlice (TF semantics)
void register_topk_ops(OpRegistry& r);            // topk.cc: TopK, ArgMax, ArgMin
void register_gather_nd_ops(OpRegistry& r);       // gather_nd.cc: GatherND
void register_tile_ops(OpRegistry& r);            // tile.cc: Tile
void register_depth_to_space_ops(OpRegistry& r);  // depth_to_space.cc: DepthToSpace (NCHW/NHWC)
void register_split_ops(OpRegistry& r);           // split.cc: Split
void register_range_ops(OpRegistry& r);           // range.cc: Range
// 8-bit ops (README.md "Quantized tensors").
void register_qlinear_conv_ops(OpRegistry& r);     // qlinear_conv.cc: QLinearConv
void register_qlinear_gemm_ops(OpRegistry& r);     // qlinear_gemm.cc: QGemm, QLinearMatMul
void register_quantize_linear_ops(OpRegistry& r);  // quantize_linear.cc: QuantizeLinear, DequantizeLinear,
                                                   // DynamicQuantizeLinear
void register_qlinear_binary_ops(OpRegistry& r);   // qlinear_binary.cc: QLinearAdd, QLinearMul
void register_qlinear_concat_ops(OpRegistry& r);   // qlinear_concat.cc: QLinearConcat
void register_qlinear_lut_ops(OpRegistry& r);  // qlinear_lut.cc: QLinearSigmoid, QLinearLeakyRelu, QLinearRequantize
void register_qlinear_softmax_ops(OpRegistry& r);  // qlinear_softmax.cc: QLinearSoftmax
void register_matmul_integer_ops(OpRegistry& r);   // matmul_integer.cc: MatMulInteger
void register_conv_integer_ops(OpRegistry& r);     // conv_integer.cc: ConvInteger
}  // namespace webcnn
