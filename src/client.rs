//! `NomadicClient`, the object JS holds. Conversion only: options are read into the types of
//! `options.rs`, handed to `api`, and results go back as JS values: documents the server sent
//! pass through as the engine parsed them; values Rust made are written with serde-wasm-bindgen.

use crate::api::analysis::{self, Target};
use crate::api::imports::{self, PageQuery, WaitOptions};
use crate::api::integrations::{self, NewIntegration};
use crate::api::poll::Schedule;
use crate::api::upload;
use crate::api::validate::{self, invalid};
use crate::api::{batches, odd, prompt, search, visuals};
use crate::api::{folders, videos, Call, Names, Out, Request};
use crate::convert::{self, Collected};
use crate::error::Error;
use crate::options::{self as opt, Js};
use crate::transport::web::{is_aborted, to_js, Progress, WebBackend, WebCtx};
use crate::transport::{Http, Settings};
use crate::value::Value;
use js_sys::{Function, Promise};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

#[wasm_bindgen(module = "/src/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(
        kind: &str,
        message: &str,
        status: f64,
        body: &str,
        request_id: Option<&str>,
        retry_after: Option<f64>,
    ) -> JsValue;
}

#[wasm_bindgen(module = "/src/js/enums.js")]
extern "C" {
    #[wasm_bindgen(js_name = defaultColumns)]
    fn default_columns() -> JsValue;
}

#[wasm_bindgen(module = "/src/js/iterate.js")]
extern "C" {
    fn pages(handle: JsValue, id: &str, limit: JsValue, signal: JsValue) -> JsValue;
    fn rows(handle: JsValue, id: &str, limit: JsValue, signal: JsValue) -> JsValue;
    fn step(page: JsValue, next: Option<&str>) -> JsValue;
    type EventQueue;
    #[wasm_bindgen(js_name = eventQueue)]
    fn event_queue(signal: &JsValue, on_progress: &JsValue) -> EventQueue;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &EventQueue) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn push(this: &EventQueue) -> JsValue;
    #[wasm_bindgen(method)]
    fn settle(this: &EventQueue, analysis: &Promise);
    #[wasm_bindgen(method)]
    fn fail(this: &EventQueue, error: &JsValue);
    #[wasm_bindgen(method, getter)]
    fn iterable(this: &EventQueue) -> JsValue;
}

const DEFAULT_BASE_URL: &str = "https://api-prod.nomadicml.com";

/// `DEFAULT_STRUCTURED_ODD_COLUMNS`, for Rust callers (the tests).
pub fn default_odd_columns() -> JsValue {
    default_columns()
}

/// A caller's `File` or `Blob`, read a slice at a time.
struct BlobSource(web_sys::Blob);

impl crate::probe::Source for BlobSource {
    fn read(&self, start: u64, end: u64) -> crate::probe::Reading<'_> {
        Box::pin(crate::transport::web::read_range(&self.0, start, end))
    }
}

/// `probeVideo(fileOrBlob)`: what an MP4/MOV file holds, read from its boxes (at most 2 MiB of
/// it); a file that is not MP4/MOV video rejects with a `ValidationError` saying what it is.
#[wasm_bindgen(js_name = probeVideo)]
pub fn probe_video(file: JsValue) -> Promise {
    settle(Box::pin(async move {
        let file = convert::guarded(&file, "the file to probe")?;
        let blob = file
            .dyn_into::<web_sys::Blob>()
            .map_err(|_| invalid("probeVideo() takes a File or a Blob"))?;
        let name = blob
            .dyn_ref::<web_sys::File>()
            .map_or("the blob".to_string(), |f| {
                "'".to_string() + &f.name() + "'"
            });
        let size = blob.size() as u64;
        let p = crate::probe::probe(&BlobSource(blob), size)
            .await
            .map_err(|e| crate::probe::named(e, &name))?;
        Ok(to_js(&p.to_value()))
    }))
}

/// The one place a Rust error becomes a JS error object.
fn js_error(e: Error) -> JsValue {
    let (kind, f) = match &e {
        Error::Validation(_) => ("validation", None),
        Error::Api(f) => ("api", Some(f)),
        Error::Auth(f) => ("auth", Some(f)),
        Error::Upload(_) => ("upload", None),
        Error::Timeout(_) => ("timeout", None),
        Error::Abort(_) => ("abort", None),
        Error::Network(_) => ("network", None),
    };
    make_error(
        kind,
        e.message(),
        f.map_or(0.0, |f| f64::from(f.status)),
        f.map_or("", |f| &f.body),
        f.and_then(|f| f.request_id.as_deref()),
        f.and_then(|f| f.retry_after),
    )
}

/// A passed-through document, or a value Rust made.
fn out(o: Out<JsValue>) -> JsValue {
    match o {
        Out::Doc(d) => d,
        Out::Made(v) => to_js(&v),
    }
}

type Body = Pin<Box<dyn Future<Output = Result<JsValue, Error>>>>;

/// One promise adaptor for every method (a generic one is compiled once per method).
fn settle(body: Body) -> Promise {
    future_to_promise(async move { body.await.map_err(js_error) })
}

