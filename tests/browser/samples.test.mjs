// The bundled samples: their stories show in the page (whiteouts, opaque dir, wasted space,
// shared layers); a layer's own view; the file viewer (text, hex, download); the keyboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { start, waitLayers, layerItems, downloadListing, shot, visiblePaths } from './helpers.mjs';

const pathsOf = (listing) => listing.trim().split('\n').map((l) => l.split(' ')[5]);

test('webapp sample: the merged view tells the stories', async () => {
  const t = await start();
  try {
    const { page } = t;
    await page.getByRole('button', { name: 'webapp:1.0' }).click();
    const items = await waitLayers(page, 7);
    assert.equal(await items.count(), 7);
    const listing = await downloadListing(page);
    const paths = pathsOf(listing);
    // Deleted by whiteouts in L3.
    assert.ok(!paths.includes('/etc/motd') && !paths.includes('/tmp/build.log'));
    // /app/static replaced wholesale (opaque) in L4: logo.png is gone, app.js is new.
    assert.ok(!paths.includes('/app/static/logo.png') && paths.includes('/app/static/app.js'));
    // Hardlinks and symlinks of the base layer.
    assert.match(listing, /^f 0755 0:0 12288 \S+ \/usr\/bin\/python3 nlink=2$/m);
    assert.match(listing, /^l 0777 0:0 - - \/usr\/bin\/python -> python3$/m);
    // The big file: the top version, 1 MiB, over the lower one.
    assert.match(listing, /^f 0644 0:0 1048576 \S+ \/data\/model\.bin$/m);
    const row = page.locator('[role=treeitem][data-path="/data/model.bin"]');
    assert.match(await row.innerText(), /L6[\s\S]*over L5/);
    // Its viewer names the hidden lower version: the wasted megabyte.
    await row.click();
    await page.getByText('Hides lower versions:').waitFor();
    assert.match(await page.locator('.lower').innerText(), /L5 1\.0 MiB[\s\S]*1\.0 MiB still stored in the image but unreachable/);
    // docker history: the empty layers are listed too.
    await page.getByText('docker history', { exact: true }).click();
    const hist = page.locator('table.history tbody tr');
    assert.equal(await hist.count(), 10);
    // CREATED reads like docker history ("2 years ago"), the exact time in its tooltip.
    const created = hist.first().locator('td').nth(1);
    assert.match(await created.innerText(), /^\d+ (years|months|weeks|days) ago$/);
    assert.match(await created.getAttribute('title'), /^\d{4}-\d\d-\d\dT/);
    await shot(page, 'webapp-sample');
    assert.deepEqual(t.errors, []);
    assert.deepEqual(t.offOrigin, []);
  } finally {
    await t.close();
  }
});

test("a layer's own changes: whiteouts as D, filter by change type, sort by size", async () => {
  const t = await start();
  try {
    const { page } = t;
    await page.getByRole('button', { name: 'webapp:1.0' }).click();
    const items = await waitLayers(page, 7);
    // L3 is the fourth item from the bottom (items are drawn top first).
    await items.nth(3).locator('.layer-main').click();
    await page.getByRole('heading', { name: /Layer L3 .* its own changes/ }).waitFor();
    await page.getByLabel('Change type').selectOption('D');
    await page.waitForFunction(() => document.querySelectorAll('[role=treeitem]').length === 2);
    assert.deepEqual((await visiblePaths(page)).sort(), ['/etc/motd', '/tmp/build.log']);
    assert.match(await page.locator('[role=treeitem]').first().innerText(), /whiteout/);
    await shot(page, 'layer-own-changes');
    // Back to the merged view, largest first.
    await page.getByRole('button', { name: /Merged view/ }).click();
    await page.getByLabel('Change type').selectOption('');
    await page.getByLabel('Sort').selectOption('size');
    await page.waitForFunction(() => document.querySelector('[role=treeitem]')?.dataset.path === '/data/model.bin');
    // Filter by name.
    await page.getByRole('searchbox', { name: 'Filter by name' }).fill('python');
    await page.waitForFunction(() => document.querySelectorAll('[role=treeitem]').length === 3);
    assert.deepEqual((await visiblePaths(page)).sort(), ['/usr/bin/python', '/usr/bin/python3', '/usr/bin/python3.12']);
  } finally {
    await t.close();
  }
});

