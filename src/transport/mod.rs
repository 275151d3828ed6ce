//! Sending a request description: headers, retries with backoff, `Retry-After`, one request id
//! per logical call. The policy is pure Rust over a [`Backend`] (one attempt, a timer, a clock),
//! so it is tested on the host; `web.rs` is the only backend that touches fetch, XHR and timers.

pub mod retry;
#[cfg(target_arch = "wasm32")]
pub mod web;

use crate::api::{Method, Request, Response};
use crate::error::{self, Error};
use serde::de::DeserializeOwned;

/// An answer's body as the runtime parsed it: the engine's own value in wasm (`JsValue`, handed
/// to the caller untouched when Rust does not reshape it), `crate::value::Value` on the host. Rust
/// reads only the fields its logic needs, into small `Deserialize` types.
pub trait Doc: Clone {
    /// Reads `T` from the document; a wrong shape is a `Network` error naming what was wrong.
    fn read<T: DeserializeOwned>(&self) -> Result<T, Error>;
    /// An object's field, still unconverted; `None` when absent, null, or not an object.
    fn field(&self, key: &str) -> Option<Self>;
    fn is_array(&self) -> bool;
    /// A JSON object (not null, not an array, not a scalar).
    fn is_object(&self) -> bool;
}

/// What the resource modules send through. Implemented by [`Http`] (and by a fake in tests).
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// Per-call context the backend needs (abort signal, progress callback); opaque here.
    type Ctx;
    /// A parsed answer.
    type Doc: Doc;
    /// Sends `req`, retrying as the policy allows. `Ok` only for 2xx/3xx answers with a JSON
    /// body.
    async fn execute(&self, ctx: &Self::Ctx, req: &Request) -> Result<Response<Self::Doc>, Error>;
    /// Waits, unless the call is aborted first.
    async fn sleep(&self, ctx: &Self::Ctx, ms: f64) -> Result<(), Error>;
    fn now_ms(&self) -> f64;
    /// Uniform in [0, 1), for jitter.
    fn random(&self) -> f64;
    /// An answer body read as it arrives (an event stream).
    type Stream;
    /// Opens a streamed request, once: whoever reads the stream owns the reconnect policy. `Ok`
    /// only for a 2xx answer; an error status is the error it names.
    async fn open(&self, ctx: &Self::Ctx, req: &Request) -> Result<Self::Stream, Error>;
    /// The next bytes of the body, `None` at its end; a `Timeout` when none come for the
    /// client's per-request timeout.
    async fn chunk(&self, ctx: &Self::Ctx, s: &mut Self::Stream) -> Result<Option<Vec<u8>>, Error>;
    /// Bytes `start..end` of the caller's file in `slot` (to probe it before it is sent).
    async fn read_blob(
        &self,
        ctx: &Self::Ctx,
        slot: usize,
        start: u64,
        end: u64,
    ) -> Result<Vec<u8>, Error>;
}

/// What opening a streamed request gave: the body to read, or an error answer read whole.
pub enum Opened<D, S> {
    Stream(S),
    Answer(Sent<D>),
}

/// One attempt's answer, before any policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent<D> {
    pub status: u16,
    /// The body parsed as JSON; `None` when it is empty or not JSON.
    pub doc: Option<D>,
    /// The body as text, for error answers only (their message and redaction need it); success
    /// bodies are never copied out of the runtime.
    pub text: String,
    pub retry_after: Option<String>,
    pub request_id: Option<String>,
}

/// The environment: one attempt over the network, a timer, a clock, randomness.
#[allow(async_fn_in_trait)]
pub trait Backend {
    type Ctx;
    type Doc: Doc;
    /// One attempt. Fails with `Network`, `Timeout` or `Abort`.
    async fn send(
        &self,
        ctx: &Self::Ctx,
        url: &str,
        headers: &[(String, String)],
        req: &Request,
        timeout_ms: f64,
    ) -> Result<Sent<Self::Doc>, Error>;
    async fn sleep(&self, ctx: &Self::Ctx, ms: f64) -> Result<(), Error>;
    fn now_ms(&self) -> f64;
    fn random(&self) -> f64;
    /// A fresh UUIDv4 in canonical lowercase text.
    fn uuid(&self) -> String;
    type Stream;
    /// One attempt at a streamed request; `timeout_ms` bounds the wait for the answer's head.
    async fn open(
        &self,
        ctx: &Self::Ctx,
        url: &str,
        headers: &[(String, String)],
        req: &Request,
        timeout_ms: f64,
    ) -> Result<Opened<Self::Doc, Self::Stream>, Error>;
    /// The next bytes of a body, `None` at its end; `Timeout` after `idle_ms` without any.
    async fn chunk(
        &self,
        ctx: &Self::Ctx,
        s: &mut Self::Stream,
        idle_ms: f64,
    ) -> Result<Option<Vec<u8>>, Error>;
    /// Bytes `start..end` of the caller's file in `slot`.
    async fn read_blob(
        &self,
        ctx: &Self::Ctx,
        slot: usize,
        start: u64,
        end: u64,
    ) -> Result<Vec<u8>, Error>;
}

