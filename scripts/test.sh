#!/usr/bin/env bash
# Runs every test of layerlab, installing first what a fresh machine lacks.
#   bash scripts/test.sh
# Needs ../shared (fixtures and oracle traces) beside the checkout, or LAYERLAB_SHARED.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export LAYERLAB_SHARED=${LAYERLAB_SHARED:-$(cd "$ROOT/../shared" && pwd)}
export CARGO_TERM_COLOR=never
step() { printf '\n==== %s\n' "$*"; }

step "toolchain"
if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# Real tools that judge our saved archives (Debian packages).
need_apt=()
for t in skopeo umoci; do command -v "$t" >/dev/null || need_apt+=("$t"); done
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

step "unit and integration tests (fixtures goldens, hostile input, kernel traces)"
cargo test --release --all-targets

step "the core builds for wasm32 and names no UI or browser crate"
cargo build --release --lib --target wasm32-unknown-unknown
core_files=$(ls src/*.rs src/*/ -d 2>/dev/null | grep -v -E '^src/(ui|web)(\.rs|/)$' || true)
if grep -rnE '\b(yew|web_sys|wasm_bindgen|js_sys|gloo)\b' $core_files; then
  echo "FAIL: the portable core names a UI/browser crate (see above)" >&2
  exit 1
fi
echo "core is portable"

step "oracle: every public kernel scenario, all three configs, through the CLI (check.sh)"
"$LAYERLAB_SHARED/oracle/check.sh" -q -j 2 \
  "$ROOT/target/release/layerlab trace --layers-dir {layers} --ops {ops} --config {config}"

step "docker oracle: every public scenario of a real Docker 20.10 host, and ours, through the CLI (check.sh -x)"
"$LAYERLAB_SHARED/docker-oracle/check.sh" -x -q -j 2 \
  "$ROOT/target/release/layerlab host --script {script} --images {images} --registry {registry}"
"$LAYERLAB_SHARED/docker-oracle/check.sh" -x -q -d "$ROOT/tests/docker-scenarios" \
  "$ROOT/target/release/layerlab host --script {script} --images {images} --registry {registry}"

if [ -f scripts/web-test.sh ]; then
  step "browser tests"
  bash scripts/web-test.sh
fi
step "all tests passed"
