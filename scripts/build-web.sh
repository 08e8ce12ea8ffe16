#!/usr/bin/env bash
# Builds the page into dist/ with trunk (release, offline). Needs: the wasm32 target, trunk
# 0.21.14 and wasm-bindgen-cli 0.2.130 (scripts/web-test.sh installs what is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
# A clean dist/: a stale snippets/ file would fail its integrity check and stop the page.
rm -rf dist
# wasm-bindgen's output directory is shared by the page's binaries and never cleaned by trunk:
# snippets left there by an older build would be copied into dist and preloaded.
rm -rf target/wasm-bindgen/*/snippets
# wasm-opt (binaryen 132, pure JS) comes from the npm packages.
[ -x node_modules/.bin/wasm-opt ] || npm ci --no-audit --no-fund
PATH="$PWD/node_modules/.bin:$PATH" trunk build --release --offline "$@"
# The Content-Security-Policy names the scripts trunk injected by their hashes (trunk writes
# index.html after its post_build hooks, so this runs here).
node scripts/csp.mjs dist