/// Client-wide settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Without a trailing `/`; may be relative (`/api-proxy`) in browsers.
    pub base_url: String,
    pub api_key: Option<String>,
    pub timeout_ms: f64,
    pub max_retries: u32,
    /// Caller's extra headers, sent first so the protocol's own cannot be overridden.
    pub headers: Vec<(String, String)>,
    pub max_retry_after_ms: f64,
}

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Host documents (tests and the scripted transports): the `Value` itself, which keeps key
/// order; structs are read from it through serde_json.
#[cfg(not(target_arch = "wasm32"))]
impl Doc for crate::value::Value {
    fn read<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_str(&crate::value::host::to_text(self))
            .map_err(|e| shape_error(&e.to_string()))
    }
    fn field(&self, key: &str) -> Option<Self> {
        self.get(key)
            .filter(|v| **v != crate::value::Value::Null)
            .cloned()
    }
    fn is_array(&self) -> bool {
        matches!(self, crate::value::Value::Arr(_))
    }
    fn is_object(&self) -> bool {
        matches!(self, crate::value::Value::Obj(_))
    }
}

/// The error for an answer whose shape is not what the protocol promises.
pub fn shape_error(what: &str) -> Error {
    Error::Network(("unexpected answer from the server: ".to_string() + what).into())
}

pub struct Http<B> {
    pub backend: B,
    pub settings: Settings,
}

/// What every attempt of one request shares.
struct Prepared {
    /// Also its `Idempotency-Key` when it is a mutation.
    request_id: String,
    headers: Vec<(String, String)>,
    url: String,
    /// Per attempt.
    timeout_ms: f64,
}

impl<B: Backend> Http<B> {
    fn prepare(&self, req: &Request) -> Prepared {
        let s = &self.settings;
        let request_id = self.backend.uuid();
        Prepared {
            headers: self.headers(&request_id, req.method),
            request_id,
            url: s.base_url.clone() + &req.target(),
            timeout_ms: req
                .timeout_ms
                .unwrap_or(s.timeout_ms * f64::from(req.timeout_factor.max(1))),
        }
    }

    /// The caller's headers first, then the protocol's, which therefore win.
    fn headers(&self, request_id: &str, method: Method) -> Vec<(String, String)> {
        let mut h = self.settings.headers.clone();
        let mut put = |k: &str, v: String| h.push((k.to_string(), v));
        if let Some(k) = &self.settings.api_key {
            put("X-API-Key", k.clone());
            put("Authorization", "Bearer ".to_string() + k);
        }
        put("X-Client-Type", "SDK".to_string());
        put("X-Client-Version", VERSION.to_string());
        put("X-Request-ID", request_id.to_string());
        if method.is_mutation() {
            put("Idempotency-Key", request_id.to_string());
        }
        h
    }
}

impl<B: Backend> Transport for Http<B> {
    type Ctx = B::Ctx;
    type Doc = B::Doc;

    async fn execute(&self, ctx: &B::Ctx, req: &Request) -> Result<Response<B::Doc>, Error> {
        let s = &self.settings;
        let Prepared {
            request_id,
            headers,
            url,
            timeout_ms: timeout,
        } = self.prepare(req);
        let key = s.api_key.as_deref();
        let mut retries = 0;
        loop {
            let outcome = self.backend.send(ctx, &url, &headers, req, timeout).await;
            let wait = match outcome {
                Ok(sent) if sent.status < 400 => {
                    return match sent.doc {
                        Some(doc) => Ok(Response {
                            status: sent.status,
                            doc,
                        }),
                        None => Err(Error::Network("the server's answer is not JSON".into())),
                    };
                }
                Ok(sent) => {
                    let retry_after = sent
                        .retry_after
                        .as_deref()
                        .and_then(|h| retry::parse_retry_after(h, self.backend.now_ms()));
                    let retryable = retry::retryable_status(sent.status, retry_after.is_some());
                    if !(retryable && retries < s.max_retries) {
                        let rid = sent.request_id.or_else(|| Some(request_id.clone()));
                        let mut e = error::from_status(
                            sent.status,
                            &sent.text,
                            sent.doc.as_ref(),
                            rid,
                            retry_after.map(|ms| ms / 1000.0),
                        );
                        if retries > 0 {
                            e = e.with_suffix(retries + 1);
                        }
                        return Err(e.redact(key));
                    }
                    retry::delay_ms(
                        retries,
                        retry_after,
                        s.max_retry_after_ms,
                        self.backend.random(),
                    )
                }
                Err(Error::Network(_) | Error::Timeout(_)) if retries < s.max_retries => {
                    retry::delay_ms(retries, None, s.max_retry_after_ms, self.backend.random())
                }
                Err(e) => return Err(e.redact(key)),
            };
            self.backend.sleep(ctx, wait).await?;
            retries += 1;
        }
    }

