// nomadicml-web for browsers and bundlers: `import init, { NomadicClient } from 'nomadicml-web'`,
// then `await init()` once (it fetches nomadicml_web_bg.wasm next to this file).
export { default, initSync, NomadicClient } from './nomadicml_web.js';
export {
  NomadicMLError,
  APIError,
  AuthenticationError,
  ValidationError,
  VideoUploadError,
  TimeoutError,
  AbortError,
} from './__SNIPPETS__/src/js/errors.js';
export { AnalysisType, CustomCategory, OverlayMode, DEFAULT_STRUCTURED_ODD_COLUMNS } from './__SNIPPETS__/src/js/enums.js';
