//! Single-video analysis: ASK (`/api/ask`, answered 202 then polled), agents
//! (`/api/analyze-video-edge/{id}`), the analysis documents, and thumbnails.
//!
//! Events are computed from the rules when the analysis is created (so a result never changes
//! under a reader) and become visible once the processing delay has passed. They are stored in
//! the service's UI shape (`type`, `time: "t=3"`, `data: {...}`) so clients must normalise them.

use super::{folder_name, visible_video, VideoRow};
use crate::body::Form;
use crate::error::{ApiError, ApiResult};
use crate::rules::Subject;
use crate::state::{AppRef, Caller};
use crate::util;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{json, Value};

pub struct AnalysisRow {
    pub id: String,
    pub video_id: String,
    pub analysis_type: String,
    pub query: Option<String>,
    pub category: Option<String>,
    pub options_json: String,
    pub events_json: String,
    pub summary: String,
    pub failed_reason: Option<String>,
    pub ready_at_ms: i64,
    pub thumbnails: bool,
    pub created_at_ms: i64,
}

pub const ANALYSIS_COLS: &str =
    "id, video_id, analysis_type, query, category, options_json, events_json, summary, \
    failed_reason, ready_at_ms, thumbnails, created_at_ms";

pub fn analysis_from_row(r: &Row) -> rusqlite::Result<AnalysisRow> {
    Ok(AnalysisRow {
        id: r.get(0)?,
        video_id: r.get(1)?,
        analysis_type: r.get(2)?,
        query: r.get(3)?,
        category: r.get(4)?,
        options_json: r.get(5)?,
        events_json: r.get(6)?,
        summary: r.get(7)?,
        failed_reason: r.get(8)?,
        ready_at_ms: r.get(9)?,
        thumbnails: r.get(10)?,
        created_at_ms: r.get(11)?,
    })
}

impl AnalysisRow {
    /// `processing`, `completed` or `failed`.
    pub fn status(&self) -> &'static str {
        if util::now_ms() < self.ready_at_ms {
            "processing"
        } else if self.failed_reason.is_some() {
            "failed"
        } else {
            "completed"
        }
    }

    pub fn is_ask(&self) -> bool {
        self.analysis_type == "ask"
    }

    /// The stored UI events, with thumbnail URLs once thumbnails were asked for.
    pub fn events(&self, app: &AppRef) -> Vec<Value> {
        let mut events: Vec<Value> = serde_json::from_str(&self.events_json).unwrap_or_default();
        if self.thumbnails {
            for (i, e) in events.iter_mut().enumerate() {
                let url = format!("{}/api/thumbnails/{}/{i}.png", app.base_url(), self.id);
                if let Some(d) = e.get_mut("data").and_then(Value::as_object_mut) {
                    d.insert("annotated_thumbnail_url".into(), json!(url));
                }
            }
        }
        events
    }

    /// The analysis document as `GET /api/videos/{v}/analyses/{a}` and the bulk endpoint give it.
    pub fn document(&self, app: &AppRef) -> Value {
        let status = self.status();
        let done = status == "completed";
        let options: Value = serde_json::from_str(&self.options_json).unwrap_or(Value::Null);
        json!({
            "analysis_id": self.id,
            "video_id": self.video_id,
            "status": status,
            "analysis_type": self.analysis_type,
            "mode": if self.is_ask() { "rapid_review" } else { "agent" },
            "query": self.query,
            "category": self.category,
            "options": options,
            "events": if done { self.events(app) } else { Vec::new() },
            "answer": if done { Some(&self.summary) } else { None },
            "summary": if done { Some(&self.summary) } else { None },
            "error": if status == "failed" { self.failed_reason.as_deref() } else { None },
            "created_at": util::iso(self.created_at_ms),
            "completed_at": if status == "processing" { None } else { Some(util::iso(self.ready_at_ms)) },
        })
    }
}

/// What creates an analysis.
pub struct NewAnalysis<'a> {
    pub video: &'a VideoRow,
    pub analysis_type: &'a str,
    pub query: Option<&'a str>,
    pub category: Option<&'a str>,
    pub options: Value,
    pub batch_id: Option<&'a str>,
    pub thumbnails: bool,
}

