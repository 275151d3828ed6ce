//! Batches: create (one analysis per video), status, bulk analysis documents, metadata.

use super::analysis::{
    self, agent_options, agent_type, analysis_from_row, AnalysisRow, NewAnalysis, ANALYSIS_COLS,
};
use super::visible_video;
use crate::body::{json_object, Form};
use crate::error::{ApiError, ApiResult};
use crate::state::{AppRef, Caller};
use crate::util;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Json;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Most ids one bulk request may carry.
const BULK_MAX: usize = 500;

/// `POST /api/create-batch` (form, `video_ids` repeated).
pub async fn create(
    State(app): State<AppRef>,
    caller: Caller,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let form = Form::parse(&body);
    let ids: Vec<String> = form
        .all("video_ids")
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if ids.is_empty() {
        return Err(ApiError::missing("video_ids"));
    }
    let kind = form
        .text("analysis_kind")
        .unwrap_or("rapid_review")
        .to_string();
    let client_batch_id = form.text("client_batch_id").map(str::to_owned);
    let conn = app.db();
    // The client's batch id makes a resubmission return the first batch.
    if let Some(cb) = &client_batch_id {
        let existing: Option<String> = conn
            .query_row(
                "SELECT id FROM batches WHERE owner = ?1 AND json_extract(config_json, '$.client_batch_id') = ?2",
                params![caller.user_id, cb],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = existing {
            return Ok(Json(json!({"batch_id": id, "status": "processing"})));
        }
    }
    let (analysis_type, query, category, mut config, options, thumbnails) = match kind.as_str() {
        "rapid_review" => {
            let prompt = form.require("prompt")?.to_string();
            let category = form.text("category").unwrap_or("driving").to_string();
            let confidence = form
                .text("confidence")
                .unwrap_or("low")
                .to_ascii_lowercase();
            if confidence != "low" && confidence != "high" {
                return Err(ApiError::field(
                    "confidence",
                    "confidence must be 'low' or 'high'",
                ));
            }
            let options = json!({
                "is_thumbnail": form.flag("is_thumbnail")?,
                "use_enhanced_motion_analysis": form.flag("use_enhanced_motion_analysis")?,
                "use_embedding_search": form.flag("use_embedding_search")?,
                "confidence": confidence,
                "config": form.get("config").unwrap_or("default"),
                "extract_frame_timestamps": form.flag("extract_frame_timestamps")?,
                "extract_frame_gps": form.flag("extract_frame_gps")?,
                "overlay_mode": form.flag("overlay_mode")?,
                "concepts": form.json("concepts_json")?.unwrap_or(json!([])),
            });
            let config = json!({
                "analysis_kind": "rapid_review",
                "prompt": prompt,
                "category": category,
                "is_thumbnail": options["is_thumbnail"],
                "use_enhanced_motion_analysis": options["use_enhanced_motion_analysis"],
                "confidence": options["confidence"],
            });
            let thumbs = form.flag("is_thumbnail")?;
            ("ask", Some(prompt), category, config, options, thumbs)
        }
        "edge_agent" => {
            let category = form.require("edge_case_category")?.to_string();
            let options = agent_options(&form)?;
            let config = json!({
                "analysis_kind": "edge_agent",
                "edge_case_category": category,
                "agent_mode": form.get("agent_mode"),
                "model_id": options["model_id"],
            });
            (
                agent_type(&category),
                None,
                category,
                config,
                options,
                false,
            )
        }
        other => {
            return Err(ApiError::field(
                "analysis_kind",
                format!("analysis_kind must be 'rapid_review' or 'edge_agent', not '{other}'"),
            ))
        }
    };
    config["client_batch_id"] = json!(client_batch_id);
    let batch_id = make(
        &app,
        &conn,
        &caller,
        &ids,
        NewBatch {
            analysis_type,
            query: query.as_deref(),
            category: &category,
            options,
            thumbnails,
            config,
        },
    )?;
    Ok(Json(json!({"batch_id": batch_id, "status": "processing"})))
}

/// What a batch runs on each of its videos.
pub struct NewBatch<'a> {
    pub analysis_type: &'a str,
    pub query: Option<&'a str>,
    pub category: &'a str,
    pub options: Value,
    pub thumbnails: bool,
    /// The batch's `config` as its status shows it.
    pub config: Value,
}

