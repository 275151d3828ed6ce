//! Import jobs (API.md §4, §5): the job, one page of its rows, the steps of `for await`
//! iteration, and the reference's readiness loop built in.

use super::poll::{until, Schedule};
use super::validate::{self, invalid, positive};
use super::{path, Call, Doc, Request, Seg, Transport};
use crate::error::Error;
use crate::value::{int_text, obj, Value};
use serde::Deserialize;

/// Row statuses after which a row no longer changes.
const TERMINAL: [&str; 2] = ["UPLOADED", "UPLOADING_FAILED"];
/// Largest page the SDK asks for.
pub const MAX_LIMIT: f64 = 5000.0;

fn job_path(id: &str, rest: &'static str) -> Result<String, Error> {
    let id = validate::id("import job id", id)?;
    Ok(path(&[
        Seg::Lit("/api/import-jobs/"),
        Seg::Id(&id),
        Seg::Lit(rest),
    ]))
}

/// `GET /api/import-jobs/{id}`, as the server sent it.
pub async fn job<T: Transport>(c: &Call<'_, T>, id: &str) -> Result<T::Doc, Error> {
    c.doc(job_request(id)?).await
}

/// The request `job` sends.
pub fn job_request(id: &str) -> Result<Request, Error> {
    Ok(Request::get(job_path(id, "")?))
}

/// A page request, checked: `limit` 1 to 5000 (default 500); `cursor` or `offset`, not both.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageQuery {
    pub limit: Option<f64>,
    pub cursor: Option<String>,
    pub offset: Option<f64>,
}

/// The request `page` sends.
pub fn page_request(id: &str, q: &PageQuery) -> Result<Request, Error> {
    let limit = q.limit.unwrap_or(500.0);
    if limit.fract() != 0.0 || !(1.0..=MAX_LIMIT).contains(&limit) {
        return Err(invalid("limit must be a whole number from 1 to 5000"));
    }
    let cursor = q.cursor.as_deref().filter(|c| !c.is_empty());
    if cursor.is_some() && q.offset.is_some() {
        return Err(invalid("pass cursor or offset, not both"));
    }
    let mut req = Request::get(job_path(id, "/videos")?).query("limit", int_text(limit as i64));
    if let Some(c) = cursor {
        req = req.query("cursor", c);
    }
    if let Some(o) = q.offset {
        if o.fract() != 0.0 || !(0.0..=9.0e15).contains(&o) {
            return Err(invalid("offset must be a whole number, 0 or more"));
        }
        req = req.query("offset", int_text(o as i64));
    }
    Ok(req)
}

/// `GET /api/import-jobs/{id}/videos`: one page, as the server sent it.
pub async fn page<T: Transport>(c: &Call<'_, T>, id: &str, q: &PageQuery) -> Result<T::Doc, Error> {
    c.doc(page_request(id, q)?).await
}

/// The two fields of a page that paging reads; the rows are not touched.
#[derive(Deserialize)]
struct Cursor {
    #[serde(default)]
    has_more: Option<bool>,
    #[serde(default)]
    next_cursor: Option<String>,
}

/// Where paging goes after a page: on to `next_cursor`, or done. A page that claims more but
/// gives no new cursor would loop forever or end early without a word, so it is an error.
fn after_page<D: Doc>(page: &D, cursor: Option<&str>) -> Result<Option<String>, Error> {
    let Cursor {
        has_more,
        next_cursor,
    } = page.read()?;
    if has_more != Some(true) {
        return Ok(None);
    }
    match next_cursor.filter(|n| !n.is_empty()) {
        Some(n) if Some(n.as_str()) != cursor => Ok(Some(n)),
        _ => Err(Error::Network(
            "the server says the import job has more rows but gave no new cursor; stopping instead of looping".into(),
        )),
    }
}

/// One step of `importJobPages`/`importJobRows`: the page after `cursor` (first page when
/// `None`), and the cursor for the next step, `None` when this was the last page.
pub async fn next_page<T: Transport>(
    c: &Call<'_, T>,
    id: &str,
    limit: Option<f64>,
    cursor: Option<&str>,
) -> Result<(T::Doc, Option<String>), Error> {
    let q = PageQuery {
        limit,
        cursor: cursor.map(str::to_string),
        offset: None,
    };
    let doc = page(c, id, &q).await?;
    let next = after_page(&doc, cursor)?;
    Ok((doc, next))
}