/// Runs the rules for one video and stores the analysis; returns its id.
pub fn create(
    app: &AppRef,
    conn: &Connection,
    caller: &Caller,
    n: NewAnalysis,
) -> ApiResult<String> {
    if n.video.status == "uploading_failed" {
        return Err(ApiError::BadRequest(format!(
            "video {} failed to upload and cannot be analysed",
            n.video.id
        )));
    }
    let folder = folder_name(conn, n.video.folder_id.as_deref());
    let outcome = app
        .rules
        .read()
        .map_err(|_| ApiError::Internal("rules lock".into()))?
        .outcome(&Subject {
            analysis_type: n.analysis_type,
            query: n.query,
            category: n.category,
            video_name: &n.video.name,
            folder: folder.as_deref(),
            duration_s: n.video.duration_s.unwrap_or(0.0),
        });
    let mut events = outcome.events;
    keep_requested_overlays(&mut events, n.analysis_type, &n.options);
    let id = util::new_id("an_");
    let now = util::now_ms();
    // An analysis cannot finish before its video has.
    let ready_at = now.max(n.video.ready_at_ms) + app.cfg.processing_delay_ms as i64;
    conn.execute(
        "INSERT INTO analyses (id, video_id, owner, analysis_type, query, category, options_json, events_json, summary,
         failed_reason, ready_at_ms, batch_id, thumbnails, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            id,
            n.video.id,
            caller.user_id,
            n.analysis_type,
            n.query,
            n.category,
            n.options.to_string(),
            Value::Array(events).to_string(),
            outcome.summary,
            outcome.failed,
            ready_at,
            n.batch_id,
            n.thumbnails,
            now
        ],
    )?;
    Ok(id)
}

/// The service extracts overlay readings only when asked: `timestamps` gives frame timestamps,
/// `gps` adds GPS, `overlay_mode` (custom) gives every field. Agents extract none.
fn keep_requested_overlays(events: &mut [Value], analysis_type: &str, options: &Value) {
    let flag = |k: &str| options.get(k).and_then(Value::as_bool).unwrap_or(false);
    let ask = analysis_type == "ask";
    let (custom, gps, timestamps) = (
        ask && flag("overlay_mode"),
        ask && flag("extract_frame_gps"),
        ask && flag("extract_frame_timestamps"),
    );
    for e in events {
        if let Some(data) = e.get_mut("data").and_then(Value::as_object_mut) {
            data.retain(|k, _| {
                let overlay = k.starts_with("frame_") || k.starts_with("unix_timestamp_");
                if !overlay || custom {
                    return true;
                }
                let is_ts = k.starts_with("frame_timestamp_") || k.starts_with("unix_timestamp_");
                (is_ts && (timestamps || gps)) || (k.starts_with("frame_gps_") && gps)
            });
        }
    }
}

/// The caller's analysis of a video.
pub fn visible_analysis(
    conn: &Connection,
    caller: &Caller,
    video_id: &str,
    id: &str,
) -> ApiResult<AnalysisRow> {
    conn.query_row(
        &format!(
            "SELECT {ANALYSIS_COLS} FROM analyses WHERE id = ?1 AND video_id = ?2 AND owner = ?3"
        ),
        params![id, video_id, caller.user_id],
        analysis_from_row,
    )
    .optional()?
    .ok_or_else(|| ApiError::not_found("Analysis"))
}

fn confidence(form: &Form) -> ApiResult<String> {
    match form.text("confidence").map(str::to_ascii_lowercase) {
        None => Ok("low".into()),
        Some(c) if c == "low" || c == "high" => Ok(c),
        Some(_) => Err(ApiError::field(
            "confidence",
            "confidence must be 'low' or 'high'",
        )),
    }
}

/// The separator the protocol puts between category and event in an ASK question.
const EVENT_SEPARATOR: &str = "-----------EVENT_DESCRIPTION-----------";

