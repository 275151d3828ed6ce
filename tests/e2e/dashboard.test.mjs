// The dashboard served by the emulator, in headless Chromium: pick a video with its sidecar,
// watch it upload, see it listed with the duration read from the file, cancel an upload, delete.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../chromium.mjs';
import { mp4 } from '../suite/helpers.js';

const base = process.env.NOMADIC_DASHBOARD_URL;
const key = process.env.NOMADIC_TEST_API_KEY;
/** Where each panel's screenshot goes (`target/screenshots/` under cargo xtask test). */
const shots = process.env.NOMADIC_SCREENSHOT_DIR || '/tmp/dashboard-screenshots';
const shot = (name) => `${shots}/${name}.png`;
/** The emulator's request log entries for `path`. */
const logFor = async (path) => (await (await fetch(base + '/__emulator/requests')).json()).filter((e) => e.path === path);
let browser;
let page;

before(async () => {
  browser = await launch();
  page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(base + '/');
  await page.fill('#apiKey', key);
  await page.dispatchEvent('#apiKey', 'change');
  await page.locator('#health.ok').waitFor();
  assert.deepEqual(problems, []);
});

after(async () => {
  await browser?.close();
});

test('a picked video and its sidecar upload, list and delete', async () => {
  const folder = 'e2e' + Math.random().toString(36).slice(2, 8);
  await page.fill('#folder', folder);
  await page.dispatchEvent('#folder', 'change');
  await page.setInputFiles('#files', [
    { name: 'dashcam.mp4', mimeType: 'video/mp4', buffer: Buffer.from(mp4(7, 200000)) },
    { name: 'dashcam.json', mimeType: 'application/json', buffer: Buffer.from('{"fields": {}}') },
  ]);
  const row = page.locator('#uploads li').first();
  await row.locator('.state.ok').waitFor();
  assert.equal(await row.locator('.state').textContent(), 'uploaded');
  assert.equal(await row.locator('progress').evaluate((p) => p.value), 1);
  assert.match(await row.locator('.name').textContent(), /dashcam\.mp4 \+ dashcam\.json/);
  // What the file holds, read from it before it went up.
  assert.equal(await row.locator('.facts').textContent(), '640×360, 7 s, avc1');
  const listed = page.locator('#videos tbody tr', { hasText: 'dashcam.mp4' });
  await listed.waitFor();
  assert.match(await listed.textContent(), /7\.0 s/);
  await page.screenshot({ path: shot('upload'), fullPage: true });
  // Deleting asks first: dismissing keeps the video, accepting deletes it.
  page.once('dialog', (d) => d.dismiss());
  await listed.locator('button').click();
  await page.waitForTimeout(300);
  assert.equal(await listed.count(), 1, 'kept when the question is dismissed');
  page.once('dialog', (d) => {
    assert.match(d.message(), /Delete dashcam\.mp4\? This cannot be undone/);
    d.accept();
  });
  await listed.locator('button').click();
  await listed.waitFor({ state: 'detached' });
});

test('an upload can be cancelled', async () => {
  // Hold the request at the server so the upload is still running when we cancel.
  await fetch(base + '/__emulator/faults', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ method: 'POST', path: '/api/upload-video', delay_ms: 3000, times: 1 }),
  });
  await page.setInputFiles('#files', [{ name: 'long.mp4', mimeType: 'video/mp4', buffer: Buffer.from(mp4(60, 8 << 20)) }]);
  const row = page.locator('#uploads li', { hasText: 'long.mp4' });
  await row.locator('button').click();
  await row.locator('.state.error').waitFor();
  assert.equal(await row.locator('.state').textContent(), 'cancelled');
});

