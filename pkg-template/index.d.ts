// Types for nomadicml-web. Result objects keep the API's snake_case fields.

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** Loads the WebAssembly module. Call once before creating a client. */
/** Loads the wasm once; later calls wait for the same load. Resolves `undefined`. */
export default function init(input?: InitInput | { module_or_path: InitInput | Promise<InitInput> }): Promise<void>;
export { init };
/** `init()` from bytes or a compiled module you already have, synchronously. */
export function initSync(module: BufferSource | WebAssembly.Module | { module: BufferSource | WebAssembly.Module }): void;
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
export function probeVideo(file: Blob): Promise<VideoProbe>;

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
  headers?: Record<string, string>;
  /** A `fetch` to use instead of the global one (uploads then report no byte progress). */
  fetch?: typeof fetch;
  collectionName?: string;
  folderCollectionName?: string;
  /** Allow sending `apiKey` from a web page to another origin. */
  dangerouslyAllowBrowser?: boolean;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** JSON metadata sidecar: a `.json` File or Blob, JSON text, or an object. */
export type Metadata = Blob | string | Record<string, unknown>;
export type VideoSource = Blob | string;
export type UploadItem = VideoSource | [VideoSource, Metadata] | { video: VideoSource; name?: string; metadata?: Metadata };
/** A multi-view set: `front` is required; other keys name further views. Files, URLs or cloud URIs. */
export type ViewSet = { front: VideoSource; [view: string]: VideoSource | null | undefined };

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

export interface UploadResult {
  video_id: string;
  status: 'processing' | 'uploaded' | 'uploading_failed' | string;
}

export interface FailedUpload {
  video_id: null;
  status: 'failed';
  error: string;
}

export interface Video {
  video_id: string;
  video_name: string;
  duration_s: number | null;
  folder_id: string | null;
  status: 'processing' | 'uploaded' | 'uploading_failed' | string;
  folder_name?: string | null;
  org_id?: string;
  [key: string]: unknown;
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
  [key: string]: unknown;
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
  type: string;
  literals?: readonly string[];
}
export declare const DEFAULT_STRUCTURED_ODD_COLUMNS: readonly StructuredOddColumn[];

export interface AnalyzeOptions extends CallOptions {
  /** ASK or an agent. The newer Python client refuses LANE_CHANGE and DRIVING_VIOLATIONS on the
   * client side; this SDK still sends them, as 0.1.53 does. */
  analysisType: AnalysisType | string;
  /**
   * @deprecated ASK (`AnalysisType.ASK` with `customEvent`) was retired by the service on
   * 2026-05-19: use a prompt (`{prompt, mode}`).
   */
  customEvent?: string;
  customCategory?: CustomCategory | string;
  modelId?: string;
  /** Limit of the wait (for a batch: per video). Default 2400000. */
  timeoutMs?: number;
  waitForCompletion?: boolean;
  isThumbnail?: boolean;
  returnSubset?: boolean;
  useEnhancedMotionAnalysis?: boolean;
  confidence?: 'low' | 'high';
  overlayMode?: OverlayMode | string;
  conceptIds?: string[];
  /** Agents only: the service's id of a custom edge-case agent. */
  customEdgeCaseAgentId?: string;
  /** ASK batches: embedding ("haystack") search. Default false. */
  haystackSearch?: boolean;
  /** Wait between status checks. Default 5000. */
  pollIntervalMs?: number;
  /** Also accepted instead of a `{folder, scope}` target. */
  folder?: string;
  scope?: Scope | 'sample';
  onProgress?: (status: Record<string, unknown>) => void;
}

/** Prompt analysis, the successor of ASK: what to find, in `thinking` mode (the service reasons
 * and streams its reasoning; the default) or `fast` mode. No ASK or agent option goes with it. */
