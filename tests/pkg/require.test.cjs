// The package through `require`, as CommonJS code (and Jest's default setup) loads it.
const test = require('node:test');
const assert = require('node:assert/strict');
const { pathToFileURL } = require('node:url');
const path = require('node:path');

const base = process.env.NOMADIC_EMULATOR_URL;
const apiKey = process.env.NOMADIC_TEST_API_KEY;

test('require gives the whole API, guarded until init, sharing one instance with import', async () => {
  const sdk = require('nomadicml-web');
  const { init, NomadicClient, NomadicMLError, ValidationError, AuthenticationError, isInitialized } = sdk;
  assert.equal(sdk.default, init);
  if (!isInitialized()) {
    assert.throws(() => new NomadicClient({ apiKey, baseUrl: base }), (e) => e instanceof NomadicMLError && /await init\(\)/.test(e.message));
  }
  // A file URL of the wasm is read from disk (fetch cannot load file: URLs in Node).
  const wasm = path.join(path.dirname(require.resolve('nomadicml-web')), 'nomadicml_web_bg.wasm');
  await init({ module_or_path: pathToFileURL(wasm) });
  assert.equal(isInitialized(), true);
  const client = new NomadicClient({ apiKey, baseUrl: base });
  assert.ok(Array.isArray(await client.myVideos()));
  await assert.rejects(new NomadicClient({ apiKey: 'wrong-key-77', baseUrl: base }).myVideos(), (e) => e instanceof AuthenticationError && e.status === 401);
  assert.throws(() => new NomadicClient({ apiKey: ' ' }), ValidationError);
  // `import` in the same process gives the same classes and the same loaded instance.
  const esm = await import('nomadicml-web');
  assert.equal(esm.NomadicClient, NomadicClient);
  assert.equal(esm.default, init);
  assert.equal(esm.isInitialized(), true);
  // Both entries export the same names (Node's `import` entry lists them one by one).
  assert.deepEqual(Object.keys(esm).sort(), Object.keys(sdk).filter((k) => k !== '__esModule').sort());
});
