// The container shell: writes copy up (event log + docker diff + the file's row moves to the
// container layer), errors are worded like coreutils, undo and reset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, waitLayers, shot, sh } from './helpers.mjs';

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

const diffLines = (page) => page.getByRole('list', { name: 'docker diff' }).getByRole('listitem').allInnerTexts();
async function waitDiff(page, pred, what) {
  for (let i = 0; i < 100; i++) {
    if (pred(await diffLines(page))) return;
    await page.waitForTimeout(50);
  }
  assert.fail(`docker diff never got ${what}: ${JSON.stringify(await diffLines(page))}`);
}

test('container panel: buttons, the diagram, file actions, mount options, reload keeps the writes', async () => {
  const t = await start();
  try {
    const { page } = t;
    await page.getByRole('button', { name: 'webapp:1.0' }).click();
    const items = await waitLayers(page, 7);
    const undo = page.getByRole('button', { name: 'Undo', exact: true });
    const reset = page.getByRole('button', { name: 'Reset', exact: true });
    assert.equal(await undo.isDisabled(), true);
    assert.equal(await reset.isDisabled(), true);
    // The container layer is the top item of the diagram, above L6.
    const all = page.getByRole('list', { name: 'Layers' }).getByRole('listitem');
    assert.equal(await all.count(), 8);
    assert.match(await all.nth(0).innerText(), /Container layer[\s\S]*0B \(virtual [\d.]+[kM]B\)/);
    const box = page.getByRole('listitem', { name: 'Container layer' });

    // A copy-up: both ends highlighted, the chip travels, docker ps -s figures.
    await sh(page, 'echo more >> /data/model.bin');
    await page.locator('.container-item.copy-dst').waitFor();
    assert.match(await page.locator('.layer.copy-src').innerText(), /L6/);
    // One chip per copy-up (the parent dir first), each sent on its way.
    assert.deepEqual(await page.locator('.travel').allInnerTexts(), ['/data · 0 B', '/data/model.bin · 1.0 MiB']);
    assert.equal(await page.locator('.travel.go').count(), 2);
    assert.match(await box.innerText(), /1\.05MB \(virtual [\d.]+MB\)/);
    assert.match(await box.innerText(), /1\.0 MiB copied up · 2 copied-up · 0 whiteouts · 0 opaque/);
    assert.match(await box.innerText(), /copy-up: \/data\/model\.bin · 1\.0 MiB from L6/);
    await shot(page, 'container-copy-up');
    // Reduced motion: no travelling chip, the highlight stays.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    assert.equal(await page.locator('.travel').first().evaluate((e) => getComputedStyle(e).display), 'none');
    assert.equal(await page.locator('.layer.copy-src').count(), 1);
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    assert.equal(await undo.isDisabled(), false);
    assert.equal(await reset.isDisabled(), false);
    await undo.click();
    await waitDiff(page, (d) => d.length === 0, 'empty after Undo');
    assert.equal(await undo.isDisabled(), true);
    assert.equal(await reset.isDisabled(), true);

    // File actions on a lower file: Edit copies it up and writes; the viewer shows the new text.
    const out = page.getByRole('region', { name: 'Shell output' });
    await page.locator('[role=treeitem][data-path="/etc/passwd"]').click();
    await page.getByRole('button', { name: 'Edit' }).click();
    const area = page.getByRole('textbox', { name: 'File content' });
    assert.match(await area.inputValue(), /^root:x:0:0/);
    await area.fill("root:x:0:0:root:/root:/bin/sh\nit's me\n");
    await page.getByRole('button', { name: 'Save file', exact: true }).click();
    await out.getByText("# echo -n 'root:x:0:0:root:/root:/bin/sh\nit'\\''s me\n' > /etc/passwd").waitFor();
    await page.locator('[role=treeitem][data-path="/etc/passwd"]').getByText('C container').waitFor();
    await page.locator('.viewer pre').getByText("it's me").waitFor();
    assert.match(await page.getByRole('log', { name: 'Events' }).innerText(), /copy-up \/etc\/passwd from L0 [0-9a-f]{12} to the container layer: 65 bytes/);
    // Rename (keyboard: Enter submits).
    await page.getByRole('button', { name: 'Rename' }).click();
    const name = page.getByRole('textbox', { name: 'New name or path' });
    assert.equal(await name.inputValue(), 'passwd');
    await name.fill('passwd.old');
    await name.press('Enter');
    await out.getByText('# mv -T /etc/passwd /etc/passwd.old').waitFor();
    await waitDiff(page, (d) => d.includes('A /etc/passwd.old') && d.includes('D /etc/passwd'), 'the rename');
    // New directory with a space in its name (the target is / now), from the keyboard.
    await page.getByRole('button', { name: 'New directory' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('my dir');
    await page.keyboard.press('Enter');
    await out.getByText("# mkdir '/my dir'").waitFor();
    await waitDiff(page, (d) => d.includes('A /my\\x20dir'), 'the new dir');
    await page.getByRole('button', { name: 'New file' }).click();
    await page.getByRole('textbox', { name: 'New file name' }).fill('notes');
    await page.getByRole('button', { name: 'Create file' }).click();
    await out.getByText('# touch /notes').waitFor();
    await page.locator('[role=treeitem][data-path="/notes"]').click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await out.getByText('# rm /notes').waitFor();
    await page.locator('[role=treeitem][data-path="/my\\\\x20dir"]').click();
    await page.getByRole('button', { name: 'Delete' }).click();
    await out.getByText("# rm -r '/my dir'").waitFor();
    await waitDiff(page, (d) => !d.includes('A /my\\x20dir'), 'the dir deleted');
    await undo.click();
    await waitDiff(page, (d) => d.includes('A /my\\x20dir'), 'the dir back after Undo');
    await shot(page, 'container-actions');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'container-actions-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // Mount options: the container restarts empty, and says so.
    await page.getByRole('combobox', { name: 'Mount options' }).selectOption('redirect');
    await page.getByRole('log', { name: 'Events' }).getByText(/restarted with redirect_dir=on,index=off,metacopy=off/).waitFor();
    await waitDiff(page, (d) => d.length === 0, 'empty after the restart');
    assert.equal(await reset.isDisabled(), true);
    await sh(page, 'mv /usr /usr2');
    await page.getByRole('log', { name: 'Events' }).getByText(/\/usr2 gets trusted\.overlay\.redirect=usr/).waitFor();
    await sh(page, 'echo hi > /etc/hostname2');
    await page.locator('[role=treeitem][data-path="/etc/hostname2"]').waitFor();
    await waitDiff(page, (d) => d.includes('A /etc/hostname2'), 'the write');
    const before = await diffLines(page);
    await page.waitForFunction(() => location.hash.includes('mount=redirect') && location.hash.includes('container='));

    // A reload finds the container again: same mount options, same docker diff.
    await page.reload();
    await page.getByText('worker ready').waitFor();
    await waitLayers(page, 7);
    await waitDiff(page, (d) => d.includes('A /etc/hostname2'), 'the write after the reload');
    assert.deepEqual(await diffLines(page), before);
    assert.equal(await page.getByRole('combobox', { name: 'Mount options' }).inputValue(), 'redirect');
    await page.getByRole('log', { name: 'Events' }).getByText(/2 container write\(s\) of the saved session replayed/).waitFor();
    assert.equal(await items.count(), 7);
    await reset.click();
    await waitDiff(page, (d) => d.length === 0, 'empty after Reset');
    await shot(page, 'container-reloaded');
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});
