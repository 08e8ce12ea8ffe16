#!/usr/bin/env bash
# Builds the page and serves it on http://127.0.0.1:${PORT:-8080}/ (static files only: dist/
# can be copied to any static host as is).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-web.sh
exec node scripts/static-server.mjs dist "${PORT:-8080}"
