//! Key check, uploads (multipart file, form URL), status, listing, deletion, multi-view stitch.

use super::{
    folder_by_id, folder_by_name, folder_name, folder_scope, visible_video, VideoRow, VIDEO_COLS,
};
use crate::body::{json_object, Fields, Form};
use crate::error::{ApiError, ApiResult};
use crate::state::{AppRef, Caller};
use crate::storage::{self, NewVideo};
use crate::util::{self, ORG_ID};
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::header;
use axum::Json;
use rusqlite::params;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use tokio::io::AsyncWriteExt;

pub async fn verify(caller: Caller) -> Json<Value> {
    Json(json!({"valid": true, "user_id": caller.user_id, "org_id": ORG_ID}))
}

/// What an upload request carried, whatever its encoding.
#[derive(Default)]
struct UploadForm {
    fields: Vec<(String, String)>,
    /// `(temporary path, filename)` of the `file` part.
    file: Option<(std::path::PathBuf, String)>,
    metadata: Option<Vec<u8>>,
}

impl UploadForm {
    /// A text field that is present and not blank.
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }
}

/// `POST /api/upload-video`: multipart with a `file` part (and maybe `metadata_file`), or a form
/// (or multipart) with `source=video_url`. The file part is streamed to disk, never held whole.
pub async fn upload(
    State(app): State<AppRef>,
    caller: Caller,
    req: Request,
) -> ApiResult<Json<Value>> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let max = app.cfg.max_upload_bytes;
    let form = if ct.starts_with("multipart/form-data") {
        read_multipart(&app, req, max).await?
    } else {
        // A form body (a URL upload) is small: read at most FIELD_LIMIT of it.
        let bytes = axum::body::to_bytes(req.into_body(), FIELD_LIMIT)
            .await
            .map_err(|_| ApiError::TooLarge(FIELD_LIMIT as u64))?;
        UploadForm {
            fields: Form::parse(&bytes).0,
            ..Default::default()
        }
    };
    // From here on, a temporary file must not outlive an error.
    let tmp = form.file.as_ref().map(|(p, _)| p.clone());
    let result = finish_upload(&app, &caller, form).await;
    if let (Err(_), Some(p)) = (&result, tmp) {
        let _ = tokio::fs::remove_file(p).await;
    }
    result
}

/// The largest text field (and form body) an upload may carry; the video goes to disk instead.
const FIELD_LIMIT: usize = 1 << 20;
/// The largest metadata sidecar.
const SIDECAR_LIMIT: usize = 16 << 20;

/// A field's bytes, read a chunk at a time and kept only up to `limit`: `None` when it was
/// longer (the rest is read and dropped, so an oversized field costs no memory).
async fn bounded_field(
    field: &mut axum::extract::multipart::Field<'_>,
    limit: usize,
) -> Result<Option<Vec<u8>>, axum::extract::multipart::MultipartError> {
    let mut data = Vec::new();
    let mut over = false;
    while let Some(c) = field.chunk().await? {
        if over || data.len() + c.len() > limit {
            over = true;
            data = Vec::new();
        } else {
            data.extend_from_slice(&c);
        }
    }
    Ok((!over).then_some(data))
}

async fn read_multipart(app: &AppRef, req: Request, max: u64) -> ApiResult<UploadForm> {
    // The parser's own reason (`body_text`), not only its "Error parsing" headline.
    let malformed = |why: String| {
        ApiError::Unprocessable(vec![(
            vec!["body".into()],
            format!("malformed multipart body: {why}"),
        )])
    };
    let req = req.map(crate::body::end_later);
    let mut mp = Multipart::from_request(req, &())
        .await
        .map_err(|e| malformed(e.body_text()))?;
    let mut form = UploadForm::default();
    let mut total: u64 = 0;
    // The limit that was passed, if one was (a field's own, or the whole upload's).
    let mut too_large: Option<u64> = None;
    loop {
        let next = mp.next_field().await;
        let mut field = match next {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                if let Some((p, _)) = &form.file {
                    let _ = tokio::fs::remove_file(p).await;
                }
                return Err(malformed(e.body_text()));
            }
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" && form.file.is_none() {
            let filename = field.file_name().unwrap_or("").to_string();
            let path = storage::tmp_path(app);
            let mut out = tokio::fs::File::create(&path).await?;
            form.file = Some((path.clone(), filename));
            loop {
                match field.chunk().await {
                    Ok(Some(c)) => {
                        total += c.len() as u64;
                        if total > max {
                            too_large = Some(max);
                        } else {
                            out.write_all(&c).await?;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let _ = tokio::fs::remove_file(&path).await;
                        return Err(malformed(e.body_text()));
                    }
                }
            }
            out.flush().await?;
        } else {
            let limit = if name == "metadata_file" {
                SIDECAR_LIMIT
            } else {
                FIELD_LIMIT
            };
            let Some(data) = bounded_field(&mut field, limit)
                .await
                .map_err(|e| malformed(e.body_text()))?
            else {
                too_large = Some(limit as u64);
                continue;
            };
            total += data.len() as u64;
            if total > max {
                too_large = Some(max);
            } else if name == "metadata_file" {
                form.metadata = Some(data.to_vec());
            } else {
                form.fields
                    .push((name, String::from_utf8_lossy(&data).into_owned()));
            }
        }
    }
    if let Some(limit) = too_large {
        if let Some((p, _)) = &form.file {
            let _ = tokio::fs::remove_file(p).await;
        }
        return Err(ApiError::TooLarge(limit));
    }
    Ok(form)
}

