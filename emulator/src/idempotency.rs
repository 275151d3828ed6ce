//! Stored answers of mutations, keyed by caller and `Idempotency-Key`.

use crate::state::AppRef;
use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rusqlite::{params, OptionalExtension};
use serde_json::json;

/// Largest answer worth keeping; mutations answer with small JSON documents.
const MAX_STORED: usize = 8 * 1024 * 1024;

pub struct Stored {
    method: String,
    path: String,
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Stored {
    /// The first answer again, or a 422 when the key was used for another request.
    pub fn replay(self, method: &str, path: &str) -> Response {
        if self.method != method || self.path != path {
            let detail = format!(
                "Idempotency-Key was already used for {} {}; use a new key for a different request",
                self.method, self.path
            );
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(json!({ "detail": detail })),
            )
                .into_response();
        }
        let mut r = Response::new(Body::from(self.body));
        *r.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        if let Some(ct) = self
            .content_type
            .and_then(|c| HeaderValue::from_str(&c).ok())
        {
            r.headers_mut().insert(header::CONTENT_TYPE, ct);
        }
        r.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
        r
    }
}

/// The answer to a retry whose key another attempt still holds: come back shortly.
pub fn in_progress() -> Response {
    let mut r = (
        StatusCode::CONFLICT,
        axum::Json(json!({
            "detail": "A request with this Idempotency-Key is still being processed; retry after it finishes"
        })),
    )
        .into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

pub fn lookup(app: &AppRef, (owner, key): &(String, String)) -> Option<Stored> {
    app.db()
        .query_row(
            "SELECT method, path, status, content_type, body FROM idempotency WHERE owner = ?1 AND key = ?2",
            params![owner, key],
            |r| {
                Ok(Stored {
                    method: r.get(0)?,
                    path: r.get(1)?,
                    status: r.get(2)?,
                    content_type: r.get(3)?,
                    body: r.get(4)?,
                })
            },
        )
        .optional()
        .ok()
        .flatten()
}

/// Keeps the answer when it is final: successes and client errors, not 5xx, 408 or 429
/// (those invite a retry, which must be able to do the work).
pub async fn store(
    app: &AppRef,
    (owner, key): &(String, String),
    method: &str,
    path: &str,
    resp: Response,
) -> Response {
    let status = resp.status().as_u16();
    if status >= 500 || status == 408 || status == 429 {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_STORED).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "answer too large to keep",
        )
            .into_response();
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let _ = app.db().execute(
        "INSERT OR IGNORE INTO idempotency (owner, key, method, path, status, content_type, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            owner,
            key,
            method,
            path,
            status,
            content_type,
            bytes.as_ref()
        ],
    );
    Response::from_parts(parts, Body::from(bytes))
}
