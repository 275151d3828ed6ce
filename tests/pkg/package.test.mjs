// The built npm package, imported by name as users do, in Node (the "node" export condition).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import init, {
  NomadicClient,
  NomadicMLError,
  APIError,
  AuthenticationError,
  ValidationError,
  AbortError,
  probeVideo,
} from 'nomadicml-web';
import { openAsBlob } from 'node:fs';
import { open, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cameraLayout, countReads, seedJob } from '../suite/helpers.js';

const base = process.env.NOMADIC_EMULATOR_URL;
const apiKey = process.env.NOMADIC_TEST_API_KEY;
await init();

test('the package declares its entry points and types', async () => {
  const pkg = JSON.parse(await readFile(new URL('./node_modules/nomadicml-web/package.json', import.meta.url)));
  assert.deepEqual(pkg.exports['.'].node, { import: { types: './index.d.ts', default: './node.js' }, require: { types: './index.d.cts', default: './node.cjs' } });
  for (const c of ['browser', 'import', 'default']) assert.equal(pkg.exports['.'][c].types, './index.d.ts');
  assert.deepEqual(pkg.exports['./inline'], { require: { types: './index.d.cts', default: './node.cjs' }, default: { types: './inline.d.ts', default: './inline.js' } });
  assert.equal(pkg.engines.node, '>=18', 'the Node versions the packaging matrix runs');
  for (const f of ['index.js', 'node.js', 'node.cjs', 'index.d.ts', 'index.d.cts', 'inline.js', 'inline.d.ts', 'nomadicml_web_bg.wasm', 'README.md', 'LICENSE']) {
    assert.ok(pkg.files.some((g) => f === g || f.startsWith(g)), `${f} is in the tarball's files`);
    await readFile(new URL(`./node_modules/nomadicml-web/${f}`, import.meta.url));
  }
});

test('errors are real classes', async () => {
  assert.throws(() => new NomadicClient({ apiKey: '   ' }), (e) => e instanceof ValidationError && e instanceof NomadicMLError && e instanceof Error);
  const bad = new NomadicClient({ apiKey: 'not-the-key-123', baseUrl: base });
  await assert.rejects(bad.myVideos(), (e) => {
    assert.ok(e instanceof AuthenticationError && e instanceof APIError && e instanceof NomadicMLError);
    assert.equal(e.status, 401);
    assert.ok(e.requestId);
    assert.ok(!e.message.includes('not-the-key-123'));
    assert.ok(!e.stack.includes('not-the-key-123'));
    return true;
  });
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(new NomadicClient({ apiKey, baseUrl: base }).myVideos({ signal: ac.signal }), (e) => e instanceof AbortError && e.name === 'AbortError');
});

test('every error carries a stable code', async () => {
  const client = new NomadicClient({ apiKey, baseUrl: base });
  const code = async (p) => p.then(() => 'resolved', (e) => e.code);
  assert.equal(await code(client.getFolder('no-such-folder-' + Math.random())), 'not_found');
  assert.equal(await code(new NomadicClient({ apiKey: 'wrong-key-9', baseUrl: base }).myVideos()), 'auth_failed');
  assert.equal(await code(client.analyze('v1', { prompt: ' ' })), 'invalid_input');
  const ac = new AbortController();
  ac.abort();
  assert.equal(await code(client.myVideos({ signal: ac.signal })), 'aborted');
  assert.equal(await code(new NomadicClient({ apiKey, baseUrl: 'http://127.0.0.1:9', maxRetries: 0 }).myVideos()), 'network');
  const e = await client.getFolder('x-' + Math.random()).catch((x) => x);
  assert.equal(JSON.parse(JSON.stringify(e)).code, 'not_found');
})

test('a Blob uploads and is listed', async () => {
  const client = new NomadicClient({ apiKey, baseUrl: base });
  const folder = 'pkg' + Math.random().toString(36).slice(2, 8);
  // Not a video, sent unprobed: the emulator takes it, then reports it failed, and the SDK says why.
  const junk = new Blob([new Uint8Array(64)], { type: 'video/mp4' });
  await assert.rejects(client.upload(junk, { name: 'junk.mp4', folder, pollIntervalMs: 50, probe: false }), (e) => {
    assert.equal(e.name, 'VideoUploadError');
    assert.match(e.message, /MP4/);
    return true;
  });
  const listed = await client.myVideos({ folder });
  assert.deepEqual(listed.map((v) => [v.video_name, v.status]), [['junk.mp4', 'uploading_failed']]);
  const created = await client.createFolder(folder + '-x', { scope: 'org' });
  const got = await client.getFolder(folder + '-x', { scope: 'org' });
  assert.equal(got.id, created.id);
});

test('probeVideo reads a 2 GiB MP4 whose index is at its end from under 2 MiB of it', async () => {
  // A sparse file on disk: ftyp, a 64-bit mdat of 2 GiB (holes, no disk used), then moov.
  const dir = await mkdtemp(join(tmpdir(), 'probe-'));
  const path = join(dir, 'camera.mp4');
  const mdat = 2 ** 31;
  const { head, moov } = cameraLayout(3600, mdat);
  const fh = await open(path, 'w');
  await fh.write(head, 0, head.length, 0);
  await fh.write(moov, 0, moov.length, head.length + mdat);
  await fh.close();
  try {
    const blob = await openAsBlob(path, { type: 'video/mp4' });
    assert.ok(blob.size > mdat);
    const counter = countReads(blob);
    const p = await probeVideo(blob);
    assert.deepEqual(p, { container: 'mp4', duration_s: 3600, width: 640, height: 360, codec: 'avc1', fragmented: false });
    assert.ok(counter.bytes > 0 && counter.bytes < 2 * 1024 * 1024, `read ${counter.bytes} bytes`);
    console.log(`probeVideo read ${counter.bytes} bytes of ${blob.size} in ${counter.reads} reads`);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('nomadicml-web/inline loads the wasm it carries', async () => {
  const inline = await import('nomadicml-web/inline');
  assert.equal(inline.isInitialized(), false, 'its own instance, not yet loaded');
  assert.throws(() => new inline.NomadicClient({ apiKey, baseUrl: base }), (e) => e instanceof inline.NomadicMLError && /await init\(\)/.test(e.message));
  assert.equal(await inline.default(), undefined);
  const videos = await new inline.NomadicClient({ apiKey, baseUrl: base }).myVideos();
  assert.ok(Array.isArray(videos));
  // What it carries is the package's wasm, byte for byte.
  const text = await readFile(new URL('./node_modules/nomadicml-web/inline.js', import.meta.url), 'utf8');
  const carried = Buffer.from(/const w='([A-Za-z0-9+/=]+)'/.exec(text)[1], 'base64');
  assert.ok(carried.equals(await readFile(new URL('./node_modules/nomadicml-web/nomadicml_web_bg.wasm', import.meta.url))));
});

test("a page's next_cursor is the next request's cursor as it is (null for the first page)", async () => {
  const client = new NomadicClient({ apiKey, baseUrl: base });
  const id = await seedJob(base, apiKey, 5, process.env.NOMADIC_EMULATOR_TOKEN);
  const seen = [];
  let cursor = null;
  do {
    const page = await client.video.getImportJobVideos(id, { limit: 2, cursor });
    seen.push(...page.videos.map((v) => v.video_id));
    cursor = page.next_cursor;
  } while (cursor);
  assert.equal(new Set(seen).size, 5);
});