async fn finish_upload(app: &AppRef, caller: &Caller, form: UploadForm) -> ApiResult<Json<Value>> {
    let source = form
        .get("source")
        .ok_or_else(|| ApiError::missing("source"))?
        .to_string();
    let scope = folder_scope(form.get("scope"))?;
    let folder_id = form.get("folder_id").map(str::to_owned);
    if let Some(fid) = &folder_id {
        folder_by_id(&app.db(), caller, fid)?;
    }
    let metadata_json = match &form.metadata {
        None => None,
        Some(bytes) => {
            let v: Value = serde_json::from_slice(bytes)
                .map_err(|_| ApiError::field("metadata_file", "metadata_file is not valid JSON"))?;
            Some(v.to_string())
        }
    };
    let video_id = util::new_id("");
    let (tmp, name, source_uri, fetch_error) = match source.as_str() {
        "file" => {
            let (tmp, filename) = form.file.clone().ok_or_else(|| ApiError::missing("file"))?;
            let name = if filename.trim().is_empty() {
                "video.mp4".to_string()
            } else {
                filename
            };
            (Some(tmp), name, None, None)
        }
        "video_url" => {
            let url = form
                .get("video_url")
                .ok_or_else(|| ApiError::missing("video_url"))?
                .trim()
                .to_string();
            let name = match form.get("custom_name") {
                Some(n) => n.to_string(),
                None => url_file_name(&url),
            };
            let tmp = storage::tmp_path(app);
            match crate::fetch::fetch_to_file(&url, &tmp, app.cfg.max_upload_bytes).await {
                Ok(_) => (Some(tmp), name, Some(url), None),
                Err(reason) => {
                    let _ = tokio::fs::remove_file(&tmp).await;
                    (None, name, Some(url), Some(reason))
                }
            }
        }
        other => {
            return Err(ApiError::field(
                "source",
                format!("source must be 'file' or 'video_url', not '{other}'"),
            ))
        }
    };
    let stored = match &tmp {
        Some(t) => Some(storage::store_file(app, t, &video_id)?),
        None => None,
    };
    let new = NewVideo {
        id: &video_id,
        owner: &caller.user_id,
        scope: &scope,
        folder_id: folder_id.as_deref(),
        name: &name,
        source: &source,
        source_uri: source_uri.as_deref(),
        metadata_json: metadata_json.as_deref(),
    };
    let conn = app.db();
    let status = match (&stored, &fetch_error) {
        (Some(s), _) => storage::insert_video(&conn, app, &new, Ok(s))?,
        (None, Some(reason)) => storage::insert_video(&conn, app, &new, Err(reason))?,
        (None, None) => return Err(ApiError::missing("file")),
    };
    Ok(Json(
        json!({"video_id": video_id, "status": status, "video_name": name}),
    ))
}

/// The last path segment of a URL, percent-decoded, for a URL upload without `custom_name`.
fn url_file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let last = path.rsplit('/').next().unwrap_or("");
    let decoded: String =
        form_urlencoded::parse(format!("x={}", last.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
    if decoded.is_empty() {
        "video.mp4".into()
    } else {
        decoded
    }
}

/// The service's upload-status ladder (§1.8): a processing video moves through it as its
/// processing delay elapses.
fn upload_stage(v: &VideoRow, now: i64) -> &'static str {
    match v.status {
        "uploaded" => "UPLOADED",
        "uploading_failed" => "UPLOADING_FAILED",
        _ => {
            let span = (v.ready_at_ms - v.created_at_ms).max(1);
            let done = (now - v.created_at_ms) * 4 / span;
            match done {
                i64::MIN..=0 => "NOT_STARTED",
                1 => "PREPARE_IN_PROGRESS",
                _ => "PREPARE_COMPLETED",
            }
        }
    }
}