/// The shape of every method: read the options into `O` and the signal, make the call's
/// context, run the body. Bad options reject the promise before anything is sent.
fn method<O, F, Fut>(inner: &Rc<Inner>, options: JsValue, body: F) -> Promise
where
    O: DeserializeOwned,
    F: FnOnce(Rc<Inner>, O, WebCtx) -> Fut + 'static,
    Fut: Future<Output = Result<JsValue, Error>> + 'static,
{
    let (options, ctx) = match prepare(&options) {
        Ok(p) => p,
        Err(e) => return rejected(e),
    };
    match opt::read::<O>(&options, "options") {
        Ok(o) => settle(Box::pin(body(inner.clone(), o, ctx))),
        Err(e) => rejected(e),
    }
}

/// The methods that send one request and hand its answer on untouched: the request is built at
/// once and sent by one shared future, so such a method compiles to no state machine of its own.
/// Its first lines repeat `method`'s on purpose: a generic helper returning the options read
/// measured +2.1 KB gzip (each options struct moved through a `Result`).
fn doc_method<O: DeserializeOwned>(
    inner: &Rc<Inner>,
    options: JsValue,
    build: impl FnOnce(O, &Names) -> Result<Request, Error>,
) -> Promise {
    let (options, ctx) = match prepare(&options) {
        Ok(p) => p,
        Err(e) => return rejected(e),
    };
    match opt::read::<O>(&options, "options").and_then(|o| build(o, &inner.names)) {
        Ok(req) => settle(Box::pin(send_doc(inner.clone(), ctx, req))),
        Err(e) => rejected(e),
    }
}

async fn send_doc(inner: Rc<Inner>, ctx: WebCtx, req: Request) -> Result<JsValue, Error> {
    inner.call(&ctx).doc(req).await
}

fn rejected(e: Error) -> Promise {
    settle(Box::pin(std::future::ready(Err(e))))
}

/// What every method does first, the same for all (so it is compiled once): the guarded copy of
/// the options, and the call's context.
fn prepare(options: &JsValue) -> Result<(JsValue, WebCtx), Error> {
    let options = convert::guarded(options, "options")?;
    let ctx = ctx(&options)?;
    Ok((options, ctx))
}

/// The call's context: its signal (already fired is an `AbortError` at once).
fn ctx(options: &JsValue) -> Result<WebCtx, Error> {
    let s: opt::Signal = opt::read(options, "options")?;
    let signal = convert::signal(s.signal.present())?;
    if is_aborted(signal.as_ref()) {
        return Err(Error::Abort("The operation was aborted".into()));
    }
    Ok(WebCtx {
        signal,
        blobs: Vec::new(),
        progress: None,
    })
}

/// An option that must be a function, when given.
fn function(v: &Js, name: &str) -> Result<Option<Function>, Error> {
    v.present()
        .map(|f| {
            f.clone()
                .dyn_into::<Function>()
                .map_err(|_| invalid("options.".to_string() + name + " must be a function"))
        })
        .transpose()
}

/// Calls a caller's progress callback with a value; a throwing callback is ignored.
fn call_back(f: &Option<Function>, v: &Value) {
    if let Some(f) = f {
        let _ = f.call1(&JsValue::UNDEFINED, &to_js(v));
    }
}

struct Inner {
    http: Http<WebBackend>,
    names: Names,
    /// The key's user id, asked once (structured ODD exports need it).
    user_id: std::cell::RefCell<Option<String>>,
}

impl Inner {
    fn call<'a>(&'a self, ctx: &'a WebCtx) -> Call<'a, Http<WebBackend>> {
        Call {
            t: &self.http,
            ctx,
            names: &self.names,
        }
    }
}

/// A client of the NomadicML API. Every method returns a Promise and takes an `AbortSignal` as
/// `options.signal`.
#[wasm_bindgen]
pub struct NomadicClient {
    inner: Rc<Inner>,
}

