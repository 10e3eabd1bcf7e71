// Force-included into the wasm build of the native doctest suite (cmake/wasm.cmake).
//
// doctest's CAPTURE(x) expands to a lambda capturing x by reference. Capturing a structured binding
// (`for (const auto& [a, b] : cases) CAPTURE(a);`) is valid C++20 and accepted by GCC, but Emscripten
// 3.1.6's clang 14 rejects it (clang allows it from version 16). Binding a reference in the enclosing
// scope first and capturing that keeps CAPTURE's meaning (the value printed is the one at failure time).
#pragma once
// Being included first, this header decides what the first doctest.h include compiles; in the one
// file that implements doctest and main (tests/native/test_main.cc) that must be the implementation.
#ifdef WEBCNN_DOCTEST_MAIN_FILE
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#endif
#include <doctest/doctest.h>

#undef DOCTEST_CAPTURE
#define WEBCNN_DOCTEST_CAPTURE_IMPL(ref, x) \
  const auto& ref = (x);                    \
  DOCTEST_INFO(#x " := ", ref)
#define DOCTEST_CAPTURE(x) WEBCNN_DOCTEST_CAPTURE_IMPL(DOCTEST_ANONYMOUS(WEBCNN_CAPTURED_), x)
