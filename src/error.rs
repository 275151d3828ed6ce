//! The one error type inside Rust. It becomes a JS error class once, at the boundary
//! (`client.rs`); messages are built here, follow the protocol's rules (API.md §1.6), and never
//! contain the API key.

use crate::transport::Doc;
use crate::value::{int_text, Value};

/// Small on purpose (8 bytes in wasm: each variant holds one pointer): every `Result` the async
/// methods hold, move and drop carries one, and the 64-byte error it replaced measured 5.6 KB
/// gzip more code.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// Bad input, caught before anything was sent.
    Validation(Msg),
    /// An HTTP error answer (after retries, for retried statuses).
    Api(Box<HttpFailure>),
    /// A 401.
    Auth(Box<HttpFailure>),
    /// A video ended as `UPLOADING_FAILED`/`FAILED` while we waited for it.
    Upload(Msg),
    /// A request or a wait ran past its limit.
    Timeout(Msg),
    /// The caller's `AbortSignal` fired.
    Abort(Msg),
    /// The network failed and retries did not help, or the server's answer was unusable.
    Network(Msg),
}

/// An error's message, behind one pointer so that an `Error` is two words. The second
/// allocation is made only when something fails; the smaller `Result` is on every path.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::box_collection)]
pub struct Msg(Box<String>);

impl From<&str> for Msg {
    fn from(s: &str) -> Msg {
        Msg(Box::new(s.to_string()))
    }
}

impl From<String> for Msg {
    fn from(s: String) -> Msg {
        Msg(Box::new(s))
    }
}

impl std::ops::Deref for Msg {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpFailure {
    pub status: u16,
    pub message: String,
    /// The answer's body as text (JSON text when the server sent JSON).
    pub body: String,
    pub request_id: Option<String>,
    /// Seconds, from `Retry-After`.
    pub retry_after: Option<f64>,
}

impl Error {
    pub fn message(&self) -> &str {
        match self {
            Error::Validation(m)
            | Error::Upload(m)
            | Error::Timeout(m)
            | Error::Abort(m)
            | Error::Network(m) => m,
            Error::Api(f) | Error::Auth(f) => &f.message,
        }
    }

    /// Notes how many attempts an HTTP error took, when it was retried.
    pub fn with_suffix(self, attempts: u32) -> Error {
        let note = " (after ".to_string() + &int_text(i64::from(attempts)) + " attempts)";
        match self {
            Error::Api(mut f) => {
                f.message.push_str(&note);
                Error::Api(f)
            }
            other => other,
        }
    }

    /// Removes every occurrence of `secret` from the error, so no key can leak through a
    /// server that echoes it.
    pub fn redact(self, secret: Option<&str>) -> Error {
        let Some(secret) = secret.filter(|s| !s.is_empty()) else {
            return self;
        };
        let r = |s: String| crate::value::replace(&s, secret, "[redacted]");
        let b = |m: Msg| r(*m.0).into();
        match self {
            Error::Validation(m) => Error::Validation(b(m)),
            Error::Upload(m) => Error::Upload(b(m)),
            Error::Timeout(m) => Error::Timeout(b(m)),
            Error::Abort(m) => Error::Abort(b(m)),
            Error::Network(m) => Error::Network(b(m)),
            Error::Api(f) => Error::Api(f.redact(r)),
            Error::Auth(f) => Error::Auth(f.redact(r)),
        }
    }
}

impl HttpFailure {
    fn redact(mut self: Box<Self>, r: impl Fn(String) -> String) -> Box<Self> {
        self.message = r(std::mem::take(&mut self.message));
        self.body = r(std::mem::take(&mut self.body));
        self.request_id = self.request_id.take().map(r);
        self
    }
}

/// The protocol's message for an error body: a FastAPI `detail` list as `loc0: msg; ...`, a
/// `detail` value, `message`, `error`, or else the body itself.
pub fn body_message<D: Doc>(body: &str, doc: Option<&D>) -> String {
    let Some(v) = doc.and_then(|d| d.read::<Value>().ok()) else {
        return body.trim().to_string();
    };
    match v.get("detail") {
        // "loc: msg; msg" built in place (collecting and joining measured 0.2 KB more).
        Some(Value::Arr(items)) => {
            let mut text = String::new();
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    text += "; ";
                }
                let loc = match it.get("loc").and_then(Value::arr).and_then(|l| l.first()) {
                    Some(Value::Str(s)) => s.clone(),
                    Some(Value::Num(n)) => int_text(*n as i64),
                    _ => String::new(),
                };
                if !loc.is_empty() {
                    text += &loc;
                    text += ": ";
                }
                text += it.get_str("msg").unwrap_or("");
            }
            text
        }
        Some(Value::Str(s)) => s.clone(),
        Some(other) => crate::value::json_text(other),
        None => ["message", "error"]
            .iter()
            .find_map(|k| v.get_str(k).map(str::to_string))
            .unwrap_or_else(|| body.trim().to_string()),
    }
}

