// Issue 11 (the page's part): `docker build` in the Docker panel's "Docker terminal" over the
// "Build context" the learner edits in the page (the Docker host's directory `context`). The
// classic builder's cache shows as Docker prints it: a changed file misses from its COPY on,
// an unchanged rebuild hits every step; a reload replays the edits and the builds. The "Build
// steps" region plays each build out: the RUN step's container with its copy-ups and new files,
// the committed layers joining the image's stack, the cache hits marked; IDs are real, the ones
// the transcript and "Images" show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, shot, openDocker, transcript, docker } from './helpers.mjs';


// The page prints IDs as a daemon does: 12 hex where Docker shortens them.
const ID = String.raw`[0-9a-f]{12}`;

/** The "Build steps" region's steps once it has played the build out: [{ name, text, cached }]. */
async function buildSteps(page, n) {
  const region = page.getByRole('region', { name: 'Build steps' });
  await region.getByText(`${n} steps`, { exact: true }).waitFor();
  const items = region.getByRole('list', { name: 'Steps' }).locator(':scope > li');
  const out = [];
  for (let i = 0; i < await items.count(); i++) {
    const li = items.nth(i);
    out.push({
      name: await li.getAttribute('aria-label'),
      text: await li.innerText(),
      cached: await li.getByText('Using cache', { exact: true }).count() === 1,
    });
  }
  return out;
}

/** A build's steps: [{ step: 'COPY app.txt /app/', cached: bool, text }]. */
function steps(out) {
  return out.split(/^Step \d+\/\d+ : /m).slice(1).map((text) => ({
    step: text.split('\n')[0],
    cached: /^ ---> Using cache$/m.test(text),
    text,
  }));
}

