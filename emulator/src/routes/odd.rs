//! `POST /api/ask-question` with `prompt_type=odd_export`: the structured operating-domain CSV,
//! with exactly the requested columns, one row per five seconds of video. Values are
//! deterministic stand-ins chosen by the column's type (the emulator cannot see the road).

use super::visible_video;
use crate::body::Form;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppRef, Caller};
use crate::util;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

const SEGMENT_S: f64 = 5.0;
const MAX_ROWS: usize = 720;

struct Column {
    name: String,
    kind: String,
    literals: Vec<String>,
}

fn columns(v: &Value) -> ApiResult<Vec<Column>> {
    let bad = |m: &str| ApiError::field("custom_columns", m.to_string());
    let list = v
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| bad("custom_columns must be a non-empty JSON array"))?;
    list.iter()
        .map(|c| {
            let text = |k: &str| {
                c.get(k)
                    .and_then(Value::as_str)
                    .filter(|s| !s.trim().is_empty())
                    .map(str::to_owned)
            };
            let literals = match c.get("literals") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|l| {
                        l.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| bad("literals must be strings"))
                    })
                    .collect::<ApiResult<_>>()?,
                Some(_) => return Err(bad("literals must be a list of strings")),
            };
            text("prompt").ok_or_else(|| bad("every column needs a non-empty prompt"))?;
            Ok(Column {
                name: text("name").ok_or_else(|| bad("every column needs a non-empty name"))?,
                kind: text("type").ok_or_else(|| bad("every column needs a non-empty type"))?,
                literals,
            })
        })
        .collect()
}

fn value(c: &Column, row: usize, t: f64) -> String {
    let secs = t as u64;
    match c.kind.as_str() {
        "categorical" => c
            .literals
            .iter()
            .find(|l| *l == "unknown" || *l == "none")
            .or(c.literals.first())
            .cloned()
            .unwrap_or_default(),
        "integer" => "0".into(),
        "boolean" => "false".into(),
        "km/h" => String::new(),
        k if k.starts_with("YYYY") => {
            format!("2024-01-01T00:{:02}:{:02}Z", secs / 60 % 60, secs % 60)
        }
        _ => format!("segment {}", row + 1),
    }
}

/// RFC 4180 quoting: only when needed, with doubled quotes.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub async fn ask_question(
    State(app): State<AppRef>,
    caller: Caller,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let started = std::time::Instant::now();
    let form = Form::parse(&body);
    let prompt_type = form
        .text("prompt_type")
        .or(form.text("question"))
        .unwrap_or("");
    if prompt_type != "odd_export" {
        return Err(ApiError::field(
            "prompt_type",
            "the emulator answers prompt_type=odd_export only",
        ));
    }
    let video_id = form.require("video_id")?;
    let cols = columns(
        &form
            .json("custom_columns")?
            .ok_or_else(|| ApiError::missing("custom_columns"))?,
    )?;
    let trace = form.text("reasoning_trace_path").map(str::to_owned);
    let video = visible_video(&app.db(), &caller, video_id)?;
    if video.status != "uploaded" {
        return Err(ApiError::BadRequest(format!(
            "video {video_id} is {}, not uploaded",
            video.status
        )));
    }
    let duration = video.duration_s.unwrap_or(0.0);
    let rows = ((duration / SEGMENT_S).ceil() as usize).clamp(1, MAX_ROWS);
    let mut csv = cols
        .iter()
        .map(|c| csv_field(&c.name))
        .collect::<Vec<_>>()
        .join(",");
    for r in 0..rows {
        csv.push_str("\r\n");
        let line: Vec<String> = cols
            .iter()
            .map(|c| csv_field(&value(c, r, r as f64 * SEGMENT_S)))
            .collect();
        csv.push_str(&line.join(","));
    }
    let share_id = util::new_id("odd_");
    Ok(Json(json!({
        "answer": csv,
        "share_id": share_id,
        "share_url": format!("{}/share/odd/{share_id}", app.base_url()),
        "processing_time": started.elapsed().as_secs_f64(),
        "reasoning_trace_path": trace,
        "video_id": video_id,
    })))
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn quoting() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\"\n"), "\"say \"\"hi\"\"\n\"");
    }
}
