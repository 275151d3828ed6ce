//! Errors shaped like the service's (FastAPI): `{"detail": "..."}`, and for malformed bodies
//! `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` with status 422.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug)]
pub enum ApiError {
    Unauthorized,
    NotFound(String),
    Conflict(String),
    BadRequest(String),
    Forbidden(String),
    /// 422: `(location, message)` pairs; the location is the path inside the request.
    Unprocessable(Vec<(Vec<String>, String)>),
    TooLarge(u64),
    Internal(String),
}

impl ApiError {
    /// A 422 for one field of the body.
    pub fn field(name: &str, msg: impl Into<String>) -> Self {
        ApiError::Unprocessable(vec![(vec!["body".into(), name.into()], msg.into())])
    }
    /// A 422 for one query parameter.
    pub fn query(name: &str, msg: impl Into<String>) -> Self {
        ApiError::Unprocessable(vec![(vec!["query".into(), name.into()], msg.into())])
    }
    pub fn missing(name: &str) -> Self {
        Self::field(name, "field required")
    }
    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(format!("{what} not found"))
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::Internal(format!("database: {e}"))
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::Internal(format!("storage: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                json!({"detail": "Invalid or missing API key"}),
            ),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, json!({ "detail": m })),
            ApiError::Conflict(m) => (StatusCode::CONFLICT, json!({ "detail": m })),
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, json!({ "detail": m })),
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, json!({ "detail": m })),
            ApiError::Unprocessable(items) => {
                let detail: Vec<_> = items
                    .into_iter()
                    .map(|(loc, msg)| {
                        let kind = if msg == "field required" {
                            "value_error.missing"
                        } else {
                            "value_error"
                        };
                        json!({"loc": loc, "msg": msg, "type": kind})
                    })
                    .collect();
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({ "detail": detail }),
                )
            }
            ApiError::TooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({"detail": format!("Request body exceeds the upload limit of {limit} bytes")}),
            ),
            ApiError::Internal(m) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"detail": format!("Internal error: {m}")}),
            ),
        };
        (status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
