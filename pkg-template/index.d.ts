// Types for nomadicml-web. Result objects keep the API's snake_case fields.
//
// These declarations need neither `lib.dom` nor `@types/node`: the browser objects the SDK takes
// (files, signals, `fetch`) are described by what it uses of them, so a browser's, a worker's and
// Node's own objects all fit. They need TypeScript 5.0 or later (`const` type parameters).

/** What the SDK uses of a `Blob` (a browser's, a worker's or Node's). */
export interface BlobLike {
  readonly size: number;
  readonly type: string;
  slice(start?: number, end?: number, contentType?: string): BlobLike;
  arrayBuffer(): Promise<ArrayBuffer>;
}
/** A `File`: a blob with a name. */
export interface FileLike extends BlobLike {
  readonly name: string;
}
/** What the SDK uses of an `AbortSignal`. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
/** What the SDK reads of a fetch `Headers`. */
export interface HeadersLike {
  get(name: string): string | null;
  has(name: string): boolean;
}
/** The `Request` the SDK hands to a `fetch` option. */
export interface RequestLike {
  readonly url: string;
  readonly method: string;
  readonly headers: HeadersLike;
  readonly signal: AbortSignalLike;
}
/** What the SDK reads of a fetch `Response` (a `fetch` option must resolve to a real one). */
export interface ResponseLike {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: HeadersLike;
  readonly body: unknown;
  json(): Promise<unknown>;
  text(): Promise<string>;
}
/** A compiled `WebAssembly.Module` where the project's libraries declare one. */
export type WasmModule = typeof globalThis extends { WebAssembly: { Module: abstract new (...args: never[]) => infer M } } ? M & object : never;
/** Where the wasm comes from: its URL (a string or `URL`), a fetch `Response`, its bytes, or a
 * compiled module. In Node, a path or a `file:` URL is read from disk. */
export type WasmSource = string | { readonly href: string } | ResponseLike | ArrayBuffer | ArrayBufferView | WasmModule;
/** @deprecated the earlier name of `WasmSource`. */
export type InitInput = WasmSource;

/** Loads the wasm once; later calls wait for the same load. Resolves `undefined`. */
export default function init(input?: WasmSource | PromiseLike<WasmSource> | { module_or_path: WasmSource | PromiseLike<WasmSource> }): Promise<void>;
export { init };
/** `init()` from bytes or a compiled module you already have, synchronously. */
export function initSync(module: ArrayBuffer | ArrayBufferView | WasmModule | { module: ArrayBuffer | ArrayBufferView | WasmModule }): void;
/** Whether `init()` has finished (a client made before throws a `NomadicMLError` saying so). */
export function isInitialized(): boolean;

/** What `probeVideo` found in an MP4 or MOV file. */
export interface VideoProbe {
  container: 'mp4' | 'mov';
  /** `null` when the file does not say (a fragmented file without a total). */
  duration_s: number | null;
  /** Of the first video track, as presented. */
  width: number | null;
  height: number | null;
  /** The video track's sample entry: `avc1`, `hvc1`, `av01`, ... */
  codec: string | null;
  fragmented: boolean;
}
/** Reads an MP4/MOV file's boxes (never more than 2 MiB of it, wherever its index sits) and says
 * what it holds. Rejects with a `ValidationError` (code `invalid_input`) naming what the file is
 * instead when it is not MP4/MOV video. Needs `init()` first. */
export function probeVideo(file: BlobLike): Promise<VideoProbe>;

export type Scope = 'user' | 'org';

export interface ClientOptions {
  /** The API key. Omit it behind a same-origin proxy that adds it. */
  apiKey?: string;
  /** Default `https://api-prod.nomadicml.com`; may be a path such as `/api-proxy` in a page. */
  baseUrl?: string;
  /** Per-request timeout (uploads get 20x). Default 900000. */
  timeoutMs?: number;
  /** Retries of transport errors and 408/429/5xx answers. Default 3. */
  maxRetries?: number;
  /** Extra headers for every request. */
  headers?: Readonly<Record<string, string>>;
  /** A `fetch` to use instead of the global one: it gets a `Request` and must resolve to a
   * `Response` (uploads then report no byte progress). */
  fetch?(request: RequestLike): Promise<ResponseLike>;
  collectionName?: string;
  folderCollectionName?: string;
  /** Allow sending `apiKey` from a web page to another origin. */
  dangerouslyAllowBrowser?: boolean;
}