/// The client's settings, checked in the order the options are documented. Nothing is moved out
/// of `o` until every check has passed, so a failing check drops `o` whole (smaller code).
fn settings(mut o: opt::Client) -> Result<(Settings, Names, Option<Function>), Error> {
    match o.api_key.as_deref() {
        Some(k) if k.trim().is_empty() => return Err(invalid("apiKey must not be empty")),
        // Said without the key, which must never appear in a message.
        Some(k) if !validate::is_header_value(k) => return Err(invalid(
            "apiKey holds characters a header cannot carry (line breaks, NUL, or beyond Latin-1)",
        )),
        _ => {}
    }
    let base_url = o.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL).trim();
    // Trailing slashes counted by bytes (a `char` pattern links a searcher).
    let slashes = base_url.bytes().rev().take_while(|b| *b == b'/').count();
    let base_url = base_url[..base_url.len() - slashes].to_string();
    let absolute = validate::is_http_url(&base_url);
    if !(absolute
        || (base_url.starts_with('/') && convert::can_resolve(&base_url))
        || (base_url.is_empty() && convert::can_resolve("/")))
    {
        return Err(invalid(
            "baseUrl must be an http(s) URL, or a path such as '/api-proxy' on a web page",
        ));
    }
    if o.api_key.is_some() && o.dangerously_allow_browser != Some(true) {
        if let Some(exposed) = convert::key_exposure(&base_url) {
            return Err(invalid(
                "sending the API key from this page to ".to_string()
                    + &exposed
                    + " would show it to every visitor: call the API through a same-origin proxy \
                       (baseUrl: '/api-proxy', no apiKey), or pass dangerouslyAllowBrowser: true",
            ));
        }
    }
    let timeout_ms = match opt::finite(o.timeout_ms, "timeoutMs")? {
        Some(t) if t > 0.0 => t,
        Some(_) => return Err(invalid("timeoutMs must be a positive number")),
        None => 900_000.0,
    };
    let max_retries = opt::whole(o.max_retries, "maxRetries", 0.0, 10.0)?.unwrap_or(3.0) as u32;
    let fetch = function(&o.fetch, "fetch")?;
    let headers = header_pairs(o.headers.take())?;
    let names = Names {
        collection: o.collection_name.unwrap_or_else(|| "videos".into()),
        folder_collection: o
            .folder_collection_name
            .unwrap_or_else(|| "videoFolders".into()),
    };
    let settings = Settings {
        base_url,
        api_key: o.api_key,
        timeout_ms,
        max_retries,
        headers,
        max_retry_after_ms: 60_000.0,
    };
    Ok((settings, names, fetch))
}

/// A list of strings (absent: empty).
fn strings(v: Option<Value>, name: &str) -> Result<Vec<String>, Error> {
    let bad = || invalid("options.".to_string() + name + " must be a list of strings");
    let items = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Arr(items)) => items,
        Some(_) => return Err(bad()),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::Str(s) => out.push(s),
            _ => return Err(bad()),
        }
    }
    Ok(out)
}

/// The caller's extra headers: an object of strings.
fn header_pairs(headers: Option<Value>) -> Result<Vec<(String, String)>, Error> {
    let bad = || invalid("options.headers must be an object of strings");
    let fields = match headers {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Obj(fields)) => fields,
        Some(_) => return Err(bad()),
    };
    let mut out = Vec::with_capacity(fields.len());
    for (k, v) in fields {
        let Value::Str(v) = v else {
            return Err(bad());
        };
        if !validate::is_header_name(&k) {
            // The name is shown only when it is printable.
            let shown = if k.chars().any(char::is_control) {
                "a key"
            } else {
                &k
            };
            return Err(invalid(
                "options.headers: '".to_string()
                    + shown
                    + "' is not a header name (letters, digits and !#$%&'*+-.^_`|~ only)",
            ));
        }
        if !validate::is_header_value(&v) {
            return Err(invalid(
                "options.headers['".to_string()
                    + &k
                    + "'] holds characters a header cannot carry \
                       (line breaks, NUL, or beyond Latin-1)",
            ));
        }
        out.push((k, v));
    }
    Ok(out)
}