pub fn video_json(conn: &rusqlite::Connection, v: &VideoRow) -> Value {
    let mut row = json!({
        "video_id": v.id,
        "video_name": v.name,
        "duration_s": v.duration_s,
        "folder_id": v.folder_id,
        "folder_name": folder_name(conn, v.folder_id.as_deref()),
        "status": v.status,
        "scope": v.scope,
        "created_at": util::iso(v.created_at_ms),
        "width": v.width,
        "height": v.height,
        "codec": v.codec,
        "size_bytes": v.size_bytes,
        "source": v.source,
    });
    if v.scope == "org" {
        row["org_id"] = json!(ORG_ID);
    }
    if let Some(e) = &v.error {
        row["error"] = json!(e);
    }
    if let Some(u) = &v.source_uri {
        row["import_source_uri"] = json!(u);
    }
    if let Some(views) = v
        .views_json
        .as_deref()
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
    {
        row["views"] = views;
    }
    row
}

/// `GET /api/video/{id}/status`.
pub async fn status(
    State(app): State<AppRef>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let conn = app.db();
    let v = visible_video(&conn, &caller, &id)?;
    let now = util::now_ms();
    let stage = upload_stage(&v, now);
    let progress = if v.status == "processing" {
        ((now - v.created_at_ms) * 100 / (v.ready_at_ms - v.created_at_ms).max(1)).clamp(0, 99)
    } else {
        100
    };
    let mut doc = json!({
        "video_id": v.id,
        "status": v.status,
        "video_name": v.name,
        "duration_s": v.duration_s,
        "visual_analysis": {"status": {"status": stage}},
        "metadata": {
            "video_name": v.name,
            "duration_s": v.duration_s,
            "width": v.width,
            "height": v.height,
            "codec": v.codec,
            "size_bytes": v.size_bytes,
            "visual_analysis": {"status": {"status": stage, "progress": progress}},
        },
    });
    if let Some(e) = &v.error {
        doc["error"] = json!(e);
        doc["metadata"]["error"] = json!(e);
    }
    if let Some(m) = v
        .metadata_json
        .as_deref()
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
    {
        doc["metadata"]["overlay_metadata"] = m;
    }
    Ok(Json(doc))
}

#[derive(Deserialize)]
pub struct MyVideosQuery {
    folder: Option<String>,
    scope: Option<String>,
}

/// `GET /api/my-videos[?folder=&scope=]`: the caller's videos and the organisation's.
pub async fn my_videos(
    State(app): State<AppRef>,
    caller: Caller,
    Query(q): Query<MyVideosQuery>,
) -> ApiResult<Json<Value>> {
    let conn = app.db();
    let folder = match q.folder.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        None => None,
        Some(name) => match folder_by_name(&conn, &caller, name, q.scope.as_deref())? {
            Some(f) => Some(f),
            // An unknown folder holds no videos.
            None => return Ok(Json(json!({"videos": []}))),
        },
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT {VIDEO_COLS} FROM videos WHERE (owner = ?1 OR scope = 'org') AND (?2 IS NULL OR folder_id = ?2)
         ORDER BY created_at_ms, id"
    ))?;
    let rows = stmt
        .query_map(
            params![caller.user_id, folder.as_ref().map(|f| &f.id)],
            VideoRow::from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let videos: Vec<Value> = rows.iter().map(|v| video_json(&conn, v)).collect();
    Ok(Json(json!({ "videos": videos })))
}

/// `DELETE /api/video/{id}`.
pub async fn delete(
    State(app): State<AppRef>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let file = {
        let conn = app.db();
        let v = visible_video(&conn, &caller, &id)?;
        conn.execute("DELETE FROM videos WHERE id = ?1", [&id])?;
        v.file
    };
    if let Some(f) = file {
        storage::remove_video_file(&app, &f);
    }
    Ok(Json(json!({"status": "deleted", "video_id": id})))
}

/// `POST /api/multi-view/stitch` `{"primary_view_id", "views": {view: video_id}}`.
pub async fn stitch(
    State(app): State<AppRef>,
    caller: Caller,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = json_object(&body)?;
    let primary = b.req_str("primary_view_id")?.to_string();
    let views: HashMap<String, String> = match b.get("views") {
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|_| ApiError::field("views", "views must map view names to video ids"))?,
        None => return Err(ApiError::missing("views")),
    };
    if views.is_empty() {
        return Err(ApiError::field("views", "views must not be empty"));
    }
    let conn = app.db();
    visible_video(&conn, &caller, &primary)?;
    for id in views.values() {
        visible_video(&conn, &caller, id)?;
    }
    let text = serde_json::to_string(&views).map_err(|e| ApiError::Internal(e.to_string()))?;
    conn.execute(
        "UPDATE videos SET views_json = ?1 WHERE id = ?2",
        params![text, primary],
    )?;
    Ok(Json(
        json!({"video_id": primary, "primary_view_id": primary, "views": views, "status": "stitched"}),
    ))
}

#[cfg(test)]
mod tests {
    use super::url_file_name;

    #[test]
    fn names_from_urls() {
        assert_eq!(
            url_file_name("http://127.0.0.1:9/a/b/clip%201.mp4?x=1"),
            "clip 1.mp4"
        );
        assert_eq!(url_file_name("http://h/"), "video.mp4");
    }
}