/// Creates a batch with one analysis per video (a video that cannot be analysed becomes a failed
/// row); returns its id.
pub fn make(
    app: &AppRef,
    conn: &Connection,
    caller: &Caller,
    ids: &[String],
    b: NewBatch,
) -> ApiResult<String> {
    let NewBatch {
        analysis_type,
        query,
        category,
        options,
        thumbnails,
        mut config,
    } = b;
    config["video_count"] = json!(ids.len());
    let batch_id = util::new_id("batch_");
    let mut failures = Map::new();
    for vid in ids {
        let made = visible_video(conn, caller, vid).and_then(|video| {
            analysis::create(
                app,
                conn,
                caller,
                NewAnalysis {
                    video: &video,
                    analysis_type,
                    query,
                    category: Some(category),
                    options: options.clone(),
                    batch_id: Some(&batch_id),
                    thumbnails,
                },
            )
        });
        // A video that cannot be analysed becomes a failed row of the batch, as on the service.
        if let Err(e) = made {
            let reason = match e {
                ApiError::NotFound(m) | ApiError::BadRequest(m) => m,
                other => format!("{other:?}"),
            };
            failures.insert(vid.clone(), json!(reason));
        }
    }
    config["failed_videos"] = Value::Object(failures);
    conn.execute(
        "INSERT INTO batches (id, owner, config_json, metadata_json, video_ids_json, created_at_ms) VALUES (?1, ?2, ?3, '{}', ?4, ?5)",
        params![batch_id, caller.user_id, config.to_string(), json!(ids).to_string(), util::now_ms()],
    )?;
    Ok(batch_id)
}

struct Batch {
    id: String,
    config: Value,
    metadata: Value,
    video_ids: Vec<String>,
    created_at_ms: i64,
}

fn visible_batch(conn: &Connection, caller: &Caller, id: &str) -> ApiResult<Batch> {
    let row: Option<(String, String, String, i64)> = conn
        .query_row(
            "SELECT config_json, metadata_json, video_ids_json, created_at_ms FROM batches WHERE id = ?1 AND owner = ?2",
            params![id, caller.user_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let (config, metadata, ids, created_at_ms) = row.ok_or_else(|| ApiError::not_found("Batch"))?;
    Ok(Batch {
        id: id.to_string(),
        config: serde_json::from_str(&config).unwrap_or(Value::Null),
        metadata: serde_json::from_str(&metadata).unwrap_or(json!({})),
        video_ids: serde_json::from_str(&ids).unwrap_or_default(),
        created_at_ms,
    })
}

fn batch_analyses(conn: &Connection, batch_id: &str) -> ApiResult<HashMap<String, AnalysisRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {ANALYSIS_COLS} FROM analyses WHERE batch_id = ?1"
    ))?;
    let rows = stmt
        .query_map([batch_id], analysis_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows.into_iter().map(|a| (a.video_id.clone(), a)).collect())
}

#[derive(Deserialize)]
pub struct StatusQuery {
    include_videos: Option<String>,
}

/// `GET /api/batch/{id}/status[?include_videos=false]`.
pub async fn status(
    State(app): State<AppRef>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<StatusQuery>,
) -> ApiResult<Json<Value>> {
    let conn = app.db();
    let b = visible_batch(&conn, &caller, &id)?;
    let analyses = batch_analyses(&conn, &id)?;
    let failures = b.config.get("failed_videos").cloned().unwrap_or(json!({}));
    let (mut completed, mut failed) = (0, 0);
    let videos: Vec<Value> = b
        .video_ids
        .iter()
        .map(|vid| match analyses.get(vid) {
            Some(a) => {
                let s = a.status();
                completed += usize::from(s == "completed");
                failed += usize::from(s == "failed");
                json!({"video_id": vid, "status": s, "analysis_id": a.id, "last_error": a.failed_reason.as_ref().filter(|_| s == "failed")})
            }
            None => {
                failed += 1;
                json!({"video_id": vid, "status": "failed", "analysis_id": null, "last_error": failures.get(vid).cloned().unwrap_or(json!("Video not found"))})
            }
        })
        .collect();
    let total = b.video_ids.len();
    let status = match () {
        _ if completed + failed < total => "processing",
        _ if failed == total => "failed",
        _ => "completed",
    };
    let mut config = b.config.clone();
    if let Some(c) = config.as_object_mut() {
        c.remove("failed_videos");
    }
    let mut doc = json!({
        "batch_id": b.id,
        "status": status,
        "aggregated_progress": {"total": total, "completed": completed, "failed": failed},
        "config": config,
        "metadata": b.metadata,
        "review_status": "not_reviewed",
        "review_status_updated_at": null,
        "created_at": util::iso(b.created_at_ms),
    });
    if q.include_videos
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
        != Some("false")
    {
        doc["videos"] = Value::Array(videos);
    }
    Ok(Json(doc))
}

