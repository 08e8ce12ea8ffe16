#!/usr/bin/env bash
# Builds the page (installing the wasm target, trunk and wasm-bindgen-cli if missing) and serves it on http://127.0.0.1:${PORT:-8080}/ (static files only: dist/
# can be copied to any static host as is).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/web-tools.sh
install_web_tools
scripts/build-web.sh
exec node scripts/static-server.mjs dist "${PORT:-8080}"
