// Issue 11 (the page's part): `docker build` in the Docker panel's "Docker terminal" over the
// "Build context" the learner edits in the page (the Docker host's directory `context`). The
// classic builder's cache shows as Docker prints it: a changed file misses from its COPY on,
// an unchanged rebuild hits every step; a reload replays the edits and the builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start, shot, openDocker, transcript, docker } from './helpers.mjs';


// The host names the IDs its fixed clock makes as the oracle normalizes them (`<img12:3>`).
const ID = String.raw`(?:[0-9a-f]{12}|<\w+:\d+>)`;

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

    // Edit app.txt: the steps before the COPY come from the cache, the COPY and after do not.
    await app.fill('edited in the page\n');
    const b2 = await docker(page, 'docker build -t demo:2 context');
    const s2 = steps(b2);
    assert.equal(s2.length, 4, b2);
    assert.deepEqual(s2.map((s) => s.cached), [false, false, false, false], b2);
    assert.match(b2, /\nSuccessfully tagged demo:2\n$/, b2);
    // (FROM never says `Using cache`: a step before the COPY would; here FROM is the only one.)
    assert.ok(!/Using cache/.test(s2[0].text));

    // Unchanged: every step after FROM is cached.
    const b3 = await docker(page, 'docker build -t demo:2 context');
    const s3 = steps(b3);
    assert.deepEqual(s3.map((s) => s.cached), [false, true, true, true], b3);
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
    // Back to the 4-step Dockerfile for the reload below.
    await dockerfile.fill(original);


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
    assert.deepEqual(t.offOrigin, []);
    assert.deepEqual(t.errors, []);
  } finally {
    await t.close();
  }
});
