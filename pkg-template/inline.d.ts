// `nomadicml-web/inline`: the same API, with the wasm carried inside the module (base64), for
// toolchains that cannot ship a `.wasm` file (esbuild, Rollup, an iife bundle).
export * from './index.js';
/** Loads the wasm carried in this module, once: nothing is fetched. Resolves `undefined`. */
export default function init(): Promise<void>;
export { init };
