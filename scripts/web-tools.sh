#!/usr/bin/env bash
# Sourced by scripts/serve.sh and scripts/web-test.sh: installs what building the page (and,
# with --browser, testing it) needs and this machine lacks: the wasm32 target, the pinned trunk
# and wasm-bindgen CLI, Debian's chromium and the npm packages of package-lock.json.

say() { printf '== %s\n' "$*" >&2; }

install_web_tools() {
  local browser=0
  [ "${1:-}" = "--browser" ] && browser=1
  TRUNK_VERSION=0.21.14
  # trunk runs the wasm-bindgen CLI of exactly the version Cargo.toml pins.
  WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown
  fi
  if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
    say "installing trunk $TRUNK_VERSION (several minutes)"; cargo install trunk --locked --version "$TRUNK_VERSION"
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"; cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
  [ "$browser" = 1 ] || return 0
  export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
  if [ ! -x "$CHROMIUM" ]; then
    say "installing Debian's chromium"
    $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  fi
  # The tests' screenshots of the Chinese page (target/screenshots/*-zh.png) need a CJK font:
  # Debian's chromium brings none. Best effort: the tests themselves read text, not pixels.
  if [ "$CHROMIUM" = /usr/bin/chromium ] && ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    say "installing fonts-noto-cjk (for screenshots of the Chinese page)"
    { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk; } || say "fonts-noto-cjk could not be installed: Chinese screenshots will show boxes"
  fi
  if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "npm ci"; npm ci --no-audit --no-fund
  fi
}