test('file viewer: text, hex and download; keyboard navigation', async () => {
  const t = await start();
  try {
    const { page } = t;
    await page.getByRole('button', { name: 'webapp:1.0' }).click();
    await waitLayers(page, 7);
    await page.locator('[role=treeitem][data-path="/app/config.yaml"]').click();
    assert.equal(await page.getByLabel('File content').innerText(), 'debug: false\nport: 8080\n');
    await page.locator('[role=treeitem][data-path="/app/static/index.html"]').click();
    await page.getByText('<h1>Hello v2</h1>', { exact: false }).waitFor();
    await page.locator('[role=treeitem][data-path="/bin/dash"]').click();
    const hex = await page.getByLabel('File content (hex)').innerText();
    assert.match(hex, /^00000000  ([0-9a-f]{2} ){8} ([0-9a-f]{2} ){8} /);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download', exact: true }).click()]);
    assert.equal(dl.suggestedFilename(), 'dash');
    assert.equal(fs.statSync(await dl.path()).size, 6 * 1024);
    await shot(page, 'viewer-hex');

    // Keyboard: focus the tree, go down to /app/config.yaml (row 2: / , /app, config.yaml), Enter.
    await page.getByRole('button', { name: 'Close file' }).click();
    const tree = page.getByRole('tree', { name: 'Files' });
    await tree.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    assert.equal(await page.getByLabel('File content').innerText(), 'debug: false\nport: 8080\n');
    // Left folds /app (row 1).
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowLeft');
    await page.locator('[role=treeitem][data-path="/app"][aria-expanded=false]').waitFor();
    assert.ok(!(await visiblePaths(page)).includes('/app/config.yaml'));
  } finally {
    await t.close();
  }
});

test('two images sharing base layers: the shared layers have the same diff_ids', async () => {
  const t = await start();
  try {
    const { page } = t;
    await page.getByRole('button', { name: 'webapp + worker' }).click();
    const items = await waitLayers(page, 8);
    // docker save stores shared layers once: 7 webapp layers + 1 worker-only layer.
    assert.equal(await items.count(), 8);
    await page.getByRole('heading', { name: 'webapp:1.0' }).waitFor();
    await page.getByRole('heading', { name: 'worker:1.0' }).waitFor();
  } finally {
    await t.close();
  }
});

test('reordering layers: moving the top layer below its neighbour changes which model.bin wins', async () => {
  const t = await start();
  try {
    const { page } = t;
    await page.getByRole('button', { name: 'webapp:1.0' }).click();
    await waitLayers(page, 7);
    const line = async () => (await downloadListing(page)).split('\n').find((l) => l.endsWith(' /data/model.bin'));
    const v2 = await line();
    const top = await layerItems(page).first().locator('.short-id').innerText();
    await page.getByRole('button', { name: `Move L6 ${top} down` }).click();
    // The moved layer is now L5, under the v1 layer.
    await page.getByRole('button', { name: `Move L5 ${top} up` }).waitFor();
    const v1 = await line();
    assert.notEqual(v1, v2);
    assert.match(v1, /^f 0644 0:0 1048576 /);
    await page.getByRole('button', { name: `Move L5 ${top} up` }).click();
    assert.equal(await line(), v2);
  } finally {
    await t.close();
  }
});

test('every sample tells its story in the page\'s language', async () => {
  const t = await start();
  try {
    const { page } = t;
    const stories = () => page.locator('.samples button').evaluateAll((bs) => bs.map((b) => [b.textContent, b.title]));
    const index = JSON.parse(fs.readFileSync(new URL('../../www/samples/index.json', import.meta.url), 'utf8'));
    await page.locator('.samples button').first().waitFor();
    // English: the stories the samples were made with.
    assert.deepEqual(await stories(), index.map((s) => [s.title, s.story]));
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByText('worker 已就绪').waitFor();
    const zh = await stories();
    assert.equal(zh.length, index.length);
    for (const [title, story] of zh) assert.match(story, /[\u4e00-\u9fff]/, `${title}: ${story}`);
  } finally {
    await t.close();
  }
});
