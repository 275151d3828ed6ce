//! Search sessions: start, run, poll. Relevance is Okapi BM25 (k1 = 1.2, b = 0.75) over each
//! stored event's text (category, label and AI analysis) among the completed analyses of the
//! folder's videos; `similarity` is `score / (score + 1)`, in (0, 1), rank-preserving.

use super::analysis::{analysis_from_row, ANALYSIS_COLS};
use super::{folder_by_name, VideoRow, VIDEO_COLS};
use crate::body::{json_object, Fields, Form};
use crate::error::{ApiError, ApiResult};
use crate::state::{AppRef, Caller};
use crate::util;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

const MAX_MATCHES: usize = 20;

/// `POST /api/search-sessions/start` `{query, folder_name, scope: my|org|sample}`.
pub async fn start(
    State(app): State<AppRef>,
    caller: Caller,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b = json_object(&body)?;
    let query = b.req_str("query")?.to_string();
    let folder = b.req_str("folder_name")?.to_string();
    let scope = b.opt_str("scope")?.unwrap_or("my").to_string();
    if !["my", "org", "sample"].contains(&scope.as_str()) {
        return Err(ApiError::field(
            "scope",
            "scope must be 'my', 'org' or 'sample'",
        ));
    }
    let id = util::new_id("ss_");
    app.db().execute(
        "INSERT INTO search_sessions (id, owner, query, folder_name, scope, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, caller.user_id, query, folder, scope, util::now_ms()],
    )?;
    let doc_path = format!("search-sessions/{}/sessions/{id}", caller.user_id);
    Ok(Json(json!({
        "session_id": id,
        "owner_uid": caller.user_id,
        "session_doc_path": doc_path,
        "reasoning_trace_path": format!("{doc_path}/reasoning"),
    })))
}

