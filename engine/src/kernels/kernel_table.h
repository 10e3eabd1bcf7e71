// The kernels ops call, as one table of function pointers per instruction set (XNNPACK's src/configs/
// are the model). Every table is compiled from the same sources, once per instruction set, into its own
// namespace (webcnn::kernels::sse2, ::scalar, ::wasm128; cmake/kernel_isas.cmake); active() picks one
// when first asked: the best one this CPU supports, or the one the WEBCNN_ISA environment variable names
// (native builds; for tests and comparisons). Ops call kernels::active().f32_xxx(...) and never hold
// vector code themselves.
//
// Every table computes the same results bit for bit where its arithmetic is the same (muladd is a mul then
// an add everywhere); a table whose kernels fuse multiply-adds (its `fma` flag: avx2, in the GEMM and the
// depthwise conv) differs there in the last bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/conv2d_geometry.h"
#include "kernels/fused_activation.h"
#include "kernels/q8_add.h"
#include "kernels/q8_params.h"

namespace webcnn::kernels {

// f32_vbinary[op][operands](n, a, b, out): out[i] = a[i] op b[i] over n floats, where the scalar
// operand forms read a[0] or b[0] for every i. max/min return b when either is NaN or both are equal.
enum class VBinaryOp { kAdd, kSub, kMul, kDiv, kMax, kMin };
enum class VBinaryOperands { kVectorVector, kVectorScalar, kScalarVector };
constexpr size_t kVBinaryOps = 6, kVBinaryOperandForms = 3;
using VBinaryFn = void (*)(size_t n, const float* a, const float* b, float* out);

// Reductions: combine ⊕ (sum, product, max, min) of map(x) (identity, square, |x|).
enum class ReduceOp { kSum, kProd, kMax, kMin };
enum class ReduceMap { kIdentity, kSquare, kAbs };
constexpr size_t kReduceOps = 4, kReduceMaps = 3;
using ReduceRowFn = void (*)(size_t n, const float* x, float* out);

struct KernelTable {
  const char* isa;  // "avx2", "sse2", "scalar", "wasm128": the simd backend the table was compiled for
  bool fma;         // whether its kernels fuse multiply-adds (results then differ in the last bits)

  // ---- f32_vbinary.cc: elementwise Add, Sub, Mul, Div, Max, Min ----
  VBinaryFn f32_vbinary[kVBinaryOps][kVBinaryOperandForms];

  // ---- f32_vunary.cc: activations over n floats (y may be x) ----
  void (*f32_vrelu)(size_t n, const float* x, float* y);  // max(0, x), NaN stays NaN
  // max(0, x) + alpha · min(0, x) (LeakyRelu; PRelu with one slope)
  void (*f32_vlrelu)(size_t n, const float* x, float alpha, float* y);
  // max(0, x) + slope[i] · min(0, x) (PRelu, a slope per element)
  void (*f32_vprelu)(size_t n, const float* x, const float* slope, float* y);
  void (*f32_vhardsigmoid)(size_t n, const float* x, float alpha, float beta, float* y);  // clamp01(αx + β)
  void (*f32_vhardswish)(size_t n, const float* x, float* y);                             // x · clamp01(x / 6 + 0.5)
  // min(hi, max(lo, x)) (Clip): NaN stays NaN; lo > hi gives hi.
  void (*f32_vclamp)(size_t n, const float* x, float lo, float hi, float* y);

  // ---- f32_vmuladd.cc: y = x · a + b (BatchNormalization) ----
  void (*f32_vmuladd)(size_t n, const float* x, const float* a, const float* b, float* y);  // a, b per element
  void (*f32_vmuladdc)(size_t n, const float* x, float a, float b, float* y);               // a, b constants

  // ---- f32_reduce.cc (ReduceSum ... ReduceL2) ----
  // accumulate: out[j] = out[j] ⊕ map(x[j]) (a row whose axis is kept);
  // fold: *out = *out ⊕ (map(x[0]) ⊕ ... ⊕ map(x[n-1])) (a row whose axis is reduced).
  ReduceRowFn f32_reduce_accumulate[kReduceOps][kReduceMaps];
  ReduceRowFn f32_reduce_fold[kReduceOps][kReduceMaps];

