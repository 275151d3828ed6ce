//! `NomadicClient`, the object JS holds. Conversion only: options are read and checked here,
//! handed to `api`, and results (JSON text) become JS values with the engine's `JSON.parse`.

use crate::api::analysis::{self, Target};
use crate::api::imports::{self, PageQuery, WaitOptions};
use crate::api::integrations::{self, NewIntegration};
use crate::api::poll::Schedule;
use crate::api::upload;
use crate::api::{batches, odd, search, visuals};
use crate::api::{folders, videos, Call, Names};
use crate::convert::{self, Collected, Opts};
use crate::error::Error;
use crate::transport::web::{Progress, WebBackend, WebCtx};
use crate::transport::{Http, Settings};
use js_sys::{Promise, JSON};
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

#[wasm_bindgen(module = "/src/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(
        kind: &str,
        message: &str,
        status: f64,
        body: &str,
        request_id: Option<String>,
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
}

#[wasm_bindgen(module = "/src/js/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = keyExposure)]
    fn key_exposure(base_url: &str) -> String;
    #[wasm_bindgen(js_name = canResolve)]
    fn can_resolve(base_url: &str) -> bool;
}

const DEFAULT_BASE_URL: &str = "https://api-prod.nomadicml.com";

/// `DEFAULT_STRUCTURED_ODD_COLUMNS`, for Rust callers (the tests).
pub fn default_odd_columns() -> JsValue {
    default_columns()
}

/// The one place a Rust error becomes a JS error object.
fn to_js(e: Error) -> JsValue {
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
        f.and_then(|f| f.request_id.clone()),
        f.and_then(|f| f.retry_after),
    )
}

/// Runs a method body and turns its JSON text into a JS value (or its error into a JS error).
///
/// The body is boxed so that one promise adaptor serves every method: a generic one is compiled
/// once per method (7 KB of gzipped wasm when measured).
fn promise(body: impl Future<Output = Result<String, Error>> + 'static) -> Promise {
    settle(Box::pin(body))
}

fn settle(body: std::pin::Pin<Box<dyn Future<Output = Result<String, Error>>>>) -> Promise {
    future_to_promise(async move {
        let text = body.await.map_err(to_js)?;
        JSON::parse(&text).map_err(|_| to_js(Error::Network("the result is not valid JSON".into())))
    })
}

/// The shape of every method: read the options, make the call's context, run the body.
fn method<F, Fut>(inner: &Rc<Inner>, options: JsValue, body: F) -> Promise
where
    F: FnOnce(Rc<Inner>, Opts, WebCtx) -> Fut + 'static,
    Fut: Future<Output = Result<String, Error>> + 'static,
{
    let prepared = Opts::new(options, "options").and_then(|o| {
        let ctx = inner.ctx(&o)?;
        Ok((o, ctx))
    });
    match prepared {
        Ok((o, ctx)) => promise(body(inner.clone(), o, ctx)),
        Err(e) => promise(std::future::ready(Err(e))),
    }
}

struct Inner {
    http: Http<WebBackend>,
    names: Names,
    /// The key's user id, asked once (structured ODD exports need it).
    user_id: std::cell::RefCell<Option<String>>,
}

