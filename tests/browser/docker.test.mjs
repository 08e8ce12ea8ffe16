// Issue 10, part 4-5: the Docker host in the page, by accessible names. The "Docker host"
// button loads the Docker panel (its own wasm, on first use); the "Docker terminal" runs docker
// commands printing what Docker prints; "Images" and "Containers" list the host; "Store" draws
// shared layers once; "/var/lib/docker" is searched by name; a reload replays the journal;
// `docker commit` makes an image over its parent that lists, runs and survives a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { start, shot, waitLayers, sh, openWithPicker, layerItems, downloadListing, openDocker, transcript, docker } from './helpers.mjs';
import { writeBigFile } from './tar.mjs';


test('docker terminal: pulls share a base, containers keep their writes, and a reload brings the host back', async () => {
  const t = await start();
  try {
    const { page } = t;
    // The page declares a CSP that keeps every request in its origin; trunk's scripts still run.
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(csp, /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-[^']+';/);
    await openDocker(page);
    // Tab completes from the core.
    const input = page.getByRole('textbox', { name: 'Docker terminal' });
    await input.fill('docker pu');
    await input.press('Tab');
    await page.waitForFunction(() => document.querySelector('[aria-label="Docker terminal"]').value === 'docker pull ');
    await input.fill('');

    const p1 = await docker(page, 'docker pull webapp:1.0');
    assert.match(p1, /^1\.0: Pulling from library\/webapp\n/);
    assert.equal((p1.match(/: Pull complete\n/g) || []).length, 7, p1);
    assert.match(p1, /Status: Downloaded newer image for webapp:1\.0\nwebapp:1\.0\n$/);
    const p2 = await docker(page, 'docker pull worker:1.0');
    assert.equal((p2.match(/: Already exists\n/g) || []).length, 2, p2);
    assert.equal((p2.match(/: Pull complete\n/g) || []).length, 1, p2);

    assert.equal(await docker(page, "docker run --user root --name a webapp:1.0 sh -c 'echo a > /a'"), '');
    assert.equal(await docker(page, "docker run --user root --name b webapp:1.0 sh -c 'echo bbbbbbbbbb > /b'"), '');
    const ps = await docker(page, 'docker ps -a -s');
    assert.match(ps, /^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES +SIZE\n/);
    assert.match(ps, / a +2B \(virtual [\d.]+MB\)\n/, ps);
    assert.match(ps, / b +11B \(virtual [\d.]+MB\)\n/, ps);
    // Real IDs and durations, as a daemon prints them (no oracle placeholders in the page).
    assert.match(ps, /\n[0-9a-f]{12} +webapp:1\.0 +".*" +(Less than a second|\d+ seconds) ago +Exited \(0\) (Less than a second|\d+ seconds) ago /, ps);
    assert.doesNotMatch(ps, /<\w+:?\w*>/, ps);
    assert.equal(await docker(page, 'docker diff a'), 'A /a\n');
    assert.equal(await docker(page, 'docker diff b'), 'A /b\n');
    const images = await docker(page, 'docker images');
    assert.match(images, /^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE\n/);
    assert.match(images, /\nwebapp +1\.0 +[0-9a-f]{12} /);
    assert.match(images, /\nworker +1\.0 +[0-9a-f]{12} /);
    const df = await docker(page, 'docker system df -v');
    assert.match(df, /^Images space usage:\n/);
    assert.match(df, /\nContainers space usage:\n/);
    // Bad input: one sentence, Docker's.
    assert.equal(await docker(page, 'docker pull nope:1'), 'Error response from daemon: manifest for nope:1 not found: manifest unknown: manifest unknown\n');
    assert.match(await docker(page, 'ls /'), /this terminal runs docker commands/);

    // The lists.
    const imgs = page.getByRole('list', { name: 'Images' }).getByRole('listitem');
    assert.equal(await imgs.count(), 2);
    const ctrs = page.getByRole('list', { name: 'Containers' }).getByRole('listitem');
    assert.equal(await ctrs.count(), 2);
    await ctrs.filter({ hasText: /^a / }).getByRole('button').click();
    const picked = page.getByRole('region', { name: 'Container a' });
    await picked.waitFor();
    assert.equal((await picked.getByLabel('docker diff').innerText()).trim(), 'A /a');
    assert.match(await picked.getByLabel('Merged files').innerText(), /\/a\n/);

    // The store: the shared base spans the images and containers over it.
    const store = page.getByRole('region', { name: 'Store' });
    const spans = await store.locator('.store-cell').evaluateAll((els) => els.map((e) => Number(e.dataset.span)));
    assert.ok(Math.max(...spans) >= 4, `spans ${spans}`);
    await shot(page, 'docker-host');

    // /var/lib/docker: the bottom layer's diff_id names one directory under layerdb (its ChainID).
    const inspect = JSON.parse(await docker(page, 'docker image inspect webapp:1.0'));
    const [bottom, second] = inspect[0].RootFS.Layers;
    const varlib = page.getByRole('region', { name: '/var/lib/docker' });
    await varlib.getByRole('combobox').selectOption('image/overlay2/layerdb/');
    await varlib.getByRole('searchbox', { name: 'Search /var/lib/docker' }).fill(bottom);
    const entries = varlib.getByRole('list', { name: 'Entries' }).getByRole('listitem');
    await page.waitForFunction(() => document.querySelectorAll('.var-entries li').length === 1);
    assert.equal(await entries.innerText(), `/var/lib/docker/image/overlay2/layerdb/sha256/${bottom.slice(7)}/`);
    await varlib.getByRole('searchbox', { name: 'Search /var/lib/docker' }).fill(second);
    await page.waitForFunction(() => document.querySelectorAll('.var-entries li').length === 0);
    await varlib.getByRole('searchbox', { name: 'Search /var/lib/docker' }).fill(bottom);
    await page.waitForFunction(() => document.querySelectorAll('.var-entries li').length === 1);
    await varlib.scrollIntoViewIfNeeded();
    await shot(page, 'docker-var-lib');

    // A reload brings the host back: the journal replays.
    await page.reload();
    await page.getByText('worker ready').waitFor();
    await page.getByRole('textbox', { name: 'Docker terminal' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Containers"] li').length === 2);
    assert.equal(await docker(page, 'docker diff a'), 'A /a\n');
    assert.equal(await docker(page, 'docker diff b'), 'A /b\n');
    // Each container has its own layer: a new one over the same image does not see b's write.
    assert.match(await docker(page, 'docker run --name c webapp:1.0 cat /b'), /No such file or directory\n$/);
    const ps2 = await docker(page, 'docker ps -a -s');
    assert.match(ps2, / b +11B \(virtual [\d.]+MB\)\n/, ps2);
    await shot(page, 'docker-reloaded');
    // "Reset Docker host" forgets it all: the page reloads with an empty host.
    // Waits for the reload itself: the old page's "worker ready" and buttons are still there
    // until it happens.
    await Promise.all([page.waitForEvent('framenavigated'), page.getByRole('button', { name: 'Reset Docker host' }).click()]);
    await page.getByText('worker ready').waitFor();
    await page.getByRole('button', { name: 'Docker host', exact: true }).click();
    await page.getByRole('textbox', { name: 'Docker terminal' }).waitFor();
    assert.match(await docker(page, 'docker ps -a'), /^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES\n$/);
    assert.deepEqual(t.offOrigin, []);
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});

test('docker commit in the terminal: an image over its parent, listed, with its history, runnable, shared in "Store", back after a reload', async () => {
  const t = await start();
  try {
    const { page } = t;
    await openDocker(page);
    await docker(page, 'docker pull webapp:1.0');
    assert.equal(await docker(page, "docker run --user root --name a webapp:1.0 sh -c 'echo a > /a'"), '');
    assert.equal(await docker(page, "docker run --user root --name b webapp:1.0 sh -c 'echo bbbbbbbbbb > /b'"), '');
    const store = page.getByRole('region', { name: 'Store' });
    const cells = () => store.locator('.store-cell').evaluateAll((els) => els.map((e) => Number(e.dataset.span)));
    const before = await cells();

    // The image ID a commit made prints as a daemon prints it (64 hex), the one "Images" shows.
    const id = await docker(page, "docker commit -m 'one' a snap:1");
    assert.match(id, /^sha256:[0-9a-f]{64}\n$/, id);
    const short = id.slice('sha256:'.length, 'sha256:'.length + 12);
    const images = await docker(page, 'docker images');
    assert.match(images, new RegExp(`\nsnap +1 +${short} +(Less than a second|\\d+ seconds) ago `), images);
    const snapItem = page.getByRole('list', { name: 'Images' }).getByRole('listitem').filter({ hasText: 'snap:1' });
    assert.match(await snapItem.innerText(), new RegExp(`snap:1 ${short} · `));
    // History: the commit's row (its 2B layer, comment "one") on top of the parent's rows.
    const norm = (s) => s.split('\n').filter(Boolean).map((l) => l.replace(/ {2,}/g, '  ').trimEnd());
    const hist = norm(await docker(page, 'docker history snap:1'));
    const parent = norm(await docker(page, 'docker history webapp:1.0'));
    assert.match(hist[1], new RegExp(`^${short}  .*  2B  one$`), hist.join('\n'));
    assert.deepEqual(hist.slice(2), parent.slice(1));
    assert.equal(await docker(page, 'docker run --name c snap:1 cat /a'), 'a\n');

    // "Store": the parent's 7 layers stay drawn once, each spanning two more columns (snap:1 and
    // the container c over it); the committed layer spans snap:1 and c; c adds its init and
    // container layers (one column each), as a and b have.
    await page.waitForFunction((n) => document.querySelectorAll('[aria-label="Store"] .store-cell').length > n, before.length);
    const after = await cells();
    const count = (xs, n) => xs.filter((x) => x === n).length;
    const base = Math.max(...before);
    assert.equal(count(before, base), 7, `before ${before}`);
    assert.equal(count(after, base + 2), 7, `before ${before} after ${after}`);
    assert.equal(count(after, 2), 1, `after ${after}`);
    assert.equal(count(after, 1), count(before, 1) + 2, `before ${before} after ${after}`);
    assert.equal(after.length, before.length + 3, `before ${before} after ${after}`);
    await store.scrollIntoViewIfNeeded();
    await shot(page, 'docker-commit-store');

    // A reload replays the journal: the committed image is back, with its layer.
    await page.reload();
    await page.getByText('worker ready').waitFor();
    await page.getByRole('textbox', { name: 'Docker terminal' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Containers"] li').length === 3);
    assert.match(await docker(page, 'docker images'), new RegExp(`\nsnap +1 +${short} `));
    assert.equal(await docker(page, 'docker run --name d snap:1 cat /a'), 'a\n');
    assert.equal(norm(await docker(page, 'docker history snap:1'))[1], hist[1]);
    await shot(page, 'docker-commit-reloaded');
    assert.deepEqual(t.offOrigin, []);
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});

test('opening two archives is a docker load of each: both in "Images", kept apart', async () => {
  const t = await start();
  try {
    const { page } = t;
    await page.getByRole('button', { name: 'webapp:1.0' }).click();
    await waitLayers(page, 7);
    await openDocker(page);
    await page.getByRole('button', { name: 'worker:1.0' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Images"] li').length === 2);
    // The page shows the first image still: the second joins the images without stacking.
    await page.getByRole('heading', { name: 'worker:1.0' }).waitFor();
    await page.waitForFunction(() => !document.querySelector('.jobs'));
    assert.equal(await layerItems(page).count(), 7);
    assert.doesNotMatch(await downloadListing(page), /worker\.py/);
    const text = await transcript(page);
    assert.match(text, /\$ docker load -i webapp\.docker\.tar\n(.*Loading layer.*\n){7}Loaded image: webapp:1\.0\n/);
    // The second load holds the shared layers already: only its own layer loads.
    assert.match(text, /\$ docker load -i worker\.docker\.tar\n.*Loading layer.*\nLoaded image: worker:1\.0\n/);
    // A container of one image sees none of the other's files.
    assert.equal((await docker(page, "docker run --name w webapp:1.0 sh -c 'ls /app'")).includes('worker.py'), false);
    assert.match(await docker(page, "docker run --name k worker:1.0 sh -c 'ls /app'"), /worker\.py/);
    await shot(page, 'docker-two-archives');
    // "Show" puts an image on screen; "Add to stack" makes a custom stack on purpose.
    await page.getByRole('button', { name: 'Show worker:1.0' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Layers"] li input[type=checkbox]').length === 3);
    assert.match(await downloadListing(page), /\/app\/worker\.py$/m);
    await page.getByRole('button', { name: 'Add webapp:1.0 to the stack' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Layers"] li input[type=checkbox]').length === 10);
    // Picking an image in the Docker panel's "Images" shows it in the page (it has it open).
    await page.getByRole('list', { name: 'Images' }).getByRole('button', { name: /^webapp:1\.0/ }).click();
    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Layers"] li input[type=checkbox]').length === 7);
    assert.doesNotMatch(await downloadListing(page), /worker\.py/);
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});

test('a cancelled open keeps the container\'s writes (the restarted worker replays them)', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-'));
  const file = path.join(tmp, 'big.tar');
  writeBigFile(file, 3 * 1024 * 1024 * 1024);
  const t = await start();
  try {
    const { page } = t;
    await page.getByRole('button', { name: 'webapp:1.0' }).click();
    await waitLayers(page, 7);
    await sh(page, 'echo kept > /kept.txt');
    await openWithPicker(page, file);
    await page.getByRole('button', { name: 'Cancel opening big.tar' }).click();
    await page.getByText('big.tar: opening cancelled').waitFor();
    await sh(page, 'cat /kept.txt');
    const out = await page.getByRole('region', { name: 'Shell output' }).innerText();
    assert.match(out, /# cat \/kept\.txt\nkept(\n|$)/);
    // Drawn once: the replay does not repeat the line.
    assert.equal(out.split('# echo kept > /kept.txt').length - 1, 1);
  } finally {
    await t.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