/// The rows of a page, for the readiness loop (which returns them).
#[derive(Deserialize)]
struct Rows {
    #[serde(default)]
    videos: Option<Vec<Value>>,
}

/// What the readiness loop has seen so far. Rows appear in order and only move towards
/// terminal, so each poll re-reads from `resume`: the last row before the first one still in
/// progress, whose successor is `rows[resume_at]`.
#[derive(Default)]
struct Seen {
    rows: Vec<Value>,
    resume: Option<String>,
    resume_at: usize,
}

impl Seen {
    /// Puts a row read at position `at` in place and returns the next position. Cursor pages
    /// keep the job's order, so a re-read row is where it was and a new one goes at the end
    /// (a 200,000-row job needs no index); a row found elsewhere is looked up.
    fn place(&mut self, at: usize, vid: &str, row: Value) -> usize {
        let id_at = |i: usize| self.rows.get(i).and_then(|r| r.get_str("video_id"));
        let i = if id_at(at) == Some(vid) {
            at
        } else if at >= self.rows.len() {
            self.rows.len()
        } else {
            (0..self.rows.len())
                .find(|&i| id_at(i) == Some(vid))
                .unwrap_or(self.rows.len())
        };
        if i == self.rows.len() {
            self.rows.push(row);
        } else {
            self.rows[i] = row;
        }
        i + 1
    }
}

pub struct WaitOptions {
    pub interval_ms: f64,
    pub timeout_ms: f64,
    pub limit: Option<f64>,
}

