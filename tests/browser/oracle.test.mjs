// The page against the kernel: recorded overlayfs scenarios of ../shared/oracle (SPEC.md) are
// replayed through the page. Each scenario's layer tars are opened with the file picker, the
// mount options are set to the scenario's config, its OPS are typed as shell lines, and then:
// - `docker diff` equals Docker's rule (src/container/diff.rs, "docker diff") applied here to
//   the kernel's DIFF section: a `.wh.NAME` line is `D NAME`, an opaque marker adds nothing
//   itself, any other path is `C` if it exists in the lower layers and `A` if not, except a
//   directory over a lower directory in a native DIFF (see dockerDiff);
// - the event log has a copy-up line for every entry the kernel copied up (an upper entry that
//   appears for a path of the lower layers, or loses its metacopy marker: its data), none for entries the
//   kernel had already copied up, and "metadata only" exactly where the kernel left a metacopy
//   file; a copy-up the trace cannot show (the entry was removed later in the same op, as `mv`
//   does after EXDEV) is allowed only if the entry is gone or whited out after the op;
// - an op the kernel failed has an error event with the kernel's errno name, an op that
//   succeeded has none; a redirect event appears exactly where the kernel set a redirect xattr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { start, openWithPicker, waitLayers, shot, SHARED, sh } from './helpers.mjs';
import { unionMeta } from './tar.mjs';

const SCEN = path.join(SHARED, 'oracle', 'scenarios');

// Picked to cover copy-up (deep chains, hardlinks, metacopy), whiteouts, opaque dirs, rename
// EXDEV (mv falls back) and redirect_dir renames.
const CASES = [
  ['deep-copyup', 'default'],
  ['lower-opaque', 'default'],
  ['rmtree', 'default'],
  ['mv-exdev-fallback', 'default'],
  ['mv-exdev-fallback', 'redirect'],
  ['rename-merged-dir', 'redirect'],
  ['hard-link-lower', 'default'],
  ['metacopy-hardlink', 'metacopy'],
  ['metacopy-rename', 'metacopy'],
];

/** SPEC §3 tokens of one OPS line (quotes and escapes), or null for a blank/comment line. */
function tokens(line) {
  const out = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '#') break;
    if (c === '"') {
      let s = '';
      i++;
      while (line[i] !== '"') {
        if (line[i] === '\\') {
          const e = line[i + 1];
          if (e === 'x') { s += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16)); i += 4; continue; }
          s += { n: '\n', t: '\t', '\\': '\\', '"': '"' }[e];
          i += 2;
        } else { s += line[i++]; }
      }
      i++;
      out.push(s);
    } else {
      let s = '';
      while (i < line.length && line[i] !== ' ' && line[i] !== '\t') s += line[i++];
      out.push(s);
    }
  }
  return out.length ? out : null;
}

/** A word quoted for the page's shell (sh rules). */
const q = (w) => (/^[A-Za-z0-9\/._+,:@%=-]+$/.test(w) ? w : `'${w.replaceAll("'", "'\\''")}'`);

/** The shell line doing what one op does (SPEC §3 vs the shell's commands), or null. */
function toShell([op, ...a], config) {
  switch (op) {
    case 'write': return `echo -n ${q(a[1])} > ${q(a[0])}`;
    case 'append': return `echo -n ${q(a[1])} >> ${q(a[0])}`;
    case 'read': return `cat ${q(a[0])}`;
    case 'mkdir': return `mkdir ${q(a[0])}`;
    case 'rmdir': return `rmdir ${q(a[0])}`;
    case 'unlink': return `rm ${q(a[0])}`;
    case 'rm-r': return `rm -r ${q(a[0])}`;
    case 'mv': return `mv -T ${q(a[0])} ${q(a[1])}`;
    // rename(2) is mv -T as long as it does not say EXDEV (mv would fall back), which it cannot
    // with redirect_dir=on.
    case 'rename': return config === 'default' ? null : `mv -T ${q(a[0])} ${q(a[1])}`;
    case 'link': return `ln ${q(a[0])} ${q(a[1])}`;
    case 'symlink': return `ln -s ${q(a[0])} ${q(a[1])}`;
    case 'chmod': return `chmod ${a[0]} ${q(a[1])}`;
    case 'chown': return `chown ${a[0]} ${q(a[1])}`;
    case 'readlink': return `readlink ${q(a[0])}`;
    case 'stat': return `stat ${q(a[0])}`;
    case 'ls': return `ls ${q(a[0])}`;
    case 'truncate': return `truncate -s ${a[1]} ${q(a[0])}`;
    case 'touch': return `touch ${q(a[0])}`;
    default: return null; // open-rw, create-excl: the shell has no such command
  }
}

