// The package's declarations as users meet them: misuses refused for the right reason, no
// `lib.dom` needed, and every code block of the READMEs type-checked; the runnable ones run
// against the emulator.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { mp4, unique } from '../suite/helpers.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = root + 'tools/node_modules/.bin/tsc';
const scratch = here + 'node_modules/.types-test/';

/** Runs tsc over `files` (in `scratch`) with these compiler options; its diagnostics by line. */
async function typecheck(files, options) {
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(scratch + name, text);
  const config = {
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'es2022', moduleResolution: 'bundler', skipLibCheck: false, ...options },
    files: Object.keys(files),
  };
  await writeFile(scratch + 'tsconfig.json', JSON.stringify(config));
  const out = await promisify(execFile)(tsc, ['-p', scratch, '--pretty', 'false']).then(
    (r) => r.stdout,
    (e) => e.stdout,
  );
  return out.split('\n').filter((l) => l.includes('error TS'));
}

const dom = { lib: ['es2022', 'dom', 'dom.asynciterable'] };

test('every deliberate misuse is refused, each for its own reason', async () => {
  const text = await readFile(here + 'misuse.ts', 'utf8');
  const lines = text.split('\n');
  const expected = lines.flatMap((l, i) => (l.trim().startsWith('// @ts-expect-error') ? [i + 1] : []));
  assert.ok(expected.length >= 60, `${expected.length} misuse cases`);
  // Without the directives, each case must fail on its own line (not on a neighbour's).
  const stripped = lines.map((l) => (l.trim().startsWith('// @ts-expect-error') ? '//' : l)).join('\n');
  const errors = await typecheck({ 'misuse.ts': stripped }, dom);
  const failing = new Set(errors.map((e) => Number(/\((\d+),/.exec(e)[1])));
  for (const line of expected) assert.ok(failing.has(line + 1), `line ${line + 1} (${lines[line].trim()}) is refused`);
  assert.equal(failing.size, expected.length, `no error outside the cases:\n${errors.join('\n')}`);
  // A misspelt option is reported by its name, not as "no overload matches" the first argument.
  for (const line of expected.filter((l) => lines[l - 1].includes('misspelt option'))) {
    const key = /\{ *(\w+):/.exec(lines[line])[1];
    const message = errors.find((e) => e.includes(`(${line + 1},`));
    assert.match(message, new RegExp(`'${key}' does not exist in type`), message);
  }
  console.log(`types: ${expected.length} misuses refused, each on its own line`);
});

test('the declarations need neither lib.dom nor @types/node', async () => {
  const usage = `import init, { NomadicClient, probeVideo, type FileLike, type AbortSignalLike } from 'nomadicml-web';
declare const file: FileLike;
declare const signal: AbortSignalLike;
await init(new Uint8Array(8));
const client = new NomadicClient({ apiKey: 'k' });
const { video_id } = await client.upload(file, { signal, folder: 'f' });
const probed = await probeVideo(file);
client[Symbol.dispose]();
export const seen: [string, string | null] = [video_id, probed.codec];
`;
  const errors = await typecheck({ 'usage.ts': usage }, { lib: ['es2022'], types: [] });
  assert.deepEqual(errors, []);
});

/** The `js`/`ts` code blocks of a Markdown file, with their info strings. */
function blocks(markdown) {
  return [...markdown.matchAll(/```(?:js|ts)(?:[ \t]+([^\n]*))?\n([\s\S]*?)```/g)].map((m) => ({ info: (m[1] ?? '').trim(), code: m[2] }));
}

// What the READMEs' examples take as given (a file input, a progress bar, ...).
const givens = `import type { NomadicClient } from 'nomadicml-web';
declare global {
  const fileInput: { files: ArrayLike<File> };
  const input: { files: ArrayLike<File> };
  const clip: File;
  const dashcam: File;
  const dashcamJson: File;
  const blob: Blob;
  const videoId: string;
  const client: NomadicClient;
  const bar: { value: number };
  const wasmBytes: Uint8Array;
  const process: { env: Record<string, string | undefined> };
  function require(id: 'nomadicml-web'): typeof import('nomadicml-web');
  function show(event: string, data: unknown): void;
  function render(results: unknown): void;
}
export {};
`;

async function readmeBlocks() {
  const found = [];
  for (const file of ['README.md', 'pkg-template/README.md']) {
    blocks(await readFile(root + file, 'utf8')).forEach((b, i) => found.push({ ...b, name: `${file.replace(/\W/g, '_')}_${i}` }));
  }
  return found;
}

test("the READMEs' code blocks type-check", async () => {
  const found = await readmeBlocks();
  assert.ok(found.length >= 5, `${found.length} blocks`);
  const files = { 'givens.d.ts': givens };
  for (const b of found) files[`${b.name}.ts`] = b.code + '\nexport {};\n';
  const errors = await typecheck(files, dom);
  assert.deepEqual(errors, []);
  console.log(`README code blocks: ${found.length} type-checked`);
});

test("the READMEs' runnable code blocks run against the emulator", async () => {
  const base = process.env.NOMADIC_EMULATOR_URL;
  const key = process.env.NOMADIC_TEST_API_KEY;
  const runnable = (await readmeBlocks()).filter((b) => b.info.split(/\s+/).includes('runnable'));
  assert.ok(runnable.length >= 2, `${runnable.length} runnable blocks`);
  const { default: init, NomadicClient } = await import('nomadicml-web');
  await init();
  const client = new NomadicClient({ apiKey: key, baseUrl: base });
  const video = (name) => new File([mp4(2, unique())], name, { type: 'video/mp4' });
  const { video_id } = await client.upload(video('given.mp4'));
  const shown = [];
  Object.assign(globalThis, {
    fileInput: { files: [video('picked.mp4')] },
    input: { files: [video('probed.mp4')] },
    clip: video('clip.mp4'),
    dashcam: video('dashcam.mp4'),
    dashcamJson: new File([JSON.stringify({ fields: {} })], 'dashcam.json', { type: 'application/json' }),
    blob: new Blob([mp4(2, unique())], { type: 'video/mp4' }),
    videoId: video_id,
    client,
    bar: { value: 0 },
    show: (event) => shown.push(event),
    render: (results) => shown.push(results),
  });
  for (const b of runnable) {
    // The examples use the demo's address and key; here the test emulator stands in for it.
    const code = b.code.replaceAll('http://127.0.0.1:8787', base).replaceAll('nomadic-dev-key', key);
    await writeFile(here + `node_modules/.${b.name}.mjs`, code);
    await import(`./node_modules/.${b.name}.mjs`);
  }
  assert.ok(shown.length > 0, 'the examples showed what they got');
  console.log(`README code blocks: ${runnable.length} ran against the emulator`);
});
