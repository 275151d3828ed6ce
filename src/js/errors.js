// The SDK's error classes. `err instanceof APIError` works because every error the SDK throws
// is made here, once, at the boundary between Rust and JS.

export class NomadicMLError extends Error {
  constructor(message) {
    super(message);
    this.name = 'NomadicMLError';
    /** A stable, documented code to branch on (messages are for people and may change). */
    this.code = 'sdk_error';
  }

  /** What `JSON.stringify(error)` writes: never the body, which may be huge or deeply nested. */
  toJSON() {
    const out = { name: this.name, code: this.code, message: this.message };
    for (const k of ['status', 'requestId', 'retryAfter']) if (this[k] !== undefined) out[k] = this[k];
    return out;
  }
}

export class APIError extends NomadicMLError {
  constructor(message, status, body, requestId, retryAfter) {
    super(message);
    this.name = 'APIError';
    /** HTTP status. */
    this.status = status;
    /** The answer's body: parsed JSON when it was JSON, else its text. */
    this.body = body;
    /** The X-Request-ID of the call, to quote in support requests. */
    this.requestId = requestId;
    /** Seconds the server asked to wait (Retry-After), or undefined. */
    this.retryAfter = retryAfter;
  }
}

export class AuthenticationError extends APIError {
  constructor(...args) {
    super(...args);
    this.name = 'AuthenticationError';
  }
}

export class ValidationError extends NomadicMLError {
  constructor(message) {
    super(message);
    this.name = 'ValidationError';
  }
}

export class VideoUploadError extends NomadicMLError {
  constructor(message) {
    super(message);
    this.name = 'VideoUploadError';
  }
}

export class TimeoutError extends NomadicMLError {
  constructor(message) {
    super(message);
    this.name = 'TimeoutError';
  }
}

export class AbortError extends NomadicMLError {
  constructor(message) {
    super(message);
    this.name = 'AbortError';
  }
}

function parseBody(text) {
  try {
    return JSON.parse(text);
  } catch (_) {
    return text;
  }
}

/** The code of an API error, from its HTTP status (2xx: the service reported the analysis failed). */
function apiCode(status) {
  if (status >= 500) return 'server_error';
  if (status >= 300 && status < 400) return 'redirect_refused';
  if (status < 300) return 'analysis_failed';
  return { 400: 'bad_request', 404: 'not_found', 409: 'conflict', 413: 'too_large', 422: 'rejected_input', 429: 'rate_limited' }[status] || 'api_error';
}

const CODES = { auth: 'auth_failed', validation: 'invalid_input', upload: 'upload_failed', timeout: 'timeout', abort: 'aborted' };

function make(kind, message, status, bodyText, requestId, retryAfter) {
  switch (kind) {
    case 'api':
      return new APIError(message, status, parseBody(bodyText), requestId, retryAfter);
    case 'auth':
      return new AuthenticationError(message, status, parseBody(bodyText), requestId, retryAfter);
    case 'validation':
      return new ValidationError(message);
    case 'upload':
      return new VideoUploadError(message);
    case 'timeout':
      return new TimeoutError(message);
    case 'abort':
      return new AbortError(message);
    default:
      return new NomadicMLError(message);
  }
}

export function makeError(kind, message, status, bodyText, requestId, retryAfter) {
  const e = make(kind, message, status, bodyText, requestId, retryAfter);
  e.code = kind === 'api' ? apiCode(status) : CODES[kind] || 'network';
  return e;
}
