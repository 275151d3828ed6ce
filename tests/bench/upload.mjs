// Benchmark: a disk-backed File picked through a real file input, sent by the SDK
// (`upload(file, {waitForUploaded: false})`) and by a hand-written XHR FormData POST of the same
// file to the same endpoint, in the same headless Chromium page, rounds interleaved (the order
// flips every round). Prints medians, spreads, MiB/s and the ratio; asserts nothing about time.
import { chromium } from '../../tools/node_modules/playwright-core/index.mjs';
import { mkdtempSync, openSync, writeSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.env.NOMADIC_DASHBOARD_URL;
const apiKey = process.env.NOMADIC_TEST_API_KEY;
const mib = Number(process.env.BENCH_UPLOAD_MIB || 256);
const rounds = Number(process.env.BENCH_UPLOAD_ROUNDS || 5);

// The file's bytes need not be a valid video: the measure ends when the server has the body.
const dir = mkdtempSync(join(tmpdir(), 'nomadic-upload-bench-'));
const path = join(dir, 'drive.mp4');
const fd = openSync(path, 'w');
const chunk = Buffer.alloc(1 << 20, 7);
for (let i = 0; i < mib; i++) writeSync(fd, chunk);
closeSync(fd);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const page = await browser.newPage();
  await page.goto(base + '/');
  await page.evaluate(() => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'bench-file';
    document.body.append(input);
  });
  await page.setInputFiles('#bench-file', path);
  const runs = await page.evaluate(async ({ apiKey, rounds }) => {
    const { default: init, NomadicClient } = await import('/pkg/index.js');
    await init();
    const client = new NomadicClient({ apiKey, baseUrl: location.origin });
    const file = document.getElementById('bench-file').files[0];
    // The same parts, in the same order, as the SDK sends (API.md §3).
    const sdk = () => client.upload(file, { waitForUploaded: false });
    const raw = () => new Promise((resolve, reject) => {
      const form = new FormData();
      form.append('source', 'file');
      form.append('firebase_collection_name', 'videos');
      form.append('scope', 'user');
      form.append('file', file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/upload-video');
      xhr.setRequestHeader('X-API-Key', apiKey);
      xhr.onload = () => (xhr.status < 300 ? resolve() : reject(new Error('status ' + xhr.status)));
      xhr.onerror = () => reject(new Error('network error'));
      xhr.send(form);
    });
    const time = async (f) => {
      const t = performance.now();
      await f();
      return performance.now() - t;
    };
    await time(raw);
    await time(sdk);
    const out = { sdk: [], raw: [] };
    for (let i = 0; i < rounds; i++) {
      for (const [name, f] of i % 2 ? [['sdk', sdk], ['raw', raw]] : [['raw', raw], ['sdk', sdk]]) {
        out[name].push(await time(f));
      }
    }
    return out;
  }, { apiKey, rounds });
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const spread = (xs) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)} ms`;
  const s = median(runs.sdk);
  const r = median(runs.raw);
  console.log(`upload of a ${mib} MiB picked File (.mp4, type matches), Chromium, ${rounds} interleaved rounds, medians:`);
  console.log(`  SDK upload(file):        ${s.toFixed(0)} ms (${spread(runs.sdk)}), ${(mib / (s / 1000)).toFixed(0)} MiB/s`);
  console.log(`  hand-written XHR post:   ${r.toFixed(0)} ms (${spread(runs.raw)}), ${(mib / (r / 1000)).toFixed(0)} MiB/s`);
  console.log(`  ratio SDK / hand-written: ${(s / r).toFixed(3)} (target at most 1.05)`);
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