#[wasm_bindgen]
impl NomadicClient {
    /// `new NomadicClient({apiKey, baseUrl, timeoutMs, maxRetries, headers, fetch,
    /// collectionName, folderCollectionName, dangerouslyAllowBrowser})`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<NomadicClient, JsValue> {
        let o: opt::Client = convert::guarded(&options, "options")
            .and_then(|options| opt::read(&options, "options"))
            .map_err(js_error)?;
        let (settings, names, fetch) = settings(o).map_err(js_error)?;
        let http = Http {
            backend: WebBackend::new(fetch),
            settings,
        };
        Ok(NomadicClient {
            inner: Rc::new(Inner {
                http,
                names,
                user_id: Default::default(),
            }),
        })
    }

    /// Uploads a `File`, a `Blob` (with `options.name`), an http(s) URL, `[video, metadata]`,
    /// `{video, name, metadata}`, or an array of these.
    pub fn upload(&self, input: JsValue, options: JsValue) -> Promise {
        let input = convert::guarded(&input, "the upload input");
        method(
            &self.inner,
            options,
            |inner, o: opt::Upload, mut ctx| async move {
                let input = input?;
                let mut collected = Collected::default();
                let parsed = convert::upload_input(&input, &mut collected).await?;
                let metadata = match o.metadata_file.present() {
                    Some(m) => Some(convert::sidecar(m, &mut collected).await?),
                    None => None,
                };
                let first_ms = opt::finite(o.poll_interval_ms, "pollIntervalMs")?.unwrap_or(2000.0);
                if first_ms <= 0.0 {
                    return Err(invalid("options.pollIntervalMs must be positive"));
                }
                // Every check that can fail comes before the options are moved out of `o`: an
                // early return then drops `o` whole, not field by field (smaller code).
                let upload_timeout_ms =
                    opt::finite(o.upload_timeout_ms, "uploadTimeoutMs")?.unwrap_or(1_200_000.0);
                let concurrency =
                    opt::whole(o.concurrency, "concurrency", 1.0, 16.0)?.unwrap_or(4.0) as usize;
                let chunk_size =
                    opt::whole(o.chunk_size, "chunkSize", 1.0, 9.0e15)?.map(|n| n as i64);
                let stall_timeout_ms =
                    opt::finite(o.stall_timeout_ms, "stallTimeoutMs")?.unwrap_or(60_000.0);
                let on_progress = function(&o.on_progress, "onProgress")?;
                let opts = upload::Options {
                    name: o.name,
                    folder: o.folder,
                    scope: o.scope,
                    metadata,
                    integration_id: o.integration_id,
                    wait: o.wait_for_uploaded.unwrap_or(true),
                    upload_timeout_ms,
                    concurrency,
                    chunk_size,
                    probe: o.probe.unwrap_or(true),
                    stall_timeout_ms,
                    poll: Schedule {
                        first_ms,
                        factor: 2.0,
                        cap_ms: 30_000.0,
                    },
                };
                if let Some(cb) = on_progress {
                    ctx.progress = Some(Rc::new(Progress::new(
                        cb,
                        upload::progress_entries(&parsed, &opts),
                    )));
                }
                ctx.blobs = collected.blobs;
                let r = upload::upload(&inner.call(&ctx), parsed, &opts).await?;
                Ok(to_js(&r))
            },
        )
    }

    /// The caller's videos (and the organisation's), optionally of one folder.
    #[wasm_bindgen(js_name = myVideos)]
    pub fn my_videos(&self, options: JsValue) -> Promise {
        method(
            &self.inner,
            options,
            |inner, o: opt::Folder, ctx| async move {
                let r =
                    videos::my_videos(&inner.call(&ctx), o.folder.as_deref(), o.scope.as_deref())
                        .await?;
                Ok(out(r))
            },
        )
    }

    /// An address that plays the video (in a `<video>` element, say) without the key, valid
    /// for `expiresInS` seconds (default 3600, at most 7 days).
    #[wasm_bindgen(js_name = getVideoUrl)]
    pub fn get_video_url(&self, video_id: JsValue, options: JsValue) -> Promise {
        method(
            &self.inner,
            options,
            |inner, o: opt::VideoUrl, ctx| async move {
                let id = id_arg(&video_id, "the video id")?;
                let seconds = o.expires_in_s.unwrap_or(3600.0);
                let url = videos::video_url(&inner.call(&ctx), &id, seconds).await?;
                Ok(JsValue::from_str(&url))
            },
        )
    }

    #[wasm_bindgen(js_name = deleteVideo)]
    pub fn delete_video(&self, video_id: JsValue, options: JsValue) -> Promise {
        doc_method(&self.inner, options, |_: opt::Signal, names| {
            videos::delete_request(names, &id_arg(&video_id, "the video id")?)
        })
    }

    #[wasm_bindgen(js_name = createFolder)]
    pub fn create_folder(&self, name: JsValue, options: JsValue) -> Promise {
        doc_method(&self.inner, options, |o: opt::Folder, _| {
            let name = id_arg(&name, "the folder name")?;
            folders::create_request(&name, o.scope.as_deref(), o.description.as_deref())
        })
    }

    #[wasm_bindgen(js_name = getFolder)]
    pub fn get_folder(&self, name: JsValue, options: JsValue) -> Promise {
        doc_method(&self.inner, options, |o: opt::Folder, _| {
            folders::get_request(&id_arg(&name, "the folder name")?, o.scope.as_deref())
        })
    }

    /// Runs ASK or an agent on a video id, a list of ids, or `{folder, scope}`. Single videos
    /// resolve `{video_id, analysis_id, mode, status, summary?, events}`; lists and folders
    /// `{batch_metadata, results}`. `onProgress` gets each polled status document.
    pub fn analyze(&self, target: JsValue, options: JsValue) -> Promise {
        let target = convert::guarded(&target, "the analysis target");
        method(
            &self.inner,
            options,
            |inner, mut o: opt::Analyze, ctx| async move {
                let target = analysis_target(&target?, o.folder.clone(), o.scope.clone())?;
                let on_progress = function(&o.on_progress, "onProgress")?;
                let report = |p: &Value| call_back(&on_progress, p);
                let d = analysis::Options::default();
                if o.prompt.is_some() || o.mode.is_some() {
                    let po = prompt_options(o, &d)?;
                    let r = prompt::analyze(&inner.call(&ctx), target, &po, &report).await?;
                    return Ok(to_js(&r));
                }
                // The checks that can fail come before anything is moved out of `o` (as in
                // `upload`).
                let timeout_ms = opt::finite(o.timeout_ms, "timeoutMs")?.unwrap_or(d.timeout_ms);
                let concept_ids = strings(o.concept_ids.take(), "conceptIds")?;
                let poll_ms =
                    opt::finite(o.poll_interval_ms, "pollIntervalMs")?.unwrap_or(d.poll_ms);
                let opts = analysis::Options {
                    kind: o.analysis_type,
                    custom_event: o.custom_event,
                    category: o.custom_category,
                    model_id: o.model_id,
                    timeout_ms,
                    wait: o.wait_for_completion.unwrap_or(true),
                    is_thumbnail: o.is_thumbnail.unwrap_or(false),
                    return_subset: o.return_subset.unwrap_or(false),
                    enhanced_motion: o.use_enhanced_motion_analysis.unwrap_or(false),
                    confidence: o.confidence,
                    overlay: o.overlay_mode,
                    concept_ids,
                    agent_id: o.custom_edge_case_agent_id,
                    haystack: o.haystack_search.unwrap_or(false),
                    poll_ms,
                };
                let r = analysis::analyze(&inner.call(&ctx), target, &opts, &report).await?;
                Ok(to_js(&r))
            },
        )
    }

    /// A thinking prompt analysis as it happens: `for await (const item of
    /// client.analyzeStream(target, {prompt}))` gives `{type: 'event', event, id, data}` for
    /// each event of the service's stream, `{type: 'status', status}` for each polled batch
    /// status, and last `{type: 'results', results}` (what `analyze` resolves to). The analysis
    /// starts at once; leaving the loop early or the caller's signal aborts it, and a failure
    /// rejects the next step of the loop.
    #[wasm_bindgen(js_name = analyzeStream)]
    pub fn analyze_stream(&self, target: JsValue, options: JsValue) -> JsValue {
        match stream_options(&options) {
            Ok((options, signal, on_progress)) => {
                let q = event_queue(&signal, &on_progress);
                let _ = js_sys::Reflect::set(&options, &"signal".into(), &q.signal());
                let _ = js_sys::Reflect::set(&options, &"onProgress".into(), &q.push());
                q.settle(&self.analyze(target, options));
                q.iterable()
            }
            Err(e) => {
                let q = event_queue(&JsValue::UNDEFINED, &JsValue::UNDEFINED);
                q.fail(&js_error(e));
                q.iterable()
            }
        }
    }

    /// A batch's results: `{batch_metadata, results}`, filtered by approval (`filter`: one of
    /// or a list of `approved`, `rejected`, `pending`, `invalid`), or CSV text (`asCsv`).
    #[wasm_bindgen(js_name = getBatchAnalysis)]
    pub fn get_batch_analysis(&self, batch_id: JsValue, options: JsValue) -> Promise {
        method(
            &self.inner,
            options,
            |inner, o: opt::BatchResults, ctx| async move {
                let id = id_arg(&batch_id, "the batch id")?;
                let filter = match o.filter {
                    None | Some(Value::Null) => None,
                    Some(Value::Str(s)) => Some(vec![s]),
                    Some(Value::Arr(items)) => {
                        let mut names = Vec::with_capacity(items.len());
                        for f in items {
                            match f {
                                Value::Str(s) => names.push(s),
                                _ => return Err(invalid("options.filter holds strings only")),
                            }
                        }
                        Some(names)
                    }
                    Some(_) => {
                        return Err(invalid(
                            "options.filter must be a string or a list of strings",
                        ))
                    }
                };
                let as_csv = o.as_csv.unwrap_or(false);
                let r = batches::results(&inner.call(&ctx), &id, filter.as_deref(), as_csv).await?;
                Ok(to_js(&r))
            },
        )
    }

    /// Merges flat string/integer metadata into a batch's; resolves `{success, batch_id, metadata}`.
    #[wasm_bindgen(js_name = addBatchMetadata)]
    pub fn add_batch_metadata(
        &self,
        batch_id: JsValue,
        metadata: JsValue,
        options: JsValue,
    ) -> Promise {
        let metadata = convert::guarded(&metadata, "metadata");
        doc_method(&self.inner, options, |_: opt::Signal, _| {
            let id = id_arg(&batch_id, "the batch id")?;
            let metadata = metadata?;
            if !convert::is_plain(&metadata) {
                return Err(invalid(
                    "metadata must be a plain object of string or integer values",
                ));
            }
            batches::add_metadata_request(&id, convert::to_value(&metadata, "metadata")?)
        })
    }

    /// Thumbnail URLs of an analysis's events (made when missing).
    #[wasm_bindgen(js_name = getVisuals)]
    pub fn get_visuals(
        &self,
        video_id: JsValue,
        analysis_id: JsValue,
        options: JsValue,
    ) -> Promise {
        method(
            &self.inner,
            options,
            |inner, _: opt::Signal, ctx| async move {
                let urls = visuals::urls(
                    &inner.call(&ctx),
                    &id_arg(&video_id, "the video id")?,
                    &id_arg(&analysis_id, "the analysis id")?,
                )
                .await?;
                Ok(to_js(&urls))
            },
        )
    }

    /// One event's thumbnail URL; an index out of range names the valid range.
    #[wasm_bindgen(js_name = getVisual)]
    pub fn get_visual(
        &self,
        video_id: JsValue,
        analysis_id: JsValue,
        event_idx: JsValue,
        options: JsValue,
    ) -> Promise {
        method(
            &self.inner,
            options,
            |inner, _: opt::Signal, ctx| async move {
                let idx = event_idx
                    .as_f64()
                    .ok_or_else(|| invalid("eventIdx must be a number"))?;
                let v = id_arg(&video_id, "the video id")?;
                let url = visuals::one(
                    &inner.call(&ctx),
                    &v,
                    &id_arg(&analysis_id, "the analysis id")?,
                    idx,
                )
                .await?;
                Ok(JsValue::from(url))
            },
        )
    }

    /// The operating-domain CSV of a video: `{videoId, columns?, timeoutMs?}`; `columns` defaults
    /// to `DEFAULT_STRUCTURED_ODD_COLUMNS`.
    #[wasm_bindgen(js_name = generateStructuredOdd)]
    pub fn generate_structured_odd(&self, options: JsValue) -> Promise {
        method(&self.inner, options, |inner, o: opt::Odd, ctx| async move {
            let timeout_ms = opt::finite(o.timeout_ms, "timeoutMs")?;
            let video = o.video_id.unwrap_or_default();
            let columns = match o.columns {
                Some(c) => c,
                None => convert::to_value(&default_columns(), "columns")?,
            };
            let env = odd::trace_env(&inner.http.settings.base_url);
            let r = odd::generate(
                &inner.call(&ctx),
                &video,
                &columns,
                timeout_ms,
                o.reasoning_trace_path.as_deref(),
                env,
                &inner.user_id,
            )
            .await?;
            Ok(to_js(&r))
        })
    }

    /// Searches the analysed events of a folder: `{summary, thoughts, matches, session_id}`.
    pub fn search(&self, query: JsValue, options: JsValue) -> Promise {
        method(
            &self.inner,
            options,
            |inner, o: opt::Search, ctx| async move {
                let query = query
                    .as_string()
                    .ok_or_else(|| invalid("search() needs a query string"))?;
                let timeout = opt::finite(o.timeout_ms, "timeoutMs")?
                    .unwrap_or(inner.http.settings.timeout_ms);
                let folder = o.folder_name.unwrap_or_default();
                let r = search::search(
                    &inner.call(&ctx),
                    &query,
                    &folder,
                    o.scope.as_deref(),
                    timeout,
                )
                .await?;
                Ok(to_js(&r))
            },
        )
    }

    /// Import jobs: `client.video.getImportJob(id)`, `getImportJobVideos`, `importJobPages`,
    /// `importJobRows`, `waitForImportJob`.
    #[wasm_bindgen(getter)]
    pub fn video(&self) -> VideoApi {
        VideoApi {
            inner: self.inner.clone(),
        }
    }

    /// Saved cloud integrations: `client.cloudIntegrations.list()`, `.add({...})`.
    #[wasm_bindgen(getter, js_name = cloudIntegrations)]
    pub fn cloud_integrations(&self) -> CloudIntegrationsApi {
        CloudIntegrationsApi {
            inner: self.inner.clone(),
        }
    }

    /// The same as `client.video.getImportJob(id)`.
    #[wasm_bindgen(js_name = getImportJob)]
    pub fn get_import_job(&self, id: JsValue, options: JsValue) -> Promise {
        self.video().get_import_job(id, options)
    }

    /// Checks the API key: `{valid, user_id, ...}`, or an `AuthenticationError`.
    #[wasm_bindgen(js_name = verifyAuth)]
    pub fn verify_auth(&self, options: JsValue) -> Promise {
        doc_method(&self.inner, options, |_: opt::Signal, _| {
            Ok(videos::verify_request())
        })
    }
}

