// `require('nomadicml-web/nomadicml_web_bg.wasm')`: for bundlers configured to give a `.wasm`
// file's URL.
declare const wasmUrl: string;
export = wasmUrl;