impl Inner {
    fn ctx(&self, o: &Opts) -> Result<WebCtx, Error> {
        let signal = o.signal()?;
        if crate::transport::web::is_aborted(&signal) {
            return Err(Error::Abort("The operation was aborted".into()));
        }
        Ok(WebCtx {
            signal,
            blobs: Vec::new(),
            progress: None,
        })
    }
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

fn settings(o: &Opts) -> Result<(Settings, Names, JsValue), Error> {
    let api_key = match o.string("apiKey")? {
        Some(k) if k.trim().is_empty() => {
            return Err(Error::Validation("apiKey must not be empty".into()))
        }
        k => k,
    };
    let base = o
        .string("baseUrl")?
        .unwrap_or_else(|| DEFAULT_BASE_URL.into());
    let base_url = base.trim().trim_end_matches('/').to_string();
    let absolute = crate::api::validate::is_http_url(&base_url);
    if !(absolute
        || (base_url.starts_with('/') && can_resolve(&base_url))
        || (base_url.is_empty() && can_resolve("/")))
    {
        return Err(Error::Validation(
            "baseUrl must be an http(s) URL, or a path such as '/api-proxy' on a web page"
                .to_string(),
        ));
    }
    if api_key.is_some() && o.boolean("dangerouslyAllowBrowser")? != Some(true) {
        let exposed = key_exposure(&base_url);
        if !exposed.is_empty() {
            return Err(Error::Validation(
                "sending the API key from this page to ".to_string()
                    + &exposed
                    + " would show it to every visitor: call the API through a same-origin proxy \
                       (baseUrl: '/api-proxy', no apiKey), or pass dangerouslyAllowBrowser: true",
            ));
        }
    }
    let timeout_ms = match o.number("timeoutMs")? {
        Some(t) if t > 0.0 => t,
        Some(_) => {
            return Err(Error::Validation(
                "timeoutMs must be a positive number".into(),
            ))
        }
        None => 900_000.0,
    };
    let max_retries = o.whole("maxRetries", 0.0, 10.0)?.unwrap_or(3.0) as u32;
    let fetch = o
        .function("fetch")?
        .map_or(JsValue::UNDEFINED, JsValue::from);
    let names = Names {
        collection: o
            .string("collectionName")?
            .unwrap_or_else(|| "videos".into()),
        folder_collection: o
            .string("folderCollectionName")?
            .unwrap_or_else(|| "videoFolders".into()),
    };
    let settings = Settings {
        base_url,
        api_key,
        timeout_ms,
        max_retries,
        headers: o.string_map("headers")?,
        max_retry_after_ms: 60_000.0,
    };
    Ok((settings, names, fetch))
}

#[wasm_bindgen]
impl NomadicClient {
    /// `new NomadicClient({apiKey, baseUrl, timeoutMs, maxRetries, headers, fetch,
    /// collectionName, folderCollectionName, dangerouslyAllowBrowser})`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<NomadicClient, JsValue> {
        let o = Opts::new(options, "options").map_err(to_js)?;
        let (settings, names, fetch) = settings(&o).map_err(to_js)?;
        let http = Http {
            backend: WebBackend { fetch },
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
        method(&self.inner, options, |inner, o, mut ctx| async move {
            let mut collected = Collected::default();
            let parsed = convert::upload_input(&input, &mut collected).await?;
            let metadata = match o.present_raw("metadataFile") {
                Some(m) => Some(convert::sidecar(&m, &mut collected).await?),
                None => None,
            };
            let first_ms = o.number("pollIntervalMs")?.unwrap_or(2000.0);
            if first_ms <= 0.0 {
                return Err(Error::Validation(
                    "options.pollIntervalMs must be positive".into(),
                ));
            }
            let opts = upload::Options {
                name: o.string("name")?,
                folder: o.string("folder")?,
                scope: o.string("scope")?,
                metadata,
                integration_id: o.string("integrationId")?,
                wait: o.boolean("waitForUploaded")?.unwrap_or(true),
                upload_timeout_ms: o.number("uploadTimeoutMs")?.unwrap_or(1_200_000.0),
                concurrency: o.whole("concurrency", 1.0, 16.0)?.unwrap_or(4.0) as usize,
                poll: Schedule {
                    first_ms,
                    factor: 2.0,
                    cap_ms: 30_000.0,
                },
            };
            if let Some(cb) = o.function("onProgress")? {
                ctx.progress = Some(Rc::new(Progress::new(
                    cb,
                    upload::progress_entries(&parsed, &opts),
                )));
            }
            ctx.blobs = collected.blobs;
            Ok(upload::upload(&inner.call(&ctx), parsed, &opts)
                .await?
                .to_json())
        })
    }

