//! Cloud imports from buckets mapped to local directories (`--bucket gs://NAME=DIR`).
//!
//! `POST /api/gcs/upload` and `/api/s3/upload` answer at once with an import job; a background
//! worker then materialises one row per object (or per multi-view set) in order. Problems with an
//! object (missing, unknown bucket, an integration for another bucket, not a video) become
//! `UPLOADING_FAILED` rows, as the service reports them. The worker resumes unfinished jobs
//! after a restart; each row is committed together with its video.

use super::integrations::{self, Integration};
use super::{folder_by_id, folder_name, folder_scope};
use crate::body::{json_object, Fields};
use crate::error::{ApiError, ApiResult};
use crate::state::{AppRef, Caller};
use crate::storage::{self, NewVideo};
use crate::util;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Json;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// What a job imports: object keys, or multi-view sets of full URIs.
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Items {
    Keys { keys: Vec<String> },
    Sets { sets: Vec<BTreeMap<String, String>> },
}

impl Items {
    fn len(&self) -> usize {
        match self {
            Items::Keys { keys } => keys.len(),
            Items::Sets { sets } => sets.len(),
        }
    }
}

fn string_list(b: &Map<String, Value>, name: &str) -> ApiResult<Option<Vec<String>>> {
    match b.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) if !a.is_empty() => a
            .iter()
            .map(|v| match v {
                Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
                _ => Err(ApiError::field(
                    name,
                    "every item must be a non-empty string",
                )),
            })
            .collect::<ApiResult<Vec<_>>>()
            .map(Some),
        Some(_) => Err(ApiError::field(name, "must be a non-empty list of strings")),
    }
}

fn sets(b: &Map<String, Value>) -> ApiResult<Option<Vec<BTreeMap<String, String>>>> {
    let Some(v) = b.get("sets").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let bad = || {
        ApiError::field(
            "sets",
            "sets must be a non-empty list of {\"views\": {view: uri}} with a 'front' view",
        )
    };
    let list = v.as_array().filter(|a| !a.is_empty()).ok_or_else(bad)?;
    list.iter()
        .map(|s| {
            let views: BTreeMap<String, String> =
                serde_json::from_value(s.get("views").cloned().unwrap_or(Value::Null))
                    .map_err(|_| bad())?;
            if views.contains_key("front") {
                Ok(views)
            } else {
                Err(bad())
            }
        })
        .collect::<ApiResult<Vec<_>>>()
        .map(Some)
}

fn items(b: &Map<String, Value>, keys_field: &str) -> ApiResult<Items> {
    match (string_list(b, keys_field)?, sets(b)?) {
        (Some(keys), None) => Ok(Items::Keys { keys }),
        (None, Some(sets)) => Ok(Items::Sets { sets }),
        (Some(_), Some(_)) => Err(ApiError::field(
            "sets",
            format!("send either '{keys_field}' or 'sets', not both"),
        )),
        (None, None) => Err(ApiError::missing(keys_field)),
    }
}

fn integration_of_kind(conn: &Connection, id: &str, kind: &str) -> ApiResult<Integration> {
    let i =
        integrations::find(conn, id)?.ok_or_else(|| ApiError::not_found("Cloud integration"))?;
    if i.kind != kind {
        return Err(ApiError::BadRequest(format!(
            "integration '{id}' is a {} integration, not {kind}",
            i.kind
        )));
    }
    Ok(i)
}

struct NewJob<'a> {
    source: &'a str,
    bucket: String,
    integration_id: Option<String>,
    items: Items,
    body: &'a Map<String, Value>,
}

