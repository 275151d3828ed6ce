//! The browser and Node backend: one attempt through `src/js/glue.js` (fetch, or XHR when upload
//! progress is wanted), abortable timers, and upload progress reports.

use super::{Backend, Sent};
use crate::api::{form_encode, Body, Part, Request};
use crate::error::Error;
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/js/glue.js")]
extern "C" {
    fn uuid() -> String;
    fn now() -> f64;
    fn sleep(ms: f64, signal: &JsValue) -> Promise;
    fn send(o: &Object) -> Promise;
    #[wasm_bindgen(js_name = isAborted)]
    pub fn is_aborted(signal: &JsValue) -> bool;
}

pub struct WebBackend {
    /// The caller's `fetch` replacement, or `undefined`.
    pub fetch: JsValue,
}

/// Per-call context: the caller's signal, the blobs the request parts point at, progress.
pub struct WebCtx {
    pub signal: JsValue,
    pub blobs: Vec<JsValue>,
    pub progress: Option<Rc<Progress>>,
}

/// Byte progress per file and overall, reported to the caller's `onProgress`.
pub struct Progress {
    callback: Function,
    /// `(name, size, loaded)` per upload item; items without bytes (URLs) have size 0.
    files: RefCell<Vec<(String, f64, f64)>>,
}

impl Progress {
    pub fn new(callback: Function, files: Vec<(String, f64)>) -> Progress {
        Progress {
            callback,
            files: RefCell::new(files.into_iter().map(|(n, s)| (n, s, 0.0)).collect()),
        }
    }

    fn report(&self, index: usize, fraction: f64) {
        let event = {
            let mut files = self.files.borrow_mut();
            let Some(f) = files.get_mut(index) else {
                return;
            };
            f.2 = (f.1 * fraction.clamp(0.0, 1.0)).round();
            let (name, size, loaded) = f.clone();
            let overall_loaded: f64 = files.iter().map(|f| f.2).sum();
            let overall_total: f64 = files.iter().map(|f| f.1).sum();
            let o = Object::new();
            set(&o, "index", &JsValue::from(index as f64));
            set(&o, "name", &JsValue::from(name));
            set(&o, "loaded", &JsValue::from(loaded));
            set(&o, "total", &JsValue::from(size));
            set(&o, "overallLoaded", &JsValue::from(overall_loaded));
            set(&o, "overallTotal", &JsValue::from(overall_total));
            o
        };
        // A throwing callback must not break the upload.
        let _ = self.callback.call1(&JsValue::UNDEFINED, &event);
    }
}

fn set(o: &Object, k: &str, v: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(k), v);
}

fn get_str(o: &JsValue, k: &str) -> Option<String> {
    Reflect::get(o, &JsValue::from_str(k))
        .ok()
        .and_then(|v| v.as_string())
}

fn pair(a: &str, b: &JsValue) -> JsValue {
    Array::of2(&JsValue::from_str(a), b).into()
}

fn failure(e: JsValue) -> Error {
    let message = get_str(&e, "message").unwrap_or_else(|| "request failed".into());
    match get_str(&e, "kind").as_deref() {
        Some("abort") => Error::Abort(message),
        Some("timeout") => Error::Timeout("request timed out: ".to_string() + &message),
        _ => Error::Network("request failed: ".to_string() + &message),
    }
}

impl Backend for WebBackend {
    type Ctx = WebCtx;

    async fn send(
        &self,
        ctx: &WebCtx,
        url: &str,
        headers: &[(String, String)],
        req: &Request,
        timeout_ms: f64,
    ) -> Result<Sent, Error> {
        let o = Object::new();
        set(&o, "method", &JsValue::from_str(req.method.as_str()));
        set(&o, "url", &JsValue::from_str(url));
        set(
            &o,
            "headers",
            &headers
                .iter()
                .map(|(k, v)| pair(k, &JsValue::from_str(v)))
                .collect::<Array>(),
        );
        set(&o, "timeoutMs", &JsValue::from(timeout_ms));
        set(&o, "signal", &ctx.signal);
        set(&o, "fetch", &self.fetch);
        match &req.body {
            Body::Empty => {}
            Body::Json(t) => {
                set(&o, "contentType", &JsValue::from_str("application/json"));
                set(&o, "text", &JsValue::from_str(t));
            }
            Body::Form(fields) => {
                set(
                    &o,
                    "contentType",
                    &JsValue::from_str("application/x-www-form-urlencoded"),
                );
                set(&o, "text", &JsValue::from_str(&form_encode(fields)));
            }
            Body::Multipart(parts) => {
                let list: Array = parts
                    .iter()
                    .map(|p| -> JsValue {
                        match p {
                            Part::Text { name, value } => pair(name, &JsValue::from_str(value)),
                            Part::Blob {
                                name,
                                slot,
                                filename,
                                content_type,
                            } => file_part(name, *slot as f64, filename, content_type, ""),
                            Part::Data {
                                name,
                                filename,
                                content_type,
                                data,
                            } => file_part(name, -1.0, filename, content_type, data),
                        }
                    })
                    .collect();
                set(&o, "parts", &list);
                set(&o, "blobs", &ctx.blobs.iter().collect::<Array>());
            }
        }
        // Progress: the closure lives until this attempt is over.
        let progress = match (req.progress, &ctx.progress) {
            (Some(index), Some(p)) => {
                let p = p.clone();
                let cb =
                    Closure::<dyn FnMut(f64)>::new(move |fraction: f64| p.report(index, fraction));
                set(&o, "onProgress", cb.as_ref());
                Some(cb)
            }
            _ => None,
        };
        let result = JsFuture::from(send(&o)).await;
        drop(progress);
        let v = result.map_err(failure)?;
        let status = Reflect::get(&v, &JsValue::from_str("status"))
            .ok()
            .and_then(|s| s.as_f64())
            .unwrap_or(0.0);
        Ok(Sent {
            status: status as u16,
            text: get_str(&v, "text").unwrap_or_default(),
            retry_after: get_str(&v, "retryAfter"),
            request_id: get_str(&v, "requestId"),
        })
    }

    async fn sleep(&self, ctx: &WebCtx, ms: f64) -> Result<(), Error> {
        JsFuture::from(sleep(ms, &ctx.signal))
            .await
            .map(|_| ())
            .map_err(failure)
    }

    fn now_ms(&self) -> f64 {
        now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn uuid(&self) -> String {
        uuid()
    }
}

/// `[name, blob slot (-1: none), filename, content type, text data]`, as glue.js reads it.
fn file_part(name: &str, slot: f64, filename: &str, content_type: &str, data: &str) -> JsValue {
    let a = Array::new();
    for v in [
        JsValue::from_str(name),
        JsValue::from(slot),
        filename.into(),
        content_type.into(),
        data.into(),
    ] {
        a.push(&v);
    }
    a.into()
}
