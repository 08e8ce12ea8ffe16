// Opening real fixtures (picker and drop), the layer list and the merged tree against the
// kernel goldens, toggling layers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import {
  start, openWithPicker, openWithDrop, waitLayers, downloadListing, fixtureShortIds, golden, shot, visiblePaths, FIXTURES,
} from './helpers.mjs';
import { writeGzipLayer } from './tar.mjs';

const gen = (f) => path.join(FIXTURES, 'generated', f);
const goldenPaths = (g) => g.trim().split('\n').map((l) => l.split(' ')[5]);

test('layered.docker.tar through the picker: layers, tree and listing match the goldens; toggling layers', async () => {
  const t = await start();
  try {
    const { page } = t;
    await openWithPicker(page, gen('layered.docker.tar'));
    const items = await waitLayers(page, 8);
    assert.equal(await items.count(), 8);
    const ids = fixtureShortIds('layered');
    // The diagram is drawn top first.
    for (let i = 0; i < 8; i++) {
      assert.match(await items.nth(i).innerText(), new RegExp(ids[7 - i]), `layer ${7 - i}`);
    }
    const want = golden('layered.merged.txt');
    assert.equal(await downloadListing(page), want);
    // The tree shows the merged entries (a window of them), every one a golden path.
    const tree = page.getByRole('tree', { name: 'Files' });
    await tree.getByRole('treeitem').first().waitFor();
    const shown = await visiblePaths(page);
    const all = new Set(goldenPaths(want));
    assert.ok(shown.length >= 30, `only ${shown.length} rows drawn`);
    for (const p of shown) assert.ok(all.has(p), `${p} is not in the golden`);
    assert.equal(new Set(shown).size, Math.min(all.size, shown.length));
    await page.getByText(`${all.size} entries`, { exact: true }).waitFor();
    await shot(page, 'layered-picker');

    // Switch the top layer off, then the one below: the merged view is the golden of the first N.
    await page.getByRole('checkbox', { name: new RegExp(`Use layer L7 ${ids[7]}`) }).uncheck();
    assert.equal(await downloadListing(page), golden('by-layer/layered.L7.merged.txt'));
    await page.getByRole('checkbox', { name: new RegExp(`Use layer L6 ${ids[6]}`) }).uncheck();
    assert.equal(await downloadListing(page), golden('by-layer/layered.L6.merged.txt'));
    await shot(page, 'layered-two-off');
    // On again.
    await page.getByRole('checkbox', { name: new RegExp(`Use layer L7 ${ids[7]}`) }).check();
    await page.getByRole('checkbox', { name: new RegExp(`Use layer L6 ${ids[6]}`) }).check();
    assert.equal(await downloadListing(page), want);
    assert.deepEqual(t.errors, []);
    assert.deepEqual(t.offOrigin, []);
  } finally {
    await t.close();
  }
});

test('sibling.docker.tar by a simulated drop: layers and listing match; the orphan whiteout is a warning', async () => {
  const t = await start();
  try {
    const { page } = t;
    await openWithDrop(page, gen('sibling.docker.tar'));
    const items = await waitLayers(page, 4);
    const ids = fixtureShortIds('sibling');
    for (let i = 0; i < 4; i++) assert.match(await items.nth(i).innerText(), new RegExp(ids[3 - i]));
    assert.equal(await downloadListing(page), golden('sibling.merged.txt'));
    await page.getByText(/whiteout under a path this layer made a file/).first().waitFor();
    await shot(page, 'sibling-drop');
  } finally {
    await t.close();
  }
});

