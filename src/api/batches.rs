//! Batches (API.md §7.4, §14, §15): run one over many videos, read its results (filtered by
//! approval, or as CSV), and merge custom metadata into it.

use super::analysis::Options;
use super::events;
use super::poll::{until, Schedule};
use super::validate::{self, invalid};
use super::{path, Body, Call, Request, Seg, Transport};
use crate::error::Error;
use crate::value::{each_str, json_text, obj, strings, Value};

/// Bulk reads carry at most this many ids each.
const BULK_CHUNK: usize = 100;
pub const APPROVALS: [&str; 4] = ["approved", "rejected", "pending", "invalid"];

/// `{dashboard}/use-cases/rapid-review/batch-view/{batch_id}` (API.md §1.1).
pub fn viewer_url(collection: &str, batch_id: &str) -> String {
    let dashboard = if collection == "videos" {
        "https://app.nomadicml.com"
    } else {
        "https://main.app.nomadicml.com"
    };
    dashboard.to_string() + "/use-cases/rapid-review/batch-view/" + batch_id
}

fn batch_path(id: &str, rest: &'static str) -> Result<String, Error> {
    let id = validate::id("batch id", id)?;
    Ok(path(&[
        Seg::Lit("/api/batch/"),
        Seg::Id(&id),
        Seg::Lit(rest),
    ]))
}

/// 32 lowercase hex digits, fresh for each batch.
fn client_batch_id<T: Transport>(c: &Call<'_, T>) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(32);
    for _ in 0..32 {
        id.push(HEX[(c.t.random() * 16.0) as usize & 15] as char);
    }
    id
}

/// `POST /api/batch/{id}/analyses/bulk` in chunks: `{video_id: bulk item}` and
/// `{video_id: error}` (objects are this module's maps: a batch's ids are few enough to find by
/// a scan). A chunk that fails marks its videos with the error rather than failing the whole
/// batch (abort excepted).
async fn bulk<T: Transport>(
    c: &Call<'_, T>,
    batch_id: &str,
    ids: &[String],
) -> Result<(Value, Value), Error> {
    let mut found = Value::Obj(Vec::new());
    let mut errors = Value::Obj(Vec::new());
    for chunk in ids.chunks(BULK_CHUNK) {
        let body = obj([("video_ids", strings(chunk))]);
        let req = Request::post(
            batch_path(batch_id, "/analyses/bulk")?,
            Body::Json(json_text(&body)),
        )
        .query("include_source_uri", "true");
        match c.object(req).await {
            Ok(doc) => {
                for item in doc.get("analyses").and_then(Value::arr).unwrap_or(&[]) {
                    if let Some(v) = item.get_str("video_id") {
                        found.set(v, item.clone());
                    }
                }
            }
            Err(e @ Error::Abort(_)) => return Err(e),
            Err(e) => {
                for id in chunk {
                    errors.set(id, e.message().into());
                }
            }
        }
    }
    Ok((found, errors))
}

/// `{video_id: status row}`.
fn status_rows(status: &Value) -> Value {
    let mut rows = Value::Obj(Vec::new());
    for r in status.get("videos").and_then(Value::arr).unwrap_or(&[]) {
        if let Some(v) = r.get_str("video_id") {
            rows.set(v, r.clone());
        }
    }
    rows
}

fn lower_status(doc: Option<&Value>, row: Option<&Value>) -> String {
    doc.and_then(|d| d.at(&["analysis", "status"]))
        .or_else(|| row.and_then(|r| r.get("status")))
        .and_then(Value::str)
        .unwrap_or("completed")
        .to_ascii_lowercase()
}

