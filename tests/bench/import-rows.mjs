// Paging a 200,000-row import job with the SDK's `importJobRows` against a hand-written fetch +
// JSON.parse loop over the same cursor pages of the same emulator, in headless Chromium and in
// Node, rounds interleaved.
import { interleaved, summary, launch } from './stats.mjs';

// Runs in the page and in Node alike: each way returns its time, having checked it saw every row.
// In Node, `cpu` reads the process's CPU time (ms), so each run also records what it cost the
// client's own thread: steadier than the wall time on a shared machine.
async function measure({ id, apiKey, rounds, base, total, NomadicClient, interleaved, cpu }) {
  const client = new NomadicClient({ apiKey, baseUrl: base });
  const spent = { sdk: [], hand: [], contract: [], request: [] };
  const timed = (name, f) => async () => {
    const c = cpu ? cpu() : 0;
    const t = performance.now();
    const n = await f();
    const ms = performance.now() - t;
    if (cpu) spent[name].push(cpu() - c);
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
  // What any client with the SDK's contracts pays, written by hand: each request carries the
  // SDK's headers (key, bearer, client type and version, a fresh request id), sees redirects
  // rather than following them while it holds the key, and has its own time limit (an
  // AbortSignal); rows come one `for await` step at a time from a buffered page. Its ratio to
  // `hand` is the floor under the SDK's. `viaRequest` hands `fetch` a `Request` object instead
  // of a URL and options, as gloo-net (the stack's sender) does: Node's `fetch` then copies it
  // into a second `Request` with a second signal, a floor under any SDK that sends through it.
  const floor = (viaRequest) => async () => {
    let n = 0;
    let cursor = null;
    let more = true;
    let buffer = [];
    let i = 0;
    const refill = async () => {
      while (more) {
        const url = `${base}/api/import-jobs/${id}/videos?limit=500` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
        const headers = {
          'X-API-Key': apiKey,
          Authorization: `Bearer ${apiKey}`,
          'X-Client-Type': 'SDK',
          'X-Client-Version': '0.1.0',
          'X-Request-ID': crypto.randomUUID(),
        };
        const init = { headers, redirect: 'manual', signal: AbortSignal.timeout(900000) };
        const res = await (viaRequest ? fetch(new Request(url, init)) : fetch(url, init));
        const page = JSON.parse(await res.text());
        more = page.has_more === true;
        cursor = page.next_cursor;
        buffer = page.videos;
        i = 0;
        if (buffer.length) return { value: buffer[i++], done: false };
      }
      return { value: undefined, done: true };
    };
    const rows = {
      [Symbol.asyncIterator]: () => ({
        next: () => (i < buffer.length ? Promise.resolve({ value: buffer[i++], done: false }) : refill()),
      }),
    };
    for await (const row of rows) if (row.video_id) n++;
    return n;
  };
  const runs = await interleaved({
    sdk: timed('sdk', sdk),
    hand: timed('hand', hand),
    contract: timed('contract', floor(false)),
    request: timed('request', floor(true)),
  }, rounds);
  // The warm-up run of each way is not a round.
  return { ...runs, cpu: cpu ? Object.fromEntries(Object.entries(spent).map(([k, v]) => [k, v.slice(1)])) : null };
}

/**
 * `{chromium, node}`, each `{sdk, hand, contract, request}` summaries in ms with per-round
 * `ratios` (sdk / hand), `floorRatios` (contract / hand) and `requestRatios` (request / hand);
 * Node's also `cpu`, the client's CPU time per run of each way (summaries in ms).
 */
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
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const inNode = await measure({ ...args, NomadicClient, interleaved, cpu });
  const shape = (runs) => ({
    sdk: summary(runs.sdk),
    hand: summary(runs.hand),
    contract: summary(runs.contract),
    ratios: runs.sdk.map((s, i) => s / runs.hand[i]),
    floorRatios: runs.contract.map((s, i) => s / runs.hand[i]),
    request: summary(runs.request),
    requestRatios: runs.request.map((s, i) => s / runs.hand[i]),
    cpu: runs.cpu && Object.fromEntries(Object.entries(runs.cpu).map(([k, v]) => [k, summary(v)])),
  });
  return { chromium: shape(inChromium), node: shape(inNode) };
}
