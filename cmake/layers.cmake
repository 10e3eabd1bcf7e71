# The engine in layers: each folder of engine/src is one static library, and a layer's sources can
# include only its own folder, the layers it builds on (below) and the public headers (engine/include).
#
# How it is enforced: a layer is not given engine/src as include directory but a folder in the build tree
# (layers/<layer>/) holding links to exactly the folders it may see. An include of a higher layer
# ("ops/kernel.h" from kernels/) then fails to compile, naming the file. tests/layering/ proves it.
#
include(${CMAKE_CURRENT_LIST_DIR}/layer_lists.cmake)

# layers/<layer>/ with a link per visible folder; its path in ${out}.
function(webcnn_layer_include_dir layer out)
  set(dir ${CMAKE_BINARY_DIR}/layers/${layer})
  file(REMOVE_RECURSE ${dir})
  file(MAKE_DIRECTORY ${dir})
  foreach(seen IN LISTS WEBCNN_LAYER_SEES_${layer} ITEMS ${layer})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/engine/src/${seen} ${dir}/${seen} SYMBOLIC)
  endforeach()
  set(${out} ${dir} PARENT_SCOPE)
endfunction()

foreach(layer IN LISTS WEBCNN_LAYERS)
  webcnn_layer_include_dir(${layer} WEBCNN_LAYER_INCLUDE_${layer})
endforeach()

# The layer libraries, webcnn_<layer>, each linking the layers below it, and
#   webcnn_engine           every layer, with only the public headers (bindings/ and tools/ use this)
#   webcnn_engine_internal  the same plus engine/src, for tests, fuzzers and benchmarks
# Image decoding (image/decode_*.cc, stb_image) is left out: only native builds and tests link it.
# The kernels compiled per instruction set (WEBCNN_KERNEL_ISA_SOURCES) join webcnn_kernels once per ISA.
function(webcnn_engine_layers)
  set(targets "")
  foreach(layer IN LISTS WEBCNN_LAYERS)
    file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/engine/src/${layer}/*.cc)
    list(FILTER sources EXCLUDE REGEX "engine/src/image/decode_.*\\.cc$")
    list(REMOVE_ITEM sources ${WEBCNN_KERNEL_ISA_SOURCES})
    if(NOT sources)
      continue()  # header-only (simd)
    endif()
    set(lib webcnn_${layer})
    add_library(${lib} STATIC ${sources})
    target_include_directories(${lib} PRIVATE ${WEBCNN_LAYER_INCLUDE_${layer}})
    target_include_directories(${lib} PUBLIC ${PROJECT_SOURCE_DIR}/engine/include)
    target_link_libraries(${lib} PUBLIC webcnn_flags)
    foreach(seen IN LISTS WEBCNN_LAYER_SEES_${layer})
      if(TARGET webcnn_${seen})
        target_link_libraries(${lib} PRIVATE webcnn_${seen})
      endif()
    endforeach()
    if(layer STREQUAL "kernels")
      webcnn_add_kernel_isas(${lib} ${WEBCNN_LAYER_INCLUDE_kernels})
    endif()
    list(APPEND targets ${lib})
  endforeach()
  add_library(webcnn_engine INTERFACE)
  target_link_libraries(webcnn_engine INTERFACE ${targets})
  add_library(webcnn_engine_internal INTERFACE)
  target_link_libraries(webcnn_engine_internal INTERFACE webcnn_engine)
  target_include_directories(webcnn_engine_internal INTERFACE ${PROJECT_SOURCE_DIR}/engine/src)
  set(WEBCNN_LAYER_TARGETS ${targets} PARENT_SCOPE)
endfunction()
