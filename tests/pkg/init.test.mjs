// Loading the package, in a process of its own: nothing is initialised yet here.
import test from 'node:test';
import assert from 'node:assert/strict';
import init, { NomadicClient, NomadicMLError, isInitialized, probeVideo } from 'nomadicml-web';

test('a client made before init() says to await init(), and init() loads once', async () => {
  assert.equal(isInitialized(), false);
  assert.throws(
    () => new NomadicClient({ apiKey: 'k' }),
    (e) => e instanceof NomadicMLError && e.message.includes('await init()') && e.code === 'not_initialized',
  );
  await assert.rejects(probeVideo(new Blob(['x'])), (e) => e instanceof NomadicMLError && e.code === 'not_initialized');
  // Concurrent calls share one load and resolve to nothing.
  const both = await Promise.all([init(), init()]);
  assert.deepEqual(both, [undefined, undefined]);
  assert.equal(isInitialized(), true);
  assert.equal(await init(), undefined);
  const client = new NomadicClient({ apiKey: 'k', baseUrl: process.env.NOMADIC_EMULATOR_URL });
  assert.ok(client instanceof NomadicClient);
  assert.equal(typeof client.video.importJobRows, 'function');
});