/// Creates a batch over `ids`, waits for it, and assembles one result per id, in order.
pub async fn run<T: Transport>(
    c: &Call<'_, T>,
    ids: &[String],
    fields: Vec<(&'static str, String)>,
    ask: bool,
    o: &Options,
    progress: &dyn Fn(&Value),
) -> Result<Value, Error> {
    let mut form: Vec<(&'static str, String)> = Vec::with_capacity(ids.len() + fields.len() + 2);
    for id in ids {
        form.push(("video_ids", id.clone()));
    }
    for f in fields {
        form.push(f);
    }
    form.push(("start", "true".into()));
    form.push(("client_batch_id", client_batch_id(c)));
    let created = c
        .object(Request::post(
            path(&[Seg::Lit("/api/create-batch")]),
            Body::Form(form),
        ))
        .await?;
    let batch_id = created
        .get_str("batch_id")
        .map(str::to_string)
        .ok_or_else(|| Error::Network("the batch answer has no batch_id".into()))?;
    let mode = if ask { "rapid_review" } else { "agent" };
    finish(c, &batch_id, ids, mode, o, progress).await
}

/// Waits for a batch (unless the caller does not wait) and assembles one result per id, in
/// order. `mode` is what each result says it was: `rapid_review` (ASK), `agent`, or a prompt
/// analysis's `thinking` or `fast`; all but agents carry a summary.
pub async fn finish<T: Transport>(
    c: &Call<'_, T>,
    batch_id: &str,
    ids: &[String],
    mode: &str,
    o: &Options,
    progress: &dyn Fn(&Value),
) -> Result<Value, Error> {
    let ask = mode != "agent";
    let batch_type = match mode {
        "rapid_review" => "ask",
        "agent" => "agent",
        _ => "prompt",
    };
    let meta = obj([
        ("batch_id", batch_id.into()),
        (
            "batch_viewer_url",
            viewer_url(&c.names.collection, batch_id).into(),
        ),
        ("batch_type", batch_type.into()),
    ]);
    if !o.wait {
        let mut results = Vec::with_capacity(ids.len());
        for v in ids {
            results.push(obj([
                ("video_id", v.as_str().into()),
                ("analysis_id", Value::Null),
                ("mode", mode.into()),
                ("status", "started".into()),
            ]));
        }
        return Ok(obj([
            ("batch_metadata", meta),
            ("results", Value::Arr(results)),
        ]));
    }
    let limit = o.timeout_ms * ids.len() as f64;
    let schedule = Schedule {
        first_ms: o.poll_ms,
        factor: 1.0,
        cap_ms: o.poll_ms,
    };
    let status = until(
        c,
        limit,
        schedule,
        &("batch ".to_string() + batch_id),
        || async {
            // A prompt batch is polled without its rows, then read whole once (API.md §18).
            let mut req = Request::get(batch_path(batch_id, "/status")?);
            if batch_type == "prompt" {
                req = req.query("include_videos", "false");
            }
            let s = c.object(req).await?;
            progress(&s);
            let done = matches!(
                s.get_str("status")
                    .unwrap_or("")
                    .to_ascii_lowercase()
                    .as_str(),
                "completed" | "failed" | "cancelled"
            );
            Ok(done.then_some(s))
        },
    )
    .await?;
    let status = if batch_type == "prompt" {
        c.object(Request::get(batch_path(batch_id, "/status")?))
            .await?
    } else {
        status
    };
    let rows = status_rows(&status);
    let (docs, errors) = bulk(c, batch_id, ids).await?;
    let mut results = Vec::with_capacity(ids.len());
    for vid in ids {
        results.push(result_row(vid, mode, ask, &rows, &docs, &errors));
    }
    Ok(obj([
        ("batch_metadata", meta),
        ("results", Value::Arr(results)),
    ]))
}

/// One video's result in a finished batch, from its status row, its bulk document and its bulk
/// error (any may be missing).
fn result_row(
    vid: &str,
    mode: &str,
    ask: bool,
    rows: &Value,
    docs: &Value,
    errors: &Value,
) -> Value {
    let row = rows.get(vid);
    let item = docs.get(vid);
    let failed = |msg: String, analysis: Value| {
        obj([
            ("video_id", vid.into()),
            ("mode", mode.into()),
            ("status", "failed".into()),
            ("events", Value::Arr(Vec::new())),
            ("analysis_id", analysis),
            ("error", msg.into()),
        ])
    };
    if row.is_none() && item.is_none() {
        let why = errors
            .get_str(vid)
            .unwrap_or("the batch did not provide an analysis pointer for this video")
            .to_string();
        return failed(why, Value::Null);
    }
    let analysis_id = item
        .and_then(|i| i.get("analysis_id"))
        .or_else(|| row.and_then(|r| r.get("analysis_id")))
        .filter(|v| v.str().is_some())
        .cloned();
    let last_error = || {
        row.and_then(|r| r.get_str("last_error"))
            .map(str::to_string)
    };
    let Some(analysis_id) = analysis_id else {
        return failed(
            last_error().unwrap_or_else(|| "Analysis failed".into()),
            Value::Null,
        );
    };
    let Some(doc) = item
        .and_then(|i| i.get("analysis"))
        .map(|a| obj([("analysis", a.clone())]))
    else {
        return failed(
            last_error().unwrap_or_else(|| "Analysis not found".into()),
            analysis_id,
        );
    };
    let evs = if ask {
        let mut evs = events::parse(&doc, false, true);
        events::fold_each(&mut evs);
        evs
    } else {
        events::parse(&doc, true, false)
    };
    let st = if lower_status(Some(&doc), row) == "failed" {
        "failed"
    } else {
        "completed"
    };
    let mut r = obj([
        ("video_id", vid.into()),
        ("analysis_id", analysis_id),
        ("mode", mode.into()),
        ("status", st.into()),
    ]);
    copy_str(&mut r, "import_source_uri", item, "import_source_uri");
    if ask {
        r.set("summary", events::summary(&doc).into());
    }
    r.set("events", Value::Arr(evs));
    if st == "failed" {
        r.set(
            "error",
            last_error()
                .unwrap_or_else(|| "Analysis failed".into())
                .into(),
        );
    }
    r
}

/// Sets `r[to]` to `item[from]` when that is a string.
fn copy_str(r: &mut Value, to: &str, item: Option<&Value>, from: &str) {
    if let Some(v) = item.and_then(|i| i.get(from)).filter(|v| v.str().is_some()) {
        r.set(to, v.clone());
    }
}

/// Checks an approval filter: each value one of approved, rejected, pending, invalid.
pub fn check_filter(filter: &[String]) -> Result<(), Error> {
    match filter.iter().find(|f| !APPROVALS.contains(&f.as_str())) {
        Some(bad) => Err(invalid(
            "filter '".to_string() + bad + "' is not one of approved, rejected, pending, invalid",
        )),
        None => Ok(()),
    }
}

/// `get_batch_analysis`: the batch's results as `{batch_metadata, results}`, or CSV text.
pub async fn results<T: Transport>(
    c: &Call<'_, T>,
    batch_id: &str,
    filter: Option<&[String]>,
    as_csv: bool,
) -> Result<Value, Error> {
    if let Some(f) = filter {
        check_filter(f)?;
    }
    let status = c
        .object(Request::get(batch_path(batch_id, "/status")?))
        .await?;
    let batch_id = batch_id.trim();
    let url = viewer_url(&c.names.collection, batch_id);
    let rows: Vec<Value> = match status.get("videos") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Arr(rows)) => rows.clone(),
        Some(_) => return Err(crate::transport::shape_error("'videos' is not a list")),
    };
    let config = status.get("config").cloned().unwrap_or(Value::Null);
    let kind = config
        .get_str("analysis_kind")
        .unwrap_or("rapid_review")
        .to_string();
    let ask = kind == "rapid_review";
    let batch_type = if rows.is_empty() {
        "unknown"
    } else if ask {
        "ask"
    } else {
        "agent"
    };
    let mut meta = obj([
        ("batch_id", batch_id.into()),
        ("batch_viewer_url", url.as_str().into()),
        ("batch_type", batch_type.into()),
    ]);
    if !rows.is_empty() {
        meta.set("analysis_type", kind.as_str().into());
        if let Some(t) = status.get("created_at") {
            meta.set("created_at", t.clone());
        }
        if ask {
            for k in [
                "prompt",
                "category",
                "is_thumbnail",
                "use_enhanced_motion_analysis",
            ] {
                if let Some(v) = config.get(k) {
                    meta.set(k, v.clone());
                }
            }
        }
        // The reference promises these; the Python client never fills them.
        meta.set(
            "review_status",
            status
                .get("review_status")
                .cloned()
                .unwrap_or_else(|| "N/A".into()),
        );
        meta.set(
            "review_status_updated_at",
            status
                .get("review_status_updated_at")
                .cloned()
                .unwrap_or_else(|| "N/A".into()),
        );
        meta.set(
            "metadata",
            status
                .get("metadata")
                .filter(|m| matches!(m, Value::Obj(_)))
                .cloned()
                .unwrap_or(Value::Obj(Vec::new())),
        );
    }
    let ids = each_str(&rows, "video_id");
    let (docs, _) = if ids.is_empty() {
        (Value::Null, Value::Null)
    } else {
        bulk(c, batch_id, &ids).await?
    };
    let mut results = Vec::new();
    for row in &rows {
        let Some(vid) = row.get_str("video_id") else {
            continue;
        };
        let item = docs.get(vid);
        let Some(doc) = item
            .and_then(|i| i.get("analysis"))
            .map(|a| obj([("analysis", a.clone())]))
        else {
            if filter.is_none() {
                results.push(obj([
                    ("video_id", vid.into()),
                    (
                        "analysis_id",
                        row.get("analysis_id").cloned().unwrap_or(Value::Null),
                    ),
                    ("mode", batch_type.into()),
                    (
                        "status",
                        row.get("status")
                            .cloned()
                            .unwrap_or_else(|| "failed".into()),
                    ),
                    ("events", Value::Arr(Vec::new())),
                    (
                        "error",
                        row.get("last_error")
                            .filter(|e| e.str().is_some())
                            .cloned()
                            .unwrap_or_else(|| "Analysis not found".into()),
                    ),
                ]));
            }
            continue;
        };
        let mut evs = events::parse(&doc, !ask, true);
        events::fold_each(&mut evs);
        for e in &mut evs {
            if let Value::Obj(m) = e {
                m.retain(|(k, _)| k != "unix_timestamp_start" && k != "unix_timestamp_end");
            }
        }
        if let Some(f) = filter {
            evs.retain(|e| {
                f.iter()
                    .any(|a| e.get_str("approval").unwrap_or("pending") == a)
            });
            if evs.is_empty() {
                continue;
            }
        }
        let st = lower_status(Some(&doc), Some(row));
        let st = if st == "failed" {
            "failed"
        } else {
            "completed"
        };
        let analysis_id = item
            .and_then(|i| i.get("analysis_id"))
            .cloned()
            .unwrap_or(Value::Null);
        let mut r = obj([
            ("video_id", vid.into()),
            ("analysis_id", analysis_id),
            ("mode", batch_type.into()),
            ("status", st.into()),
            ("events", Value::Arr(evs)),
        ]);
        copy_str(&mut r, "import_source_uri", item, "import_source_uri");
        copy_str(&mut r, "video_name", item, "filename");
        if ask {
            r.set("summary", events::summary(&doc).into());
        }
        results.push(r);
    }
    let out = obj([("batch_metadata", meta), ("results", Value::Arr(results))]);
    Ok(if as_csv {
        Value::Str(super::csv::batch_csv(&out))
    } else {
        out
    })
}

