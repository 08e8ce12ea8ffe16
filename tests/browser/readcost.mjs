// What reading a File costs in a Chromium worker (the numbers behind src/ui/blob_file.rs):
// per-call cost of FileReaderSync slices by size, async Blob.slice().arrayBuffer() with several
// reads in flight, Blob.stream(), and a tar header walk (every header of the given uncompressed
// layers, as the indexer seeks them) with each strategy; `split`: the best plan and every byte
// read by one worker, then split in two halves over two workers at once (what splitting one
// layer's walk over the layer workers could gain). `plans` reads each plan with
// readAsArrayBuffer and again as streams (BYOB, one kept 16 MiB buffer, as blob_file::Feeding
// reads), and stream plans (ranges bounded only by a gap, every byte): the benchmark's best
// read plan is the fastest line whose name starts with "oracle".
//   node tests/browser/readcost.mjs LAYER.tar...   (ONLY=sync,async,stream,walk,plans,split picks parts;
//   ONLY=model prices many online read-ahead rules against the oracle without a browser)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/static-server.mjs';

const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: node tests/browser/readcost.mjs LAYER.tar...');
  process.exit(2);
}

// Header offsets of each tar (every 512-byte header, PAX/GNU long-name ones included).
function headers(file) {
  const fd = fs.openSync(file, 'r');
  const size = fs.fstatSync(fd).size;
  const h = Buffer.alloc(512);
  const out = [];
  let off = 0;
  while (off + 512 <= size) {
    fs.readSync(fd, h, 0, 512, off);
    if (h.every((b) => b === 0)) break;
    out.push(off);
    const raw = h.subarray(124, 136);
    const n = raw[0] & 0x80 ? Number(raw.readBigUInt64BE(4)) : parseInt(raw.toString('latin1').replace(/\0.*$/, '').trim() || '0', 8);
    off += 512 + Math.ceil(n / 512) * 512;
  }
  fs.closeSync(fd);
  return out;
}
const offsets = files.map(headers);
const sizes = files.map((f) => fs.statSync(f).size);

// Read plans over the header walk. Oracle: knows every header, splits at gaps > T, reads ≤ MAX.
function oracle(T, MAX) {
  const plan = [];
  offsets.forEach((o, i) => {
    let s = o[0], e = o[0] + 512;
    for (const x of o.slice(1)) { if (x - e > T || x + 512 - s > MAX) { plan.push([i, s, e]); s = x; } e = x + 512; }
    plan.push([i, s, e]);
  });
  return plan;
}
// Online: on a miss at p, read W bytes; W doubles (to MAX) while misses land within T of the
// last window's end, and drops back to W0 after a longer jump.
function online(W0, T, MAX) {
  const plan = [];
  offsets.forEach((o, i) => {
    let ws = -1, we = -1, W = W0;
    for (const x of o) {
      if (x >= ws && x + 512 <= we) continue;
      W = we >= 0 && x - we <= T ? Math.min(2 * W, MAX) : W0;
      plan.push([i, x, Math.min(sizes[i], x + W)]); ws = x; we = x + W;
    }
  });
  return plan;
}
const plans = [['oracle gap>1M max 16M', oracle(1 << 20, 16 << 20)], ['oracle gap>512K max 16M', oracle(512 << 10, 16 << 20)],
  ['online W0 1M T 1M max 16M', online(1 << 20, 1 << 20, 16 << 20)], ['online W0 256K T 1M max 16M', online(256 << 10, 1 << 20, 16 << 20)],
  ['online W0 1M T 1M max 4M', online(1 << 20, 1 << 20, 4 << 20)]];

// Plans for streams: a range is read through however long it is, so only the gap that ends one
// bounds it (and "every byte": each file whole).
const streamPlans = [['oracle gap>1M', oracle(1 << 20, Infinity)], ['oracle gap>4M', oracle(4 << 20, Infinity)],
  ['oracle gap>16M', oracle(16 << 20, Infinity)], ['oracle every byte', sizes.map((n, i) => [i, 0, n])]];

