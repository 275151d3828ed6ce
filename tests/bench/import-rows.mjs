// Benchmark: iterate a 200,000-row import job with the SDK's `importJobRows` and with a
// hand-written fetch + JSON.parse loop over the same cursor pages of the same emulator, in
// headless Chromium and in Node, rounds interleaved (the order flips every round), and print
// medians, spreads and the SDK / hand-written ratio. Prints figures; asserts nothing about time.
import { chromium } from '../../tools/node_modules/playwright-core/index.mjs';

const base = process.env.NOMADIC_DASHBOARD_URL;
const apiKey = process.env.NOMADIC_TEST_API_KEY;
const total = Number(process.env.BENCH_ROWS || 200000);
const rounds = Number(process.env.BENCH_ROUNDS || 7);

const seeded = await fetch(`${base}/__emulator/import-jobs?api_key=${encodeURIComponent(apiKey)}`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ total }),
});
const { import_job_id: id } = await seeded.json();

// Runs in the page and in Node alike: `sdk` and `hand` count the rows they saw.
async function measure({ id, apiKey, rounds, base, NomadicClient }) {
  const client = new NomadicClient({ apiKey, baseUrl: base });
  const sdk = async () => {
    let n = 0;
    for await (const row of client.video.importJobRows(id, { limit: 500 })) if (row.video_id) n++;
    return n;
  };
  const hand = async () => {
    let n = 0;
    let cursor = null;
    for (;;) {
      const url = `${base}/api/import-jobs/${id}/videos?limit=500` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
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
      runs[name].push(await time(f));
    }
  }
  return runs;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const page = await browser.newPage();
await page.goto(base + '/');
const inChromium = await page.evaluate(async ({ source, args }) => {
  const { default: init, NomadicClient } = await import('/pkg/index.js');
  await init();
  const measure = new Function(`return (${source})`)();
  return measure({ ...args, NomadicClient });
}, { source: measure.toString(), args: { id, apiKey, rounds, base: base } });
await browser.close();

const { default: init, NomadicClient } = await import('../../pkg/node.js');
await init();
const inNode = await measure({ id, apiKey, rounds, base, NomadicClient });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const report = (where, runs) => {
  for (const r of [...runs.sdk, ...runs.hand]) {
    if (r.n !== total) throw new Error(`${where}: a run saw ${r.n} rows, want ${total}`);
  }
  const ms = (xs) => xs.map((r) => r.ms);
  const sdkMs = median(ms(runs.sdk));
  const handMs = median(ms(runs.hand));
  const spread = (xs) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)} ms`;
  const ratios = runs.sdk.map((r, i) => r.ms / runs.hand[i].ms);
  console.log(`${where}:`);
  console.log(`  SDK for await:            median ${sdkMs.toFixed(0)} ms (${spread(ms(runs.sdk))}), ${(total / sdkMs).toFixed(0)} rows/ms`);
  console.log(`  hand-written fetch+parse: median ${handMs.toFixed(0)} ms (${spread(ms(runs.hand))}), ${(total / handMs).toFixed(0)} rows/ms`);
  console.log(`  ratio SDK / hand-written: ${(sdkMs / handMs).toFixed(3)} (per-round ratios ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}; target at most 1.05)`);
};
console.log(`importJobRows over ${total} rows, 500 a page, ${rounds} interleaved rounds each, medians:`);
report('Chromium', inChromium);
report('Node ' + process.version, inNode);
