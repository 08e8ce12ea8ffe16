#!/usr/bin/env bash
# `layerlab ls` of the gzip image (full listing, every digest verified) next to the GNU tools
# doing the same job on the same layer blobs, in the same run (issue 14, target <= 0.5x):
#   tar -xOf big.oci.tar BLOB | tee >(sha256sum) | gzip -dc | tee >(sha256sum) | tar -tv   per layer
# Wall and CPU seconds (CPU > wall means more than one core was busy). RUNS=3, alternated, medians.
set -euo pipefail
cd "$(dirname "$0")/.."
BIG=${BIG:-/tmp/bigimage}
OCI=$BIG/big.oci.tar
RUNS=${RUNS:-3}
cargo build --quiet --release --bin layerlab
LL=$PWD/target/release/layerlab
gnu() {
    for d in $(awk -F'\t' '$1=="layer" {print $4}' "$BIG/big.layers.txt"); do
        tar -xOf "$OCI" --wildcards "*blobs/sha256/${d#sha256:}" | tee >(sha256sum >/dev/null) \
            | gzip -dc | tee >(sha256sum >/dev/null) | tar -tv >/dev/null
    done
}
export -f gnu; export BIG OCI
t() { /usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null | tail -1; }
ll=(); gn=()
for i in $(seq "$RUNS"); do
    ll+=("$(t "$LL" ls "$OCI")")
    gn+=("$(t bash -c gnu)")
done
med() { printf '%s\n' "$@" | awk '{print $1, $2+$3}' | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'; }
read -r lw lc <<<"$(med "${ll[@]}")"
read -r gw gc <<<"$(med "${gn[@]}")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, medians of $RUNS alternated"
printf '%-58s wall %6.2f s  cpu %6.2f s\n' "layerlab ls big.oci.tar (verified)" "$lw" "$lc" \
    "GNU tar -xOf | tee >(sha256sum) | gzip -dc | tee >(sha256sum) | tar -tv" "$gw" "$gc"
awk -v a="$lw" -v b="$gw" 'BEGIN {printf "ratio layerlab/GNU wall %.2f (target <= 0.50)\n", a / b}'
