#!/usr/bin/env bash
# Browser benchmark (see tests/browser/bench.mjs): builds the page, then loads the big image
# (BIG=/tmp/bigimage by default; make it with ../shared/fixtures/make-big-image.sh) in headless
# chromium and prints the figures. RUNS=3 takes the best of three; the unverified uncompressed
# open and its best read plan are taken PAIRS times (default 5), alternated, and compared by
# their medians.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund
scripts/build-web.sh
node tests/browser/bench.mjs  # LAYERLAB_DIST=DIR serves another build (the tests serve it too)
