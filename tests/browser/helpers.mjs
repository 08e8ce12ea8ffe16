// Shared setup for the browser tests: serve dist/, drive Debian's chromium with playwright-core.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/static-server.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The shared fixtures live beside the repo: ../shared/fixtures (override with LAYERLAB_SHARED). */
export const SHARED = process.env.LAYERLAB_SHARED || path.resolve(ROOT, '../shared');
export const FIXTURES = path.join(SHARED, 'fixtures');
export const SHOTS = path.join(ROOT, 'target/screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export function golden(name) {
  return fs.readFileSync(path.join(FIXTURES, 'goldens', name), 'utf8');
}

/** Starts the server and a browser; returns {page, base, close}. `ready`: the footer text that says the
 * page started (the Chinese page says `worker 已就绪`). `insecure`: the page is reached by a name
 * other than localhost over plain http (as from another machine of a classroom's network), so it
 * is not a secure context: no `crypto.subtle`. `CHROME_ARGS` (space-separated) adds Chromium
 * switches, for diagnosis: `CHROME_ARGS=--js-flags=--trace-wasm-compilation-times
 * DEBUG=pw:browser` prints each wasm function V8 compiles optimized, with its time. */
export async function start({ width = 1500, height = 950, colorScheme = 'light', initScript = null, ready = 'worker ready', insecure = false } = {}) {
  const server = await serve(process.env.LAYERLAB_DIST || path.join(ROOT, 'dist'), 0);
  const host = insecure ? 'layerlab.test' : '127.0.0.1';
  const base = `http://${host}:${server.address().port}/`;
  const userDataDir = fs.mkdtempSync('/tmp/layerlab-chromium-');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width, height },
    colorScheme,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...(process.env.CHROME_ARGS ? process.env.CHROME_ARGS.split(' ') : []), ...(insecure ? ['--host-resolver-rules=MAP layerlab.test 127.0.0.1'] : [])],
  });
  const page = context.pages()[0] || await context.newPage();
  if (initScript) await page.addInitScript(initScript);
  const errors = [];
  const offOrigin = [];
  // Each with where it came from, so a rare one can be traced (a lone 'null' was seen once).
  page.on('pageerror', (e) => errors.push(`${e.message} (${(e.stack || '').split('\n').slice(0, 3).join(' | ')})`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${m.text()} @ ${m.location().url}:${m.location().lineNumber}`); });
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`); });
  context.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) offOrigin.push(r.url()); });
  const close = async () => { await context.close(); server.close(); fs.rmSync(userDataDir, { recursive: true, force: true }); };
  try {
    await page.goto(base);
    await page.getByText(ready).waitFor();
  } catch (e) {
    await close();
    throw new Error(`the page did not start (${errors.join('; ')}): ${e.message}`);
  }
  return {
    page, base, errors, offOrigin,
    async close() { await context.close(); server.close(); fs.rmSync(userDataDir, { recursive: true, force: true }); },
  };
}

/** Opens files through the picker labelled "Open image archive". */
export async function openWithPicker(page, files) {
  await page.getByLabel('Open image archive').setInputFiles(files);
}

/** Opens a file by a simulated drop (a DataTransfer built in the page). */
export async function openWithDrop(page, file) {
  const b64 = fs.readFileSync(file).toString('base64');
  await page.evaluate(({ b64, name }) => {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name));
    const target = document.querySelector('main') || document.body;
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { b64, name: path.basename(file) });
}

/** The image layers of the "Layers" list, top first (the container layer item above them, which
 * has no on/off checkbox, is left out). */
export function layerItems(page) {
  return page.getByRole('list', { name: 'Layers' }).getByRole('listitem').filter({ has: page.getByRole('checkbox') });
}

/** Waits until no archive is being opened and the given number of layers is listed. */
export async function waitLayers(page, n) {
  const items = layerItems(page);
  await page.waitForFunction(() => !document.querySelector('.jobs'));
  await items.nth(n - 1).waitFor();
  return items;
}

/** The merged view as a listing, through the page's "Download listing" button. */
export async function downloadListing(page) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download listing' }).click()]);
  const p = await dl.path();
  return fs.readFileSync(p, 'utf8');
}

/** The short diff_ids of a fixture's layers, bottom first (from X.layers.txt). */
export function fixtureShortIds(name) {
  const txt = fs.readFileSync(path.join(FIXTURES, 'generated', `${name}.layers.txt`), 'utf8');
  return txt.split('\n').filter((l) => l.startsWith('layer\t')).map((l) => l.split('\t')[5].replace('sha256:', '').slice(0, 12));
}

export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Paths shown as tree items right now (the virtualized window). */
export async function visiblePaths(page) {
  return page.getByRole('tree', { name: 'Files' }).getByRole('treeitem').evaluateAll((els) => els.map((e) => e.dataset.path));
}

/** Types a line into the "Container shell" and waits for its echo in "Shell output". */
export async function sh(page, line) {
  const input = page.getByRole('textbox', { name: 'Container shell' });
  await input.fill(line);
  await input.press('Enter');
  await page.getByRole('region', { name: 'Shell output' }).getByText(`# ${line}`, { exact: true }).last().waitFor();
}

// The Docker panel (issues 10 and 11): open it, read its transcript, type a line.
export async function openDocker(page) {
  await page.getByRole('button', { name: 'Docker host', exact: true }).click();
  await page.getByRole('textbox', { name: 'Docker terminal' }).waitFor();
}

export async function transcript(page) {
  return page.getByRole('log', { name: 'Docker output' }).locator('pre').innerText();
}

/** Runs a line in the "Docker terminal"; returns what it printed (its part of the transcript). */
export async function docker(page, line) {
  const before = (await transcript(page)).length;
  const input = page.getByRole('textbox', { name: 'Docker terminal' });
  await input.fill(line);
  await input.press('Enter');
  await page.waitForFunction(({ n, echo }) => {
    const t = document.querySelector('.docker-output pre')?.textContent || '';
    return t.length > n && t.slice(n).startsWith(echo);
  }, { n: before, echo: `$ ${line}\n` });
  const t = await transcript(page);
  return t.slice(before + `$ ${line}\n`.length);
}