fn create_job(app: &AppRef, caller: &Caller, job: NewJob) -> ApiResult<Json<Value>> {
    let scope = folder_scope(job.body.opt_str("scope")?)?;
    let folder_id = job.body.opt_str("folder_id")?.map(str::to_owned);
    let conn = app.db();
    if let Some(f) = &folder_id {
        folder_by_id(&conn, caller, f)?;
    }
    let id = util::new_id("ij_");
    let now = util::now_ms();
    let total = job.items.len() as i64;
    let multiview = matches!(job.items, Items::Sets { .. });
    let items = serde_json::to_string(&job.items).map_err(|e| ApiError::Internal(e.to_string()))?;
    conn.execute(
        "INSERT INTO import_jobs (id, owner, source, bucket, folder_id, scope, integration_id, items_json, multiview,
         total, created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        params![id, caller.user_id, job.source, job.bucket, folder_id, scope, job.integration_id, items, multiview, total, now],
    )?;
    drop(conn);
    app.import_wakeup.notify_one();
    Ok(Json(
        json!({"import_job_id": id, "status": "importing", "total": total}),
    ))
}

/// `POST /api/gcs/upload` `{integration_id, files | sets, collection, folder_id, scope[, bucket]}`.
pub async fn gcs_upload(
    State(app): State<AppRef>,
    caller: Caller,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = json_object(&body)?;
    let integration_id = b.req_str("integration_id")?.to_string();
    let integration = integration_of_kind(&app.db(), &integration_id, "gcs")?;
    let items = items(&b, "files")?;
    let bucket = match (&items, b.opt_str("bucket")?) {
        (_, Some(bk)) => bk.to_string(),
        (Items::Keys { .. }, None) => integration.bucket.clone(),
        (Items::Sets { .. }, None) => return Err(ApiError::missing("bucket")),
    };
    let job = NewJob {
        source: "gcs",
        bucket,
        integration_id: Some(integration_id),
        items,
        body: &b,
    };
    create_job(&app, &caller, job)
}

/// `POST /api/s3/upload` `{integration_id?, keys | sets, collection, folder_id, scope, bucket}`.
/// Without an integration the bucket's saved integration is used, if any; a mapped bucket
/// needs none (the emulator's stand-in for instance credentials).
pub async fn s3_upload(
    State(app): State<AppRef>,
    caller: Caller,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = json_object(&body)?;
    let bucket = b.req_str("bucket")?.to_string();
    let integration_id = match b.opt_str("integration_id")? {
        Some(id) => Some(integration_of_kind(&app.db(), id, "s3")?.id),
        None => integrations::for_bucket(&app.db(), "s3", &bucket)?.map(|i| i.id),
    };
    let items = items(&b, "keys")?;
    let job = NewJob {
        source: "s3",
        bucket,
        integration_id,
        items,
        body: &b,
    };
    create_job(&app, &caller, job)
}

struct JobRow {
    id: String,
    owner: String,
    source: String,
    bucket: String,
    folder_id: Option<String>,
    scope: String,
    integration_id: Option<String>,
    items_json: String,
    multiview: bool,
    total: i64,
    created_at_ms: i64,
    updated_at_ms: i64,
}

const JOB_COLS: &str =
    "id, owner, source, bucket, folder_id, scope, integration_id, items_json, multiview, total, created_at_ms, updated_at_ms";

fn job_from_row(r: &rusqlite::Row) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        id: r.get(0)?,
        owner: r.get(1)?,
        source: r.get(2)?,
        bucket: r.get(3)?,
        folder_id: r.get(4)?,
        scope: r.get(5)?,
        integration_id: r.get(6)?,
        items_json: r.get(7)?,
        multiview: r.get(8)?,
        total: r.get(9)?,
        created_at_ms: r.get(10)?,
        updated_at_ms: r.get(11)?,
    })
}

fn visible_job(conn: &Connection, caller: &Caller, id: &str) -> ApiResult<JobRow> {
    conn.query_row(
        &format!("SELECT {JOB_COLS} FROM import_jobs WHERE id = ?1 AND owner = ?2"),
        params![id, caller.user_id],
        job_from_row,
    )
    .optional()?
    .ok_or_else(|| ApiError::not_found("Import job"))
}

/// The status of a row: a recorded failure, else its video's state. A row whose video is gone
/// (deleted, or a seeded job's) counts as uploaded.
const ROW_STATUS_SQL: &str = "CASE
    WHEN r.failed_reason IS NOT NULL OR v.status = 'uploading_failed' THEN 'UPLOADING_FAILED'
    WHEN v.status = 'processing' AND v.ready_at_ms > ?2 THEN 'PROCESSING'
    ELSE 'UPLOADED' END";