/// `analyzeStream()`'s options (a copy the stream may add to), the caller's signal and
/// progress callback.
fn stream_options(options: &JsValue) -> Result<(JsValue, JsValue, JsValue), Error> {
    let options = convert::guarded(options, "options")?;
    let options = if options.is_undefined() || options.is_null() {
        js_sys::Object::new().into()
    } else {
        options
    };
    let o: opt::Analyze = opt::read(&options, "options")?;
    if o.prompt.is_none() {
        return Err(invalid(
            "analyzeStream() needs options.prompt: it streams a prompt analysis's thinking",
        ));
    }
    if o.mode.as_deref().is_some_and(|m| m != "thinking") {
        return Err(invalid(
            "analyzeStream() streams thinking mode only: use analyze() for mode 'fast'",
        ));
    }
    let on_progress =
        function(&o.on_progress, "onProgress")?.map_or(JsValue::UNDEFINED, JsValue::from);
    let s: opt::Signal = opt::read(&options, "options")?;
    let signal = convert::signal(s.signal.present())?.map_or(JsValue::UNDEFINED, JsValue::from);
    Ok((options, signal, on_progress))
}

/// A prompt analysis's options; the options of ASK and agents do not go with a prompt.
fn prompt_options(o: opt::Analyze, d: &analysis::Options) -> Result<prompt::Options, Error> {
    let ask_only = [
        ("analysisType", o.analysis_type.is_some()),
        ("customEvent", o.custom_event.is_some()),
        ("customCategory", o.custom_category.is_some()),
        ("modelId", o.model_id.is_some()),
        ("isThumbnail", o.is_thumbnail.is_some()),
        ("returnSubset", o.return_subset.is_some()),
        (
            "useEnhancedMotionAnalysis",
            o.use_enhanced_motion_analysis.is_some(),
        ),
        ("confidence", o.confidence.is_some()),
        ("overlayMode", o.overlay_mode.is_some()),
        ("conceptIds", o.concept_ids.is_some()),
        (
            "customEdgeCaseAgentId",
            o.custom_edge_case_agent_id.is_some(),
        ),
        ("haystackSearch", o.haystack_search.is_some()),
    ];
    if let Some((name, _)) = ask_only.iter().find(|(_, given)| *given) {
        return Err(invalid(
            "options.".to_string()
                + name
                + " does not go with a prompt: a prompt analysis takes mode, waitForCompletion, \
                   timeoutMs, pollIntervalMs, onProgress and signal",
        ));
    }
    if o.prompt.is_none() {
        return Err(invalid("options.mode needs options.prompt"));
    }
    let mode = prompt::Mode::parse(o.mode.as_deref())?;
    let timeout_ms = opt::finite(o.timeout_ms, "timeoutMs")?.unwrap_or(d.timeout_ms);
    let poll_ms = opt::finite(o.poll_interval_ms, "pollIntervalMs")?.unwrap_or(d.poll_ms);
    Ok(prompt::Options {
        prompt: o.prompt.unwrap_or_default(),
        mode,
        wait: o.wait_for_completion.unwrap_or(true),
        timeout_ms,
        poll_ms,
    })
}

