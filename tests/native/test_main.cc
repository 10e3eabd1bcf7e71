// The doctest main. A test binary built with WEBCNN_TESTS_ISA runs the suite on that kernel table
// (webcnn_tests_sse2, webcnn_tests_scalar, webcnn_tests_avx2: one engine, every table), by setting
// WEBCNN_ISA before any kernel runs; child processes (the CLI tests) inherit it. When this CPU cannot run
// that table, it says so and exits 77 (ctest's SKIP_RETURN_CODE) instead of testing another table.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>

#include "kernels/kernel_table.h"

int main(int argc, char** argv) {
#ifdef WEBCNN_TESTS_ISA
  if (!webcnn::kernels::find_table(WEBCNN_TESTS_ISA)) {
    std::printf("skipped: this CPU cannot run the %s kernel table\n", WEBCNN_TESTS_ISA);
    return 77;
  }
  setenv("WEBCNN_ISA", WEBCNN_TESTS_ISA, 1);
#endif
  return doctest::Context(argc, argv).run();
}