/// `GET /api/import-jobs/{id}`.
pub async fn job(
    State(app): State<AppRef>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let conn = app.db();
    let j = visible_job(&conn, &caller, &id)?;
    let now = util::now_ms();
    let (rows, failed, processing, completed_at): (i64, i64, i64, Option<i64>) = conn.query_row(
        &format!(
            "SELECT COUNT(*), COALESCE(SUM(s = 'UPLOADING_FAILED'), 0), COALESCE(SUM(s = 'PROCESSING'), 0),
                    (SELECT completed_at_ms FROM import_jobs WHERE id = ?1)
             FROM (SELECT {ROW_STATUS_SQL} AS s FROM import_rows r LEFT JOIN videos v ON v.id = r.video_id WHERE r.job_id = ?1)"
        ),
        params![j.id, now],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let done = rows >= j.total && processing == 0;
    let status = match () {
        _ if !done => "importing",
        _ if failed == 0 => "completed",
        _ if failed == rows => "failed",
        _ => "partial",
    };
    Ok(Json(json!({
        "job_id": j.id,
        "import_job_id": j.id,
        "source": j.source,
        "bucket": j.bucket,
        "prefix": null,
        "folder_id": j.folder_id,
        "folder_name": folder_name(&conn, j.folder_id.as_deref()),
        "scope": j.scope,
        "total": j.total,
        "multi_view": j.multiview,
        "status": status,
        "materialized": rows,
        "failed": failed,
        "processing": processing,
        "created_at": util::iso(j.created_at_ms),
        "updated_at": util::iso(j.updated_at_ms),
        "completed_at": if done { completed_at.map(util::iso) } else { None },
    })))
}

#[derive(Deserialize)]
pub struct PageQuery {
    limit: Option<String>,
    cursor: Option<String>,
    offset: Option<String>,
}

fn int_param(v: Option<&str>, name: &str) -> ApiResult<Option<i64>> {
    match v.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| ApiError::query(name, "value is not a valid integer")),
    }
}

/// Largest page one request may ask for.
const MAX_LIMIT: i64 = 5000;