test('a bucket import shows its progress and its failed rows', async () => {
  const run = 'imp' + Math.random().toString(36).slice(2, 8);
  for (const k of ['a.mp4', 'b.mp4']) {
    const r = await fetch(`${base}/__emulator/buckets/s3/sdk-s3/${run}/${k}`, { method: 'PUT', body: Buffer.from(mp4(4, 100)) });
    assert.equal(r.status, 200);
  }
  await page.fill('#folder', run);
  await page.dispatchEvent('#folder', 'change');
  await page.fill('#uris', ['a.mp4', 'missing.mp4', 'b.mp4'].map((k) => `s3://sdk-s3/${run}/${k}`).join('\n'));
  await page.click('#startImport');
  await page.locator('#importState.ok').waitFor({ timeout: 30000 });
  assert.match(await page.locator('#importState').textContent(), /done, 2 uploaded, 1 failed/);
  assert.equal(await page.locator('#importBar').evaluate((p) => p.value), 1);
  const failed = page.locator('#failedRows tbody tr');
  assert.equal(await failed.count(), 1);
  assert.match(await failed.textContent(), /missing\.mp4.*not found/);
  await page.locator('#videos tbody tr', { hasText: 'b.mp4' }).waitFor();
  await page.screenshot({ path: shot('import'), fullPage: true });
});

test('analysis runs on selected videos, with a timeline, thumbnails, a filter, CSV and search', async () => {
  const run = 'ana' + Math.random().toString(36).slice(2, 8);
  const rules = [
    { match: { video_name: `${run}_b`, analysis_type: 'ask' }, events: [
      { t_start: 2, t_end: 6, category: 'Overtake', label: 'Red pickup truck overtaking', approval: 'approved', box: [0.2, 0.2, 0.4, 0.4] }] },
    { match: { video_name: run, analysis_type: 'ask' }, events: [
      { t_start: 1, t_end: 3, category: 'Parking', label: 'Van on sidewalk', approval: 'approved' },
      { t_start: 5, t_end: 8, category: 'Parking', label: 'Scooter', approval: 'rejected' }] },
  ];
  await fetch(base + '/__emulator/rules', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ rules }) });
  await page.fill('#folder', run);
  await page.dispatchEvent('#folder', 'change');
  await page.setInputFiles('#files', [
    { name: `${run}_a.mp4`, mimeType: 'video/mp4', buffer: Buffer.from(mp4(10, 100)) },
    { name: `${run}_b.mp4`, mimeType: 'video/mp4', buffer: Buffer.from(mp4(10, 100)) },
  ]);
  await page.locator('#videos tbody tr', { hasText: `${run}_b.mp4` }).waitFor();
  await page.locator('#videos tbody tr', { hasText: `${run}_a.mp4` }).waitFor();
  await page.check('#selectAll');
  assert.equal(await page.locator('#analysisType').inputValue(), 'prompt:thinking', 'prompt analysis is the default');
  await page.selectOption('#analysisType', 'rapid_review');
  await page.fill('#customEvent', 'anything on the road');
  await page.click('#runAnalysis');
  await page.locator('#analysisState.ok, #analysisState.error').waitFor({ timeout: 30000 });
  assert.equal(await page.locator('#analysisState').getAttribute('class'), 'ok', await page.locator('#analysisState').textContent());
  assert.equal(await page.locator('.video-result').count(), 2);
  assert.equal(await page.locator('.segment').count(), 3);
  const widths = await page.locator('.events img').evaluateAll((imgs) => Promise.all(imgs.map((i) => i.decode().then(() => i.naturalWidth))));
  assert.deepEqual(widths, [320, 320, 320]);
  await page.screenshot({ path: shot('analysis'), fullPage: true });
  await page.selectOption('#approvalFilter', 'rejected');
  await page.waitForFunction(() => document.querySelectorAll('.segment').length === 1);
  assert.match(await page.locator('.events li').first().textContent(), /Scooter/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#downloadCsv')]);
  const csv = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString());
  const lines = csv.split('\r\n');
  assert.equal(lines.length, 2, 'header and the one rejected event');
  assert.match(lines[1], /Scooter/);
  await page.fill('#searchQuery', 'red pickup truck overtaking');
  await page.click('#runSearch');
  await page.locator('#searchMatches li').first().waitFor();
  // The match says when its event happens (from the analysis shown before the filter).
  assert.match(await page.locator('#searchMatches li').first().textContent(), new RegExp(`${run}_b\\.mp4, event 1 at 00:02–00:06:`));
});