// `model`: no browser. Every online rule of a family (first slice, how near a read must land to
// double the next, the largest slice; and one that sizes each read by the run of headers so
// far) against the oracle, by bytes and reads, and by a cost fitted to this module's browser
// figures: 1 ms a read plus 1.9 ms a MiB. What an indexer that learns each header's offset from
// the one before can hope for, before it parses anything.
if (process.env.ONLY === 'model') {
  const C0 = 1.0, C1 = 1.9 / 1048576;
  const cost = (p) => p.reduce((s, [, a, b]) => s + C0 + (b - a) * C1, 0);
  const adaptive = (W0, T, MAX, f) => {
    const plan = [];
    offsets.forEach((o, i) => {
      let ws = -1, we = -1, run = -1;
      for (const x of o) {
        if (x >= ws && x + 512 <= we) continue;
        let W = W0;
        if (we >= 0 && x - we <= T) W = Math.min(MAX, Math.max(W0, Math.round((x + 512 - run) * f)));
        else run = x;
        plan.push([i, x, Math.min(sizes[i], x + W)]); ws = x; we = x + W;
      }
    });
    return plan;
  };
  const rows = [['oracle gap>512K max 16M', oracle(512 << 10, 16 << 20)], ['oracle gap>1M max 16M', oracle(1 << 20, 16 << 20)]];
  for (const W0 of [64 << 10, 128 << 10, 256 << 10]) for (const T of [256 << 10, 1 << 20]) for (const MAX of [2 << 20, 4 << 20, 8 << 20, 16 << 20]) {
    rows.push([`online W0 ${W0 >> 10}K T ${T >> 10}K max ${MAX >> 20}M`, online(W0, T, MAX)]);
  }
  for (const f of [0.5, 1, 2]) rows.push([`adaptive run x${f} W0 256K`, adaptive(256 << 10, 1 << 20, 16 << 20, f)]);
  for (const [name, plan] of rows) {
    const per = files.map((_, i) => cost(plan.filter((p) => p[0] === i)).toFixed(0));
    const mib = plan.reduce((s, [, a, b]) => s + b - a, 0) / 1048576;
    console.log(`model ${name.padEnd(30)} ${String(plan.length).padStart(4)} reads ${mib.toFixed(0).padStart(4)} MiB  ~${cost(plan).toFixed(0)} ms (per file ${per.join(' / ')})`);
  }
  process.exit(0);
}

