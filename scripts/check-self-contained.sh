#!/usr/bin/env bash
# The repository carries what its tests need (issue 17): no test reads photos or anything else from a
# folder beside the checkout.
#   scripts/check-self-contained.sh names    nothing outside the docs (*.md) names the team's shared folder
#   scripts/check-self-contained.sh clone    the photo tests pass in a copy of the tracked files placed in an
#                                            empty temporary directory (nothing beside it); needs build/
#                                            (webcnn_tests_sse2, webcnn), models/human, python3-onnx
# Why a copy and not a fresh build: building the engine again would cost minutes. The copy holds exactly
# the tracked files as they are in the working tree (a photo someone forgot to `git add` is missing there);
# the native photo tests read it through $WEBCNN_TEST_SOURCE_DIR (tests/native/support/test_photos.h), the
# Node ones find their photos from their own location (tests/node/support/photos.mjs). The other Node
# suites that use photos (oracles, demo, soak: many minutes) get them through that same module, which
# throws on a missing photo and never falls back to another folder; `names` keeps any other route out.
set -euo pipefail
export CI="${CI:-1}"
cd "$(dirname "$0")/.."

names() {
  # The patterns are written so that they do not match this file's own text.
  local hits
  hits=$(git grep -nIE '[.][.]/shared|/work/shared|'"'"'[.][.]'"'"', *'"'"'shared'"'" -- ':!*.md' || true)
  if [ -n "$hits" ]; then
    echo "these name a folder outside the repository (copy what they need into it, e.g. tests/data/photos):" >&2
    echo "$hits" >&2
    return 1
  fi
  echo "no file outside the docs names ../shared"
}

clone() {
  local tmp
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/webcnn-self-contained.XXXXXX")
  trap 'rm -rf "$tmp"' RETURN
  local copy=$tmp/webcnn  # $tmp/shared does not exist
  mkdir "$copy"
  git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$copy"
  # What a fresh clone builds or fetches for itself, lent from this checkout (its content is not the question).
  ln -s "$PWD/node_modules" "$copy/node_modules"
  ln -s "$PWD/models/human" "$copy/models/human"

  echo "native photo tests on $copy"
  WEBCNN_TEST_SOURCE_DIR=$copy build/webcnn_tests_sse2 -tc='decode:*,cli:*' -ni
  echo "Node photo tests in $copy"
  local here=$PWD
  (cd "$copy" && WEBCNN_CLI="$here/build/webcnn" node --test --test-concurrency=1 --test-reporter=tap \
    tests/node/demo_decoders.test.mjs tests/node/ort_oracle.test.mjs) | tee "$tmp/node.tap" | grep -E '^# (tests|pass|fail|skipped)'
  # A skipped test proves nothing here: count it as a failure.
  grep -qx '# skipped 0' "$tmp/node.tap" || { echo "Node photo tests skipped in the copy" >&2; return 1; }
  grep -qx '# fail 0' "$tmp/node.tap" || { echo "Node photo tests failed in the copy (see above)" >&2; return 1; }
}

case "${1:-}" in
  names) names ;;
  clone) clone ;;
  *) echo "usage: $0 names|clone" >&2; exit 2 ;;
esac
