// Deliberate misuses: every line after a `@ts-expect-error` must be refused by `tsc --strict`
// against the built declarations (an unused directive fails the check). package.test.mjs counts
// the directives, so the list cannot shrink unnoticed.
import init, {
  NomadicClient,
  AnalysisType,
  CustomCategory,
  OverlayMode,
  APIError,
  NomadicMLError,
  initSync,
  probeVideo,
  type BatchResult,
  type ErrorCode,
  type UploadResult,
} from 'nomadicml-web';

export async function misuse(file: File, json: File, id: string): Promise<void> {
  // --- loading
  // @ts-expect-error a number is not a wasm source
  await init(42);
  // @ts-expect-error initSync takes bytes or a module, not a URL
  initSync('/nomadicml_web_bg.wasm');
  // @ts-expect-error probeVideo reads a File or Blob, not a name
  await probeVideo('clip.mp4');
  const probed = await probeVideo(file);
  // @ts-expect-error the container is mp4 or mov
  const container: 'webm' = probed.container;
  // @ts-expect-error the duration may be unknown (null)
  const seconds: number = probed.duration_s;

  // --- client options
  // @ts-expect-error misspelt option (apiKey)
  new NomadicClient({ apikey: 'k' });
  // @ts-expect-error misspelt option (baseUrl)
  new NomadicClient({ baseURL: '/api' });
  // @ts-expect-error timeoutMs is a number
  new NomadicClient({ timeoutMs: '1000' });
  // @ts-expect-error maxRetries is a number
  new NomadicClient({ maxRetries: true });
  // @ts-expect-error header values are strings
  new NomadicClient({ headers: { 'X-Run': 1 } });
  // @ts-expect-error fetch is a function
  new NomadicClient({ fetch: 'https://proxy' });
  // @ts-expect-error dangerouslyAllowBrowser is a boolean
  new NomadicClient({ dangerouslyAllowBrowser: 'yes' });
  const client = new NomadicClient({ apiKey: 'k' });

  // --- upload
  // @ts-expect-error a number is not a video
  await client.upload(42);
  // @ts-expect-error misspelt option (folder)
  await client.upload(file, { folde: 'fleet' });
  // @ts-expect-error scopes are spelt exactly
  await client.upload(file, { scope: 'ORG' });
  // @ts-expect-error concurrency is a number
  await client.upload([file, file], { concurrency: '2' });
  // @ts-expect-error probe is a boolean
  await client.upload(file, { probe: 'no' });
  // @ts-expect-error stallTimeoutMs is a number
  await client.upload(file, { stallTimeoutMs: '60s' });
  // @ts-expect-error a progress report has no `loadd`
  await client.upload(file, { onProgress: (p) => p.loadd });
  // @ts-expect-error a sidecar is a file, JSON text or an object
  await client.upload(file, { metadataFile: 42 });
  // @ts-expect-error a multi-view set needs its front view
  await client.upload({ left: file, right: file });
  // @ts-expect-error a cloud import resolves to an import job, not a video
  (await client.upload('gs://fleet/a.mp4')).video_id;
  // @ts-expect-error a list of cloud URIs is one import job, not an upload result
  const imported: UploadResult = await client.upload(['gs://fleet/a.mp4', 's3://fleet/b.mp4']);
  // @ts-expect-error a file upload has no import job
  (await client.upload(file)).import_job_id;
  // @ts-expect-error a list resolves to a list
  (await client.upload([file, file])).video_id;
  // @ts-expect-error a video's status is processing, uploaded or uploading_failed
  if ((await client.upload(file)).status === 'done') return;
  // @ts-expect-error a multi-view set's views are named by the result
  (await client.upload({ front: file, rear: file })).view_ids;

  // --- videos and folders
  // @ts-expect-error myVideos filters by `folder`
  await client.myVideos({ folderName: 'fleet' });
  const videos = await client.myVideos();
  // @ts-expect-error results keep the API's snake_case (video_name)
  videos[0].videoName;
  // @ts-expect-error results keep the API's snake_case (folder_id)
  videos[0].folderId;
  // @ts-expect-error no such status
  if (videos[0].status === 'ready') return;
  // @ts-expect-error a folder name is a string
  await client.createFolder(42);
  // @ts-expect-error scopes are user or org
  await client.createFolder('f', { scope: 'team' });
  // @ts-expect-error a folder's id is `id`
  (await client.getFolder('f')).folder_id;
  // @ts-expect-error deleteVideo needs the id
  await client.deleteVideo();
  // @ts-expect-error a signal is an AbortSignal
  await client.verifyAuth({ signal: 'stop' });

  // --- analysis
  // @ts-expect-error analysisType is one of AnalysisType
  await client.analyze(id, { analysisType: 'ask_typo', customEvent: 'x' });
  // @ts-expect-error ASK needs customEvent
  await client.analyze(id, { analysisType: AnalysisType.ASK });
  // @ts-expect-error agents take no customEvent
  await client.analyze(id, { analysisType: AnalysisType.TURN, customEvent: 'left turns' });
  // @ts-expect-error agents take no customCategory
  await client.analyze(id, { analysisType: AnalysisType.TURN, customCategory: CustomCategory.DRIVING });
  // @ts-expect-error customCategory is one of CustomCategory
  await client.analyze(id, { analysisType: AnalysisType.ASK, customEvent: 'x', customCategory: 'cars' });
  // @ts-expect-error ASK takes no custom agent
  await client.analyze(id, { analysisType: AnalysisType.ASK, customEvent: 'x', customEdgeCaseAgentId: 'a' });
  // @ts-expect-error overlayMode is one of OverlayMode
  await client.analyze(id, { analysisType: AnalysisType.TURN, overlayMode: 'frames' });
  // @ts-expect-error confidence is low or high
  await client.analyze(id, { analysisType: AnalysisType.TURN, confidence: 'medium' });
  // @ts-expect-error mode is thinking or fast
  await client.analyze(id, { prompt: 'p', mode: 'slow' });
  // @ts-expect-error a prompt takes no analysisType
  await client.analyze(id, { prompt: 'p', analysisType: AnalysisType.TURN });
  // @ts-expect-error a prompt is text
  await client.analyze(id, { prompt: 42 });
  // @ts-expect-error analyze needs a prompt (or ASK or an agent)
  await client.analyze(id, {});
  // @ts-expect-error misspelt option (prompt)
  await client.analyze(id, { promt: 'p' });
  // @ts-expect-error one video resolves to its result, not a batch
  (await client.analyze(id, { prompt: 'p' })).batch_metadata;
  // @ts-expect-error a list resolves to a batch, which has no summary of its own
  (await client.analyze([id, id], { prompt: 'p' })).summary;
  // @ts-expect-error a folder target names its folder
  await client.analyze({ name: 'fleet' }, { prompt: 'p' });
  // @ts-expect-error overlayMode is an ASK/agent option, not a prompt's
  await client.analyze(id, { prompt: 'p', overlayMode: OverlayMode.GPS });
  // @ts-expect-error the stream is the thinking mode's
  client.analyzeStream(id, { prompt: 'p', mode: 'fast' });
  for await (const item of client.analyzeStream(id, { prompt: 'p' })) {
    // @ts-expect-error only the last item carries results
    if (item.type === 'event') item.results;
  }
  const single = await client.analyze(id, { prompt: 'p' });
  const first = single.events?.[0];
  // @ts-expect-error approvals are approved, rejected, pending or invalid
  if (first && 'approval' in first && first.approval === 'accepted') return;
  // @ts-expect-error a result's status is completed, failed or started
  if (single.status === 'done') return;

  // --- batches, visuals, exports, search
  // @ts-expect-error a filter value is an approval
  await client.getBatchAnalysis('b', { filter: 'approve' });
  // @ts-expect-error every filter value is an approval
  await client.getBatchAnalysis('b', { filter: ['approved', 'maybe'] });
  // @ts-expect-error asCsv resolves to text
  const notCsv: BatchResult = await client.getBatchAnalysis('b', { asCsv: true });
  // @ts-expect-error batch metadata has no such field
  (await client.getBatchAnalysis('b')).batch_metadata.totl;
  // @ts-expect-error a batch item has no `score`
  (await client.getBatchAnalysis('b')).results[0].score;
  // @ts-expect-error metadata values are strings or numbers
  await client.addBatchMetadata('b', { reviewed: true });
  // @ts-expect-error an event index is a number
  await client.getVisual(id, 'a', '0');
  // @ts-expect-error misspelt option (videoId)
  await client.generateStructuredOdd({ videoID: id });
  // @ts-expect-error a column needs its prompt
  await client.generateStructuredOdd({ videoId: id, columns: [{ name: 'speed', type: 'km/h' }] });
  // @ts-expect-error search needs folderName
  await client.search('q', {});
  // @ts-expect-error search scopes are user, org or sample
  await client.search('q', { folderName: 'f', scope: 'everyone' });
  // @ts-expect-error a match has `similarity`, not `score`
  (await client.search('q', { folderName: 'f' })).matches[0].score;

  // --- import jobs and integrations
  // @ts-expect-error a page is asked for by cursor or by offset, not both
  await client.video.getImportJobVideos('ij', { cursor: 'c', offset: 10 });
  // @ts-expect-error limit is a number
  await client.video.getImportJobVideos('ij', { limit: '10' });
  // @ts-expect-error a page has `total`
  (await client.video.getImportJobVideos('ij')).totl;
  for await (const row of client.video.importJobRows('ij')) {
    // @ts-expect-error rows keep the API's snake_case (video_id)
    row.videoId;
  }
  // @ts-expect-error progress has total, materialized, uploaded, failed and pending
  await client.video.waitForImportJob('ij', { onProgress: (p) => p.done });
  // @ts-expect-error an import job has `status`
  (await client.getImportJob('ij')).state;
  // @ts-expect-error integration types are gcs or s3
  await client.cloudIntegrations.list({ type: 'azure' });
  // @ts-expect-error an integration needs credentials
  await client.cloudIntegrations.add({ type: 'gcs', name: 'n', bucket: 'b' });
  // @ts-expect-error integration types are gcs or s3
  await client.cloudIntegrations.add({ type: 'azure', name: 'n', bucket: 'b', credentials: {} });
  // @ts-expect-error S3 credentials are named accessKeyId and secretAccessKey
  await client.cloudIntegrations.add({ type: 's3', name: 'n', bucket: 'b', region: 'r', credentials: { accessKey: 'a', secret: 's' } });
  // @ts-expect-error a region is an S3 integration's
  await client.cloudIntegrations.add({ type: 'gcs', name: 'n', bucket: 'b', region: 'r', credentials: {} });
  // @ts-expect-error an integration's bucket is `bucket`
  (await client.cloudIntegrations.list())[0].bucket_name;

  // --- errors
  try {
    await client.verifyAuth();
  } catch (e) {
    // @ts-expect-error an APIError's status is `status`
    if (e instanceof APIError) e.statusCode;
    // @ts-expect-error codes are a closed list
    if (e instanceof NomadicMLError && e.code === 'timeout_error') return;
  }
  // @ts-expect-error not an error code
  const code: ErrorCode = 'oops';
  // @ts-expect-error the client has no close(); free() or `using` releases it
  client.close();
  void [container, seconds, imported, notCsv, code, json];
}
