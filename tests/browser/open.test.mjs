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
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
