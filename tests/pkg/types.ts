// Compiled with `tsc --noEmit` against the built package: the declarations must describe the
// API as users call it (a wrong or missing type fails the build).
import init, {
  NomadicClient,
  AnalysisType,
  CustomCategory,
  OverlayMode,
  DEFAULT_STRUCTURED_ODD_COLUMNS,
  APIError,
  AbortError,
  NomadicMLError,
  ValidationError,
  isInitialized,
  probeVideo,
  type UploadProgress,
  type VideoProbe,
} from 'nomadicml-web';
import initInline, { NomadicClient as InlineClient } from 'nomadicml-web/inline';

export async function usage(file: File, json: File): Promise<void> {
  const loaded: void = await init();
  const ready: boolean = isInitialized();
  const probed: VideoProbe = await probeVideo(file);
  const seconds0: number | null = probed.duration_s;
  // @ts-expect-error the container is one of two
  const c: 'webm' = probed.container;
  const client = new NomadicClient({ apiKey: 'k', baseUrl: '/api-proxy', timeoutMs: 1000, maxRetries: 2, dangerouslyAllowBrowser: false });
  const ac = new AbortController();
  const one = await client.upload(file, { folder: 'f', scope: 'org', signal: ac.signal, onProgress: (p: UploadProgress) => p.loaded / p.total });
  const id: string = one.video_id;
  const many = await client.upload([file, [file, json], { video: file, name: 'n.mp4', metadata: { a: 1 } }], { concurrency: 2 });
  many.forEach((r) => r.status);
  // Any iterable is a list (a FileList from a picker, a Set).
  const picked = await client.upload(new Set([file, file]));
  picked.forEach((r) => r.status);
  (await client.analyze(new Set([id]), { prompt: 'p' })).results.length;
  await client.upload({ front: file, left: file }, { chunkSize: 8388608, probe: false, stallTimeoutMs: 30000 });
  const job: string = (await client.upload(['gs://b/a.mp4'], { integrationId: 'x' })).import_job_id;
  const inlineLoaded: void = await initInline();
  new InlineClient({ apiKey: 'k' })[Symbol.dispose]();
  const either = await client.upload(String(file.name));
  const route: string = 'import_job_id' in either ? either.import_job_id : either.video_id;
  const videos = await client.myVideos({ folder: 'f' });
  const seconds: number | null = videos[0].duration_s;
  await client.deleteVideo(id);
  await client.createFolder('f', { description: 'd' });
  await client.getFolder('f', { scope: 'user' });
  const page = await client.video.getImportJobVideos('ij', { limit: 10, cursor: 'c' });
  const more: boolean = page.has_more;
  await client.video.getImportJobVideos('ij', { limit: 10, cursor: page.next_cursor });
  for await (const row of client.video.importJobRows('ij', { limit: 500 })) row.status.toLowerCase();
  for await (const p of client.video.importJobPages('ij')) p.videos.length;
  const done = await client.video.waitForImportJob('ij', { onProgress: (p) => p.uploaded + p.failed });
  done.uploaded_video_ids.join(',');
  await client.cloudIntegrations.add({ type: 's3', name: 'n', bucket: 'b', region: 'r', credentials: { accessKeyId: 'a', secretAccessKey: 's' } });
  const single = await client.analyze(id, { analysisType: AnalysisType.ASK, customEvent: 'x', customCategory: CustomCategory.DRIVING, overlayMode: OverlayMode.GPS, confidence: 'high' });
  single.events?.length;
  const batch = await client.analyze({ folder: 'f' }, { analysisType: AnalysisType.LANE_CHANGE });
  const prompted = await client.analyze(id, { prompt: 'vans on the sidewalk', mode: 'fast' });
  const summary: string | undefined = prompted.summary;
  const prompts = await client.analyze([id, id], { prompt: 'p', onProgress: (p) => (p.type === 'event' ? p.event : p.status) });
  prompts.results.length;
  for await (const item of client.analyzeStream(id, { prompt: 'p', signal: ac.signal })) {
    if (item.type === 'results') item.results.events?.length;
    else if (item.type === 'event') item.data;
  }
  const csv: string = await client.getBatchAnalysis(batch.batch_metadata.batch_id, { filter: ['approved'], asCsv: true });
  await client.addBatchMetadata('b', { run: 'x', version: 2 });
  const urls: string[] = await client.getVisuals(id, 'a');
  await client.getVisual(id, 'a', 0);
  const odd = await client.generateStructuredOdd({ videoId: id, columns: DEFAULT_STRUCTURED_ODD_COLUMNS, reasoningTracePath: 'traces/x' });
  const found = await client.search('q', { folderName: 'f' });
  found.matches[0].similarity.toFixed(2);
  void [seconds, more, csv, urls, odd.csv, job, inlineLoaded, route];
  try {
    await client.verifyAuth();
  } catch (e) {
    if (e instanceof APIError) e.status.toFixed();
    if (e instanceof AbortError || e instanceof ValidationError || e instanceof NomadicMLError) e.message.length;
  }
}