test('prompt analysis shows its reasoning while it runs, then the results', async () => {
  const run = 'pro' + Math.random().toString(36).slice(2, 8);
  const thinking = Array.from({ length: 12 }, (_, i) => `Checking the curb, pass ${i + 1}`);
  const rules = [{ match: { video_name: run }, thinking, summary: 'One van.', events: [
    { t_start: 1, t_end: 3, category: 'Parking', label: 'Van on sidewalk', approval: 'approved' }] }];
  await fetch(base + '/__emulator/rules', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ rules }) });
  await page.fill('#folder', run);
  await page.dispatchEvent('#folder', 'change');
  await page.setInputFiles('#files', [{ name: `${run}_a.mp4`, mimeType: 'video/mp4', buffer: Buffer.from(mp4(10, 100)) }]);
  await page.locator('#videos tbody tr', { hasText: `${run}_a.mp4` }).waitFor();
  await page.check('#selectAll');
  await page.selectOption('#analysisType', 'prompt:thinking');
  await page.fill('#customEvent', 'vans on the sidewalk');
  await page.click('#runAnalysis');
  // The first reasoning lines show while the analysis still runs (Run is disabled meanwhile).
  await page.locator('#thinking li', { hasText: 'pass 1' }).first().waitFor();
  assert.equal(await page.locator('#runAnalysis').isDisabled(), true, 'one analysis at a time');
  assert.notEqual(await page.locator('#analysisState').getAttribute('class'), 'ok');
  await page.locator('#analysisState.ok, #analysisState.error').waitFor({ timeout: 30000 });
  assert.equal(await page.locator('#analysisState').getAttribute('class'), 'ok', await page.locator('#analysisState').textContent());
  const lines = await page.locator('#thinking li').allTextContents();
  assert.deepEqual(lines.filter((l) => l.startsWith('Checking')), thinking, 'every line once, in order');
  assert.equal(await page.locator('.segment').count(), 1);
  assert.equal(await page.locator('#runAnalysis').isDisabled(), false);
  // Clicking the event's block (or Enter on it) plays the video from the event's start.
  await page.locator('.segment').first().focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('player').currentSrc.includes('/api/video-files/'));
  assert.equal(await page.locator('#player').evaluate((v) => v.currentTime), 1);
  assert.doesNotMatch(await page.locator('#player').evaluate((v) => v.currentSrc), /sdk-suite-key/);
  await page.screenshot({ path: shot('prompt-analysis'), fullPage: true });
});

test('the header tells a refused key and an unreachable API apart', async () => {
  await page.fill('#apiKey', 'not-the-key');
  await page.dispatchEvent('#apiKey', 'change');
  await page.locator('#health.error', { hasText: 'refused this key' }).waitFor();
  assert.doesNotMatch(await page.locator('#health').textContent(), /not-the-key/);
  // The API going away (requests fail at the network level) reads differently.
  await page.route('**/api/keys/verify', (r) => r.abort('connectionrefused'));
  await page.fill('#apiKey', key);
  await page.dispatchEvent('#apiKey', 'change');
  await page.locator('#health.error', { hasText: 'cannot reach the API' }).waitFor();
  await page.unroute('**/api/keys/verify');
  await page.dispatchEvent('#apiKey', 'change');
  await page.locator('#health.ok').waitFor();
  // A cleared key is a state, not an uncaught error.
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.fill('#apiKey', '');
  await page.dispatchEvent('#apiKey', 'change');
  await page.locator('#health.error').waitFor();
  await page.fill('#apiKey', key);
  await page.dispatchEvent('#apiKey', 'change');
  await page.locator('#health.ok').waitFor();
  assert.deepEqual(errors, []);
});

