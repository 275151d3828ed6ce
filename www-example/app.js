// The dashboard: pick or drop videos (JSON sidecars paired by base name), upload them with
// per-file progress and cancel, list the folder's videos, delete one. Everything goes through
// the SDK; the page is served by the emulator, so the API is same-origin.
import init, { NomadicClient, AbortError, AuthenticationError, AnalysisType, CustomCategory, probeVideo } from './pkg/index.js';

const $ = (id) => document.getElementById(id);
// The containers the service analyses (it refuses others after the whole upload).
const VIDEO = /\.(mp4|mov)$/i;
const stem = (name) => name.replace(/\.[^.]*$/, '');

await init();
let client;
function connect() {
  const apiKey = $('apiKey').value.trim();
  // Without a key the client still works against a proxy that adds one; the badge says so.
  client = new NomadicClient(apiKey ? { apiKey, baseUrl: location.origin } : { baseUrl: location.origin });
}
connect();
$('apiKey').addEventListener('change', () => {
  connect();
  health();
  refresh();
});

/** What to tell a person about an SDK error: chosen by its stable code, not its message text
 * (messages of invalid input already say what to fix, so they are shown as they are). */
function friendly(e) {
  switch (e && e.code) {
    case 'auth_failed':
      return 'The API refused the key: check it in Settings.';
    case 'network':
      return 'Cannot reach the API: check that the emulator (or your proxy) is running.';
    case 'rate_limited':
      return 'The service is busy: try again in a minute.';
    case 'server_error':
      return 'The service failed to answer: try again.';
    case 'timeout':
      return 'No answer in time: try again.';
    case 'aborted':
      return 'Cancelled.';
    case 'not_found':
      return 'Not found: it may have been deleted, or it is in the other scope.';
    case 'upload_failed':
      return `The video could not be processed (${e.message}).`;
    case 'analysis_failed':
      return `The analysis failed: ${e.message.replace(/^the analysis failed: /, '')}.`;
    default:
      return e && e.message ? e.message : String(e);
  }
}

const badge = (text, cls) => {
  $('health').textContent = text;
  $('health').className = cls;
};

/** The header badge: is the API reachable, and does it accept the key? */
async function health() {
  try {
    await client.verifyAuth();
    badge('connected, key accepted', 'ok');
  } catch (e) {
    if (e instanceof AuthenticationError) badge('the API refused this key: check it in Settings', 'error');
    else badge(friendly(e), 'error');
  }
}
setInterval(health, 15000);

/** Pairs each video with the .json file of the same base name, if any. */
function pair(files) {
  const sidecars = new Map(files.filter((f) => /\.json$/i.test(f.name)).map((f) => [stem(f.name), f]));
  return files.filter((f) => VIDEO.test(f.name)).map((video) => ({ video, metadata: sidecars.get(stem(video.name)) }));
}

function uploadRow(name) {
  const li = document.createElement('li');
  li.innerHTML = '<span class="name"></span><progress max="1" value="0"></progress><span class="state muted">starting</span><button>Cancel</button><span class="facts muted"></span>';
  li.querySelector('.name').textContent = name;
  $('uploads').prepend(li);
  return { li, bar: li.querySelector('progress'), state: li.querySelector('.state'), cancel: li.querySelector('button'), facts: li.querySelector('.facts') };
}

