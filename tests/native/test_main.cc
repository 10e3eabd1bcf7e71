// The doctest main. A test binary built with WEBCNN_TESTS_ISA runs the whole suite on that kernel table
// (webcnn_tests_sse2, webcnn_tests_scalar: one engine, both tables), by setting WEBCNN_ISA before any
// kernel runs; child processes (the CLI tests) inherit it.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>

int main(int argc, char** argv) {
#ifdef WEBCNN_TESTS_ISA
  setenv("WEBCNN_ISA", WEBCNN_TESTS_ISA, 1);
#endif
  return doctest::Context(argc, argv).run();
}
