//! Prompt analysis, the successor of ASK (API.md §18): thinking mode starts a stream of
//! Server-Sent Events (`router/v2/query/start`, then `query/events/{stream_id}`, resumable from
//! `last_id`; `query/stream` is the direct fallback) that ends once the batch exists; fast mode
//! (`router/query`) answers with a batch or an analysis id at once.
//!
//! A stream's events are decided when it starts and stored with it, so a reader that reconnects
//! (or an emulator that restarts) sees the same events with the same ids. Event `n` becomes
//! readable `n x --stream-event-ms` after the start: a client sees the reasoning arrive.

use super::analysis::{self, NewAnalysis};
use super::batches::{self, NewBatch};
use super::{folder_name, visible_video};
use crate::body::json_object;
use crate::error::{ApiError, ApiResult};
use crate::rules::Subject;
use crate::state::{AppRef, Caller};
use crate::util;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Set by a fault with `cut_after_events`: the stream's connection dies after that many events.
#[derive(Clone, Copy)]
pub struct CutStream(pub u32);

/// The videos a prompt names: `video_id`, or a non-empty `video_ids`.
fn videos(b: &Map<String, Value>) -> ApiResult<Vec<String>> {
    let ids: Vec<String> = match (b.get("video_id"), b.get("video_ids")) {
        (Some(Value::String(one)), None) => vec![one.clone()],
        (None, Some(list)) => serde_json::from_value(list.clone())
            .map_err(|_| ApiError::field("video_ids", "video_ids must be a list of strings"))?,
        (Some(_), Some(_)) => {
            return Err(ApiError::field(
                "video_id",
                "give video_id or video_ids, not both",
            ))
        }
        (Some(_), None) => return Err(ApiError::field("video_id", "video_id must be a string")),
        (None, None) => return Err(ApiError::missing("video_ids")),
    };
    if ids.is_empty() || ids.iter().any(|i| i.trim().is_empty()) {
        return Err(ApiError::field(
            "video_ids",
            "video ids must be non-empty strings",
        ));
    }
    Ok(ids)
}

fn query(b: &Map<String, Value>) -> ApiResult<String> {
    match b.get("query") {
        Some(Value::String(q)) if !q.trim().is_empty() => Ok(q.clone()),
        Some(_) => Err(ApiError::field("query", "query must be a non-empty string")),
        None => Err(ApiError::missing("query")),
    }
}

/// The rules' script for a prompt, matched on its first video (as `ask`, the prompt the query).
fn script(
    app: &AppRef,
    conn: &Connection,
    caller: &Caller,
    prompt: &str,
    first: &str,
) -> ApiResult<(Vec<String>, Option<String>)> {
    let video = visible_video(conn, caller, first)?;
    let folder = folder_name(conn, video.folder_id.as_deref());
    let rules = app
        .rules
        .read()
        .map_err(|_| ApiError::Internal("rules lock".into()))?;
    Ok(rules.stream_script(&Subject {
        analysis_type: "ask",
        query: Some(prompt),
        category: Some("driving"),
        video_name: &video.name,
        folder: folder.as_deref(),
        duration_s: video.duration_s.unwrap_or(0.0),
    }))
}

/// A batch running the prompt on every video.
fn prompt_batch(
    app: &AppRef,
    conn: &Connection,
    caller: &Caller,
    prompt: &str,
    ids: &[String],
    mode: &str,
) -> ApiResult<String> {
    batches::make(
        app,
        conn,
        caller,
        ids,
        NewBatch {
            analysis_type: "ask",
            query: Some(prompt),
            category: "driving",
            options: json!({"prompt_mode": mode}),
            thumbnails: false,
            config: json!({"analysis_kind": "prompt", "prompt": prompt, "mode": mode}),
        },
    )
}

/// A stream as it was stored: its id, start time and events.
struct NewStream {
    id: String,
    created: i64,
    events: Vec<Value>,
}

/// Decides and stores a thinking stream's events.
fn new_stream(app: &AppRef, caller: &Caller, body: &[u8]) -> ApiResult<NewStream> {
    let b = json_object(body)?;
    let prompt = query(&b)?;
    let ids = videos(&b)?;
    let conn = app.db();
    let (lines, error) = script(app, &conn, caller, &prompt, &ids[0])?;
    let mut events: Vec<(&str, Value)> = vec![(
        "status",
        json!({"stage": "planning", "message": "Planning the analysis"}),
    )];
    events.extend(lines.iter().map(|l| ("thinking", json!({"text": l}))));
    match error {
        Some(e) => events.push(("error", json!({"error": e}))),
        None => {
            let batch_id = prompt_batch(app, &conn, caller, &prompt, &ids, "thinking")?;
            events.push(("batch_created", json!({"batch_id": batch_id})));
            events.push((
                "done",
                json!({"batch_id": batch_id, "video_count": ids.len()}),
            ));
        }
    }
    let events: Vec<Value> = events.into_iter().map(|(e, d)| json!([e, d])).collect();
    let id = util::new_id("qs_");
    let now = util::now_ms();
    conn.execute(
        "INSERT INTO prompt_streams (id, owner, events_json, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
        params![id, caller.user_id, json!(events).to_string(), now],
    )?;
    Ok(NewStream {
        id,
        created: now,
        events,
    })
}