test('files the service would refuse are refused before any request', async () => {
  const before = (await logFor('/api/upload-video')).length;
  await page.setInputFiles('#files', [
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') },
    { name: 'clip.webm', mimeType: 'video/webm', buffer: Buffer.from('webm') },
    { name: 'lonely.json', mimeType: 'application/json', buffer: Buffer.from('{}') },
    { name: 'renamed.mp4', mimeType: 'video/mp4', buffer: Buffer.from('Meeting notes, saved with the wrong name.') },
  ]);
  const rows = page.locator('#uploads li', { has: page.locator('.state.error') });
  await page.locator('#uploads li', { hasText: 'lonely.json' }).waitFor();
  const renamed = page.locator('#uploads li', { hasText: 'renamed.mp4' });
  await renamed.locator('.state.error').waitFor();
  assert.match(await renamed.textContent(), /not uploaded: 'renamed\.mp4' is not an MP4 or MOV video: it is text/);
  const texts = await page.locator('#uploads li').evaluateAll((lis) => lis.slice(0, 4).map((li) => li.textContent));
  assert.match(texts.join('|'), /notes\.txt.*MP4 and MOV/);
  assert.match(texts.join('|'), /clip\.webm.*MP4 and MOV/);
  assert.match(texts.join('|'), /lonely\.json.*needs its video/);
  assert.ok((await rows.count()) >= 3);
  assert.equal((await logFor('/api/upload-video')).length, before, 'nothing was sent');
});

test('a failed analysis shows its reason, and a double click runs one analysis', async () => {
  const run = 'fai' + Math.random().toString(36).slice(2, 8);
  const rules = [
    { match: { video_name: `${run}_bad` }, fail: 'model overloaded, try again' },
    { match: { video_name: run }, summary: 'All clear.', events: [{ t_start: 1, t_end: 2, category: 'Road', label: 'Clear road' }] },
  ];
  await fetch(base + '/__emulator/rules', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ rules }) });
  await page.fill('#folder', run);
  await page.dispatchEvent('#folder', 'change');
  await page.setInputFiles('#files', [
    { name: `${run}_bad.mp4`, mimeType: 'video/mp4', buffer: Buffer.from(mp4(6, 100)) },
    { name: `${run}_ok.mp4`, mimeType: 'video/mp4', buffer: Buffer.from(mp4(6, 100)) },
  ]);
  await page.locator('#videos tbody tr', { hasText: `${run}_bad.mp4` }).waitFor();
  await page.locator('#videos tbody tr', { hasText: `${run}_ok.mp4` }).waitFor();
  await page.uncheck('#selectAll');
  // Nothing ticked: the page says what to do, in its own words, and sends nothing.
  await page.click('#runAnalysis');
  assert.match(await page.locator('#analysisState.error').textContent(), /Tick at least one video/);
  await page.check('#selectAll');
  await page.selectOption('#analysisType', 'prompt:fast');
  await page.fill('#customEvent', 'anything unusual');
  await fetch(base + '/__emulator/requests', { method: 'DELETE' });
  await page.dblclick('#runAnalysis');
  await page.locator('#analysisState.ok, #analysisState.error').waitFor({ timeout: 30000 });
  assert.equal((await logFor('/api/router/query')).length, 1, 'one analysis for a double click');
  assert.match(await page.locator('#analysisState').textContent(), /1 of 2 video\(s\) failed/);
  const bad = page.locator('.video-result', { hasText: `${run}_bad.mp4` });
  assert.match(await bad.locator('.error').textContent(), /model overloaded, try again/);
  assert.match(await page.locator('.video-result', { hasText: `${run}_ok.mp4` }).textContent(), /All clear\./);
  await page.screenshot({ path: shot('failed-analysis'), fullPage: true });
  // The analysis is kept in this browser: after a reload it can be shown again.
  await page.reload();
  await page.fill('#apiKey', key);
  await page.dispatchEvent('#apiKey', 'change');
  await page.locator('#health.ok').waitFor();
  await page.fill('#folder', run);
  await page.dispatchEvent('#folder', 'change');
  await page.locator('#videos tbody tr', { hasText: `${run}_ok.mp4` }).waitFor();
  const first = await page.locator('#history option').nth(1).getAttribute('value');
  assert.ok(first && first.startsWith('batch_'), 'the newest analysis is listed first');
  await page.selectOption('#history', first);
  await page.locator('.video-result', { hasText: `${run}_ok.mp4` }).waitFor();
  assert.match(await page.locator('.video-result', { hasText: `${run}_ok.mp4` }).locator('.axis').textContent(), /0 s/);
});

