//! The `/api/` endpoints, one module per resource, and the lookups they share.

pub mod analysis;
pub mod batches;
pub mod folders;
pub mod imports;
pub mod integrations;
pub mod media;
pub mod odd;
pub mod prompt;
pub mod search;
pub mod videos;

use crate::error::{ApiError, ApiResult};
use crate::state::Caller;
use crate::storage::effective_status;
use crate::util::{self, ORG_ID};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{json, Value};

/// A video as the routes read it.
pub struct VideoRow {
    pub id: String,
    pub owner: String,
    pub scope: String,
    pub folder_id: Option<String>,
    pub name: String,
    /// `processing`, `uploaded` or `uploading_failed`, with the processing delay applied.
    pub status: &'static str,
    pub error: Option<String>,
    pub duration_s: Option<f64>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub codec: Option<String>,
    pub size_bytes: i64,
    pub file: Option<String>,
    pub metadata_json: Option<String>,
    pub source: String,
    pub source_uri: Option<String>,
    pub views_json: Option<String>,
    pub created_at_ms: i64,
    pub ready_at_ms: i64,
}

pub const VIDEO_COLS: &str =
    "id, owner, scope, folder_id, name, status, error, duration_s, width, height, codec, \
    size_bytes, file, metadata_json, source, source_uri, views_json, created_at_ms, ready_at_ms";

impl VideoRow {
    pub fn from_row(r: &Row) -> rusqlite::Result<VideoRow> {
        let stored: String = r.get(5)?;
        let ready_at_ms: i64 = r.get(18)?;
        Ok(VideoRow {
            id: r.get(0)?,
            owner: r.get(1)?,
            scope: r.get(2)?,
            folder_id: r.get(3)?,
            name: r.get(4)?,
            status: effective_status(&stored, ready_at_ms, util::now_ms()),
            error: r.get(6)?,
            duration_s: r.get(7)?,
            width: r.get(8)?,
            height: r.get(9)?,
            codec: r.get(10)?,
            size_bytes: r.get(11)?,
            file: r.get(12)?,
            metadata_json: r.get(13)?,
            source: r.get(14)?,
            source_uri: r.get(15)?,
            views_json: r.get(16)?,
            created_at_ms: r.get(17)?,
            ready_at_ms,
        })
    }
}

/// A video the caller may see: their own, or one in the organisation's scope.
pub fn visible_video(conn: &Connection, caller: &Caller, id: &str) -> ApiResult<VideoRow> {
    conn.query_row(
        &format!("SELECT {VIDEO_COLS} FROM videos WHERE id = ?1 AND (owner = ?2 OR scope = 'org')"),
        params![id, caller.user_id],
        VideoRow::from_row,
    )
    .optional()?
    .ok_or_else(|| ApiError::not_found("Video"))
}

pub struct FolderRow {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub description: Option<String>,
    pub created_by: String,
    pub created_at_ms: i64,
}

const FOLDER_COLS: &str = "id, name, scope, description, created_by, created_at_ms";

fn folder_from_row(r: &Row) -> rusqlite::Result<FolderRow> {
    Ok(FolderRow {
        id: r.get(0)?,
        name: r.get(1)?,
        scope: r.get(2)?,
        description: r.get(3)?,
        created_by: r.get(4)?,
        created_at_ms: r.get(5)?,
    })
}

/// Who owns the folders of a scope: the user for `user`, the organisation for `org`.
pub fn scope_owner<'a>(caller: &'a Caller, scope: &str) -> &'a str {
    if scope == "org" {
        ORG_ID
    } else {
        &caller.user_id
    }
}

/// `scope` as the folder endpoints accept it (`user` or `org`, any case).
pub fn folder_scope(scope: Option<&str>) -> ApiResult<String> {
    let s = scope.unwrap_or("user").trim().to_ascii_lowercase();
    match s.as_str() {
        "user" | "org" => Ok(s),
        _ => Err(ApiError::field("scope", "scope must be 'user' or 'org'")),
    }
}

pub fn folder_in_scope(
    conn: &Connection,
    caller: &Caller,
    name: &str,
    scope: &str,
) -> ApiResult<Option<FolderRow>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {FOLDER_COLS} FROM folders WHERE scope = ?1 AND owner = ?2 AND name = ?3"
            ),
            params![scope, scope_owner(caller, scope), name],
            folder_from_row,
        )
        .optional()?)
}

/// A folder by name; with no scope the personal folder wins over the organisation's.
pub fn folder_by_name(
    conn: &Connection,
    caller: &Caller,
    name: &str,
    scope: Option<&str>,
) -> ApiResult<Option<FolderRow>> {
    match scope.map(|s| s.trim().to_ascii_lowercase()) {
        Some(s) if s == "user" || s == "org" => folder_in_scope(conn, caller, name, &s),
        Some(_) => Ok(None),
        None => Ok(match folder_in_scope(conn, caller, name, "user")? {
            Some(f) => Some(f),
            None => folder_in_scope(conn, caller, name, "org")?,
        }),
    }
}

/// A folder by id that the caller may use.
pub fn folder_by_id(conn: &Connection, caller: &Caller, id: &str) -> ApiResult<FolderRow> {
    conn.query_row(
        &format!(
            "SELECT {FOLDER_COLS} FROM folders WHERE id = ?1 AND (owner = ?2 OR scope = 'org')"
        ),
        params![id, caller.user_id],
        folder_from_row,
    )
    .optional()?
    .ok_or_else(|| ApiError::not_found("Folder"))
}

pub fn folder_name(conn: &Connection, id: Option<&str>) -> Option<String> {
    let id = id?;
    conn.query_row("SELECT name FROM folders WHERE id = ?1", [id], |r| r.get(0))
        .optional()
        .ok()
        .flatten()
}

pub fn folder_json(conn: &Connection, f: &FolderRow) -> ApiResult<Value> {
    let count: i64 = conn.query_row(
        "SELECT COUNT(*) FROM videos WHERE folder_id = ?1",
        [&f.id],
        |r| r.get(0),
    )?;
    Ok(json!({
        "id": f.id,
        "name": f.name,
        "scope": f.scope,
        "org_id": if f.scope == "org" { Some(ORG_ID) } else { None },
        "created_at": util::iso(f.created_at_ms),
        "created_by": f.created_by,
        "description": f.description,
        "video_count": count,
    }))
}
