// The container shell: writes copy up (event log + docker diff + the file's row moves to the
// container layer), errors are worded like coreutils, undo and reset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, waitLayers, shot } from './helpers.mjs';

async function sh(page, line) {
  const input = page.getByRole('textbox', { name: 'Container shell' });
  await input.fill(line);
  await input.press('Enter');
  await page.getByRole('region', { name: 'Shell output' }).getByText(`# ${line}`, { exact: true }).last().waitFor();
}

test('container shell: copy-up, whiteout, errors, undo, reset', async () => {
  const t = await start();
  try {
    const { page } = t;
    await page.getByRole('button', { name: 'webapp:1.0' }).click();
    await waitLayers(page, 7);
    const log = page.getByRole('log', { name: 'Events' });
    const diff = page.getByRole('list', { name: 'docker diff' });

    await sh(page, 'echo more >> /data/model.bin');
    await log.getByText(/copy-up \/data\/model\.bin/).waitFor();
    assert.match(await log.innerText(), /copy-up \/data\/model\.bin from L6 [0-9a-f]{12} to the container layer: 1048576 bytes/);
    await diff.getByText('A /data/model.bin').or(diff.getByText('C /data/model.bin')).waitFor();
    assert.match(await diff.innerText(), /C \/data\n[\s\S]*C \/data\/model\.bin/);
    // The file's row now comes from the container layer.
    const row = page.locator('[role=treeitem][data-path="/data/model.bin"]');
    await row.getByText('C container').waitFor();

    await sh(page, 'rm /usr/bin/python');
    await log.getByText(/whiteout \/usr\/bin\/python/).waitFor();
    assert.match(await diff.innerText(), /D \/usr\/bin\/python/);

    await sh(page, 'rm /nope');
    const out = page.getByRole('region', { name: 'Shell output' });
    await out.getByText("rm: cannot remove '/nope': No such file or directory").waitFor();
    await sh(page, 'mkdir /data');
    await out.getByText("mkdir: cannot create directory '/data': File exists").waitFor();
    await shot(page, 'container-shell');

    await sh(page, 'undo');
    await page.waitForFunction(() => !document.querySelector('[aria-label="docker diff"]').innerText.includes('/usr/bin/python'));
    await sh(page, 'reset');
    await page.waitForFunction(() => document.querySelector('[aria-label="docker diff"]').innerText.trim() === '');
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});
