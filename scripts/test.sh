#!/usr/bin/env bash
# Every test webcnn has, from a clean tree: native build + doctest suite (SSE2 and scalar backends,
# with the ONNX conformance set), the same suite under AddressSanitizer + UBSan, the wasm build and its
# Node tests. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

echo "== native build (Release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure)

echo "== native suite under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWEBCNN_SANITIZE=ON -DWEBCNN_BUILD_CLI=ON >/dev/null
cmake --build build-asan -j"$jobs" --target webcnn_tests_sse2
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build-asan/webcnn_tests_sse2

if [ -x scripts/build-wasm.sh ]; then
  echo "== wasm build"
  scripts/build-wasm.sh
fi

echo "== Node tests (wasm module, oracles)"
if compgen -G "tests/node/*.test.mjs" >/dev/null; then
  node --test --test-concurrency=1 tests/node/
fi
