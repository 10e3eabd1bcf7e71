// The kernel table of one instruction set: compiled once per instruction set (cmake/kernel_isas.cmake),
// each time filled with that instruction set's kernels (isa_kernels.h). An instruction set that brings a
// kernel of its own (say an 8-lane GEMM) sets its entry here under #if defined(WEBCNN_ISA_<NAME>).
#include "kernels/isa_kernels.h"

namespace webcnn::kernels::WEBCNN_ISA {

namespace {

#define WEBCNN_VBINARY_ROW(op)                                      \
  {                                                                 \
    f32_vbinary<VBinaryOp::op, VBinaryOperands::kVectorVector>,     \
        f32_vbinary<VBinaryOp::op, VBinaryOperands::kVectorScalar>, \
        f32_vbinary<VBinaryOp::op, VBinaryOperands::kScalarVector>  \
  }
#define WEBCNN_REDUCE_ROW(fn, op) \
  { fn<ReduceOp::op, ReduceMap::kIdentity>, fn<ReduceOp::op, ReduceMap::kSquare>, fn<ReduceOp::op, ReduceMap::kAbs> }

KernelTable make_table() {
  KernelTable t{};
  t.isa = simd::kBackend;
  // The GEMM and depthwise conv kernels call fmadd: fused where the backend has native FMA (avx2); every
  // other kernel uses muladd (a mul then an add) and gives the same bits on every table.
  t.fma = simd::kNativeFma;
  const VBinaryFn vbinary[kVBinaryOps][kVBinaryOperandForms] = {WEBCNN_VBINARY_ROW(kAdd), WEBCNN_VBINARY_ROW(kSub),
                                                                WEBCNN_VBINARY_ROW(kMul), WEBCNN_VBINARY_ROW(kDiv),
                                                                WEBCNN_VBINARY_ROW(kMax), WEBCNN_VBINARY_ROW(kMin)};
  const ReduceRowFn accumulate[kReduceOps][kReduceMaps] = {
      WEBCNN_REDUCE_ROW(f32_reduce_accumulate, kSum), WEBCNN_REDUCE_ROW(f32_reduce_accumulate, kProd),
      WEBCNN_REDUCE_ROW(f32_reduce_accumulate, kMax), WEBCNN_REDUCE_ROW(f32_reduce_accumulate, kMin)};
  const ReduceRowFn fold[kReduceOps][kReduceMaps] = {
      WEBCNN_REDUCE_ROW(f32_reduce_fold, kSum), WEBCNN_REDUCE_ROW(f32_reduce_fold, kProd),
      WEBCNN_REDUCE_ROW(f32_reduce_fold, kMax), WEBCNN_REDUCE_ROW(f32_reduce_fold, kMin)};
  for (size_t op = 0; op < kVBinaryOps; ++op)
    for (size_t form = 0; form < kVBinaryOperandForms; ++form) t.f32_vbinary[op][form] = vbinary[op][form];
  for (size_t op = 0; op < kReduceOps; ++op)
    for (size_t m = 0; m < kReduceMaps; ++m) {
      t.f32_reduce_accumulate[op][m] = accumulate[op][m];
      t.f32_reduce_fold[op][m] = fold[op][m];
    }
  t.f32_vrelu = f32_vrelu;
  t.f32_vlrelu = f32_vlrelu;
  t.f32_vprelu = f32_vprelu;
  t.f32_vhardsigmoid = f32_vhardsigmoid;
  t.f32_vhardswish = f32_vhardswish;
  t.f32_vclamp = f32_vclamp;
  t.f32_vmuladd = f32_vmuladd;
  t.f32_vmuladdc = f32_vmuladdc;
  t.f32_maxpool = f32_maxpool;
  t.f32_avgpool = f32_avgpool;
  t.f32_rmax = f32_rmax;
  t.f32_rsum = f32_rsum;
  t.f32_softmax_rmax = f32_softmax_rmax;
  t.f32_softmax_vmax = f32_softmax_vmax;
  t.f32_resize_pixel = f32_resize_pixel;
  t.f32_vexp = f32_vexp;
  t.f32_fused_apply = f32_fused_apply;
  t.f32_fused_add_apply = f32_fused_add_apply;
  t.f32_gemm = f32_gemm;
  t.f32_dwconv_nhwc = f32_dwconv_nhwc;
  t.f32_im2col_nhwc = f32_im2col_nhwc;
  t.q8_gemm = q8_gemm;
  t.q8_widen_rows = q8_widen_rows;
  t.q8_im2col_nhwc = q8_im2col_nhwc;
  t.q8_dwconv_nhwc = q8_dwconv_nhwc;
  t.u8_vadd = q8_vadd<uint8_t>;
  t.s8_vadd = q8_vadd<int8_t>;
  return t;
}

#undef WEBCNN_REDUCE_ROW
#undef WEBCNN_VBINARY_ROW

}  // namespace

const KernelTable& table() {
  static const KernelTable t = make_table();
  return t;
}

bool supported() { return simd::supported(); }

}  // namespace webcnn::kernels::WEBCNN_ISA
