//! The protocol, one module per resource: typed parameters in, a [`Request`] description out to
//! a [`Transport`], and the answer decoded into a result. No JS, no web APIs: all of this runs
//! in plain `cargo test` on the host.

pub mod analysis;
pub mod batches;
pub mod cloud;
pub mod csv;
pub mod events;
pub mod folders;
pub mod imports;
pub mod integrations;
pub mod odd;
pub mod poll;
pub mod prompt;
pub mod search;
pub mod sse;
pub mod upload;
pub mod validate;
pub mod videos;
pub mod visuals;

use crate::error::Error;
pub use crate::transport::{Doc, Transport};
use serde::de::DeserializeOwned;

/// A method's result: a document handed on as the server sent it, or a value Rust made.
#[derive(Debug, Clone, PartialEq)]
pub enum Out<D> {
    Doc(D),
    Made(crate::value::Value),
}

impl<D: serde::Serialize> serde::Serialize for Out<D> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Out::Doc(d) => d.serialize(s),
            Out::Made(v) => v.serialize(s),
        }
    }
}

/// The collection names the protocol sends on many calls (client settings).
#[derive(Debug, Clone)]
pub struct Names {
    pub collection: String,
    pub folder_collection: String,
}

impl Default for Names {
    fn default() -> Names {
        Names {
            collection: "videos".into(),
            folder_collection: "videoFolders".into(),
        }
    }
}

/// One method call's handle on the transport: what every resource function takes.
pub struct Call<'a, T: Transport> {
    pub t: &'a T,
    pub ctx: &'a T::Ctx,
    pub names: &'a Names,
}

impl<T: Transport> Call<'_, T> {
    pub async fn send(&self, req: Request) -> Result<Response<T::Doc>, Error> {
        self.t.execute(self.ctx, &req).await
    }
    /// Sends `req` and hands the answer on as parsed, untouched. Every endpoint whose answer
    /// passes through answers an object: anything else (`null`, a list, a number) is refused
    /// rather than handed to the caller as a result.
    pub async fn doc(&self, req: Request) -> Result<T::Doc, Error> {
        let doc = self.send(req).await?.doc;
        if doc.is_object() {
            Ok(doc)
        } else {
            Err(crate::transport::shape_error("expected a JSON object"))
        }
    }
    /// Sends `req` and reads the answer into `R`.
    pub async fn read<R: DeserializeOwned>(&self, req: Request) -> Result<R, Error> {
        self.send(req).await?.doc.read()
    }
    /// Sends `req` and reads the answer, which must be a JSON object, as a `Value` (for the
    /// documents Rust reshapes).
    pub async fn object(&self, req: Request) -> Result<crate::value::Value, Error> {
        self.doc(req).await?.read()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
    /// Mutations carry an `Idempotency-Key`.
    pub fn is_mutation(self) -> bool {
        !matches!(self, Method::Get)
    }
}

