// Each op family file (one concept per file) registers its kernels here. Adding a family: declare its
// register function below and call it from registry.cc.
#pragma once

namespace webcnn {
class OpRegistry;
void register_conv_ops(OpRegistry& r);           // conv.cc: Conv, ConvTranspose
void register_pool_ops(OpRegistry& r);           // pool.cc: MaxPool, AveragePool, Global*Pool
void register_gemm_ops(OpRegistry& r);           // matmul.cc: MatMul, Gemm
void register_activation_ops(OpRegistry& r);     // activation.cc: Relu, LeakyRelu, PRelu, Clip, Sigmoid, ...
void register_elementwise_ops(OpRegistry& r);    // elementwise.cc: Add, Sub, Mul, Div, Max, Min, Pow, Sqrt, ...
void register_softmax_ops(OpRegistry& r);        // softmax.cc: Softmax, LogSoftmax
void register_normalization_ops(OpRegistry& r);  // normalization.cc: BatchNormalization
void register_reduce_ops(OpRegistry& r);         // reduce.cc: ReduceMean, ReduceMax, ReduceSum
void register_shape_ops(OpRegistry& r);          // shape_ops.cc: Reshape, Flatten, Squeeze, Unsqueeze, Shape, Identity, Dropout
void register_data_movement_ops(OpRegistry& r);  // data_movement.cc: Concat, Transpose, Gather, Slice, Pad
void register_resize_ops(OpRegistry& r);         // resize.cc: Resize, Upsample
void register_constant_ops(OpRegistry& r);       // constant.cc: Constant
}  // namespace webcnn