    /// The caller's videos (and the organisation's), optionally of one folder.
    #[wasm_bindgen(js_name = myVideos)]
    pub fn my_videos(&self, options: JsValue) -> Promise {
        method(&self.inner, options, |inner, o, ctx| async move {
            videos::my_videos(
                &inner.call(&ctx),
                o.string("folder")?.as_deref(),
                o.string("scope")?.as_deref(),
            )
            .await
        })
    }

    #[wasm_bindgen(js_name = deleteVideo)]
    pub fn delete_video(&self, video_id: JsValue, options: JsValue) -> Promise {
        method(&self.inner, options, |inner, _, ctx| async move {
            videos::delete(&inner.call(&ctx), &id_arg(&video_id, "the video id")?).await
        })
    }

    #[wasm_bindgen(js_name = createFolder)]
    pub fn create_folder(&self, name: JsValue, options: JsValue) -> Promise {
        method(&self.inner, options, |inner, o, ctx| async move {
            let name = id_arg(&name, "the folder name")?;
            folders::create(
                &inner.call(&ctx),
                &name,
                o.string("scope")?.as_deref(),
                o.string("description")?.as_deref(),
            )
            .await
        })
    }

    #[wasm_bindgen(js_name = getFolder)]
    pub fn get_folder(&self, name: JsValue, options: JsValue) -> Promise {
        method(&self.inner, options, |inner, o, ctx| async move {
            let name = id_arg(&name, "the folder name")?;
            folders::get(&inner.call(&ctx), &name, o.string("scope")?.as_deref()).await
        })
    }