const workerSrc = `
onmessage = async (ev) => {
  const { files, offsets, only } = ev.data;
  const want = (k) => !only || only.split(',').includes(k);
  const out = [];
  const log = (s) => { out.push(s); postMessage({ line: s }); };
  const rs = new FileReaderSync();
  const now = () => performance.now();
  const f = files[files.length > 1 ? 1 : 0];
  // 1. FileReaderSync, sequential slices of one size over the first 256 MiB.
  if (want('sync')) for (const sz of [512, 65536, 256 << 10, 512 << 10, 1 << 20, 2 << 20, 4 << 20, 8 << 20, 16 << 20]) {
    const span = Math.min(f.size, sz <= 65536 ? 32 << 20 : 256 << 20);
    let t = now(), n = 0;
    for (let o = 0; o + sz <= span; o += sz) { rs.readAsArrayBuffer(f.slice(o, o + sz)); n++; }
    t = now() - t;
    log('FileReaderSync ' + sz + ' B x' + n + ': ' + (t / n).toFixed(3) + ' ms/call, ' + (n * sz / 1048576 / (t / 1000)).toFixed(0) + ' MiB/s');
  }
  // 2. async arrayBuffer(), k reads in flight.
  if (want('async')) for (const sz of [65536, 1 << 20, 4 << 20]) {
    for (const k of [1, 4, 16]) {
      const span = Math.min(f.size, 256 << 20);
      let t = now(), n = 0, o = 0;
      const inflight = [];
      while (o + sz <= span || inflight.length) {
        while (inflight.length < k && o + sz <= span) { inflight.push(f.slice(o, o + sz).arrayBuffer()); o += sz; n++; }
        await inflight.shift();
      }
      t = now() - t;
      log('arrayBuffer ' + sz + ' B, ' + k + ' in flight x' + n + ': ' + (t / n).toFixed(3) + ' ms/call, ' + (n * sz / 1048576 / (t / 1000)).toFixed(0) + ' MiB/s');
    }
  }
  // 3. Blob.stream() over the same 256 MiB.
  if (want('stream')) {
    const span = Math.min(f.size, 256 << 20);
    let t = now(), got = 0, chunks = 0;
    const r = f.slice(0, span).stream().getReader();
    for (;;) { const { done, value } = await r.read(); if (done) break; got += value.length; chunks++; }
    t = now() - t;
    log('stream(): ' + chunks + ' chunks of ~' + (got / chunks / 1024).toFixed(0) + ' KiB, ' + (got / 1048576 / (t / 1000)).toFixed(0) + ' MiB/s');
  }
  // 4. The header walk: each header read through a read-ahead window of W bytes (FileReaderSync).
  if (want('walk')) for (const w of [65536, 256 << 10, 1 << 20, 4 << 20]) {
    let t = now(), reads = 0, bytes = 0;
    files.forEach((file, i) => {
      let ws = -1, we = -1;
      for (const o of offsets[i]) {
        if (o >= ws && o + 512 <= we) continue;
        const end = Math.min(file.size, o + w);
        rs.readAsArrayBuffer(file.slice(o, end)); reads++; bytes += end - o; ws = o; we = end;
      }
    });
    t = now() - t;
    log('header walk, FileReaderSync window ' + (w >> 10) + ' KiB: ' + reads + ' reads, ' + (bytes / 1048576).toFixed(0) + ' MiB, ' + t.toFixed(0) + ' ms');
  }
  // 6. The header walk with async 64 KiB reads, k in flight (prefetch of the windows needed).
  if (want('walk')) for (const w of [65536, 1 << 20]) for (const k of [4, 16, 64]) {
    const wins = [];
    files.forEach((file, i) => {
      let we = -1;
      for (const o of offsets[i]) { if (o + 512 <= we) continue; we = Math.min(file.size, o + w); wins.push([file, o, we]); }
    });
    let t = now(), j = 0;
    const inflight = [];
    while (j < wins.length || inflight.length) {
      while (inflight.length < k && j < wins.length) { const [file, a, b] = wins[j++]; inflight.push(file.slice(a, b).arrayBuffer()); }
      await inflight.shift();
    }
    t = now() - t;
    log('header walk, async window ' + (w >> 10) + ' KiB, ' + k + ' in flight: ' + wins.length + ' reads, ' + t.toFixed(0) + ' ms');
  }
  // 7. Read plans made in node (lists of [file, start, end]), with FileReaderSync.
  if (want('plans')) for (const [name, plan] of ev.data.plans) {
    let t = now(), bytes = 0;
    for (const [i, a, b] of plan) { rs.readAsArrayBuffer(files[i].slice(a, b)); bytes += b - a; }
    t = now() - t;
    log('plan ' + name + ': ' + plan.length + ' reads, ' + (bytes / 1048576).toFixed(0) + ' MiB, ' + t.toFixed(0) + ' ms');
  }
  // 8. The same plans, and stream plans (a range read through however long it is), each range
  // read as its blob's stream with a BYOB reader into one kept 16 MiB buffer (what
  // blob_file::Feeding does): no new buffer per read.
  let buf = new ArrayBuffer(16 << 20);
  const streamed = async (file, a, b) => {
    const r = file.slice(a, b).stream().getReader({ mode: 'byob' });
    let got = 0;
    for (;;) {
      const x = await Promise.race([r.read(new Uint8Array(buf, 0, buf.byteLength)), new Promise((res) => setTimeout(() => res(null), 5000))]);
      if (!x) { log('STUCK reading [' + a + ', ' + b + ') of ' + file.name + ' after ' + got + ' bytes'); buf = new ArrayBuffer(16 << 20); return got; }
      const { done, value } = x;
      if (value) { buf = value.buffer; got += value.byteLength; } else buf = new ArrayBuffer(16 << 20);
      if (done) break;
    }
    return got;
  };
  if (want('plans')) for (const [name, plan] of [...ev.data.plans, ...ev.data.streamPlans]) {
    let t = now(), bytes = 0;
    for (const [i, a, b] of plan) bytes += await streamed(files[i], a, b);
    t = now() - t;
    log('plan ' + name + ' (stream): ' + plan.length + ' reads, ' + (bytes / 1048576).toFixed(0) + ' MiB, ' + t.toFixed(0) + ' ms');
  }
  postMessage(out);
};`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-readcost-'));
fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><input type="file" multiple id="f">');
fs.writeFileSync(path.join(dir, 'w.js'), workerSrc);
// Reads a plan ([file, start, end]...) with FileReaderSync and says how long it took.
fs.writeFileSync(path.join(dir, 'plan.js'), `onmessage = (ev) => { const { files, plan } = ev.data; const rs = new FileReaderSync();
  const t = performance.now(); for (const [i, a, b] of plan) rs.readAsArrayBuffer(files[i].slice(a, b)); postMessage(performance.now() - t); };`);
