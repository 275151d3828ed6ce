//! Saved cloud integrations (GCS service accounts, S3 keys). Shared by the organisation, as the
//! service lists "every integration visible to your user/org". Secrets are stored, never shown.

use crate::body::{json_object, Fields};
use crate::error::{ApiError, ApiResult};
use crate::state::{AppRef, Caller};
use crate::util;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{json, Map, Value};

pub struct Integration {
    pub id: String,
    pub owner: String,
    pub kind: String,
    pub name: String,
    pub bucket: String,
    pub prefix: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub created_at_ms: i64,
}

const COLS: &str = "id, owner, type, name, bucket, prefix, region, endpoint_url, created_at_ms";

fn from_row(r: &Row) -> rusqlite::Result<Integration> {
    Ok(Integration {
        id: r.get(0)?,
        owner: r.get(1)?,
        kind: r.get(2)?,
        name: r.get(3)?,
        bucket: r.get(4)?,
        prefix: r.get(5)?,
        region: r.get(6)?,
        endpoint_url: r.get(7)?,
        created_at_ms: r.get(8)?,
    })
}

pub fn find(conn: &Connection, id: &str) -> ApiResult<Option<Integration>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM integrations WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?)
}

/// The first integration of `kind` for `bucket`, in creation order.
pub fn for_bucket(conn: &Connection, kind: &str, bucket: &str) -> ApiResult<Option<Integration>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM integrations WHERE type = ?1 AND bucket = ?2 ORDER BY created_at_ms, id LIMIT 1"),
            params![kind, bucket],
            from_row,
        )
        .optional()?)
}

fn to_json(i: &Integration, caller: &Caller) -> Value {
    json!({
        "id": i.id,
        "name": i.name,
        "type": i.kind,
        "bucket": i.bucket,
        "prefix": i.prefix,
        "region": i.region,
        "endpoint_url": i.endpoint_url,
        "role_arn": null,
        "created_at": util::iso(i.created_at_ms),
        "last_used": null,
        "created_by": i.owner,
        "created_by_display_name": null,
        "is_owner": i.owner == caller.user_id,
    })
}

/// `GET /api/cloud-integrations`: a JSON array.
pub async fn list(State(app): State<AppRef>, caller: Caller) -> ApiResult<Json<Value>> {
    let conn = app.db();
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLS} FROM integrations ORDER BY created_at_ms, id"
    ))?;
    let items = stmt
        .query_map([], from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(Value::Array(
        items.iter().map(|i| to_json(i, &caller)).collect(),
    )))
}

struct Common {
    name: String,
    bucket: String,
    prefix: Option<String>,
}

fn common(b: &Map<String, Value>, kind: &str) -> ApiResult<Common> {
    if let Some(t) = b.opt_str("type")? {
        if t != kind {
            return Err(ApiError::field(
                "type",
                format!("type must be '{kind}' on this endpoint"),
            ));
        }
    }
    Ok(Common {
        name: b.req_str("name")?.trim().to_string(),
        bucket: b.req_str("bucket")?.trim().to_string(),
        prefix: b.opt_str("prefix")?.map(str::to_owned),
    })
}

fn save(
    app: &AppRef,
    caller: &Caller,
    kind: &str,
    c: Common,
    region: Option<String>,
    endpoint: Option<String>,
    secret: Value,
) -> ApiResult<Json<Value>> {
    let i = Integration {
        id: util::new_id("int_"),
        owner: caller.user_id.clone(),
        kind: kind.into(),
        name: c.name,
        bucket: c.bucket,
        prefix: c.prefix,
        region,
        endpoint_url: endpoint,
        created_at_ms: util::now_ms(),
    };
    app.db().execute(
        "INSERT INTO integrations (id, owner, type, name, bucket, prefix, region, endpoint_url, secret_json, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![i.id, i.owner, i.kind, i.name, i.bucket, i.prefix, i.region, i.endpoint_url, secret.to_string(), i.created_at_ms],
    )?;
    Ok(Json(to_json(&i, caller)))
}

/// `POST /api/cloud-integrations/gcs` `{name, type, service_account: {...}, bucket, prefix}`.
pub async fn add_gcs(
    State(app): State<AppRef>,
    caller: Caller,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = json_object(&body)?;
    let c = common(&b, "gcs")?;
    let sa = match b.get("service_account") {
        Some(Value::Object(m)) if !m.is_empty() => m.clone(),
        Some(_) => {
            return Err(ApiError::field(
                "service_account",
                "service_account must be a non-empty JSON object",
            ))
        }
        None => return Err(ApiError::missing("service_account")),
    };
    save(&app, &caller, "gcs", c, None, None, Value::Object(sa))
}

/// `POST /api/cloud-integrations/s3` `{name, type, access_key_id, secret_access_key,
/// session_token, region, endpoint_url, bucket, prefix}`.
pub async fn add_s3(
    State(app): State<AppRef>,
    caller: Caller,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = json_object(&body)?;
    let c = common(&b, "s3")?;
    let secret = json!({
        "access_key_id": b.req_str("access_key_id")?,
        "secret_access_key": b.req_str("secret_access_key")?,
        "session_token": b.opt_str("session_token")?,
    });
    let region = b.req_str("region")?.trim().to_string();
    let endpoint = b
        .opt_str("endpoint_url")?
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned);
    save(&app, &caller, "s3", c, Some(region), endpoint, secret)
}
