# Which engine layer sees which (cmake/layers.cmake explains). Data only: tests/layering reads it too.
# Lowest first. Changing what a layer sees is a design decision: say why in the commit.
set(WEBCNN_LAYERS core simd kernels graph ops passes runtime import image api)
set(WEBCNN_LAYER_SEES_core "")
set(WEBCNN_LAYER_SEES_simd "")                                    # header-only vector abstraction
set(WEBCNN_LAYER_SEES_kernels core simd)                          # pure compute on tiles
set(WEBCNN_LAYER_SEES_graph core)                                 # the IR
set(WEBCNN_LAYER_SEES_ops core simd kernels graph)                # op kernels + the op registry
set(WEBCNN_LAYER_SEES_passes core simd kernels graph ops)         # shape inference, optimisation passes
set(WEBCNN_LAYER_SEES_runtime core simd kernels graph ops passes) # execution plan, Model core
set(WEBCNN_LAYER_SEES_import core simd kernels graph ops passes)  # ONNX, TF.js → Graph IR
set(WEBCNN_LAYER_SEES_image core)                                # decode (native), preprocess
set(WEBCNN_LAYER_SEES_api core simd kernels graph ops passes runtime import image)  # Model::load_*
# A layer sees everything the layers it sees see (their headers include them): tests/layering checks it.
