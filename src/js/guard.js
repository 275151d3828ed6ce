// The one guarded reader of caller values (Rust cannot catch an exception thrown by a getter or
// a Proxy trap it reaches through a binding). Each argument is copied once, synchronously, before
// any request: the platform objects the SDK uses as they are (Blobs and Files, abort signals,
// functions) and primitives are kept; an iterable such as a FileList, a Set, a Map or Headers
// becomes the array it iterates to (its entries are not own properties, and copying those would
// silently lose them: a FileList uploads as a list, a Map where an object is expected is a type
// error naming the option); every other object or array becomes a plain copy of its own
// enumerable data. What Rust reads afterwards can no longer run caller code, so no exception
// can escape a callback or leave a promise unsettled.

const MAX_DEPTH = 64;
/** An iterable that gives more than this is refused (it may never end). */
const MAX_ITEMS = 1 << 20;

/** The copy of an object that was not a plain one stays recognisably not plain. */
class Copied {}

function copy(v, depth) {
  if (v === null || typeof v !== 'object') return v;
  if (depth > MAX_DEPTH) throw new Error('it is nested more than 64 levels deep');
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copy(v[i], depth + 1);
    return out;
  }
  if (typeof Blob !== 'undefined' && v instanceof Blob) {
    // A Proxy passes instanceof but fails the methods' brand check later, outside any guard.
    Blob.prototype.slice.call(v, 0, 0);
    return v;
  }
  if (typeof AbortSignal !== 'undefined' && v instanceof AbortSignal) return v;
  // A signal from another realm or a polyfill, recognised by its shape (read under the guard).
  if (typeof v.aborted === 'boolean' && typeof v.addEventListener === 'function') return v;
  // Typed arrays are iterable too, but their elements are own properties (copied below).
  if (typeof v[Symbol.iterator] === 'function' && !ArrayBuffer.isView(v)) {
    const out = [];
    for (const item of v) {
      if (out.length === MAX_ITEMS) throw new Error(`it iterates to more than ${MAX_ITEMS} items`);
      out.push(copy(item, depth + 1));
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  const out = proto === Object.prototype || proto === null ? {} : new Copied();
  for (const k of Object.keys(v)) out[k] = copy(v[k], depth + 1);
  return out;
}

/** `{value}`: a trap-free copy of `v`; or `{error}`: why it could not be read. */
export function snapshot(v) {
  try {
    return { value: copy(v, 0) };
  } catch (e) {
    let why;
    try {
      why = e && typeof e.message === 'string' ? e.message : String(e);
    } catch (_) {
      why = 'reading it threw';
    }
    return { error: why };
  }
}
