// Not a test: how long the "Inspect" panel takes on the big image (../shared/fixtures/
// make-big-image.sh, default /tmp/bigimage), from the click to the "Efficiency" region, for the
// docker-save (uncompressed) and OCI (gzip) archives, next to the page's own unverified open of
// the same archive in the same run (the inspect worker reads the archive a second time).
//   node tests/browser/inspect-bench.mjs      (after scripts/build-web.sh)
import path from 'node:path';
import { start, openWithPicker } from './helpers.mjs';

const BIG = process.env.BIG || '/tmp/bigimage';
for (const f of ['big.docker.tar', 'big.oci.tar']) {
  const t = await start({ width: 1400, height: 1000 });
  try {
    const { page } = t;
    await page.getByLabel('Verify digests').uncheck();
    const t0 = Date.now();
    await openWithPicker(page, [path.join(BIG, f)]);
    await page.locator('ol.layers li.layer').first().waitFor({ timeout: 600000 });
    await page.getByRole('tree', { name: 'Files' }).locator('[role=treeitem]').first().waitFor({ timeout: 600000 });
    const open = Date.now() - t0;
    const t1 = Date.now();
    await page.getByRole('button', { name: 'Inspect', exact: true }).click();
    await page.getByRole('region', { name: 'Efficiency', exact: true }).waitFor({ timeout: 600000 });
    const inspect = Date.now() - t1;
    const rows = await page.getByRole('table', { name: 'Wasted space', exact: true }).locator('tbody tr').count();
    console.log(`${f}: page open (unverified) ${open} ms; Inspect to Efficiency ${inspect} ms (${rows} rows of wasted space)`);
  } finally {
    await t.close();
  }
}
