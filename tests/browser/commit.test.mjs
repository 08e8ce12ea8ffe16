// Commit, save and export from the page (issue 5), checked by real tools: the page's commit is
// the CLI's commit (same image ID and layer digests for the same ops and time), skopeo inspects
// and copies the saved archives in both formats, our own reader loads them back to the page's
// merged view, the export is that view as one rootfs tar, and a reload brings the commit back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { start, waitLayers, shot, downloadListing, openWithPicker, ROOT, sh } from './helpers.mjs';
import { writeBigFile } from './tar.mjs';

const TIME = 1700000000; // the commit time the page is given (Date.now is fixed below)
const fixedClock = `(() => { const t = ${TIME * 1000} + 123; Date.now = () => t; })();`;

function cli(...args) {
  const bin = path.join(ROOT, 'target/release/layerlab');
  if (!fs.existsSync(bin)) execFileSync('cargo', ['build', '--release', '--bin', 'layerlab'], { cwd: ROOT, stdio: 'inherit' });
  return execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
}
function have(cmd) {
  try { execFileSync('sh', ['-c', `command -v ${cmd}`]); return true; } catch { return false; }
}
function tarJson(file, member) {
  return JSON.parse(execFileSync('tar', ['-xOf', file, member], { encoding: 'utf8' }));
}

async function saveDownload(page, click, dir) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), click()]);
  const out = path.join(dir, dl.suggestedFilename());
  await dl.saveAs(out);
  return out;
}