/** A kernel TRACE: per op its result and the upper listing after it (path → line), and DIFF. */
function parseTrace(text) {
  const lines = text.split('\n');
  const ops = [];
  let upper = new Map();
  let section = null;
  let cur = null;
  const diff = [];
  for (const l of lines) {
    if (l.startsWith('== ')) {
      if (section === 'upper') { if (cur) cur.upper = upper; }
      const [, kind, , rest] = l.match(/^== (\S+)( (\S+))?(.*)$/) || [];
      if (kind === 'OP') { cur = { canon: l.replace(/^== OP \d+ /, '') }; ops.push(cur); section = 'result'; continue; }
      if (kind === 'UPPER') {
        if (/unchanged$/.test(l)) { if (cur) cur.upper = upper; section = null; continue; }
        upper = new Map(); section = 'upper';
        if (!cur) section = 'upper0';
        continue;
      }
      section = kind === 'DIFF' ? 'diff' : null;
      void rest;
      continue;
    }
    if (!l) continue;
    if (section === 'result') { cur.result = l; section = null; continue; }
    if (section === 'upper' || section === 'upper0') { upper.set(l.split(' ')[5], l); continue; }
    if (section === 'diff') diff.push(l);
  }
  return { ops, diff, native: /^== DIFF native/m.test(text) };
}

/** The kernel DIFF turned into docker diff lines by Docker's rule. Before, every upper path was
 * listed; the docker-oracle recorded what real Docker 20.10 prints for a directory over a lower
 * directory, and these assertions follow it (NOTES 14, 15; moby `ChangesDirs`):
 * - it is listed (`C`) only if its mode or owner differs from the lower one or a path below it
 *   is listed (`whiteouts` rmnew: /data copied up for a file made and deleted is not listed);
 * - an opaque one adds `D` for each first-level lower entry the upper dir does not hold again
 *   (`opaque-dirs` recreate: `D /data/tree/sub`; here `lower-opaque`).
 * A naive DIFF (redirect, metacopy) is already that walk: markers are `D`, the rest `C`/`A`. */
function dockerDiff(diff, native, lower) {
  const meta = (l) => l.split(' ').slice(0, 3).join(' ');
  const out = [];
  const dirs = [];
  const opaque = new Set();
  const upper = new Set();
  for (const l of diff) {
    const p = l.split(' ')[5];
    if (p === '/') continue;
    const dir = p.slice(0, p.lastIndexOf('/')) || '/';
    const base = p.slice(p.lastIndexOf('/') + 1);
    if (base === '.wh..wh..opq') { opaque.add(dir); continue; }
    upper.add(p);
    if (base.startsWith('.wh.')) out.push([`${dir === '/' ? '' : dir}/${base.slice(4)}`, 'D']);
    else if (native && l.startsWith('d ') && (lower.get(p) || '').startsWith('d ')) dirs.push([p, l]);
    else out.push([p, lower.has(p) ? 'C' : 'A']);
  }
  for (const d of opaque) {
    if (!dirs.some(([p]) => p === d)) continue;
    for (const p of lower.keys()) {
      if (p !== '/' && (p.slice(0, p.lastIndexOf('/')) || '/') === d && !upper.has(p)) out.push([p, 'D']);
    }
  }
  dirs.sort((a, b) => b[0].split('/').length - a[0].split('/').length);
  for (const [p, l] of dirs) {
    if (out.some(([q]) => q.startsWith(`${p}/`)) || meta(l) !== lower.get(p)) out.push([p, 'C']);
  }
  return out.map(([p, k]) => `${k} ${p}`).sort();
}

const events = (page) => page.locator('.events .event').evaluateAll((els) => els.map((e) => ({
  kind: e.querySelector('strong').textContent, text: e.textContent.slice(e.querySelector('strong').textContent.length + 1),
})));

