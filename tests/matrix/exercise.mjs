// The calls every fixture of the packaging matrix makes against the emulator, with the package
// as that toolchain handed it over (`sdk` is the module namespace; `init` how that toolchain
// loads the wasm). Resolves to the list of what was checked.

// The suite's MP4 writer, copied next to this file into each fixture as helpers.mjs.
import { mp4 } from './helpers.mjs';

export async function exercise(sdk, { baseUrl, apiKey, init = () => sdk.default() }) {
  const checked = [];
  const check = (ok, what) => {
    if (!ok) throw new Error(`failed: ${what}`);
    checked.push(what);
  };
  if (!sdk.isInitialized()) {
    const early = (() => {
      try {
        new sdk.NomadicClient({ apiKey, baseUrl });
      } catch (e) {
        return e;
      }
    })();
    check(early instanceof sdk.NomadicMLError && /await init\(\)/.test(early.message), 'a client before init() is refused, saying to await init()');
  }
  check((await init()) === undefined && sdk.isInitialized(), 'init() resolves undefined');
  const client = new sdk.NomadicClient({ apiKey, baseUrl });
  check(typeof (await client.verifyAuth()).user_id === 'string', 'verifyAuth');
  const folder = 'matrix-' + Math.random().toString(36).slice(2);
  const made = await client.createFolder(folder);
  check((await client.getFolder(folder)).id === made.id, 'createFolder, getFolder');
  const video = new Blob([mp4(3, new Uint8Array(64))], { type: 'video/mp4' });
  check((await sdk.probeVideo(video)).duration_s === 3, 'probeVideo');
  const { video_id } = await client.upload(video, { name: 'matrix.mp4', folder });
  const listed = await client.myVideos({ folder });
  check(listed.length === 1 && listed[0].video_id === video_id, 'upload, myVideos');
  const missing = await client.getFolder(folder + '-missing').then(() => null, (e) => e);
  check(missing instanceof sdk.APIError && missing.status === 404 && missing.code === 'not_found', 'a 404 is an APIError');
  const invalid = await client.analyze(video_id, { prompt: ' ' }).then(() => null, (e) => e);
  check(invalid instanceof sdk.ValidationError, 'bad input is a ValidationError');
  return checked;
}
