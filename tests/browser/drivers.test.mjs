// Issue 12 in the page: the "Storage drivers" button loads the panel (with the other panels
// loaded on first use: nothing of it is in the first load) and its region shows the page's
// container on every storage driver, replayed in the drivers worker. The layered fixture is opened with the picker, its 5 MiB /data/big.bin is
// appended to in the container shell, and each driver's column must show what the core says
// for the same op on the same image: `layerlab drivers --json` (bytes, docker ps -s) and
// `--why` (what was copied and why), plus the drivers README's rules checked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { start, openWithPicker, waitLayers, shot, sh, FIXTURES, ROOT, SHOTS } from './helpers.mjs';

const DRIVERS = ['overlay2', 'overlay2-reflink', 'aufs', 'devicemapper', 'devicemapper-512k', 'devicemapper-ext4', 'btrfs', 'zfs', 'vfs'];
const ARCHIVE = path.join(FIXTURES, 'generated/layered.docker.tar');
const BIG = 5 * 1024 * 1024;

/** The `layerlab` binary (a debug build is what `cargo test` leaves; LAYERLAB_BIN overrides). */
function bin() {
  if (process.env.LAYERLAB_BIN) return process.env.LAYERLAB_BIN;
  const cands = ['debug', 'release'].map((p) => path.join(ROOT, 'target', p, 'layerlab')).filter((p) => fs.existsSync(p));
  cands.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  assert.ok(cands.length, 'build layerlab first (cargo build --bin layerlab)');
  return cands[0];
}