test('search runs on Enter', async () => {
  // After a reload nothing is shown: the matches' times come from the analyses kept in this browser.
  const [folder, scope] = [await page.inputValue('#folder'), await page.inputValue('#scope')];
  await page.reload();
  await page.fill('#apiKey', key);
  await page.dispatchEvent('#apiKey', 'change');
  await page.fill('#folder', folder);
  await page.selectOption('#scope', scope);
  await page.dispatchEvent('#folder', 'change');
  await page.fill('#searchQuery', 'clear road');
  await page.locator('#searchQuery').press('Enter');
  await page.locator('#searchMatches li').first().waitFor();
  // Each match shows its event's thumbnail and plays the video from the event's start.
  await page.locator('#searchMatches li img.thumb').first().waitFor();
  assert.match(await page.locator('#searchMatches li').first().textContent(), /, event 1 at \S+–\S+: /);
  await page.locator('#searchMatches li button').first().click();
  await page.waitForFunction(() => document.getElementById('player').currentSrc.includes('/api/video-files/'));
  assert.equal(await page.locator('#player').evaluate((v) => v.currentTime), 1);
  await page.screenshot({ path: shot('search'), fullPage: true });
});

test('no serious accessibility violations, and no sideways scrolling at 360 px', async () => {
  await page.addScriptTag({ path: new URL('../../tools/node_modules/axe-core/axe.min.js', import.meta.url).pathname });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), []);
  await page.setViewportSize({ width: 360, height: 780 });
  const widths = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
    [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .slice(0, 8)
      .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`),
  ]);
  assert.ok(widths[0] <= widths[1], `page is ${widths[0]} px wide in a ${widths[1]} px window: ${widths[2].join(', ')}`);
  await page.screenshot({ path: shot('phone-360'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('the browser key policy holds in a module worker too', async () => {
  const results = await page.evaluate(async () => {
    // A module worker that loads the served package and tries three clients.
    const source = `
      import init, { NomadicClient } from '${location.origin}/pkg/index.js';
      await init();
      const attempt = (options) => {
        try {
          new NomadicClient(options);
          return 'made';
        } catch (e) {
          return e.name + ': ' + e.message;
        }
      };
      postMessage([
        attempt({ apiKey: 'k-worker', baseUrl: 'https://api.example.com' }),
        attempt({ apiKey: 'k-worker', baseUrl: 'https://api.example.com', dangerouslyAllowBrowser: true }),
        attempt({ apiKey: 'k-worker', baseUrl: location.origin }),
      ]);
    `;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url, { type: 'module' });
    try {
      return await new Promise((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(e.message || 'worker failed'));
      });
    } finally {
      worker.terminate();
    }
  });
  assert.match(results[0], /^ValidationError: .*dangerouslyAllowBrowser/);
  assert.ok(!results[0].includes('k-worker'));
  assert.deepEqual(results.slice(1), ['made', 'made']);
});