/// `POST /api/ask` (form). Answers 202 `{analysis_id}`; poll the status document.
pub async fn ask(
    State(app): State<AppRef>,
    caller: Caller,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let form = Form::parse(&body);
    let question = form.require("question")?;
    let (category, event) = match question.split_once(EVENT_SEPARATOR) {
        Some((c, e)) => (c.trim().to_string(), e.trim().to_string()),
        None => ("driving".to_string(), question.trim().to_string()),
    };
    if event.is_empty() {
        return Err(ApiError::field(
            "question",
            "the event description is empty",
        ));
    }
    let video_id = form.require("video_id")?;
    let options = json!({
        "is_thumbnail": form.flag("is_thumbnail")?,
        "use_enhanced_motion_analysis": form.flag("use_enhanced_motion_analysis")?,
        "confidence": confidence(&form)?,
        "config": form.get("config").unwrap_or("default"),
        "extract_frame_timestamps": form.flag("extract_frame_timestamps")?,
        "extract_frame_gps": form.flag("extract_frame_gps")?,
        "overlay_mode": form.flag("overlay_mode")?,
    });
    let thumbnails = form.flag("is_thumbnail")?;
    let conn = app.db();
    let video = visible_video(&conn, &caller, video_id)?;
    let id = create(
        &app,
        &conn,
        &caller,
        NewAnalysis {
            video: &video,
            analysis_type: "ask",
            query: Some(&event),
            category: Some(&category),
            options,
            batch_id: None,
            thumbnails,
        },
    )?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"analysis_id": id, "status": "processing"})),
    ))
}

/// The agent type behind a preset's `edge_case_category`.
pub fn agent_type(edge_case_category: &str) -> &'static str {
    match edge_case_category {
        "Lane Change Detection" => "lane_change",
        "Vehicle Turns" => "turn",
        "Relative Motion Analysis" => "relative_motion",
        "Driving Violations" => "driving_violations",
        _ => "general_agent",
    }
}

/// The options an agent run records, from its form (single run or batch).
pub fn agent_options(form: &Form) -> ApiResult<Value> {
    let concepts = form.json("concepts_json")?.unwrap_or(json!([]));
    if !concepts.is_array() {
        return Err(ApiError::field(
            "concepts_json",
            "concepts_json must be a JSON array",
        ));
    }
    let items = form.json("assistant_edge_cases_json")?.unwrap_or(json!([]));
    if !items.is_array() {
        return Err(ApiError::field(
            "assistant_edge_cases_json",
            "assistant_edge_cases_json must be a JSON array",
        ));
    }
    Ok(json!({
        "model_id": form.get("model_id").unwrap_or("Nomadic-VL-XLarge"),
        "edge_case_category": form.get("edge_case_category"),
        "mode": form.get("mode").or(form.get("agent_mode")),
        "concepts": concepts,
        "assistant_edge_cases": items,
        "config": form.get("config").unwrap_or("default"),
    }))
}