#[derive(Deserialize)]
pub struct BulkQuery {
    include_source_uri: Option<String>,
}

/// `POST /api/batch/{id}/analyses/bulk[?include_source_uri=true]` `{"video_ids": [...]}`.
pub async fn bulk(
    State(app): State<AppRef>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<BulkQuery>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = json_object(&body)?;
    let ids: Vec<String> =
        serde_json::from_value(b.get("video_ids").cloned().unwrap_or(Value::Null))
            .map_err(|_| ApiError::field("video_ids", "video_ids must be a list of strings"))?;
    if ids.len() > BULK_MAX {
        return Err(ApiError::field(
            "video_ids",
            format!("at most {BULK_MAX} video_ids per request"),
        ));
    }
    let with_uri = q
        .include_source_uri
        .as_deref()
        .and_then(crate::body::parse_bool)
        .unwrap_or(false);
    let conn = app.db();
    visible_batch(&conn, &caller, &id)?;
    let analyses = batch_analyses(&conn, &id)?;
    let mut out = Vec::new();
    let mut unresolved = Vec::new();
    for vid in &ids {
        let Some(a) = analyses.get(vid) else {
            unresolved.push(vid.clone());
            continue;
        };
        let video = visible_video(&conn, &caller, vid).ok();
        let mut item = json!({
            "video_id": vid,
            "analysis_id": a.id,
            "analysis": a.document(&app),
            "pointer": format!("videos/{vid}/analyses/{}", a.id),
            "filename": video.as_ref().map(|v| v.name.clone()),
        });
        if with_uri {
            item["import_source_uri"] = json!(video.and_then(|v| v.source_uri));
        }
        out.push(item);
    }
    Ok(Json(
        json!({"analyses": out, "unresolved_video_ids": unresolved, "not_found_analysis_ids": []}),
    ))
}

/// `POST /api/batch/{id}/metadata` `{"metadata": "<JSON text of a flat object>"}`: merged into
/// the batch's metadata; values must be strings or integers.
pub async fn add_metadata(
    State(app): State<AppRef>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = json_object(&body)?;
    let incoming = match b.get("metadata") {
        Some(Value::String(text)) => serde_json::from_str::<Value>(text)
            .map_err(|_| ApiError::field("metadata", "metadata is not valid JSON text"))?,
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => {
            return Err(ApiError::field(
                "metadata",
                "metadata must be a JSON object (or its text)",
            ))
        }
        None => return Err(ApiError::missing("metadata")),
    };
    let Value::Object(incoming) = incoming else {
        return Err(ApiError::field(
            "metadata",
            "metadata must be a JSON object",
        ));
    };
    for (k, v) in &incoming {
        let ok = v.is_string() || v.as_i64().is_some() || v.as_u64().is_some();
        if !ok {
            return Err(ApiError::Unprocessable(vec![(
                vec!["body".into(), "metadata".into(), k.clone()],
                "metadata values must be strings or integers".into(),
            )]));
        }
    }
    let conn = app.db();
    let batch = visible_batch(&conn, &caller, &id)?;
    let mut merged = batch.metadata.as_object().cloned().unwrap_or_default();
    merged.extend(incoming);
    let merged = Value::Object(merged);
    conn.execute(
        "UPDATE batches SET metadata_json = ?1 WHERE id = ?2",
        params![merged.to_string(), id],
    )?;
    Ok(Json(
        json!({"success": true, "batch_id": id, "metadata": merged}),
    ))
}
