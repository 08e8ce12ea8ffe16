// The Container panel's event log in both languages: with the page in 简体中文, a copy-up, a
// whiteout, an opaque directory, mv's EXDEV fallback, an errno's sentence, undo and reset are
// said in Chinese (kinds too), with paths, layer names, errno names and overlayfs words kept
// verbatim; switched back to English, the same lines say today's English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { start, shot, SHOTS } from './helpers.mjs';

/** Types a line into the shell (its Chinese name) and waits for its echo. */
async function shZh(page, line) {
  const input = page.getByRole('textbox', { name: '容器 Shell' });
  await input.fill(line);
  await input.press('Enter');
  await page.getByRole('region', { name: 'Shell 输出' }).getByText(`# ${line}`, { exact: true }).last().waitFor();
}

const lines = (log) => log.locator('.event').allInnerTexts();
const HAN = /[\u4e00-\u9fff]/;
// The log shows its last lines; for its screenshot, all of them.
const tall = (log) => log.evaluate((e) => { e.style.maxHeight = 'none'; e.style.height = 'auto'; });
const short = (log) => log.evaluate((e) => { e.style.maxHeight = ''; e.style.height = ''; });

test('event log: copy-up, whiteout, opaque directory, EXDEV and an errno in Chinese, then in English', async () => {
  const t = await start({ height: 1150 });
  try {
    const { page } = t;
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByText('worker 已就绪').waitFor();
    await page.getByRole('button', { name: 'webapp:1.0' }).click();
    // Its 7 layers listed (the container runs over them), as helpers' waitLayers, by the Chinese name.
    const layers = page.getByRole('list', { name: '镜像层' }).getByRole('listitem').filter({ has: page.getByRole('checkbox') });
    await page.waitForFunction(() => !document.querySelector('.jobs'));
    await layers.nth(6).waitFor();
    await page.getByRole('textbox', { name: '容器 Shell' }).waitFor();
    const log = page.getByRole('log', { name: '事件' });
    // The shell's own sentences (not a command's output) are said in the page's language.
    await shZh(page, 'undo');
    await page.getByRole('region', { name: 'Shell 输出' }).getByText('undo：没有可撤销的操作', { exact: true }).waitFor();

    await shZh(page, 'echo more >> /data/model.bin');
    await log.getByText('/data/model.bin 从 L6').waitFor();
    await shZh(page, 'rm /usr/bin/python');
    await shZh(page, 'rm -r /app/static');
    await shZh(page, 'mkdir /app/static');
    await shZh(page, 'mv /data /archive');
    await shZh(page, 'rm /nope');
    await log.getByText('unlink：').waitFor();

    const zh = await lines(log);
    const find = (re) => {
      const l = zh.find((x) => re.test(x));
      assert.ok(l, `no line matches ${re}:\n${zh.join('\n')}`);
      return l;
    };
    // Kind first, then the line; layer names (L6 + 12 hex), paths, xattrs, errno names verbatim.
    find(/^复制上来 \/data\/model\.bin 从 L6 [0-9a-f]{12} 复制到容器层：复制了 1048576 字节（下层是只读的/);
    find(/^复制上来 \/data 从 L\d [0-9a-f]{12} 复制到容器层：只有这个目录本身，而且是空的/);
    find(/^白障 \/usr\/bin\/python：容器层里的一个 0\/0 字符设备遮住了 L\d [0-9a-f]{12} 里的同名条目$/);
    find(/^白障 \/app\/static：/);
    find(/^不透明 目录 \/app\/static：trusted\.overlay\.opaque=y 遮住下层中它之下的一切$/);
    find(/^改动 重命名 \/data -> \/archive：EXDEV（没有 redirect_dir 时，下层或合并的目录不能重命名）；mv 改为先复制再删除$/);
    find(/^改动 创建了目录 \/archive$/);
    find(/^错误 unlink：没有这个文件或目录（.*）（ENOENT）$/);
    // Every line has Chinese in it, and no English sentence of ours is left.
    for (const l of zh) {
      assert.match(l, HAN, `an English line in Chinese mode: ${l}`);
      assert.doesNotMatch(l, /\b(from|to the container layer|hides|created|removed|copies|bytes|directory|cannot)\b/, l);
    }
    // The file tree's tags too (the opaque directory's row).
    await page.locator('[role=treeitem][data-path="/app/static"]').getByText('不透明', { exact: true }).waitFor();
    // The mount options are named in Chinese too (the option words stay the kernel's).
    assert.equal(await page.getByRole('combobox', { name: '挂载选项' }).locator('option:checked').innerText(), '默认（redirect_dir=off, metacopy=off）');
    await page.getByRole('heading', { name: '容器', exact: true }).scrollIntoViewIfNeeded();
    await shot(page, 'events-zh');
    await tall(log);
    await log.screenshot({ path: path.join(SHOTS, 'events-zh-log.png') });
    await short(log);

    // Undo and reset say so in Chinese too.
    await shZh(page, 'undo');
    await log.getByText('撤销：容器层恢复到上一次改动之前的样子').waitFor();

    // The same log in English: today's words, line for line.
    await page.getByLabel('Language').selectOption('en');
    const en = page.getByRole('log', { name: 'Events' });
    await en.getByText('/data/model.bin from L6').waitFor();
    const all = await lines(en);
    assert.equal(all.length, zh.length + 1);
    const text = all.join('\n');
    assert.match(text, /copy-up \/data\/model\.bin from L6 [0-9a-f]{12} to the container layer: 1048576 bytes copied \(lower layers are read-only, so overlayfs copies a file up before changing it\)/);
    assert.match(text, /whiteout \/usr\/bin\/python: a 0\/0 character device in the container layer hides L\d [0-9a-f]{12}/);
    assert.match(text, /opaque directory \/app\/static: trusted\.overlay\.opaque=y hides everything below it in lower layers/);
    assert.match(text, /change rename \/data -> \/archive: EXDEV \(a lower or merged directory cannot be renamed without redirect_dir\); mv copies and deletes instead/);
    assert.match(text, /error unlink: no such file or directory \(a path component is missing, whited out, or a symlink dangles\) \(ENOENT\)/);
    assert.match(text, /undo undo: the container layer is back as it was before the last change/);
    for (const l of all) assert.doesNotMatch(l, HAN, `a Chinese line in English mode: ${l}`);
    await page.getByRole('region', { name: 'Shell output' }).getByText('undo: nothing to undo', { exact: true }).waitFor();
    await page.locator('[role=treeitem][data-path="/app/static"]').getByText('opaque', { exact: true }).waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Mount options' }).locator('option:checked').innerText(), 'default (redirect_dir=off, metacopy=off)');
    await shot(page, 'events-en');
    await tall(en);
    await en.screenshot({ path: path.join(SHOTS, 'events-en-log.png') });
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});

test('a layer opened without its digests is said to be unverified in the page\'s language', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const { header } = await import('./tar.mjs');
  const { openWithPicker } = await import('./helpers.mjs');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-unverified-')), 'bare.tar');
  fs.writeFileSync(file, Buffer.concat([header('hello.txt', { size: 0 }), Buffer.alloc(1024)]));
  const t = await start();
  try {
    const { page } = t;
    await page.getByLabel('Verify digests').uncheck();
    await openWithPicker(page, file);
    await page.getByRole('list', { name: 'Layers' }).locator('code.short-id').getByText('(unverified)', { exact: true }).waitFor();
    await page.getByLabel('Language').selectOption('zh-CN');
    const stack = page.getByRole('list', { name: '镜像层' });
    // The layer's ID and its checkbox's name, in Chinese; no English placeholder anywhere.
    await stack.locator('code.short-id').getByText('（未校验）', { exact: true }).waitFor();
    assert.equal(await stack.getByRole('checkbox', { name: /（未校验）$/ }).count(), 1);
    assert.doesNotMatch(await page.locator('body').innerText(), /\(unverified\)/);
    await shot(page, 'unverified-zh');
    // Its listing downloads under its place in the page, not the placeholder's words.
    await stack.locator('.layer-main').first().click();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载清单' }).click()]);
    assert.match(dl.suggestedFilename(), /^layer-L\d+\.txt$/);
    // The page labels that layer L0 (the only one in the stack).
    assert.equal(dl.suggestedFilename(), 'layer-L0.txt');
  } finally {
    await t.close();
  }
});
