// A tiny ustar writer for generated test archives (big or many-entry layers).
import fs from 'node:fs';

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
