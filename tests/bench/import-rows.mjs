// Paging a 200,000-row import job with the SDK's `importJobRows` against a hand-written fetch +
// JSON.parse loop over the same cursor pages of the same emulator, in headless Chromium and in
// Node, rounds interleaved.
import { interleaved, summary, launch } from './stats.mjs';

// Runs in the page and in Node alike: each way returns its time, having checked it saw every row.
async function measure({ id, apiKey, rounds, base, total, NomadicClient, interleaved }) {
  const client = new NomadicClient({ apiKey, baseUrl: base });
  const timed = (f) => async () => {
    const t = performance.now();
    const n = await f();
    const ms = performance.now() - t;
    if (n !== total) throw new Error(`a run saw ${n} rows, want ${total}`);
    return ms;
  };
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
  return interleaved({ sdk: timed(sdk), hand: timed(hand) }, rounds);
}

/** `{chromium, node}`, each `{sdk, hand}` summaries in ms and per-round `ratios`. */
export async function paging({ base, apiKey, total, rounds }) {
  const seeded = await fetch(`${base}/__emulator/import-jobs?api_key=${encodeURIComponent(apiKey)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ total }),
  });
  const { import_job_id: id } = await seeded.json();
  const args = { id, apiKey, rounds, base, total };
  const browser = await launch();
  let inChromium;
  try {
    const page = await browser.newPage();
    await page.goto(base + '/');
    inChromium = await page.evaluate(async ({ sources, args }) => {
      const { default: init, NomadicClient } = await import('/pkg/index.js');
      await init();
      const [measure, interleaved] = sources.map((s) => new Function(`return (${s})`)());
      return measure({ ...args, NomadicClient, interleaved });
    }, { sources: [measure.toString(), interleaved.toString()], args });
  } finally {
    await browser.close();
  }
  const { default: init, NomadicClient } = await import('../../pkg/node.js');
  await init();
  const inNode = await measure({ ...args, NomadicClient, interleaved });
  const shape = (runs) => ({
    sdk: summary(runs.sdk),
    hand: summary(runs.hand),
    ratios: runs.sdk.map((s, i) => s / runs.hand[i]),
  });
  return { chromium: shape(inChromium), node: shape(inNode) };
}
