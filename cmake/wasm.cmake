# The WebAssembly side of webcnn, included from the root CMakeLists.txt under Emscripten
# (emcmake cmake ...; scripts/build-wasm.sh does it all). Two targets:
#
#   webcnn_wasm         the module web/webcnn.js loads: engine + Embind bindings (bindings/*.cc),
#                       plain -sMODULARIZE output (webcnn_wasm.js + webcnn_wasm.wasm). Node and
#                       browsers both load that form; web/webcnn.js is the ES module around it.
#   webcnn_tests_wasm   the native doctest suite (tests/native/*.cc) as a Node program reading the
#                       host file system (-sNODERAWFS), so the microkernel tests and the ONNX
#                       conformance set run on the wasm128 backend of the vector abstraction.
#   webcnn_wasm_relaxed, webcnn_tests_wasm_relaxed   the same two with the relaxed-SIMD kernel table
#                       (-DWEBCNN_WASM_RELAXED=OFF leaves them out; see "the relaxed-SIMD module" below).
#
# SIMD128 is required: -msimd128 comes from webcnn_flags in the root file. There is no non-SIMD build;
# web/webcnn.js detects SIMD and says so clearly when it is missing.
#
# -DWEBCNN_WASM_THREADS=ON (scripts/build-wasm.sh does it in build-wasm-mt/) builds everything with pthreads
# on a shared memory and names the module webcnn_wasm_mt (+ webcnn_wasm_mt.worker.js, the pthread workers'
# script). web/wasm_loader.js picks it when SharedArrayBuffer is there (a cross-origin isolated page, or
# Node) and the single-threaded module otherwise.
option(WEBCNN_WASM_THREADS "Build the multi-threaded module (pthreads, needs SharedArrayBuffer)" OFF)
if(WEBCNN_WASM_THREADS)
  target_compile_options(webcnn_flags INTERFACE -pthread)
  target_link_options(webcnn_flags INTERFACE -pthread)
endif()

# The engine reports errors as Status values and never throws; without exception support the code is
# smaller and no invoke_* trampolines wrap calls. A throw reached anyway (std::bad_alloc) aborts.
foreach(lib IN LISTS WEBCNN_LAYER_TARGETS)
  target_compile_options(${lib} PRIVATE -fno-exceptions)
endforeach()

