//! The HTTP server: accept loop, routing and the layers every request passes through.
//!
//! Order, outermost first: CORS (answers preflights) -> wire (request log, injected faults,
//! `X-Request-ID` echo) -> auth -> idempotency -> the endpoint.

use crate::error::ApiError;
use crate::routes::{
    analysis, batches, folders, imports, integrations, media, odd, prompt, search, videos,
};
use crate::state::{lock, AppRef, Caller, Fault, LogEntry};
use crate::{admin, glob};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer};

/// Most requests a request log keeps; the oldest go first.
const LOG_CAP: usize = 200_000;

pub fn router(app: AppRef) -> Router {
    let api = Router::new()
        .route("/api/keys/verify", post(videos::verify))
        .route(
            "/api/upload-video",
            post(videos::upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/api/video/{id}/status", get(videos::status))
        .route("/api/video/{id}", delete(videos::delete))
        .route("/api/video/{id}/signed-url", post(media::sign))
        .route("/api/my-videos", get(videos::my_videos))
        .route("/api/multi-view/stitch", post(videos::stitch))
        .route("/api/folders", post(folders::create))
        .route("/api/folders/create-or-get", post(folders::create_or_get))
        .route("/api/folders/get", get(folders::get))
        .route("/api/gcs/upload", post(imports::gcs_upload))
        .route("/api/s3/upload", post(imports::s3_upload))
        .route("/api/import-jobs/{id}", get(imports::job))
        .route("/api/import-jobs/{id}/videos", get(imports::job_videos))
        .route("/api/cloud-integrations", get(integrations::list))
        .route("/api/cloud-integrations/gcs", post(integrations::add_gcs))
        .route("/api/cloud-integrations/s3", post(integrations::add_s3))
        .route("/api/ask", post(analysis::ask))
        .route("/api/analyze-video-edge/{id}", post(analysis::agent))
        .route("/api/videos/{vid}/analyses/{aid}", get(analysis::document))
        .route(
            "/api/videos/{vid}/analyses/{aid}/status",
            get(analysis::status),
        )
        .route(
            "/api/videos/{vid}/analyses/{aid}/generate-thumbnails",
            post(analysis::generate_thumbnails),
        )
        .route("/api/create-batch", post(batches::create))
        .route("/api/batch/{id}/status", get(batches::status))
        .route("/api/batch/{id}/analyses/bulk", post(batches::bulk))
        .route("/api/batch/{id}/metadata", post(batches::add_metadata))
        .route("/api/ask-question", post(odd::ask_question))
        .route("/api/router/v2/query/start", post(prompt::start))
        .route("/api/router/v2/query/events/{id}", get(prompt::events))
        .route("/api/router/v2/query/stream", post(prompt::stream))
        .route("/api/router/query", post(prompt::fast))
        .route("/api/search-sessions/start", post(search::start))
        .route("/api/search", post(search::run))
        .route("/api/search-sessions/{owner}/{sid}", get(search::session))
        .route_layer(middleware::from_fn_with_state(app.clone(), idempotency))
        .route_layer(middleware::from_fn_with_state(app.clone(), auth));
    // Thumbnails are loaded by <img> tags, which cannot send the key: like the service's signed
    // URLs, they are readable by anyone who has the (unguessable) address.
    let public = Router::new()
        .route("/api/thumbnails/{aid}/{file}", get(analysis::thumbnail_png))
        .route("/api/video-files/{token}", get(media::serve));

    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::any())
        .allow_methods(AllowMethods::mirror_request())
        // `*` would not cover `Authorization`, so echo what the preflight asks for.
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([HeaderName::from_static("x-request-id"), header::RETRY_AFTER])
        .max_age(Duration::from_secs(600));

    Router::new()
        .merge(api)
        .merge(public)
        .merge(admin::router(app.clone()))
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(app.clone(), wire))
        .layer(cors)
        .with_state(app)
}

