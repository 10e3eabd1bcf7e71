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
# The kernels compiled once, for the platform's default instruction set: a one-entry table list
# (CMake generates the full one, cmake/kernel_isas.cmake).
isas() { mkdir -p "$out/$1/kernels" && echo "WEBCNN_KERNEL_ISA($1)" > "$out/$1/kernels/kernel_isas.inc"; }
isas sse2 && isas wasm128
flags="-std=c++17 -O3 -DNDEBUG -ffp-contract=off -Wall -Wextra -Wno-unused-parameter -Iengine/src -Iengine/include"
[ "${1:-}" = wasm ] || g++ $flags -I"$out/sse2" -o "$out/kernel_bench" $srcs
[ "${1:-}" = native ] || NODE_PATH=/usr/share/nodejs em++ $flags -I"$out/wasm128" -msimd128 -sALLOW_MEMORY_GROWTH=1 \
  -sENVIRONMENT=node -sSINGLE_FILE=1 -o "$out/kernel_bench.cjs" $srcs
