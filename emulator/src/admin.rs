//! The admin API under `/__emulator/`: health, reset, rules, faults, the request log, and
//! seeding of large import jobs for benchmarks. JSON in and out, no API key.

use crate::error::{ApiError, ApiResult};
use crate::rules::Rules;
use crate::state::{lock, AppRef, Fault};
use crate::{db, storage, util};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use rusqlite::params;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn router(app: AppRef) -> Router<AppRef> {
    let admin_on = app.cfg.admin;
    let guarded = Router::new()
        .route("/__emulator/reset", post(reset))
        .route("/__emulator/rules", post(set_rules).get(get_rules))
        .route(
            "/__emulator/faults",
            post(add_faults).delete(clear_faults).get(list_faults),
        )
        .route("/__emulator/requests", get(requests).delete(clear_requests))
        .route("/__emulator/counts", get(counts))
        .route("/__emulator/import-jobs", post(seed_import_job))
        .route(
            "/__emulator/buckets/{provider}/{bucket}/{*key}",
            axum::routing::put(put_object)
                .layer(axum::extract::DefaultBodyLimit::max(512 * 1024 * 1024)),
        )
        .route_layer(axum::middleware::from_fn_with_state(app, same_origin));
    let open = Router::new().route("/__emulator/health", get(health));
    if admin_on {
        open.merge(guarded)
    } else {
        open
    }
}

/// The admin API answers scripts (which send no `Origin`), pages of the emulator's own origin,
/// and pages that present the admin token; any other web page a developer happens to visit gets
/// a 403 and changes nothing (no wiping the data, no injected faults).
async fn same_origin(
    State(app): State<AppRef>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let h = req.headers();
    let text = |k: &str| h.get(k).and_then(|v| v.to_str().ok());
    let allowed = match text("origin") {
        None => true,
        Some(origin) => {
            let own = text("host").is_some_and(|host| {
                origin == format!("http://{host}") || origin == format!("https://{host}")
            });
            own || (text("x-emulator-token").is_some()
                && text("x-emulator-token") == app.cfg.admin_token.as_deref())
        }
    };
    if !allowed {
        return ApiError::Forbidden(
            "the admin API answers scripts and pages of the emulator's own origin; other pages \
             must send the admin token printed at start (X-Emulator-Token)"
                .into(),
        )
        .into_response();
    }
    next.run(req).await
}

/// `PUT /__emulator/buckets/{gcs|s3}/{bucket}/{key}`: writes an object into a mapped bucket's
/// directory, so tests and demos can fill buckets over HTTP (extension).
async fn put_object(
    State(app): State<AppRef>,
    axum::extract::Path((provider, bucket, key)): axum::extract::Path<(String, String, String)>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let dir = app
        .cfg
        .buckets
        .iter()
        .find(|(p, b, _)| *p == provider && *b == bucket)
        .map(|(_, _, d)| d.clone())
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "bucket {provider}/{bucket} is not mapped (see --bucket)"
            ))
        })?;
    let path = crate::storage::bucket_object(&dir, &key).map_err(bad)?;
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    tokio::fs::write(&path, &body).await?;
    Ok(Json(
        json!({"bucket": bucket, "key": key, "size": body.len()}),
    ))
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::BadRequest(msg.into())
}

async fn health(State(app): State<AppRef>) -> Json<Value> {
    Json(
        json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "rules": app.rules.read().map(|r| r.len()).unwrap_or(0)}),
    )
}

/// Empties all state: videos, folders, jobs, analyses, faults, the request log. Rules go back
/// to those of `--rules FILE` (or none).
async fn reset(State(app): State<AppRef>) -> ApiResult<Json<Value>> {
    db::clear(&app.db())?;
    storage::remove_all_videos(&app)?;
    lock(&app.faults).clear();
    lock(&app.log).clear();
    let rules = crate::load_rules(&app.cfg).map_err(ApiError::Internal)?;
    if let Ok(mut r) = app.rules.write() {
        *r = rules;
    }
    Ok(Json(json!({"status": "reset"})))
}

async fn set_rules(State(app): State<AppRef>, body: Bytes) -> ApiResult<Json<Value>> {
    let text = std::str::from_utf8(&body).map_err(|_| bad("rules must be UTF-8 JSON"))?;
    let rules = Rules::parse(text).map_err(bad)?;
    let n = rules.len();
    if let Ok(mut r) = app.rules.write() {
        *r = rules;
    }
    Ok(Json(json!({"rules": n})))
}

async fn get_rules(State(app): State<AppRef>) -> Json<Value> {
    Json(json!({"rules": app.rules.read().map(|r| r.len()).unwrap_or(0)}))
}

