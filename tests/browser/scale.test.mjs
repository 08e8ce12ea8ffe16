// Big inputs: 100k entries stay virtualized; a long open shows progress and can be cancelled
// without losing what was already open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start, openWithPicker, waitLayers, layerItems, downloadListing, shot, visiblePaths } from './helpers.mjs';
import { writeManyEntries, writeBigFile, writeGzipLayer } from './tar.mjs';

test('100k entries: the tree draws only a window and scrolls to the end', async () => {
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
    const drawn = await page.locator('[role=treeitem]').count();
    assert.ok(drawn > 20 && drawn < 600, `${drawn} rows drawn`);
    await page.getByRole('tree', { name: 'Files' }).evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await page.locator('[role=treeitem][data-path="/data/d0399/f0249.txt"]').waitFor();
    assert.ok((await page.locator('[role=treeitem]').count()) < 600);
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