/// `add_batch_metadata`: flat string or integer values only; the merged metadata comes back.
pub async fn add_metadata<T: Transport>(
    c: &Call<'_, T>,
    batch_id: &str,
    metadata: Value,
) -> Result<T::Doc, Error> {
    c.doc(add_metadata_request(batch_id, metadata)?).await
}

/// The request `add_metadata` sends.
pub fn add_metadata_request(batch_id: &str, metadata: Value) -> Result<Request, Error> {
    let Value::Obj(m) = metadata else {
        return Err(invalid(
            "metadata must be an object of string or integer values",
        ));
    };
    for (k, v) in &m {
        let ok = match v {
            Value::Str(_) => true,
            Value::Num(n) => n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0,
            _ => false,
        };
        if !ok {
            return Err(invalid(
                "metadata['".to_string() + k + "'] must be a string or an integer (no booleans, nulls, fractions, lists or objects)",
            ));
        }
    }
    let body = obj([("metadata", Value::Str(json_text(&Value::Obj(m))))]);
    Ok(Request::post(
        batch_path(batch_id, "/metadata")?,
        Body::Json(json_text(&body)),
    ))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::testing::ToJson;
    use crate::api::testing::{block_on, Fake};
    use crate::api::Names;

    const STATUS: &str = r#"{"status": "completed", "created_at": "2024-09-01T00:00:00Z", "config": {"analysis_kind": "rapid_review", "prompt": "vans", "category": "driving"}, "metadata": {"v": 2},
        "videos": [{"video_id": "a", "status": "completed", "analysis_id": "an_a"}, {"video_id": "b", "status": "failed", "analysis_id": null, "last_error": "no frames"}]}"#;
    const BULK: &str = r#"{"analyses": [{"video_id": "a", "analysis_id": "an_a", "filename": "a.mp4", "import_source_uri": "gs://b/a.mp4", "analysis": {"status": "completed", "answer": "S", "events": [
        {"type": "Traffic", "time": "t=3", "end_time": "t=7", "description": "Van, \"white\"", "approval": "approved", "data": {"confidence": 0.9, "unix_timestamp_start": 5, "unix_timestamp_end": 6}},
        {"type": "Traffic", "time": "t=8", "end_time": "t=9", "description": "Truck", "data": {}}]}}]}"#;

    #[test]
    fn results_filter_and_shape() {
        let f = Fake::default();
        let names = Names::default();
        f.answer(200, STATUS).answer(200, BULK);
        let all = block_on(results(&f.call(&names), "batch_1", None, false)).unwrap();
        assert_eq!(
            f.paths(),
            vec![
                "GET /api/batch/batch_1/status",
                "POST /api/batch/batch_1/analyses/bulk?include_source_uri=true"
            ]
        );
        let meta = all.get("batch_metadata").unwrap();
        assert_eq!(
            meta.get_str("batch_viewer_url"),
            Some("https://app.nomadicml.com/use-cases/rapid-review/batch-view/batch_1")
        );
        assert_eq!(meta.get("metadata").unwrap().to_json(), r#"{"v": 2}"#);
        let res = all.get("results").and_then(Value::arr).unwrap();
        assert_eq!(res.len(), 2);
        assert_eq!(
            res[1].to_json(),
            r#"{"video_id": "b", "analysis_id": null, "mode": "ask", "status": "failed", "events": [], "error": "no frames"}"#
        );
        let e0 = &res[0].get("events").and_then(Value::arr).unwrap()[0];
        assert!(
            e0.get("unix_timestamp_start").is_none()
                && e0.at(&["overlay", "unix_timestamp", "start"]).is_some()
        );
        let f = Fake::default();
        f.answer(200, STATUS).answer(200, BULK);
        let approved = block_on(results(
            &f.call(&names),
            "batch_1",
            Some(&["approved".to_string()]),
            false,
        ))
        .unwrap();
        let res = approved.get("results").and_then(Value::arr).unwrap();
        assert_eq!(res.len(), 1, "videos with no matching events are dropped");
        assert_eq!(res[0].get("events").and_then(Value::arr).unwrap().len(), 1);
        assert!(matches!(
            block_on(results(
                &f.call(&names),
                "b",
                Some(&["maybe".to_string()]),
                false
            )),
            Err(Error::Validation(_))
        ));
    }

    #[test]
    fn metadata_is_flat_strings_and_integers() {
        let f = Fake::default();
        let names = Names::default();
        f.answer(200, r#"{"success": true}"#);
        block_on(add_metadata(
            &f.call(&names),
            "b1",
            crate::api::testing::parse(r#"{"experiment_id": "exp-001", "version": 2}"#).unwrap(),
        ))
        .unwrap();
        assert_eq!(
            f.sent.borrow()[0].body,
            Body::Json(
                r#"{"metadata": "{\"experiment_id\": \"exp-001\", \"version\": 2}"}"#.into()
            )
        );
        for bad in [
            r#"{"a": true}"#,
            r#"{"a": null}"#,
            r#"{"a": [1]}"#,
            r#"{"a": {}}"#,
            r#"{"a": 1.5}"#,
            "[1]",
            "7",
        ] {
            assert!(
                matches!(
                    block_on(add_metadata(
                        &f.call(&names),
                        "b1",
                        crate::api::testing::parse(bad).unwrap()
                    )),
                    Err(Error::Validation(_))
                ),
                "{bad}"
            );
        }
        assert_eq!(f.sent.borrow().len(), 1);
    }
}