/** "1920×1080, 1 min 5 s, avc1": what the file says it holds, read before it is sent. */
function describe(p) {
  const parts = [];
  if (p.width && p.height) parts.push(`${p.width}×${p.height}`);
  if (p.duration_s !== null) {
    const s = Math.round(p.duration_s * 10) / 10;
    parts.push(s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${s} s`);
  }
  if (p.codec) parts.push(p.codec);
  return parts.join(', ');
}

async function uploadOne({ video, metadata }) {
  const row = uploadRow(video.name + (metadata ? ` + ${metadata.name}` : ''));
  // Read the file's own description first: a file that is not a video is refused here, before
  // any of it is sent.
  try {
    row.facts.textContent = describe(await probeVideo(video));
  } catch (e) {
    refuse(row, `not uploaded: ${friendly(e)}`);
    return;
  }
  const ac = new AbortController();
  row.cancel.onclick = () => ac.abort();
  const input = metadata ? [video, metadata] : video;
  const started = performance.now();
  const mb = (n) => (n / 1048576).toFixed(1);
  try {
    const res = await client.upload(input, {
      folder: $('folder').value,
      scope: $('scope').value,
      signal: ac.signal,
      pollIntervalMs: 500,
      onProgress: (p) => {
        row.bar.value = p.total ? p.loaded / p.total : 0;
        if (p.loaded < p.total) {
          const s = (performance.now() - started) / 1000;
          const left = p.loaded > 0 && s > 0.5 ? Math.round(((p.total - p.loaded) * s) / p.loaded) : null;
          row.state.textContent = `${mb(p.loaded)} of ${mb(p.total)} MB` + (left === null ? '' : `, about ${left} s left`);
        } else {
          row.state.textContent = 'processing';
        }
      },
    });
    row.bar.value = 1;
    row.state.textContent = res.status;
    row.state.className = 'state ok';
  } catch (e) {
    row.state.textContent = e instanceof AbortError ? 'cancelled' : `failed: ${friendly(e)}`;
    row.state.className = 'state error';
    row.li.classList.add('failed');
  } finally {
    row.cancel.disabled = true;
    refresh();
  }
}

/** A row for a picked file that is not uploaded, saying why (nothing is sent for it). */
function refused(name, why) {
  refuse(uploadRow(name), why);
}

/** Marks an upload row as not uploaded, saying why. */
function refuse(row, why) {
  row.state.textContent = why;
  row.state.className = 'state error';
  row.li.classList.add('failed');
  row.bar.hidden = true;
  row.cancel.hidden = true;
}

function start(fileList) {
  const files = [...fileList];
  const jobs = pair(files);
  const paired = new Set(jobs.flatMap((j) => (j.metadata ? [j.metadata] : [])));
  for (const f of files) {
    if (VIDEO.test(f.name) || paired.has(f)) continue;
    if (/\.json$/i.test(f.name)) refused(f.name, 'not uploaded: a metadata file needs its video (same name, .mp4 or .mov) picked with it');
    else refused(f.name, 'not uploaded: the service analyses MP4 and MOV videos only');
  }
  jobs.forEach(uploadOne);
}

/** Durations and names of the listed videos, for timelines and search results. */
const durations = new Map();
const names = new Map();
/** Videos ticked for analysis; kept across list refreshes. */
const selected = new Set();

// Refreshes overlap (an upload finishing, a delete, a folder change): only the latest one started
// may draw the list, or an older answer would bring back a video just deleted.
let refreshes = 0;

async function refresh() {
  const mine = ++refreshes;
  $('folderName').textContent = $('folder').value;
  const body = $('videos').querySelector('tbody');
  try {
    const videos = await client.myVideos({ folder: $('folder').value, scope: $('scope').value });
    if (mine !== refreshes) return;
    // Newest first: what was just uploaded is at the top, not below the fold.
    videos.sort((a, b) => String(b.created_at || '').localeCompare(String(a.created_at || '')));
    $('listError').hidden = true;
    names.clear();
    // "Select all" says whether every listed video is ticked (another folder may be listed now).
    $('selectAll').checked = videos.length > 0 && videos.every((v) => selected.has(v.video_id));
    if (!videos.length) {
      const tr = document.createElement('tr');
      tr.innerHTML = '<td colspan="6" class="muted">No videos in this folder yet: drop or choose some above.</td>';
      body.replaceChildren(tr);
      return;
    }
    body.replaceChildren(
      ...videos.map((v) => {
        const tr = document.createElement('tr');
        tr.dataset.id = v.video_id;
        const pick = document.createElement('td');
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.className = 'pick';
        box.value = v.video_id;
        box.setAttribute('aria-label', `Select ${v.video_name}`);
        box.checked = selected.has(v.video_id);
        box.onchange = () => (box.checked ? selected.add(v.video_id) : selected.delete(v.video_id));
        pick.append(box);
        tr.append(pick);
        durations.set(v.video_id, v.duration_s || 0);
        names.set(v.video_id, v.video_name);
        for (const [text, cls] of [[v.video_name], [v.duration_s == null ? '–' : `${v.duration_s.toFixed(1)} s`], [v.status], [v.video_id, 'id']]) {
          const td = document.createElement('td');
          td.textContent = text;
          if (cls) td.className = cls;
          tr.append(td);
        }
        const del = document.createElement('button');
        del.textContent = 'Delete';
        del.onclick = async () => {
          if (!confirm(`Delete ${v.video_name}? This cannot be undone.`)) return;
          del.disabled = true;
          try {
            await client.deleteVideo(v.video_id);
          } catch (e) {
            alert(friendly(e));
          }
          refresh();
        };
        const td = document.createElement('td');
        td.append(del);
        tr.append(td);
        return tr;
      }),
    );
  } catch (e) {
    if (mine !== refreshes) return;
    $('listError').textContent = friendly(e);
    $('listError').hidden = false;
  }
}

async function startImport() {
  const uris = $('uris').value.split('\n').map((l) => l.trim()).filter(Boolean);
  const box = $('importJob');
  const state = $('importState');
  const failedTable = $('failedRows');
  box.hidden = false;
  failedTable.hidden = true;
  $('importBar').value = 0;
  state.className = '';
  try {
    const started = await client.upload(uris, {
      folder: $('folder').value,
      scope: $('scope').value,
      integrationId: $('integrationId').value.trim() || undefined,
    });
    state.textContent = `job ${started.import_job_id}: importing…`;
    const done = await client.video.waitForImportJob(started.import_job_id, {
      pollIntervalMs: 1000,
      onProgress: (p) => {
        $('importBar').value = p.total ? (p.uploaded + p.failed) / p.total : 0;
        state.textContent = `job ${started.import_job_id}: ${p.materialized}/${p.total} rows, ${p.uploaded} uploaded, ${p.failed} failed`;
      },
    });
    $('importBar').value = 1;
    state.textContent = `job ${started.import_job_id}: done, ${done.uploaded_video_ids.length} uploaded, ${done.failed_rows.length} failed`;
    state.className = 'ok';
    failedTable.querySelector('tbody').replaceChildren(
      ...done.failed_rows.map((r) => {
        const tr = document.createElement('tr');
        for (const text of [r.import_source_uri, r.error || r.status]) {
          const td = document.createElement('td');
          td.textContent = text;
          tr.append(td);
        }
        return tr;
      }),
    );
    failedTable.hidden = done.failed_rows.length === 0;
  } catch (e) {
    state.textContent = friendly(e);
    state.className = 'error';
  }
  refresh();
}

async function addIntegration() {
  const out = $('intResult');
  try {
    const file = $('intCreds').files[0];
    const made = await client.cloudIntegrations.add({
      type: $('intType').value,
      name: $('intName').value,
      bucket: $('intBucket').value,
      region: $('intRegion').value || undefined,
      credentials: file,
    });
    out.textContent = `added ${made.type} integration ${made.id} for bucket ${made.bucket}`;
    out.className = 'ok';
  } catch (e) {
    out.textContent = friendly(e);
    out.className = 'error';
  }
}

// ---- analysis ----
// Prompt analysis is the service's current analysis and the default here; ASK was retired by the
// service on 2026-05-19 and stays listed for servers that keep it.
$('analysisType').append(new Option('Prompt, thinking (shows its reasoning)', 'prompt:thinking'));
$('analysisType').append(new Option('Prompt, fast', 'prompt:fast'));
for (const [name, value] of Object.entries(AnalysisType)) {
  $('analysisType').append(new Option(name === 'ASK' ? 'ASK (retired by the service)' : `Agent: ${name.toLowerCase().replaceAll('_', ' ')}`, value));
}
const syncAnalysisForm = () => {
  const type = $('analysisType').value;
  $('category').disabled = type !== AnalysisType.ASK;
  $('thumbnails').disabled = type !== AnalysisType.ASK;
  $('customEvent').disabled = !(type.startsWith('prompt:') || type === AnalysisType.ASK);
};
$('analysisType').onchange = syncAnalysisForm;
syncAnalysisForm();
for (const [name, value] of Object.entries(CustomCategory)) $('category').append(new Option(name.toLowerCase(), value));
let lastBatch = null;

const seconds = (t) => (typeof t === 'number' ? t : String(t || '0').split(':').reduce((a, p) => a * 60 + Number(p), 0));

/** When each event of the analyses shown unfiltered happens, by analysis id: search results
 * name events by their index in the whole analysis. */
const eventTimes = new Map();

function keepTimes(results) {
  for (const r of results) {
    if (!r.analysis_id) continue;
    eventTimes.set(r.analysis_id, (r.events || []).map((e) => ({
      start: seconds(e.t_start ?? e.start_time),
      text: `${e.t_start ?? e.start_time}–${e.t_end ?? e.end_time}`,
    })));
  }
}

/** `complete`: the results hold every event (no approval filter), so their times can be kept. */
function renderResults(batch, complete = true) {
  const box = $('timelines');
  box.replaceChildren();
  // A new set of results starts with the player closed (it showed another analysis's video).
  $('playerBox').hidden = true;
  $('player').pause();
  if (complete) keepTimes(batch.results);
  for (const r of batch.results) {
    const div = document.createElement('div');
    div.className = 'video-result';
    div.dataset.id = r.video_id;
    const h = document.createElement('h3');
    h.textContent = `${names.get(r.video_id) || r.video_id} (${r.status}): ${(r.events || []).length} event(s)`;
    div.append(h);
    if (r.status === 'failed') {
      const why = document.createElement('p');
      why.className = 'error';
      why.textContent = `This video's analysis failed: ${r.error || 'no reason given'}. Run it again, or try another video.`;
      div.append(why);
    } else if (r.summary) {
      const sum = document.createElement('p');
      sum.className = 'summary';
      sum.textContent = r.summary;
      div.append(sum);
    }
    const line = document.createElement('div');
    line.className = 'timeline';
    const length = durations.get(r.video_id) || Math.max(1, ...(r.events || []).map((e) => seconds(e.t_end ?? e.end_time)));
    const list = document.createElement('ul');
    list.className = 'events';
    for (const e of r.events || []) {
      const start = seconds(e.t_start ?? e.start_time);
      const end = seconds(e.t_end ?? e.end_time);
      const seg = document.createElement('button');
      seg.type = 'button';
      seg.className = `segment ${e.approval || 'pending'}`;
      seg.dataset.video = r.video_id;
      seg.dataset.start = start;
      seg.dataset.end = end;
      seg.setAttribute('aria-label', `${e.label}, ${e.t_start ?? start} to ${e.t_end ?? end}: play from here`);
      seg.onclick = () => playAt(r.video_id, start);
      seg.style.left = `${(100 * start) / length}%`;
      seg.style.width = `${(100 * Math.max(end - start, 0)) / length}%`;
      seg.title = `${e.label} (${e.t_start ?? start}–${e.t_end ?? end})`;
      line.append(seg);
      const li = document.createElement('li');
      if (e.annotated_thumbnail_url) {
        const img = document.createElement('img');
        img.src = e.annotated_thumbnail_url;
        img.alt = e.label;
        li.append(img);
      }
      li.append(`${e.t_start ?? start}–${e.t_end ?? end} ${e.label} (${e.approval || 'pending'})`);
      list.append(li);
    }
    const axis = document.createElement('div');
    axis.className = 'axis';
    axis.innerHTML = '<span>0 s</span><span></span>';
    axis.lastChild.textContent = `${Math.round(length * 10) / 10} s`;
    if (!(r.events || []).length && r.status !== 'failed') {
      const none = document.createElement('p');
      none.className = 'muted';
      none.textContent = 'No matching events in this video.';
      list.append(none);
    }
    div.append(line, axis, list);
    box.append(div);
  }
  $('analysisResults').hidden = false;
}