    async fn sleep(&self, ctx: &B::Ctx, ms: f64) -> Result<(), Error> {
        self.backend.sleep(ctx, ms).await
    }
    fn now_ms(&self) -> f64 {
        self.backend.now_ms()
    }
    fn random(&self) -> f64 {
        self.backend.random()
    }

    type Stream = B::Stream;

    async fn open(&self, ctx: &B::Ctx, req: &Request) -> Result<B::Stream, Error> {
        let key = self.settings.api_key.as_deref();
        let p = self.prepare(req);
        let request_id = p.request_id;
        match self
            .backend
            .open(ctx, &p.url, &p.headers, req, p.timeout_ms)
            .await
        {
            Ok(Opened::Stream(st)) => Ok(st),
            Ok(Opened::Answer(sent)) => {
                let rid = sent.request_id.or(Some(request_id));
                let e = error::from_status(sent.status, &sent.text, sent.doc.as_ref(), rid, None);
                Err(e.redact(key))
            }
            Err(e) => Err(e.redact(key)),
        }
    }

    async fn chunk(&self, ctx: &B::Ctx, st: &mut B::Stream) -> Result<Option<Vec<u8>>, Error> {
        let s = &self.settings;
        self.backend
            .chunk(ctx, st, s.timeout_ms)
            .await
            .map_err(|e| e.redact(s.api_key.as_deref()))
    }

