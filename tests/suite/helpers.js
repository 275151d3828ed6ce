// Test helpers for the wasm-bindgen-test suites: the emulator's admin API, test files, clocks.

/** The admin token header: needed where the suite runs in a page of another origin. */
const adminHeaders = (token) => (token ? { 'X-Emulator-Token': token } : {});

export async function admin(base, method, path, body, token) {
  const init = { method, headers: adminHeaders(token) };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const r = await fetch(base + '/__emulator/' + path, init);
  if (!r.ok) throw new Error(`admin ${method} ${path}: HTTP ${r.status}`);
  return r.json();
}

function box(kind, body) {
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setUint32(0, out.length);
  out.set(new TextEncoder().encode(kind), 4);
  out.set(body, 8);
  return out;
}

function cat(...parts) {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function u32s(...vals) {
  const out = new Uint8Array(vals.length * 4);
  const dv = new DataView(out.buffer);
  vals.forEach((v, i) => dv.setUint32(i * 4, v));
  return out;
}

/** A valid MP4 (one H.264 track, no frames) of `duration` seconds, padded with `payload` bytes. */
export function mp4(duration, payload) {
  const ts = 1000;
  const dur = Math.round(duration * ts);
  const matrix = u32s(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000);
  const mvhd = cat(new Uint8Array(12), u32s(ts, dur, 0x10000), new Uint8Array([1, 0]), new Uint8Array(10), matrix, new Uint8Array(24), u32s(2));
  const tkhd = cat(u32s(3), new Uint8Array(8), u32s(1), new Uint8Array(4), u32s(dur), new Uint8Array(16), matrix, u32s(640 << 16, 360 << 16));
  const mdhd = cat(new Uint8Array(12), u32s(ts, dur), new Uint8Array([0x55, 0xc4, 0, 0]));
  const hdlr = cat(new Uint8Array(8), new TextEncoder().encode('vide'), new Uint8Array(12), new TextEncoder().encode('VideoHandler\0'));
  const avc1 = cat(new Uint8Array(6), new Uint8Array([0, 1]), new Uint8Array(16), new Uint8Array([2, 128, 1, 104]), new Uint8Array([0, 0x48, 0, 0, 0, 0x48, 0, 0, 0, 0, 0, 0, 0, 1]), new Uint8Array(32), new Uint8Array([0, 0x18, 0xff, 0xff]));
  const stsd = cat(u32s(0, 1), box('avc1', avc1));
  const stbl = cat(box('stsd', stsd), box('stts', new Uint8Array(8)), box('stsc', new Uint8Array(8)), box('stsz', new Uint8Array(12)), box('stco', new Uint8Array(8)));
  const minf = box('minf', cat(box('vmhd', cat(u32s(1), new Uint8Array(8))), box('dinf', box('dref', cat(u32s(0, 1), box('url ', u32s(1))))), box('stbl', stbl)));
  const mdia = box('mdia', cat(box('mdhd', mdhd), box('hdlr', hdlr), minf));
  const moov = box('moov', cat(box('mvhd', mvhd), box('trak', cat(box('tkhd', tkhd), mdia))));
  const ftyp = box('ftyp', new TextEncoder().encode('isom\0\0\x02\0isomiso2avc1mp41'));
  return cat(ftyp, moov, box('mdat', new Uint8Array(payload)));
}

/**
 * The ends of an MP4 as cameras write it: `head` is ftyp and the header of a 64-bit `mdat` whose
 * `mdatBytes` follow it; `moov` comes after them.
 */
export function cameraLayout(duration, mdatBytes) {
  const whole = mp4(duration, 0);
  const head = new Uint8Array(48);
  head.set(whole.subarray(0, 32));
  const dv = new DataView(head.buffer);
  dv.setUint32(32, 1);
  head.set(new TextEncoder().encode('mdat'), 36);
  dv.setBigUint64(40, BigInt(16 + mdatBytes));
  return { head, moov: whole.subarray(32, whole.length - 8) };
}

/** An MP4 as cameras write it: ftyp, a 64-bit `mdat` of `mdatBytes` zeros, then `moov`. */
export function moovAtEnd(duration, mdatBytes) {
  const { head, moov } = cameraLayout(duration, mdatBytes);
  const mib = new Uint8Array(1 << 20);
  const parts = [head];
  for (let i = 0; i < Math.floor(mdatBytes / mib.length); i++) parts.push(mib);
  parts.push(new Uint8Array(mdatBytes % mib.length), moov);
  return new File(parts, 'camera.mp4', { type: 'video/mp4' });
}

/** Counts the bytes read from this one blob through its `slice` (how the SDK reads a file). */
export function countReads(blob) {
  const counter = { bytes: 0, reads: 0 };
  const slice = blob.slice.bind(blob);
  blob.slice = (start = 0, end = blob.size, type) => {
    counter.bytes += end - start;
    counter.reads += 1;
    return slice(start, end, type);
  };
  return counter;
}

/** `n` bytes from a fixed seed: noise that is no file format. */
export function noise(n) {
  const out = new Uint8Array(n);
  let x = 0x2545f491;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A `fetch` for the client's option that keeps each multipart request's parts, then sends it. */
export function capturingFetch() {
  const seen = [];
  const capture = async (req) => {
    const type = req.headers.get('content-type') || '';
    if (type.startsWith('multipart/form-data')) {
      seen.push(multipartParts(type, await req.clone().arrayBuffer()));
    }
    return fetch(req);
  };
  return { fetch: capture, seen };
}

/** `[name, filename, content_type, content_disposition, value]` per part of a multipart body. */
function multipartParts(type, body) {
  const boundary = type.split('boundary=')[1];
  const text = new TextDecoder().decode(body);
  return text.split('--' + boundary).slice(1, -1).map((part) => {
    const at = part.indexOf('\r\n\r\n');
    const headers = {};
    for (const line of part.slice(2, at).split('\r\n')) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
    }
    const cd = headers['content-disposition'];
    const filename = /; filename="([^"]*)"/.exec(cd);
    const value = filename ? null : part.slice(at + 4, -2);
    return [/name="([^"]*)"/.exec(cd)[1], filename ? filename[1] : null, headers['content-type'] ?? null, cd, value];
  });
}

