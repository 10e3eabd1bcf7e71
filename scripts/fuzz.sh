#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for N seconds (default 60):
#   scripts/fuzz.sh [SECONDS] [FUZZER...]
# Corpora are seeded from the ONNX conformance models, the TF.js models fetched into models/human,
# and the test photos; they grow under build-fuzz/corpus/<fuzzer>. Crashes land in build-fuzz/crashes/;
# keep each as a regression case in tests/fuzz/regressions/<fuzzer>/ (the native suite replays them).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWEBCNN_FUZZ=ON \
  -DWEBCNN_BUILD_TESTS=OFF -DWEBCNN_BUILD_CLI=OFF -DWEBCNN_WERROR=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)"

seed() {  # seed DIR FILES...
  local dir=$1; shift
  mkdir -p "$dir"
  [ -n "$(ls -A "$dir")" ] && return 0
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$dir/$(echo "$f" | md5sum | cut -c1-16)"; done
  return 0
}
seed build-fuzz/corpus/onnx_load_run_fuzzer /usr/share/libonnx-testdata/data/*/*/model.onnx
seed build-fuzz/corpus/image_fuzzer ../shared/testdata/images/*.{jpg,bmp} 2>/dev/null || true
mkdir -p build-fuzz/corpus/tfjs_import_fuzzer build-fuzz/corpus/preprocess_fuzzer
if [ -z "$(ls -A build-fuzz/corpus/tfjs_import_fuzzer)" ]; then
  for j in models/human/*.json; do
    [ -f "$j" ] || continue
    bin="${j%.json}.bin"
    { cat "$j"; printf '\0'; [ -f "$bin" ] && head -c 65536 "$bin"; } > "build-fuzz/corpus/tfjs_import_fuzzer/$(basename "$j" .json)"
  done
fi

fuzzers=("$@")
[ ${#fuzzers[@]} -eq 0 ] && fuzzers=(onnx_load_run_fuzzer tfjs_import_fuzzer image_fuzzer preprocess_fuzzer)
mkdir -p build-fuzz/crashes
for f in "${fuzzers[@]}"; do
  echo "== $f for ${seconds}s"
  regress="tests/fuzz/regressions/$f"
  dirs=("build-fuzz/corpus/$f")
  [ -d "$regress" ] && dirs+=("$regress")
  "build-fuzz/$f" -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=4000000 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/crashes/$f-" "${dirs[@]}" 2>&1 | grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|Done' || true
done