for (const [name, config] of CASES) {
  test(`kernel trace ${name} (${config}): docker diff, copy-ups and errors`, async () => {
    const dir = path.join(SCEN, name);
    const layers = fs.readdirSync(path.join(dir, 'layers')).sort((a, b) => parseInt(a, 10) - parseInt(b, 10)).map((f) => path.join(dir, 'layers', f));
    const trace = parseTrace(fs.readFileSync(path.join(dir, `expected.${config}.txt`), 'utf8'));
    const script = fs.readFileSync(path.join(dir, 'ops'), 'utf8').split('\n').map(tokens).filter(Boolean);
    assert.equal(script.length, trace.ops.length);
    const lines = script.map((t) => toShell(t, config));
    assert.ok(lines.every(Boolean), `every op of ${name} has a shell command`);
    const lowerMeta = unionMeta(layers);
    const lower = new Set(lowerMeta.keys());

    const t = await start();
    try {
      const { page } = t;
      await openWithPicker(page, layers);
      await waitLayers(page, layers.length);
      await page.getByRole('combobox', { name: 'Mount options' }).selectOption(config);
      await page.locator('.events .event.e-mount').last().waitFor();
      let prevUpper = new Map([['/', 'd 0755 0:0 - - /']]);
      for (let k = 0; k < lines.length; k++) {
        const before = (await events(page)).length;
        await sh(page, lines[k]);
        const evs = (await events(page)).slice(before);
        const op = trace.ops[k];
        const upper = op.upper;
        const what = `${name}/${config} op ${k + 1} '${op.canon}' as '${lines[k]}'`;
        // Errors: the kernel's errno, or none.
        const errs = evs.filter((e) => e.kind === 'error');
        if (/^E[A-Z]+$/.test(op.result)) {
          assert.ok(errs.some((e) => e.text.includes(op.result)), `${what}: an error event with ${op.result}: ${JSON.stringify(evs)}`);
        } else {
          assert.deepEqual(errs, [], `${what}: the kernel said ${op.result}`);
        }
        // Copy-ups.
        const copied = new Map();
        for (const e of evs.filter((e) => e.kind === 'copy-up')) {
          const m = e.text.match(/^(?:of the data of )?(\S+) from /);
          assert.ok(m, `${what}: copy-up line ${e.text}`);
          copied.set(m[1], (copied.get(m[1]) || '') + e.text);
        }
        const want = [];
        for (const [p, l] of upper) {
          if (p === '/' || l.startsWith('w ')) continue;
          const was = prevUpper.get(p);
          // A new upper entry for a lower path, or the data of a metacopy file (which may have
          // been renamed: it follows its redirect).
          if ((!was && lower.has(p)) || (was && / metacopy/.test(was) && !/ metacopy/.test(l))) want.push(p);
        }
        for (const p of want) {
          assert.ok(copied.has(p), `${what}: the kernel copied up ${p}; the page logged ${JSON.stringify([...copied.keys()])}`);
          const meta = / metacopy/.test(upper.get(p));
          assert.equal(/metadata only/.test(copied.get(p)), meta, `${what}: ${p} metadata only = ${meta}`);
        }
        for (const p of copied.keys()) {
          if (want.includes(p)) continue;
          const l = upper.get(p);
          assert.ok(!l || l.startsWith('w '), `${what}: the page copied up ${p}, which the kernel did not (${l})`);
        }
        // Redirects set by this op.
        const redirect = (l) => (l && l.match(/ redirect=(\S+)/) || [])[1];
        const redirects = [...upper].filter(([p, l]) => redirect(l) && redirect(prevUpper.get(p)) !== redirect(l)).map(([p]) => p);
        const logged = evs.filter((e) => e.kind === 'redirect').map((e) => e.text.split(' ')[0]);
        assert.deepEqual(logged.sort(), redirects.sort(), `${what}: redirect events`);
        prevUpper = upper;
      }
      const diff = await page.getByRole('list', { name: 'docker diff' }).getByRole('listitem').allInnerTexts();
      assert.deepEqual([...diff].sort(), dockerDiff(trace.diff, trace.native, lowerMeta), `${name}/${config}: docker diff`);
      await shot(page, `oracle-${name}-${config}`);
      assert.deepEqual(t.errors, []);
    } finally {
      await t.close();
    }
  });
}
