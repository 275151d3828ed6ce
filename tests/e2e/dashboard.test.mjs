// The dashboard served by the emulator, in headless Chromium: pick a video with its sidecar,
// watch it upload, see it listed with the duration read from the file, cancel an upload, delete.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from '../../tools/node_modules/playwright-core/index.mjs';
import { mp4 } from '../suite/helpers.js';

const base = process.env.NOMADIC_DASHBOARD_URL;
const key = process.env.NOMADIC_TEST_API_KEY;
let browser;
let page;

before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(base + '/');
  await page.locator('#health.ok').waitFor();
  assert.deepEqual(problems, []);
  await page.fill('#apiKey', key);
  await page.dispatchEvent('#apiKey', 'change');
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
  const listed = page.locator('#videos tbody tr', { hasText: 'dashcam.mp4' });
  await listed.waitFor();
  assert.match(await listed.textContent(), /7\.0 s/);
  await page.screenshot({ path: process.env.NOMADIC_SCREENSHOT || '/tmp/dashboard.png', fullPage: true });
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
  await page.screenshot({ path: process.env.NOMADIC_SCREENSHOT_IMPORT || '/tmp/dashboard-import.png', fullPage: true });
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
  await page.screenshot({ path: process.env.NOMADIC_SCREENSHOT_ANALYSIS || '/tmp/dashboard-analysis.png', fullPage: true });
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
  assert.match(await page.locator('#searchMatches li').first().textContent(), new RegExp(`${run}_b\\.mp4, event 0`));
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
  await page.screenshot({ path: process.env.NOMADIC_SCREENSHOT_PROMPT || '/tmp/dashboard-prompt.png', fullPage: true });
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
