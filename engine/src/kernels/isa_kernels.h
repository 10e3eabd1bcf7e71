// The kernels of one instruction set, declared in its namespace (webcnn::kernels::<isa>, WEBCNN_ISA from
// simd/f32x4.h). Included only by the sources compiled once per instruction set (cmake/kernel_isas.cmake);
// everything else reaches these through the table (kernel_table.h). Contracts: see kernel_table.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernel_table.h"
#include "simd/f32x4.h"

namespace webcnn::kernels::WEBCNN_ISA {

// The table of this instruction set (kernel_table_isa.cc), and whether this CPU can run it.
const KernelTable& table();
bool supported();

template <VBinaryOp kOp, VBinaryOperands kOperands>
void f32_vbinary(size_t n, const float* a, const float* b, float* out);

void f32_vrelu(size_t n, const float* x, float* y);
void f32_vlrelu(size_t n, const float* x, float alpha, float* y);
void f32_vprelu(size_t n, const float* x, const float* slope, float* y);
void f32_vhardsigmoid(size_t n, const float* x, float alpha, float beta, float* y);
void f32_vhardswish(size_t n, const float* x, float* y);
void f32_vclamp(size_t n, const float* x, float lo, float hi, float* y);

void f32_vmuladd(size_t n, const float* x, const float* a, const float* b, float* y);
void f32_vmuladdc(size_t n, const float* x, float a, float b, float* y);

template <ReduceOp kOp, ReduceMap kMap>
void f32_reduce_accumulate(size_t n, const float* x, float* out);
template <ReduceOp kOp, ReduceMap kMap>
void f32_reduce_fold(size_t n, const float* x, float* out);

void f32_maxpool(size_t channels, const float* first, size_t rows, size_t cols, size_t row_step, size_t col_step,
                 float* out);
void f32_avgpool(size_t channels, const float* first, size_t rows, size_t cols, size_t row_step, size_t col_step,
                 float scale, float* out);
float f32_rmax(size_t n, const float* x);
float f32_rsum(size_t n, const float* x);

float f32_softmax_rmax(size_t n, const float* x);
void f32_softmax_vmax(size_t n, const float* x, float* col_max);

void f32_resize_pixel(size_t n, size_t taps, const float* const* inputs, const float* weights, float* out);

void f32_vexp(size_t n, const float* x, float* y);

void f32_fused_apply(const FusedActivation& act, float* p, size_t n);
void f32_fused_add_apply(const FusedActivation& act, float* p, const float* r, size_t n);

void f32_gemm(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const float* packed_b, float* c,
              size_t c_stride, const FusedActivation& act, const float* residual, size_t residual_stride);
void f32_dwconv_nhwc(const Conv2dGeometry& g, const float* input, const float* packed, float* output, int64_t row_begin,
                     int64_t row_end, const FusedActivation& act);
void f32_im2col_nhwc(const Conv2dGeometry& g, const float* input, int64_t channel_begin, int64_t channels,
                     int64_t pixel_begin, int64_t pixel_end, float* rows);

void q8_gemm(size_t m, size_t n, size_t k, const int16_t* a, size_t a_stride, const int32_t* packed_b, void* c,
             size_t c_stride, const Q8Output& out);
void q8_widen_rows(size_t m, size_t k, const void* x, size_t x_stride, const Q8Input& in, int16_t* rows,
                   size_t row_stride);
void q8_im2col_nhwc(const Conv2dGeometry& g, const void* input, const Q8Input& in, int64_t channel_begin,
                    int64_t channels, int64_t pixel_begin, int64_t pixel_end, int16_t* rows, size_t row_stride);
void q8_dwconv_nhwc(const Conv2dGeometry& g, const void* input, const Q8Input& in, const int32_t* packed,
                    const void* zero_row, void* output, const Q8Output& out, int64_t row_begin, int64_t row_end);
template <typename T>
void q8_vadd(size_t n, const T* a, const T* b, bool b_scalar, T* out, const Q8AddParams& p);

}  // namespace webcnn::kernels::WEBCNN_ISA