test('docker build over the edited "Build context": every step, then the cache from the changed COPY on, then all cached', async () => {
  const t = await start({ height: 1300 });
  try {
    const { page } = t;
    await openDocker(page);
    const ctx = page.getByRole('region', { name: 'Build context' });
    const dockerfile = ctx.getByRole('textbox', { name: 'Dockerfile', exact: true });
    const app = ctx.getByRole('textbox', { name: 'app.txt', exact: true });
    assert.match(await dockerfile.inputValue(), /^FROM webapp:1\.0\nCOPY app\.txt \/app\/\nRUN .+\nCMD \[.+\]\n$/);
    assert.equal(await app.inputValue(), 'hello from the build context\n');
    const original = await dockerfile.inputValue();

    // Tab completes `build` from the core.
    const input = page.getByRole('textbox', { name: 'Docker terminal' });
    await input.fill('docker bu');
    await input.press('Tab');
    await page.waitForFunction(() => document.querySelector('[aria-label="Docker terminal"]').value === 'docker build ');
    await input.fill('');

    // The first build: the base is pulled, and every step runs.
    const b1 = await docker(page, 'docker build -t demo:1 context');
    assert.match(b1, /^Sending build context to Docker daemon {2}[\d.]+kB\n/, b1);
    const s1 = steps(b1);
    assert.deepEqual(s1.map((s) => s.step), ['FROM webapp:1.0', 'COPY app.txt /app/', s1[2].step, s1[3].step]);
    assert.match(s1[2].step, /^RUN /);
    assert.match(s1[3].step, /^CMD /);
    assert.ok(s1.every((s) => !s.cached), b1);
    assert.match(s1[2].text, new RegExp(`^ ---> Running in ${ID}\n`, 'm'), b1);
    assert.match(b1, new RegExp(`\nSuccessfully built ${ID}\nSuccessfully tagged demo:1\n$`), b1);
    assert.doesNotMatch(b1, /Using cache/);
    assert.doesNotMatch(b1, /<\w+:\w+>/, b1);

    // "Build steps" plays the build: mid-build first ("Show all" offered), then all of it.
    const region = page.getByRole('region', { name: 'Build steps' });
    await region.getByRole('button', { name: 'Show all' }).waitFor();
    await region.getByText(/^Step 3 of 4…/).waitFor();
    await region.scrollIntoViewIfNeeded();
    await page.waitForTimeout(400);
    await shot(page, 'build-steps-playing');
    const r1 = await buildSteps(page, 4);
    assert.deepEqual(r1.map((s) => s.name), ['Step 1/4: FROM webapp:1.0', 'Step 2/4: COPY app.txt /app/', `Step 3/4: ${s1[2].step}`, `Step 4/4: ${s1[3].step}`]);
    assert.ok(r1.every((s) => !s.cached));
    // The RUN step: its container (the ID the transcript printed), its changes, its layer.
    const runCtr = s1[2].text.match(new RegExp(`^ ---> Running in (${ID})$`, 'm'))[1];
    assert.match(r1[2].text, new RegExp(`Container ${runCtr} created`), r1[2].text);
    const runChanges = region.getByRole('list', { name: `Changes in container ${runCtr}` });
    assert.deepEqual(await runChanges.getByRole('listitem').allInnerTexts(), ['copy-up /tmp/', 'new /tmp/size.txt']);
    assert.match(r1[2].text, /Committed: layer [0-9a-f]{12} \(\d+B\) joins the stack/, r1[2].text);
    assert.match(r1[2].text, new RegExp(`Removed intermediate container ${runCtr}`));
    // The COPY step: the new file in a copied-up /app, a layer; CMD: a history row only.
    assert.match(r1[1].text, /(copy-up|new) \/app\/\s+new \/app\/app\.txt/, r1[1].text);
    assert.match(r1[1].text, /Committed: layer [0-9a-f]{12} \(\d+B\)/, r1[1].text);
    assert.match(r1[3].text, /History row only/, r1[3].text);
    // The stack: the base's layers and the two this build made (marked new), top first.
    const built1 = b1.match(new RegExp(`Successfully built (${ID})`))[1];
    assert.match(r1[3].text, new RegExp(`Image ${built1}`));
    const stack = region.getByRole('list', { name: 'Image layers' }).getByRole('listitem');
    assert.equal(await stack.count(), 9);
    const marks = async () => (await stack.allInnerTexts()).map((s) => (s.match(/\b(new|cache)$/) || [''])[0]);
    assert.deepEqual(await marks(), ['new', 'new', '', '', '', '', '', '', '']);
    // The image "Images" lists is the one built.
    assert.match(await page.getByRole('list', { name: 'Images' }).getByRole('listitem').filter({ hasText: 'demo:1' }).innerText(), new RegExp(`demo:1 ${built1} · `));
    await shot(page, 'build-steps-done');

    // Edit app.txt: the steps before the COPY come from the cache, the COPY and after do not.
    await app.fill('edited in the page\n');
    const b2 = await docker(page, 'docker build -t demo:2 context');
    const s2 = steps(b2);
    assert.equal(s2.length, 4, b2);
    assert.deepEqual(s2.map((s) => s.cached), [false, false, false, false], b2);
    assert.match(b2, /\nSuccessfully tagged demo:2\n$/, b2);
    // (FROM never says `Using cache`: a step before the COPY would; here FROM is the only one.)
    assert.ok(!/Using cache/.test(s2[0].text));
    assert.deepEqual((await buildSteps(page, 4)).map((s) => s.cached), [false, false, false, false]);

    // Unchanged: every step after FROM is cached.
    const b3 = await docker(page, 'docker build -t demo:2 context');
    const s3 = steps(b3);
    assert.deepEqual(s3.map((s) => s.cached), [false, true, true, true], b3);
    // The region marks the same steps "Using cache": no container, no commit for them.
    await region.getByRole('button', { name: 'Show all' }).click();
    const r3 = await buildSteps(page, 4);
    assert.deepEqual(r3.map((s) => s.cached), [false, true, true, true]);
    assert.ok(r3.slice(1).every((s) => !/Container|Committed/.test(s.text)), r3.map((s) => s.text).join('\n---\n'));
    // Its layers came from the cache (the rebuild before made them).
    assert.deepEqual(await marks(), ['cache', 'cache', '', '', '', '', '', '', '']);
    await region.scrollIntoViewIfNeeded();
    await shot(page, 'build-steps-cached');
    // The picture: the rebuild all from cache in the terminal, the edited file in the editor.
    await page.locator('.docker-term').scrollIntoViewIfNeeded();
    await shot(page, 'docker-build');
    assert.equal(b3.match(new RegExp(`Successfully built (${ID})`))[1], b2.match(new RegExp(`Successfully built (${ID})`))[1]);

    // History has the COPY and RUN rows; the image holds the edited text.
    const hist = await docker(page, 'docker history demo:2');
    assert.match(hist, /^IMAGE +CREATED +CREATED BY +SIZE +COMMENT\n/);
    assert.match(hist, /\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]+/, hist);
    assert.match(hist, /\/bin\/sh -c wc -c/, hist);
    assert.equal(await docker(page, 'docker run --name b demo:2 cat /app/app.txt'), 'edited in the page\n');
    assert.equal(await docker(page, 'docker run --name a demo:1 cat /app/app.txt'), 'hello from the build context\n');

    // `.` builds the same context; another directory is not there.
    const dot = steps(await docker(page, 'docker build -t demo:dot .'));
    assert.deepEqual(dot.map((s) => s.cached), [false, true, true, true]);
    assert.equal(await docker(page, 'docker build nope'), 'unable to prepare context: path "nope" not found\n');

    // A new file joins the context; a deleted one leaves it (a COPY of it fails as Docker's does).
    await ctx.getByRole('textbox', { name: 'New file path' }).fill('conf/extra.txt');
    await ctx.getByRole('button', { name: 'New file' }).click();
    const extra = ctx.getByRole('textbox', { name: 'conf/extra.txt', exact: true });
    await extra.fill('extra\n');
    // A path the context has (a file or a directory) is refused, with a sentence.
    await ctx.getByRole('textbox', { name: 'New file path' }).fill('conf');
    await ctx.getByRole('button', { name: 'New file' }).click();
    assert.equal(await ctx.getByRole('alert').innerText(), 'context/conf is already a file or a directory of the build context');
    assert.equal(await extra.inputValue(), 'extra\n');
    await dockerfile.fill('FROM webapp:1.0\nCOPY conf /conf\nCMD ["cat", "/conf/extra.txt"]\n');
    const b4 = await docker(page, 'docker build -t demo:3 context');
    assert.match(b4, /Successfully tagged demo:3\n$/, b4);
    assert.equal(await docker(page, 'docker run --name c demo:3'), 'extra\n');
    await ctx.getByRole('button', { name: 'Delete conf/extra.txt' }).click();
    await extra.waitFor({ state: 'detached' });
    assert.match(await docker(page, 'docker build -t demo:4 context'), /file not found in build context or excluded by \.dockerignore: stat conf: file does not exist\n$/);
    // Back to the 4-step Dockerfile for the reload below; a command after it is a sync point
    // (the worker takes items in order), so the edit is in the journal before the reload.
    await dockerfile.fill(original);
    await docker(page, 'docker images -q demo:1');


    // A reload replays the edits and the builds: the context and the images come back the same.
    await page.reload();
    await page.getByText('worker ready').waitFor();
    await page.getByRole('textbox', { name: 'Docker terminal' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[aria-label="Containers"] li').length === 3);
    assert.equal(await page.getByRole('region', { name: 'Build context' }).getByRole('textbox', { name: 'app.txt', exact: true }).inputValue(), 'edited in the page\n');
    assert.equal(await page.getByRole('region', { name: 'Build context' }).getByRole('textbox', { name: 'conf/extra.txt', exact: true }).count(), 0);
    const again = await docker(page, 'docker build -t demo:2 context');
    assert.deepEqual(steps(again).map((s) => s.cached), [false, true, true, true], again);
    assert.equal(again.match(new RegExp(`Successfully built (${ID})`))[1], b2.match(new RegExp(`Successfully built (${ID})`))[1]);
    // With reduced motion the finished view shows at once (no replay, no "Show all").
    await page.emulateMedia({ reducedMotion: 'reduce' });
    const b5 = await docker(page, 'docker build --no-cache -t demo:5 context');
    assert.match(b5, /Successfully tagged demo:5\n$/, b5);
    const r5 = page.getByRole('region', { name: 'Build steps' });
    assert.equal(await r5.getByText('4 steps', { exact: true }).count(), 1);
    assert.equal(await r5.getByRole('button', { name: 'Show all' }).count(), 0);
    assert.equal(await r5.getByText('Using cache').count(), 0);
    assert.deepEqual(t.offOrigin, []);
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});
