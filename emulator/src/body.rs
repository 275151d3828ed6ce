//! Request bodies as the protocol sends them: form fields (repeated keys allowed), JSON, and
//! multipart bodies as the parser can read them. Malformed input becomes a 422 naming the field,
//! never a panic.

use crate::error::{ApiError, ApiResult};
use axum::body::{Body, Bytes};
use http_body::Frame;
use serde_json::Value;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A request body whose end is reported one wake-up after it is reached, for multer (axum's
/// multipart parser). multer 3.1.0, looking for the first boundary, polls the body a second
/// time when its buffer is short and fails with "incomplete multipart stream" if that poll
/// reached the end, without looking at the bytes the same poll brought (rwf2/multer#70). On a
/// multi-threaded runtime a small upload can arrive whole between the two polls: 6 valid
/// uploads of 42,000 were refused with a 422 in the Chromium soak. Held back, the end is only
/// seen on a later poll, after the bytes have been looked at.
struct EndLater {
    inner: Body,
    ended: bool,
}

/// `inner`, its end reported one wake-up late (see `EndLater`).
pub fn end_later(inner: Body) -> Body {
    Body::new(EndLater {
        inner,
        ended: false,
    })
}

impl http_body::Body for EndLater {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if self.ended {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(None) => {
                self.ended = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            other => other,
        }
    }
}

/// Decoded `application/x-www-form-urlencoded` fields, in wire order.
#[derive(Debug, Default)]
pub struct Form(pub Vec<(String, String)>);

impl Form {
    pub fn parse(bytes: &[u8]) -> Form {
        Form(form_urlencoded::parse(bytes).into_owned().collect())
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// A field that is present and not blank.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.trim().is_empty())
    }
    pub fn require(&self, name: &str) -> ApiResult<&str> {
        self.text(name).ok_or_else(|| ApiError::missing(name))
    }
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    /// A boolean flag in either spelling the protocol uses (`True`/`False`, `true`/`false`).
    pub fn flag(&self, name: &str) -> ApiResult<bool> {
        match self.get(name) {
            None | Some("") => Ok(false),
            Some(v) => parse_bool(v)
                .ok_or_else(|| ApiError::field(name, "value could not be parsed to a boolean")),
        }
    }
    /// A form field holding JSON text (`concepts_json`, `custom_columns`, ...).
    pub fn json(&self, name: &str) -> ApiResult<Option<Value>> {
        match self.text(name) {
            None => Ok(None),
            Some(t) => serde_json::from_str(t)
                .map(Some)
                .map_err(|_| ApiError::field(name, "value is not valid JSON")),
        }
    }
}

pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Parses a JSON object body.
pub fn json_object(bytes: &[u8]) -> ApiResult<serde_json::Map<String, Value>> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::Unprocessable(vec![(
            vec!["body".into()],
            "value is not a valid dict".into(),
        )])),
        Err(e) => Err(ApiError::Unprocessable(vec![(
            vec!["body".into(), e.column().to_string()],
            "JSON decode error".into(),
        )])),
    }
}

/// Typed access to the fields of a JSON object body.
pub trait Fields {
    fn req_str(&self, name: &str) -> ApiResult<&str>;
    fn opt_str(&self, name: &str) -> ApiResult<Option<&str>>;
}

impl Fields for serde_json::Map<String, Value> {
    fn req_str(&self, name: &str) -> ApiResult<&str> {
        match self.opt_str(name)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            Some(_) => Err(ApiError::field(name, "must not be empty")),
            None => Err(ApiError::missing(name)),
        }
    }
    fn opt_str(&self, name: &str) -> ApiResult<Option<&str>> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ApiError::field(name, "str type expected")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::extract::{FromRequest, Multipart, Request};
    use std::collections::VecDeque;

    /// A body that arrives the way the race delivers it: nothing at the first poll, then all
    /// of it and its end at the next.
    struct Late(VecDeque<Option<Bytes>>);

    impl http_body::Body for Late {
        type Data = Bytes;
        type Error = axum::Error;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
            match self.0.pop_front() {
                Some(None) => {
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
                Some(Some(b)) => Poll::Ready(Some(Ok(Frame::data(b)))),
                None => Poll::Ready(None),
            }
        }
    }

    async fn fields(body: Body) -> Result<Vec<(String, String)>, String> {
        let req = Request::builder()
            .header("content-type", "multipart/form-data; boundary=XyZ")
            .body(body)
            .unwrap();
        let mut mp = Multipart::from_request(req, &()).await.unwrap();
        let mut out = Vec::new();
        while let Some(f) = mp.next_field().await.map_err(|e| e.body_text())? {
            let name = f.name().unwrap_or("").to_string();
            out.push((name, f.text().await.map_err(|e| e.body_text())?));
        }
        Ok(out)
    }

    #[tokio::test]
    async fn a_multipart_body_that_arrives_whole_after_a_wait_is_read() {
        let wire = "--XyZ\r\nContent-Disposition: form-data; name=\"source\"\r\n\r\nfile\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\n\r\n\
                    bytes\r\n--XyZ--\r\n";
        let late = || Late(VecDeque::from([None, Some(Bytes::from(wire))]));
        let want = vec![
            ("source".to_string(), "file".to_string()),
            ("file".to_string(), "bytes".to_string()),
        ];
        assert_eq!(fields(end_later(Body::new(late()))).await, Ok(want));
        // Cut short, it is still refused: holding the end back hides nothing.
        let cut = Late(VecDeque::from([None, Some(Bytes::from(&wire[..60]))]));
        assert!(fields(end_later(Body::new(cut))).await.is_err());
    }

    #[test]
    fn form_fields() {
        let f = Form::parse(b"video_ids=a&video_ids=b&x=1+2%2F3&flag=True&empty=");
        assert_eq!(f.all("video_ids"), vec!["a", "b"]);
        assert_eq!(f.get("x"), Some("1 2/3"));
        assert!(f.flag("flag").unwrap());
        assert!(!f.flag("missing").unwrap());
        assert!(f.require("empty").is_err());
        assert!(Form::parse(b"flag=maybe").flag("flag").is_err());
    }

    #[test]
    fn json_bodies() {
        let m = json_object(br#"{"name": "a", "n": 3}"#).unwrap();
        assert_eq!(m.req_str("name").unwrap(), "a");
        assert!(m.req_str("n").is_err());
        assert!(m.req_str("none").is_err());
        assert!(json_object(b"[1]").is_err());
        assert!(json_object(b"{oops").is_err());
    }
}
