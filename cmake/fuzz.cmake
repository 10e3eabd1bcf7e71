# libFuzzer targets (clang only): cmake -DWEBCNN_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ... (scripts/fuzz.sh).
# Each fuzzer links the engine built with ASan + UBSan and -fsanitize=fuzzer-no-link. A fuzzer
# tests/fuzz/<name>_fuzzer.cc is a thin entry point; its body is a function in tests/fuzz/*_target.cc, which the
# native suite also compiles (tests/native/fuzz_regression_test.cc replays the kept crash inputs).
# Two fuzzers may share a target (graph-model and layers-model TF.js seeds): the targets are compiled once
# into webcnn_fuzz_targets, which every fuzzer links.
file(GLOB WEBCNN_FUZZERS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/*_fuzzer.cc)
file(GLOB WEBCNN_FUZZ_TARGETS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/*_target.cc)
target_compile_options(webcnn_flags INTERFACE -fsanitize=fuzzer-no-link)
add_library(webcnn_fuzz_targets OBJECT ${WEBCNN_FUZZ_TARGETS})
target_link_libraries(webcnn_fuzz_targets PUBLIC webcnn_engine_internal webcnn_decode)
foreach(src IN LISTS WEBCNN_FUZZERS)
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE webcnn_fuzz_targets webcnn_engine_internal webcnn_decode)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
endforeach()
