// nomadicml-web for Node's `import`: the same module `require('nomadicml-web')` gives (node.cjs),
// so both share one wasm instance.
import cjs from './node.cjs';

export const {
  NomadicClient,
  isInitialized,
  probeVideo,
  initSync,
  init,
  NomadicMLError,
  APIError,
  AuthenticationError,
  ValidationError,
  VideoUploadError,
  TimeoutError,
  AbortError,
  AnalysisType,
  CustomCategory,
  OverlayMode,
  DEFAULT_STRUCTURED_ODD_COLUMNS,
} = cjs;
export default cjs.default;
