#!/usr/bin/env bash
# Coverage-guided fuzzing of layerlab's core with libFuzzer (cargo-fuzz), on the stable
# toolchain: `-s none` builds without a sanitizer, so no nightly -Z flag is needed (safe Rust:
# what a fuzzer finds here is a panic, a hang or runaway memory, all visible without ASan).
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 600); TARGETs default to docker_cmd and shell (the others:
# archive, ops, docker_argv, dockerfile, compare, indexfile). MAX_LEN (default 4096) caps input sizes
# (compare's seeds are archives of up to 11 KB: MAX_LEN=16384). Targets run one after another (one core each, the machine has
# two). Each run starts from fuzz/seeds/TARGET (lines of the docker-oracle scenarios) plus the
# corpus kept in fuzz/corpus/TARGET (git-ignored); a crash is written to fuzz/artifacts/TARGET
# and stops the script with its reproducer command. Per target the last line printed is
# libFuzzer's `Done N runs in S second(s)`: fuzz/README.md records those counts.
# Installs cargo-fuzz (crates.io) if missing; libFuzzer itself is built by libfuzzer-sys with
# the system C++ compiler.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECS=${1:-600}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(docker_cmd shell)

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
command -v c++ >/dev/null || { apt-get update && apt-get install -y g++; }

for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t"
  [ -d "seeds/$t" ] && cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
  echo "==== fuzz $t for ${SECS}s"
  log=$(mktemp)
  # -timeout: one input running 5 s is a hang; -rss_limit_mb: past 2 GiB is runaway memory.
  if ! cargo fuzz run -s none "$t" -- -max_total_time="$SECS" -timeout=5 -rss_limit_mb=2048 -max_len="${MAX_LEN:-4096}" \
      -print_final_stats=1 >"$log" 2>&1; then
    grep -E "panicked|ERROR|SUMMARY|Test unit written|memory allocation|^error" "$log" | head -20 || true
    echo "fuzz $t: crashed (full log $log)"
    exit 1
  fi
  grep -E "^Done|stat::number_of_executed_units" "$log" | tail -2
  rm -f "$log"
done