/** A line of the reasoning list for one event of a thinking analysis's stream. */
function reasoningLine(ev) {
  const d = ev.data || {};
  if (ev.event === 'thinking') return d.text || '';
  if (ev.event === 'status') return d.message || d.stage || 'working';
  if (ev.event === 'batch_created') return 'Analysing each video…';
  return null;
}

function showProgress(s) {
  const p = s.aggregated_progress;
  $('analysisState').textContent = p ? `${p.completed} of ${p.total} video(s) analysed` : `status: ${s.status}`;
}

/** Runs a prompt analysis; a thinking one shows its reasoning as it arrives. */
async function runPrompt(target, mode) {
  const prompt = $('customEvent').value;
  if (mode === 'fast') {
    return client.analyze(target, { prompt, mode, pollIntervalMs: 500, onProgress: (p) => p.type === 'status' && showProgress(p.status) });
  }
  const list = $('thinking');
  list.replaceChildren();
  $('reasoning').hidden = false;
  for await (const item of client.analyzeStream(target, { prompt, pollIntervalMs: 500 })) {
    if (item.type === 'results') return item.results;
    if (item.type === 'status') showProgress(item.status);
    const line = item.type === 'event' && reasoningLine(item);
    if (line) {
      const li = document.createElement('li');
      li.textContent = line;
      list.append(li);
    }
  }
  throw new Error('the analysis ended without results');
}

