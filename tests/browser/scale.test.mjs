// Big inputs: 100k entries stay virtualized; a long open shows progress and can be cancelled
// without losing what was already open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start, openWithPicker, waitLayers, layerItems, downloadListing, shot, visiblePaths } from './helpers.mjs';
import { writeManyEntries, writeBigFile, writeGzipLayer } from './tar.mjs';

test('100k entries: the tree draws the rows in view and a margin, scrolls to the end, fills a taller window', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-'));
  const file = path.join(tmp, 'many.tar');
  writeManyEntries(file, 400, 250); // 400 dirs + 100k files
  const t = await start();
  try {
    const { page } = t;
    await openWithPicker(page, file);
    await waitLayers(page, 1);
    // root + /data + 400 dirs + 100k files
    await page.getByText('100402 entries', { exact: true }).waitFor();
    const tree = page.getByRole('tree', { name: 'Files' });
    // Every row the view shows is drawn (none missing), and at most 30 more (10 above and
    // below, the first rounded down to 10): rows are 24 px high.
    const covered = () => tree.evaluate((el) => {
      const first = Math.floor(el.scrollTop / 24);
      const last = Math.min(Math.ceil((el.scrollTop + el.clientHeight) / 24), Number(el.querySelector('[role=treeitem]')?.getAttribute('aria-setsize') ?? 0));
      const drawn = new Set([...el.querySelectorAll('[role=treeitem]')].map((r) => Number(r.getAttribute('aria-posinset')) - 1));
      const missing = [];
      for (let i = first; i < last; i++) if (!drawn.has(i)) missing.push(i);
      return { missing, drawn: drawn.size, shown: last - first };
    });
    // Checked once the view has settled (a scroll's rows come back from the worker, a resize
    // is measured after it): up to 5 s on a loaded box.
    const settled = async (what) => {
      let c;
      for (let i = 0; i < 250; i++) {
        c = await covered();
        if (c.missing.length === 0 && c.drawn > 0 && c.drawn <= c.shown + 30) break;
        await page.waitForTimeout(20);
      }
      assert.deepEqual(c.missing, [], `${what}: rows shown but not drawn`);
      assert.ok(c.drawn > 0 && c.drawn <= c.shown + 30, `${what}: ${c.drawn} rows drawn for ${c.shown} shown`);
      return c;
    };
    await settled('at the top');
    // Scrolled a few rows at a time, as a wheel does, then far.
    for (const rows of [3, 7, 12, 25, 61, 200, 5000]) {
      await tree.evaluate((el, y) => { el.scrollTop = y; }, rows * 24);
      await settled(`scrolled to row ${rows}`);
    }
    // A taller window shows more rows: they are drawn without a scroll.
    const before = (await covered()).shown;
    await page.setViewportSize({ width: 1280, height: 1400 });
    const taller = await settled('in a taller window');
    assert.ok(taller.shown > before, `${taller.shown} rows shown, ${before} before`);
    await tree.evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await page.locator('[role=treeitem][data-path="/data/d0399/f0249.txt"]').waitFor();
    await settled('at the end');
    await shot(page, 'many-entries-bottom');
  } finally {
    await t.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('a long open shows progress and cancels; archives already open stay', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-'));
  const file = path.join(tmp, 'big.tar');
  writeBigFile(file, 3 * 1024 * 1024 * 1024); // 3 GiB, hashed in full when verifying
  const t = await start();
  try {
    const { page } = t;
    await page.getByRole('button', { name: 'worker:1.0' }).click();
    await waitLayers(page, 3);
    await openWithPicker(page, file);
    const bar = page.getByRole('progressbar', { name: 'Opening big.tar' });
    await bar.waitFor();
    // Progress moves while the page stays responsive.
    await page.waitForFunction(() => Number(document.querySelector('progress')?.value) > 0);
    await shot(page, 'progress');
    await page.getByRole('button', { name: 'Cancel opening big.tar' }).click();
    await page.getByText('big.tar: opening cancelled').waitFor();
    assert.equal(await bar.count(), 0);
    // The restarted worker has the earlier archive again: same layers, same merged view.
    const listing = await downloadListing(page);
    assert.match(listing, /\/app\/worker\.py$/m);
    assert.equal(await layerItems(page).count(), 3);
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('a big gzip layer, not verified, opens in pieces on both cores: whole tree, files readable', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-'));
  const file = path.join(tmp, 'pieces.tar.gz');
  const names = writeGzipLayer(file, 100);
  const gz = fs.statSync(file).size;
  assert.ok(gz > 32 * 1024 * 1024, `${gz} bytes`); // over two 16 MiB pieces' worth
  const t = await start();
  const logs = [];
  t.page.on('console', (m) => { if (m.text().startsWith('layerlab:')) logs.push(m.text()); });
  try {
    const { page } = t;
    await page.getByLabel('Verify digests').uncheck();
    await openWithPicker(page, file);
    await waitLayers(page, 1);
    // root + data + 4 directories + 100 files
    await page.getByText('106 entries', { exact: true }).waitFor();
    const planned = logs.map((l) => l.match(/pieces\.tar\.gz layer 0: (\d+) pieces \(planned in \d+ ms\)$/)).find(Boolean);
    assert.ok(planned && Number(planned[1]) >= 2, logs.join(' | '));
    assert.ok(logs.some((l) => l.includes(`pieces.tar.gz layer 0: its ${planned[1]} pieces joined`)), logs.join(' | '));
    assert.ok(!logs.some((l) => l.includes('indexed in one pass')), logs.join(' | '));
    const listing = await downloadListing(page);
    // Every file, with the digest its piece computed (its first 16 hex digits, as listed).
    for (const [n, digest] of Object.entries(names)) {
      assert.match(listing, new RegExp(`^f 0644 0:0 \\d+ ${digest.slice(0, 16)} /${n.replace(/\./g, '\\.')}$`, 'm'), n);
    }
    // A file in the last piece reads through that piece's checkpoints.
    const last = Object.keys(names).pop();
    await page.getByRole('searchbox', { name: 'Filter by name' }).fill(last.slice(last.lastIndexOf('/') + 1));
    await page.locator(`[role=treeitem][data-path="/${last}"]`).click();
    await page.locator('pre.text').getByText(`this is ${last}`).waitFor();
    await shot(page, 'gzip-pieces');
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
