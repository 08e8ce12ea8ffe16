// The read loop of a layer worker's stream slices (`Feeding::fill` in src/ui/blob_file.rs),
// bound there. A classic script the layer worker imports when it starts (why not an inline_js
// snippet: src/ui/session.rs). A file's stream hands a BYOB read what its pipe holds, mostly
// 64-128 KiB: each read here asks for what the slice needs at once (`min`, below), and the loop
// covers a browser that answers with less; the slice costs the wasm one call and one await.
(() => {
// Fills `buf` (an ArrayBuffer of at least `want` bytes) from `reader` with at least `enough`
// bytes (fewer at the stream's end), at most `want`. Resolves to the filled bytes, or to
// undefined when the slice took more than `ms` ms (the stream is then cancelled).
async function fill(reader, buf, want, enough, ms) {
  // One deadline for the slice: past it the stream is cancelled, which ends the read waiting
  // on it with no bytes (a race with each read cost a promise more per read).
  const timer = setTimeout(() => { reader.cancel().catch(() => {}); }, ms);
  let filled = 0;
  try {
    while (filled < enough) {
      // `min` (the Streams standard's): the read answers once that much is filled, one answer
      // for the slice instead of one per chunk of the pipe (Chromium 156: 35 reads for layer 1
      // instead of 3,500-6,500). A browser that ignores it answers with what the pipe holds,
      // and the loop goes on.
      const got = await reader.read(new Uint8Array(buf, filled, want - filled), { min: enough - filled });
      if (!got.value) return undefined;
      buf = got.value.buffer;
      filled += got.value.byteLength;
      if (got.done) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return new Uint8Array(buf, 0, filled);
}
self.layerlabStreamFill = { fill };
})();