/// Unknown `/api/` and `/__emulator/` paths are JSON 404s; anything else is the static site.
async fn fallback(State(app): State<AppRef>, req: Request) -> Response {
    let path = req.uri().path();
    if path.starts_with("/api/") || path.starts_with("/__emulator/") || path == "/api" {
        return ApiError::NotFound("Not Found".into()).into_response();
    }
    match &app.cfg.static_dir {
        Some(dir) => match tower_http::services::ServeDir::new(dir).oneshot(req).await {
            Ok(r) => r.map(Body::new),
            Err(e) => ApiError::Internal(e.to_string()).into_response(),
        },
        None => ApiError::NotFound("Not Found".into()).into_response(),
    }
}

/// Reads and discards a request body, so an early answer does not break the client's send.
pub async fn drain(body: Body) {
    let mut body = body;
    while let Some(frame) = body.frame().await {
        if frame.is_err() {
            break;
        }
    }
}

fn header_text(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// Takes the first pending fault that matches, counting down its `times`.
fn take_fault(app: &AppRef, method: &Method, path: &str) -> Option<Fault> {
    let mut faults = lock(&app.faults);
    let i = faults.iter().position(|f| {
        f.times > 0
            && f.method.eq_ignore_ascii_case(method.as_str())
            && glob::matches(&f.path, path)
    })?;
    let f = faults[i].clone();
    faults[i].times -= 1;
    if faults[i].times == 0 {
        faults.remove(i);
    }
    Some(f)
}

/// Request log, injected faults, and the `X-Request-ID` echo, for every `/api/` request.
async fn wire(State(app): State<AppRef>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if !path.starts_with("/api/") {
        return next.run(req).await;
    }
    let method = req.method().clone();
    let request_id = header_text(req.headers(), "x-request-id");
    // Logged even if the attempt is abandoned before it is answered (see `Logged`).
    let mut logged = Logged {
        app: app.clone(),
        entry: Some(LogEntry {
            method: method.to_string(),
            path: path.clone(),
            status: 0,
            request_id: request_id.clone(),
            idempotency_key: header_text(req.headers(), "idempotency-key"),
            query: req.uri().query().map(str::to_owned),
            fault: Some("cancelled"),
        }),
    };

    let (mut resp, fault) = match take_fault(&app, &method, &path) {
        None => (next.run(req).await, None),
        Some(f) => {
            if let Some(ms) = f.delay_ms {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            if let Some(n) = f.cut_after_events {
                let mut req = req;
                req.extensions_mut().insert(prompt::CutStream(n));
                (next.run(req).await, Some("cut_stream"))
            } else if f.drop_connection == Some(true) {
                let kill = ConnKill::of(&req);
                drain(req.into_body()).await;
                if let Some(k) = kill {
                    k.fire();
                }
                (
                    StatusCode::SERVICE_UNAVAILABLE.into_response(),
                    Some("drop_connection"),
                )
            } else if f.drop_after == Some(true) {
                // Served and committed; then the answer is lost with the connection.
                let kill = ConnKill::of(&req);
                let served = next.run(req).await;
                if let Some(k) = kill {
                    k.fire();
                }
                drop(served);
                (
                    StatusCode::SERVICE_UNAVAILABLE.into_response(),
                    Some("drop_after"),
                )
            } else if let Some(n) = f.cut_body_after {
                let kill = ConnKill::of(&req);
                let (parts, body) = req.into_parts();
                let body = Body::new(CutBody {
                    inner: body,
                    left: n,
                    kill,
                });
                (
                    next.run(Request::from_parts(parts, body)).await,
                    Some("cut_body"),
                )
            } else if let Some(ms) = f.slow_answer_ms {
                let mut req = req;
                req.extensions_mut()
                    .insert(SlowAnswer(Duration::from_millis(ms)));
                (next.run(req).await, Some("slow_answer"))
            } else if let Some(status) = f.status {
                drain(req.into_body()).await;
                let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                let mut r = (
                    code,
                    Json(serde_json::json!({"detail": format!("Injected fault: HTTP {status}")})),
                )
                    .into_response();
                if let Some(s) = f.retry_after_s {
                    r.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(s));
                }
                if let Some(v) = f
                    .location
                    .as_deref()
                    .and_then(|l| HeaderValue::from_str(l).ok())
                {
                    r.headers_mut().insert(header::LOCATION, v);
                }
                (r, Some("status"))
            } else {
                (next.run(req).await, Some("delay"))
            }
        }
    };
    if let Some(v) = request_id
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        resp.headers_mut().insert("x-request-id", v);
    }
    if let Some(e) = logged.entry.as_mut() {
        // No answer reached the client when its connection died.
        e.status = if matches!(fault, Some("drop_connection" | "drop_after" | "cut_body")) {
            0
        } else {
            resp.status().as_u16()
        };
        e.fault = fault;
    }
    drop(logged);
    resp
}

