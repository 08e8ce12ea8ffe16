// Issue 13 in the page: the "Inspect" button loads the panel (nothing of it is in the first
// load); its inspect worker analyses the opened image. Figures are held to what the core says
// for the same archive (`layerlab analyze --json`) and to dive's own test image (dive's
// Test_Analysis: efficiency 0.9844212134184309, wasted 32025 bytes); the "Deleted but shipped"
// view shows the bytes GNU tar extracts from the layer that still ships them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, execSync, spawnSync } from 'node:child_process';
import { start, openWithPicker, waitLayers, shot, FIXTURES, ROOT } from './helpers.mjs';

const LAYERED = path.join(FIXTURES, 'generated/layered.docker.tar');
const DIVE = path.join(FIXTURES, 'public/dive/test-docker-image.tar');

function bin() {
  if (process.env.LAYERLAB_BIN) return process.env.LAYERLAB_BIN;
  const cands = ['debug', 'release'].map((p) => path.join(ROOT, 'target', p, 'layerlab')).filter((p) => fs.existsSync(p));
  cands.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  assert.ok(cands.length, 'build layerlab first (cargo build --bin layerlab)');
  return cands[0];
}
const analyze = (f) => JSON.parse(execFileSync(bin(), ['analyze', f, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 }));
const pct = (r) => `${(r * 100).toFixed(4)} %`;

test('inspect: efficiency, wasted space and deleted-but-shipped files of layered, then dive\'s test image', async () => {
  const want = analyze(LAYERED);
  const t = await start({ width: 1400, height: 1000 });
  try {
    const { page } = t;
    await openWithPicker(page, [LAYERED]);
    await waitLayers(page, 8);
    const lazy = () => page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /panels-ui|inspect-worker/.test(n)));
    assert.deepEqual(await lazy(), [], 'the panel and its worker are not in the first load');
    await page.getByRole('button', { name: 'Inspect', exact: true }).click();

    const eff = page.getByRole('region', { name: 'Efficiency', exact: true });
    await eff.waitFor();
    const fig = (k) => eff.locator(`dd[data-k=${k}]`);
    assert.equal(await fig('score').innerText(), pct(want.dive.efficiency));
    assert.equal(await fig('user-wasted').innerText(), pct(want.dive.user_wasted_percent));
    assert.equal(await fig('dive-wasted').getAttribute('title'), `${want.dive.wasted_bytes} bytes`);
    assert.equal(await fig('exact-wasted').getAttribute('title'), `${want.wasted_bytes} bytes`);
    assert.equal(want.wasted_bytes, 5243285, 'the exact figure of tests/analysis.rs');

    // Path by path: one row per hidden file, with its reason.
    const table = page.getByRole('table', { name: 'Wasted space', exact: true });
    const rows = table.locator('tbody tr');
    assert.equal(await rows.count(), want.hidden.length);
    const row = (p) => rows.filter({ has: page.locator('code', { hasText: new RegExp(`^${p.replace(/[.]/g, '\\.')}$`) }) });
    assert.match(await row('/data/big.bin').innerText(), /in layer 4, replaced by layer 5; 5\.243MB shipped for nothing/);
    assert.match(await row('/etc/perm.sh').innerText(), /re-added unchanged by layer \d+ \(a metadata-only change/);
    assert.match(await row('/srv/www/index.html').innerText(), /hidden by an opaque directory in layer \d+/);
    assert.match(await row('/etc/motd').innerText(), /deleted by layer \d+/);

    // Deleted but shipped: /etc/motd's bytes, as GNU tar extracts them from layer 0.
    const dbs = page.getByRole('region', { name: 'Deleted but shipped', exact: true });
    await dbs.getByRole('button', { name: 'View /etc/motd as shipped' }).click();
    const manifest = JSON.parse(execFileSync('tar', ['-xOf', LAYERED, 'manifest.json'], { encoding: 'utf8' }));
    const motd = execSync(`tar -xOf ${LAYERED} ${manifest[0].Layers[0]} | tar -xOf - etc/motd`, { encoding: 'utf8' });
    const pre = dbs.getByLabel('Content of /etc/motd');
    await pre.waitFor();
    assert.equal(await pre.textContent(), motd);
    await eff.scrollIntoViewIfNeeded();
    await shot(page, 'inspect-layered');

    // Compare images: layered against sibling (the core's counts; two shared layers), then
    // layered.oci.tar against its zstd copy: identical content, different compression.
    await openWithPicker(page, [path.join(FIXTURES, 'generated/sibling.docker.tar')]);
    const cmp = page.getByRole('region', { name: 'Compare images', exact: true });
    const run = spawnSync(bin(), ['diff', LAYERED, path.join(FIXTURES, 'generated/sibling.docker.tar'), '--json'], { encoding: 'utf8' });
    assert.equal(run.status, 1, 'diff(1): they differ');
    const diff = JSON.parse(run.stdout);
    await cmp.getByLabel('Compare with').selectOption({ label: 'sibling.docker.tar' });
    await cmp.getByRole('status').getByText('Different.').waitFor();
    assert.match(await cmp.innerText(), /2 bottom layers shared \(same ChainID\); the stacks diverge at layer 2\./);
    const filters = cmp.getByRole('group', { name: 'Show' });
    assert.equal(await filters.getByLabel(`added (${diff.files.added.length})`).isChecked(), true);
    await filters.getByLabel(`modified (${diff.files.modified.length})`).waitFor();
    const tree = cmp.getByRole('tree', { name: 'Changed files' });
    const files = () => tree.locator('li.cmp-file').count();
    assert.equal(await files(), diff.files.added.length + diff.files.deleted.length + diff.files.modified.length);
    await filters.getByLabel(/^added/).uncheck();
    await filters.getByLabel(/^deleted/).uncheck();
    assert.equal(await files(), diff.files.modified.length, 'only the modified files');
    await cmp.getByLabel('Filter paths').fill('/etc/');
    assert.equal(await files(), diff.files.modified.filter((f) => f.path.includes('/etc/')).length);
    await cmp.scrollIntoViewIfNeeded();
    await shot(page, 'inspect-compare');
    await openWithPicker(page, [path.join(FIXTURES, 'generated/layered.oci.tar'), path.join(FIXTURES, 'generated/layered-zstd.oci-archive.tar')]);
    const region = page.getByRole('region', { name: 'Inspect', exact: true });
    await region.getByLabel('Archive', { exact: true }).locator('option', { hasText: 'layered-zstd.oci-archive.tar' }).waitFor({ state: 'attached' });
    await region.getByLabel('Archive', { exact: true }).selectOption({ label: 'layered.oci.tar' });
    await cmp.getByLabel('Compare with').selectOption({ label: 'layered-zstd.oci-archive.tar' });
    await cmp.getByRole('status').getByText('Identical content, different compression.').waitFor();
    assert.equal(await tree.locator('li.cmp-file').count(), 0);
    assert.equal(await cmp.getByRole('table', { name: 'Layers side by side' }).getByText('shared (same ChainID), other compression').count(), 8);

    // dive's own test image: dive's figures.
    await openWithPicker(page, [DIVE]);
    await region.getByLabel('Archive', { exact: true }).selectOption({ label: 'test-docker-image.tar' });
    await page.waitForFunction(() => document.querySelector('dd[data-k=dive-wasted]')?.title === '32025 bytes');
    assert.equal(await fig('score').innerText(), pct(0.9844212134184309));
    assert.equal(await fig('user-wasted').innerText(), pct(0.4834911001404049));

    // In Chinese.
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('region', { name: '效率', exact: true }).getByText('镜像效率分（dive）').waitFor();
    await shot(page, 'inspect-zh');
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});

