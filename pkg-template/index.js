// nomadicml-web for browsers and bundlers: `import init, { NomadicClient } from 'nomadicml-web'`,
// then `await init()` once (it fetches nomadicml_web_bg.wasm next to this file).
import initWasm, { initSync as initSyncWasm, NomadicClient as WasmClient, probeVideo as probeWasm } from './nomadicml_web.js';
import { NomadicMLError } from './__SNIPPETS__/src/js/errors.js';

export {
  NomadicMLError,
  APIError,
  AuthenticationError,
  ValidationError,
  VideoUploadError,
  TimeoutError,
  AbortError,
} from './__SNIPPETS__/src/js/errors.js';
export { AnalysisType, CustomCategory, OverlayMode, DEFAULT_STRUCTURED_ODD_COLUMNS } from './__SNIPPETS__/src/js/enums.js';

let ready = false;
let loading;

/** Whether `init()` (or `initSync()`) has finished: clients can be made. */
export function isInitialized() {
  return ready;
}

/**
 * Loads the wasm, once: later calls (and calls made while it loads) wait for the same load.
 * Resolves `undefined`. A failed load can be tried again.
 */
export default function init(input) {
  if (ready) return Promise.resolve();
  if (!loading) {
    loading = initWasm(input).then(
      () => {
        ready = true;
      },
      (e) => {
        loading = undefined;
        throw e;
      },
    );
  }
  return loading;
}

// Also a named export, for CommonJS-style destructuring (`const { init } = require(...)`).
export { init };

/** `init()` from bytes or a `WebAssembly.Module` you already have, synchronously. */
export function initSync(input) {
  if (!ready) {
    initSyncWasm(input);
    ready = true;
  }
}

function notInitialized(what) {
  const e = new NomadicMLError(
    `nomadicml-web is not loaded yet: call and await init() once before ${what} ` +
      "(import init from 'nomadicml-web'; await init();)",
  );
  e.code = 'not_initialized';
  return e;
}

/** A client of the NomadicML API (see the README); made after `await init()`. */
export class NomadicClient extends WasmClient {
  constructor(options) {
    if (!ready) throw notInitialized('making a client');
    super(options);
  }
}

/** What an MP4/MOV file holds (container, duration, size, codec), from at most 2 MiB of it. */
export function probeVideo(file) {
  return ready ? probeWasm(file) : Promise.reject(notInitialized('probing a video'));
}