/// The longest server text an error message carries (the whole body stays on `error.body`).
const MAX_DETAIL: usize = 1024;

/// `text` cut to `MAX_DETAIL` bytes (on a character boundary), marked when cut.
fn bounded(text: String) -> String {
    if text.len() <= MAX_DETAIL {
        return text;
    }
    let mut end = MAX_DETAIL;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string() + "... (cut; the whole answer is on error.body)"
}

/// The error for an HTTP error answer (`doc`: its body parsed, when it was JSON).
pub fn from_status<D: Doc>(
    status: u16,
    body: &str,
    doc: Option<&D>,
    request_id: Option<String>,
    retry_after: Option<f64>,
) -> Error {
    let parsed = doc.and_then(|d| d.read::<Value>().ok());
    let detail = bounded(body_message(body, doc));
    // A JSON body is kept as the values it holds, written out again: an echo of the key in an
    // escaped form (`\u0073k-...`, `\/`) then reads plainly, so redaction can find it.
    let body = match &parsed {
        Some(v) => crate::value::json_text(v),
        None => body.to_string(),
    };
    if status == 401 {
        let message = if detail.is_empty() {
            "NomadicML authentication failed: check your API key".to_string()
        } else {
            "NomadicML authentication failed: ".to_string() + &detail
        };
        return Error::Auth(Box::new(HttpFailure {
            status,
            message,
            body,
            request_id,
            retry_after,
        }));
    }
    let mut message = "API error ".to_string() + &int_text(i64::from(status));
    if !detail.is_empty() {
        message.push_str(": ");
        message.push_str(&detail);
    }
    Error::Api(Box::new(HttpFailure {
        status,
        message,
        body: body.to_string(),
        request_id,
        retry_after,
    }))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn body_message(text: &str) -> String {
        super::body_message(text, crate::value::host::parse(text).ok().as_ref())
    }

    fn from_status(status: u16, text: &str, rid: Option<String>, ra: Option<f64>) -> Error {
        let doc = crate::value::host::parse(text).ok();
        super::from_status(status, text, doc.as_ref(), rid, ra)
    }

    #[test]
    fn messages_follow_the_protocol() {
        let fastapi = r#"{"detail": [{"loc": ["body", "name"], "msg": "field required"}, {"loc": [], "msg": "x"}]}"#;
        assert_eq!(body_message(fastapi), "body: field required; x");
        assert_eq!(
            body_message(r#"{"detail": "Video not found"}"#),
            "Video not found"
        );
        assert_eq!(body_message(r#"{"message": "m", "error": "e"}"#), "m");
        assert_eq!(body_message(r#"{"error": "e"}"#), "e");
        assert_eq!(body_message("plain text\n"), "plain text");
        let e = from_status(
            404,
            r#"{"detail": "Video not found"}"#,
            Some("rid".into()),
            None,
        );
        assert_eq!(e.message(), "API error 404: Video not found");
        assert!(
            matches!(from_status(401, "", None, None), Error::Auth(ref f) if f.message.contains("check your API key"))
        );
    }

    #[test]
    fn escaped_echoes_of_the_key_are_redacted_too() {
        for body in [
            r#"{"detail": "bad key \u0073k-123"}"#,
            r#"{"detail": {"k": "sk-123 \/ x", "deep": ["\u0073\u006b-123"]}}"#,
        ] {
            let e = from_status(400, body, Some("rid sk-123".into()), None).redact(Some("sk-123"));
            let Error::Api(f) = e else { panic!() };
            assert!(!f.body.contains("sk-123"), "{}", f.body);
            assert!(!f.message.contains("sk-123"), "{}", f.message);
            assert_eq!(f.request_id.as_deref(), Some("rid [redacted]"));
        }
    }

    #[test]
    fn messages_are_bounded_and_bodies_kept_whole() {
        let long = "é".repeat(3000);
        let body = r#"{"detail": ""#.to_string() + &long + "\"}";
        let Error::Api(f) = from_status(500, &body, None, None) else {
            panic!()
        };
        assert!(f.message.len() < 1200, "{}", f.message.len());
        assert!(f
            .message
            .ends_with("(cut; the whole answer is on error.body)"));
        assert!(f.body.contains(&long));
    }

    #[test]
    fn redaction_removes_the_key_everywhere() {
        let e =
            from_status(400, r#"{"detail": "bad key sk-123"}"#, None, None).redact(Some("sk-123"));
        let Error::Api(f) = e else { panic!() };
        assert!(!f.message.contains("sk-123") && !f.body.contains("sk-123"));
    }
}