# Code that runs once per model load, not per frame (the importers, the IR, graph passes, shape inference) is
# built for size: at -O3 it was most of the module, and V8 compiles every function a load calls (and
# again when it gets hot), which cost the page tens of MiB while loading a model. Kernels, the plan's
# run loop, preprocessing and the bindings stay -O3.
file(GLOB_RECURSE WEBCNN_LOAD_TIME_SOURCES CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/engine/src/import/*.cc ${CMAKE_CURRENT_SOURCE_DIR}/engine/src/graph/*.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/engine/src/passes/*.cc)
set_source_files_properties(${WEBCNN_LOAD_TIME_SOURCES} PROPERTIES COMPILE_OPTIONS -Os)

set(WEBCNN_WASM_COMMON_LINK_OPTIONS
  -sALLOW_MEMORY_GROWTH=1
  # Model weights plus planned arenas of large models pass 2 GiB only in extreme cases, but let the
  # heap grow to the wasm32 limit rather than fail at an arbitrary lower one.
  -sMAXIMUM_MEMORY=4GB
)

# --- the module web/webcnn.js loads ------------------------------------------------------------------
file(GLOB WEBCNN_BINDING_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/bindings/*.cc)
# Compiled once for both modules (webcnn_wasm and the relaxed one below).
add_library(webcnn_wasm_bindings OBJECT ${WEBCNN_BINDING_SOURCES})
target_link_libraries(webcnn_wasm_bindings PRIVATE webcnn_engine)
target_compile_options(webcnn_wasm_bindings PRIVATE -fno-exceptions)
set(WEBCNN_WASM_MODULE_LINK_OPTIONS
  ${WEBCNN_WASM_COMMON_LINK_OPTIONS}
  --bind
  -fno-exceptions
  -sMODULARIZE=1
  -sEXPORT_NAME=createWebcnnWasm
  # One artefact for pages, workers and Node. web/webcnn.js hands Node the .wasm bytes itself
  # (wasmBinary), because the generated loader would fetch() a file path there.
  -sENVIRONMENT=web,worker,node
  # Model bytes arrive as typed arrays; the module never opens files.
  -sFILESYSTEM=0
  # A library must not install process-wide handlers that rethrow every uncaught error in Node.
  -sNODEJS_CATCH_EXIT=0
  -sNODEJS_CATCH_REJECTION=0
)
if(WEBCNN_WASM_THREADS)
  list(APPEND WEBCNN_WASM_MODULE_LINK_OPTIONS
    # Workers started with the module, before any C++ runs: a pthread created later would start only
    # after the browser's event loop turns. The loader passes how many (the thread count − 1; at least 1,
    # as Emscripten 3.1.6 never resolves the module with an empty pool).
    "-sPTHREAD_POOL_SIZE=Math.max(1,Module.webcnnWorkers|0)"
    # Growing a shared memory is allowed, but JS then re-checks the heap views on every access: slower
    # only for the bindings' copies, not for the engine's own work.
    -Wno-pthreads-mem-growth
    --post-js ${CMAKE_CURRENT_SOURCE_DIR}/cmake/wasm_threads_post.js
  )
endif()
# A module of the given name: the bindings, the engine, and `objects` linked ahead of the engine's libraries.
function(webcnn_wasm_module target name)
  add_executable(${target} $<TARGET_OBJECTS:webcnn_wasm_bindings> ${ARGN})
  target_link_libraries(${target} PRIVATE webcnn_engine)
  target_link_options(${target} PRIVATE ${WEBCNN_WASM_MODULE_LINK_OPTIONS})
  set_target_properties(${target} PROPERTIES SUFFIX ".js" OUTPUT_NAME ${name})
  if(WEBCNN_WASM_THREADS)
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cmake/wasm_threads_post.js)
  endif()
endfunction()
if(WEBCNN_WASM_THREADS)
  webcnn_wasm_module(webcnn_wasm webcnn_wasm_mt)
else()
  webcnn_wasm_module(webcnn_wasm webcnn_wasm)
endif()

# --- the relaxed-SIMD module -------------------------------------------------------------------------
# webcnn_wasm_relaxed (webcnn_wasm_mt_relaxed in the threaded build): webcnn_wasm with the kernel table
# wasm_relaxed (simd/f32x4_wasm_relaxed.h: the GEMM and depthwise conv multiply-add with
# f32x4.relaxed_madd) in place of wasm128. web/wasm_loader.js loads it where WebAssembly.validate accepts a
# relaxed opcode, webcnn_wasm elsewhere. Emscripten 3.1.6's clang (14) has no relaxed SIMD and its
# Binaryen (108) rejects the final opcodes, so:
#  - only the kernel table's sources are compiled by a newer clang (LLVM 16; WEBCNN_WASM_RELAXED_LLVM_ROOT,
#    the folder holding its clang++), through em++ itself (EM_LLVM_ROOT), so they get Emscripten's flags
#    and sysroot; everything else is the objects webcnn_wasm is linked from;
#  - the module is linked with -O1: the objects are -O3 code already, and -O1 runs no Binaryen pass after
#    wasm-ld (-sERROR_ON_WASM_CHANGES_AFTER_LINK fails the link if one were needed; -sWASM_BIGINT, so that
#    64-bit integers at the JS boundary need no legalising pass). Its JS loader is not minified;
#  - then a newer Binaryen optimises the linked module: wasm-opt -O3 of the npm package binaryen (132,
#    a devDependency; it knows the final relaxed opcodes), which does the inlining and dead-code removal
#    emcc's Binaryen would have done: 2.02 MB (569 KB gzipped) → 1.56 MB (473 KB), the SIMD128 module's
#    size. It leaves imports and exports alone, so Emscripten's loader still fits. Without node_modules
#    (no npm ci) the module is built unoptimised, with a warning.
option(WEBCNN_WASM_RELAXED "Build the relaxed-SIMD module (needs clang 16: apt-get install clang-16)" ON)
set(WEBCNN_WASM_RELAXED_LLVM_ROOT /usr/lib/llvm-16/bin CACHE PATH "Folder of the LLVM 16 clang++ for the relaxed-SIMD kernels")
if(WEBCNN_WASM_RELAXED AND NOT EXISTS ${WEBCNN_WASM_RELAXED_LLVM_ROOT}/clang++)
  message(FATAL_ERROR "webcnn: ${WEBCNN_WASM_RELAXED_LLVM_ROOT}/clang++ is missing: install clang-16 (it compiles the "
                      "relaxed-SIMD kernels), set WEBCNN_WASM_RELAXED_LLVM_ROOT, or -DWEBCNN_WASM_RELAXED=OFF")
endif()
if(WEBCNN_WASM_RELAXED)
  webcnn_kernel_isa(webcnn_kernels ${WEBCNN_LAYER_INCLUDE_kernels} wasm_relaxed DETACHED FLAGS -mrelaxed-simd)
  # EM_CLANG_ADD_VERSION empty: Debian's Emscripten appends "-14" to the clang it runs.
  set(launcher ${CMAKE_COMMAND} -E env EM_LLVM_ROOT=${WEBCNN_WASM_RELAXED_LLVM_ROOT} EM_CLANG_ADD_VERSION=
      ${CMAKE_CXX_COMPILER_LAUNCHER})
  set_target_properties(webcnn_kernels_kernels_wasm_relaxed PROPERTIES CXX_COMPILER_LAUNCHER "${launcher}")
  webcnn_kernel_table_objects(webcnn_kernel_table_wasm_relaxed webcnn_kernels ${WEBCNN_LAYER_INCLUDE_kernels} wasm_relaxed)
  set(WEBCNN_WASM_RELAXED_OBJECTS $<TARGET_OBJECTS:webcnn_kernel_table_wasm_relaxed>
      $<TARGET_OBJECTS:webcnn_kernels_kernels_wasm_relaxed>)
  if(WEBCNN_WASM_THREADS)
    webcnn_wasm_module(webcnn_wasm_relaxed webcnn_wasm_mt_relaxed ${WEBCNN_WASM_RELAXED_OBJECTS})
  else()
    webcnn_wasm_module(webcnn_wasm_relaxed webcnn_wasm_relaxed ${WEBCNN_WASM_RELAXED_OBJECTS})
  endif()
  # After the module's options (CMAKE_CXX_FLAGS_RELEASE's -O3 comes earlier on the link line).
  set(WEBCNN_WASM_RELAXED_LINK_OPTIONS -O1 -sWASM_BIGINT -sERROR_ON_WASM_CHANGES_AFTER_LINK)
  target_link_options(webcnn_wasm_relaxed PRIVATE ${WEBCNN_WASM_RELAXED_LINK_OPTIONS})
  # Without Binaryen nothing drops the name section (8 MB of function names). Not -Wl,--strip-all: that
  # also drops the target_features section, from which emcc learns that a threaded module has threads.
  set(relaxed_wasm $<TARGET_FILE_DIR:webcnn_wasm_relaxed>/$<TARGET_FILE_BASE_NAME:webcnn_wasm_relaxed>.wasm)
  add_custom_command(TARGET webcnn_wasm_relaxed POST_BUILD
    COMMAND ${WEBCNN_WASM_RELAXED_LLVM_ROOT}/llvm-objcopy --remove-section=name ${relaxed_wasm}
    VERBATIM)
  set(WEBCNN_WASM_OPT_JS ${CMAKE_CURRENT_SOURCE_DIR}/node_modules/binaryen/bin/wasm-opt CACHE FILEPATH
      "wasm-opt of the npm package binaryen (132+), run by Node on the relaxed-SIMD module")
  find_program(WEBCNN_NODE node NO_CMAKE_FIND_ROOT_PATH)
  if(EXISTS ${WEBCNN_WASM_OPT_JS} AND WEBCNN_NODE)
    # --detect-features: the features the module declares (SIMD, relaxed SIMD, threads...), no others.
    add_custom_command(TARGET webcnn_wasm_relaxed POST_BUILD
      COMMAND ${WEBCNN_NODE} ${WEBCNN_WASM_OPT_JS} -O3 --detect-features ${relaxed_wasm} -o ${relaxed_wasm}
      VERBATIM)
  else()
    message(WARNING "webcnn: ${WEBCNN_WASM_OPT_JS} not found (run npm ci): the relaxed-SIMD module is built "
                    "without Binaryen's optimisation (about 25 % larger)")
  endif()
endif()

# --- the native doctest suite, compiled to wasm and run by Node --------------------------------------
# doctest is a header-only host package (/usr/include/doctest). The host include directory itself must
# not reach the wasm compiler (its libc headers would shadow Emscripten's), so the build tree gets an
# include directory holding just a link to doctest.
find_path(WEBCNN_HOST_DOCTEST_DIR doctest/doctest.h PATHS /usr/include /usr/local/include NO_CMAKE_FIND_ROOT_PATH)
file(GLOB WEBCNN_TEST_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tests/native/*.cc)
# The CLI tests start the native command-line tool, which has no wasm build.
list(FILTER WEBCNN_TEST_SOURCES EXCLUDE REGEX "tests/native/cli_test\\.cc$")
if(WEBCNN_HOST_DOCTEST_DIR AND WEBCNN_TEST_SOURCES)
  set(WEBCNN_WASM_DOCTEST_INCLUDE ${CMAKE_CURRENT_BINARY_DIR}/doctest-include)
  file(MAKE_DIRECTORY ${WEBCNN_WASM_DOCTEST_INCLUDE})
  file(CREATE_LINK ${WEBCNN_HOST_DOCTEST_DIR}/doctest ${WEBCNN_WASM_DOCTEST_INCLUDE}/doctest SYMBOLIC)
  # The test objects, compiled once: webcnn_tests_wasm links them with the wasm128 table, and
  # webcnn_tests_wasm_relaxed (when the relaxed module is built) with the wasm_relaxed one.
  add_library(webcnn_tests_wasm_objects OBJECT ${WEBCNN_TEST_SOURCES} ${CMAKE_CURRENT_SOURCE_DIR}/tools/npy.cc)
  # doctest has a no-exceptions mode, but there a failed REQUIRE ends the whole run. The test sources
  # alone use exceptions (Emscripten's JS-based ones), so a failed REQUIRE ends only its test case;
  # the engine they call is the same -fno-exceptions library the module links.
  target_compile_options(webcnn_tests_wasm_objects PRIVATE -fexceptions)
  target_include_directories(webcnn_tests_wasm_objects PRIVATE ${WEBCNN_WASM_DOCTEST_INCLUDE}
    ${CMAKE_CURRENT_SOURCE_DIR}/tests/native ${CMAKE_CURRENT_SOURCE_DIR}/tools)
  target_link_libraries(webcnn_tests_wasm_objects PRIVATE webcnn_engine_internal)
  target_compile_definitions(webcnn_tests_wasm_objects PRIVATE WEBCNN_SOURCE_DIR="${CMAKE_CURRENT_SOURCE_DIR}")
  add_executable(webcnn_tests_wasm $<TARGET_OBJECTS:webcnn_tests_wasm_objects>)
  target_link_libraries(webcnn_tests_wasm PRIVATE webcnn_engine_internal)
  # The image tests decode files. The module leaves decoding to the browser, but the test binary needs
  # the same stb_image decoder the native build uses (engine/third_party/stb).
  file(GLOB WEBCNN_DECODE_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/engine/src/image/decode_*.cc)
  if(WEBCNN_DECODE_SOURCES)
    add_library(webcnn_decode_wasm STATIC ${WEBCNN_DECODE_SOURCES})
    target_include_directories(webcnn_decode_wasm PRIVATE ${WEBCNN_LAYER_INCLUDE_image} ${CMAKE_CURRENT_SOURCE_DIR}/engine/third_party/stb)
    target_link_libraries(webcnn_decode_wasm PUBLIC webcnn_engine)
    target_compile_options(webcnn_decode_wasm PRIVATE -fno-exceptions)
    target_link_libraries(webcnn_tests_wasm PRIVATE webcnn_decode_wasm)
  endif()
  set(WEBCNN_TESTS_WASM_LINK_OPTIONS
    ${WEBCNN_WASM_COMMON_LINK_OPTIONS}
    -fexceptions
    -sDISABLE_EXCEPTION_CATCHING=0
    -sENVIRONMENT=node
    -sNODERAWFS=1   # /usr/share/libonnx-testdata and the source tree, read directly
    -sEXIT_RUNTIME=1
    # The tests read settings such as WEBCNN_CONFORMANCE_FILTER from the environment.
    --pre-js ${CMAKE_CURRENT_SOURCE_DIR}/cmake/wasm_tests_pre.js
  )
  target_link_options(webcnn_tests_wasm PRIVATE ${WEBCNN_TESTS_WASM_LINK_OPTIONS})
  set_target_properties(webcnn_tests_wasm PROPERTIES SUFFIX ".js")
  if(TARGET webcnn_wasm_relaxed)
    # Run with WEBCNN_ISA=wasm_relaxed in the environment (tests/node/wasm_native_suite.test.mjs), so the
    # kernel table test checks that this table is the one running.
    add_executable(webcnn_tests_wasm_relaxed ${WEBCNN_WASM_RELAXED_OBJECTS} $<TARGET_OBJECTS:webcnn_tests_wasm_objects>)
    target_link_libraries(webcnn_tests_wasm_relaxed PRIVATE $<TARGET_NAME_IF_EXISTS:webcnn_decode_wasm> webcnn_engine_internal)
    target_link_options(webcnn_tests_wasm_relaxed PRIVATE ${WEBCNN_TESTS_WASM_LINK_OPTIONS} ${WEBCNN_WASM_RELAXED_LINK_OPTIONS})
    set_target_properties(webcnn_tests_wasm_relaxed PROPERTIES SUFFIX ".js")
    set_property(TARGET webcnn_tests_wasm_relaxed APPEND PROPERTY LINK_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cmake/wasm_tests_pre.js)
  endif()
  # The loader is CommonJS; the repository's package.json would make Node read it as an ES module.
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/package.json "{ \"type\": \"commonjs\" }\n")
  set_property(TARGET webcnn_tests_wasm APPEND PROPERTY LINK_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cmake/wasm_tests_pre.js)
endif()