export interface CallOptions {
  signal?: AbortSignalLike;
}

/** A cloud object: `gs://bucket/key` or `s3://bucket/key`. */
export type CloudUri = `gs://${string}` | `s3://${string}`;
/** A video the service fetches itself. */
export type VideoUrl = `http://${string}` | `https://${string}`;
/** JSON text of a metadata sidecar (an object). */
export type JsonText = `{${string}`;
/** JSON metadata sidecar: a `.json` File or Blob, JSON text, or an object. */
export type Metadata = BlobLike | JsonText | { readonly [key: string]: unknown };
/** A video: a File (or a Blob with `options.name`), an http(s) URL or a cloud URI. */
export type VideoSource = BlobLike | VideoUrl | CloudUri | (string & {});
/** One video, with its metadata sidecar and display name when it has them. */
export type UploadItem = VideoSource | readonly [video: VideoSource, metadata: Metadata] | { readonly video: VideoSource; readonly name?: string; readonly metadata?: Metadata };
/** A multi-view set: `front` is required; other keys name further views. Files, URLs or cloud URIs. */
export type ViewSet = { readonly front: VideoSource; readonly [view: string]: VideoSource | null | undefined };
/** What `upload` takes: one item, a list of items, a multi-view set or a list of sets. A list may
 * be any iterable: `upload(fileInput.files)` uploads every picked file. */
export type UploadInput = UploadItem | readonly UploadItem[] | Iterable<UploadItem> | ViewSet | readonly ViewSet[];

export interface UploadProgress {
  /** Index of the item in the input (0 for a single upload). */
  index: number;
  name: string;
  loaded: number;
  total: number;
  overallLoaded: number;
  overallTotal: number;
}

export interface UploadOptions extends CallOptions {
  /** Display name (single uploads; required for a Blob that is not a File). */
  name?: string;
  /** Folder name; created when missing. */
  folder?: string;
  scope?: Scope;
  /** Sidecar for a single upload. */
  metadataFile?: Metadata;
  /** Wait until each video is ready. Default true. */
  waitForUploaded?: boolean;
  /** Limit of that wait, per video. Default 1200000. */
  uploadTimeoutMs?: number;
  /** First wait between readiness checks (it doubles up to 30 s). Default 2000. */
  pollIntervalMs?: number;
  /** Saved integration for a cloud import (GCS buckets are otherwise matched automatically). */
  integrationId?: string;
  /** Uploads at once for a list. Default 4, at most 16. */
  concurrency?: number;
  /** Sent to the service as `chunk_size` (a whole number), as the Python client's option. */
  chunkSize?: number;
  /** Read each file's MP4/MOV boxes first (at most 2 MiB of it) and refuse, before anything is
   * sent, a file that is not MP4/MOV video. Default true. */
  probe?: boolean;
  /** Abandon and retry (same idempotency key) an upload whose bytes stop going out for this
   * long, in browsers and workers; 0 for no limit. Default 60000. */
  stallTimeoutMs?: number;
  onProgress?: (p: UploadProgress) => void;
}

/** A video's state: `processing` until the service has it, then `uploaded`, or `uploading_failed`. */
export type VideoStatus = 'processing' | 'uploaded' | 'uploading_failed';

export interface UploadResult {
  video_id: string;
  status: VideoStatus;
}
/** One multi-view set uploaded: the front view's id and each view's video id. */
export interface MultiViewResult extends UploadResult {
  views: Record<string, string>;
  /** Set when the views were stored but the service could not stitch them. */
  stitch_error?: string;
}
/** A cloud import (any number of URIs or sets): one import job, followed with `client.video`. */
export interface CloudImportResult {
  import_job_id: string;
  status: 'importing';
}
/** An item of a list that failed (the others still went up). */
export interface FailedUpload {
  video_id: null;
  status: 'failed';
  error: string;
}