    async fn read_blob(
        &self,
        ctx: &B::Ctx,
        slot: usize,
        start: u64,
        end: u64,
    ) -> Result<Vec<u8>, Error> {
        self.backend.read_blob(ctx, slot, start, end).await
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::testing::block_on;
    use crate::api::Body;
    use std::cell::RefCell;
    use std::collections::VecDeque;

    #[derive(Default)]
    struct Script {
        answers: RefCell<VecDeque<Result<Sent<crate::value::Value>, Error>>>,
        seen: RefCell<Vec<Vec<(String, String)>>>,
        slept: RefCell<Vec<f64>>,
    }

    impl Backend for Script {
        type Ctx = ();
        type Doc = crate::value::Value;
        async fn send(
            &self,
            _: &(),
            _: &str,
            h: &[(String, String)],
            _: &Request,
            _: f64,
        ) -> Result<Sent<crate::value::Value>, Error> {
            self.seen.borrow_mut().push(h.to_vec());
            self.answers
                .borrow_mut()
                .pop_front()
                .unwrap_or_else(|| Err(Error::Network("script ran out".into())))
        }
        async fn sleep(&self, _: &(), ms: f64) -> Result<(), Error> {
            self.slept.borrow_mut().push(ms);
            Ok(())
        }
        fn now_ms(&self) -> f64 {
            1_000_000.0
        }
        fn random(&self) -> f64 {
            0.0
        }
        fn uuid(&self) -> String {
            "00000000-0000-4000-8000-00000000000".to_string()
                + &self.seen.borrow().len().to_string()
        }
        type Stream = VecDeque<Vec<u8>>;
        async fn open(
            &self,
            _: &(),
            _: &str,
            h: &[(String, String)],
            _: &Request,
            _: f64,
        ) -> Result<Opened<crate::value::Value, Self::Stream>, Error> {
            self.seen.borrow_mut().push(h.to_vec());
            match self.answers.borrow_mut().pop_front() {
                Some(Ok(sent)) if sent.status < 300 => {
                    Ok(Opened::Stream(VecDeque::from([sent.text.into_bytes()])))
                }
                Some(Ok(sent)) => Ok(Opened::Answer(sent)),
                Some(Err(e)) => Err(e),
                None => Err(Error::Network("script ran out".into())),
            }
        }
        async fn chunk(
            &self,
            _: &(),
            s: &mut Self::Stream,
            _: f64,
        ) -> Result<Option<Vec<u8>>, Error> {
            Ok(s.pop_front())
        }
        async fn read_blob(&self, _: &(), _: usize, _: u64, _: u64) -> Result<Vec<u8>, Error> {
            Err(Error::Network("no files here".into()))
        }
    }

    fn sent(status: u16, retry_after: Option<&str>) -> Result<Sent<crate::value::Value>, Error> {
        Ok(Sent {
            status,
            doc: crate::value::host::parse(r#"{"detail": "x"}"#).ok(),
            text: "{\"detail\": \"x\"}".into(),
            retry_after: retry_after.map(String::from),
            request_id: None,
        })
    }

    fn http(answers: Vec<Result<Sent<crate::value::Value>, Error>>) -> Http<Script> {
        let backend = Script {
            answers: RefCell::new(answers.into()),
            ..Default::default()
        };
        let settings = Settings {
            base_url: "http://h".into(),
            api_key: Some("sk-secret".into()),
            timeout_ms: 1000.0,
            max_retries: 3,
            headers: vec![],
            max_retry_after_ms: 60_000.0,
        };
        Http { backend, settings }
    }

    fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
        h.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    #[test]
    fn retries_keep_one_request_id_and_idempotency_key() {
        let t = http(vec![
            sent(503, None),
            Err(Error::Network("reset".into())),
            sent(200, None),
        ]);
        let r = block_on(t.execute(
            &(),
            &Request::post("/api/folders".into(), Body::Json("{}".into())),
        ))
        .unwrap();
        assert_eq!(r.status, 200);
        let seen = t.backend.seen.borrow();
        assert_eq!(seen.len(), 3);
        let ids: Vec<_> = seen
            .iter()
            .map(|h| header(h, "X-Request-ID").unwrap().to_string())
            .collect();
        assert!(ids.iter().all(|i| *i == ids[0]));
        assert!(seen
            .iter()
            .all(|h| header(h, "Idempotency-Key") == Some(&ids[0])));
        assert_eq!(header(&seen[0], "Authorization"), Some("Bearer sk-secret"));
        assert_eq!(*t.backend.slept.borrow(), vec![250.0, 500.0]);
    }

    #[test]
    fn gets_carry_no_idempotency_key() {
        let t = http(vec![sent(200, None)]);
        block_on(t.execute(&(), &Request::get("/api/my-videos".into()))).unwrap();
        assert_eq!(header(&t.backend.seen.borrow()[0], "Idempotency-Key"), None);
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let t = http(vec![
            sent(429, Some("2")),
            sent(503, Some("9999")),
            sent(200, None),
        ]);
        block_on(t.execute(&(), &Request::get("/x".into()))).unwrap();
        assert_eq!(*t.backend.slept.borrow(), vec![2000.0, 60_000.0]);
    }

    #[test]
    fn non_retried_statuses_fail_at_once_without_the_key() {
        let t = http(vec![sent(413, Some("5"))]);
        t.backend.answers.borrow_mut()[0] = Ok(Sent {
            status: 413,
            doc: crate::value::host::parse(r#"{"detail": "too big for sk-secret"}"#).ok(),
            text: "{\"detail\": \"too big for sk-secret\"}".into(),
            retry_after: Some("5".into()),
            request_id: None,
        });
        let e = block_on(t.execute(&(), &Request::get("/x".into()))).unwrap_err();
        let Error::Api(f) = e else { panic!("{e:?}") };
        assert_eq!((f.status, f.retry_after), (413, Some(5.0)));
        assert!(!f.message.contains("sk-secret") && !f.body.contains("sk-secret"));
        assert_eq!(t.backend.seen.borrow().len(), 1);
    }

    #[test]
    fn exhausted_retries_report_the_last_status() {
        let t = http(vec![
            sent(503, None),
            sent(503, None),
            sent(503, None),
            sent(503, None),
            sent(200, None),
        ]);
        let e = block_on(t.execute(&(), &Request::get("/x".into()))).unwrap_err();
        assert!(
            matches!(&e, Error::Api(f) if f.status == 503 && f.message.ends_with("(after 4 attempts)")),
            "{e:?}"
        );
        assert_eq!(t.backend.seen.borrow().len(), 4);
    }

    #[test]
    fn aborts_are_not_retried() {
        let t = http(vec![Err(Error::Abort("aborted".into())), sent(200, None)]);
        assert!(matches!(
            block_on(t.execute(&(), &Request::get("/x".into()))),
            Err(Error::Abort(_))
        ));
        assert_eq!(t.backend.seen.borrow().len(), 1);
    }
}