/** The same list for the first multipart request of a golden recording (values of text parts). */
export function goldenParts(recording) {
  const r = JSON.parse(recording).requests.find((q) => q.content_type_kind === 'multipart');
  return r.multipart_parts.map((p) => [p.name, p.filename, p.content_type, p.content_disposition, p.filename ? null : String(r.body[p.name])]);
}

export function file(bytes, name, type) {
  return new File([bytes], name, { type });
}

export function blob(bytes, type) {
  return new Blob([bytes], { type });
}

export function textFile(text, name) {
  return new File([text], name, { type: 'application/json' });
}

export function now() {
  return performance.now();
}

export function delay(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export function unique() {
  return 't' + Math.random().toString(36).slice(2, 10);
}

/** Names along the prototype chain of an error: its class and every class it extends. */
export function classChain(e) {
  const names = [];
  for (let p = Object.getPrototypeOf(e); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    names.push(p.constructor.name);
  }
  return names.join('>');
}

let timeoutSignals = null;

/** Counts the calls of `AbortSignal.timeout()` from now until `timeoutSignalsCounted()`. */
export function countTimeoutSignals() {
  const original = AbortSignal.timeout;
  timeoutSignals = { original, calls: 0 };
  AbortSignal.timeout = function (ms) {
    timeoutSignals.calls++;
    return original.call(this, ms);
  };
}

/** Puts `AbortSignal.timeout` back and says how often it was called. */
export function timeoutSignalsCounted() {
  AbortSignal.timeout = timeoutSignals.original;
  return timeoutSignals.calls;
}

export function controller() {
  return new AbortController();
}

export function abortAfter(c, ms) {
  setTimeout(() => c.abort(), ms);
}

/** Calls `f(event)` for each progress event and keeps them. */
export function recorder() {
  const events = [];
  const fn = (e) => events.push(e);
  return { fn, events };
}

/** GET an API path with the key, for reading what the emulator stored. */
export async function apiGet(base, key, path) {
  const r = await fetch(base + path, { headers: { 'X-API-Key': key } });
  return r.json();
}

/** Waits `afterMs`, aborts, and measures how long `p` takes to settle after the abort. */
export async function abortTimed(c, p, afterMs) {
  await delay(afterMs);
  const t = performance.now();
  c.abort();
  try {
    await p;
    return { ms: performance.now() - t, error: null };
  } catch (e) {
    return { ms: performance.now() - t, error: e };
  }
}

export function isBrowser() {
  return typeof document !== 'undefined';
}

/** Runs `f` and returns what it threw (or undefined). */
export function thrown(f) {
  try {
    f();
    return undefined;
  } catch (e) {
    return e;
  }
}

export function makeClient(NomadicClient, options) {
  return new NomadicClient(options);
}

/** Writes an object into a bucket the emulator maps to a directory. */
export async function putObject(base, provider, bucket, key, bytes, token) {
  const r = await fetch(`${base}/__emulator/buckets/${provider}/${bucket}/${key}`, { method: 'PUT', body: bytes, headers: adminHeaders(token) });
  if (!r.ok) throw new Error(`put ${provider}/${bucket}/${key}: HTTP ${r.status}`);
}

/** Seeds a finished import job of `total` rows for `key`'s user. */
export async function seedJob(base, key, total, token) {
  const r = await fetch(`${base}/__emulator/import-jobs?api_key=${encodeURIComponent(key)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...adminHeaders(token) },
    body: JSON.stringify({ total }),
  });
  return (await r.json()).import_job_id;
}

/** `for await` over `iterable`, stopping (with `break`) after `n` items; `n < 0`: all. */
export async function take(iterable, n) {
  const out = [];
  for await (const x of iterable) {
    out.push(x);
    if (out.length === n) break;
  }
  return out;
}

export async function setRules(base, rules, token) {
  const r = await fetch(base + '/__emulator/rules', { method: 'POST', headers: { 'Content-Type': 'application/json', ...adminHeaders(token) }, body: JSON.stringify({ rules }) });
  if (!r.ok) throw new Error('rules: HTTP ' + r.status + ' ' + (await r.text()));
}

/** Loads an image URL and resolves its pixel width: as an <img> in a browser, by PNG header in Node. */
export async function imageWidth(url) {
  if (typeof Image !== 'undefined') {
    const img = new Image();
    img.src = url;
    await img.decode();
    return img.naturalWidth;
  }
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const png = [0x89, 0x50, 0x4e, 0x47];
  if (!png.every((b, i) => bytes[i] === b)) throw new Error('not a PNG');
  return new DataView(bytes.buffer).getUint32(16);
}

/** RFC 4180 CSV to rows of fields. */
export function parseCsv(text) {
  const rows = [[]];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      rows[rows.length - 1].push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      rows[rows.length - 1].push(field);
      field = '';
      rows.push([]);
      i++;
    } else field += c;
  }
  rows[rows.length - 1].push(field);
  return rows;
}

/** GETs `url` with no key, optionally a byte range: `{status, length, contentType}`. */
export async function fetchPlain(url, range) {
  const r = await fetch(url, range ? { headers: { Range: range } } : {});
  const body = await r.arrayBuffer();
  return { status: r.status, length: body.byteLength, contentType: r.headers.get('content-type') };
}