type LocalVideo = BlobLike | VideoUrl;
type LocalItem = LocalVideo | readonly [LocalVideo, Metadata] | { readonly video: LocalVideo; readonly name?: string; readonly metadata?: Metadata };
type MetadataOnly = JsonText | { readonly [key: string]: unknown };
type AllCloud<S> = { [K in keyof S]: S[K] extends CloudUri | null | undefined ? true : false }[keyof S] extends true ? true : false;
/** What one input item resolves to; a plain `string` could be either a URL or a cloud URI. */
type ItemOutcome<I> = I extends CloudUri | { readonly video: CloudUri }
  ? CloudImportResult
  : I extends LocalItem
    ? UploadResult
    : UploadResult | CloudImportResult;
/** What `upload(input)` resolves to, read from the input's type. */
export type UploadOutcome<I> = I extends ViewSet
  ? AllCloud<I> extends true ? CloudImportResult : MultiViewResult
  : I extends readonly [LocalVideo, MetadataOnly]
    ? UploadResult
    : I extends readonly [LocalVideo, BlobLike]
      ? // A `.json` (or application/json) second blob makes a pair, anything else a list of two.
        UploadResult | Array<UploadResult | FailedUpload>
      : I extends readonly ViewSet[]
        ? true extends { [K in keyof I]: AllCloud<I[K]> }[number] ? CloudImportResult : Array<MultiViewResult | FailedUpload>
        : I extends readonly (infer E)[]
          ? ListOutcome<E>
          : I extends string
            ? ItemOutcome<I>
            : I extends Iterable<infer E> // a FileList, a Set: uploaded as the list it iterates to
              ? ListOutcome<E>
              : ItemOutcome<I>;
/** What a list of uploads resolves to, read from its items' type. */
type ListOutcome<E> = [E] extends [CloudUri] ? CloudImportResult : [E] extends [LocalItem] ? Array<UploadResult | FailedUpload> : CloudImportResult | Array<UploadResult | FailedUpload>;

export interface Video {
  video_id: string;
  video_name: string;
  duration_s: number | null;
  folder_id: string | null;
  status: VideoStatus;
  folder_name?: string | null;
  org_id?: string;
}

export interface Folder {
  id: string;
  name: string;
  org_id: string | null;
  scope?: Scope;
  created_at: string | null;
  created_by?: string;
  description: string | null;
  video_count?: number | null;
}

export declare const AnalysisType: {
  /** @deprecated retired by the service on 2026-05-19: use a prompt (`analyze(target, {prompt})`). */
  readonly ASK: 'rapid_review';
  readonly GENERAL_AGENT: 'edge_case_agent';
  readonly LANE_CHANGE: 'lane_change_agent';
  readonly TURN: 'turn_agent';
  readonly RELATIVE_MOTION: 'relative_motion_agent';
  readonly DRIVING_VIOLATIONS: 'violation_agent';
};
export type AnalysisType = (typeof AnalysisType)[keyof typeof AnalysisType];
export declare const CustomCategory: {
  readonly DRIVING: 'driving';
  readonly ROBOTICS: 'robotics';
  readonly AERIAL: 'aerial';
  readonly SECURITY: 'security';
  readonly ENVIRONMENT: 'environment';
};
export type CustomCategory = (typeof CustomCategory)[keyof typeof CustomCategory];
export declare const OverlayMode: { readonly TIMESTAMPS: 'timestamps'; readonly GPS: 'gps'; readonly CUSTOM: 'custom' };
export type OverlayMode = (typeof OverlayMode)[keyof typeof OverlayMode];

export interface StructuredOddColumn {
  name: string;
  prompt: string;
  /** Free-form: `categorical`, `integer`, `boolean`, `string`, `km/h`, ... */
  type: string;
  literals?: readonly string[];
}
export declare const DEFAULT_STRUCTURED_ODD_COLUMNS: readonly StructuredOddColumn[];

/** A folder to analyse (every video in it), instead of ids. */
export interface FolderTarget {
  folder: string;
  scope?: Scope | 'sample';
}
/** One video id, a list of ids (any iterable, a `Set` too), or a folder (`undefined` with
 * `options.folder`). */
export type AnalyzeTarget = string | readonly string[] | Iterable<string> | FolderTarget | undefined;
/** One result for one video id; a batch for a list or a folder. */
export type AnalyzeOutcome<T> = T extends string ? AnalysisResult : BatchResult;