/// `analyze()`'s target: an id, a list of ids, or `{folder, scope}` (also as `options.folder`).
fn analysis_target(
    target: &JsValue,
    folder_opt: Option<String>,
    scope_opt: Option<String>,
) -> Result<Target, Error> {
    let bad = |m: &str| invalid(m);
    if target.is_undefined() || target.is_null() {
        return match folder_opt {
            Some(name) => Ok(Target::Folder {
                name,
                scope: scope_opt,
            }),
            None => Err(bad(
                "analyze() needs a video id, a list of ids, or {folder}",
            )),
        };
    }
    let ids_given = target.is_string() || js_sys::Array::is_array(target);
    if ids_given && folder_opt.is_some() {
        return Err(bad("pass video ids or a folder, not both"));
    }
    if ids_given && scope_opt.is_some() {
        return Err(bad("scope applies to a folder target only"));
    }
    if let Some(id) = target.as_string() {
        return Ok(Target::One(id));
    }
    if js_sys::Array::is_array(target) {
        let ids: Vec<String> = serde_wasm_bindgen::from_value(target.clone())
            .map_err(|_| bad("every video id must be a string"))?;
        return Ok(Target::Many(ids));
    }
    if convert::is_plain(target) {
        if convert::keys(target)
            .iter()
            .any(|k| k != "folder" && k != "scope")
        {
            return Err(bad(
                "a target object takes {folder, scope} only: pass ids as a string or a list",
            ));
        }
        let t: opt::Folder = opt::read(target, "target")?;
        if folder_opt.is_some() {
            return Err(bad("give the folder once, in the target or in options"));
        }
        let name = t
            .folder
            .ok_or_else(|| bad("a target object needs a folder name"))?;
        return Ok(Target::Folder {
            name,
            scope: t.scope.or(scope_opt),
        });
    }
    Err(bad(
        "analyze() needs a video id, a list of ids, or {folder, scope}",
    ))
}