test('inspect: the leaky sample\'s deleted key is flagged and its bytes are shown; leaky-fixed ships none', async () => {
  const t = await start({ width: 1400, height: 1000 });
  try {
    const { page } = t;
    await page.getByRole('button', { name: 'leaky:1', exact: true }).click();
    await page.getByRole('button', { name: 'Inspect', exact: true }).click();
    const dbs = page.getByRole('region', { name: 'Deleted but shipped', exact: true });
    await dbs.getByText('Looks like a secret: an SSH private key').waitFor();
    assert.match(await dbs.innerText(), /\/root\/\.ssh\/id_rsa: 212B in layer 1, deleted by layer 2/);
    assert.match(await dbs.innerText(), /API_TOKEN/);
    await dbs.getByRole('button', { name: 'View /root/.ssh/id_rsa as shipped' }).click();
    const pre = dbs.getByLabel('Content of /root/.ssh/id_rsa');
    await pre.waitFor();
    assert.match(await pre.textContent(), /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    await dbs.scrollIntoViewIfNeeded();
    await shot(page, 'inspect-leaky');
    // Find in every layer: the key, and the whiteout that deletes it, as `layerlab find` says.
    const find = page.getByRole('region', { name: 'Find in every layer', exact: true });
    await find.getByLabel('Name or glob').fill('id_rsa');
    const hits = find.getByRole('list', { name: 'Entries found' });
    await hits.getByText(/deleted by a whiteout in layer 2/).waitFor();
    assert.match(await hits.innerText(), /\/root\/\.ssh\/id_rsa · L1 · f · 212B — deleted by a whiteout in layer 2 \(at \/root\/\.ssh\/id_rsa\)/);
    assert.match(await hits.innerText(), /L2 · w · 0B — a whiteout/);
    await page.getByRole('button', { name: 'leaky-fixed:1', exact: true }).click();
    const region = page.getByRole('region', { name: 'Inspect', exact: true });
    await region.getByLabel('Archive', { exact: true }).locator('option', { hasText: 'leaky-fixed' }).waitFor({ state: 'attached' });
    await region.getByLabel('Archive', { exact: true }).selectOption({ label: 'leaky-fixed.docker.tar' });
    await page.getByRole('table', { name: 'Wasted space', exact: true }).getByText('Nothing: every file shipped is visible in the container.').waitFor();
    assert.equal(await dbs.getByText('Looks like a secret').count(), 0);
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});
