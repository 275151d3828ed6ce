// Uploads of a disk-backed File picked through a real file input, in headless Chromium: the SDK
// (`upload(file, {waitForUploaded: false})`) against a hand-written XHR FormData post of the same
// parts, for a file whose browser type matches the protocol's and for one whose does not; plus
// the re-typing slice the SDK no longer uses, for comparison. Rounds interleaved; each upload's
// time is taken in the page, and the renderer's memory (RSS of the browser's renderer processes,
// from /proc) is sampled while it runs: its growth is the largest of any counted upload.
import { openSync, writeSync, closeSync, readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mp4 } from '../suite/helpers.js';
import { interleaved, summary, launch } from './stats.mjs';

/** A valid MP4 of `mib` MiB on disk: ftyp and moov first, then an mdat running to the end. */
function videoFile(dir, mib) {
  const path = join(dir, `drive-${mib}.mp4`);
  const whole = mp4(60, 0);
  const fd = openSync(path, 'w');
  writeSync(fd, whole.subarray(0, whole.length - 8));
  writeSync(fd, Buffer.from([0, 0, 0, 0, 0x6d, 0x64, 0x61, 0x74])); // mdat, size 0: to the end
  const chunk = Buffer.alloc(1 << 20, 7);
  for (let i = 0; i < mib; i++) writeSync(fd, chunk);
  closeSync(fd);
  return path;
}

/** The browser process started with `marker` among its arguments. */
function browserWith(marker) {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes(marker) && !cmd.includes('--type=')) return Number(pid);
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error('the benchmark browser process was not found');
}

/** RSS in MiB of the renderer processes under `browserPid`. */
function rendererRss(browserPid) {
  const parent = (pid) => Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  let kb = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      let p = Number(pid);
      for (let depth = 0; depth < 4 && p > 1 && p !== browserPid; depth++) p = parent(p);
      if (p !== browserPid) continue;
      kb += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // The process ended while we looked.
    }
  }
  return kb / 1024;
}

// In the page: one upload of the picked file by each way, timed, then deleted (not timed).
function install({ apiKey }) {
  return (async () => {
    const { default: init, NomadicClient } = await import('/pkg/index.js');
    await init();
    const client = new NomadicClient({ apiKey, baseUrl: location.origin });
    const file = document.getElementById('bench-file').files[0];
    // The same file as a picker that types it differently would give it (some Android pickers,
    // a .MOV with no type): only what the SDK reads of it differs.
    const odd = document.getElementById('bench-odd').files[0];
    Object.defineProperty(odd, 'type', { value: 'application/octet-stream' });
    const post = (body, contentType) => new Promise((resolve, reject) => {
      const x = new XMLHttpRequest();
      x.open('POST', '/api/upload-video');
      x.setRequestHeader('X-API-Key', apiKey);
      if (contentType) x.setRequestHeader('Content-Type', contentType);
      x.onload = () => (x.status < 300 ? resolve(JSON.parse(x.responseText)) : reject(new Error('status ' + x.status)));
      x.onerror = () => reject(new Error('network error'));
      x.send(body);
    });
    // The same parts, in the same order, as the SDK sends (API.md §3).
    const fields = [['source', 'file'], ['firebase_collection_name', 'videos'], ['scope', 'user']];
    const xhr = (blob) => {
      const form = new FormData();
      for (const [k, v] of fields) form.append(k, v);
      form.append('file', blob, file.name);
      return post(form);
    };
    // The other ways to give the part the protocol's type without copying the bytes: a File
    // wrapping the picked one, and a multipart body built by hand around it.
    const wrapped = () => xhr(new File([file], file.name, { type: 'video/mp4' }));
    const handBuilt = () => {
      const b = '----nomadic' + Math.random().toString(16).slice(2);
      const head = fields.map(([k, v]) => `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') +
        `--${b}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: video/mp4\r\n\r\n`;
      return post(new Blob([head, file, `\r\n--${b}--\r\n`]), `multipart/form-data; boundary=${b}`);
    };
    const timed = (send) => async () => {
      const t = performance.now();
      const { video_id } = await send();
      const ms = performance.now() - t;
      await client.deleteVideo(video_id);
      return ms;
    };
    window.__bench = {
      sdk: timed(() => client.upload(file, { waitForUploaded: false })),
      mismatched: timed(() => client.upload(odd, { waitForUploaded: false })),
      xhr: timed(() => xhr(file)),
      slice: timed(() => xhr(file.slice(0, file.size, 'video/mp4'))),
      wrapped: timed(wrapped),
      handBuilt: timed(handBuilt),
    };
  })();
}

/** For each size in MiB: name -> {ms: summary, mibs: MiB/s at the median, memory: MiB growth}. */
export async function uploads({ base, apiKey, sizes, rounds }) {
  const dir = mkdtempSync(join(tmpdir(), 'nomadic-upload-bench-'));
  // An unknown switch Chromium ignores, to find this browser's processes among others.
  const marker = `--nomadic-bench=${process.pid}`;
  const browser = await launch([marker]);
  const browserPid = browserWith(marker);
  const results = [];
  try {
    for (const mib of sizes) {
      const path = videoFile(dir, mib);
      const page = await browser.newPage();
      await page.goto(base + '/');
      // Two inputs picking the same file: two File objects, one of which gets an odd type.
      await page.evaluate(() => {
        for (const id of ['bench-file', 'bench-odd']) {
          const input = document.createElement('input');
          input.type = 'file';
          input.id = id;
          document.body.append(input);
        }
      });
      await page.setInputFiles('#bench-file', path);
      await page.setInputFiles('#bench-odd', path);
      await page.evaluate(install, { apiKey });
      const growth = {};
      const run = (name) => async () => {
        const before = rendererRss(browserPid);
        let peak = before;
        const sampler = setInterval(() => (peak = Math.max(peak, rendererRss(browserPid))), 50);
        try {
          return await page.evaluate((n) => window.__bench[n](), name);
        } finally {
          clearInterval(sampler);
          (growth[name] ??= []).push(peak - before);
        }
      };
      const names = ['sdk', 'xhr', 'mismatched', 'slice', 'wrapped', 'handBuilt'];
      const runs = await interleaved(Object.fromEntries(names.map((n) => [n, run(n)])), rounds);
      const out = { mib, rounds };
      for (const n of names) {
        const s = summary(runs[n]);
        // The warm-up (the first call, which also loads the SDK's code) is not counted.
        out[n] = { ms: s, mibs: mib / (s.median / 1000), memory: Math.max(...growth[n].slice(1)) };
      }
      results.push(out);
      await page.close();
      rmSync(path);
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