const server = await serve(dir, 0);
const base = `http://127.0.0.1:${server.address().port}/`;
const userDataDir = fs.mkdtempSync('/tmp/layerlab-chromium-');
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
});
try {
  const page = context.pages()[0] || await context.newPage();
  await page.goto(base);
  await page.locator('#f').setInputFiles(files);
  // Each line as it comes (on stderr), so a run that stops says where.
  await page.exposeFunction('logLine', (l) => process.stderr.write('  ' + l + '\n'));
  const lines = await page.evaluate(({ offsets, plans, streamPlans, only }) => new Promise((resolve) => {
    const w = new Worker('w.js');
    w.onmessage = (e) => { if (e.data && e.data.line) window.logLine(e.data.line); else resolve(e.data); };
    w.onerror = (e) => resolve(['error: ' + e.message]);
    w.postMessage({ files: [...document.getElementById('f').files], offsets, plans, streamPlans, only });
  }), { offsets, plans, streamPlans, only: process.env.ONLY || '' });
  console.log(`${files.length} files, ${offsets.reduce((s, o) => s + o.length, 0)} headers, ${os.cpus().length} cores`);
  for (const l of lines) console.log(l);
  if (!process.env.ONLY || process.env.ONLY.split(',').includes('split')) {
    const halves = (plan) => {
      const total = plan.reduce((a, p) => a + p[2] - p[1], 0);
      let acc = 0, k = 0;
      while (k < plan.length && acc < total / 2) acc += plan[k][2] - plan[k++][1];
      return [plan.slice(0, k), plan.slice(k)];
    };
    const every = [];
    files.forEach((f, i) => { for (let o = 0; o < sizes[i]; o += 4 << 20) every.push([i, o, Math.min(sizes[i], o + (4 << 20))]); });
    const run = (parts) => page.evaluate((parts) => new Promise((resolve) => {
      const fl = [...document.getElementById('f').files];
      const t0 = performance.now();
      let left = parts.length;
      for (const plan of parts) {
        const w = new Worker('plan.js');
        w.onmessage = () => { w.terminate(); if (--left === 0) resolve(performance.now() - t0); };
        w.postMessage({ files: fl, plan });
      }
    }), parts);
    const best = plans.find(([name]) => name === 'oracle gap>512K max 16M')[1];
    for (let r = 0; r < 3; r++) {
      console.log(`split: best plan, one worker ${(await run([best])).toFixed(0)} ms, two workers ${(await run(halves(best))).toFixed(0)} ms; every byte in 4 MiB reads, one worker ${(await run([every])).toFixed(0)} ms, two workers ${(await run(halves(every))).toFixed(0)} ms`);
    }
  }
} finally {
  await context.close();
  server.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
}
