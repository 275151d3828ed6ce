// Jest's default setup: CommonJS test files and `require`, no configuration at all.
const { init, NomadicClient, NomadicMLError, ValidationError, AuthenticationError } = require('nomadicml-web');

const base = process.env.NOMADIC_EMULATOR_URL;
const apiKey = process.env.NOMADIC_TEST_API_KEY;

test('a client made before init() says to await it', () => {
  expect(() => new NomadicClient({ apiKey, baseUrl: base })).toThrow(NomadicMLError);
  expect(() => new NomadicClient({ apiKey, baseUrl: base })).toThrow(/await init\(\)/);
});

test('after init(), real calls against the emulator', async () => {
  await init();
  const client = new NomadicClient({ apiKey, baseUrl: base });
  expect(Array.isArray(await client.myVideos())).toBe(true);
  await expect(new NomadicClient({ apiKey: 'wrong-key-42', baseUrl: base }).myVideos()).rejects.toBeInstanceOf(AuthenticationError);
  await expect(client.analyze('v1', { prompt: 'x', mode: 'FAST' })).rejects.toBeInstanceOf(ValidationError);
});
