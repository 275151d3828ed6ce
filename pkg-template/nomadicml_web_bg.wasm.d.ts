// `import wasmUrl from 'nomadicml-web/nomadicml_web_bg.wasm'`: for bundlers configured to import
// a `.wasm` file as its URL (then `await init({ module_or_path: wasmUrl })`).
declare const wasmUrl: string;
export default wasmUrl;
