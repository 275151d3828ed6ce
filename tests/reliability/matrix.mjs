// The fault matrix and the upload soak, written once and run in Node and in a Chromium page
// (`reliability.test.mjs`). Every SDK method that talks to the service meets each fault on its
// request: 408, 429, 500, 502, 503, 504, 520, a dropped connection, a delay beyond the client's
// timeout, a slow first attempt, an answer lost after commit, and a body cut mid-way. Each must
// succeed, and change the emulator's state exactly as the same call without a fault does (its
// rows per table, from `GET /__emulator/counts`): nothing lost, nothing done twice.

/** `{fault name: emulator fault}`; `T` is the faulted client's per-request timeout. */
function faults(T) {
  return {
    408: { status: 408 },
    429: { status: 429 },
    500: { status: 500 },
    502: { status: 502 },
    503: { status: 503 },
    504: { status: 504 },
    520: { status: 520 },
    drop: { drop_connection: true },
    'delay beyond the timeout': { delay_ms: T + 300 },
    'slow first attempt': { slow_answer_ms: T + 600 },
    'answer lost after commit': { drop_after: true },
    'body cut mid-way': { cut_body_after: 10 },
  };
}

/** `helpers`: the suite's `mp4` writer and `admin` caller (tests/suite/helpers.js). */
export async function reliability({ NomadicClient, base, apiKey, adminToken, helpers, where }) {
  const { mp4 } = helpers;
  const admin = (method, path, body) => helpers.admin(base, method, path, body, adminToken);
  const video = (name) => new File([mp4(3, 64)], name, { type: 'video/mp4' });
  const run = 'rel' + Math.random().toString(36).slice(2, 8);
  let n = 0;
  const unique = () => `${run}-${++n}`;
  // Set-up calls go through a client with the default timeout, never faulted.
  const plain = new NomadicClient({ apiKey, baseUrl: base });
  const T = 600;
  const faulted = new NomadicClient({ apiKey, baseUrl: base, timeoutMs: T });
  // Uploads wait 20x the client's timeout: this one's is 1.2 s.
  const uploader = new NomadicClient({ apiKey, baseUrl: base, timeoutMs: 60 });
  const ask = { analysisType: 'rapid_review', customEvent: 'vehicles parked on the sidewalk' };

  // What the analyses and imports need, made once.
  const ready = (await plain.upload(video(`${run}-base.mp4`), { folder: run, pollIntervalMs: 50 })).video_id;
  const batch = await plain.analyze([ready], { ...ask, pollIntervalMs: 50 });
  const batchId = batch.batch_metadata.batch_id;
  await fetch(`${base}/__emulator/buckets/s3/sdk-s3/${run}/a.mp4`, { method: 'PUT', headers: { 'X-Emulator-Token': adminToken }, body: mp4(2, 10) });
  const job = await plain.upload([`s3://sdk-s3/${run}/a.mp4`]);
  await plain.video.waitForImportJob(job.import_job_id, { pollIntervalMs: 50 });

  // Each method: the request it makes that the fault hits, what to make first (not faulted),
  // and the call. `body`: whether its request carries a body (for the cut-body fault).
  const methods = [
    { name: 'verifyAuth', method: 'POST', path: '/api/keys/verify', body: false, call: () => faulted.verifyAuth() },
    { name: 'myVideos', method: 'GET', path: '/api/my-videos', call: () => faulted.myVideos({ folder: run }) },
    { name: 'createFolder', method: 'POST', path: '/api/folders', body: true, call: () => faulted.createFolder(unique()) },
    { name: 'getFolder', method: 'GET', path: '/api/folders/get', call: () => faulted.getFolder(run) },
    { name: 'upload(File)', method: 'POST', path: '/api/upload-video', body: true, call: () => uploader.upload(video(`${unique()}.mp4`), { waitForUploaded: false }) },
    {
      // The import runs on the emulator after the call: wait for it, so what it made is counted.
      name: 'upload(s3://)', method: 'POST', path: '/api/s3/upload', body: true,
      call: async () => plain.video.waitForImportJob((await faulted.upload([`s3://sdk-s3/${run}/a.mp4`])).import_job_id, { pollIntervalMs: 50 }),
    },
    {
      name: 'deleteVideo', method: 'DELETE', path: '/api/video/*', body: false,
      setup: async () => (await plain.upload(video(`${unique()}.mp4`), { waitForUploaded: false })).video_id,
      call: (id) => faulted.deleteVideo(id),
    },
    { name: 'getVideoUrl', method: 'POST', path: '/api/video/*/signed-url', body: true, call: () => faulted.getVideoUrl(ready) },
    { name: 'analyze (ASK)', method: 'POST', path: '/api/ask', body: true, call: () => faulted.analyze(ready, { ...ask, waitForCompletion: false }) },
    { name: 'analyze (agent)', method: 'POST', path: '/api/analyze-video-edge/*', body: true, call: () => faulted.analyze(ready, { analysisType: 'lane_change', waitForCompletion: false }) },
    { name: 'analyze (prompt, fast)', method: 'POST', path: '/api/router/query', body: true, call: () => faulted.analyze(ready, { prompt: 'cars on the sidewalk', mode: 'fast', pollIntervalMs: 50 }) },
    { name: 'analyze (prompt, thinking)', method: 'POST', path: '/api/router/v2/query/start', body: true, call: () => faulted.analyze(ready, { prompt: 'cars on the sidewalk', pollIntervalMs: 50 }) },
    { name: 'getBatchAnalysis', method: 'GET', path: `/api/batch/${batchId}/status`, call: () => faulted.getBatchAnalysis(batchId) },
    { name: 'addBatchMetadata', method: 'POST', path: `/api/batch/${batchId}/metadata`, body: true, call: () => faulted.addBatchMetadata(batchId, { [unique()]: 'x' }) },
    { name: 'generateStructuredOdd', method: 'POST', path: '/api/ask-question', body: true, call: () => faulted.generateStructuredOdd({ videoId: ready, reasoningTracePath: 'dev/t' }) },
    { name: 'search', method: 'POST', path: '/api/search-sessions/start', body: true, call: () => faulted.search('vehicles', { folderName: run }) },
    { name: 'getImportJob', method: 'GET', path: '/api/import-jobs/*', call: () => faulted.video.getImportJob(job.import_job_id) },
    { name: 'cloudIntegrations.list', method: 'GET', path: '/api/cloud-integrations', call: () => faulted.cloudIntegrations.list() },
    {
      name: 'cloudIntegrations.add', method: 'POST', path: '/api/cloud-integrations/s3', body: true,
      call: () => faulted.cloudIntegrations.add({ type: 's3', name: unique(), bucket: 'sdk-s3', region: 'us-east-1', credentials: { accessKeyId: 'AKIA0000', secretAccessKey: 'x' } }),
    },
  ];

  const counts = async () => {
    const c = await admin('GET', 'counts');
    delete c.idempotency; // what the emulator keeps about attempts, not what a call did
    return c;
  };
  const delta = (before, after) => Object.fromEntries(Object.keys(after).filter((k) => after[k] !== before[k]).map((k) => [k, after[k] - before[k]]));
  const effect = async (m, fault) => {
    const arg = m.setup ? await m.setup() : undefined;
    await admin('DELETE', 'faults');
    const before = await counts();
    if (fault) await admin('POST', 'faults', { method: m.method, path: m.path, times: 1, ...fault });
    let error = null;
    try {
      await m.call(arg);
    } catch (e) {
      error = `${e.name} (${e.code}): ${e.message}`;
    }
    const pending = (await admin('GET', 'faults')).length;
    // The delayed first attempt starts its work about when the client's retry does, and may still
    // be writing when the call returns: let it finish before counting. (A slow first attempt has
    // finished by then: the retry got its answer.)
    if (fault?.delay_ms) await new Promise((r) => setTimeout(r, 500));
    return { error, change: delta(before, await counts()), unused: pending > 0 };
  };

  const rows = [];
  for (const m of methods) {
    const reference = await effect(m, null);
    if (reference.error) throw new Error(`${where}: ${m.name} fails without any fault: ${reference.error}`);
    for (const [fname, fault] of Object.entries(faults(m.path === '/api/upload-video' ? 1200 : T))) {
      if (fname === 'body cut mid-way' && !m.body) continue;
      const got = await effect(m, fault);
      const same = JSON.stringify(got.change) === JSON.stringify(reference.change);
      rows.push({ method: m.name, fault: fname, ok: !got.error && same && !got.unused, error: got.error, change: got.change, want: reference.change, unused: got.unused });
    }
  }

  // The soak: 200 uploads in ten lists of twenty, four of each twenty meeting a fault.
  const soakFaults = [{ status: 503 }, { drop_connection: true }, { drop_after: true }, { cut_body_after: 10 }, { status: 429 }, { status: 502 }];
  const folder = `${run}-soak`;
  let failed = 0;
  // Why each failed upload failed, for the report (a failure is otherwise only a count).
  const soakErrors = [];
  for (let round = 0; round < 10; round++) {
    await admin('POST', 'faults', [0, 1, 2, 3].map((i) => ({ method: 'POST', path: '/api/upload-video', times: 1, ...soakFaults[(round * 4 + i) % soakFaults.length] })));
    const files = Array.from({ length: 20 }, (_, i) => video(`soak-${round}-${i}.mp4`));
    const results = await plain.upload(files, { folder, waitForUploaded: false, concurrency: 4 });
    const bad = results.filter((r) => r.status === 'failed');
    failed += bad.length;
    soakErrors.push(...bad.map((r) => `round ${round}: ${r.error}`));
  }
  const names = (await plain.myVideos({ folder })).map((v) => v.video_name);
  const soak = { uploads: 200, faults: 40, failed, stored: names.length, distinct: new Set(names).size };
  return { rows, soak, soakErrors };
}
