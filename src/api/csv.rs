//! The event-level CSV of a batch (built on the client; there is no CSV endpoint). Columns are
//! the reference doc's; quoting is RFC 4180 (minimal, doubled quotes), lines end in CRLF.

use crate::value::{replace, Value};

pub const COLUMNS: [&str; 17] = [
    "Query",
    "Video",
    "Approval Status",
    "Timestamp",
    "Category",
    "Label",
    "AI Analysis",
    "Severity",
    "Video ID",
    "Analysis ID",
    "Batch ID",
    "Batch Viewer URL",
    "Status",
    "Confidence",
    "Annotated Thumbnail URL",
    "Import Source URI",
    "Summary",
];

fn push_field(out: &mut String, s: &str) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push('"');
        out.push_str(&replace(s, "\"", "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// Appends one record, its cells separated by commas (built in place: collecting the cells and
/// joining them measured 0.1 KB more).
fn push_record(out: &mut String, cells: &[&str]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, c);
    }
}

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::Str(s)) => s.clone(),
        Some(other) => crate::value::json_text(other),
    }
}

/// The first of `keys` (a key may be `data.x`) that is present and not empty.
fn first(e: &Value, keys: &[&str]) -> String {
    for k in keys {
        let text = match k.strip_prefix("data.") {
            Some(d) => cell(e.at(&["data", d])),
            None => cell(e.get(k)),
        };
        if !text.is_empty() {
            return text;
        }
    }
    String::new()
}

/// One row per event of `{batch_metadata, results}`; a header even with no events.
pub fn batch_csv(batch: &Value) -> String {
    let meta = batch.get("batch_metadata").cloned().unwrap_or(Value::Null);
    let mut out = String::new();
    push_record(&mut out, &COLUMNS);
    for r in batch.get("results").and_then(Value::arr).unwrap_or(&[]) {
        for e in r.get("events").and_then(Value::arr).unwrap_or(&[]) {
            let start = first(
                e,
                &[
                    "t_start",
                    "time",
                    "start_time",
                    "data.t_start",
                    "data.start_time",
                ],
            );
            let end = first(e, &["t_end", "end_time", "data.t_end", "data.end_time"]);
            let timestamp = if !end.is_empty() && end != start && !start.is_empty() {
                start + "-" + &end
            } else if start.is_empty() {
                end
            } else {
                start
            };
            let category = first(e, &["category", "type"]);
            let label = first(e, &["description", "data.label", "label"]);
            let label = if label == category {
                String::new()
            } else {
                label
            };
            let or = |v: String, fallback: String| if v.is_empty() { fallback } else { v };
            let row = [
                or(first(r, &["query"]), first(&meta, &["prompt", "query"])),
                first(r, &["video_name", "video_id"]),
                or(first(e, &["approval"]), "pending".into()),
                timestamp,
                category,
                label,
                first(e, &["aiAnalysis", "data.aiAnalysis"]),
                first(e, &["severity"]),
                first(r, &["video_id"]),
                first(r, &["analysis_id"]),
                first(&meta, &["batch_id"]),
                first(&meta, &["batch_viewer_url"]),
                first(r, &["status"]),
                first(e, &["confidence"]),
                first(e, &["annotated_thumbnail_url"]),
                first(r, &["import_source_uri"]),
                first(r, &["summary"]),
            ];
            out.push_str("\r\n");
            push_record(&mut out, &row.each_ref().map(String::as_str));
        }
    }
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::testing::parse;

    /// A strict RFC 4180 reader, to prove the writer's output reads back.
    fn read(csv: &str) -> Vec<Vec<String>> {
        let mut rows = vec![vec![String::new()]];
        let mut quoted = false;
        let mut chars = csv.chars().peekable();
        while let Some(c) = chars.next() {
            let row = rows.last_mut().unwrap();
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    chars.next();
                    row.last_mut().unwrap().push('"');
                }
                ('"', _) => quoted = !quoted,
                (',', false) => row.push(String::new()),
                ('\r', false) if chars.peek() == Some(&'\n') => {
                    chars.next();
                    rows.push(vec![String::new()]);
                }
                (c, _) => row.last_mut().unwrap().push(c),
            }
        }
        rows
    }

    #[test]
    fn awkward_labels_survive_a_round_trip() {
        let batch = parse(r#"{"batch_metadata": {"batch_id": "b1", "batch_viewer_url": "u", "prompt": "vans, \"white\""}, "results": [
            {"video_id": "v1", "analysis_id": "a1", "status": "completed", "summary": "two\nlines", "video_name": "cam 1.mp4", "events": [
              {"t_start": "01:02:05", "t_end": "01:02:09", "category": "Parking", "label": "Van, \"double\" parked\r\non ✓ sidewalk", "aiAnalysis": "", "severity": "high", "confidence": 0.93, "approval": "approved"},
              {"t_start": "00:03", "t_end": "00:03", "category": "Same", "label": "Same"}]},
            {"video_id": "v2", "events": []}]}"#).unwrap();
        let csv = batch_csv(&batch);
        let rows = read(&csv);
        assert_eq!(
            rows[0],
            COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>()
        );
        assert_eq!(
            rows.len(),
            3,
            "one row per event, none for a video without events"
        );
        assert_eq!(rows[1][0], "vans, \"white\"");
        assert_eq!(rows[1][1], "cam 1.mp4");
        assert_eq!(rows[1][3], "01:02:05-01:02:09");
        assert_eq!(rows[1][5], "Van, \"double\" parked\r\non ✓ sidewalk");
        assert_eq!(rows[1][13], "0.93");
        assert_eq!(rows[1][16], "two\nlines");
        assert_eq!(
            (
                rows[2][2].as_str(),
                rows[2][3].as_str(),
                rows[2][5].as_str()
            ),
            ("pending", "00:03", "")
        );
        assert_eq!(
            batch_csv(&parse(r#"{"results": []}"#).unwrap()),
            COLUMNS.join(",")
        );
    }
}
