# libFuzzer targets (clang only): cmake -DWEBCNN_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ...
# Each fuzzer links the engine built with ASan + UBSan and -fsanitize=fuzzer-no-link.
file(GLOB WEBCNN_FUZZERS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tests/fuzz/*_fuzzer.cc)
target_compile_options(webcnn_flags INTERFACE -fsanitize=fuzzer-no-link)
foreach(src IN LISTS WEBCNN_FUZZERS)
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE webcnn_engine webcnn_decode)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
endforeach()