/// `GET /api/import-jobs/{id}/videos?limit=&cursor=&offset=`: one page of rows in import order.
pub async fn job_videos(
    State(app): State<AppRef>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Value>> {
    let limit = int_param(q.limit.as_deref(), "limit")?.unwrap_or(500);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::query(
            "limit",
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let offset = int_param(q.offset.as_deref(), "offset")?;
    let cursor = q.cursor.filter(|c| !c.is_empty());
    if cursor.is_some() && offset.is_some() {
        return Err(ApiError::query(
            "offset",
            "cursor and offset cannot be combined",
        ));
    }
    if offset.is_some_and(|o| o < 0) {
        return Err(ApiError::query("offset", "offset must not be negative"));
    }
    let conn = app.db();
    let j = visible_job(&conn, &caller, &id)?;
    if j.multiview && offset.is_some() {
        return Err(ApiError::BadRequest(
            "offset pagination is not supported for multi-view import jobs; use cursor".into(),
        ));
    }
    let after_seq: i64 = match &cursor {
        None => -1,
        Some(c) => conn
            .query_row(
                "SELECT seq FROM import_rows WHERE job_id = ?1 AND video_id = ?2",
                params![j.id, c],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| ApiError::query("cursor", "cursor is not a video of this import job"))?,
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT r.video_id, r.uri, r.failed_reason, v.error, {ROW_STATUS_SQL}
         FROM import_rows r LEFT JOIN videos v ON v.id = r.video_id
         WHERE r.job_id = ?1 AND r.seq > ?3 ORDER BY r.seq LIMIT ?4 OFFSET ?5"
    ))?;
    let mut videos = Vec::with_capacity(limit as usize);
    let mut rows = stmt.query(params![
        j.id,
        util::now_ms(),
        after_seq,
        limit + 1,
        offset.unwrap_or(0)
    ])?;
    let mut has_more = false;
    while let Some(r) = rows.next()? {
        if videos.len() as i64 == limit {
            has_more = true;
            break;
        }
        let status: String = r.get(4)?;
        let mut row = json!({"video_id": r.get::<_, String>(0)?, "status": status, "import_source_uri": r.get::<_, String>(1)?});
        if status == "UPLOADING_FAILED" {
            let reason: Option<String> = r.get::<_, Option<String>>(2)?.or(r.get(3)?);
            row["error"] = json!(reason);
        }
        videos.push(row);
    }
    let next_cursor = if has_more {
        videos
            .last()
            .and_then(|v| v["video_id"].as_str())
            .map(str::to_owned)
    } else {
        None
    };
    Ok(Json(json!({
        "import_job_id": j.id,
        "total": j.total,
        "limit": limit,
        "cursor": cursor,
        "offset": offset,
        "has_more": has_more,
        "next_cursor": next_cursor,
        "video_count": videos.len(),
        "videos": videos,
    })))
}

// ---- the background worker ----

pub fn spawn_worker(app: AppRef) {
    tokio::spawn(async move {
        loop {
            let a = app.clone();
            let worked = tokio::task::spawn_blocking(move || process_next(&a))
                .await
                .unwrap_or(Ok(false));
            if !matches!(worked, Ok(true)) {
                tokio::select! {
                    _ = app.import_wakeup.notified() => {}
                    _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                }
            }
        }
    });
}

/// Materialises the next row of the oldest unfinished job. `Ok(false)` when there is nothing to do.
fn process_next(app: &AppRef) -> ApiResult<bool> {
    let (job, next_seq) = {
        let conn = app.db();
        let Some(job) = conn
            .query_row(
                &format!("SELECT {JOB_COLS} FROM import_jobs WHERE completed_at_ms IS NULL ORDER BY created_at_ms, id LIMIT 1"),
                [],
                job_from_row,
            )
            .optional()?
        else {
            return Ok(false);
        };
        let next: i64 = conn.query_row(
            "SELECT COALESCE(MAX(seq) + 1, 0) FROM import_rows WHERE job_id = ?1",
            [&job.id],
            |r| r.get(0),
        )?;
        if next >= job.total {
            let now = util::now_ms();
            conn.execute(
                "UPDATE import_jobs SET completed_at_ms = ?1, updated_at_ms = ?1 WHERE id = ?2",
                params![now, job.id],
            )?;
            return Ok(true);
        }
        (job, next)
    };
    let items: Items =
        serde_json::from_str(&job.items_json).map_err(|e| ApiError::Internal(e.to_string()))?;
    let integration = match &job.integration_id {
        Some(id) => integrations::find(&app.db(), id)?,
        None => None,
    };
    let ctx = ImportCtx {
        app,
        job: &job,
        integration: integration.as_ref(),
    };
    let scheme = if job.source == "s3" { "s3" } else { "gs" };
    match items {
        Items::Keys { keys } => {
            let key = keys.get(next_seq as usize).cloned().unwrap_or_default();
            let uri = format!("{scheme}://{}/{}", job.bucket, key.trim_start_matches('/'));
            let view = ctx.fetch(&uri);
            ctx.commit(next_seq, &uri, vec![("front".into(), view)])?;
        }
        Items::Sets { sets } => {
            let set = sets.get(next_seq as usize).cloned().unwrap_or_default();
            let front_uri = set.get("front").cloned().unwrap_or_default();
            // Front first, so its row points at the front video.
            let mut views: Vec<(String, Fetched)> = vec![("front".into(), ctx.fetch(&front_uri))];
            views.extend(
                set.iter()
                    .filter(|(k, _)| k.as_str() != "front")
                    .map(|(k, u)| (k.clone(), ctx.fetch(u))),
            );
            ctx.commit(next_seq, &front_uri, views)?;
        }
    }
    Ok(true)
}

struct ImportCtx<'a> {
    app: &'a AppRef,
    job: &'a JobRow,
    integration: Option<&'a Integration>,
}

/// One object read from a mapped bucket: its bytes made durable, or why not.
struct Fetched {
    video_id: String,
    name: String,
    uri: String,
    stored: Result<storage::Stored, String>,
}