// ---- the player: a signed URL per video (the <video> element cannot send the key) ----
const player = $('player');
const videoUrls = new Map();

/** Plays `videoId` from `t` seconds, loading its signed URL once. */
async function playAt(videoId, t) {
  $('playerBox').hidden = false;
  $('playerCaption').className = 'muted';
  try {
    if (player.dataset.video !== videoId) {
      if (!videoUrls.has(videoId)) videoUrls.set(videoId, await client.getVideoUrl(videoId, { expiresInS: 3600 }));
      player.src = videoUrls.get(videoId);
      player.dataset.video = videoId;
    }
    player.currentTime = t;
    $('playerCaption').textContent = `${names.get(videoId) || videoId} from ${t} s`;
    player.play().catch(() => {}); // autoplay may be refused; the controls are there
  } catch (e) {
    $('playerCaption').textContent = `This video cannot be played: ${friendly(e)}`;
    $('playerCaption').className = 'error';
  }
}

// The event under the playhead is highlighted on its timeline.
player.addEventListener('timeupdate', () => {
  const t = player.currentTime;
  for (const seg of document.querySelectorAll('button.segment')) {
    const on = seg.dataset.video === player.dataset.video && t >= Number(seg.dataset.start) && t < Number(seg.dataset.end);
    seg.classList.toggle('current', on);
  }
});