/// Rows per stored table (`{"videos": 3, "folders": 1, ...}`): what a call changed (extension).
async fn counts(State(app): State<AppRef>) -> ApiResult<Json<Value>> {
    Ok(Json(Value::Object(db::counts(&app.db())?)))
}

/// One fault object, or an array of them.
async fn add_faults(State(app): State<AppRef>, body: Bytes) -> ApiResult<Json<Value>> {
    let v: Value = serde_json::from_slice(&body).map_err(|e| bad(format!("faults: {e}")))?;
    let list = match v {
        Value::Array(a) => a,
        other => vec![other],
    };
    let mut parsed = Vec::with_capacity(list.len());
    for f in list {
        let f: Fault = serde_json::from_value(f).map_err(|e| bad(format!("fault: {e}")))?;
        if f.status.is_none()
            && f.delay_ms.is_none()
            && f.drop_connection != Some(true)
            && f.cut_after_events.is_none()
            && f.drop_after != Some(true)
            && f.cut_body_after.is_none()
            && f.slow_answer_ms.is_none()
        {
            return Err(bad(
                "a fault needs status, delay_ms, drop_connection, drop_after, cut_body_after, \
                 slow_answer_ms or cut_after_events",
            ));
        }
        if let Some(s) = f.status {
            if !(100..=599).contains(&s) {
                return Err(bad("fault status must be 100..=599"));
            }
        }
        if f.times == 0 {
            return Err(bad("fault times must be at least 1"));
        }
        parsed.push(f);
    }
    let mut faults = lock(&app.faults);
    faults.extend(parsed);
    Ok(Json(json!({"pending": faults.len()})))
}

async fn clear_faults(State(app): State<AppRef>) -> Json<Value> {
    lock(&app.faults).clear();
    Json(json!({"pending": 0}))
}

async fn list_faults(State(app): State<AppRef>) -> Json<Value> {
    Json(json!(*lock(&app.faults)))
}

async fn requests(State(app): State<AppRef>) -> Json<Value> {
    Json(json!(*lock(&app.log)))
}

async fn clear_requests(State(app): State<AppRef>) -> Json<Value> {
    lock(&app.log).clear();
    Json(json!({"status": "cleared"}))
}

#[derive(Deserialize)]
struct SeedQuery {
    /// Whose job it is; the first `--api-key` when absent.
    #[serde(default)]
    api_key: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Seed {
    total: u32,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    bucket: Option<String>,
    /// Every `failed_every`-th row is `UPLOADING_FAILED` (0: none).
    #[serde(default)]
    failed_every: u32,
}

/// Creates a finished import job of `total` rows at once, without files, for benchmarks and
/// paging tests (`POST /__emulator/import-jobs {"total": 200000}`). Its rows point at no
/// stored video and report `UPLOADED` (or `UPLOADING_FAILED` per `failed_every`).
async fn seed_import_job(
    State(app): State<AppRef>,
    Query(q): Query<SeedQuery>,
    Json(seed): Json<Seed>,
) -> ApiResult<Json<Value>> {
    if seed.total == 0 || seed.total > 5_000_000 {
        return Err(bad("total must be 1..=5000000"));
    }
    let key = q
        .api_key
        .or_else(|| app.cfg.api_keys.first().cloned())
        .unwrap_or_default();
    let owner = util::user_id_for_key(&key);
    let source = seed.source.unwrap_or_else(|| "gcs".into());
    let scheme = if source == "s3" { "s3" } else { "gs" };
    let bucket = seed.bucket.unwrap_or_else(|| "seeded-bucket".into());
    let job_id = util::new_id("ij_");
    let now = util::now_ms();
    let mut conn = app.db();
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO import_jobs (id, owner, source, bucket, folder_id, scope, integration_id, items_json,
         multiview, total, created_at_ms, updated_at_ms, completed_at_ms)
         VALUES (?1, ?2, ?3, ?4, NULL, 'user', NULL, '\"seeded\"', 0, ?5, ?6, ?6, ?6)",
        params![job_id, owner, source, bucket, seed.total, now],
    )?;
    {
        let mut ins = tx.prepare(
            "INSERT INTO import_rows (job_id, seq, video_id, uri, failed_reason) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for seq in 0..seed.total {
            let video_id = format!("{}{seq:08}", &job_id[3..15]);
            let uri = format!("{scheme}://{bucket}/seeded/{seq:08}.mp4");
            let failed = (seed.failed_every > 0 && (seq + 1) % seed.failed_every == 0)
                .then_some("seeded failure");
            ins.execute(params![job_id, seq, video_id, uri, failed])?;
        }
    }
    tx.commit()?;
    Ok(Json(json!({"import_job_id": job_id, "total": seed.total})))
}