/// `POST /api/router/v2/query/start` `{query, client_info, video_id | video_ids}` -> `{stream_id}`.
pub async fn start(
    State(app): State<AppRef>,
    caller: Caller,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let s = new_stream(&app, &caller, &body)?;
    Ok(Json(json!({"stream_id": s.id, "status": "started"})))
}

#[derive(Deserialize)]
pub struct EventsQuery {
    last_id: Option<String>,
}

/// `GET /api/router/v2/query/events/{stream_id}?last_id=N`: the events after `N`.
pub async fn events(
    State(app): State<AppRef>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<EventsQuery>,
    cut: Option<Extension<CutStream>>,
) -> ApiResult<Response> {
    let last: u64 = match q.last_id.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(t) => t
            .parse()
            .map_err(|_| ApiError::field("last_id", "last_id must be an event id"))?,
    };
    let row: Option<(String, i64)> = app
        .db()
        .query_row(
            "SELECT events_json, created_at_ms FROM prompt_streams WHERE id = ?1 AND owner = ?2",
            params![id, caller.user_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (events, created) = row.ok_or_else(|| ApiError::not_found("Stream"))?;
    let events: Vec<Value> = serde_json::from_str(&events).unwrap_or_default();
    Ok(sse(&app, events, created, last, cut.map(|c| c.0 .0)))
}

/// `POST /api/router/v2/query/stream`: starts a stream and answers with its events directly.
pub async fn stream(
    State(app): State<AppRef>,
    caller: Caller,
    cut: Option<Extension<CutStream>>,
    body: Bytes,
) -> ApiResult<Response> {
    let s = new_stream(&app, &caller, &body)?;
    Ok(sse(&app, s.events, s.created, 0, cut.map(|c| c.0 .0)))
}

/// Writes `events` after `last` as they fall due; a cut fault ends the connection mid-stream.
fn sse(app: &AppRef, events: Vec<Value>, created: i64, last: u64, cut: Option<u32>) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let cadence = app.cfg.stream_event_ms as i64;
    tokio::spawn(async move {
        let mut sent = 0u32;
        for (i, e) in events.iter().enumerate() {
            let id = i as u64 + 1;
            if id <= last {
                continue;
            }
            let wait = created + id as i64 * cadence - util::now_ms();
            if wait > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(wait as u64)).await;
            }
            // Cut when the next event falls due, so the ones before it have left the buffers.
            if cut == Some(sent) {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                let _ = tx.send(Err(std::io::Error::other("cut by a fault"))).await;
                return;
            }
            let frame = format!(
                "id: {id}\nevent: {}\ndata: {}\n\n",
                e[0].as_str().unwrap_or("message"),
                e[1]
            );
            if tx.send(Ok(Bytes::from(frame))).await.is_err() {
                return; // the reader went away
            }
            sent += 1;
        }
    });
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::new(Events(rx)),
    )
        .into_response()
}

/// A response body fed by the task that paces the events.
struct Events(tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl http_body::Body for Events {
    type Data = Bytes;
    type Error = std::io::Error;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|o| o.map(|r| r.map(http_body::Frame::data)))
    }
}

/// `POST /api/router/query` (fast): one video gets an analysis, several a batch; a scripted
/// stream error answers `{success: false, error}`.
pub async fn fast(
    State(app): State<AppRef>,
    caller: Caller,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = json_object(&body)?;
    let prompt = query(&b)?;
    let ids = videos(&b)?;
    let conn = app.db();
    if let (_, Some(e)) = script(&app, &conn, &caller, &prompt, &ids[0])? {
        return Ok(Json(json!({"success": false, "error": e})));
    }
    if b.contains_key("video_id") {
        let video = visible_video(&conn, &caller, &ids[0])?;
        let id = analysis::create(
            &app,
            &conn,
            &caller,
            NewAnalysis {
                video: &video,
                analysis_type: "ask",
                query: Some(&prompt),
                category: Some("driving"),
                options: json!({"prompt_mode": "fast"}),
                batch_id: None,
                thumbnails: false,
            },
        )?;
        return Ok(Json(
            json!({"success": true, "analysis_id": id, "status": "processing"}),
        ));
    }
    let batch_id = prompt_batch(&app, &conn, &caller, &prompt, &ids, "fast")?;
    Ok(Json(
        json!({"success": true, "batch_id": batch_id, "status": "processing"}),
    ))
}
