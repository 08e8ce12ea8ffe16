// The page's accessible names, the theme following the system, and no request leaving the origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, waitLayers, shot } from './helpers.mjs';

test('accessible names are in place (including the container module placeholders)', async () => {
  const t = await start();
  try {
    const { page } = t;
    await page.getByLabel('Open image archive').waitFor({ state: 'attached' });
    await page.getByRole('tree', { name: 'Files' }).waitFor();
    await page.getByRole('list', { name: 'Layers' }).waitFor({ state: 'attached' });
    await page.getByRole('textbox', { name: 'Container shell' }).waitFor();
    await page.getByRole('region', { name: 'Shell output' }).waitFor();
    await page.getByRole('log', { name: 'Events' }).waitFor({ state: 'attached' });
    // Everything is reachable by keyboard: the picker first.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'open-file');
  } finally {
    await t.close();
  }
});

test('dark theme follows the system', async () => {
  const t = await start({ colorScheme: 'dark' });
  try {
    const { page } = t;
    await page.getByRole('button', { name: 'webapp:1.0' }).click();
    await waitLayers(page, 7);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 120, `body background ${bg} is not dark`);
    await page.locator('[role=treeitem][data-path="/app/server.py"]').click();
    await page.getByLabel('File content').waitFor();
    await shot(page, 'dark');
    assert.deepEqual(t.offOrigin, []);
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});
