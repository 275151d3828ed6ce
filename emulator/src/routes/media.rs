//! Signed video URLs (API.md §18): `POST /api/video/{id}/signed-url` `{expires_in}` -> `{url}`,
//! an unguessable address that serves the stored file, with HTTP Range requests (players seek
//! with them), until it expires. Like the service's signed URLs, the address is the credential:
//! a `<video>` element cannot send the API key.

use super::visible_video;
use crate::body::json_object;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppRef, Caller};
use crate::util;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};
use tower::ServiceExt;

/// The longest a signed URL lives (7 days), and the default (1 hour).
const MAX_EXPIRES_S: i64 = 7 * 24 * 3600;
const DEFAULT_EXPIRES_S: i64 = 3600;

/// `POST /api/video/{id}/signed-url`.
pub async fn sign(
    State(app): State<AppRef>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = if body.is_empty() {
        serde_json::Map::new()
    } else {
        json_object(&body)?
    };
    let expires_in = match b.get("expires_in") {
        None | Some(Value::Null) => DEFAULT_EXPIRES_S,
        Some(v) => v
            .as_i64()
            .filter(|s| (1..=MAX_EXPIRES_S).contains(s))
            .ok_or_else(|| {
                ApiError::field(
                    "expires_in",
                    format!(
                        "expires_in must be a whole number of seconds from 1 to {MAX_EXPIRES_S}"
                    ),
                )
            })?,
    };
    let conn = app.db();
    let video = visible_video(&conn, &caller, &id)?;
    if video.file.is_none() {
        return Err(ApiError::BadRequest(format!(
            "video {id} has no stored file to play"
        )));
    }
    let token = util::new_id("vu_") + &util::new_id("");
    let expires_at = util::now_ms() + expires_in * 1000;
    conn.execute(
        "INSERT INTO video_urls (token, video_id, expires_at_ms) VALUES (?1, ?2, ?3)",
        params![token, video.id, expires_at],
    )?;
    Ok(Json(json!({
        "url": format!("{}/api/video-files/{token}", app.base_url()),
        "expires_at": util::iso(expires_at),
        "expires_in": expires_in,
    })))
}

/// `GET /api/video-files/{token}`: the file, with Range support, while the URL is valid.
pub async fn serve(State(app): State<AppRef>, Path(token): Path<String>, req: Request) -> Response {
    let row: Option<(Option<String>, i64)> = app
        .db()
        .query_row(
            "SELECT v.file, u.expires_at_ms FROM video_urls u JOIN videos v ON v.id = u.video_id WHERE u.token = ?1",
            [&token],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .ok()
        .flatten();
    let Some((Some(file), expires_at)) = row else {
        return ApiError::not_found("Video file").into_response();
    };
    if util::now_ms() >= expires_at {
        return ApiError::Forbidden("this video URL has expired: ask for a new one".into())
            .into_response();
    }
    let path = app.videos_dir.join(file);
    // Stored files are `{video_id}.mp4`, so the type is video/mp4; ServeFile answers Range.
    match tower_http::services::ServeFile::new(path)
        .oneshot(req)
        .await
    {
        Ok(mut r) => {
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=300"),
            );
            r.map(axum::body::Body::new)
        }
        Err(e) => ApiError::Internal(e.to_string()).into_response(),
    }
}