    /// Runs ASK or an agent on a video id, a list of ids, or `{folder, scope}`. Single videos
    /// resolve `{video_id, analysis_id, mode, status, summary?, events}`; lists and folders
    /// `{batch_metadata, results}`. `onProgress` gets each polled status document.
    pub fn analyze(&self, target: JsValue, options: JsValue) -> Promise {
        method(&self.inner, options, |inner, o, ctx| async move {
            let target = analysis_target(&target, &o)?;
            let concept_ids = match o.present_raw("conceptIds") {
                None => Vec::new(),
                Some(v) if js_sys::Array::is_array(&v) => js_sys::Array::from(&v)
                    .iter()
                    .map(|c| {
                        c.as_string().ok_or_else(|| {
                            Error::Validation("options.conceptIds must be a list of strings".into())
                        })
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => {
                    return Err(Error::Validation(
                        "options.conceptIds must be a list of strings".into(),
                    ))
                }
            };
            let d = analysis::Options::default();
            let opts = analysis::Options {
                kind: o.string("analysisType")?,
                custom_event: o.string("customEvent")?,
                category: o.string("customCategory")?,
                model_id: o.string("modelId")?,
                timeout_ms: o.number("timeoutMs")?.unwrap_or(d.timeout_ms),
                wait: o.boolean("waitForCompletion")?.unwrap_or(true),
                is_thumbnail: o.boolean("isThumbnail")?.unwrap_or(false),
                return_subset: o.boolean("returnSubset")?.unwrap_or(false),
                enhanced_motion: o.boolean("useEnhancedMotionAnalysis")?.unwrap_or(false),
                confidence: o.string("confidence")?,
                overlay: o.string("overlayMode")?,
                concept_ids,
                poll_ms: o.number("pollIntervalMs")?.unwrap_or(d.poll_ms),
            };
            let on_progress = o.function("onProgress")?;
            let report = |p: &crate::json::Value| call_back(&on_progress, p);
            Ok(analysis::analyze(&inner.call(&ctx), target, &opts, &report)
                .await?
                .to_json())
        })
    }

    /// A batch's results: `{batch_metadata, results}`, filtered by approval (`filter`: one of
    /// or a list of `approved`, `rejected`, `pending`, `invalid`), or CSV text (`asCsv`).
    #[wasm_bindgen(js_name = getBatchAnalysis)]
    pub fn get_batch_analysis(&self, batch_id: JsValue, options: JsValue) -> Promise {
        method(&self.inner, options, |inner, o, ctx| async move {
            let id = id_arg(&batch_id, "the batch id")?;
            let filter: Option<Vec<String>> = match o.present_raw("filter") {
                None => None,
                Some(v) if v.is_string() => Some(vec![v.as_string().unwrap_or_default()]),
                Some(v) if js_sys::Array::is_array(&v) => Some(
                    js_sys::Array::from(&v)
                        .iter()
                        .map(|f| {
                            f.as_string().ok_or_else(|| {
                                Error::Validation("options.filter holds strings only".into())
                            })
                        })
                        .collect::<Result<_, _>>()?,
                ),
                Some(_) => {
                    return Err(Error::Validation(
                        "options.filter must be a string or a list of strings".into(),
                    ))
                }
            };
            let as_csv = o.boolean("asCsv")?.unwrap_or(false);
            Ok(
                batches::results(&inner.call(&ctx), &id, filter.as_deref(), as_csv)
                    .await?
                    .to_json(),
            )
        })
    }

    /// Merges flat string/integer metadata into a batch's; resolves `{success, batch_id, metadata}`.
    #[wasm_bindgen(js_name = addBatchMetadata)]
    pub fn add_batch_metadata(
        &self,
        batch_id: JsValue,
        metadata: JsValue,
        options: JsValue,
    ) -> Promise {
        method(&self.inner, options, |inner, _, ctx| async move {
            let id = id_arg(&batch_id, "the batch id")?;
            if !crate::convert::is_plain(&metadata) {
                return Err(Error::Validation(
                    "metadata must be a plain object of string or integer values".into(),
                ));
            }
            let text = JSON::stringify(&metadata)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            batches::add_metadata(&inner.call(&ctx), &id, &text).await
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
        method(&self.inner, options, |inner, _, ctx| async move {
            let urls = visuals::urls(
                &inner.call(&ctx),
                &id_arg(&video_id, "the video id")?,
                &id_arg(&analysis_id, "the analysis id")?,
            )
            .await?;
            Ok(crate::json::Value::Arr(urls.into_iter().map(Into::into).collect()).to_json())
        })
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
        method(&self.inner, options, |inner, _, ctx| async move {
            let idx = event_idx
                .as_f64()
                .ok_or_else(|| Error::Validation("eventIdx must be a number".into()))?;
            let v = id_arg(&video_id, "the video id")?;
            let url = visuals::one(
                &inner.call(&ctx),
                &v,
                &id_arg(&analysis_id, "the analysis id")?,
                idx,
            )
            .await?;
            Ok(crate::json::Value::from(url).to_json())
        })
    }

    /// The operating-domain CSV of a video: `{videoId, columns?, timeoutMs?}`; `columns` defaults
    /// to `DEFAULT_STRUCTURED_ODD_COLUMNS`.
    #[wasm_bindgen(js_name = generateStructuredOdd)]
    pub fn generate_structured_odd(&self, options: JsValue) -> Promise {
        method(&self.inner, options, |inner, o, ctx| async move {
            let video = o.string("videoId")?.unwrap_or_default();
            let columns = o.present_raw("columns").unwrap_or_else(default_columns);
            let columns = JSON::stringify(&columns)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            let env = odd::trace_env(&inner.http.settings.base_url);
            let r = odd::generate(
                &inner.call(&ctx),
                &video,
                &columns,
                o.number("timeoutMs")?,
                env,
                &inner.user_id,
            )
            .await?;
            Ok(r.to_json())
        })
    }

    /// Searches the analysed events of a folder: `{summary, thoughts, matches, session_id}`.
    pub fn search(&self, query: JsValue, options: JsValue) -> Promise {
        method(&self.inner, options, |inner, o, ctx| async move {
            let query = query
                .as_string()
                .ok_or_else(|| Error::Validation("search() needs a query string".into()))?;
            let folder = o.string("folderName")?.unwrap_or_default();
            let timeout = o
                .number("timeoutMs")?
                .unwrap_or(inner.http.settings.timeout_ms);
            let r = search::search(
                &inner.call(&ctx),
                &query,
                &folder,
                o.string("scope")?.as_deref(),
                timeout,
            )
            .await?;
            Ok(r.to_json())
        })
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
        method(&self.inner, options, |inner, _, ctx| async move {
            videos::verify(&inner.call(&ctx)).await
        })
    }
}

/// Calls a caller's progress callback with a JSON value; a throwing callback is ignored.
fn call_back(f: &Option<js_sys::Function>, v: &crate::json::Value) {
    if let (Some(f), Ok(v)) = (f, JSON::parse(&v.to_json())) {
        let _ = f.call1(&JsValue::UNDEFINED, &v);
    }
}

/// `analyze()`'s target: an id, a list of ids, or `{folder, scope}` (also as `options.folder`).
fn analysis_target(target: &JsValue, o: &Opts) -> Result<Target, Error> {
    let folder_opt = o.string("folder")?;
    let scope_opt = o.string("scope")?;
    let bad = |m: &str| Error::Validation(m.to_string());
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
        let ids = js_sys::Array::from(target)
            .iter()
            .map(|v| {
                v.as_string()
                    .ok_or_else(|| bad("every video id must be a string"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Target::Many(ids));
    }
    if crate::convert::is_plain(target) {
        let t = Opts::new(target.clone(), "target")?;
        if crate::convert::keys(target)
            .iter()
            .any(|k| k != "folder" && k != "scope")
        {
            return Err(bad(
                "a target object takes {folder, scope} only: pass ids as a string or a list",
            ));
        }
        if folder_opt.is_some() {
            return Err(bad("give the folder once, in the target or in options"));
        }
        let name = t
            .string("folder")?
            .ok_or_else(|| bad("a target object needs a folder name"))?;
        return Ok(Target::Folder {
            name,
            scope: t.string("scope")?.or(scope_opt),
        });
    }
    Err(bad(
        "analyze() needs a video id, a list of ids, or {folder, scope}",
    ))
}

fn id_arg(id: &JsValue, what: &str) -> Result<String, Error> {
    id.as_string()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| Error::Validation(what.to_string() + " must be a non-empty string"))
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
        method(&self.inner, options, |inner, _, ctx| async move {
            imports::job(&inner.call(&ctx), &id_arg(&id, "the import job id")?).await
        })
    }

    /// One page of an import job's rows: `{limit, cursor, offset}` (cursor or offset, not both).
    #[wasm_bindgen(js_name = getImportJobVideos)]
    pub fn get_import_job_videos(&self, id: JsValue, options: JsValue) -> Promise {
        method(&self.inner, options, |inner, o, ctx| async move {
            let q = PageQuery {
                limit: o.number("limit")?,
                cursor: o.string("cursor")?,
                offset: o.number("offset")?,
            };
            imports::page(&inner.call(&ctx), &id_arg(&id, "the import job id")?, &q).await
        })
    }

    /// Deprecated alias of `getImportJobVideos`, kept as the reference keeps it.
    #[wasm_bindgen(js_name = getImportJobUploadedVideoIds)]
    pub fn get_import_job_uploaded_video_ids(&self, id: JsValue, options: JsValue) -> Promise {
        self.get_import_job_videos(id, options)
    }

    /// The iteration step behind `importJobPages`/`importJobRows`: `{page, next}`. The page goes
    /// to the engine's `JSON.parse` as it came; Rust reads only its cursor fields.
    #[wasm_bindgen(js_name = _page)]
    pub fn page_step(
        &self,
        id: String,
        limit: JsValue,
        cursor: JsValue,
        signal: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let ctx = WebCtx {
                signal,
                blobs: Vec::new(),
                progress: None,
            };
            let call = inner.call(&ctx);
            let (text, next) =
                imports::next_page(&call, &id, limit.as_f64(), cursor.as_string().as_deref())
                    .await
                    .map_err(to_js)?;
            let page = JSON::parse(&text)
                .map_err(|_| to_js(Error::Network("the page is not valid JSON".into())))?;
            let step = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&step, &JsValue::from_str("page"), &page);
            let _ = js_sys::Reflect::set(
                &step,
                &JsValue::from_str("next"),
                &next.map_or(JsValue::NULL, |n| JsValue::from_str(&n)),
            );
            Ok(step.into())
        })
    }

    /// `for await (const page of client.video.importJobPages(id, {limit, signal}))`.
    #[wasm_bindgen(js_name = importJobPages)]
    pub fn import_job_pages(&self, id: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let (id, limit, signal) = self.iteration(id, options).map_err(to_js)?;
        Ok(pages(
            JsValue::from(VideoApi {
                inner: self.inner.clone(),
            }),
            &id,
            limit,
            signal,
        ))
    }

    /// `for await (const row of client.video.importJobRows(id, {limit, signal}))`.
    #[wasm_bindgen(js_name = importJobRows)]
    pub fn import_job_rows(&self, id: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let (id, limit, signal) = self.iteration(id, options).map_err(to_js)?;
        Ok(rows(
            JsValue::from(VideoApi {
                inner: self.inner.clone(),
            }),
            &id,
            limit,
            signal,
        ))
    }

    /// Polls until every row up to `total` is there and finished: `{job, rows,
    /// uploaded_video_ids, failed_rows}`. Options: `pollIntervalMs` (default 5000), `timeoutMs`
    /// (default 3600000), `limit`, `signal`, `onProgress({total, materialized, uploaded, failed,
    /// pending})`.
    #[wasm_bindgen(js_name = waitForImportJob)]
    pub fn wait_for_import_job(&self, id: JsValue, options: JsValue) -> Promise {
        method(&self.inner, options, |inner, o, ctx| async move {
            let id = id_arg(&id, "the import job id")?;
            let w = WaitOptions {
                interval_ms: o.number("pollIntervalMs")?.unwrap_or(5000.0),
                timeout_ms: o.number("timeoutMs")?.unwrap_or(3_600_000.0),
                limit: o.whole("limit", 1.0, imports::MAX_LIMIT)?,
            };
            let on_progress = o.function("onProgress")?;
            let report = |p: &crate::json::Value| call_back(&on_progress, p);
            Ok(imports::wait(&inner.call(&ctx), &id, &w, &report)
                .await?
                .to_json())
        })
    }
}

impl VideoApi {
    fn iteration(
        &self,
        id: JsValue,
        options: JsValue,
    ) -> Result<(String, JsValue, JsValue), Error> {
        let o = Opts::new(options, "options")?;
        let id = id_arg(&id, "the import job id")?;
        let limit = o
            .whole("limit", 1.0, imports::MAX_LIMIT)?
            .map_or(JsValue::UNDEFINED, JsValue::from);
        Ok((id, limit, o.signal()?))
    }
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
        method(&self.inner, options, |inner, o, ctx| async move {
            integrations::list(&inner.call(&ctx), o.string("type")?.as_deref()).await
        })
    }

    /// `{type: 'gcs'|'s3', name, bucket, prefix, region, endpointUrl, credentials}`; credentials
    /// are an object, JSON text, or a File/Blob such as a service-account `.json`.
    pub fn add(&self, options: JsValue) -> Promise {
        method(&self.inner, options, |inner, o, ctx| async move {
            let need = |k: &str| -> Result<String, Error> {
                o.string(k)?.ok_or_else(|| {
                    Error::Validation("cloudIntegrations.add() needs ".to_string() + k)
                })
            };
            let credentials = match o.present_raw("credentials") {
                Some(v) => convert::json_text(&v, "credentials").await?,
                None => {
                    return Err(Error::Validation(
                        "cloudIntegrations.add() needs credentials".into(),
                    ))
                }
            };
            let n = NewIntegration {
                kind: need("type")?,
                name: need("name")?,
                bucket: need("bucket")?,
                prefix: o.string("prefix")?,
                region: o.string("region")?,
                endpoint_url: o.string("endpointUrl")?,
                credentials,
            };
            integrations::add(&inner.call(&ctx), &n).await
        })
    }
}