/// The reference's readiness contract: rows materialised up to `total`, every one terminal.
/// Resolves `{job, rows, uploaded_video_ids, failed_rows}`; `progress` is called after each poll
/// with `{total, materialized, uploaded, failed, pending}`.
pub async fn wait<T: Transport>(
    c: &Call<'_, T>,
    id: &str,
    o: &WaitOptions,
    progress: &dyn Fn(&Value),
) -> Result<Value, Error> {
    if !(positive(o.interval_ms) && positive(o.timeout_ms)) {
        return Err(invalid("pollIntervalMs and timeoutMs must be positive"));
    }
    page_request(
        id,
        &PageQuery {
            limit: o.limit,
            ..Default::default()
        },
    )?;
    let state = std::cell::RefCell::new(Seen::default());
    let schedule = Schedule {
        first_ms: o.interval_ms,
        factor: 1.0,
        cap_ms: o.interval_ms,
    };
    let what = "import job ".to_string() + id;
    until(c, o.timeout_ms, schedule, &what, || async {
        let job: Value = job(c, id).await?.read()?;
        let total = job.get("total").and_then(Value::num).unwrap_or(0.0);
        let (mut cursor, mut at) = {
            let st = state.borrow();
            (st.resume.clone(), st.resume_at)
        };
        loop {
            let doc = page(
                c,
                id,
                &PageQuery {
                    limit: o.limit,
                    cursor: cursor.clone(),
                    offset: None,
                },
            )
            .await?;
            let next = after_page(&doc, cursor.as_deref())?;
            let rows: Rows = doc.read()?;
            let mut st = state.borrow_mut();
            for row in rows.videos.unwrap_or_default() {
                if let Some(vid) = row.get_str("video_id").map(str::to_string) {
                    at = st.place(at, &vid, row);
                }
            }
            drop(st);
            match next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        let mut st = state.borrow_mut();
        let status = |r: &Value| r.get_str("status").unwrap_or("").to_ascii_uppercase();
        let first_open = st
            .rows
            .iter()
            .position(|r| !TERMINAL.contains(&status(r).as_str()));
        st.resume_at = first_open.unwrap_or(st.rows.len());
        st.resume = match st.resume_at {
            0 => None,
            i => st.rows[i - 1].get_str("video_id").map(str::to_string),
        };
        let (mut uploaded, mut failed) = (0, 0);
        for r in &st.rows {
            match status(r).as_str() {
                "UPLOADED" => uploaded += 1,
                "UPLOADING_FAILED" => failed += 1,
                _ => {}
            }
        }
        let materialized = st.rows.len();
        let n = |x: usize| Value::Num(x as f64);
        progress(&obj([
            ("total", Value::Num(total)),
            ("materialized", n(materialized)),
            ("uploaded", n(uploaded)),
            ("failed", n(failed)),
            ("pending", n(materialized - uploaded - failed)),
        ]));
        if total > 0.0 && materialized as f64 >= total && first_open.is_none() {
            let (mut ids, mut failed_rows) = (Vec::new(), Vec::new());
            for r in &st.rows {
                match status(r).as_str() {
                    "UPLOADED" => {
                        if let Some(id) = r.get("video_id") {
                            ids.push(id.clone());
                        }
                    }
                    "UPLOADING_FAILED" => failed_rows.push(r.clone()),
                    _ => {}
                }
            }
            return Ok(Some(obj([
                ("job", job),
                ("rows", Value::Arr(std::mem::take(&mut st.rows))),
                ("uploaded_video_ids", Value::Arr(ids)),
                ("failed_rows", Value::Arr(failed_rows)),
            ])));
        }
        Ok(None)
    })
    .await
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::testing::{block_on, parse, text, Fake, Json};
    use crate::api::Names;
    use std::cell::RefCell;

    #[test]
    fn page_queries_and_rules() {
        let f = Fake::default();
        let names = Names::default();
        f.answer(200, "{}").answer(200, "{}");
        block_on(page(
            &f.call(&names),
            "ij_1",
            &PageQuery {
                limit: Some(7.0),
                cursor: Some("v9".into()),
                offset: None,
            },
        ))
        .unwrap();
        block_on(page(
            &f.call(&names),
            "ij_1",
            &PageQuery {
                offset: Some(10.0),
                ..Default::default()
            },
        ))
        .unwrap();
        assert_eq!(
            f.paths(),
            vec![
                "GET /api/import-jobs/ij_1/videos?limit=7&cursor=v9",
                "GET /api/import-jobs/ij_1/videos?limit=500&offset=10"
            ]
        );
        for q in [
            PageQuery {
                cursor: Some("a".into()),
                offset: Some(1.0),
                ..Default::default()
            },
            PageQuery {
                limit: Some(0.0),
                ..Default::default()
            },
            PageQuery {
                limit: Some(5001.0),
                ..Default::default()
            },
            PageQuery {
                limit: Some(2.5),
                ..Default::default()
            },
            PageQuery {
                offset: Some(-1.0),
                ..Default::default()
            },
        ] {
            assert!(
                matches!(
                    block_on(page(&f.call(&names), "ij_1", &q)),
                    Err(Error::Validation(_))
                ),
                "{q:?}"
            );
        }
        assert!(matches!(
            block_on(job(&f.call(&names), " ")),
            Err(Error::Validation(_))
        ));
        assert_eq!(f.sent.borrow().len(), 2);
    }

    fn j(text: &str) -> Json {
        crate::api::testing::parse(text).unwrap_or(Json::Str(text.into()))
    }

    #[test]
    fn paging_stops_right_and_refuses_to_loop() {
        assert_eq!(
            after_page(
                &j(r#"{"has_more": false, "next_cursor": null, "videos": []}"#),
                None
            )
            .unwrap(),
            None
        );
        assert_eq!(
            after_page(
                &j(r#"{"videos": [{"a": [1, {"b": 2}]}], "has_more": true, "next_cursor": "v2"}"#),
                Some("v1")
            )
            .unwrap(),
            Some("v2".into())
        );
        // An empty page that still has more, with a new cursor, goes on.
        assert_eq!(
            after_page(
                &j(r#"{"has_more": true, "next_cursor": "v3", "videos": []}"#),
                Some("v2")
            )
            .unwrap(),
            Some("v3".into())
        );
        assert!(after_page(
            &j(r#"{"has_more": true, "next_cursor": null, "videos": []}"#),
            None
        )
        .is_err());
        assert!(after_page(&j(r#"{"has_more": true, "next_cursor": "v2"}"#), Some("v2")).is_err());
        assert!(after_page(&j("not json"), None).is_err());
    }

    #[test]
    fn wait_follows_the_readiness_contract() {
        let f = Fake::default();
        let names = Names::default();
        // Poll 1: 2 of 3 rows, one still processing. Poll 2: from the last terminal row on.
        f.answer(200, r#"{"job_id": "ij", "total": 3}"#)
            .answer(200, r#"{"has_more": true, "next_cursor": "a", "videos": [{"video_id": "a", "status": "UPLOADED"}]}"#)
            .answer(200, r#"{"has_more": false, "next_cursor": null, "videos": [{"video_id": "b", "status": "PROCESSING"}]}"#)
            .answer(200, r#"{"job_id": "ij", "total": 3}"#)
            .answer(200, r#"{"has_more": false, "next_cursor": null, "videos": [{"video_id": "b", "status": "UPLOADED"}, {"video_id": "c", "status": "UPLOADING_FAILED", "error": "missing"}]}"#);
        let seen = RefCell::new(Vec::new());
        let o = WaitOptions {
            interval_ms: 1000.0,
            timeout_ms: 60_000.0,
            limit: Some(1.0),
        };
        let r = block_on(wait(&f.call(&names), "ij", &o, &|p| {
            seen.borrow_mut().push(text(p))
        }))
        .unwrap();
        assert_eq!(text(r.get("uploaded_video_ids").unwrap()), r#"["a", "b"]"#);
        assert_eq!(
            text(r.get("failed_rows").unwrap()),
            r#"[{"video_id": "c", "status": "UPLOADING_FAILED", "error": "missing"}]"#
        );
        assert_eq!(r.get("rows").and_then(Value::arr).map(|a| a.len()), Some(3));
        assert_eq!(
            seen.borrow()[0],
            r#"{"total": 3, "materialized": 2, "uploaded": 1, "failed": 0, "pending": 1}"#
        );
        assert_eq!(
            f.paths()[4],
            "GET /api/import-jobs/ij/videos?limit=1&cursor=a"
        );
        assert_eq!(*f.slept.borrow(), vec![1000.0]);
    }

    #[test]
    fn rows_are_placed_without_an_index_and_never_duplicated() {
        let row = |id: &str, s: &str| parse(&format!(r#"{{"video_id": "{id}", "status": "{s}"}}"#));
        let mut seen = Seen::default();
        let mut at = 0;
        for id in ["a", "b", "c"] {
            at = seen.place(at, id, row(id, "PENDING").unwrap());
        }
        assert_eq!(at, 3);
        // A poll resuming after "a" re-reads b and c in place, then a new row d.
        let mut at = 1;
        for id in ["b", "c", "d"] {
            at = seen.place(at, id, row(id, "UPLOADED").unwrap());
        }
        // A row that comes back out of order is found where it is, not added again.
        seen.place(0, "c", row("c", "UPLOADING_FAILED").unwrap());
        let ids: Vec<_> = seen
            .rows
            .iter()
            .map(|r| r.get_str("video_id").unwrap())
            .collect();
        assert_eq!(ids, ["a", "b", "c", "d"]);
        assert_eq!(seen.rows[1].get_str("status"), Some("UPLOADED"));
        assert_eq!(seen.rows[2].get_str("status"), Some("UPLOADING_FAILED"));
    }

    #[test]
    fn wait_times_out() {
        let f = Fake::default();
        let names = Names::default();
        // Polls at 0, 1000, 2000 and 2500 ms (the last wait stops at the deadline).
        for _ in 0..4 {
            f.answer(200, r#"{"total": 2}"#)
                .answer(200, r#"{"has_more": false, "videos": []}"#);
        }
        let o = WaitOptions {
            interval_ms: 1000.0,
            timeout_ms: 2500.0,
            limit: None,
        };
        assert!(matches!(
            block_on(wait(&f.call(&names), "ij", &o, &|_| {})),
            Err(Error::Timeout(_))
        ));
    }
}
