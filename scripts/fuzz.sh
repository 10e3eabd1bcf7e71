#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each in turn for N seconds (default 60),
# or until RUNS executions when RUNS is set:
#   scripts/fuzz.sh [SECONDS] [FUZZER...]        e.g. RUNS=1000000 scripts/fuzz.sh 3600 image_fuzzer
# SECONDS 0 = no time limit. TIMEOUT (default 25) is the seconds one input may take before it counts as a
# hang; libFuzzer measures it on the wall clock, so raise it if you pause a campaign (kill -STOP).
# Fuzzers: onnx_load_run_fuzzer (.onnx bytes: import, plan, run), tfjs_import_fuzzer (model.json NUL
# shard: import, load, run), tfjs_layers_fuzzer (the same on Keras layers-models), image_fuzzer (image file: decode, preprocess), preprocess_fuzzer (raw
# pixels + options). One fuzzer process at a time, at low priority (the machine is shared).
# Corpora are seeded from the ONNX conformance models, pieces of the TF.js models in models/human
# (tests/fuzz/make_tfjs_seeds.mjs), small re-encodings of the test photos, and grow under
# build-fuzz/corpus/<fuzzer>. Crashes land in build-fuzz/crashes/; minimise one with
#   build-fuzz/<fuzzer> -minimize_crash=1 -runs=10000 CRASH
# and keep it in tests/fuzz/regressions/<fuzzer>/ (tests/native/fuzz_regression_test.cc replays them).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
runs=${RUNS:--1}
timeout=${TIMEOUT:-25}
photos=${WEBCNN_TEST_IMAGES:-tests/data/photos}

CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWEBCNN_FUZZ=ON \
  -DWEBCNN_BUILD_TESTS=OFF -DWEBCNN_BUILD_CLI=OFF -DWEBCNN_WERROR=OFF >/dev/null
nice -n 10 cmake --build build-fuzz -j"$(nproc)"

corpus=build-fuzz/corpus
empty() { [ ! -d "$1" ] || [ -z "$(ls -A "$1")" ]; }

if empty $corpus/onnx_load_run_fuzzer; then
  mkdir -p $corpus/onnx_load_run_fuzzer
  for f in /usr/share/libonnx-testdata/data/*/*/model.onnx; do
    [ -f "$f" ] && cp "$f" "$corpus/onnx_load_run_fuzzer/$(echo "$f" | md5sum | cut -c1-16)"
  done
fi
if empty $corpus/tfjs_import_fuzzer; then
  node tests/fuzz/make_tfjs_seeds.mjs $corpus/tfjs_import_fuzzer models/human
fi
if empty $corpus/tfjs_layers_fuzzer; then
  node tests/fuzz/make_tfjs_seeds.mjs --layers $corpus/tfjs_layers_fuzzer
fi
if empty $corpus/image_fuzzer; then  # the photos, shrunk (fast to decode), in every format and pixel layout
  mkdir -p $corpus/image_fuzzer
  for p in "$photos"/*.jpg "$photos"/*.bmp; do
    [ -f "$p" ] || continue
    b=$corpus/image_fuzzer/$(basename "${p%.*}")
    ffm() { ffmpeg -loglevel error -y -i "$p" -vf scale=24:-2 "$@"; }
    ffm -pix_fmt yuvj420p "$b-420.jpg"; ffm -pix_fmt yuvj444p "$b-444.jpg"; ffm -pix_fmt gray "$b-gray.jpg"
    ffm -pix_fmt rgb24 "$b.png"; ffm -pix_fmt rgba "$b-rgba.png"; ffm -pix_fmt gray "$b-gray.png"
    ffm -pix_fmt pal8 "$b-pal8.png"; ffm -pix_fmt rgb48be "$b-16bit.png"
    ffm -pix_fmt bgr24 "$b.bmp"; ffm -pix_fmt pal8 "$b-pal8.bmp"; ffm -pix_fmt rgb555le "$b-555.bmp"
  done
fi
if empty $corpus/preprocess_fuzzer; then  # header (w, h, target w, target h, fit, layout, crop, format) + pixels
  mkdir -p $corpus/preprocess_fuzzer
  node -e '
    const fs = require("fs");
    const cases = [[4, 3, 2, 2, 0, 0, 87, 0], [5, 7, 11, 3, 1, 1, 100, 1], [9, 2, 3, 8, 2, 0, 50, 4], [1, 1, 1, 1, 0, 0, 100, 3]];
    for (const [w, h, tw, th, fit, layout, crop, fmt] of cases) {
      const header = Buffer.alloc(12);
      header.writeUInt16LE(w, 0); header.writeUInt16LE(h, 2); header.writeUInt16LE(tw, 4); header.writeUInt16LE(th, 6);
      header[8] = fit; header[9] = layout; header[10] = crop; header[11] = fmt;
      const pixels = Buffer.alloc((w * 4 + 8) * h, 0).map((_, i) => (i * 37) & 255);
      fs.writeFileSync(`${process.argv[1]}/seed-${w}x${h}-${tw}x${th}-${fit}${layout}${fmt}`, Buffer.concat([header, pixels]));
    }' $corpus/preprocess_fuzzer
fi

# Largest input per format: most ONNX seeds are under 128 KB; TF.js seeds (pieces of models) up to 64 KB;
# shrunk images ~5 KB.
max_len() {
  case $1 in
    onnx_load_run_fuzzer) echo 131072 ;; tfjs_import_fuzzer) echo 65536 ;; tfjs_layers_fuzzer) echo 16384 ;;
    image_fuzzer) echo 65536 ;; *) echo 16384 ;;
  esac
}

fuzzers=("$@")
[ ${#fuzzers[@]} -eq 0 ] && fuzzers=(onnx_load_run_fuzzer tfjs_import_fuzzer tfjs_layers_fuzzer image_fuzzer preprocess_fuzzer)
mkdir -p build-fuzz/crashes build-fuzz/logs
for f in "${fuzzers[@]}"; do
  echo "== $f for ${seconds}s (runs ${runs})"
  regress="tests/fuzz/regressions/$f"
  dirs=("$corpus/$f")
  [ -d "$regress" ] && dirs+=("$regress")
  nice -n 10 "build-fuzz/$f" -max_total_time="$seconds" -runs="$runs" -rss_limit_mb=2048 -max_len="$(max_len "$f")" \
    -timeout="$timeout" -print_final_stats=1 -artifact_prefix="build-fuzz/crashes/$f-" "${dirs[@]}" \
    >"build-fuzz/logs/$f.log" 2>&1 || echo "$f stopped: see build-fuzz/logs/$f.log"
  grep -E 'INITED|stat::number_of_executed_units|stat::average_exec_per_sec|ERROR|SUMMARY|Done [0-9]' "build-fuzz/logs/$f.log" || true
  tail -n 3 "build-fuzz/logs/$f.log" | grep -E '^#[0-9]+' || true
done