/// A multipart part: text, or a blob the caller holds (by slot), sent without copying it.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text {
        name: &'static str,
        value: String,
    },
    /// Text sent as a file part (a JSON sidecar given as text).
    Data {
        name: &'static str,
        filename: String,
        content_type: &'static str,
        data: String,
    },
    Blob {
        name: &'static str,
        slot: usize,
        filename: String,
        content_type: &'static str,
        /// A video: a `File` goes as it is, with the browser's type (see `transport::web`).
        video: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Empty,
    /// JSON text.
    Json(String),
    /// `application/x-www-form-urlencoded` fields, in order; repeated keys allowed. Field names
    /// are the protocol's own, always literals.
    Form(Vec<(&'static str, String)>),
    Multipart(Vec<Part>),
}

/// One logical call, as the transport will send it (and resend it, on a retry).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    /// The path, already percent-encoded (see [`path`]).
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Body,
    /// Multiplies the client's per-request timeout (uploads get 20x, as in the protocol).
    pub timeout_factor: u32,
    /// Reports upload progress under this index.
    pub progress: Option<usize>,
    /// Replaces the client's per-request timeout (a caller's `timeoutMs` on one call).
    pub timeout_ms: Option<f64>,
    /// An upload whose bytes stop going out for this long is abandoned as a network failure
    /// (and so retried, with the same idempotency key), where the runtime reports progress.
    pub stall_ms: Option<f64>,
}

impl Request {
    pub fn new(method: Method, path: String) -> Request {
        Request {
            method,
            path,
            query: Vec::new(),
            body: Body::Empty,
            timeout_factor: 1,
            progress: None,
            timeout_ms: None,
            stall_ms: None,
        }
    }
    pub fn get(path: String) -> Request {
        Request::new(Method::Get, path)
    }
    pub fn post(path: String, body: Body) -> Request {
        Request {
            body,
            ..Request::new(Method::Post, path)
        }
    }
    pub fn query(mut self, key: &'static str, value: impl Into<String>) -> Request {
        self.query.push((key, value.into()));
        self
    }
    /// The path and the form-encoded query.
    pub fn target(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let mut t = self.path.clone();
        t.push('?');
        t.push_str(&form_encode(&self.query));
        t
    }
}

/// What the server answered (2xx with a JSON body only reach the resource modules).
#[derive(Debug, Clone, PartialEq)]
pub struct Response<D> {
    pub status: u16,
    pub doc: D,
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn percent(out: &mut String, s: &str, keep: impl Fn(u8) -> bool, space_plus: bool) {
    for &b in s.as_bytes() {
        if keep(b) {
            out.push(b as char);
        } else if b == b' ' && space_plus {
            out.push('+');
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Form encoding as the protocol writes it: UTF-8, space as `+`, only `A-Z a-z 0-9 - . _ ~` kept.
pub fn form_encode(fields: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent(&mut out, k, unreserved, true);
        out.push('=');
        percent(&mut out, v, unreserved, true);
    }
    out
}

/// Builds a path from literal pieces and ids; each id is percent-encoded whole, so an id holding
/// `/`, `?` or `#` cannot change which endpoint is called. Ids a caller gives are checked first
/// (`validate::id` refuses `.`, `..` and control characters); an id from anywhere else that is a
/// dot segment, which URL parsing would collapse into another endpoint, is sent with its dots
/// escaped twice (`%252E`), so it can only name nothing.
pub fn path(pieces: &[Seg]) -> String {
    let mut out = String::new();
    for p in pieces {
        match p {
            Seg::Lit(s) => out.push_str(s),
            Seg::Id(s) if *s == "." || *s == ".." => {
                for _ in 0..s.len() {
                    out.push_str("%252E");
                }
            }
            Seg::Id(s) => percent(&mut out, s, unreserved, false),
        }
    }
    out
}

pub enum Seg<'a> {
    Lit(&'a str),
    Id(&'a str),
}

#[cfg(all(test, not(target_arch = "wasm32")))]
pub mod testing {
    //! A scripted transport for host tests: it records every request and answers from a queue.
    use super::{Request, Response};
    use crate::error::Error;
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

    #[derive(Default)]
    pub struct Fake {
        pub sent: RefCell<Vec<Request>>,
        pub answers: RefCell<VecDeque<Result<Response<Json>, Error>>>,
        pub slept: RefCell<Vec<f64>>,
        /// Streamed answers: each the chunks it gives (a chunk may be an error), or an error
        /// at opening.
        pub streams: RefCell<VecDeque<Result<FakeStream, Error>>>,
        /// The bytes of the caller's files, by slot (see `read_blob`).
        pub files: RefCell<Vec<Vec<u8>>>,
    }

    pub type FakeStream = VecDeque<Result<Vec<u8>, Error>>;

    pub type Json = crate::value::Value;

    /// JSON text to the `Value` the resource modules produce, for comparisons.
    pub fn parse(text: &str) -> Result<crate::value::Value, String> {
        crate::value::host::parse(text)
    }

    /// A produced value as JSON text, in the Python client's layout.
    pub fn text<T: serde::Serialize>(v: &T) -> String {
        crate::value::host::to_text(v)
    }

    /// The error for an HTTP error answer given as text (what the transport makes of it).
    pub fn http_error(status: u16, text: &str, rid: Option<String>, ra: Option<f64>) -> Error {
        let doc = parse(text).ok();
        crate::error::from_status(status, text, doc.as_ref(), rid, ra)
    }

    /// `.to_json()` on anything the modules produce (values, documents, results), for asserts.
    pub trait ToJson {
        fn to_json(&self) -> String;
    }

    impl<T: serde::Serialize> ToJson for T {
        fn to_json(&self) -> String {
            text(self)
        }
    }

    impl Fake {
        /// Queues a 2xx answer. Its text must be JSON, as the transport only lets JSON through.
        pub fn answer(&self, status: u16, text: &str) -> &Self {
            let doc = parse(text).expect("scripted answers are JSON");
            self.answers
                .borrow_mut()
                .push_back(Ok(Response { status, doc }));
            self
        }
        pub fn fail(&self, e: Error) -> &Self {
            self.answers.borrow_mut().push_back(Err(e));
            self
        }
        /// Queues a streamed answer giving `chunks`, then `end` (`None`: the body ends).
        pub fn stream(&self, chunks: &[&str], end: Option<Error>) -> &Self {
            let mut s: FakeStream = chunks.iter().map(|c| Ok(c.as_bytes().to_vec())).collect();
            if let Some(e) = end {
                s.push_back(Err(e));
            }
            self.streams.borrow_mut().push_back(Ok(s));
            self
        }
        pub fn stream_fails(&self, e: Error) -> &Self {
            self.streams.borrow_mut().push_back(Err(e));
            self
        }
        /// A `Call` through this fake.
        pub fn call<'a>(&'a self, names: &'a super::Names) -> super::Call<'a, Fake> {
            super::Call {
                t: self,
                ctx: &(),
                names,
            }
        }
        pub fn paths(&self) -> Vec<String> {
            self.sent
                .borrow()
                .iter()
                .map(|r| r.method.as_str().to_string() + " " + &r.target())
                .collect()
        }
    }

    impl crate::transport::Transport for Fake {
        type Ctx = ();
        type Doc = Json;
        async fn execute(&self, _: &(), req: &Request) -> Result<Response<Json>, Error> {
            self.sent.borrow_mut().push(req.clone());
            self.answers
                .borrow_mut()
                .pop_front()
                .unwrap_or_else(|| Err(Error::Network("no scripted answer".into())))
        }
        async fn sleep(&self, _: &(), ms: f64) -> Result<(), Error> {
            self.slept.borrow_mut().push(ms);
            Ok(())
        }
        fn now_ms(&self) -> f64 {
            self.slept.borrow().iter().sum()
        }
        fn random(&self) -> f64 {
            0.5
        }
        type Stream = FakeStream;
        async fn open(&self, _: &(), req: &Request) -> Result<FakeStream, Error> {
            self.sent.borrow_mut().push(req.clone());
            self.streams
                .borrow_mut()
                .pop_front()
                .unwrap_or_else(|| Err(Error::Network("no scripted stream".into())))
        }
        async fn chunk(&self, _: &(), s: &mut FakeStream) -> Result<Option<Vec<u8>>, Error> {
            s.pop_front().transpose()
        }
        /// Every file is the same small MP4 (its `mdat` runs to whatever end is asked for),
        /// unless `files` holds bytes for the slot.
        async fn read_blob(
            &self,
            _: &(),
            slot: usize,
            start: u64,
            end: u64,
        ) -> Result<Vec<u8>, Error> {
            let mut bytes = self
                .files
                .borrow()
                .get(slot)
                .cloned()
                .unwrap_or_else(crate::probe::fixture::faststart);
            bytes.resize(bytes.len().max(end as usize), 0);
            Ok(bytes[start as usize..end as usize].to_vec())
        }
    }

    /// Runs a future that never waits on anything real (every fake answers at once).
    pub fn block_on<F: Future>(f: F) -> F::Output {
        fn noop(_: *const ()) {}
        fn clone(p: *const ()) -> RawWaker {
            RawWaker::new(p, &VTABLE)
        }
        static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, noop, noop, noop);
        // SAFETY: the vtable's functions do nothing and never touch the data pointer.
        let waker = unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) };
        let mut cx = Context::from_waker(&waker);
        let mut f = pin!(f);
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn encodings_match_the_golden_requests() {
        // golden/encoding-path-and-query.json
        let p = path(&[Seg::Lit("/api/video/"), Seg::Id("clip 01 é")]);
        assert_eq!(p, "/api/video/clip%2001%20%C3%A9");
        let q = vec![
            ("firebase_collection_name", "videos".to_string()),
            ("folder_collection", "videoFolders".to_string()),
            ("folder", "fleet uploads/ü&x=1".to_string()),
        ];
        assert_eq!(form_encode(&q), "firebase_collection_name=videos&folder_collection=videoFolders&folder=fleet+uploads%2F%C3%BC%26x%3D1");
        assert_eq!(
            path(&[Seg::Lit("/api/video/"), Seg::Id("a/b?c#d")]),
            "/api/video/a%2Fb%3Fc%23d"
        );
        assert_eq!(
            path(&[Seg::Lit("/api/video/"), Seg::Id("..")]),
            "/api/video/%252E%252E"
        );
        // Dots inside an id are fine: only whole dot segments collapse.
        assert_eq!(path(&[Seg::Lit("/v/"), Seg::Id("a..b")]), "/v/a..b");
        for bad in ["", " ", ".", "..", "a\nb", "\u{7f}"] {
            assert!(
                matches!(validate::id("video id", bad), Err(Error::Validation(_))),
                "{bad:?}"
            );
        }
        assert_eq!(validate::id("video id", " v1 ").unwrap(), " v1 ");
    }
}
