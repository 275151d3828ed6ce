// The SDK's only contact with the network, timers and Blob objects. Called from
// src/transport/web.rs and src/convert.rs; nothing here knows the protocol.

const abortFailure = () => ({ kind: 'abort', message: 'The operation was aborted' });

export function uuid() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  // Insecure contexts (plain http on a LAN address) have getRandomValues but not randomUUID.
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function now() {
  return Date.now();
}

export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) return reject(abortFailure());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortFailure());
    };
    const timer = setTimeout(() => {
      if (signal) signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function isAborted(signal) {
  return !!(signal && signal.aborted);
}

export function isSignal(v) {
  return !!v && typeof v === 'object' && typeof v.aborted === 'boolean' && typeof v.addEventListener === 'function';
}

export function isBlob(v) {
  return typeof Blob !== 'undefined' && v instanceof Blob;
}

/** A File's name (Blobs have none). */
export function fileName(v) {
  return typeof v.name === 'string' ? v.name : undefined;
}

export function blobType(v) {
  return v.type;
}

export function blobSize(v) {
  return v.size;
}

export function blobText(v) {
  return v.text();
}

export function isPlainObject(v) {
  if (v === null || typeof v !== 'object') return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/**
 * Whether sending a key to `baseUrl` is safe without the caller's explicit opt-in: always
 * outside browsers; in a browser, when the target is the page's own origin or a loopback host.
 * Returns '' when it is, else the target origin.
 */
export function keyExposure(baseUrl) {
  const loc = globalThis.location;
  if (typeof document === 'undefined' || !loc) return '';
  let target;
  try {
    target = new URL(baseUrl, loc.href);
  } catch (_) {
    return baseUrl;
  }
  const host = target.hostname;
  const loopback = host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
  return target.origin === loc.origin || loopback ? '' : target.origin;
}

/** An absolute base URL is always fine; a relative one needs a page to be relative to. */
export function canResolve(baseUrl) {
  try {
    new URL(baseUrl, globalThis.location ? globalThis.location.href : undefined);
    return true;
  } catch (_) {
    return false;
  }
}

function formData(parts, blobs) {
  const fd = new FormData();
  for (const p of parts) {
    if (p.length === 2) {
      fd.append(p[0], p[1]);
    } else {
      const [name, slot, filename, type, data] = p;
      // slice() re-types the Blob without copying its bytes.
      const blob = slot >= 0 ? blobs[slot].slice(0, blobs[slot].size, type) : new Blob([data], { type });
      fd.append(name, blob, filename);
    }
  }
  return fd;
}

/**
 * One HTTP attempt. `o`: {method, url, headers: [[k, v]], contentType, text, parts, blobs,
 * timeoutMs, signal, fetch, onProgress(loadedFraction)}. Resolves {status, text, retryAfter,
 * requestId}; rejects {kind: 'abort' | 'timeout' | 'network', message}.
 */
export function send(o) {
  const body = o.parts ? formData(o.parts, o.blobs) : o.text;
  const useXhr = !!o.onProgress && !o.fetch && typeof XMLHttpRequest !== 'undefined';
  return useXhr ? viaXhr(o, body) : viaFetch(o, body);
}

function answer(status, text, header) {
  return { status, text, retryAfter: header('Retry-After'), requestId: header('X-Request-ID') };
}

function viaXhr(o, body) {
  return new Promise((resolve, reject) => {
    if (o.signal && o.signal.aborted) return reject(abortFailure());
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    const done = (f, v) => {
      if (o.signal) o.signal.removeEventListener('abort', onAbort);
      f(v);
    };
    xhr.open(o.method, o.url);
    for (const [k, v] of o.headers) xhr.setRequestHeader(k, v);
    if (o.contentType) xhr.setRequestHeader('Content-Type', o.contentType);
    xhr.timeout = o.timeoutMs;
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) o.onProgress(e.loaded / e.total);
    };
    xhr.onload = () => done(resolve, answer(xhr.status, xhr.responseText, (h) => xhr.getResponseHeader(h)));
    xhr.onerror = () => done(reject, { kind: 'network', message: 'network error (connection failed or refused)' });
    xhr.ontimeout = () => done(reject, { kind: 'timeout', message: `no answer within ${o.timeoutMs} ms` });
    xhr.onabort = () => done(reject, abortFailure());
    if (o.signal) o.signal.addEventListener('abort', onAbort, { once: true });
    xhr.send(body);
  });
}

async function viaFetch(o, body) {
  if (o.signal && o.signal.aborted) throw abortFailure();
  const ac = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, o.timeoutMs);
  const onAbort = () => ac.abort();
  if (o.signal) o.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const headers = new Headers(o.headers);
    if (o.contentType) headers.set('Content-Type', o.contentType);
    if (o.onProgress) o.onProgress(0);
    const res = await (o.fetch || globalThis.fetch)(o.url, { method: o.method, headers, body, signal: ac.signal });
    const text = await res.text();
    if (o.onProgress) o.onProgress(1);
    return answer(res.status, text, (h) => res.headers.get(h));
  } catch (e) {
    if (o.signal && o.signal.aborted) throw abortFailure();
    if (timedOut) throw { kind: 'timeout', message: `no answer within ${o.timeoutMs} ms` };
    throw { kind: 'network', message: (e && e.message) || String(e) };
  } finally {
    clearTimeout(timer);
    if (o.signal) o.signal.removeEventListener('abort', onAbort);
  }
}