fn id_arg(id: &JsValue, what: &str) -> Result<String, Error> {
    id.as_string()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| invalid(what.to_string() + " must be a non-empty string"))
}

/// `client.video`: import jobs.
#[wasm_bindgen]
pub struct VideoApi {
    inner: Rc<Inner>,
}

#[wasm_bindgen]
impl VideoApi {
    /// `GET /api/import-jobs/{id}`: `{job_id, source, bucket, folder_id, folder_name, total, ...}`.
    #[wasm_bindgen(js_name = getImportJob)]
    pub fn get_import_job(&self, id: JsValue, options: JsValue) -> Promise {
        doc_method(&self.inner, options, |_: opt::Signal, _| {
            imports::job_request(&id_arg(&id, "the import job id")?)
        })
    }

    /// One page of an import job's rows: `{limit, cursor, offset}` (cursor or offset, not both).
    #[wasm_bindgen(js_name = getImportJobVideos)]
    pub fn get_import_job_videos(&self, id: JsValue, options: JsValue) -> Promise {
        doc_method(&self.inner, options, |o: opt::Page, _| {
            let q = PageQuery {
                limit: opt::finite(o.limit, "limit")?,
                cursor: o.cursor,
                offset: opt::finite(o.offset, "offset")?,
            };
            imports::page_request(&id_arg(&id, "the import job id")?, &q)
        })
    }

    /// Deprecated alias of `getImportJobVideos`, kept as the reference keeps it.
    #[wasm_bindgen(js_name = getImportJobUploadedVideoIds)]
    pub fn get_import_job_uploaded_video_ids(&self, id: JsValue, options: JsValue) -> Promise {
        self.get_import_job_videos(id, options)
    }

    /// The iteration step behind `importJobPages`/`importJobRows`: `{page, next}`. The page is
    /// the engine's parsed value, handed on untouched; Rust reads only its cursor fields.
    #[wasm_bindgen(js_name = _page)]
    pub fn page_step(
        &self,
        id: String,
        limit: JsValue,
        cursor: JsValue,
        signal: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        settle(Box::pin(async move {
            let signal = convert::signal(Some(&signal).filter(|s| !s.is_undefined()))?;
            let ctx = WebCtx {
                signal,
                blobs: Vec::new(),
                progress: None,
            };
            let call = inner.call(&ctx);
            let (page, next) =
                imports::next_page(&call, &id, limit.as_f64(), cursor.as_string().as_deref())
                    .await?;
            Ok(step(page, next.as_deref()))
        }))
    }

