#!/usr/bin/env bash
# Browser tests of the page, from a fresh clone: installs what this machine lacks (the wasm32
# target, the pinned trunk and wasm-bindgen CLI, Debian's chromium, the npm packages of
# package-lock.json), builds the page and runs tests/browser/*.test.mjs with node's test runner
# in headless chromium. Screenshots land in target/screenshots/.
#   scripts/web-test.sh [node --test args...]      e.g. --test-name-pattern=drop
# Fixtures are read from ../shared/fixtures (LAYERLAB_SHARED=/path/to/shared to override).
set -euo pipefail
cd "$(dirname "$0")/.."

# Installs the wasm target, trunk, wasm-bindgen-cli, chromium and the npm packages if missing.
source scripts/web-tools.sh
install_web_tools --browser
if [ ! -d "${LAYERLAB_SHARED:-../shared}/fixtures" ]; then
  say "the shared fixtures are not at ${LAYERLAB_SHARED:-../shared}/fixtures: set LAYERLAB_SHARED"; exit 2
fi

say "building the page"
scripts/build-web.sh
say "running the browser tests"
mkdir -p target/screenshots
node --test --test-concurrency=1 "$@" tests/browser/