interface WaitOptions extends CallOptions {
  /** Limit of the wait (for a batch: per video). Default 2400000. */
  timeoutMs?: number;
  waitForCompletion?: boolean;
  /** Wait between status checks. Default 5000. */
  pollIntervalMs?: number;
  /** Also accepted instead of a `{folder, scope}` target. */
  folder?: string;
  scope?: Scope | 'sample';
}

/** Options ASK and the agents share. */
interface LegacyOptions extends WaitOptions {
  modelId?: string;
  isThumbnail?: boolean;
  returnSubset?: boolean;
  useEnhancedMotionAnalysis?: boolean;
  confidence?: 'low' | 'high';
  overlayMode?: OverlayMode;
  conceptIds?: readonly string[];
  /** ASK batches: embedding ("haystack") search. Default false. */
  haystackSearch?: boolean;
  onProgress?: (status: AnalysisStatus) => void;
  prompt?: never;
  mode?: never;
}

/**
 * @deprecated ASK (`AnalysisType.ASK` with `customEvent`) was retired by the service on
 * 2026-05-19: use a prompt (`{prompt, mode}`).
 */
export interface AskOptions extends LegacyOptions {
  analysisType: typeof AnalysisType.ASK;
  /** What to look for. */
  customEvent: string;
  customCategory?: CustomCategory;
  customEdgeCaseAgentId?: never;
}
/** An agent. The newer Python client refuses LANE_CHANGE and DRIVING_VIOLATIONS on the client
 * side; this SDK still sends them, as 0.1.53 does. */
export interface AgentOptions extends LegacyOptions {
  analysisType: Exclude<AnalysisType, typeof AnalysisType.ASK>;
  /** The service's id of a custom edge-case agent. */
  customEdgeCaseAgentId?: string;
  customEvent?: never;
  customCategory?: never;
}
/** ASK or an agent. */
export type AnalyzeOptions = AskOptions | AgentOptions;

/** Prompt analysis, the successor of ASK: what to find, in `thinking` mode (the service reasons
 * and streams its reasoning; the default) or `fast` mode. No ASK or agent option goes with it. */
export interface PromptOptions extends WaitOptions {
  prompt: string;
  mode?: 'thinking' | 'fast';
  /** Each event of the thinking stream, then each polled status. */
  onProgress?: (item: PromptProgress) => void;
  analysisType?: never;
  customEvent?: never;
}
/** A status document the service reports while an analysis runs (fields as it sends them). */
export interface AnalysisStatus {
  status?: string;
  progress?: number;
  chunks_completed?: number;
  chunks_total?: number;
}
/** One event of a thinking analysis's stream (`status`, `thinking`, `batch_created`, ...). */
export interface PromptStreamEvent {
  type: 'event';
  event: string;
  id: string | null;
  data: unknown;
}
export type PromptProgress = PromptStreamEvent | { type: 'status'; status: AnalysisStatus };
/** What `analyzeStream` gives: the stream's events and polled statuses, then the results. */
export type PromptStreamItem<R> = PromptProgress | { type: 'results'; results: R };

export type Approval = 'approved' | 'rejected' | 'pending' | 'invalid';
/** An ASK or prompt event after normalisation. */
export interface AskEvent {
  t_start: string;
  t_end: string;
  category: string;
  label: string;
  severity: string;
  aiAnalysis: string;
  confidence: number;
  approval: Approval;
  annotated_thumbnail_url?: string;
  /** Per overlay field (GPS, speed, ...), its value at the event's start and end. */
  overlay?: Record<string, { start: string | number | null; end: string | number | null }>;
}
/** A single-video agent event. */
export interface AgentEvent {
  label: string;
  start_time: number;
  end_time: number;
}

export type AnalysisStatusName = 'completed' | 'failed' | 'started';
export interface AnalysisResult {
  video_id: string;
  analysis_id: string;
  mode: 'rapid_review' | 'agent' | 'thinking' | 'fast';
  status: AnalysisStatusName;
  summary?: string;
  events?: Array<AskEvent | AgentEvent>;
  error?: string;
}

