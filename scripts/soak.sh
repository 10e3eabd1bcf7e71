#!/usr/bin/env bash
# The long sessions at full length: 10,000 blazeface inferences in Node and in Chromium on the fake
# webcam (the test command runs them 3,000 times), plus 200 load/dispose cycles. About 10 minutes.
#   scripts/soak.sh [RUNS]
# Needs the wasm build (scripts/build-wasm.sh), the models (node models/fetch-models.mjs), ffmpeg and
# Chromium, as the test command does.
set -euo pipefail
cd "$(dirname "$0")/.."
export WEBCNN_SOAK_RUNS="${1:-10000}"
node --test --test-concurrency=1 tests/node/soak.test.mjs tests/node/soak_browser.test.mjs