/** What the core says for `ops` over the layered image: per driver, its steps. */
function core(ops) {
  const dir = fs.mkdtempSync('/tmp/layerlab-drivers-');
  const file = path.join(dir, 'ops');
  fs.writeFileSync(file, ops);
  const rows = JSON.parse(execFileSync(bin(), ['drivers', '--ops', file, ARCHIVE, '--json'], { encoding: 'utf8' }));
  const why = execFileSync(bin(), ['drivers', '--ops', file, ARCHIVE, '--why'], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  const out = {};
  for (const r of rows) (out[r.driver] ||= []).push({ ...r });
  for (const line of why.split('\n')) {
    const m = line.match(/^(\d+) .*?\s(\S+)\s+(\d+)\s+([+-]\d+)\s+(\d+)\s+(.*)$/);
    if (m && out[m[2]]) out[m[2]][Number(m[1])].why = m[6];
  }
  return out;
}

/** go-units HumanSizeWithPrecision(n, 3), as `docker ps -s` prints sizes (`%.3g` over kB, MB…). */
function dockerSize(n) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${n < 0 ? '−' : ''}${parseFloat(v.toPrecision(3))}${units[i]}`;
}
const exact = (n) => `${n < 0 ? '−' : ''}${Math.abs(n).toLocaleString('en-US')} ${Math.abs(n) === 1 ? 'byte' : 'bytes'}`;

test('storage drivers: an append to the 5 MiB file of layered, one column per driver', async () => {
  const want = core('append /data/big.bin "x\\n"\n');
  assert.deepEqual(Object.keys(want), DRIVERS);
  // The drivers README's rules, by hand: docker ps -s is the file's whole new size on every
  // driver (overlay2/aufs: st_size of the upper dir; the others: the naive diff's modified file).
  for (const d of DRIVERS) assert.equal(want[d][1].ps_size, BIG + 2, d);
  // overlay2 on ext4 copies the whole file up: 5 MiB + 2 bytes in 4 KiB blocks, plus /data's
  // directory block, over the empty upper dir's 4 KiB.
  assert.equal(want.overlay2[1].bytes, 4096 + (BIG + 4096) + 4096);
  // vfs paid for a full copy at create and writes in place: the append's one 4 KiB block.
  assert.equal(want.vfs[1].bytes - want.vfs[0].bytes, 4096);

  const t = await start({ width: 1500, height: 950 });
  try {
    const { page } = t;
    await openWithPicker(page, [ARCHIVE]);
    await waitLayers(page, 8);
    const loaded = () => page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /panels-ui|drivers-worker/.test(n)));
    assert.deepEqual(await loaded(), [], 'the panel and its worker are not in the first load');
    const button = page.getByRole('button', { name: 'Storage drivers', exact: true });
    assert.equal(await button.getAttribute('aria-expanded'), 'false');
    await button.click();
    assert.equal(await button.getAttribute('aria-expanded'), 'true');
    const region = page.getByRole('region', { name: 'Storage drivers', exact: true });
    const cols = region.locator('.driver-col');
    // The container's creation is op 0 on every driver.
    await cols.nth(DRIVERS.length - 1).locator('.driver-bars li').first().waitFor();
    assert.equal(await cols.first().locator('.driver-bars li').count(), 1);
    assert.ok((await loaded()).some((n) => n.includes('drivers-worker')), 'the drivers worker came with the panel');

    await sh(page, 'echo x >> /data/big.bin');
    await cols.nth(DRIVERS.length - 1).locator('.driver-bars li').nth(1).waitFor();
    assert.deepEqual(await cols.locator('h3').allInnerTexts(), DRIVERS, 'one column per driver, in order');

    for (const d of DRIVERS) {
      const col = region.getByRole('group', { name: d, exact: true });
      const [s0, s1] = want[d];
      const fig = (k) => col.locator(`dd[data-k=${k}]`);
      assert.equal(await fig('used').innerText(), dockerSize(s1.bytes), `${d} bytes used`);
      assert.equal(await fig('used').getAttribute('title'), exact(s1.bytes), `${d} bytes used (exact)`);
      assert.equal(await fig('ps').innerText(), dockerSize(s1.ps_size), `${d} docker ps -s`);
      assert.equal(await fig('ps').getAttribute('title'), exact(s1.ps_size), `${d} docker ps -s (exact)`);
      assert.equal(await col.locator('.driver-why').innerText(), s1.why, `${d} why`);
      // The chart: creation, then the append, labelled with what each added.
      const bars = await col.locator('.driver-bars li .bar-label').allInnerTexts();
      const d1 = s1.bytes - s0.bytes;
      assert.deepEqual(bars, [`create: ${s0.bytes > 0 ? '+' : ''}${dockerSize(s0.bytes)}`, `op 1: ${d1 > 0 ? '+' : ''}${dockerSize(d1)}`], `${d} bars`);
      assert.equal(await col.locator('.driver-bars li').nth(1).getAttribute('title'), exact(d1));
      // Each op's bar names the op as the models priced it (an OPS line; the creation has none).
      assert.deepEqual(await col.locator('.driver-bars li .bar-op').allInnerTexts(), ['append /data/big.bin "x\\n"'], `${d} op line`);
    }
    // What was copied (README rules): overlay2 the whole file; vfs nothing (its own copy is
    // written in place); devicemapper direct-lvm one whole 512 KiB pool block.
    const copied = (d) => region.getByRole('group', { name: d, exact: true }).locator('dd[data-k=copied]').getAttribute('title');
    assert.equal(await copied('overlay2'), exact(BIG));
    assert.equal(await copied('aufs'), exact(BIG));
    assert.equal(await copied('vfs'), exact(0));
    assert.equal(await copied('devicemapper-512k'), exact(512 * 1024));

    // Notes: removed drivers, and Docker 29's containerd snapshotter.
    const note = (d) => region.getByRole('group', { name: d, exact: true }).getByRole('note');
    assert.match(await note('aufs').innerText(), /Removed in Docker Engine 24/);
    for (const d of ['devicemapper', 'devicemapper-512k', 'devicemapper-ext4']) assert.match(await note(d).innerText(), /Removed in Docker Engine 25/);
    assert.equal(await note('overlay2').count(), 0);
    assert.match(await region.getByRole('note').last().innerText(), /Docker 29[\s\S]*containerd[\s\S]*snapshotter\.Usage/);

    // The disk layout opens on demand.
    const o2 = region.getByRole('group', { name: 'overlay2', exact: true });
    assert.equal(await o2.getByText('/var/lib/docker/overlay2/').first().isVisible(), false);
    await o2.getByText('Disk layout').click();
    await o2.getByText(/\/var\/lib\/docker\/overlay2\//).first().waitFor();

    await region.scrollIntoViewIfNeeded();
    await shot(page, 'drivers-page');
    fs.mkdirSync(SHOTS, { recursive: true });
    await region.screenshot({ path: path.join(SHOTS, 'drivers-region.png') });

    // A second op adds a bar per column; undo takes it back.
    await sh(page, 'rm /data/big.bin');
    await cols.first().locator('.driver-bars li').nth(2).waitFor();
    const want2 = core('append /data/big.bin "x\\n"\nunlink /data/big.bin\n');
    for (const d of DRIVERS) {
      const col = region.getByRole('group', { name: d, exact: true });
      assert.equal(await col.locator('dd[data-k=used]').getAttribute('title'), exact(want2[d][2].bytes), `${d} after rm`);
      assert.equal(await col.locator('dd[data-k=ps]').getAttribute('title'), exact(want2[d][2].ps_size), `${d} ps after rm`);
    }
    await region.screenshot({ path: path.join(SHOTS, 'drivers-region-rm.png') });
    await sh(page, 'undo');
    await page.waitForFunction(() => document.querySelectorAll('.driver-col')[0].querySelectorAll('.driver-bars li').length === 2);

    // The panel follows the page's language; hidden, it is no longer fed.
    await page.getByLabel('Language').selectOption('zh-CN');
    const zh = page.getByRole('region', { name: '存储驱动', exact: true });
    await zh.getByText('实际占用').first().waitFor();
    await shot(page, 'drivers-region-zh');
    await page.getByRole('button', { name: '存储驱动', exact: true }).click();
    assert.equal(await zh.isVisible(), false);
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});