test('a bare gzip layer (layered layer 0) through the picker', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-'));
  const ids = fixtureShortIds('layered');
  const member = execFileSync('tar', ['-tf', gen('layered.docker.tar')], { encoding: 'utf8' })
    .split('\n').find((m) => m.includes(ids[0]) && !m.endsWith('/'));
  const raw = execFileSync('tar', ['-xOf', gen('layered.docker.tar'), member], { maxBuffer: 1 << 28 });
  const file = path.join(tmp, 'layer0.tar.gz');
  fs.writeFileSync(file, zlib.gzipSync(raw));
  const t = await start();
  try {
    const { page } = t;
    await openWithPicker(page, file);
    const items = await waitLayers(page, 1);
    assert.match(await items.first().innerText(), new RegExp(ids[0]));
    assert.equal(await downloadListing(page), golden('by-layer/layered.L1.merged.txt'));
  } finally {
    await t.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('bad input: one sentence naming the file (not a tar, truncated, empty)', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-'));
  fs.writeFileSync(path.join(tmp, 'hello.txt'), 'hello world, not a tar\n'.repeat(40));
  fs.writeFileSync(path.join(tmp, 'cut.docker.tar'), fs.readFileSync(gen('sibling.docker.tar')).subarray(0, 30000));
  fs.writeFileSync(path.join(tmp, 'empty.tar'), Buffer.alloc(0));
  const t = await start();
  try {
    const { page } = t;
    const notices = page.locator('.notice.error');
    await openWithPicker(page, path.join(tmp, 'hello.txt'));
    await notices.nth(0).waitFor();
    assert.match(await notices.nth(0).innerText(), /^hello\.txt: this is not a tar archive, nor a gzip or zstd stream/);
    await openWithPicker(page, path.join(tmp, 'cut.docker.tar'));
    await notices.nth(1).waitFor();
    assert.match(await notices.nth(1).innerText(), /^cut\.docker\.tar, .*entry '.*31dbd3b1180a.*\.tar': .*6144 bytes/);
    await openWithPicker(page, path.join(tmp, 'empty.tar'));
    await notices.nth(2).waitFor();
    assert.match(await notices.nth(2).innerText(), /^empty\.tar: the file is empty/);
    assert.equal(await page.getByRole('list', { name: 'Layers' }).getByRole('listitem').count(), 0); // not even the container layer
    // In 简体中文 the same sentences are said in Chinese, the place they name too.
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByText('hello.txt：这既不是 tar 归档，也不是 gzip 或 zstd 流', { exact: false }).waitFor();
    assert.match(await notices.nth(1).innerText(), /^cut\.docker\.tar，.*条目 '.*31dbd3b1180a.*\.tar'：.*6144 字节/);
    assert.match(await notices.nth(2).innerText(), /^empty\.tar：文件是空的/);
    await shot(page, 'bad-input-zh');
    await page.getByLabel('Language').selectOption('en');
    await page.getByText('hello.txt: this is not a tar archive', { exact: false }).waitFor();
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

// The page opens compressed layers without hashing their files; the first listing hashes them
// (one pass per layer), and the button says so until the download comes. A 66 MB gzip layer
// (tar.mjs's writeGzipLayer, 120 files) keeps it busy long enough to see; the listing's digests
// are the files' SHA-256 as node computes it.
test('a listing of a gzip layer opened without file digests: the button says it is preparing, the digests are the files\' SHA-256', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-'));
  const t = await start();
  try {
    const layer = path.join(tmp, 'layer.tar.gz');
    const sums = writeGzipLayer(layer, 120);
    const { page } = t;
    await page.getByLabel('Verify digests').uncheck();
    await openWithPicker(page, layer);
    await waitLayers(page, 1);
    const [dl] = await Promise.all([
      page.waitForEvent('download', { timeout: 60000 }),
      (async () => {
        await page.getByRole('button', { name: 'Download listing' }).click();
        const busy = page.getByRole('button', { name: 'Preparing the listing…' });
        await busy.waitFor();
        assert.equal(await busy.isDisabled(), true);
        assert.equal(await busy.getAttribute('aria-busy'), 'true');
      })(),
    ]);
    const text = fs.readFileSync(await dl.path(), 'utf8');
    assert.equal(Object.keys(sums).length, 120);
    for (const [name, sum] of Object.entries(sums)) {
      assert.match(text, new RegExp(`^f 0644 0:0 \\d+ ${sum.slice(0, 16)} /${name.replace('.', '\\.')}$`, 'm'), name);
    }
    await page.getByRole('button', { name: 'Download listing' }).waitFor();
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

// A page served over plain http to another machine (a classroom's network) is not a secure
// context: the browser has no crypto.subtle (the page needs none: it hashes in wasm). The
// listing (it holds the files' digests) is the golden's all the same.
test('served off localhost over http (not a secure context): a split open of the gzip archive still gives the golden', async () => {
  for (const verify of [true, false]) {
    const t = await start({ insecure: true, initScript: 'window.layerlabSplitFrom = 0;' });
    const logs = [];
    t.page.on('console', (m) => { if (m.text().startsWith('layerlab:')) logs.push(m.text()); });
    try {
      const { page } = t;
      assert.deepEqual(await page.evaluate(() => [window.isSecureContext, typeof crypto.subtle]), [false, 'undefined']);
      if (!verify) await page.getByLabel('Verify digests').uncheck();
      await openWithPicker(page, gen('layered.oci.tar'));
      await waitLayers(page, 8);
      assert.equal(await downloadListing(page), golden('layered.merged.txt'), `verify=${verify}`);
      assert.ok(logs.some((l) => /opened layered\.oci\.tar .*\(split\)/.test(l)), logs.join(' | '));
      assert.deepEqual(t.errors, []);
    } finally {
      await t.close();
    }
  }
});

// Issue 14, both cores: an archive of several layers is indexed by layer workers (instances of
// the page's worker it starts, one per core), then loaded from their indexes. The samples are
// small, so the test lowers the page's threshold (window.layerlabSplitFrom) to split them. Each
// case gets a fresh browser profile (the page restores what it had open across a reload).
test('split open: layers indexed by layer workers give the goldens, verified and not; a broken layer says what the pass in turn says', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-'));
  const ids = fixtureShortIds('layered');
  const logs = [];
  const fresh = async (split = 0) => {
    const t = await start({ initScript: `window.layerlabSplitFrom = ${split};` });
    t.page.on('console', (m) => { if (m.text().startsWith('layerlab:')) logs.push(m.text()); });
    logs.length = 0;
    return t;
  };
  for (const [file, verify] of [['layered.oci.tar', true], ['layered.oci.tar', false], ['layered.docker.tar', true], ['layered.docker.tar', false]]) {
    const t = await fresh();
    try {
      const { page } = t;
      if (!verify) await page.getByLabel('Verify digests').uncheck();
      await openWithPicker(page, gen(file));
      const items = await waitLayers(page, 8);
      for (let i = 0; i < 8; i++) assert.match(await items.nth(i).innerText(), new RegExp(ids[7 - i]), `${file} layer ${7 - i}`);
      assert.equal(await downloadListing(page), golden('layered.merged.txt'), `${file} verify=${verify}`);
      // Layer workers inflate, hash and walk side by side: an archive of several layers is
      // split, compressed (OCI) or not (docker save), verified or not.
      const split = true;
      assert.equal(logs.some((l) => /2 layer workers started/.test(l)) && logs.some((l) => /splitting the open of .* \(8 layers/.test(l)), split, `${file}: ${logs.join(' | ')}`);
      // Verified, the biggest layer's stream is hashed by the page's worker while a layer
      // worker reads (and inflates) it; a gzip blob's digest is a task of its own: the open
      // checks both.
      if (split) assert.equal(logs.some((l) => /\(8 layers, layer \d's stream hashed here\)/.test(l)), verify, logs.join(' | '));
      assert.equal(logs.some((l) => /opened .* \(split\)/.test(l)), split, `${file} loaded from the layer workers' indexes: ${logs.join(' | ')}`);
      // The layers toggle as ever.
      await page.getByRole('checkbox', { name: new RegExp(`Use layer L7 ${ids[7]}`) }).uncheck();
      assert.equal(await downloadListing(page), golden('by-layer/layered.L7.merged.txt'));
      assert.deepEqual(t.errors, []);
    } finally {
      await t.close();
    }
  }

  // Three bare gzip layers picked at once: each is an open of its own, indexed side by side,
  // stacked in the order picked.
  const members = execFileSync('tar', ['-tf', gen('layered.docker.tar')], { encoding: 'utf8' }).split('\n');
  const files = [0, 1, 2].map((i) => {
    const m = members.find((x) => x.includes(ids[i]) && x.endsWith('.tar'));
    const f = path.join(tmp, `layer${i}.tar.gz`);
    fs.writeFileSync(f, zlib.gzipSync(execFileSync('tar', ['-xOf', gen('layered.docker.tar'), m], { maxBuffer: 1 << 28 })));
    return f;
  });
  let t = await fresh();
  try {
    const { page } = t;
    await openWithPicker(page, files);
    const three = await waitLayers(page, 3);
    for (let i = 0; i < 3; i++) assert.match(await three.nth(i).innerText(), new RegExp(ids[2 - i]), `bare layer ${2 - i}`);
    assert.equal(await downloadListing(page), golden('by-layer/layered.L3.merged.txt'));
    assert.equal(logs.filter((l) => /splitting the open of layer\d\.tar\.gz \(1 layers/.test(l)).length, 3, logs.join(' | '));
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }

  // A gzip layer with a damaged middle: the split open gives the same sentence as the open
  // in turn (the page's threshold raised for the second).
  const bytes = Buffer.from(fs.readFileSync(gen('layered.oci.tar')));
  const big = execFileSync('tar', ['-tvf', gen('layered.oci.tar')], { encoding: 'utf8' }).trim().split('\n')
    .map((l) => l.split(/\s+/)).filter((f) => f[5].startsWith('./blobs/sha256/')).sort((a, b) => b[2] - a[2])[0][5];
  const off = bytes.indexOf(Buffer.from(big.slice(2)));
  assert.ok(off > 0);
  const dataAt = Math.floor(off / 512) * 512 + 512;
  const size = Number(execFileSync('tar', ['-tvf', gen('layered.oci.tar'), big], { encoding: 'utf8' }).split(/\s+/)[2]);
  for (let i = dataAt + Math.floor(size / 2); i < dataAt + Math.floor(size / 2) + 64; i++) bytes[i] ^= 0x5a;
  fs.writeFileSync(path.join(tmp, 'broken.oci.tar'), bytes);
  // What the page says opening `name` split (threshold 0) and in turn (threshold out of reach),
  // checking that only the first is split (its log matches `splitLog`).
  const sayBoth = async (name, splitLog) => {
    const out = [];
    for (const split of [0, 1e15]) {
      const t = await fresh(split);
      try {
        await openWithPicker(t.page, path.join(tmp, name));
        const n = t.page.locator('.notice.error', { hasText: name }).first();
        await n.waitFor();
        out.push(await n.innerText());
        assert.equal(logs.some((l) => splitLog.test(l)), split === 0, logs.join(' | '));
      } finally {
        await t.close();
      }
    }
    return out;
  };
  const said = await sayBoth('broken.oci.tar', /splitting/);
  assert.match(said[0], /^broken\.oci\.tar, layer \d+ \(sha256:[0-9a-f]{12}\), entry 'blobs\/sha256\/[0-9a-f]{64}': /);
  assert.equal(said[0], said[1]);
  // A docker save whose biggest layer has one byte changed inside a file (its headers intact):
  // verified, its stream is hashed by the page's worker while a layer worker reads it, and the
  // split open says what the open in turn says.
  // The same with the byte in the second biggest layer, which a layer worker reads and hashes
  // itself.
  const bySize = execFileSync('tar', ['-tvf', gen('layered.docker.tar')], { encoding: 'utf8' }).trim().split('\n')
    .map((l) => l.split(/\s+/)).filter((f) => f[5].endsWith('.tar')).sort((a, b) => b[2] - a[2]);
  for (const [rank, name] of [[0, 'changed.docker.tar'], [1, 'changed2.docker.tar']]) {
    const saved = Buffer.from(fs.readFileSync(gen('layered.docker.tar')));
    const outer = bySize[rank];
    const memberAt = Math.floor(saved.indexOf(Buffer.from(outer[5])) / 512) * 512 + 512;
    let biggest = null;
    for (let at = memberAt; at < memberAt + Number(outer[2]);) {
      const h = saved.subarray(at, at + 512);
      if (h.every((x) => x === 0)) break;
      const n = parseInt(h.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim() || '0', 8);
      if ((h[156] === 0x30 || h[156] === 0) && (!biggest || n > biggest[1])) biggest = [at + 512, n];
      at += 512 + Math.ceil(n / 512) * 512;
    }
    assert.ok(biggest && biggest[1] > 0);
    saved[biggest[0] + Math.floor(biggest[1] / 2)] ^= 0x01;
    fs.writeFileSync(path.join(tmp, name), saved);
    const changed = await sayBoth(name, new RegExp(`splitting the open of ${name.replace('.', '\\.')} \\(8 layers, layer \\d's stream hashed here\\)`));
    assert.match(changed[0], new RegExp(`^${name.replace('.', '\\.')}, layer \\d+ \\(sha256:[0-9a-f]{12}\\), entry '${outer[5].replace('.', '\\.')}': the uncompressed layer hashes to sha256:[0-9a-f]{64}, but the config's diff_id is sha256:`));
    assert.equal(changed[0], changed[1]);
  }
  // The biggest gzip blob with its gzip header's MTIME changed: the same uncompressed stream
  // (its diff_id holds), another blob digest. Verified and split, that blob's digest is a layer
  // worker's task of its own (its pass hands the stream to the page's worker): the split open
  // says what the open in turn says.
  const stamped = Buffer.from(fs.readFileSync(gen('layered.oci.tar')));
  assert.deepEqual([...stamped.subarray(dataAt, dataAt + 2)], [0x1f, 0x8b]);
  stamped[dataAt + 4] ^= 0x01;
  fs.writeFileSync(path.join(tmp, 'mtime.oci.tar'), stamped);
  const restamped = await sayBoth('mtime.oci.tar', /splitting the open of mtime\.oci\.tar \(8 layers, layer \d's stream hashed here\)/);
  assert.match(restamped[0], /^mtime\.oci\.tar, layer \d+ \(sha256:[0-9a-f]{12}\), entry 'blobs\/sha256\/[0-9a-f]{64}': the layer blob hashes to sha256:[0-9a-f]{64}, but the manifest says sha256:[0-9a-f]{64}/);
  assert.equal(restamped[0], restamped[1]);
  // Picked together with a good archive: the broken one fails in its turn, and the good one
  // after it still opens from the layer workers (a worker busy with the failed open's other
  // layers is handed the next open's when it answers).
  t = await fresh(0);
  try {
    await openWithPicker(t.page, [path.join(tmp, 'broken.oci.tar'), gen('layered.oci.tar')]);
    await t.page.locator('.notice.error').first().waitFor();
    assert.equal(await t.page.locator('.notice.error').first().innerText(), said[0]);
    await waitLayers(t.page, 8);
    assert.equal(await downloadListing(t.page), golden('layered.merged.txt'));
    assert.ok(logs.some((l) => /opened broken\.oci\.tar .*\(in turn, after a layer worker failed\)/.test(l)), logs.join(' | '));
    assert.ok(logs.some((l) => /opened layered\.oci\.tar .*\(split\)/.test(l)), logs.join(' | '));
  } finally {
    await t.close();
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

// Issue 14, reads: a layer worker reads an uncompressed layer as the blob's stream, and an
// unverified walk whose next header lies far past what it has read (more than 8 MiB of
// contents between) reads on from a new stream there. A bare layer made by GNU tar (POSIX
// format: a PAX record for a long name right after a big file) with two such jumps: split or
// in turn, verified or not, the page lists the same entries, and GNU tar's.
test('an uncompressed layer with big files: a split walk in pieces that read on from new streams lists what the walk in turn lists', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-'));
  const root = path.join(tmp, 'root');
  const long = 'c-' + 'long-name-'.repeat(12) + 'end.txt';
  const files = [['a/one.txt', 10], ['a/two.txt', 700], ['b-big.bin', 20 << 20], [long, 33], ['d/three.txt', 5000], ['e-big.bin', 12 << 20], ['f.txt', 1]];
  for (const [name, size] of files) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), Buffer.alloc(size, name.length));
  }
  const layer = path.join(tmp, 'big-files.tar');
  execFileSync('tar', ['--format=posix', '--sort=name', '--mtime=2024-01-01', '--owner=0', '--group=0', '-cf', layer, '-C', root, '.']);
  const gnu = execFileSync('tar', ['-tf', layer], { encoding: 'utf8' }).trim().split('\n').map((n) => n.replace(/^\.\/?/, '').replace(/\/$/, '')).filter(Boolean).sort();
  const listings = [];
  try {
    // Last, split with every stream stalling at once (`layerlabStallMs` 0 in the layer
    // workers): the pass falls back to readAsArrayBuffer slices after its first stream.
    for (const [split, verify, stall] of [[0, false, false], [0, true, false], [1e15, false, false], [0, false, true]]) {
      const logs = [];
      const t = await start({ initScript: `window.layerlabSplitFrom = ${split};` });
      t.page.on('console', (m) => { if (m.text().startsWith('layerlab:')) logs.push(m.text()); });
      const workers = [];
      t.page.on('worker', (w) => workers.push(w));
      try {
        if (!verify) await t.page.getByLabel('Verify digests').uncheck();
        if (stall) {
          // The click starts the layer workers while the chooser is open.
          const chooser = t.page.waitForEvent('filechooser');
          await t.page.getByText('Open image archive', { exact: true }).click();
          const picker = await chooser;
          for (let i = 0; i < 100 && workers.filter((w) => /layer-worker/.test(w.url())).length < 2; i++) await t.page.waitForTimeout(50);
          const lw = workers.filter((w) => /layer-worker/.test(w.url()));
          assert.equal(lw.length, 2, workers.map((w) => w.url()).join(' '));
          for (const w of lw) await w.evaluate(() => { globalThis.layerlabStallMs = 0; });
          await picker.setFiles(layer);
        } else await openWithPicker(t.page, layer);
        await waitLayers(t.page, 1);
        const listing = await downloadListing(t.page);
        listings.push(listing);
        assert.deepEqual(goldenPaths(listing).map((p) => p.replace(/^\//, '')).filter(Boolean).sort(), gnu, `split ${split} verify ${verify}`);
        // Split and not verified, the layer (32 MiB, more than its share of the two workers'
        // work) is walked in three pieces side by side, each from its own stream, a piece
        // that meets a big file reading on from a new stream after it; the verified pass
        // reads every byte from one stream. Stalling, each piece falls back after its first.
        const pass = logs.find((l) => /big-files\.tar layer 0: its pass/.test(l));
        const pieces = logs.filter((l) => /big-files\.tar layer 0 piece \d: its pass/.test(l));
        const streams = pieces.reduce((n, l) => n + Number(/ in (\d+) streams?$/.exec(l)?.[1] ?? NaN), 0);
        if (split === 0 && verify) assert.match(pass || '', / in 1 stream, waited/, logs.join(' | '));
        else if (split === 0) {
          assert.equal(pass, undefined, logs.join(' | '));
          assert.ok(logs.some((l) => /big-files\.tar layer 0: its 3 pieces joined/.test(l)), logs.join(' | '));
          assert.equal(pieces.length, 3, logs.join(' | '));
          if (stall) assert.equal(streams, 3, logs.join(' | '));
          else assert.ok(streams >= 4, logs.join(' | '));
        } else assert.equal(pass, undefined, logs.join(' | '));
        assert.deepEqual(t.errors, []);
      } finally {
        await t.close();
      }
    }
    assert.equal(listings[0], listings[2]);
    assert.equal(listings[1], listings[2]);
    assert.equal(listings[3], listings[2]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

// The layer workers' read loop of a stream slice (www/js/stream-fill.js), on byte streams
// made here: it fills one buffer from several chunks up to what is enough, stops short at the
// stream's end, and gives up at its deadline on a stream that stalls (the pass then reads
// that slice with readAsArrayBuffer: the test above, stalling).
test('a stream slice is filled from several chunks, ends with its stream, and gives up on a stream that stalls', async () => {
  const t = await start();
  try {
    await t.page.addScriptTag({ url: 'js/stream-fill.js' });
    const got = await t.page.evaluate(async () => {
      // A byte stream handing `chunks` bytes per pull, `n` pulls, then closing (or, `n`
      // pulls past, never answering again).
      const stream = (chunk, n, close) => {
        let k = 0;
        return new ReadableStream({
          type: 'bytes',
          pull(c) {
            if (k === n) {
              if (close) {
                c.close();
                c.byobRequest?.respond(0);
              }
              return new Promise(() => {});
            }
            const v = c.byobRequest.view;
            const m = Math.min(chunk, v.byteLength);
            for (let i = 0; i < m; i++) v[i] = (k + i) & 255;
            k++;
            c.byobRequest.respond(m);
          },
        }).getReader({ mode: 'byob' });
      };
      const fill = self.layerlabStreamFill.fill;
      const out = {};
      // 100 KiB wanted, 64 KiB enough, 10 KiB a chunk: seven chunks, 70 KiB.
      let a = await fill(stream(10240, 50, true), new ArrayBuffer(102400), 102400, 65536, 5000);
      out.enough = [a.byteLength, a.buffer.byteLength, a[10240], a[10241]];
      // The stream ends after 3 chunks: what it gave.
      a = await fill(stream(1000, 3, true), new ArrayBuffer(65536), 65536, 65536, 5000);
      out.ended = a.byteLength;
      // A stream that stops answering: nothing, after the deadline.
      const t0 = performance.now();
      a = await fill(stream(1000, 2, false), new ArrayBuffer(65536), 65536, 65536, 300);
      out.stalled = [a === undefined, performance.now() - t0 >= 290];
      return out;
    });
    assert.deepEqual(got, { enough: [71680, 102400, 1, 2], ended: 3000, stalled: [true, true] });
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});

test('a click on "Open image archive" starts the layer workers while the file is chosen; they serve a big open and end with it', async () => {
  const ids = fixtureShortIds('layered');
  const t = await start();
  const logs = [];
  t.page.on('console', (m) => { if (m.text().startsWith('layerlab:')) logs.push(m.text()); });
  const started = () => logs.filter((l) => /layer workers started/.test(l)).length;
  // Through the browser's file chooser, as a person picks a file.
  const pick = async (file) => {
    const chooser = t.page.waitForEvent('filechooser');
    await t.page.getByText('Open image archive', { exact: true }).click();
    const c = await chooser;
    return c.setFiles(file);
  };
  try {
    const { page } = t;
    // The click starts them before any file is picked.
    const chooser = page.waitForEvent('filechooser');
    await page.getByText('Open image archive', { exact: true }).click();
    const c = await chooser;
    await expectSoon(() => started() === 1, () => `no layer workers after the click: ${logs.join(' | ')}`);
    // A small archive (under the split threshold) still opens in the page's worker, and the
    // page's later requests are answered while the started workers wait.
    await c.setFiles(gen('layered.docker.tar'));
    await waitLayers(page, 8);
    assert.ok(!logs.some((l) => /splitting the open/.test(l)), logs.join(' | '));
    await page.getByRole('checkbox', { name: new RegExp(`Use layer L7 ${ids[7]}`) }).uncheck();
    assert.equal(await downloadListing(page), golden('by-layer/layered.L7.merged.txt'));
    await page.getByRole('checkbox', { name: new RegExp(`Use layer L7 ${ids[7]}`) }).check();
    // A big one (here: any, with the threshold at 0) is split over the workers already
    // running: none are started again.
    await page.evaluate(() => { window.layerlabSplitFrom = 0; });
    await pick(gen('layered.oci.tar'));
    await expectSoon(() => logs.some((l) => /opened layered\.oci\.tar in \d+ ms \(split\)/.test(l)), () => logs.join(' | '));
    await page.waitForFunction(() => !document.querySelector('.jobs'));
    assert.equal(started(), 1, logs.join(' | '));
    // They ended with it (their memory with them): files dragged over the page start new ones.
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['x'], 'x.tar'));
      (document.querySelector('main') || document.body).dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await expectSoon(() => started() === 2, () => `no layer workers after a drag: ${logs.join(' | ')}`);
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});

// The click on "Open image archive" (or files dragged over the page) starts the layer workers;
// the first of them then runs the uncompressed pass's code ahead, whole and in two pieces, over a
// made-up layer of 4000 files (layer_worker::warm_up), so the browser has compiled it before a
// file comes. A file picked once it is done, or at once while it may still run (it stops for
// the job), opens split over the workers as the kernel golden says.
test('the first layer worker runs the pass ahead on a made-up layer while the file is chosen; a file picked during or after it gives the golden', async () => {
  for (const wait of [true, false]) {
    const t = await start({ initScript: 'window.layerlabSplitFrom = 0;' });
    const logs = [];
    t.page.on('console', (m) => { if (m.text().startsWith('layerlab:')) logs.push(m.text()); });
    const warm = () => logs.filter((l) => /warm-up/.test(l));
    try {
      const { page } = t;
      await page.getByLabel('Verify digests').uncheck();
      const chooser = page.waitForEvent('filechooser');
      await page.getByText('Open image archive', { exact: true }).click();
      const c = await chooser;
      if (wait) {
        // Four rounds of three passes, none failed, none stopped: the whole layer, its first
        // piece (which walks on past its end, as pieces do, over this small layer to its end)
        // and the second.
        await expectSoon(() => warm().length > 0, () => `no warm-up: ${logs.join(' | ')}`, 30000);
        assert.match(warm()[0], /^layerlab: warm-up: 12 passes \(((4000, 4000, 2000)(, )?){4} entries\) in \d+ ms$/, logs.join(' | '));
      }
      await c.setFiles(gen('layered.docker.tar'));
      await waitLayers(page, 8);
      assert.ok(logs.some((l) => /opened layered\.docker\.tar in \d+ ms \(split\)/.test(l)), logs.join(' | '));
      assert.equal(await downloadListing(page), golden('layered.merged.txt'));
      // One worker warms them all (the compiled code is the page's), once.
      await page.waitForTimeout(300);
      assert.ok(warm().length <= 1, logs.join(' | '));
      assert.ok(!warm().some((l) => /failed/.test(l)), logs.join(' | '));
      assert.deepEqual(t.errors, []);
    } finally {
      await t.close();
    }
  }
});

async function expectSoon(ok, why, ms = 10000) {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) assert.fail(why());
    await new Promise((r) => setTimeout(r, 20));
  }
}
