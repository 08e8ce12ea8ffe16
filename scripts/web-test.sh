#!/usr/bin/env bash
# Browser tests of the page, from a fresh clone: installs what this machine lacks (the wasm32
# target, the pinned trunk and wasm-bindgen CLI, Debian's chromium, the npm packages of
# package-lock.json), builds the page and runs tests/browser/*.test.mjs with node's test runner
# in headless chromium. Screenshots land in target/screenshots/.
#   scripts/web-test.sh [node --test args...]      e.g. --test-name-pattern=drop
# Fixtures are read from ../shared/fixtures (LAYERLAB_SHARED=/path/to/shared to override).
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# trunk runs the wasm-bindgen CLI of exactly the version Cargo.toml pins.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

say() { printf '== %s\n' "$*" >&2; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown
fi
if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (several minutes)"; cargo install trunk --locked --version "$TRUNK_VERSION"
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"; cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  say "installing Debian's chromium"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi
if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"; npm ci --no-audit --no-fund
fi
if [ ! -d "${LAYERLAB_SHARED:-../shared}/fixtures" ]; then
  say "the shared fixtures are not at ${LAYERLAB_SHARED:-../shared}/fixtures: set LAYERLAB_SHARED"; exit 2
fi

say "building the page"
scripts/build-web.sh
say "running the browser tests"
mkdir -p target/screenshots
node --test --test-concurrency=1 "$@" tests/browser/