/// `POST /api/analyze-video-edge/{id}` (form).
pub async fn agent(
    State(app): State<AppRef>,
    caller: Caller,
    Path(video_id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let form = Form::parse(&body);
    let category = form.require("edge_case_category")?;
    let options = agent_options(&form)?;
    let conn = app.db();
    let video = visible_video(&conn, &caller, &video_id)?;
    let id = create(
        &app,
        &conn,
        &caller,
        NewAnalysis {
            video: &video,
            analysis_type: agent_type(category),
            query: None,
            category: Some(category),
            options,
            batch_id: None,
            thumbnails: false,
        },
    )?;
    Ok(Json(
        json!({"analysis_id": id, "video_id": video_id, "status": "processing"}),
    ))
}

/// `GET /api/videos/{v}/analyses/{a}/status`: the ASK polling document.
pub async fn status(
    State(app): State<AppRef>,
    caller: Caller,
    Path((vid, aid)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let a = visible_analysis(&app.db(), &caller, &vid, &aid)?;
    let status = a.status();
    let span = (a.ready_at_ms - a.created_at_ms).max(1);
    let progress = if status == "processing" {
        ((util::now_ms() - a.created_at_ms) * 100 / span).clamp(0, 99)
    } else {
        100
    };
    let chunks_total = 2;
    let mut doc = json!({
        "analysis_id": a.id,
        "video_id": a.video_id,
        "status": status.to_ascii_uppercase(),
        "progress": progress,
        "chunks_total": chunks_total,
        "chunks_completed": progress * chunks_total / 100,
    });
    if status == "completed" {
        doc["events"] = Value::Array(a.events(&app));
        doc["answer"] = json!(a.summary);
    }
    if let Some(reason) = a.failed_reason.as_ref().filter(|_| status == "failed") {
        doc["error"] = json!(reason);
    }
    Ok(Json(doc))
}

/// `GET /api/videos/{v}/analyses/{a}`: `{analysis: {...}, metadata: {...}}`.
pub async fn document(
    State(app): State<AppRef>,
    caller: Caller,
    Path((vid, aid)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let a = visible_analysis(&app.db(), &caller, &vid, &aid)?;
    let upper = a.status().to_ascii_uppercase();
    Ok(Json(json!({
        "analysis": a.document(&app),
        "metadata": {"visual_analysis": {"status": {"status": upper}}},
    })))
}

/// `POST /api/videos/{v}/analyses/{a}/generate-thumbnails` (form): makes the thumbnails and
/// answers with every event carrying its `annotated_thumbnail_url`.
pub async fn generate_thumbnails(
    State(app): State<AppRef>,
    caller: Caller,
    Path((vid, aid)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let conn = app.db();
    let mut a = visible_analysis(&conn, &caller, &vid, &aid)?;
    if a.status() != "completed" {
        return Err(ApiError::BadRequest(format!(
            "analysis {aid} is {}; thumbnails need a completed analysis",
            a.status()
        )));
    }
    conn.execute("UPDATE analyses SET thumbnails = 1 WHERE id = ?1", [&aid])?;
    a.thumbnails = true;
    let events: Vec<Value> = a
        .events(&app)
        .into_iter()
        .map(|mut e| {
            let url = e["data"]["annotated_thumbnail_url"].clone();
            e["annotated_thumbnail_url"] = url;
            e
        })
        .collect();
    Ok(Json(
        json!({"analysis_id": aid, "video_id": vid, "events": events}),
    ))
}

/// `GET /api/thumbnails/{analysis_id}/{n}.png`: a real PNG with the event's box drawn.
pub async fn thumbnail_png(
    State(app): State<AppRef>,
    Path((aid, file)): Path<(String, String)>,
) -> Response {
    let idx: Option<usize> = file.strip_suffix(".png").and_then(|n| n.parse().ok());
    let row = app
        .db()
        .query_row(
            &format!("SELECT {ANALYSIS_COLS} FROM analyses WHERE id = ?1"),
            [&aid],
            analysis_from_row,
        )
        .optional()
        .ok()
        .flatten();
    let (Some(idx), Some(a)) = (idx, row) else {
        return ApiError::not_found("Thumbnail").into_response();
    };
    let events: Vec<Value> = serde_json::from_str(&a.events_json).unwrap_or_default();
    let Some(event) = events.get(idx).filter(|_| a.thumbnails) else {
        return ApiError::not_found("Thumbnail").into_response();
    };
    let bbox = event["data"]["box"]
        .as_array()
        .filter(|b| b.len() == 4)
        .map(|b| [0, 1, 2, 3].map(|i| b[i].as_f64().unwrap_or(0.0)))
        .unwrap_or([0.25, 0.25, 0.5, 0.5]);
    let seed = a.video_id.bytes().fold(idx as u64, |h, b| {
        h.wrapping_mul(31).wrapping_add(u64::from(b))
    });
    let png = crate::png::thumbnail(seed, bbox);
    // Pages isolated with COEP (`require-corp`) may embed these only when they say so.
    let headers = [
        (header::CONTENT_TYPE, "image/png"),
        (header::CACHE_CONTROL, "public, max-age=3600"),
        (
            header::HeaderName::from_static("cross-origin-resource-policy"),
            "cross-origin",
        ),
    ];
    (headers, png).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlays_only_when_asked() {
        let ev = || {
            vec![
                json!({"data": {"confidence": 0.9, "frame_timestamp_start": "a", "frame_gps_lat_start": 1, "frame_speed_start": 3, "unix_timestamp_start": 5}}),
            ]
        };
        let keys = |e: &[Value]| {
            let mut k: Vec<String> = e[0]["data"].as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        let mut e = ev();
        keep_requested_overlays(&mut e, "ask", &json!({}));
        assert_eq!(keys(&e), vec!["confidence"]);
        let mut e = ev();
        keep_requested_overlays(&mut e, "ask", &json!({"extract_frame_timestamps": true}));
        assert_eq!(
            keys(&e),
            vec![
                "confidence",
                "frame_timestamp_start",
                "unix_timestamp_start"
            ]
        );
        let mut e = ev();
        keep_requested_overlays(
            &mut e,
            "ask",
            &json!({"extract_frame_timestamps": true, "extract_frame_gps": true}),
        );
        assert_eq!(keys(&e).len(), 4);
        let mut e = ev();
        keep_requested_overlays(&mut e, "ask", &json!({"overlay_mode": true}));
        assert_eq!(keys(&e).len(), 5);
        let mut e = ev();
        keep_requested_overlays(&mut e, "turn", &json!({"overlay_mode": true}));
        assert_eq!(keys(&e), vec!["confidence"]);
    }
}