async function runAnalysis() {
  const state = $('analysisState');
  const type = $('analysisType').value;
  const ask = type === AnalysisType.ASK;
  const options = { analysisType: type, pollIntervalMs: 500, onProgress: showProgress };
  if (ask) Object.assign(options, { customEvent: $('customEvent').value, customCategory: $('category').value, isThumbnail: $('thumbnails').checked });
  let target;
  if ($('analysisTarget').value === 'folder') target = { folder: $('folder').value, scope: $('scope').value };
  else target = [...selected].filter((id) => names.has(id));
  if (Array.isArray(target) && !target.length) {
    state.textContent = 'Tick at least one video in the list above, or choose "the whole folder".';
    state.className = 'error';
    return;
  }
  state.className = 'muted';
  state.textContent = 'starting…';
  $('reasoning').hidden = true;
  $('runAnalysis').disabled = true;
  try {
    const batch = type.startsWith('prompt:') ? await runPrompt(target, type.slice('prompt:'.length)) : await client.analyze(target, options);
    lastBatch = batch.batch_metadata.batch_id;
    remember(lastBatch, `${$('customEvent').value || $('analysisType').selectedOptions[0].text} (${batch.results.length} video(s))`);
    const failed = batch.results.filter((r) => r.status === 'failed').length;
    state.textContent = failed
      ? `done, but ${failed} of ${batch.results.length} video(s) failed: see below`
      : `done: ${batch.results.length} video(s) analysed`;
    state.className = failed ? 'error' : 'ok';
    $('approvalFilter').value = '';
    renderResults(batch);
  } catch (e) {
    state.textContent = friendly(e);
    state.className = 'error';
  } finally {
    $('runAnalysis').disabled = false;
  }
}

// ---- earlier analyses, kept in this browser ----
const HISTORY = 'nomadicml-web.batches';
const history = () => {
  try {
    return JSON.parse(localStorage.getItem(HISTORY)) || [];
  } catch {
    return [];
  }
};

function showHistory() {
  const list = history();
  $('history').replaceChildren(new Option(list.length ? 'choose one…' : 'none yet', ''), ...list.map((b) => new Option(`${new Date(b.at).toLocaleString()}: ${b.what}`, b.id)));
  $('history').disabled = !list.length;
}