/// A request-log entry, written when dropped: after the answer, or when the client went away and
/// hyper dropped the attempt (then with status 0 and fault `cancelled`), so every attempt shows.
struct Logged {
    app: AppRef,
    entry: Option<LogEntry>,
}

impl Drop for Logged {
    fn drop(&mut self) {
        let Some(entry) = self.entry.take() else {
            return;
        };
        let mut log = lock(&self.app.log);
        if log.len() >= LOG_CAP {
            log.drain(..LOG_CAP / 10);
        }
        log.push(entry);
    }
}

/// `X-API-Key: KEY` or `Authorization: Bearer KEY`; every form that is sent must be valid.
async fn auth(State(app): State<AppRef>, mut req: Request, next: Next) -> Response {
    let h = req.headers();
    let x_key = header_text(h, "x-api-key");
    let bearer = header_text(h, "authorization")
        .map(|v| v.strip_prefix("Bearer ").unwrap_or("").trim().to_owned());
    let given: Vec<&String> = x_key.iter().chain(bearer.iter()).collect();
    let valid = !given.is_empty()
        && given
            .iter()
            .all(|k| app.cfg.api_keys.iter().any(|a| a == *k));
    if !valid {
        drain(req.into_body()).await;
        return ApiError::Unauthorized.into_response();
    }
    let key = given[0];
    req.extensions_mut().insert(Caller {
        user_id: crate::util::user_id_for_key(key),
    });
    next.run(req).await
}

/// How long a retry waits for an attempt that holds its key before it is told to come back.
const IN_FLIGHT_WAIT: Duration = Duration::from_secs(2);

/// A claimed `Idempotency-Key`. Dropping it releases the key, however the attempt ends: answered,
/// failed, or abandoned by a client that went away (hyper then drops the attempt's future).
struct Claim {
    app: AppRef,
    slot: (String, String),
}

impl Drop for Claim {
    fn drop(&mut self) {
        lock(&self.app.in_flight).remove(&self.slot);
    }
}

