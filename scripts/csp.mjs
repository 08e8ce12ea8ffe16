// Run after trunk build (scripts/build-web.sh): puts the sha256 of every inline <script> trunk injected into the
// page's Content-Security-Policy (index.html's meta holds the placeholder 'trunk-inline').
// Nothing else is allowed to run: scripts come from the page's origin only.
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR || process.argv[2] || 'dist';
const file = join(dir, 'index.html');
let html = readFileSync(file, 'utf8');
const hashes = [];
for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
  hashes.push(`'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
}
const meta = /(<meta http-equiv="Content-Security-Policy" content="[^"]*)'trunk-inline'/;
if (!meta.test(html)) {
  console.error(`csp.mjs: ${file} has no 'trunk-inline' placeholder in its Content-Security-Policy`);
  process.exit(1);
}
html = html.replace(meta, (_, head) => head + hashes.join(' '));
writeFileSync(file, html);

// Every integrity attribute trunk wrote must be the hash of the file it names: a browser blocks
// a mismatch and the page does not start. (Binaries sharing wasm-bindgen's snippets/ directory
// once made trunk hash a half-written file; the build fails here rather than in the browser.)
let bad = 0;
for (const m of html.matchAll(/<(?:link|script)\b[^>]*>/g)) {
  const href = /\b(?:href|src)="([^"]+)"/.exec(m[0]);
  const sri = /\bintegrity="(sha(256|384|512))-([^"]+)"/.exec(m[0]);
  if (!href || !sri) continue;
  const got = createHash(sri[1]).update(readFileSync(join(dir, href[1]))).digest('base64');
  if (got !== sri[3]) {
    console.error(`csp.mjs: ${href[1]} has ${sri[1]}-${got}, but index.html says ${sri[1]}-${sri[3]}`);
    bad++;
  }
}
if (bad) process.exit(1);