function remember(id, what) {
  const list = [{ id, what, at: Date.now() }, ...history().filter((b) => b.id !== id)].slice(0, 10);
  localStorage.setItem(HISTORY, JSON.stringify(list));
  showHistory();
}

$('history').onchange = async () => {
  const id = $('history').value;
  if (!id) return;
  const state = $('analysisState');
  try {
    lastBatch = id;
    $('approvalFilter').value = '';
    renderResults(await client.getBatchAnalysis(id));
    state.textContent = 'showing an earlier analysis';
    state.className = 'muted';
  } catch (e) {
    state.textContent = friendly(e);
    state.className = 'error';
  }
};
showHistory();

async function applyFilter() {
  const filter = $('approvalFilter').value || undefined;
  renderResults(await client.getBatchAnalysis(lastBatch, { filter }), !filter);
}

async function downloadCsv() {
  const filter = $('approvalFilter').value || undefined;
  const csv = await client.getBatchAnalysis(lastBatch, { filter, asCsv: true });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
  a.download = `batch-${lastBatch}${filter ? '-' + filter : ''}.csv`;
  a.click();
  URL.revokeObjectURL(a.href);
}

async function runSearch() {
  const list = $('searchMatches');
  list.replaceChildren();
  $('searchSummary').textContent = 'searching…';
  $('searchSummary').className = 'muted';
  $('runSearch').disabled = true;
  try {
    const r = await client.search($('searchQuery').value, { folderName: $('folder').value, scope: $('scope').value });
    // Times of analyses not shown on this page yet: from the earlier analyses kept in this browser.
    for (const b of history()) {
      if (r.matches.every((m) => eventTimes.has(m.analysis_id))) break;
      try {
        keepTimes((await client.getBatchAnalysis(b.id)).results);
      } catch {
        // An analysis that is gone gives no times; its matches show none.
      }
    }
    $('searchSummary').textContent = r.matches.length ? r.summary : 'No matching events in this folder.';
    for (const m of r.matches) {
      const li = document.createElement('li');
      li.dataset.id = m.video_id;
      const img = document.createElement('img');
      img.alt = '';
      img.className = 'thumb';
      client.getVisual(m.video_id, m.analysis_id, m.event_index).then((u) => (img.src = u), () => img.remove());
      const play = document.createElement('button');
      play.type = 'button';
      play.textContent = 'Play';
      play.setAttribute('aria-label', `Play ${names.get(m.video_id) || m.video_id} at this event`);
      // The event's time, when its analysis was shown here; else the video plays from its start.
      const at = eventTimes.get(m.analysis_id)?.[m.event_index];
      play.onclick = () => playAt(m.video_id, at ? at.start : 0);
      const when = at ? ` at ${at.text}` : '';
      li.append(img, `${names.get(m.video_id) || m.video_id}, event ${m.event_index + 1}${when}: ${m.reason} (similarity ${m.similarity}) `, play);
      list.append(li);
    }
  } catch (e) {
    $('searchSummary').textContent = friendly(e);
    $('searchSummary').className = 'error';
  } finally {
    $('runSearch').disabled = false;
  }
}

$('runAnalysis').onclick = runAnalysis;
$('approvalFilter').onchange = applyFilter;
$('downloadCsv').onclick = downloadCsv;
$('runSearch').onclick = runSearch;
$('searchQuery').addEventListener('keydown', (e) => {
  if (e.key === 'Enter') runSearch();
});
// The drop zone opens the file picker from the keyboard too.
$('drop').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    $('files').click();
  }
});
$('selectAll').onchange = (e) =>
  document.querySelectorAll('#videos .pick').forEach((b) => {
    b.checked = e.target.checked;
    b.onchange();
  });
$('startImport').onclick = startImport;
$('addIntegration').onclick = addIntegration;
$('files').addEventListener('change', (e) => {
  start(e.target.files);
  e.target.value = '';
});
const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  start(e.dataTransfer.files);
});
$('refresh').onclick = refresh;
$('folder').addEventListener('change', refresh);
$('scope').addEventListener('change', refresh);
health();
refresh();
