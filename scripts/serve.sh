#!/usr/bin/env bash
# The demo: builds whatever is missing (native CLI, wasm module, default models), then serves web/
# on http://localhost:8080. Works offline once the models are fetched.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x build/webcnn ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)" --target webcnn
fi
if [ -x scripts/build-wasm.sh ] && [ ! -f web/dist/webcnn.wasm ]; then scripts/build-wasm.sh; fi
if [ -f models/fetch-models.mjs ]; then node models/fetch-models.mjs; fi
exec node web/server.mjs --port "${PORT:-8080}"
