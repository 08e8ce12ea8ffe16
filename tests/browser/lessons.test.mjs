// Issue 15 in the page: the language switch (English ⇄ 简体中文, kept across reloads, <html lang>),
// the lesson runner (a lesson played end to end through its buttons, each check passing only
// after its action; a step opened by its link on the same state; the quiz), screenshots in
// both languages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { start, shot, ROOT } from './helpers.mjs';

/** The English message file: `key = text` lines (the quiz's right answers are read from it). */
const EN = Object.fromEntries(fs.readFileSync(path.join(ROOT, 'www/i18n/en.msg'), 'utf8').split('\n')
  .filter((l) => l.includes(' = ') && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf(' = ')), l.slice(l.indexOf(' = ') + 3)]));

const lang = (page) => page.evaluate(() => document.documentElement.lang);

test('the language switch turns the page into 简体中文 and back, and is kept across reloads', async () => {
  const t = await start();
  try {
    const { page } = t;
    assert.equal(await lang(page), 'en');
    await page.getByRole('button', { name: 'webapp:1.0' }).click();
    await page.getByRole('list', { name: 'Layers' }).getByRole('checkbox').nth(6).waitFor();
    await page.getByLabel('Language').selectOption('zh-CN');
    assert.equal(await lang(page), 'zh-CN');
    await page.getByRole('heading', { name: '容器', exact: true }).waitFor();
    await page.getByRole('heading', { name: '层栈' }).waitFor();
    await page.getByRole('tree', { name: '文件' }).waitFor();
    await page.getByRole('textbox', { name: '容器 Shell' }).fill('rm /etc/passwd');
    await page.getByRole('textbox', { name: '容器 Shell' }).press('Enter');
    await page.getByText('D /etc/passwd').waitFor();
    await shot(page, 'lessons-zh-page');
    await page.reload();
    await page.getByRole('heading', { name: '层栈' }).waitFor();
    assert.equal(await lang(page), 'zh-CN');
    assert.equal(await page.getByLabel('Language').inputValue(), 'zh-CN');
    await page.getByLabel('Language').selectOption('en');
    assert.equal(await lang(page), 'en');
    await page.getByRole('heading', { name: 'Stack' }).waitFor();
    await page.getByText('worker ready').waitFor();
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});

test('a browser that prefers Chinese opens in 简体中文', async () => {
  const t = await start({ initScript: () => Object.defineProperty(navigator, 'language', { get: () => 'zh-CN' }), ready: 'worker 已就绪' });
  try {
    assert.equal(await lang(t.page), 'zh-CN');
    await t.page.getByRole('heading', { name: '层栈' }).waitFor();
  } finally {
    await t.close();
  }
});


test('lesson L8 end to end: every check passes only after its action, then the quiz', async () => {
  const t = await start();
  try {
    const { page } = t;
    await page.getByRole('list', { name: 'Lessons' }).getByRole('link', { name: /^L8 / }).click();
    const lesson = page.getByRole('region', { name: 'Lesson' });
    const steps = lesson.getByRole('list', { name: 'Steps' });
    assert.equal(await steps.getByRole('listitem').count(), 12);
    for (let i = 1; i <= 12; i++) {
      const current = steps.locator('li[aria-current=step]');
      await current.getByText(`Step ${i}`).waitFor();
      const doIt = current.getByRole('button', { name: 'Do it' });
      await doIt.waitFor();
      await page.waitForFunction(() => !document.querySelector('.step.current button[disabled]'));
      // Nothing happened yet: the check waits, and so does "Next step".
      await page.waitForTimeout(300);
      assert.equal(await current.getByText('Check passed').count(), 0, `step ${i} passed before its action`);
      await current.getByText('Waiting').waitFor();
      if (i < 12) assert.ok(await lesson.getByRole('button', { name: 'Next step' }).isDisabled());
      if (i === 2) {
        // The learner may type the line instead.
        const cmd = await current.locator('code').innerText();
        await page.getByRole('textbox', { name: 'Container shell' }).fill(cmd);
        await page.getByRole('textbox', { name: 'Container shell' }).press('Enter');
      } else {
        await doIt.click();
      }
      await current.getByText('Check passed').waitFor();
      assert.match(page.url(), new RegExp(`#lesson/L8/${i}$`));
      if (i === 4) await shot(page, 'lessons-en-L8-step4');
      if (i === 12) await shot(page, 'lessons-en-L8-step12');
      if (i < 12) await lesson.getByRole('button', { name: 'Next step' }).click();
    }
    // Descriptor 3, opened before the copy-up, read what descriptor 4 wrote (IQ 31).
    await page.getByRole('region', { name: 'Shell output' }).getByText('#!/bin/sh', { exact: true }).waitFor();
    // The last line (cat <&3) changed nothing: the diagram says what earlier lines left.
    await lesson.getByRole('figure', { name: 'Layers diagram' }).getByText(/the last line changed nothing in the container layer; it holds [1-9]\d* copied-up entries/).waitFor();
    // The 1 MiB chmod really copied up: the event log says so.
    await page.getByRole('log', { name: 'Events' }).getByText('/data/model.bin from').waitFor();
    const quiz = lesson.getByRole('region', { name: 'Quiz' });
    await quiz.waitFor();
    await quiz.getByRole('button', { name: /whole file is copied to the upper layer/ }).click();
    await quiz.getByText('Right.').waitFor();
    await quiz.getByRole('button', { name: /^1 byte\.$/ }).click();
    await quiz.getByText('Not quite').waitFor();
    await shot(page, 'lessons-en-L8-quiz');
    // Progress is kept across a reload.
    await page.goto(t.base);
    await page.getByRole('list', { name: 'Lessons' }).getByText('12 of 12 steps done').waitFor();
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});

test('a step opened by its link starts on the same state (L9 step 3), in both languages', async () => {
  const t = await start();
  try {
    const { page, base } = t;
    await page.goto(`${base}#lesson/L9/3`);
    const lesson = page.getByRole('region', { name: 'Lesson' });
    const current = lesson.locator('li[aria-current=step]');
    await current.getByText('Step 3').waitFor();
    await current.getByText('Waiting').waitFor();
    // Steps 1-2 were replayed: /etc/new.conf was created and removed, nothing is left.
    await page.getByRole('region', { name: 'Shell output' }).getByText('# rm /etc/new.conf').waitFor();
    await current.getByRole('button', { name: 'Do it' }).click();
    await current.getByText('Check passed').waitFor();
    await page.getByRole('log', { name: 'Events' }).getByText('/etc/passwd: a 0/0 character device').waitFor();
    // The same link in Chinese, two steps on: the opaque directory.
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.goto(`${base}#lesson/L9/5`);
    await page.reload();
    const zh = page.getByRole('region', { name: '课程' });
    const cur = zh.locator('li[aria-current=step]');
    await cur.getByText('第 5 步').waitFor();
    await cur.getByRole('button', { name: '执行' }).click();
    await cur.getByText('检查通过').waitFor();
    await shot(page, 'lessons-zh-L9-step5');
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});

test('interview mode: 34 questions, the seed\'s first; answer, reveal, and "Show me" opens the lesson', async () => {
  const t = await start();
  try {
    const { page } = t;
    await page.getByText('Interview mode').click();
    const list = page.getByRole('list', { name: 'Interview questions' });
    const items = list.locator(':scope > li');
    assert.equal(await items.count(), 34);
    const q6 = items.nth(5);
    await q6.getByText('Does a base image contain a kernel?').waitFor();
    await q6.getByRole('textbox').fill('yes, bootfs');
    await q6.getByRole('button', { name: 'Reveal' }).click();
    await q6.getByText('Correct:').waitFor();
    await q6.getByText('Common wrong answer:').waitFor();
    // Every question has its demonstration.
    assert.equal(await list.getByRole('link', { name: /Show me/ }).count(), 34);
    assert.equal(await list.getByText('No lesson demonstrates this one yet.').count(), 0);
    await q6.getByRole('link', { name: /Show me/ }).click();
    await page.getByRole('region', { name: 'Lesson' }).getByRole('heading', { name: /^L1 / }).waitFor();
    await shot(page, 'lessons-en-interview');
    await page.getByLabel('Language').selectOption('zh-CN');
    // The questions stay open: the same list, now in Chinese.
    await page.getByText('基础镜像里包含内核吗？').scrollIntoViewIfNeeded();
    await shot(page, 'lessons-zh-interview');
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});

test('myths vs kernel: 35 myths, the seed quoted, "See it live" opens the step that disproves it', async () => {
  const t = await start();
  try {
    const { page } = t;
    await page.getByText('Myths vs kernel').click();
    const items = page.getByRole('list', { name: 'Myths' }).locator(':scope > li');
    assert.equal(await items.count(), 35);
    const m1 = items.nth(0);
    await m1.getByText('读取文件时,Docker 会从上往下依次在各镜像层中查找此文件').waitFor();
    await m1.getByText('Seed S3 §4.4').waitFor();
    // Every myth has its live demonstration.
    assert.equal(await page.getByRole('list', { name: 'Myths' }).getByRole('link', { name: /See it live/ }).count(), 35);
    assert.equal(await page.getByText('No live demonstration in a lesson yet.').count(), 0);
    await m1.getByRole('link', { name: /See it live/ }).click();
    const current = page.getByRole('region', { name: 'Lesson' }).locator('li[aria-current=step]');
    await current.getByText('Step 1').waitFor();
    await current.getByRole('button', { name: 'Do it' }).click();
    await current.getByText('Check passed').waitFor();
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});

/** Plays lesson `id` from its `#lesson/ID/1` link through the buttons: every step waits, then
 * passes after "Do it"; every quiz question is answered right. Returns the number of steps. */
async function play(page, base, id, shots = {}) {
  await page.goto(`${base}#lesson/${id}/1`);
  const lesson = page.getByRole('region', { name: 'Lesson' });
  await lesson.getByRole('heading', { name: new RegExp(`^${id} `) }).waitFor();
  const steps = lesson.getByRole('list', { name: 'Steps' });
  const n = await steps.getByRole('listitem').count();
  assert.ok(n >= 4, `${id}: ${n} steps`);
  for (let i = 1; i <= n; i++) {
    const current = steps.locator('li[aria-current=step]');
    await current.getByText(`Step ${i}`, { exact: true }).waitFor();
    const doIt = current.getByRole('button', { name: 'Do it' });
    // Enabled once the sample is open and the earlier steps replayed (the Docker host too).
    await page.waitForFunction(() => {
      const b = document.querySelector('.step.current button.primary');
      return b && !b.disabled;
    }, null, { timeout: 120000 });
    await current.getByText('Waiting').waitFor();
    assert.equal(await current.getByText('Check passed').count(), 0, `${id} step ${i} passed before its action`);
    await doIt.click();
    await current.getByText('Check passed').waitFor({ timeout: 60000 });
    assert.match(page.url(), new RegExp(`#lesson/${id}/${i}$`));
    if (shots[i]) {
      await shot(page, shots[i]);
      // A docker step: the Docker host's terminal too.
      const out = page.getByRole('log', { name: 'Docker output' });
      if (await out.isVisible()) {
        await out.scrollIntoViewIfNeeded();
        await shot(page, `${shots[i]}-docker`);
      }
    }
    if (i < n) await lesson.getByRole('button', { name: 'Next step' }).click();
  }
  const quiz = lesson.getByRole('region', { name: 'Quiz' });
  await quiz.waitFor();
  const questions = quiz.locator('li.question');
  const q = await questions.count();
  assert.ok(q >= 1, `${id}: a quiz`);
  for (let k = 0; k < q; k++) {
    const text = await questions.nth(k).locator('p.q').innerText();
    const num = Object.keys(EN).find((key) => /^iq\.\d+\.q$/.test(key) && EN[key] === text).split('.')[1];
    await questions.nth(k).getByRole('button', { name: EN[`iq.${num}.right`], exact: true }).click();
    await questions.nth(k).getByText('Right.').waitFor();
  }
  await quiz.getByText(`Quiz: ${q} of ${q} answered right`).waitFor();
  return n;
}

test('every lesson plays from its link: each check passes after its action, each quiz is accepted', async () => {
  const t = await start();
  try {
    const { page, base } = t;
    const links = page.getByRole('list', { name: 'Lessons' }).getByRole('link');
    const ids = (await links.allInnerTexts()).map((x) => x.split(' ')[0]);
    assert.deepEqual(ids, ['L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7', 'L8', 'L9', 'L10', 'L11', 'L12', 'L13', 'L14']);
    const shots = { L2: { 2: 'lessons-en-L2-already-exists' }, L6: { 3: 'lessons-en-L6-union' }, L13: { 4: 'lessons-en-L13-cache' } };
    for (const id of ids) {
      const n = await play(page, base, id, shots[id]);
      await page.getByRole('list', { name: 'Lessons' }).getByText(`${n} of ${n} steps done`).first().waitFor();
    }
    // The Docker host printed the seed's pulls: three layers already existed.
    await page.getByRole('log', { name: 'Docker output' }).waitFor();
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});

test('a docker step opened by its link begins on a fresh Docker host with the earlier steps (L4 step 5, in Chinese)', async () => {
  const t = await start();
  try {
    const { page, base } = t;
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.goto(`${base}#lesson/L4/5`);
    await page.reload();
    const lesson = page.getByRole('region', { name: '课程' });
    const cur = lesson.locator('li[aria-current=step]');
    await cur.getByText('第 5 步').waitFor();
    await page.waitForFunction(() => {
      const b = document.querySelector('.step.current button.primary');
      return b && !b.disabled;
    }, null, { timeout: 120000 });
    // Steps 1-4 ran in the Docker host: both pulls, the removal of 5.0.
    const out = page.getByRole('log', { name: 'Docker 输出' });
    await out.getByText('Untagged: redis:5.0').waitFor();
    assert.equal(await out.getByText('Already exists').count() > 0, true);
    await cur.getByRole('button', { name: '执行' }).click();
    await cur.getByText('检查通过').waitFor({ timeout: 60000 });
    await out.getByText('Deleted: sha256:e5e910a7fc47', { exact: false }).first().waitFor();
    await shot(page, 'lessons-zh-L4-step5');
    await out.scrollIntoViewIfNeeded();
    await shot(page, 'lessons-zh-L4-step5-docker');
    // L5 and L13 in Chinese, for the screenshots.
    await page.goto(`${base}#lesson/L5/2`);
    const cur5 = page.getByRole('region', { name: '课程' }).locator('li[aria-current=step]');
    await cur5.getByText('第 2 步').waitFor();
    await page.waitForFunction(() => {
      const b = document.querySelector('.step.current button.primary');
      return b && !b.disabled;
    }, null, { timeout: 120000 });
    await cur5.getByRole('button', { name: '执行' }).click();
    await cur5.getByText('检查通过').waitFor({ timeout: 60000 });
    await shot(page, 'lessons-zh-L5-history');
    await page.getByRole('log', { name: 'Docker 输出' }).scrollIntoViewIfNeeded();
    await shot(page, 'lessons-zh-L5-history-docker');
    await page.goto(`${base}#lesson/L6/3`);
    const cur6 = page.getByRole('region', { name: '课程' }).locator('li[aria-current=step]');
    await cur6.getByText('第 3 步').waitFor();
    await page.waitForFunction(() => {
      const b = document.querySelector('.step.current button.primary');
      return b && !b.disabled;
    }, null, { timeout: 120000 });
    await cur6.getByRole('button', { name: '执行' }).click();
    await cur6.getByText('检查通过').waitFor();
    await shot(page, 'lessons-zh-L6-union');
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});

test('L11 and L14 from their links: the Inspect panel shows the shipped key, the Storage drivers panel the cost of each write, the diagram the copy-up, whiteout and opaque directory (both languages)', async () => {
  const t = await start({ height: 1300 });
  try {
    const { page, base } = t;
    const ready = () => page.waitForFunction(() => {
      const b = document.querySelector('.step.current button.primary');
      return b && !b.disabled;
    }, null, { timeout: 120000 });
    // L11 step 1: the efficiency figures of webapp, as the Inspect panel shows them.
    await page.goto(`${base}#lesson/L11/1`);
    const lesson = page.getByRole('region', { name: 'Lesson' });
    let cur = lesson.locator('li[aria-current=step]');
    await cur.getByText('Step 1', { exact: true }).waitFor();
    await ready();
    await cur.getByRole('button', { name: 'Do it' }).click();
    await cur.getByText('Check passed').waitFor({ timeout: 60000 });
    await page.locator('dd[data-k=score]', { hasText: '50.8669 %' }).waitFor();
    await page.getByRole('heading', { name: 'Efficiency' }).scrollIntoViewIfNeeded();
    await shot(page, 'lessons-en-L11-step1-efficiency');
    // L11 step 5: the key's bytes, as anyone who pulls the image gets them.
    await page.goto(`${base}#lesson/L11/5`);
    cur = lesson.locator('li[aria-current=step]');
    await cur.getByText('Step 5', { exact: true }).waitFor();
    await ready();
    await cur.getByText('Waiting').waitFor();
    await cur.getByRole('button', { name: 'Do it' }).click();
    await cur.getByText('Check passed').waitFor({ timeout: 60000 });
    await page.getByText('BEGIN OPENSSH PRIVATE KEY').first().waitFor();
    await shot(page, 'lessons-en-L11-step5');
    await page.getByRole('heading', { name: 'Deleted but shipped' }).scrollIntoViewIfNeeded();
    await shot(page, 'lessons-en-L11-step5-inspect');
    // L11 step 6: the flattened export leaves the key out; the layers still ship it.
    await page.goto(`${base}#lesson/L11/6`);
    cur = lesson.locator('li[aria-current=step]');
    await cur.getByText('Step 6', { exact: true }).waitFor();
    await ready();
    await cur.getByRole('button', { name: 'Do it' }).click();
    await cur.getByText('Check passed').waitFor({ timeout: 60000 });
    const flat = page.getByRole('region', { name: 'Flattened export' });
    await flat.getByText('still in layer 1').waitFor();
    await flat.scrollIntoViewIfNeeded();
    await shot(page, 'lessons-en-L11-step6-export');
    // L11 step 8: the whiteout, in the diagram.
    await page.goto(`${base}#lesson/L11/8`);
    cur = lesson.locator('li[aria-current=step]');
    await cur.getByText('Step 8', { exact: true }).waitFor();
    await ready();
    const diagram = page.getByRole('figure', { name: 'Layers diagram' });
    await diagram.waitFor();
    assert.equal(await diagram.getByText('whiteout: /app/main.sh').count(), 0);
    await cur.getByRole('button', { name: 'Do it' }).click();
    await cur.getByText('Check passed').waitFor({ timeout: 60000 });
    await diagram.getByText('whiteout: /app/main.sh hidden from the merged view').waitFor();
    await page.waitForTimeout(1500); // the animation ends
    await shot(page, 'lessons-en-L11-diagram-whiteout');
    // L14 step 1: a copy-up, priced on every driver; the diagram shows it travel.
    await page.goto(`${base}#lesson/L14/1`);
    cur = lesson.locator('li[aria-current=step]');
    await cur.getByText('Step 1', { exact: true }).waitFor();
    await ready();
    await cur.getByRole('button', { name: 'Do it' }).click();
    await cur.getByText('Check passed').waitFor({ timeout: 60000 });
    await diagram.getByText('copy-up: /data/model.bin from L6 into the container layer').waitFor();
    await shot(page, 'lessons-en-L14-step1-diagram-moving');
    await page.waitForTimeout(1500);
    await shot(page, 'lessons-en-L14-step1-diagram');
    await page.getByRole('button', { name: 'Storage drivers' }).scrollIntoViewIfNeeded();
    await shot(page, 'lessons-en-L14-step1-drivers');
    // The same drawing beside the Stack panel, from the same container.
    const stackDiagram = page.getByRole('figure', { name: 'Stack and container diagram' });
    await stackDiagram.getByText('copy-up: /data/model.bin from L6 into the container layer').waitFor();
    await stackDiagram.scrollIntoViewIfNeeded();
    await shot(page, 'lessons-en-L14-step1-stack-diagram');
    // Step 3: mv copies the directory's files up; the chips keep apart and wrap.
    await page.goto(`${base}#lesson/L14/3`);
    cur = lesson.locator('li[aria-current=step]');
    await cur.getByText('Step 3', { exact: true }).waitFor();
    await ready();
    await cur.getByRole('button', { name: 'Do it' }).click();
    await cur.getByText('Check passed').waitFor({ timeout: 60000 });
    await diagram.getByText('whiteout: /app/static hidden from the merged view').waitFor();
    await page.waitForTimeout(1500);
    await diagram.scrollIntoViewIfNeeded();
    await shot(page, 'lessons-en-L14-step3-chips');
    await stackDiagram.scrollIntoViewIfNeeded();
    await shot(page, 'lessons-en-L14-step3-stack-diagram');
    // Step 4 by its link: the opaque directory.
    await page.goto(`${base}#lesson/L14/4`);
    cur = lesson.locator('li[aria-current=step]');
    await cur.getByText('Step 4', { exact: true }).waitFor();
    await ready();
    await cur.getByRole('button', { name: 'Do it' }).click();
    await cur.getByText('Check passed').waitFor({ timeout: 60000 });
    await diagram.getByText('opaque directory: /app/static').waitFor();
    await page.waitForTimeout(1500);
    await shot(page, 'lessons-en-L14-step4-opaque');
    // Step 5 (myth 27): a read copies nothing; overlay2 reads the layer's one inode (page
    // cache sharing), devicemapper and btrfs the container's own copy.
    await page.goto(`${base}#lesson/L14/5`);
    cur = lesson.locator('li[aria-current=step]');
    await cur.getByText('Step 5', { exact: true }).waitFor();
    await ready();
    await cur.getByRole('button', { name: 'Do it' }).click();
    await cur.getByText('Check passed').waitFor({ timeout: 60000 });
    await page.getByText('so its pages are cached once (page cache sharing)').first().waitFor();
    await page.getByRole('button', { name: 'Storage drivers' }).scrollIntoViewIfNeeded();
    await shot(page, 'lessons-en-L14-step5-page-cache');
    // The same in Chinese.
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.goto(`${base}#lesson/L14/2`);
    await page.reload();
    const zh = page.getByRole('region', { name: '课程' });
    cur = zh.locator('li[aria-current=step]');
    await cur.getByText('第 2 步').waitFor();
    await ready();
    await cur.getByRole('button', { name: '执行' }).click();
    await cur.getByText('检查通过').waitFor({ timeout: 60000 });
    await page.getByRole('figure', { name: '分层示意图' }).getByText('白障：/etc/passwd').waitFor();
    await page.waitForTimeout(1500);
    await shot(page, 'lessons-zh-L14-step2');
    await page.getByRole('button', { name: '存储驱动', exact: true }).scrollIntoViewIfNeeded();
    await shot(page, 'lessons-zh-L14-step2-drivers');
    await page.goto(`${base}#lesson/L11/4`);
    cur = zh.locator('li[aria-current=step]');
    await cur.getByText('第 4 步').waitFor();
    await ready();
    await cur.getByRole('button', { name: '执行' }).click();
    await cur.getByText('检查通过').waitFor({ timeout: 60000 });
    await shot(page, 'lessons-zh-L11-step4');
    await page.getByRole('heading', { name: '效率' }).scrollIntoViewIfNeeded();
    await shot(page, 'lessons-zh-L11-step4-inspect');
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});
