#!/usr/bin/env bash
# Builds the kernel micro-benchmark natively (SSE2) and to wasm SIMD128 (run by Node):
#   bench/kernels/build.sh            -> build-bench-kernels/kernel_bench (native), kernel_bench.cjs (+.wasm)
#   ./build-bench-kernels/kernel_bench gemm     node build-bench-kernels/kernel_bench.cjs gemm
# Only the kernel sources are compiled (the benchmark does not need the rest of the engine), plus the
# retired kernels it compares against (bench/kernels/dwconv_*.cc).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=build-bench-kernels
mkdir -p "$out"
srcs="$(ls bench/kernels/*.cc) $(ls engine/src/kernels/*.cc)"
flags="-std=c++17 -O3 -DNDEBUG -ffp-contract=off -Wall -Wextra -Wno-unused-parameter -Iengine/src -Iengine/include"
[ "${1:-}" = wasm ] || g++ $flags -o "$out/kernel_bench" $srcs
[ "${1:-}" = native ] || NODE_PATH=/usr/share/nodejs em++ $flags -msimd128 -sALLOW_MEMORY_GROWTH=1 -sENVIRONMENT=node -sSINGLE_FILE=1 \
  -o "$out/kernel_bench.cjs" $srcs
