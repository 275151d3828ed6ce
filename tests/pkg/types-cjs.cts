// Type-checked as a CommonJS TypeScript file under node16 resolution: `require` resolves to
// node.cjs and its declarations (index.d.cts).
import sdk = require('nomadicml-web');

export async function usage(): Promise<number> {
  await sdk.init();
  const ready: boolean = sdk.isInitialized();
  const client = new sdk.NomadicClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:8787' });
  const videos = await client.myVideos({ folder: 'f' });
  const r = await client.analyze(videos[0].video_id, { prompt: 'vans', mode: 'fast' });
  return ready && r.events ? r.events.length : 0;
}