export interface BatchMetadata {
  batch_id: string;
  batch_viewer_url: string;
  batch_type: 'ask' | 'agent' | 'prompt' | 'unknown';
}
export interface BatchItem {
  video_id: string;
  analysis_id: string | null;
  mode: string;
  status: AnalysisStatusName;
  events?: Array<AskEvent | AgentEvent>;
  summary?: string;
  error?: string;
  import_source_uri?: string;
}
export interface BatchResult {
  batch_metadata: BatchMetadata;
  results: BatchItem[];
}

/** An import job's state (fields as the service sends them). */
export interface ImportJob {
  job_id?: string;
  source?: 's3' | 'gcs';
  bucket?: string;
  prefix?: string | null;
  folder_id?: string | null;
  folder_name?: string | null;
  total?: number;
  status?: string;
  terminal?: boolean;
  poll_after_seconds?: number;
  created_at?: string | null;
  updated_at?: string | null;
  completed_at?: string | null;
}
/** One video of an import job. */
export interface ImportRow {
  video_id: string;
  status: string;
  import_source_uri?: string;
  set_video_id?: string;
  views?: Record<string, string>;
  failed_views?: unknown;
}
export interface ImportPage {
  import_job_id: string;
  total: number;
  limit: number;
  cursor: string | null;
  has_more: boolean;
  next_cursor: string | null;
  videos: ImportRow[];
  video_count: number;
}
/** A page is asked for by `cursor` (the previous page's `next_cursor`; `null` for the first) or by
 * `offset`, not both. */
export type PageOptions = CallOptions & { limit?: number } & ({ cursor?: string | null; offset?: never } | { offset?: number; cursor?: never });
export interface ImportProgress {
  total: number;
  materialized: number;
  uploaded: number;
  failed: number;
  pending: number;
}

export interface VideoApi {
  getImportJob(id: string, options?: CallOptions): Promise<ImportJob>;
  getImportJobVideos(id: string, options?: PageOptions): Promise<ImportPage>;
  /** @deprecated use getImportJobVideos */
  getImportJobUploadedVideoIds(id: string, options?: PageOptions): Promise<ImportPage>;
  importJobPages(id: string, options?: CallOptions & { limit?: number }): AsyncIterable<ImportPage>;
  importJobRows(id: string, options?: CallOptions & { limit?: number }): AsyncIterable<ImportRow>;
  waitForImportJob(
    id: string,
    options?: CallOptions & { pollIntervalMs?: number; timeoutMs?: number; limit?: number; onProgress?: (p: ImportProgress) => void },
  ): Promise<{ job: ImportJob; rows: ImportRow[]; uploaded_video_ids: string[]; failed_rows: ImportRow[] }>;
}

export type IntegrationType = 'gcs' | 's3';
/** A saved bucket integration. */
export interface CloudIntegration {
  id: string;
  name?: string;
  type: IntegrationType | 'hf_bucket' | 's3_storage_transfer';
  bucket: string;
  prefix?: string | null;
  region?: string | null;
  endpoint_url?: string | null;
  created_at?: string;
  created_by?: string;
  is_owner?: boolean;
}
/** S3 keys (any spelling of the names: `accessKeyId`, `access_key_id`, `access-key-id`). */
export interface S3Credentials {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  access_key_id?: string;
  secret_access_key?: string;
  session_token?: string;
  'access-key-id'?: string;
  'secret-access-key'?: string;
  'session-token'?: string;
}
export interface CloudIntegrationsApi {
  list(options?: CallOptions & { type?: IntegrationType }): Promise<CloudIntegration[]>;
  add(
    options: CallOptions & { name: string; bucket: string; prefix?: string } & (
        | { type: 'gcs'; credentials: BlobLike | JsonText | { readonly [key: string]: unknown } }
        | { type: 's3'; region?: string; endpointUrl?: string; credentials: S3Credentials | BlobLike | JsonText }
      ),
  ): Promise<CloudIntegration>;
}

export interface SearchMatch {
  video_id: string;
  analysis_id: string;
  event_index: number;
  similarity: number;
  reason: string;
}
export interface SearchResult {
  summary: string;
  thoughts: string[];
  matches: SearchMatch[];
  session_id: string;
}
export interface StructuredOddResult {
  csv: string;
  columns: StructuredOddColumn[];
  reasoning_trace_path: string;
  share_id?: string;
  share_url?: string;
  processing_time?: number;
  /** The service's answer as sent. */
  raw: unknown;
}

