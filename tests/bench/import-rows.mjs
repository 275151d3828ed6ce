// Benchmark: iterate a 200,000-row import job with the SDK's `importJobRows` and with a
// hand-written fetch + JSON.parse loop over the same endpoint, in the same page, alternating,
// and print the times and their ratio. Prints figures; asserts nothing about time.
import { chromium } from '../../tools/node_modules/playwright-core/index.mjs';

const base = process.env.NOMADIC_DASHBOARD_URL;
const apiKey = process.env.NOMADIC_TEST_API_KEY;
const total = Number(process.env.BENCH_ROWS || 200000);
const rounds = Number(process.env.BENCH_ROUNDS || 3);

const seeded = await fetch(`${base}/__emulator/import-jobs?api_key=${encodeURIComponent(apiKey)}`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ total }),
});
const { import_job_id: id } = await seeded.json();

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const page = await browser.newPage();
await page.goto(base + '/');
const result = await page.evaluate(async ({ id, apiKey, rounds }) => {
  const { default: init, NomadicClient } = await import('/pkg/index.js');
  await init();
  const client = new NomadicClient({ apiKey, baseUrl: location.origin });
  const sdk = async () => {
    let n = 0;
    for await (const row of client.video.importJobRows(id, { limit: 500 })) if (row.video_id) n++;
    return n;
  };
  const hand = async () => {
    let n = 0;
    let cursor = null;
    for (;;) {
      const url = `/api/import-jobs/${id}/videos?limit=500` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
      const res = await fetch(url, { headers: { 'X-API-Key': apiKey } });
      const page = JSON.parse(await res.text());
      for (const row of page.videos) if (row.video_id) n++;
      if (!page.has_more) break;
      cursor = page.next_cursor;
    }
    return n;
  };
  const time = async (f) => {
    const t = performance.now();
    const n = await f();
    return { ms: performance.now() - t, n };
  };
  await time(hand); // warm both paths (connections, JIT, wasm)
  await time(sdk);
  const runs = { sdk: [], hand: [] };
  for (let i = 0; i < rounds; i++) {
    for (const [name, f] of i % 2 ? [['sdk', sdk], ['hand', hand]] : [['hand', hand], ['sdk', sdk]]) {
      const r = await time(f);
      runs[name].push(r);
    }
  }
  return runs;
}, { id, apiKey, rounds });
await browser.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sdkMs = median(result.sdk.map((r) => r.ms));
const handMs = median(result.hand.map((r) => r.ms));
const rows = result.sdk[0].n;
if (rows !== total || result.hand[0].n !== total) throw new Error(`row counts: sdk ${rows}, hand ${result.hand[0].n}, want ${total}`);
console.log(`importJobRows over ${total} rows (500 a page, Chromium, ${rounds} alternating rounds, medians):`);
console.log(`  SDK for await:            ${sdkMs.toFixed(0)} ms (${(total / sdkMs).toFixed(0)} rows/ms)`);
console.log(`  hand-written fetch+parse: ${handMs.toFixed(0)} ms (${(total / handMs).toFixed(0)} rows/ms)`);
console.log(`  ratio SDK / hand-written: ${(sdkMs / handMs).toFixed(3)} (target at most 1.25)`);