export interface PromptOptions extends CallOptions {
  prompt: string;
  mode?: 'thinking' | 'fast';
  /** Limit of the wait (for a batch: per video). Default 2400000. */
  timeoutMs?: number;
  waitForCompletion?: boolean;
  /** Wait between status checks. Default 5000. */
  pollIntervalMs?: number;
  /** Also accepted instead of a `{folder, scope}` target. */
  folder?: string;
  scope?: Scope | 'sample';
  /** Each event of the thinking stream, then each polled status. */
  onProgress?: (item: PromptProgress) => void;
}
/** One event of a thinking analysis's stream (`status`, `thinking`, `batch_created`, ...). */
export interface PromptStreamEvent {
  type: 'event';
  event: string;
  id: string | null;
  data: unknown;
}
export type PromptProgress = PromptStreamEvent | { type: 'status'; status: Record<string, unknown> };
/** What `analyzeStream` gives: the stream's events and polled statuses, then the results. */
export type PromptStreamItem<R> = PromptProgress | { type: 'results'; results: R };

/** An ASK event after normalisation. */
export interface AskEvent {
  t_start: string;
  t_end: string;
  category: string;
  label: string;
  severity: string;
  aiAnalysis: string;
  confidence: number;
  approval: 'approved' | 'rejected' | 'pending' | 'invalid' | string;
  annotated_thumbnail_url?: string;
  overlay?: Record<string, { start: unknown; end: unknown }>;
  [key: string]: unknown;
}
/** A single-video agent event. */
export interface AgentEvent {
  label: string;
  start_time: number;
  end_time: number;
}

export interface AnalysisResult {
  video_id: string;
  analysis_id: string;
  mode: 'rapid_review' | 'agent' | 'thinking' | 'fast';
  status: 'completed' | 'failed' | 'started' | string;
  summary?: string;
  events?: Array<AskEvent | AgentEvent>;
  error?: string;
}

export interface BatchResult {
  batch_metadata: { batch_id: string; batch_viewer_url: string; batch_type: 'ask' | 'agent' | 'unknown'; [key: string]: unknown };
  results: Array<{ video_id: string; analysis_id: string | null; mode: string; status: string; events?: Array<AskEvent | AgentEvent>; summary?: string; error?: string; [key: string]: unknown }>;
}

export interface ImportPage {
  import_job_id: string;
  total: number;
  limit: number;
  cursor: string | null;
  has_more: boolean;
  next_cursor: string | null;
  videos: Array<{ video_id: string; status: string; import_source_uri: string; [key: string]: unknown }>;
  video_count: number;
}

export interface VideoApi {
  getImportJob(id: string, options?: CallOptions): Promise<Record<string, unknown>>;
  getImportJobVideos(id: string, options?: CallOptions & { limit?: number; cursor?: string; offset?: number }): Promise<ImportPage>;
  /** @deprecated use getImportJobVideos */
  getImportJobUploadedVideoIds(id: string, options?: CallOptions & { limit?: number; cursor?: string; offset?: number }): Promise<ImportPage>;
  importJobPages(id: string, options?: CallOptions & { limit?: number }): AsyncIterable<ImportPage>;
  importJobRows(id: string, options?: CallOptions & { limit?: number }): AsyncIterable<ImportPage['videos'][number]>;
  waitForImportJob(
    id: string,
    options?: CallOptions & {
      pollIntervalMs?: number;
      timeoutMs?: number;
      limit?: number;
      onProgress?: (p: { total: number; materialized: number; uploaded: number; failed: number; pending: number }) => void;
    },
  ): Promise<{ job: Record<string, unknown>; rows: ImportPage['videos']; uploaded_video_ids: string[]; failed_rows: ImportPage['videos'] }>;
}

export interface CloudIntegrationsApi {
  list(options?: CallOptions & { type?: 'gcs' | 's3' | string }): Promise<Array<Record<string, unknown>>>;
  add(options: CallOptions & { type: 'gcs' | 's3'; name: string; bucket: string; prefix?: string; region?: string; endpointUrl?: string; credentials: Blob | string | Record<string, unknown> }): Promise<Record<string, unknown>>;
}

