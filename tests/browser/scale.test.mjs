// Big inputs: 100k entries stay virtualized; a long open shows progress and can be cancelled
// without losing what was already open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start, openWithPicker, waitLayers, layerItems, downloadListing, shot, visiblePaths } from './helpers.mjs';
import { writeManyEntries, writeBigFile } from './tar.mjs';

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