export class NomadicClient {
  constructor(options?: ClientOptions);
  readonly video: VideoApi;
  readonly cloudIntegrations: CloudIntegrationsApi;
  getImportJob(id: string, options?: CallOptions): Promise<ImportJob>;
  /** An address that plays the video without the key (for a `<video>` element), valid for
   * `expiresInS` seconds (default 3600, at most 604800). */
  getVideoUrl(videoId: string, options?: CallOptions & { expiresInS?: number }): Promise<string>;
  /** Prompt analysis (or, deprecated, ASK or an agent) of one video, a list or a folder. */
  analyze<const T extends AnalyzeTarget>(target: T, options: PromptOptions | AnalyzeOptions): Promise<AnalyzeOutcome<T>>;
  /** A thinking prompt analysis as it happens; leaving the loop early aborts it. */
  analyzeStream<const T extends AnalyzeTarget>(target: T, options: PromptOptions & { mode?: 'thinking' }): AsyncIterable<PromptStreamItem<AnalyzeOutcome<T>>>;
  getBatchAnalysis(batchId: string, options: CallOptions & { filter?: Approval | readonly Approval[]; asCsv: true }): Promise<string>;
  getBatchAnalysis(batchId: string, options?: CallOptions & { filter?: Approval | readonly Approval[]; asCsv?: false }): Promise<BatchResult>;
  addBatchMetadata(batchId: string, metadata: Readonly<Record<string, string | number>>, options?: CallOptions): Promise<{ success: boolean; batch_id: string; metadata: Record<string, string | number> }>;
  getVisuals(videoId: string, analysisId: string, options?: CallOptions): Promise<string[]>;
  getVisual(videoId: string, analysisId: string, eventIdx: number, options?: CallOptions): Promise<string>;
  generateStructuredOdd(options: CallOptions & { videoId: string; columns?: readonly StructuredOddColumn[]; timeoutMs?: number; reasoningTracePath?: string }): Promise<StructuredOddResult>;
  search(query: string, options: CallOptions & { folderName: string; scope?: Scope | 'sample'; timeoutMs?: number }): Promise<SearchResult>;
  /** Files, blobs, URLs, lists, multi-view sets or cloud URIs; the result's type follows the
   * input's (a cloud import resolves to one import job). */
  upload<const I extends UploadInput>(input: I, options?: UploadOptions): Promise<UploadOutcome<I>>;
  myVideos(options?: CallOptions & { folder?: string; scope?: Scope }): Promise<Video[]>;
  deleteVideo(videoId: string, options?: CallOptions): Promise<{ status: string }>;
  createFolder(name: string, options?: CallOptions & { scope?: Scope; description?: string }): Promise<Folder>;
  getFolder(name: string, options?: CallOptions & { scope?: Scope }): Promise<Folder>;
  verifyAuth(options?: CallOptions): Promise<{ valid?: boolean; user_id: string }>;
  /** Frees the client's memory now rather than when it is collected (`using` does it too). */
  free(): void;
  [Symbol.dispose](): void;
}

/** Every SDK error's `code`: stable, for code to branch on (see the README's list). */
export type ErrorCode =
  | 'invalid_input'
  | 'auth_failed'
  | 'bad_request'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'rejected_input'
  | 'rate_limited'
  | 'server_error'
  | 'redirect_refused'
  | 'analysis_failed'
  | 'api_error'
  | 'upload_failed'
  | 'timeout'
  | 'aborted'
  | 'network'
  | 'not_initialized'
  | 'sdk_error';
export class NomadicMLError extends Error {
  readonly code: ErrorCode;
}
export class APIError extends NomadicMLError {
  readonly status: number;
  readonly body: unknown;
  readonly requestId: string | undefined;
  readonly retryAfter: number | undefined;
}
export class AuthenticationError extends APIError {}
export class ValidationError extends NomadicMLError {}
export class VideoUploadError extends NomadicMLError {}
export class TimeoutError extends NomadicMLError {}
export class AbortError extends NomadicMLError {
  readonly name: 'AbortError';
}

declare global {
  // `Symbol.dispose` (ES2026 explicit resource management), for projects whose `lib` predates it.
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