/// `POST /api/search?folder_collection=` (form `query, folder, session_id, ...`): runs the search
/// and stores the result in the session.
pub async fn run(State(app): State<AppRef>, caller: Caller, body: Bytes) -> ApiResult<Json<Value>> {
    let form = Form::parse(&body);
    let query = form.require("query")?.to_string();
    let folder = form.require("folder")?.to_string();
    let session_id = form.require("session_id")?.to_string();
    let conn = app.db();
    let scope: String = conn
        .query_row(
            "SELECT scope FROM search_sessions WHERE id = ?1 AND owner = ?2",
            params![session_id, caller.user_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("Search session"))?;
    let folder_scope = match scope.as_str() {
        "org" => Some("org"),
        "sample" => Some("sample"),
        _ => Some("user"),
    };
    let result = match folder_by_name(&conn, &caller, &folder, folder_scope)? {
        None => json!({
            "status": "completed",
            "summary": format!("No folder named '{folder}' in the {scope} scope."),
            "thoughts": [format!("Looked for folder '{folder}' in the {scope} scope: not found.")],
            "matches": [],
        }),
        Some(f) => {
            let mut stmt = conn.prepare(&format!(
                "SELECT {VIDEO_COLS} FROM videos WHERE folder_id = ?1 ORDER BY created_at_ms"
            ))?;
            let videos = stmt
                .query_map([&f.id], VideoRow::from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            let mut docs = Vec::new();
            for v in &videos {
                let mut st = conn.prepare_cached(&format!(
                    "SELECT {ANALYSIS_COLS} FROM analyses WHERE video_id = ?1 AND owner = ?2 ORDER BY created_at_ms"
                ))?;
                let analyses = st
                    .query_map(params![v.id, caller.user_id], analysis_from_row)?
                    .collect::<Result<Vec<_>, _>>()?;
                for a in analyses.iter().filter(|a| a.status() == "completed") {
                    for (i, e) in a.events(&app).iter().enumerate() {
                        let text = ["type", "description", "aiAnalysis"]
                            .iter()
                            .filter_map(|k| e.get(*k).and_then(Value::as_str))
                            .collect::<Vec<_>>()
                            .join(" ");
                        docs.push(Doc {
                            video_id: v.id.clone(),
                            analysis_id: a.id.clone(),
                            event_index: i,
                            label: e["description"].as_str().unwrap_or("").to_string(),
                            text,
                        });
                    }
                }
            }
            search_docs(&query, &folder, videos.len(), &docs)
        }
    };
    conn.execute(
        "UPDATE search_sessions SET result_json = ?1 WHERE id = ?2",
        params![result.to_string(), session_id],
    )?;
    Ok(Json(json!({"status": "started", "session_id": session_id})))
}

/// `GET /api/search-sessions/{owner}/{session}`: `{"data": {status, summary, thoughts, matches}}`.
pub async fn session(
    State(app): State<AppRef>,
    caller: Caller,
    Path((owner, sid)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    if owner != caller.user_id {
        return Err(ApiError::not_found("Search session"));
    }
    let row: Option<(String, String, Option<String>)> = app
        .db()
        .query_row(
            "SELECT query, folder_name, result_json FROM search_sessions WHERE id = ?1 AND owner = ?2",
            params![sid, owner],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (query, folder, result) = row.ok_or_else(|| ApiError::not_found("Search session"))?;
    let mut data = match result.and_then(|t| serde_json::from_str::<Value>(&t).ok()) {
        Some(r) => r,
        None => json!({"status": "pending", "thoughts": [], "matches": []}),
    };
    data["query"] = json!(query);
    data["folder_name"] = json!(folder);
    data["session_id"] = json!(sid);
    Ok(Json(json!({ "data": data })))
}

pub struct Doc {
    pub video_id: String,
    pub analysis_id: String,
    pub event_index: usize,
    pub label: String,
    pub text: String,
}

fn tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Ranks `docs` against `query` with BM25 and shapes the session result.
pub fn search_docs(query: &str, folder: &str, video_count: usize, docs: &[Doc]) -> Value {
    let q: Vec<String> = {
        let mut seen = HashSet::new();
        tokens(query)
            .into_iter()
            .filter(|t| seen.insert(t.clone()))
            .collect()
    };
    let doc_tokens: Vec<Vec<String>> = docs.iter().map(|d| tokens(&d.text)).collect();
    let n = docs.len() as f64;
    let avgdl = if docs.is_empty() {
        1.0
    } else {
        doc_tokens.iter().map(Vec::len).sum::<usize>() as f64 / n
    };
    let df: HashMap<&str, f64> = q
        .iter()
        .map(|t| {
            (
                t.as_str(),
                doc_tokens.iter().filter(|d| d.contains(t)).count() as f64,
            )
        })
        .collect();
    let (k1, b) = (1.2, 0.75);
    let mut scored: Vec<(f64, usize, Vec<&str>)> = doc_tokens
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let dl = d.len() as f64;
            let mut score = 0.0;
            let mut hit = Vec::new();
            for t in &q {
                let tf = d.iter().filter(|x| *x == t).count() as f64;
                if tf == 0.0 {
                    continue;
                }
                hit.push(t.as_str());
                let dft = df.get(t.as_str()).copied().unwrap_or(0.0);
                let idf = ((n - dft + 0.5) / (dft + 0.5) + 1.0).ln();
                score += idf * tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * dl / avgdl.max(1e-9)));
            }
            (score, i, hit)
        })
        .filter(|(s, _, _)| *s > 0.0)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.truncate(MAX_MATCHES);
    let matches: Vec<Value> = scored
        .iter()
        .map(|(s, i, hit)| {
            let d = &docs[*i];
            json!({
                "video_id": d.video_id,
                "analysis_id": d.analysis_id,
                "event_index": d.event_index,
                "similarity": (s / (s + 1.0) * 10_000.0).round() / 10_000.0,
                "reason": format!("'{}' matches {}", d.label, hit.join(", ")),
            })
        })
        .collect();
    let summary = match scored.first() {
        None => format!("No events in '{folder}' match '{query}'."),
        Some((_, i, _)) => format!(
            "{} matching event(s) in '{folder}' for '{query}'; best: '{}' in video {}.",
            matches.len(),
            docs[*i].label,
            docs[*i].video_id
        ),
    };
    json!({
        "status": "completed",
        "summary": summary,
        "thoughts": [
            format!("Searched {} event(s) from {video_count} video(s) in '{folder}'.", docs.len()),
            format!("Query terms: {}.", q.join(", ")),
            format!("Ranked by BM25; kept {} match(es).", matches.len()),
        ],
        "matches": matches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(i: usize, text: &str) -> Doc {
        Doc {
            video_id: format!("v{i}"),
            analysis_id: "a".into(),
            event_index: i,
            label: text.into(),
            text: text.into(),
        }
    }

    #[test]
    fn bm25_ranks_the_best_match_first() {
        let docs = vec![
            doc(0, "car turning left"),
            doc(1, "red pickup truck overtaking a cyclist"),
            doc(2, "red light"),
            doc(3, "pedestrian"),
        ];
        let r = search_docs("red pickup truck overtaking", "f", 4, &docs);
        let m = r["matches"].as_array().unwrap();
        assert_eq!(m[0]["video_id"], "v1");
        assert_eq!(m.len(), 2);
        let s0 = m[0]["similarity"].as_f64().unwrap();
        assert!(s0 > m[1]["similarity"].as_f64().unwrap() && s0 < 1.0);
        assert!(search_docs("zebra", "f", 4, &docs)["matches"]
            .as_array()
            .unwrap()
            .is_empty());
        assert!(search_docs("", "f", 0, &[])["matches"]
            .as_array()
            .unwrap()
            .is_empty());
    }
}
