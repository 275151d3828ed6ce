//! `search()` (API.md §13): start a session, run it, poll it to its end.

use super::poll::{until, Schedule};
use super::validate::non_blank;
use super::{path, Body, Call, Request, Seg, Transport};
use crate::error::Error;
use crate::value::{json_text, obj, Value};

/// The protocol's folder scopes: `user` -> `my`, `org`, `sample`.
fn mapped(scope: Option<&str>) -> Result<&'static str, Error> {
    match super::validate::scope_in(scope, &["user", "org", "sample"])? {
        "user" => Ok("my"),
        other => Ok(other),
    }
}

pub async fn search<T: Transport>(
    c: &Call<'_, T>,
    query: &str,
    folder: &str,
    scope: Option<&str>,
    timeout_ms: f64,
) -> Result<Value, Error> {
    non_blank("query", query)?;
    non_blank("folderName", folder)?;
    if !super::validate::positive(timeout_ms) {
        return Err(super::validate::invalid("timeoutMs must be positive"));
    }
    let scope = mapped(scope)?;
    let start = obj([
        ("query", query.into()),
        ("folder_name", folder.into()),
        ("scope", scope.into()),
    ]);
    let s = c
        .read::<Value>(Request::post(
            path(&[Seg::Lit("/api/search-sessions/start")]),
            Body::Json(json_text(&start)),
        ))
        .await?;
    let need = |k: &str| {
        s.get_str(k).map(str::to_string).ok_or_else(|| {
            Error::Network(("the search session answer has no ".to_string() + k).into())
        })
    };
    let (session, owner, doc_path) = (
        need("session_id")?,
        need("owner_uid")?,
        need("session_doc_path")?,
    );
    let trace = s
        .get_str("reasoning_trace_path")
        .map_or_else(|| doc_path.clone(), str::to_string);
    let mut form: Vec<(&'static str, String)> = Vec::new();
    for (k, v) in [
        ("query", query),
        ("folder", folder),
        ("session_id", &session),
        ("session_doc_path", &doc_path),
        ("reasoning_trace_path", &trace),
    ] {
        if !v.is_empty() {
            form.push((k, v.to_string()));
        }
    }
    if scope == "sample" {
        form.push(("is_sample_videos", "true".into()));
    }
    c.send(
        Request::post(path(&[Seg::Lit("/api/search")]), Body::Form(form))
            .query("folder_collection", scope),
    )
    .await?;
    let poll = path(&[
        Seg::Lit("/api/search-sessions/"),
        Seg::Id(&owner),
        Seg::Lit("/"),
        Seg::Id(&session),
    ]);
    let schedule = Schedule {
        first_ms: 1000.0,
        factor: 1.5,
        cap_ms: 10_000.0,
    };
    let data = until(
        c,
        timeout_ms,
        schedule,
        &("search session ".to_string() + &session),
        || async {
            let data = c
                .read::<Value>(Request::get(poll.clone()))
                .await?
                .get("data")
                .cloned()
                .unwrap_or(Value::Null);
            match data
                .get_str("status")
                .unwrap_or("")
                .to_ascii_lowercase()
                .as_str()
            {
                "completed" => Ok(Some(data)),
                "failed" => Err(Error::Network(
                    ("search failed: ".to_string()
                        + data
                            .get_str("error")
                            .or(data.get_str("error_message"))
                            .unwrap_or("no reason given"))
                    .into(),
                )),
                _ => Ok(None),
            }
        },
    )
    .await?;
    let found = data.get("matches").and_then(Value::arr).unwrap_or(&[]);
    let mut matches = Vec::with_capacity(found.len());
    for m in found {
        let g = |k: &str| m.get(k).cloned().unwrap_or(Value::Null);
        matches.push(obj([
            ("video_id", g("video_id")),
            ("analysis_id", g("analysis_id")),
            ("event_index", g("event_index")),
            ("similarity", g("similarity")),
            (
                "reason",
                m.get("reason")
                    .filter(|r| r.str().is_some())
                    .cloned()
                    .unwrap_or_else(|| "".into()),
            ),
        ]));
    }
    Ok(obj([
        (
            "summary",
            data.get("summary").cloned().unwrap_or_else(|| "".into()),
        ),
        (
            "thoughts",
            data.get("thoughts")
                .filter(|t| t.arr().is_some())
                .cloned()
                .unwrap_or(Value::Arr(Vec::new())),
        ),
        ("matches", Value::Arr(matches)),
        ("session_id", session.into()),
    ]))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::testing::ToJson;
    use crate::api::testing::{block_on, Fake};
    use crate::api::Names;

    #[test]
    fn the_session_flow() {
        let f = Fake::default();
        f.answer(200, r#"{"session_id": "s1", "owner_uid": "u1", "session_doc_path": "p"}"#)
            .answer(200, r#"{"status": "started"}"#)
            .answer(200, r#"{"data": {"status": "running"}}"#)
            .answer(200, r#"{"data": {"status": "completed", "summary": "S", "thoughts": ["t"], "matches": [{"reason": null, "similarity": 0.9, "video_id": "v", "analysis_id": "a", "event_index": 0, "extra": 1}]}}"#);
        let names = Names::default();
        let r = block_on(search(
            &Call {
                t: &f,
                ctx: &(),
                names: &names,
            },
            "red truck",
            "fleet",
            Some("org"),
            60_000.0,
        ))
        .unwrap();
        assert_eq!(
            r.to_json(),
            r#"{"summary": "S", "thoughts": ["t"], "matches": [{"video_id": "v", "analysis_id": "a", "event_index": 0, "similarity": 0.9, "reason": ""}], "session_id": "s1"}"#
        );
        assert_eq!(f.paths()[1], "POST /api/search?folder_collection=org");
        assert_eq!(f.paths()[2], "GET /api/search-sessions/u1/s1");
        assert_eq!(*f.slept.borrow(), vec![1000.0]);
        for (q, fo, s) in [
            (" ", "f", None),
            ("q", "", None),
            ("q", "f", Some("everyone")),
        ] {
            let f = Fake::default();
            assert!(matches!(
                block_on(search(
                    &Call {
                        t: &f,
                        ctx: &(),
                        names: &names
                    },
                    q,
                    fo,
                    s,
                    1.0
                )),
                Err(Error::Validation(_))
            ));
            assert!(f.sent.borrow().is_empty());
        }
    }
}
