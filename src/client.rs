//! `NomadicClient`, the object JS holds. Conversion only: options are read and checked here,
//! handed to `api`, and results (JSON text) become JS values with the engine's `JSON.parse`.

use crate::api::poll::Schedule;
use crate::api::upload::{self, Input, Video};
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

#[wasm_bindgen(module = "/src/js/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = keyExposure)]
    fn key_exposure(base_url: &str) -> String;
    #[wasm_bindgen(js_name = canResolve)]
    fn can_resolve(base_url: &str) -> bool;
}

const DEFAULT_BASE_URL: &str = "https://api-prod.nomadicml.com";

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
fn promise(body: impl Future<Output = Result<String, Error>> + 'static) -> Promise {
    future_to_promise(async move {
        let text = body.await.map_err(to_js)?;
        JSON::parse(&text).map_err(|_| to_js(Error::Network("the result is not valid JSON".into())))
    })
}

struct Inner {
    http: Http<WebBackend>,
    names: Names,
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
            inner: Rc::new(Inner { http, names }),
        })
    }

    /// Uploads a `File`, a `Blob` (with `options.name`), an http(s) URL, `[video, metadata]`,
    /// `{video, name, metadata}`, or an array of these.
    pub fn upload(&self, input: JsValue, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let o = Opts::new(options, "options")?;
            let mut ctx = inner.ctx(&o)?;
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
                ctx.progress = Some(Rc::new(Progress::new(cb, progress_table(&parsed, &opts))));
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
        let inner = self.inner.clone();
        promise(async move {
            let o = Opts::new(options, "options")?;
            let ctx = inner.ctx(&o)?;
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
        let inner = self.inner.clone();
        promise(async move {
            let o = Opts::new(options, "options")?;
            let ctx = inner.ctx(&o)?;
            let id = video_id
                .as_string()
                .ok_or_else(|| Error::Validation("deleteVideo() needs a video id string".into()))?;
            videos::delete(&inner.call(&ctx), &id).await
        })
    }

    #[wasm_bindgen(js_name = createFolder)]
    pub fn create_folder(&self, name: JsValue, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let o = Opts::new(options, "options")?;
            let ctx = inner.ctx(&o)?;
            let name = name.as_string().ok_or_else(|| {
                Error::Validation("createFolder() needs a folder name string".into())
            })?;
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
        let inner = self.inner.clone();
        promise(async move {
            let o = Opts::new(options, "options")?;
            let ctx = inner.ctx(&o)?;
            let name = name.as_string().ok_or_else(|| {
                Error::Validation("getFolder() needs a folder name string".into())
            })?;
            folders::get(&inner.call(&ctx), &name, o.string("scope")?.as_deref()).await
        })
    }

    /// Checks the API key: `{valid, user_id, ...}`, or an `AuthenticationError`.
    #[wasm_bindgen(js_name = verifyAuth)]
    pub fn verify_auth(&self, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let o = Opts::new(options, "options")?;
            let ctx = inner.ctx(&o)?;
            videos::verify(&inner.call(&ctx)).await
        })
    }
}

/// `(name, bytes)` per upload item, in item order, for progress reports.
fn progress_table(input: &Input, o: &upload::Options) -> Vec<(String, f64)> {
    let items = match input {
        Input::One(i) => std::slice::from_ref(i),
        Input::Many(v) => v.as_slice(),
    };
    items
        .iter()
        .map(|it| {
            let name = it.name.clone().or_else(|| o.name.clone());
            match &it.video {
                Video::Blob {
                    file_name, size, ..
                } => (
                    name.or_else(|| file_name.clone()).unwrap_or_default(),
                    *size,
                ),
                Video::Url(u) => (name.unwrap_or_else(|| u.clone()), 0.0),
            }
        })
        .collect()
}