export class NomadicClient {
  constructor(options?: ClientOptions);
  readonly video: VideoApi;
  readonly cloudIntegrations: CloudIntegrationsApi;
  getImportJob(id: string, options?: CallOptions): Promise<Record<string, unknown>>;
  /** An address that plays the video without the key (for a `<video>` element), valid for
   * `expiresInS` seconds (default 3600, at most 604800). */
  getVideoUrl(videoId: string, options?: CallOptions & { expiresInS?: number }): Promise<string>;
  analyze(target: string, options: PromptOptions): Promise<AnalysisResult>;
  analyze(target: string[] | { folder: string; scope?: Scope | 'sample' } | undefined, options: PromptOptions): Promise<BatchResult>;
  /** A thinking prompt analysis as it happens; leaving the loop early aborts it. */
  analyzeStream(target: string, options: PromptOptions & { mode?: 'thinking' }): AsyncIterable<PromptStreamItem<AnalysisResult>>;
  analyzeStream(target: string[] | { folder: string; scope?: Scope | 'sample' } | undefined, options: PromptOptions & { mode?: 'thinking' }): AsyncIterable<PromptStreamItem<BatchResult>>;
  analyze(target: string, options: AnalyzeOptions): Promise<AnalysisResult>;
  analyze(target: string[] | { folder: string; scope?: Scope | 'sample' } | undefined, options: AnalyzeOptions): Promise<BatchResult>;
  getBatchAnalysis(batchId: string, options: CallOptions & { filter?: string | string[]; asCsv: true }): Promise<string>;
  getBatchAnalysis(batchId: string, options?: CallOptions & { filter?: string | string[]; asCsv?: false }): Promise<BatchResult>;
  addBatchMetadata(batchId: string, metadata: Record<string, string | number>, options?: CallOptions): Promise<{ success: boolean; batch_id: string; metadata: Record<string, string | number> }>;
  getVisuals(videoId: string, analysisId: string, options?: CallOptions): Promise<string[]>;
  getVisual(videoId: string, analysisId: string, eventIdx: number, options?: CallOptions): Promise<string>;
  generateStructuredOdd(options: CallOptions & { videoId: string; columns?: readonly StructuredOddColumn[]; timeoutMs?: number; reasoningTracePath?: string }): Promise<{ csv: string; columns: StructuredOddColumn[]; reasoning_trace_path: string; share_id?: string; share_url?: string; processing_time?: number; raw: unknown }>;
  search(query: string, options: CallOptions & { folderName: string; scope?: Scope | 'sample'; timeoutMs?: number }): Promise<{ summary: string; thoughts: string[]; matches: Array<{ video_id: string; analysis_id: string; event_index: number; similarity: number; reason: string }>; session_id: string }>;
  upload(input: UploadItem, options?: UploadOptions): Promise<UploadResult>;
  upload(input: UploadItem[], options?: UploadOptions): Promise<Array<UploadResult | FailedUpload>>;
  upload(input: ViewSet, options?: UploadOptions): Promise<UploadResult & { views: Record<string, string>; stitch_error?: string }>;
  upload(input: ViewSet[], options?: UploadOptions): Promise<Array<(UploadResult & { views: Record<string, string> }) | FailedUpload>>;
  /** gs:// or s3:// URIs (or sets of them) resolve one import job. */
  upload(input: string | string[], options?: UploadOptions): Promise<UploadResult | { import_job_id: string; status: 'importing' }>;
  myVideos(options?: CallOptions & { folder?: string; scope?: Scope }): Promise<Video[]>;
  deleteVideo(videoId: string, options?: CallOptions): Promise<{ status: string; [key: string]: unknown }>;
  createFolder(name: string, options?: CallOptions & { scope?: Scope; description?: string }): Promise<Folder>;
  getFolder(name: string, options?: CallOptions & { scope?: Scope }): Promise<Folder>;
  verifyAuth(options?: CallOptions): Promise<{ valid?: boolean; user_id?: string; [key: string]: unknown }>;
  free(): void;
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
