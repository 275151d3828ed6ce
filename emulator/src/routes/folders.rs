//! Folders: create (409 on a duplicate), create-or-get, get. `user` and `org` scopes are apart:
//! the same name may exist once in each.

use super::{folder_in_scope, folder_json, folder_scope, scope_owner, FolderRow};
use crate::body::{json_object, Fields};
use crate::error::{ApiError, ApiResult};
use crate::state::{AppRef, Caller};
use crate::util;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use rusqlite::params;
use serde::Deserialize;
use serde_json::Value;

struct NewFolder {
    name: String,
    scope: String,
    description: Option<String>,
}

fn parse_new(body: &[u8]) -> ApiResult<NewFolder> {
    let b = json_object(body)?;
    let name = b.req_str("name")?.trim().to_string();
    let scope = folder_scope(b.opt_str("scope")?)?;
    let description = b
        .opt_str("description")?
        .filter(|d| !d.is_empty())
        .map(str::to_owned);
    Ok(NewFolder {
        name,
        scope,
        description,
    })
}

fn insert(app: &AppRef, caller: &Caller, f: &NewFolder) -> ApiResult<FolderRow> {
    let row = FolderRow {
        id: util::new_id("fld_"),
        name: f.name.clone(),
        scope: f.scope.clone(),
        description: f.description.clone(),
        created_by: caller.user_id.clone(),
        created_at_ms: util::now_ms(),
    };
    app.db()
        .execute(
            "INSERT INTO folders (id, name, scope, owner, description, created_by, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                row.id,
                row.name,
                row.scope,
                scope_owner(caller, &f.scope),
                row.description,
                row.created_by,
                row.created_at_ms
            ],
        )
        .map_err(|e| match e.sqlite_error_code() {
            // Two requests raced for the same name: the loser sees the duplicate.
            Some(rusqlite::ErrorCode::ConstraintViolation) => ApiError::Conflict(format!(
                "Folder '{}' already exists in {} scope",
                f.name, f.scope
            )),
            _ => e.into(),
        })?;
    Ok(row)
}

/// `POST /api/folders`.
pub async fn create(
    State(app): State<AppRef>,
    caller: Caller,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let f = parse_new(&body)?;
    if folder_in_scope(&app.db(), &caller, &f.name, &f.scope)?.is_some() {
        return Err(ApiError::Conflict(format!(
            "Folder '{}' already exists in {} scope",
            f.name, f.scope
        )));
    }
    let row = insert(&app, &caller, &f)?;
    Ok((StatusCode::CREATED, Json(folder_json(&app.db(), &row)?)))
}

/// `POST /api/folders/create-or-get`.
pub async fn create_or_get(
    State(app): State<AppRef>,
    caller: Caller,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let f = parse_new(&body)?;
    let existing = folder_in_scope(&app.db(), &caller, &f.name, &f.scope)?;
    let row = match existing {
        Some(r) => r,
        None => match insert(&app, &caller, &f) {
            Err(ApiError::Conflict(_)) => folder_in_scope(&app.db(), &caller, &f.name, &f.scope)?
                .ok_or_else(|| ApiError::not_found("Folder"))?,
            other => other?,
        },
    };
    Ok(Json(folder_json(&app.db(), &row)?))
}

#[derive(Deserialize)]
pub struct GetQuery {
    name: Option<String>,
    scope: Option<String>,
}

/// `GET /api/folders/get?name=&scope=`.
pub async fn get(
    State(app): State<AppRef>,
    caller: Caller,
    Query(q): Query<GetQuery>,
) -> ApiResult<Json<Value>> {
    let name = q
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::query("name", "field required"))?;
    let scope = folder_scope(q.scope.as_deref())
        .map_err(|_| ApiError::query("scope", "scope must be 'user' or 'org'"))?;
    let conn = app.db();
    let f = folder_in_scope(&conn, &caller, name, &scope)?
        .ok_or_else(|| ApiError::not_found("Folder"))?;
    Ok(Json(folder_json(&conn, &f)?))
}
