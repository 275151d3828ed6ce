// The source of `pkg/node.cjs`, Node's entry (xtask bundles it with the glue into one CommonJS
// file). Node's ESM entry (`node.js`) re-exports this same module, so an app that both imports
// and requires the package gets one wasm instance, not two.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import initWeb, { isInitialized } from './index.js';

export * from './index.js';

/** A local source of the wasm (a path, or a `file:` URL) read from disk; anything else as given. */
async function local(source) {
  const url = source instanceof URL ? source : typeof source === 'string' && source.startsWith('file:') ? new URL(source) : null;
  if (url && url.protocol === 'file:') return readFile(url);
  if (typeof source === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(source)) return readFile(pathToFileURL(source));
  return source;
}

/** Loads the wasm once, from the package's own file unless told otherwise (a path, a file URL,
 * bytes or a `WebAssembly.Module`). */
export default async function init(input) {
  if (isInitialized()) return initWeb();
  const source = input === undefined ? join(__dirname, 'nomadicml_web_bg.wasm') : input && typeof input === 'object' && 'module_or_path' in input ? input.module_or_path : input;
  return initWeb({ module_or_path: await local(source) });
}

export { init };
