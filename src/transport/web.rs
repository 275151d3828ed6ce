//! The browser and Node backend, on the named stack: gloo-net sends every request through the
//! global `fetch` (pages, workers, Node 18+); uploads that report byte progress go through
//! web-sys's `XmlHttpRequest`; bodies are web-sys `FormData` over the caller's `Blob`s (no byte
//! enters wasm memory); timers (bound as gloo-timers binds them), the clock and randomness come
//! from the global scope.
//!
//! Answers stay JS values: the body is read as a JS string and parsed by the engine's
//! `JSON.parse`, once; Rust reads fields from it with serde-wasm-bindgen and hands the rest on
//! untouched. Only error bodies are copied into Rust, for their message and redaction.

use super::{shape_error, Backend, Doc, Opened, Sent};
use crate::api::{form_encode, Body, Part, Request};
use crate::error::Error;
use js_sys::{Array, Function, Promise, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, AbortSignal, Blob, BlobPropertyBag, FormData, ProgressEvent, XmlHttpRequest,
    XmlHttpRequestEventTarget,
};

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` on a JS string, without copying it into wasm (js-sys's binding takes `&str`).
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn parse_js(text: &JsValue) -> Result<JsValue, JsValue>;
    /// The global timers, bound as gloo-timers binds them: web-sys types the handle as a
    /// number, but Node's handles are objects.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
}

/// Answers are the engine's own values.
impl Doc for JsValue {
    fn read<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_wasm_bindgen::from_value(self.clone())
            .map_err(|e| shape_error(&crate::convert::serde_message(&e)))
    }
    fn field(&self, key: &str) -> Option<Self> {
        if !self.is_object() {
            return None;
        }
        Reflect::get(self, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    }
    fn is_array(&self) -> bool {
        Array::is_array(self)
    }
    fn is_object(&self) -> bool {
        self.is_object() && !Array::is_array(self)
    }
}

/// The longest delay a JS timer holds (2^31 - 1 ms, about 24.8 days); longer ones would fire
/// at once.
const MAX_TIMER_MS: f64 = 2_147_483_647.0;

pub struct WebBackend {
    /// The caller's `fetch` replacement: it gets a `Request` and must return a `Response`.
    fetch: Option<Function>,
    /// What the runtime offers, looked up once per client rather than on every request.
    runtime: Runtime,
}

/// The runtime features the request path picks between.
struct Runtime {
    /// The global `crypto` (every browser context, Node 19+; Node 18 has none).
    crypto: Option<web_sys::Crypto>,
    /// `crypto.randomUUID()`: secure contexts (https, localhost) and Node. Node's draws from a
    /// cached pool, where `getRandomValues` costs about 20 µs a request.
    random_uuid: bool,
    /// `AbortSignal.timeout()` (Node 17.3+, browsers since 2022).
    timeout_signal: bool,
}

impl WebBackend {
    pub fn new(fetch: Option<Function>) -> WebBackend {
        let global = js_sys::global();
        // Whether `o` (an object, or a constructor such as `AbortSignal`) has a method `name`;
        // `Reflect.get` throws on anything that is neither, which reads as no.
        let has = |o: &JsValue, name: &str| {
            Reflect::get(o, &JsValue::from_str(name)).is_ok_and(|f| f.is_function())
        };
        let crypto = Reflect::get(&global, &JsValue::from_str("crypto"))
            .ok()
            .filter(JsValue::is_object);
        let abort_signal =
            Reflect::get(&global, &JsValue::from_str("AbortSignal")).unwrap_or(JsValue::UNDEFINED);
        WebBackend {
            fetch,
            runtime: Runtime {
                random_uuid: crypto.as_ref().is_some_and(|c| has(c, "randomUUID")),
                crypto: crypto.map(JsCast::unchecked_into),
                timeout_signal: has(&abort_signal, "timeout"),
            },
        }
    }
}

/// Per-call context: the caller's signal, the blobs the request parts point at, progress.
pub struct WebCtx {
    pub signal: Option<AbortSignal>,
    pub blobs: Vec<Blob>,
    pub progress: Option<Rc<Progress>>,
}

impl WebCtx {
    /// The caller's file in `slot`.
    fn blob(&self, slot: usize) -> Result<&Blob, Error> {
        self.blobs
            .get(slot)
            .ok_or_else(|| Error::Network("an upload lost its file".into()))
    }
}

pub fn is_aborted(signal: Option<&AbortSignal>) -> bool {
    signal.is_some_and(AbortSignal::aborted)
}

fn aborted() -> Error {
    Error::Abort("The operation was aborted".into())
}

/// Calls `f` when the signal fires, until dropped (the listener is removed then, so a signal
/// that outlives many calls does not collect listeners).
struct OnAbort {
    signal: AbortSignal,
    callback: Closure<dyn FnMut()>,
}

impl OnAbort {
    fn new(signal: Option<&AbortSignal>, f: impl FnMut() + 'static) -> Option<OnAbort> {
        let signal = signal?.clone();
        let callback = Closure::<dyn FnMut()>::new(f);
        signal
            .add_event_listener_with_callback("abort", callback.as_ref().unchecked_ref())
            .ok()?;
        Some(OnAbort { signal, callback })
    }
}

impl Drop for OnAbort {
    fn drop(&mut self) {
        let _ = self
            .signal
            .remove_event_listener_with_callback("abort", self.callback.as_ref().unchecked_ref());
    }
}

/// A timer that is cleared when dropped.
struct Timer(JsValue, #[allow(dead_code)] Closure<dyn FnMut()>);

impl Timer {
    fn new(ms: f64, f: impl FnMut() + 'static) -> Timer {
        let callback = Closure::<dyn FnMut()>::new(f);
        let handle = set_timeout(
            callback.as_ref().unchecked_ref(),
            ms.clamp(0.0, MAX_TIMER_MS) as i32,
        );
        Timer(handle, callback)
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.0);
    }
}

/// A timer that aborts `controller` after `ms`, and the flag it sets when it does (so a failure
/// can be told apart as this time running out). Dropping the timer clears it.
fn abort_after(controller: &AbortController, ms: f64) -> (Rc<Cell<bool>>, Timer) {
    let fired = Rc::new(Cell::new(false));
    let (c, f) = (controller.clone(), fired.clone());
    let timer = Timer::new(ms, move || {
        f.set(true);
        c.abort();
    });
    (fired, timer)
}

/// Aborts `controller` when the caller's signal fires, until the hook is dropped.
fn follow(controller: &AbortController, caller: Option<&AbortSignal>) -> Option<OnAbort> {
    let c = controller.clone();
    OnAbort::new(caller, move || c.abort())
}

/// A progress report, as `onProgress` receives it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProgressReport<'a> {
    index: f64,
    name: &'a str,
    loaded: f64,
    total: f64,
    overall_loaded: f64,
    overall_total: f64,
}

/// Byte progress per file and overall, reported to the caller's `onProgress`.
pub struct Progress {
    callback: Function,
    /// `(name, size, loaded)` per upload item; items without bytes (URLs) have size 0.
    files: RefCell<Vec<(String, f64, f64)>>,
}

impl Progress {
    pub fn new(callback: Function, files: Vec<(String, f64)>) -> Progress {
        let mut slots = Vec::with_capacity(files.len());
        for (name, size) in files {
            slots.push((name, size, 0.0));
        }
        Progress {
            callback,
            files: RefCell::new(slots),
        }
    }

    fn report(&self, index: usize, fraction: f64) {
        let event = {
            let mut files = self.files.borrow_mut();
            let Some(f) = files.get_mut(index) else {
                return;
            };
            f.2 = (f.1 * fraction.clamp(0.0, 1.0)).round();
            let (mut overall_loaded, mut overall_total) = (0.0, 0.0);
            for f in files.iter() {
                overall_loaded += f.2;
                overall_total += f.1;
            }
            let f = &files[index];
            to_js(&ProgressReport {
                index: index as f64,
                name: &f.0,
                loaded: f.2,
                total: f.1,
                overall_loaded,
                overall_total,
            })
        };
        // A throwing callback must not break the upload.
        let _ = self.callback.call1(&JsValue::UNDEFINED, &event);
    }
}

/// A value Rust made, as a plain JS value (objects, not Maps; numbers, not BigInts).
pub fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// The signal one fetch attempt runs under: it fires when the caller's signal does or when the
/// attempt's time is up.
struct Deadline {
    signal: AbortSignal,
    /// Set by our own timer; `None` when the runtime's `AbortSignal.timeout()` keeps the time.
    timed_out: Option<Rc<Cell<bool>>>,
    _timer: Option<Timer>,
    _hook: Option<OnAbort>,
}

impl Deadline {
    fn new(
        rt: &Runtime,
        caller: Option<&AbortSignal>,
        timeout_ms: f64,
    ) -> Result<Deadline, Failure> {
        let ms = timeout_ms.clamp(0.0, MAX_TIMER_MS);
        // Without a caller signal, `AbortSignal.timeout()` does it all natively: no controller,
        // no timer to clear, no closure (a suite test counts its calls).
        if caller.is_none() && rt.timeout_signal {
            return Ok(Deadline {
                signal: AbortSignal::timeout_with_f64(ms),
                timed_out: None,
                _timer: None,
                _hook: None,
            });
        }
        let controller = AbortController::new().map_err(|e| Failure::Network(message_of(&e)))?;
        let (timed_out, timer) = abort_after(&controller, ms);
        let hook = follow(&controller, caller);
        Ok(Deadline {
            signal: controller.signal(),
            timed_out: Some(timed_out),
            _timer: Some(timer),
            _hook: hook,
        })
    }

    /// Whether a failure (by its error name) is this deadline passing.
    fn passed(&self, name: Option<&str>) -> bool {
        match &self.timed_out {
            Some(t) => t.get(),
            None => name == Some("TimeoutError"),
        }
    }
}

/// How one attempt failed, before the policy decides.
enum Failure {
    Network(String),
    Timeout,
    Abort,
    /// An answer the SDK will not act on (not retried).
    Refused(Error),
}

/// The error for a redirect seen while holding a key.
fn redirect_refused(status: u16) -> Error {
    Error::Api(Box::new(crate::error::HttpFailure {
        status,
        message: "the server redirected this request; the SDK does not follow redirects while it \
                  holds an API key, so the key cannot reach another host (set baseUrl to the \
                  address that answers)"
            .to_string(),
        body: String::new(),
        request_id: None,
        retry_after: None,
    }))
}

impl Failure {
    fn into_error(self, timeout_ms: f64) -> Error {
        match self {
            Failure::Abort => aborted(),
            Failure::Timeout => Error::Timeout(
                ("request timed out: no answer within ".to_string()
                    + &crate::value::num_text(timeout_ms)
                    + " ms")
                    .into(),
            ),
            Failure::Network(m) => Error::Network(("request failed: ".to_string() + &m).into()),
            Failure::Refused(e) => e,
        }
    }
}

fn message_of(e: &JsValue) -> String {
    Reflect::get(e, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "network error (connection failed or refused)".into())
}

/// The request body and its content type (none for multipart: the runtime sets the boundary).
fn body(ctx: &WebCtx, req: &Request) -> Result<(Option<JsValue>, Option<&'static str>), Error> {
    Ok(match &req.body {
        Body::Empty => (None, None),
        Body::Json(t) => (Some(JsValue::from_str(t)), Some("application/json")),
        Body::Form(fields) => (
            Some(JsValue::from_str(&form_encode(fields))),
            Some("application/x-www-form-urlencoded"),
        ),
        Body::Multipart(parts) => (Some(form_data(ctx, parts)?.into()), None),
    })
}

fn form_data(ctx: &WebCtx, parts: &[Part]) -> Result<FormData, Error> {
    let bad = |_| Error::Network("the upload body could not be built".into());
    let fd = FormData::new().map_err(bad)?;
    for p in parts {
        match p {
            Part::Text { name, value } => fd.append_with_str(name, value).map_err(bad)?,
            Part::Blob {
                name,
                slot,
                filename,
                content_type,
                video,
            } => {
                let blob = ctx.blob(*slot)?;
                // A File goes in as it is, whatever its type: a slice of a picked file (the only
                // way to re-type it without copying) is no longer a plain on-disk file to
                // Chromium, which then streams it through its blob system at about half the
                // disk's speed. So a File whose browser type differs from the protocol's (`.MOV`
                // with no type, `application/octet-stream` from some pickers) is sent with the
                // browser's type; the service keys nothing on it. A bare Blob has no disk path to
                // lose, nor has a small JSON sidecar: a slice re-types those, without copying.
                let as_it_is = *video && blob.is_instance_of::<web_sys::File>();
                if as_it_is || blob.type_() == *content_type {
                    fd.append_with_blob_and_filename(name, blob, filename)
                        .map_err(bad)?
                } else {
                    let typed = blob
                        .slice_with_f64_and_f64_and_content_type(0.0, blob.size(), content_type)
                        .map_err(bad)?;
                    fd.append_with_blob_and_filename(name, &typed, filename)
                        .map_err(bad)?
                }
            }
            Part::Data {
                name,
                filename,
                content_type,
                data,
            } => {
                let options = BlobPropertyBag::new();
                options.set_type(content_type);
                let blob = Blob::new_with_str_sequence_and_options(
                    &Array::of1(&JsValue::from_str(data)),
                    &options,
                )
                .map_err(bad)?;
                fd.append_with_blob_and_filename(name, &blob, filename)
                    .map_err(bad)?
            }
        }
    }
    Ok(fd)
}

/// An answer's status, headers and body, whichever way it came.
struct Answer {
    status: u16,
    text: JsValue,
    retry_after: Option<String>,
    request_id: Option<String>,
}

impl Answer {
    /// Success bodies are parsed and kept as JS values; error bodies are also copied as text.
    fn into_sent(self) -> Sent<JsValue> {
        // The length is read in JS: the body itself never crosses into wasm.
        let empty = self.text.unchecked_ref::<js_sys::JsString>().length() == 0;
        let doc = if empty {
            None
        } else {
            parse_js(&self.text).ok()
        };
        let text = if self.status >= 400 {
            self.text.as_string().unwrap_or_default()
        } else {
            String::new()
        };
        Sent {
            status: self.status,
            doc,
            text,
            retry_after: self.retry_after,
            request_id: self.request_id,
        }
    }
}

impl WebBackend {
    async fn via_fetch(
        &self,
        ctx: &WebCtx,
        url: &str,
        headers: &[(String, String)],
        req: &Request,
        timeout_ms: f64,
    ) -> Result<Answer, Failure> {
        let deadline = Deadline::new(&self.runtime, ctx.signal.as_ref(), timeout_ms)?;
        let (request, holds_key) = build(ctx, url, headers, req, &deadline.signal)?;
        if let Some(p) = &ctx.progress {
            if let Some(i) = req.progress {
                p.report(i, 0.0);
            }
        }
        let classify = |name: Option<&str>, message: String| {
            if is_aborted(ctx.signal.as_ref()) {
                Failure::Abort
            } else if deadline.passed(name) {
                Failure::Timeout
            } else {
                Failure::Network(message)
            }
        };
        let response = self.respond(request, &classify).await?;
        let fail = |e: JsValue| classify(error_name(&e).as_deref(), message_of(&e));
        let text_promise = response.text().map_err(fail)?;
        let text = JsFuture::from(text_promise).await.map_err(fail)?;
        if let (Some(p), Some(i)) = (&ctx.progress, req.progress) {
            p.report(i, 1.0);
        }
        answer(response, text, holds_key)
    }

    /// Sends a built request through gloo-net, or through the caller's `fetch` option.
    async fn respond(
        &self,
        request: gloo_net::http::Request,
        classify: &dyn Fn(Option<&str>, String) -> Failure,
    ) -> Result<web_sys::Response, Failure> {
        let fail = |e: JsValue| classify(error_name(&e).as_deref(), message_of(&e));
        match &self.fetch {
            None => request
                .send()
                .await
                .map(web_sys::Response::from)
                .map_err(|e| match e {
                    gloo_net::Error::JsError(j) => classify(Some(&j.name), j.message),
                    // Its message as it is: `to_string()` would link Rust's padding formatter.
                    gloo_net::Error::GlooError(m) => classify(None, m),
                }),
            Some(f) => {
                let raw: web_sys::Request = request.into();
                let promise = f.call1(&JsValue::UNDEFINED, &raw).map_err(fail)?;
                JsFuture::from(Promise::resolve(&promise))
                    .await
                    .map_err(fail)?
                    .dyn_into()
                    .map_err(|_| {
                        Failure::Network("the fetch option did not return a Response".into())
                    })
            }
        }
    }
}

fn error_name(e: &JsValue) -> Option<String> {
    Reflect::get(e, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
}

/// An answer's status and headers with its body text; a redirect seen while holding a key is
/// refused (Node shows the 3xx itself; browsers an opaque redirect, status 0).
fn answer(response: web_sys::Response, text: JsValue, holds_key: bool) -> Result<Answer, Failure> {
    if holds_key
        && (response.type_() == web_sys::ResponseType::Opaqueredirect
            || (300..400).contains(&response.status()))
    {
        return Err(Failure::Refused(redirect_refused(response.status())));
    }
    let h = response.headers();
    Ok(Answer {
        status: response.status(),
        text,
        retry_after: h.get("Retry-After").ok().flatten(),
        request_id: h.get("X-Request-ID").ok().flatten(),
    })
}

/// The request of one fetch attempt, made once (gloo-net's builder would construct it twice
/// plus a URL object to merge query parameters we never give it: 0.1 ms a request in Node), and
/// whether it holds the key.
fn build(
    ctx: &WebCtx,
    url: &str,
    headers: &[(String, String)],
    req: &Request,
    signal: &AbortSignal,
) -> Result<(gloo_net::http::Request, bool), Failure> {
    let (body, content_type) = body(ctx, req).map_err(|e| Failure::Network(e.message().into()))?;
    let raw_headers = web_sys::Headers::new().map_err(|e| Failure::Network(message_of(&e)))?;
    for (k, v) in headers {
        raw_headers
            .append(k, v)
            .map_err(|_| Failure::Network("header ".to_string() + k + " has a bad value"))?;
    }
    if let Some(ct) = content_type {
        let _ = raw_headers.set("Content-Type", ct);
    }
    let init = web_sys::RequestInit::new();
    init.set_method(req.method.as_str());
    init.set_headers(&raw_headers);
    init.set_signal(Some(signal));
    // A redirect would carry the key to wherever it points (Node re-sends every header):
    // while the client holds a key, redirects are seen, not followed.
    let holds_key = headers.iter().any(|(k, _)| k == "X-API-Key");
    if holds_key {
        init.set_redirect(web_sys::RequestRedirect::Manual);
    }
    if let Some(b) = &body {
        init.set_body(b);
    }
    let request: gloo_net::http::Request = web_sys::Request::new_with_str_and_init(url, &init)
        .map_err(|e| Failure::Network(message_of(&e)))?
        .into();
    Ok((request, holds_key))
}

/// Abandons an upload whose bytes stop going out: each progress event re-arms it, and it stops
/// once the whole body is sent (the server's work after that is the request timeout's).
struct StallWatch {
    ms: f64,
    xhr: XmlHttpRequest,
    fired: Rc<Cell<bool>>,
    timer: RefCell<Option<Timer>>,
}

impl StallWatch {
    fn arm(&self) {
        let (x, f) = (self.xhr.clone(), self.fired.clone());
        *self.timer.borrow_mut() = Some(Timer::new(self.ms, move || {
            f.set(true);
            let _ = x.abort();
        }));
    }
    fn stop(&self) {
        self.timer.borrow_mut().take();
    }
}

/// Uploads: `XMLHttpRequest` is the one web API that reports the bytes sent, which progress
/// reports and stall detection need.
async fn via_xhr(
    ctx: &WebCtx,
    url: &str,
    headers: &[(String, String)],
    req: &Request,
    timeout_ms: f64,
    index: usize,
) -> Result<Answer, Failure> {
    let net = |e: JsValue| Failure::Network(message_of(&e));
    let (body, content_type) = body(ctx, req).map_err(|e| Failure::Network(e.message().into()))?;
    let xhr = XmlHttpRequest::new().map_err(net)?;
    xhr.open(req.method.as_str(), url).map_err(net)?;
    for (k, v) in headers {
        xhr.set_request_header(k, v)
            .map_err(|_| Failure::Network("header ".to_string() + k + " has a bad value"))?;
    }
    if let Some(ct) = content_type {
        xhr.set_request_header("Content-Type", ct).map_err(net)?;
    }
    xhr.set_timeout(timeout_ms.clamp(0.0, MAX_TIMER_MS) as u32);
    let watch = req.stall_ms.map(|ms| {
        Rc::new(StallWatch {
            ms,
            xhr: xhr.clone(),
            fired: Rc::new(Cell::new(false)),
            timer: RefCell::new(None),
        })
    });
    let (p, w) = (ctx.progress.clone(), watch.clone());
    let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
        if let Some(w) = &w {
            w.arm();
        }
        if let Some(p) = p
            .as_ref()
            .filter(|_| e.length_computable() && e.total() > 0.0)
        {
            p.report(index, e.loaded() / e.total());
        }
    });
    let w = watch.clone();
    let on_sent = Closure::<dyn FnMut()>::new(move || {
        if let Some(w) = &w {
            w.stop();
        }
    });
    let upload = xhr.upload().map_err(net)?;
    upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    upload.set_onload(Some(on_sent.as_ref().unchecked_ref()));
    // The outcome is settled by exactly one of load, error, timeout or abort.
    let outcome: Rc<RefCell<Option<(Function, Function)>>> = Rc::new(RefCell::new(None));
    let settle = |kind: &'static str| {
        let o = outcome.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some((resolve, reject)) = o.borrow_mut().take() {
                let f = if kind == "load" { resolve } else { reject };
                let _ = f.call1(&JsValue::UNDEFINED, &JsValue::from_str(kind));
            }
        })
    };
    let (on_load, on_error, on_timeout, on_abort) = (
        settle("load"),
        settle("error"),
        settle("timeout"),
        settle("abort"),
    );
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    xhr.set_ontimeout(Some(on_timeout.as_ref().unchecked_ref()));
    xhr.set_onabort(Some(on_abort.as_ref().unchecked_ref()));
    let done = Promise::new(&mut |resolve, reject| {
        *outcome.borrow_mut() = Some((resolve, reject));
    });
    let _hook = {
        let x = xhr.clone();
        OnAbort::new(ctx.signal.as_ref(), move || {
            let _ = x.abort();
        })
    };
    let sent = match &body {
        Some(b) => match b.dyn_ref::<FormData>() {
            Some(fd) => xhr.send_with_opt_form_data(Some(fd)),
            None => xhr.send_with_opt_str(b.as_string().as_deref()),
        },
        None => xhr.send(),
    };
    sent.map_err(net)?;
    if let Some(w) = &watch {
        w.arm();
    }
    let result = JsFuture::from(done).await;
    if let Some(w) = &watch {
        w.stop();
    }
    upload.set_onprogress(None);
    upload.set_onload(None);
    for set in [
        XmlHttpRequestEventTarget::set_onload,
        XmlHttpRequestEventTarget::set_onerror,
        XmlHttpRequestEventTarget::set_ontimeout,
        XmlHttpRequestEventTarget::set_onabort,
    ] {
        set(&xhr, None);
    }
    match result {
        Ok(_) => Ok(Answer {
            status: xhr.status().unwrap_or(0),
            text: xhr.response().unwrap_or(JsValue::NULL),
            retry_after: xhr.get_response_header("Retry-After").ok().flatten(),
            request_id: xhr.get_response_header("X-Request-ID").ok().flatten(),
        }),
        Err(kind) => Err(match kind.as_string().as_deref() {
            // Aborted by the stall watch, not by the caller: a network failure, retried.
            Some("abort") if let Some(w) = watch.as_ref().filter(|w| w.fired.get()) => {
                Failure::Network(
                    "the upload stalled: no bytes went out for ".to_string()
                        + &crate::value::int_text(w.ms as i64)
                        + " ms",
                )
            }
            Some("abort") => Failure::Abort,
            Some("timeout") => Failure::Timeout,
            _ => Failure::Network("network error (connection failed or refused)".into()),
        }),
    }
}

/// Whether this runtime has `XMLHttpRequest` (browsers and workers do; Node does not).
fn has_xhr() -> bool {
    Reflect::get(&js_sys::global(), &JsValue::from_str("XMLHttpRequest"))
        .is_ok_and(|x| x.is_function())
}

/// An event stream's body being read. Its fetch runs under its own controller, tied to the
/// caller's signal, so neither the head's timeout nor an idle timer outlives its wait.
pub struct WebStream {
    reader: web_sys::ReadableStreamDefaultReader,
    controller: AbortController,
    _hook: Option<OnAbort>,
}

impl WebBackend {
    async fn open_stream(
        &self,
        ctx: &WebCtx,
        url: &str,
        headers: &[(String, String)],
        req: &Request,
        timeout_ms: f64,
    ) -> Result<Opened<JsValue, WebStream>, Failure> {
        let controller = AbortController::new().map_err(|e| Failure::Network(message_of(&e)))?;
        let hook = follow(&controller, ctx.signal.as_ref());
        let (request, holds_key) = build(ctx, url, headers, req, &controller.signal())?;
        let (late, timer) = abort_after(&controller, timeout_ms);
        let classify = |_: Option<&str>, message: String| {
            if is_aborted(ctx.signal.as_ref()) {
                Failure::Abort
            } else if late.get() {
                Failure::Timeout
            } else {
                Failure::Network(message)
            }
        };
        let response = self.respond(request, &classify).await?;
        drop(timer);
        let body = response.body();
        if !(200..300).contains(&response.status()) || body.is_none() {
            let fail = |e: JsValue| classify(None, message_of(&e));
            let text = JsFuture::from(response.text().map_err(fail)?)
                .await
                .map_err(fail)?;
            return answer(response, text, holds_key).map(|a| Opened::Answer(a.into_sent()));
        }
        let reader = body
            .and_then(|b| b.get_reader().dyn_into().ok())
            .ok_or_else(|| Failure::Network("the event stream cannot be read".into()))?;
        Ok(Opened::Stream(WebStream {
            reader,
            controller,
            _hook: hook,
        }))
    }
}

impl Drop for WebStream {
    /// A stream left unread (an error event, an abort, a result found) is closed, so its
    /// connection does not stay open.
    fn drop(&mut self) {
        self.controller.abort();
    }
}

async fn read_chunk(
    ctx: &WebCtx,
    s: &mut WebStream,
    idle_ms: f64,
) -> Result<Option<Vec<u8>>, Failure> {
    let (idle, _timer) = abort_after(&s.controller, idle_ms);
    let step = JsFuture::from(s.reader.read()).await.map_err(|e| {
        if is_aborted(ctx.signal.as_ref()) {
            Failure::Abort
        } else if idle.get() {
            Failure::Timeout
        } else {
            Failure::Network(message_of(&e))
        }
    })?;
    if Reflect::get(&step, &JsValue::from_str("done")).is_ok_and(|d| d.is_truthy()) {
        return Ok(None);
    }
    let value = Reflect::get(&step, &JsValue::from_str("value")).unwrap_or(JsValue::UNDEFINED);
    Ok(Some(
        value
            .dyn_into::<js_sys::Uint8Array>()
            .map(|a| a.to_vec())
            .unwrap_or_default(),
    ))
}

/// Bytes `start..end` of a `Blob`: only that slice is read (the rest of a picked file stays on
/// disk).
pub async fn read_range(blob: &Blob, start: u64, end: u64) -> Result<Vec<u8>, Error> {
    let unreadable = |e: JsValue| {
        Error::Network(("the file could not be read: ".to_string() + &message_of(&e)).into())
    };
    let part = blob
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(unreadable)?;
    let bytes = JsFuture::from(part.array_buffer())
        .await
        .map_err(unreadable)?;
    Ok(js_sys::Uint8Array::new(&bytes).to_vec())
}

impl Backend for WebBackend {
    type Ctx = WebCtx;
    type Doc = JsValue;
    type Stream = WebStream;

    async fn open(
        &self,
        ctx: &WebCtx,
        url: &str,
        headers: &[(String, String)],
        req: &Request,
        timeout_ms: f64,
    ) -> Result<Opened<JsValue, WebStream>, Error> {
        if is_aborted(ctx.signal.as_ref()) {
            return Err(aborted());
        }
        self.open_stream(ctx, url, headers, req, timeout_ms)
            .await
            .map_err(|f| f.into_error(timeout_ms))
    }

    async fn chunk(
        &self,
        ctx: &WebCtx,
        s: &mut WebStream,
        idle_ms: f64,
    ) -> Result<Option<Vec<u8>>, Error> {
        read_chunk(ctx, s, idle_ms)
            .await
            .map_err(|f| f.into_error(idle_ms))
    }

    async fn send(
        &self,
        ctx: &WebCtx,
        url: &str,
        headers: &[(String, String)],
        req: &Request,
        timeout_ms: f64,
    ) -> Result<Sent<JsValue>, Error> {
        if is_aborted(ctx.signal.as_ref()) {
            return Err(aborted());
        }
        let answer = match req.progress {
            Some(index) if self.fetch.is_none() && has_xhr() => {
                via_xhr(ctx, url, headers, req, timeout_ms, index).await
            }
            _ => self.via_fetch(ctx, url, headers, req, timeout_ms).await,
        };
        answer
            .map(Answer::into_sent)
            .map_err(|f| f.into_error(timeout_ms))
    }

    async fn read_blob(
        &self,
        ctx: &WebCtx,
        slot: usize,
        start: u64,
        end: u64,
    ) -> Result<Vec<u8>, Error> {
        if is_aborted(ctx.signal.as_ref()) {
            return Err(aborted());
        }
        read_range(ctx.blob(slot)?, start, end).await
    }

    async fn sleep(&self, ctx: &WebCtx, ms: f64) -> Result<(), Error> {
        if is_aborted(ctx.signal.as_ref()) {
            return Err(aborted());
        }
        let settle: Rc<RefCell<Option<(Function, Function)>>> = Rc::new(RefCell::new(None));
        let done = Promise::new(&mut |resolve, reject| {
            *settle.borrow_mut() = Some((resolve, reject));
        });
        let fire = |ok: bool| {
            let s = settle.clone();
            move || {
                if let Some((resolve, reject)) = s.borrow_mut().take() {
                    let _ = if ok { resolve } else { reject }.call0(&JsValue::UNDEFINED);
                }
            }
        };
        let _timer = Timer::new(ms, fire(true));
        let _hook = OnAbort::new(ctx.signal.as_ref(), fire(false));
        JsFuture::from(done)
            .await
            .map(|_| ())
            .map_err(|_| aborted())
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn uuid(&self) -> String {
        uuid(&self.runtime)
    }
}

/// A random (version 4) UUID: `crypto.randomUUID()` where the runtime has it, else made from
/// `crypto.getRandomValues` (pages served over plain http); Node 18 has no global `crypto`, and
/// there the ids (which need to be unique, not secret) come from `Math.random`.
fn uuid(rt: &Runtime) -> String {
    if let (Some(c), true) = (&rt.crypto, rt.random_uuid) {
        return c.random_uuid();
    }
    let mut b = [0u8; 16];
    let filled = rt
        .crypto
        .as_ref()
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut b).is_ok());
    if !filled {
        for x in b.iter_mut() {
            *x = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(HEX[usize::from(x >> 4)] as char);
        s.push(HEX[usize::from(x & 15)] as char);
    }
    s
}