/// A mutation repeated with the same `Idempotency-Key` gets the first answer again and changes
/// nothing. Answers are kept in the database, so this holds across restarts. A retry that
/// arrives while the first attempt is still running waits for it up to `IN_FLIGHT_WAIT`, then
/// gets a 409 with `Retry-After`. Only final answers are kept: never one to a request whose body
/// did not arrive whole (its key is then free again). An attempt whose client went away still
/// finishes and keeps its answer, for the retry.
async fn idempotency(State(app): State<AppRef>, req: Request, next: Next) -> Response {
    let slow = req.extensions().get::<SlowAnswer>().map(|s| s.0);
    let served = move |resp: Response| async move {
        if let Some(d) = slow {
            tokio::time::sleep(d).await;
        }
        resp
    };
    let mutating = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let key = header_text(req.headers(), "idempotency-key").filter(|k| !k.is_empty());
    let (Some(key), true) = (key, mutating) else {
        return served(next.run(req).await).await;
    };
    let Some(caller) = req.extensions().get::<Caller>().cloned() else {
        return served(next.run(req).await).await;
    };
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let slot = (caller.user_id.clone(), key.clone());

    // Claim the key, or wait a little for the attempt that holds it.
    let waited = std::time::Instant::now();
    let claim = loop {
        if let Some(stored) = crate::idempotency::lookup(&app, &slot) {
            drain(req.into_body()).await;
            return stored.replay(&method, &path);
        }
        if lock(&app.in_flight).insert(slot.clone()) {
            break Claim {
                app: app.clone(),
                slot: slot.clone(),
            };
        }
        if waited.elapsed() >= IN_FLIGHT_WAIT {
            drain(req.into_body()).await;
            return crate::idempotency::in_progress();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // An answer to a body that was cut on the way is not final: the complete retry must run.
    let cut = Arc::new(AtomicBool::new(false));
    let req = {
        let (parts, body) = req.into_parts();
        let flag = cut.clone();
        let body = body.map_err(move |e| {
            flag.store(true, Ordering::SeqCst);
            e
        });
        Request::from_parts(parts, Body::new(body))
    };
    // The attempt runs to its end in a task of its own, its answer stored, even if its client
    // goes away meanwhile (hyper then drops this future, not the task): otherwise work committed
    // after the client's timeout would leave no answer, its key would be free, and the retry
    // would do the work twice. A retry meanwhile waits for this answer (see above).
    let work = tokio::spawn(async move {
        // A slow first attempt: served, then its answer waits, the key held and not yet stored.
        let resp = served(next.run(req).await).await;
        // An event stream is live, not an answer to replay (and storing would buffer it whole).
        let streaming = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        let resp = if cut.load(Ordering::SeqCst) || streaming {
            resp
        } else {
            crate::idempotency::store(&app, &slot, &method, &path, resp).await
        };
        drop(claim);
        resp
    });
    work.await
        .unwrap_or_else(|_| ApiError::Internal("the request failed".into()).into_response())
}

/// Set by the `slow_answer_ms` fault: the answer waits this long, its idempotency key held.
#[derive(Clone, Copy)]
struct SlowAnswer(Duration);

/// A request body that fails after `left` bytes and kills its connection, as when the network
/// cuts a body mid-way (the `cut_body_after` fault).
struct CutBody {
    inner: Body,
    left: u64,
    kill: Option<ConnKill>,
}

impl http_body::Body for CutBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if self.left == 0 {
            if let Some(k) = &self.kill {
                k.fire();
            }
            let cut = io::Error::from(io::ErrorKind::ConnectionAborted);
            return Poll::Ready(Some(Err(axum::Error::new(cut))));
        }
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let frame = match frame.into_data() {
                    Ok(mut data) => {
                        let n = (data.len() as u64).min(self.left);
                        self.left -= n;
                        http_body::Frame::data(data.split_to(n as usize))
                    }
                    Err(other) => other,
                };
                Poll::Ready(Some(Ok(frame)))
            }
            other => other,
        }
    }
}

/// Set by a `drop_connection` fault: the connection then dies without writing an answer.
#[derive(Clone)]
pub struct ConnKill(Arc<AtomicBool>);

impl ConnKill {
    /// The switch of the connection `req` came on.
    fn of(req: &Request) -> Option<ConnKill> {
        req.extensions().get::<ConnKill>().cloned()
    }
    /// The connection dies: no answer is written, nothing more is read.
    fn fire(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

struct KillableIo {
    inner: tokio::net::TcpStream,
    kill: Arc<AtomicBool>,
}

impl AsyncRead for KillableIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.kill.load(Ordering::SeqCst) {
            return Poll::Ready(Err(io::ErrorKind::ConnectionAborted.into()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.kill.load(Ordering::SeqCst) {
            return Poll::Ready(Err(io::ErrorKind::ConnectionAborted.into()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Serves HTTP/1.1 on `listener` until the process ends.
pub async fn serve(app: AppRef, listener: TcpListener) {
    let router = router(app);
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(_) => {
                // Out of descriptors and the like: back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let kill = Arc::new(AtomicBool::new(false));
        let io = TokioIo::new(KillableIo {
            inner: stream,
            kill: kill.clone(),
        });
        let router = router.clone();
        let svc =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnKill(kill.clone()));
                router.clone().oneshot(req.map(Body::new))
            });
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, svc)
                .await;
        });
    }
}