impl ImportCtx<'_> {
    fn fetch(&self, uri: &str) -> Fetched {
        let video_id = util::new_id("");
        let name = uri.rsplit('/').next().unwrap_or("video.mp4").to_string();
        let stored = self.read_object(uri, &video_id);
        Fetched {
            video_id,
            name,
            uri: uri.to_string(),
            stored,
        }
    }

    fn read_object(&self, uri: &str, video_id: &str) -> Result<storage::Stored, String> {
        let (provider, rest) = if let Some(r) = uri.strip_prefix("gs://") {
            ("gcs", r)
        } else if let Some(r) = uri.strip_prefix("s3://") {
            ("s3", r)
        } else {
            return Err(format!("not a gs:// or s3:// URI: {uri}"));
        };
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if provider != self.job.source {
            return Err(format!("{uri} is not a {} object", self.job.source));
        }
        if let Some(i) = self.integration {
            if i.bucket != bucket {
                return Err(format!(
                    "integration '{}' is for bucket '{}', not '{bucket}'",
                    i.id, i.bucket
                ));
            }
        }
        let scheme = if provider == "s3" { "s3" } else { "gs" };
        let dir = self
            .app
            .cfg
            .buckets
            .iter()
            .find(|(p, b, _)| p == provider && b == bucket)
            .map(|(_, _, d)| d)
            .ok_or_else(|| {
                format!("bucket '{scheme}://{bucket}' is not available to the emulator (map it with --bucket {scheme}://{bucket}=DIR)")
            })?;
        if !key.to_ascii_lowercase().ends_with(".mp4") {
            return Err(format!("only .mp4 objects can be imported: {uri}"));
        }
        let src = storage::bucket_object(dir, key)?;
        if !src.is_file() {
            return Err(format!("object not found: {uri}"));
        }
        let tmp = storage::tmp_path(self.app);
        std::fs::copy(&src, &tmp).map_err(|e| format!("cannot read {uri}: {e}"))?;
        storage::store_file(self.app, &tmp, video_id)
            .map_err(|e| format!("cannot store {uri}: {e}"))
    }

    /// Writes the videos of one row and the row itself in one transaction.
    fn commit(&self, seq: i64, uri: &str, views: Vec<(String, Fetched)>) -> ApiResult<()> {
        let mut conn = self.app.db();
        let tx = conn.transaction()?;
        let mut failed: Option<String> = None;
        let mut ids = BTreeMap::new();
        for (view, f) in &views {
            let new = NewVideo {
                id: &f.video_id,
                owner: &self.job.owner,
                scope: &self.job.scope,
                folder_id: self.job.folder_id.as_deref(),
                name: &f.name,
                source: &self.job.source,
                source_uri: Some(&f.uri),
                metadata_json: None,
            };
            match &f.stored {
                Ok(s) => {
                    storage::insert_video(&tx, self.app, &new, Ok(s))?;
                }
                Err(reason) => {
                    if failed.is_none() {
                        failed = Some(if views.len() > 1 {
                            format!("view '{view}': {reason}")
                        } else {
                            reason.clone()
                        });
                    }
                    // A failed single object still gets a video, as the service lists it.
                    if views.len() == 1 {
                        storage::insert_video(&tx, self.app, &new, Err(reason))?;
                    }
                }
            }
            ids.insert(view.clone(), f.video_id.clone());
        }
        let front = views
            .first()
            .map(|(_, f)| f.video_id.clone())
            .unwrap_or_default();
        if views.len() > 1 {
            let text =
                serde_json::to_string(&ids).map_err(|e| ApiError::Internal(e.to_string()))?;
            tx.execute(
                "UPDATE videos SET views_json = ?1 WHERE id = ?2",
                params![text, front],
            )?;
        }
        tx.execute(
            "INSERT INTO import_rows (job_id, seq, video_id, uri, failed_reason) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![self.job.id, seq, front, uri, failed],
        )?;
        tx.execute(
            "UPDATE import_jobs SET updated_at_ms = ?1 WHERE id = ?2",
            params![util::now_ms(), self.job.id],
        )?;
        tx.commit()?;
        Ok(())
    }
}
