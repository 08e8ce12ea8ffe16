// A tiny ustar writer for generated test archives (big or many-entry layers).
import fs from 'node:fs';
import zlib from 'node:zlib';
import crypto from 'node:crypto';

function octal(n, width) {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** One 512-byte ustar header. */
export function header(name, { size = 0, type = '0', mode = 0o644, mtime = 1704067200 } = {}) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(mtime, 12), 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148);
  return h;
}

/** A layer with `dirs` directories of `per` small files each. */
export function writeManyEntries(file, dirs, per) {
  const fd = fs.openSync(file, 'w');
  const body = Buffer.alloc(512);
  body.write('x\n');
  for (let d = 0; d < dirs; d++) {
    const dir = `data/d${String(d).padStart(4, '0')}`;
    const parts = [header(`${dir}/`, { type: '5', mode: 0o755 })];
    for (let f = 0; f < per; f++) {
      parts.push(header(`${dir}/f${String(f).padStart(4, '0')}.txt`, { size: 2 }), body);
    }
    fs.writeSync(fd, Buffer.concat(parts));
  }
  fs.writeSync(fd, Buffer.alloc(1024));
  fs.closeSync(fd);
}

/** A layer with one file of `size` bytes of zeros (sparse on disk, so cheap to make). */
export function writeBigFile(file, size) {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, header('big.bin', { size }));
  const pad = (512 - (size % 512)) % 512;
  fs.ftruncateSync(fd, 512 + size + pad + 1024);
  fs.closeSync(fd);
}

/** Reads a tar's entries: [{name, type}] (ustar prefix and PAX `path` understood; names without
 * a leading `./` or `/`, directories without the trailing slash). */
export function readTar(file) {
  const b = fs.readFileSync(file);
  const out = [];
  let pax = null;
  let longName = null;
  for (let off = 0; off + 512 <= b.length;) {
    const h = b.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    const str = (a, n) => { const s = h.subarray(a, a + n); const z = s.indexOf(0); return s.subarray(0, z < 0 ? n : z).toString('utf8'); };
    const size = parseInt(str(124, 12).trim() || '0', 8);
    const type = str(156, 1) || '0';
    const body = b.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      pax = {};
      let t = body.toString('utf8');
      while (t.length) {
        const sp = t.indexOf(' ');
        const len = parseInt(t.slice(0, sp), 10);
        const rec = t.slice(sp + 1, len - 1);
        const eq = rec.indexOf('=');
        pax[rec.slice(0, eq)] = rec.slice(eq + 1);
        t = t.slice(len);
      }
      continue;
    }
    if (type === 'L') { longName = body.toString('utf8').replace(/\0.*$/s, ''); continue; }
    if (type === 'g') continue;
    const prefix = str(345, 155);
    let name = (pax && pax.path) || longName || (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
    pax = null; longName = null;
    name = name.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
    if (name === '' || name === '.') continue;
    const num = (a, n) => parseInt(str(a, n).trim() || '0', 8);
    out.push({ name, type, mode: num(100, 8) & 0o7777, uid: num(108, 8), gid: num(116, 8) });
  }
  return out;
}

/** The paths (`/`-rooted) of the union of layer tars, bottom first, as overlay2 stacks them:
 * `.wh.NAME` hides NAME below, `.wh..wh..opq` hides everything below in its directory. */
export function unionPaths(files) {
  let paths = new Set(['/']);
  const under = (p, d) => p.startsWith(d === '/' ? '/' : `${d}/`) && p !== d;
  for (const f of files) {
    const entries = readTar(f);
    const mine = new Set();
    const hide = [];
    const opaque = [];
    for (const e of entries) {
      const p = `/${e.name}`;
      const base = p.slice(p.lastIndexOf('/') + 1);
      const dir = p.slice(0, p.lastIndexOf('/')) || '/';
      if (base === '.wh..wh..opq') { opaque.push(dir); mine.add(dir); continue; }
      if (base.startsWith('.wh.')) { hide.push(dir === '/' ? `/${base.slice(4)}` : `${dir}/${base.slice(4)}`); mine.add(dir); continue; }
      mine.add(p);
      if (e.type !== '5') hide.push(`${p}/`); // a non-dir replaces a dir below, and its contents
      // Implied parents.
      for (let d = dir; d !== '/' && d; d = d.slice(0, d.lastIndexOf('/')) || '/') mine.add(d);
    }
    const next = new Set();
    for (const p of paths) {
      if (hide.some((h) => (h.endsWith('/') ? p.startsWith(h) : p === h || under(p, h)))) continue;
      if (opaque.some((d) => under(p, d))) continue;
      next.add(p);
    }
    for (const p of mine) next.add(p);
    paths = next;
  }
  return paths;
}

/** The union of layer tars (bottom first) as `path → 'T MODE UID:GID'` (the first three fields
 * of a listing line: `d 0755 0:0`), stacked as `unionPaths` stacks them; an implied parent
 * directory without an entry of its own is `d 0755 0:0`. */
export function unionMeta(files) {
  const meta = new Map([['/', 'd 0755 0:0']]);
  for (const f of files) {
    for (const e of readTar(f)) {
      const p = `/${e.name}`;
      const base = p.slice(p.lastIndexOf('/') + 1);
      if (base.startsWith('.wh.')) continue;
      const t = { 0: 'f', 5: 'd', 2: 'l', 1: 'f', 3: 'c', 4: 'b', 6: 'p' }[e.type] || 'f';
      meta.set(p, `${t} ${e.mode.toString(8).padStart(4, '0')} ${e.uid}:${e.gid}`);
    }
  }
  const paths = unionPaths(files);
  return new Map([...paths].map((p) => [p, meta.get(p) || 'd 0755 0:0']));
}

/** A gzip layer of `files` files (`data/dN/fMM.txt`, 25 a directory) of about 550 KB each,
 * base64-like letters after a first line `this is NAME`: compressible about 4:3, and little of
 * it reaches back far (so a start in the middle of the member soon stops depending on the
 * window before it). Returns {name: sha256 hex of its content}, in order. */
export function writeGzipLayer(file, files) {
  const parts = [];
  const names = {};
  const abc = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
  let x = 0x2545f491;
  for (let i = 0; i < files; i++) {
    const dir = `data/d${Math.floor(i / 25)}`;
    if (i % 25 === 0) parts.push(header(`${dir}/`, { type: '5', mode: 0o755 }));
    const name = `${dir}/f${String(i % 25).padStart(2, '0')}.txt`;
    const size = 50_000 + ((i * 7919) % 1000) * 1000;
    const body = Buffer.alloc(size);
    const head = Buffer.from(`this is ${name}\n`);
    head.copy(body);
    for (let k = head.length; k < size; k++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      body[k] = (k % 77 === 76) ? 10 : abc[(x >>> 0) & 63];
    }
    parts.push(header(name, { size }), body, Buffer.alloc((512 - (size % 512)) % 512));
    names[name] = crypto.createHash('sha256').update(body).digest('hex');
  }
  parts.push(Buffer.alloc(1024));
  fs.writeFileSync(file, zlib.gzipSync(Buffer.concat(parts)));
  return names;
}