  // ---- f32_pool.cc: MaxPool / AveragePool windows over NHWC, global pools ----
  // out[c] = max (or scale · sum) over taps (r, k) in [0, rows) × [0, cols) of first[r·row_step + k·col_step + c],
  // c in [0, channels). rows or cols 0 gives -inf (max) or 0 (average).
  void (*f32_maxpool)(size_t channels, const float* first, size_t rows, size_t cols, size_t row_step, size_t col_step,
                      float* out);
  void (*f32_avgpool)(size_t channels, const float* first, size_t rows, size_t cols, size_t row_step, size_t col_step,
                      float scale, float* out);
  float (*f32_rmax)(size_t n, const float* x);  // max of n floats (-inf for none)
  float (*f32_rsum)(size_t n, const float* x);  // sum of n floats, four lanes then the tail

  // ---- f32_softmax.cc: Softmax's maxima ----
  float (*f32_softmax_rmax)(size_t n, const float* x);                 // max of a row (-inf for none)
  void (*f32_softmax_vmax)(size_t n, const float* x, float* col_max);  // col_max = max(col_max, x)

  // ---- f32_resize.cc: one output pixel of Resize ----
  // out[k] = Σ_t weights[t] · inputs[t][k] for k in [0, n), taps summed in order from 0.
  void (*f32_resize_pixel)(size_t n, size_t taps, const float* const* inputs, const float* weights, float* out);

  // ---- f32_vexp.cc: y = e^x (exp_f32x4.h: within 2 ulp over the normal range) ----
  void (*f32_vexp)(size_t n, const float* x, float* y);

  // ---- f32_fused_activation.cc: FusedActivation on rows (see kernels/fused_activation.h) ----
  void (*f32_fused_apply)(const FusedActivation& act, float* p, size_t n);
  void (*f32_fused_add_apply)(const FusedActivation& act, float* p, const float* r, size_t n);

  // ---- gemm_driver.cc, dwconv_nhwc_f32x4.cc, im2col_nhwc.cc: see gemm.h, dwconv.h, im2col_nhwc.h ----
  void (*f32_gemm)(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const float* packed_b, float* c,
                   size_t c_stride, const FusedActivation& act, const float* residual, size_t residual_stride);
  void (*f32_dwconv_nhwc)(const Conv2dGeometry& g, const float* input, const float* packed, float* output,
                          int64_t row_begin, int64_t row_end, const FusedActivation& act);
  void (*f32_im2col_nhwc)(const Conv2dGeometry& g, const float* input, int64_t channel_begin, int64_t channels,
                          int64_t pixel_begin, int64_t pixel_end, float* rows);

  // ---- q8_gemm_driver.cc, q8_dwconv_nhwc.cc, q8_im2col_nhwc.cc: 8-bit kernels (q8_gemm.h, q8_dwconv.h,
  // q8_im2col.h); every table gives the same bits (integer arithmetic, TFLite's requantisation) ----
  void (*q8_gemm)(size_t m, size_t n, size_t k, const int16_t* a, size_t a_stride, const int32_t* packed_b, void* c,
                  size_t c_stride, const Q8Output& out);
  void (*q8_widen_rows)(size_t m, size_t k, const void* x, size_t x_stride, const Q8Input& in, int16_t* rows,
                        size_t row_stride);
  void (*q8_im2col_nhwc)(const Conv2dGeometry& g, const void* input, const Q8Input& in, int64_t channel_begin,
                         int64_t channels, int64_t pixel_begin, int64_t pixel_end, int16_t* rows, size_t row_stride);
  void (*q8_dwconv_nhwc)(const Conv2dGeometry& g, const void* input, const Q8Input& in, const int32_t* packed,
                         const void* zero_row, void* output, const Q8Output& out, int64_t row_begin, int64_t row_end);
  // ---- q8_vadd.cc: QLinearAdd/Sub rows, XNNPACK's quantized ADD (q8_add.h), bit-identical to q8_add() ----
  // out[i] = add(a[i], b[i]), or add(a[i], b[0]) when b_scalar.
  void (*u8_vadd)(size_t n, const uint8_t* a, const uint8_t* b, bool b_scalar, uint8_t* out, const Q8AddParams& p);
  void (*s8_vadd)(size_t n, const int8_t* a, const int8_t* b, bool b_scalar, int8_t* out, const Q8AddParams& p);
};

// The table ops use: chosen on the first call, then fixed for the life of the process.
const KernelTable& active();

// Every table compiled into this program, best first, whether or not this CPU can run it
// (supported_tables() filters).
const std::vector<const KernelTable*>& compiled_tables();
// The tables this CPU can run, best first; active() is the first unless WEBCNN_ISA names another.
const std::vector<const KernelTable*>& supported_tables();
// The supported table of that name, or null.
const KernelTable* find_table(const char* isa);

}  // namespace webcnn::kernels
