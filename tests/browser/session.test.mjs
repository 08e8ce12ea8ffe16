// The session survives a reload (IndexedDB, with the user's file) and travels in the URL
// fragment when it is made of samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { start, openWithPicker, waitLayers, downloadListing, fixtureShortIds, golden, shot, FIXTURES } from './helpers.mjs';

test('reload: the archives, the stack and the view come back', async () => {
  const t = await start();
  try {
    const { page } = t;
    await openWithPicker(page, path.join(FIXTURES, 'generated', 'layered.docker.tar'));
    await waitLayers(page, 8);
    const ids = fixtureShortIds('layered');
    await page.getByRole('checkbox', { name: new RegExp(`Use layer L7 ${ids[7]}`) }).uncheck();
    assert.equal(await downloadListing(page), golden('by-layer/layered.L7.merged.txt'));
    await page.getByRole('searchbox', { name: 'Filter by name' }).fill('etc');
    await page.waitForTimeout(300); // the session is saved asynchronously
    await page.reload();
    await page.getByText('worker ready').waitFor();
    await waitLayers(page, 8);
    await page.getByRole('checkbox', { name: new RegExp(`Use layer L7 ${ids[7]}`) }).waitFor();
    assert.equal(await page.getByRole('checkbox', { name: new RegExp(`Use layer L7 ${ids[7]}`) }).isChecked(), false);
    assert.equal(await page.getByRole('searchbox', { name: 'Filter by name' }).inputValue(), 'etc');
    assert.equal(await downloadListing(page), golden('by-layer/layered.L7.merged.txt'));
    await shot(page, 'reloaded');
  } finally {
    await t.close();
  }
});

test('samples: the state is in the URL fragment, and a fresh browser opening the link sees it', async () => {
  const t = await start();
  let url;
  let want;
  try {
    const { page } = t;
    await page.getByRole('button', { name: 'worker:1.0' }).click();
    const items = await waitLayers(page, 3);
    await items.nth(0).getByRole('checkbox').uncheck(); // the top layer (L2) off
    await page.waitForFunction(() => location.hash.includes('stack=0.0,0.1,-0.2'));
    url = page.url();
    want = await downloadListing(page);
    assert.doesNotMatch(want, /worker\.py/);
  } finally {
    await t.close();
  }
  const t2 = await start();
  try {
    const { page } = t2;
    await page.goto('about:blank');
    await page.goto(t2.base + new URL(url).hash);
    await waitLayers(page, 3);
    await page.waitForFunction(() => document.querySelectorAll('.layer.off').length === 1);
    assert.equal(await downloadListing(page), want);
  } finally {
    await t2.close();
  }
});
