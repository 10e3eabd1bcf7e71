#!/usr/bin/env bash
# Formatting and lint, checked in CI before anything is built (cheap, and a diff is easier to read when
# nobody's editor reflowed unrelated lines):
#   C++ (engine/, bindings/, tools/, tests/, bench/): clang-format with .clang-format; vendored code excluded.
#   JavaScript: eslint with eslint.config.js (npm run lint).
#   scripts/check-format.sh --fix   rewrites the files instead of failing.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t cxx < <(git ls-files 'engine/*.cc' 'engine/*.h' 'bindings/*.cc' 'bindings/*.h' 'tools/*.cc' 'tools/*.h' \
  'tests/*.cc' 'tests/*.h' 'bench/*.cc' 'bench/*.h' | grep -v '/third_party/')
if [ "${1:-}" = --fix ]; then
  clang-format -i "${cxx[@]}"
  if [ -f eslint.config.js ]; then npx --no-install eslint --fix .; fi
  exit 0
fi
if ! clang-format --dry-run -Werror "${cxx[@]}" 2>/tmp/webcnn-format.$$; then
  head -40 /tmp/webcnn-format.$$
  echo "C++ formatting differs from .clang-format in $(grep -c 'error:' /tmp/webcnn-format.$$) places: run scripts/check-format.sh --fix" >&2
  rm -f /tmp/webcnn-format.$$
  exit 1
fi
rm -f /tmp/webcnn-format.$$
echo "clang-format: ${#cxx[@]} C++ files formatted"
if [ -f eslint.config.js ]; then
  npx --no-install eslint .
  echo "eslint: no problems"
fi