test('commit in the page = layerlab commit; save (docker, OCI) accepted by skopeo; export; reload keeps it', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-commit-'));
  const t = await start({ initScript: fixedClock });
  try {
    const { page } = t;
    await page.getByRole('button', { name: 'webapp:1.0' }).click();
    await waitLayers(page, 7);
    await sh(page, 'echo hello > /etc/motd');
    await sh(page, 'rm /usr/bin/python');
    await sh(page, 'mkdir /srv');
    const diff = page.getByRole('list', { name: 'docker diff' });
    await diff.getByText('A /srv').waitFor();

    const form = page.getByRole('form', { name: 'docker commit' });
    await form.getByLabel('Message (-m)').fill('add motd');
    await form.getByLabel('Author (-a)').fill('Jane <jane@example.com>');
    await form.getByLabel('Tag').fill('webapp:2.0');
    await form.getByLabel('Changes (-c), one per line').fill('CMD ["/bin/app"]\nENV MODE=prod');
    assert.match(await form.getByLabel('Equivalent command').innerText(),
      /^docker commit -m 'add motd' -a 'Jane <jane@example.com>' -c 'CMD \["\/bin\/app"\]' -c 'ENV MODE=prod' CONTAINER webapp:2.0$/);
    await form.getByRole('button', { name: 'Commit' }).click();

    // The new image sits beside the old one, its layers shared; the stack gains the new layer.
    await waitLayers(page, 8);
    const images = page.getByRole('region', { name: 'Images' }).or(page.locator('section.images'));
    await images.getByRole('heading', { name: 'webapp:2.0' }).waitFor();
    assert.match(await images.innerText(), /7 of 8 layers shared with webapp:1\.0/);
    const log = page.getByRole('log', { name: 'Events' });
    await log.getByText(/commit the container layer became layer [0-9a-f]{12} of the new image [0-9a-f]{12} \(webapp:2\.0\)/).waitFor();
    assert.equal((await diff.innerText()).trim(), '', 'the next container starts empty');
    const merged = await downloadListing(page);
    await shot(page, 'commit-done');

    // The same commit by the CLI: same image ID, same layers.
    const ops = path.join(tmp, 'ops');
    fs.writeFileSync(ops, 'write /etc/motd "hello\\n"\nunlink /usr/bin/python\nmkdir /srv\n');
    const cliTar = path.join(tmp, 'cli.tar');
    const cliId = cli('commit', path.join(ROOT, 'www/samples/webapp.docker.tar'), '--ops', ops, '-m', 'add motd', '-a', 'Jane <jane@example.com>',
      '-c', 'CMD ["/bin/app"]', '-c', 'ENV MODE=prod', '-t', 'webapp:2.0', '--time', String(TIME), '-o', cliTar).trim();

    // Save, docker format.
    const docker = await saveDownload(page, () => page.getByRole('button', { name: 'Save webapp:2.0' }).click(), tmp);
    assert.equal(path.basename(docker), 'webapp_2.0.tar');
    const pm = tarJson(docker, 'manifest.json');
    const cm = tarJson(cliTar, 'manifest.json');
    assert.equal(pm.length, 1);
    assert.deepEqual(pm[0].RepoTags, ['webapp:2.0']);
    assert.equal(`sha256:${path.basename(pm[0].Config)}`, cliId, 'the page commit has the CLI commit\'s image ID');
    assert.deepEqual(pm[0].Layers, cm[0].Layers, 'and the same layer blobs');
    // Loaded back by our reader: the page's merged view; the top layer is the commit's diff.
    assert.equal(cli('ls', docker), merged);
    const top = cli('ls', docker, '--layer', '-1');
    assert.match(top, /\/etc\/motd/);
    assert.match(top, /\/usr\/bin\/\.wh\.python/);
    const cfg = JSON.parse(cli('inspect', docker));
    const c = Array.isArray(cfg) ? cfg[0] : cfg;
    assert.match(JSON.stringify(c), /"Cmd":\["\/bin\/app"\]/);
    assert.match(JSON.stringify(c), /MODE=prod/);
    assert.match(cli('history', docker), /add motd/);

    // Save, OCI layout.
    await page.getByLabel('Save format').selectOption('oci');
    const oci = await saveDownload(page, () => page.getByRole('button', { name: 'Save webapp:2.0' }).click(), tmp);
    assert.equal(path.basename(oci), 'webapp_2.0.oci.tar');
    assert.equal(cli('ls', oci), merged);

    if (have('skopeo')) {
      for (const ref of [`docker-archive:${docker}`, `oci-archive:${oci}:2.0`]) {
        const info = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', ref], { encoding: 'utf8' }));
        assert.equal(info.layers.length, 8, ref);
        const dest = fs.mkdtempSync(path.join(tmp, 'copy-'));
        execFileSync('skopeo', ['copy', '--quiet', ref, `dir:${dest}`]);
        assert.ok(fs.existsSync(path.join(dest, 'manifest.json')), ref);
      }
    } else {
      console.log('# skopeo is not installed: skipped skopeo inspect/copy (scripts/test.sh installs it)');
    }

    // Export: the merged view as one rootfs tar (the container is empty after the commit).
    await sh(page, 'echo bye > /tmp/after');
    const exp = await saveDownload(page, () => page.getByRole('button', { name: 'Export' }).click(), tmp);
    assert.equal(path.basename(exp), 'container-export.tar');
    const names = execFileSync('tar', ['-tf', exp], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n');
    assert.ok(names.includes('tmp/after') && names.includes('etc/motd') && !names.includes('usr/bin/python'));
    assert.ok(!names.some((n) => n.includes('.wh.')), 'an export has no whiteouts');

    // Save all: both images in one archive, the shared blobs once.
    await page.getByLabel('Save format').selectOption('docker');
    const all = await saveDownload(page, () => page.getByRole('button', { name: 'Save all' }).click(), tmp);
    const am = tarJson(all, 'manifest.json');
    assert.deepEqual(am.map((m) => m.RepoTags[0]).sort(), ['webapp:1.0', 'webapp:2.0']);
    const blobs = execFileSync('tar', ['-tf', all], { encoding: 'utf8' }).split('\n').filter((n) => n.startsWith('blobs/sha256/') && n.length > 20);
    assert.equal(new Set(blobs).size, blobs.length);
    assert.ok(blobs.length <= 8 + 2 + 2 + 2, `shared layers are stored once (${blobs.length} blobs)`);
    await page.getByText(/Saved images\.tar/).waitFor();

    // A reload brings the committed image back (same ID), over the same base layers.
    await page.reload();
    await page.getByText('worker ready').waitFor();
    await waitLayers(page, 8);
    await page.locator('section.images').getByRole('heading', { name: 'webapp:2.0' }).waitFor();
    assert.match(await page.locator('section.images').innerText(), new RegExp(cliId.slice(7, 19)));
    assert.equal(await downloadListing(page), merged);
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('a stack that is not one image commits with a fresh config, as docker import would', async () => {
  const t = await start({ initScript: fixedClock });
  try {
    const { page } = t;
    await page.getByRole('button', { name: 'webapp:1.0' }).click();
    const items = await waitLayers(page, 7);
    // Switch the top layer off: the stack is no longer webapp:1.0.
    await items.nth(0).getByRole('checkbox').or(items.nth(0).getByRole('switch')).first().click();
    await sh(page, 'echo x > /x');
    await page.getByRole('form', { name: 'docker commit' }).getByRole('button', { name: 'Commit' }).click();
    await waitLayers(page, 8);
    const images = page.locator('section.images');
    await images.getByRole('heading', { name: /^<none> [0-9a-f]{12}$/ }).waitFor();
    const text = await images.innerText();
    assert.match(text, /6 of 7 layers shared with webapp:1\.0/);
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});

test('saving a large image shows progress and keeps the worker small', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-bigsave-'));
  const file = path.join(tmp, 'big.tar');
  const SIZE = 400 * 1024 * 1024;
  writeBigFile(file, SIZE);
  const t = await start({ initScript: fixedClock });
  try {
    const { page } = t;
    await page.getByLabel('Verify digests').uncheck();
    await openWithPicker(page, file);
    await waitLayers(page, 1);
    // A bare layer has no image until it is committed (with a fresh config).
    await page.getByRole('form', { name: 'docker commit' }).getByLabel('Tag').fill('big:1');
    await page.getByRole('form', { name: 'docker commit' }).getByRole('button', { name: 'Commit' }).click();
    await waitLayers(page, 2);
    const [dl] = await Promise.all([
      page.waitForEvent('download', { timeout: 120000 }),
      (async () => {
        await page.getByRole('button', { name: 'Save big:1' }).click();
        await page.getByRole('progressbar', { name: 'Saving big_1.tar' }).waitFor();
        await page.getByText(/MiB of about 400\.\d MiB/).first().waitFor();
        await shot(page, 'save-progress');
      })(),
    ]);
    const out = path.join(tmp, 'out.tar');
    await dl.saveAs(out);
    const size = fs.statSync(out).size;
    assert.ok(size > SIZE && size < SIZE + (1 << 20), `${size} bytes`);
    // The layer blob is the opened file, byte for byte (its digest is unchanged).
    const m = tarJson(out, 'manifest.json');
    const sha = execFileSync('sh', ['-c', `sha256sum ${file}`], { encoding: 'utf8' }).split(' ')[0];
    assert.equal(m[0].Layers[0], `blobs/sha256/${sha}`);
    await page.evaluate(() => window.layerlabStats());
    await page.waitForFunction(() => window.layerlabWorkerWasmBytes > 0);
    const wasm = await page.evaluate(() => window.layerlabWorkerWasmBytes);
    assert.ok(wasm < 64 * 1048576, `worker wasm memory ${wasm} bytes after saving 400 MiB`);
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('a commit survives a cancelled open (the restarted worker makes it again)', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-cancel-'));
  const file = path.join(tmp, 'big.tar');
  writeBigFile(file, 3 * 1024 * 1024 * 1024);
  const t = await start({ initScript: fixedClock });
  try {
    const { page } = t;
    await page.getByRole('button', { name: 'worker:1.0' }).click();
    await waitLayers(page, 3);
    await sh(page, 'echo 1 > /one');
    const form = page.getByRole('form', { name: 'docker commit' });
    await form.getByLabel('Tag').fill('worker:2');
    await form.getByRole('button', { name: 'Commit' }).click();
    await waitLayers(page, 4);
    const before = await downloadListing(page);
    assert.match(before, /\/one$/m);
    await openWithPicker(page, file);
    await page.getByRole('progressbar', { name: 'Opening big.tar' }).waitFor();
    await page.getByRole('button', { name: 'Cancel opening big.tar' }).click();
    await page.getByText('big.tar: opening cancelled').waitFor();
    assert.equal(await downloadListing(page), before);
    const out = await saveDownload(page, () => page.getByRole('button', { name: 'Save worker:2' }).click(), tmp);
    assert.equal(cli('ls', out), before);
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
