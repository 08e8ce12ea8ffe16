// Not a test: what each view of the "Inspect" panel costs on the big image
// (../shared/fixtures/make-big-image.sh, default /tmp/bigimage), docker-save (uncompressed) and
// OCI (gzip) archives, opened unverified and verified: the page's open, then from the click on
// "Inspect" to the "Efficiency" region (the page's worker hands its layer indexes over; no
// layer is read again, only heads of hidden files the open did not stream), viewing the first
// hidden file, and a find across every layer.
//   node tests/browser/inspect-bench.mjs      (after scripts/build-web.sh)
import path from 'node:path';
import { start, openWithPicker } from './helpers.mjs';

const BIG = process.env.BIG || '/tmp/bigimage';
for (const f of ['big.docker.tar', 'big.oci.tar']) {
  for (const verify of [false, true]) {
    const t = await start({ width: 1400, height: 1000 });
    try {
      const { page } = t;
      if (!verify) await page.getByLabel('Verify digests').uncheck();
      else await page.getByLabel('Verify digests').check();
      const t0 = Date.now();
      await openWithPicker(page, [path.join(BIG, f)]);
      await page.locator('ol.layers li.layer').first().waitFor({ timeout: 600000 });
      await page.getByRole('tree', { name: 'Files' }).locator('[role=treeitem]').first().waitFor({ timeout: 600000 });
      const open = Date.now() - t0;
      // Memory after the open, as web-bench counts it (worker wasm + page wasm + page JS heap):
      // the page's worker now keeps the tar entries the Inspect panel's index is made of.
      await page.evaluate(() => window.layerlabStats());
      await page.waitForFunction(() => window.layerlabWorkerWasmBytes > 0);
      const mem = await page.evaluate(() => window.layerlabWorkerWasmBytes + (window.__wasm?.memory?.buffer?.byteLength || 0) + (performance.memory?.usedJSHeapSize || 0));
      const t1 = Date.now();
      await page.getByRole('button', { name: 'Inspect', exact: true }).click();
      await page.getByRole('region', { name: 'Efficiency', exact: true }).waitFor({ timeout: 600000 });
      const inspect = Date.now() - t1;
      const rows = await page.getByRole('table', { name: 'Wasted space', exact: true }).locator('tbody tr').count();
      const dbs = page.getByRole('region', { name: 'Deleted but shipped', exact: true });
      const view = dbs.getByRole('button', { name: /^View .* as shipped$/ }).first();
      const label = (await view.getAttribute('aria-label')).replace(/^View (.*) as shipped$/, '$1');
      const t2 = Date.now();
      await view.click();
      await dbs.getByLabel(`Content of ${label}`).waitFor({ timeout: 600000 });
      const viewed = Date.now() - t2;
      const t3 = Date.now();
      await page.getByLabel('Name or glob').fill('*.py');
      await page.getByText(/^\d+ entries in the layers\.$/).waitFor({ timeout: 600000 });
      const hits = await page.getByText(/^\d+ entries in the layers\.$/).textContent();
      const found = Date.now() - t3;
      console.log(`${f} (${verify ? 'verified' : 'not verified'}): page open ${open} ms, memory after it ${(mem / 1048576).toFixed(1)} MiB; Inspect to Efficiency ${inspect} ms (${rows} rows of wasted space); View ${label} ${viewed} ms; find *.py ${found} ms (${hits})`);
    } finally {
      await t.close();
    }
  }
}
