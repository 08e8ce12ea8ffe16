#!/usr/bin/env bash
# `layerlab cat` of the last file of the biggest gzip layer of the big image (issue 14), next to
# GNU `tar -xzOf` of the same file from the same layer blob, in the same run.
#
#   bash scripts/cat-bench.sh          # BIG=/tmp/bigimage (make it with ../shared/fixtures/make-big-image.sh)
#
# Prints: the machine's load; `bench-index --seek` (in one process: the load that builds the seek
# index, its size, the indexing decode pass before/after, the read through the index next to
# streaming from the start); then whole-process times of `layerlab cat` (which indexes every
# layer first in the same run: a process keeps no index across runs) and of `tar -xzOf`,
# alternated by farm-bench when it is there (medians of RUNS, default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
BIG=${BIG:-/tmp/bigimage}
OCI=$BIG/big.oci.tar
RUNS=${RUNS:-5}
[ -f "$OCI" ] || { echo "cat-bench: $OCI is missing (run ../shared/fixtures/make-big-image.sh)" >&2; exit 1; }
cargo build --release --bin layerlab --bin bench-index >&2
LL=target/release/layerlab
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The biggest gzip layer (by uncompressed size) and the layers above it, from big.layers.txt.
read -r idx digest < <(awk -F'\t' '$1=="layer" && $3 ~ /gzip/ {print $7, $2, $4}' "$BIG/big.layers.txt" | sort -n | tail -1 | cut -d' ' -f2-)
tar -xOf "$OCI" --wildcards "*blobs/sha256/${digest#sha256:}" > "$tmp/layer.tar.gz"
n=0
for d in $(awk -F'\t' -v i="$idx" '$1=="layer" && $2 > i {print $4}' "$BIG/big.layers.txt"); do
    n=$((n + 1))
    tar -xOf "$OCI" --wildcards "*blobs/sha256/${d#sha256:}" > "$tmp/upper.$n.tar.gz"
done

# The last regular file of that layer that the layers above neither replace nor delete.
name=$(python3 - "$tmp/layer.tar.gz" "$tmp"/upper.*.tar.gz <<'EOF'
import sys, tarfile, os
def clean(n):
    while n.startswith("./"):
        n = n[2:]
    return n.strip("/")
upper = set()
ms = [m for u in sys.argv[2:] if os.path.exists(u) for m in tarfile.open(u, "r:*")]
for m in ms:
    if m.isdir():
        continue  # a directory above hides nothing below it (an opaque marker is a file)
    n = clean(m.name)
    base = os.path.basename(n)
    if base.startswith(".wh."):
        d = os.path.dirname(n)
        upper.add(os.path.join(d, base[4:]) if base != ".wh..wh..opq" else d)
    else:
        upper.add(n)
def touched(n):
    p = n
    while p:
        if p in upper:
            return True
        p = os.path.dirname(p)
    return False
last = None
with tarfile.open(sys.argv[1], "r:gz") as t:
    for m in t:
        if m.isreg() and m.size > 0 and not touched(clean(m.name)):
            last = m.name
print(last)
EOF
)
path=/${name#./}
echo "file: $path (layer $idx, the last regular file that the layers above leave alone)"
want=$(tar -xzOf "$tmp/layer.tar.gz" "$name" | sha256sum)
got=$("$LL" cat --no-verify "$OCI" "$path" | sha256sum)
[ "$want" = "$got" ] || { echo "cat-bench: layerlab cat and tar -xzOf disagree on $path" >&2; exit 1; }
echo "layerlab cat and GNU tar -xzOf give the same bytes ($want)"
echo "uptime: $(uptime)"
target/release/bench-index --seek "$OCI" "$path"
echo "uptime: $(uptime)"
if command -v farm-bench >/dev/null; then
    farm-bench -n "$RUNS" --timeout 600 --vs "tar -xzOf $tmp/layer.tar.gz $name" -- "$LL" cat --no-verify "$OCI" "$path"
else
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f "layerlab cat %e s" "$LL" cat --no-verify "$OCI" "$path" >/dev/null
        /usr/bin/time -f "tar -xzOf %e s" tar -xzOf "$tmp/layer.tar.gz" "$name" >/dev/null
    done
fi
echo "uptime: $(uptime)"
