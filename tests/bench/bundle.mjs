// Bytes: what a page downloads of the SDK (the wasm and the browser entry's JS, each compressed
// as a server would send it), against openai's client bundled for the browser by esbuild.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { build } from '../../tools/node_modules/esbuild/lib/main.js';

const gzip = (b) => gzipSync(b, { level: 9 }).length;
const brotli = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** `{gzip, brotli, files}` in bytes, summed per file. */
function sizes(paths) {
  const bytes = paths.map((p) => readFileSync(p));
  return { gzip: bytes.reduce((a, b) => a + gzip(b), 0), brotli: bytes.reduce((a, b) => a + brotli(b), 0), files: paths.length };
}

export async function bundles({ pkg, baselines }) {
  // Node's two entries are not downloaded by pages, nor is `inline.js` beside the `.wasm` (it
  // carries the same wasm, for pages that load it instead).
  const page = files(pkg).filter((p) => /\.(js|wasm)$/.test(p) && !/^(node\.|inline\.)/.test(relative(pkg, p)));
  const entry = join(baselines, 'openai-entry.mjs');
  writeFileSync(entry, "import OpenAI from 'openai';\nexport const client = new OpenAI({ apiKey: 'k', dangerouslyAllowBrowser: true });\n");
  const out = join(baselines, 'openai-bundle.js');
  await build({ entryPoints: [entry], bundle: true, minify: true, format: 'esm', platform: 'browser', outfile: out, logLevel: 'error' });
  return { sdk: sizes(page), openai: sizes([out]) };
}
