// nomadicml-web for Node 18+: the same API; `await init()` reads the .wasm file from disk.
import { readFile } from 'node:fs/promises';
import initWeb, { isInitialized } from './index.js';

export * from './index.js';

export default async function init(input) {
  if (input !== undefined || isInitialized()) return initWeb(input);
  const bytes = await readFile(new URL('./nomadicml_web_bg.wasm', import.meta.url));
  return initWeb({ module_or_path: bytes });
}
