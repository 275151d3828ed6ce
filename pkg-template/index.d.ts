// Types for nomadicml-web. Result objects keep the API's snake_case fields.

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** Loads the WebAssembly module. Call once before creating a client. */
export default function init(input?: InitInput | { module_or_path: InitInput | Promise<InitInput> }): Promise<unknown>;
export function initSync(module: BufferSource | WebAssembly.Module | { module: BufferSource | WebAssembly.Module }): unknown;

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
  /** Uploads at once for a list. Default 4, at most 16. */
  concurrency?: number;
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

export class NomadicClient {
  constructor(options?: ClientOptions);
  upload(input: UploadItem, options?: UploadOptions): Promise<UploadResult>;
  upload(input: UploadItem[], options?: UploadOptions): Promise<Array<UploadResult | FailedUpload>>;
  myVideos(options?: CallOptions & { folder?: string; scope?: Scope }): Promise<Video[]>;
  deleteVideo(videoId: string, options?: CallOptions): Promise<{ status: string; [key: string]: unknown }>;
  createFolder(name: string, options?: CallOptions & { scope?: Scope; description?: string }): Promise<Folder>;
  getFolder(name: string, options?: CallOptions & { scope?: Scope }): Promise<Folder>;
  verifyAuth(options?: CallOptions): Promise<{ valid?: boolean; user_id?: string; [key: string]: unknown }>;
  free(): void;
}

export class NomadicMLError extends Error {}
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