    /// `for await (const page of client.video.importJobPages(id, {limit, signal}))`.
    #[wasm_bindgen(js_name = importJobPages)]
    pub fn import_job_pages(&self, id: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let (id, limit, signal) = iteration(&id, &options).map_err(js_error)?;
        Ok(pages(self.handle(), &id, limit, signal))
    }

    /// `for await (const row of client.video.importJobRows(id, {limit, signal}))`.
    #[wasm_bindgen(js_name = importJobRows)]
    pub fn import_job_rows(&self, id: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let (id, limit, signal) = iteration(&id, &options).map_err(js_error)?;
        Ok(rows(self.handle(), &id, limit, signal))
    }

    /// Polls until every row up to `total` is there and finished: `{job, rows,
    /// uploaded_video_ids, failed_rows}`. Options: `pollIntervalMs` (default 5000), `timeoutMs`
    /// (default 3600000), `limit`, `signal`, `onProgress({total, materialized, uploaded, failed,
    /// pending})`.
    #[wasm_bindgen(js_name = waitForImportJob)]
    pub fn wait_for_import_job(&self, id: JsValue, options: JsValue) -> Promise {
        method(
            &self.inner,
            options,
            |inner, o: opt::WaitImport, ctx| async move {
                let id = id_arg(&id, "the import job id")?;
                let w = WaitOptions {
                    interval_ms: opt::finite(o.poll_interval_ms, "pollIntervalMs")?
                        .unwrap_or(5000.0),
                    timeout_ms: opt::finite(o.timeout_ms, "timeoutMs")?.unwrap_or(3_600_000.0),
                    limit: opt::whole(o.limit, "limit", 1.0, imports::MAX_LIMIT)?,
                };
                let on_progress = function(&o.on_progress, "onProgress")?;
                let report = |p: &Value| call_back(&on_progress, p);
                let r = imports::wait(&inner.call(&ctx), &id, &w, &report).await?;
                Ok(to_js(&r))
            },
        )
    }
}

impl VideoApi {
    fn handle(&self) -> JsValue {
        JsValue::from(VideoApi {
            inner: self.inner.clone(),
        })
    }
}

/// The checked arguments of an iteration: id, limit (or `undefined`), signal (or `undefined`).
fn iteration(id: &JsValue, options: &JsValue) -> Result<(String, JsValue, JsValue), Error> {
    let options = &convert::guarded(options, "options")?;
    let o: opt::Page = opt::read(options, "options")?;
    let id = id_arg(id, "the import job id")?;
    let limit = opt::whole(o.limit, "limit", 1.0, imports::MAX_LIMIT)?
        .map_or(JsValue::UNDEFINED, JsValue::from);
    // Checked here; an aborted signal rejects the first step, as every other method rejects.
    let s: opt::Signal = opt::read(options, "options")?;
    let signal = convert::signal(s.signal.present())?.map_or(JsValue::UNDEFINED, JsValue::from);
    Ok((id, limit, signal))
}

/// `client.cloudIntegrations`: saved GCS and S3 credentials.
#[wasm_bindgen]
pub struct CloudIntegrationsApi {
    inner: Rc<Inner>,
}

#[wasm_bindgen]
impl CloudIntegrationsApi {
    /// Every integration visible to the caller, or those of one `type`.
    pub fn list(&self, options: JsValue) -> Promise {
        method(
            &self.inner,
            options,
            |inner, o: opt::IntegrationList, ctx| async move {
                let r = integrations::list(&inner.call(&ctx), o.kind.as_deref()).await?;
                Ok(to_js(&r))
            },
        )
    }

    /// `{type: 'gcs'|'s3', name, bucket, prefix, region, endpointUrl, credentials}`; credentials
    /// are an object, JSON text, or a File/Blob such as a service-account `.json`.
    pub fn add(&self, options: JsValue) -> Promise {
        method(
            &self.inner,
            options,
            |inner, o: opt::IntegrationAdd, ctx| async move {
                let need = |v: Option<String>, k: &str| -> Result<String, Error> {
                    v.ok_or_else(|| invalid("cloudIntegrations.add() needs ".to_string() + k))
                };
                let credentials = match o.credentials.present() {
                    Some(v) => convert::json_value(v, "credentials").await?,
                    None => return Err(invalid("cloudIntegrations.add() needs credentials")),
                };
                let n = NewIntegration {
                    kind: need(o.kind, "type")?,
                    name: need(o.name, "name")?,
                    bucket: need(o.bucket, "bucket")?,
                    prefix: o.prefix,
                    region: o.region,
                    endpoint_url: o.endpoint_url,
                    credentials,
                };
                let r = integrations::add(&inner.call(&ctx), &n).await?;
                Ok(to_js(&r))
            },
        )
    }
}
