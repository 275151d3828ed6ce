// The dashboard: pick or drop videos (JSON sidecars paired by base name), upload them with
// per-file progress and cancel, list the folder's videos, delete one. Everything goes through
// the SDK; the page is served by the emulator, so the API is same-origin.
import init, { NomadicClient, AbortError } from './pkg/index.js';

const $ = (id) => document.getElementById(id);
const VIDEO = /\.(mp4|mov|avi|webm)$/i;
const stem = (name) => name.replace(/\.[^.]*$/, '');

await init();
let client;
function connect() {
  client = new NomadicClient({ apiKey: $('apiKey').value.trim(), baseUrl: location.origin });
}
connect();
$('apiKey').addEventListener('change', () => {
  connect();
  refresh();
});

async function health() {
  try {
    const h = await (await fetch('/__emulator/health')).json();
    $('health').textContent = `emulator ${h.version}: ${h.status}`;
    $('health').className = 'ok';
  } catch {
    $('health').textContent = 'no emulator at this origin';
    $('health').className = 'error';
  }
}

/** Pairs each video with the .json file of the same base name, if any. */
function pair(files) {
  const sidecars = new Map(files.filter((f) => /\.json$/i.test(f.name)).map((f) => [stem(f.name), f]));
  return files.filter((f) => VIDEO.test(f.name)).map((video) => ({ video, metadata: sidecars.get(stem(video.name)) }));
}

function uploadRow(name) {
  const li = document.createElement('li');
  li.innerHTML = '<span class="name"></span><progress max="1" value="0"></progress><span class="state muted">starting</span><button>Cancel</button>';
  li.querySelector('.name').textContent = name;
  $('uploads').prepend(li);
  return { li, bar: li.querySelector('progress'), state: li.querySelector('.state'), cancel: li.querySelector('button') };
}

async function uploadOne({ video, metadata }) {
  const row = uploadRow(video.name + (metadata ? ` + ${metadata.name}` : ''));
  const ac = new AbortController();
  row.cancel.onclick = () => ac.abort();
  const input = metadata ? [video, metadata] : video;
  try {
    const res = await client.upload(input, {
      folder: $('folder').value,
      scope: $('scope').value,
      signal: ac.signal,
      pollIntervalMs: 500,
      onProgress: (p) => {
        row.bar.value = p.total ? p.loaded / p.total : 0;
        row.state.textContent = p.loaded < p.total ? `${Math.round((100 * p.loaded) / p.total)} %` : 'processing';
      },
    });
    row.bar.value = 1;
    row.state.textContent = res.status;
    row.state.className = 'state ok';
  } catch (e) {
    row.state.textContent = e instanceof AbortError ? 'cancelled' : e.message;
    row.state.className = 'state error';
    row.state.title = e.message;
  } finally {
    row.cancel.disabled = true;
    refresh();
  }
}

function start(fileList) {
  const jobs = pair([...fileList]);
  if (!jobs.length) return;
  jobs.forEach(uploadOne);
}

async function refresh() {
  $('folderName').textContent = $('folder').value;
  const body = $('videos').querySelector('tbody');
  try {
    const videos = await client.myVideos({ folder: $('folder').value, scope: $('scope').value });
    $('listError').hidden = true;
    body.replaceChildren(
      ...videos.map((v) => {
        const tr = document.createElement('tr');
        tr.dataset.id = v.video_id;
        for (const [text, cls] of [[v.video_name], [v.duration_s == null ? '–' : `${v.duration_s.toFixed(1)} s`], [v.status], [v.video_id, 'id']]) {
          const td = document.createElement('td');
          td.textContent = text;
          if (cls) td.className = cls;
          tr.append(td);
        }
        const del = document.createElement('button');
        del.textContent = 'Delete';
        del.onclick = async () => {
          del.disabled = true;
          try {
            await client.deleteVideo(v.video_id);
          } catch (e) {
            alert(e.message);
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
    $('listError').textContent = e.message;
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
    state.textContent = e.message;
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
    out.textContent = e.message;
    out.className = 'error';
  }
}

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
