//! Prompt analysis (API.md §18), the successor of ASK: a prompt run on a video, a list or a
//! folder, in `thinking` mode (a stream of Server-Sent Events that ends by naming the batch,
//! resumed from the last event id after a drop, with a direct fallback stream when the start
//! fails) or `fast` mode (one call answering with a batch or an analysis). Results have the keys
//! `video_id, analysis_id, mode, status, summary, events`.

use super::analysis::{analysis_path, folder_ids, poll_schedule, Target};
use super::batches::finish;
use super::events;
use super::poll::until;
use super::sse;
use super::validate::{self, invalid, positive};
use super::{path, Body, Call, Doc, Request, Seg, Transport};
use crate::error::{Error, HttpFailure};
use crate::value::{int_text, json_text, obj, parse_text, strings, Value};

/// Reconnects of a thinking stream before it is given up, and the wait before each.
pub const RECONNECTS: u32 = 10;
const RECONNECT_MS: f64 = 1000.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    Thinking,
    Fast,
}

impl Mode {
    pub fn parse(s: Option<&str>) -> Result<Mode, Error> {
        match s {
            None | Some("thinking") => Ok(Mode::Thinking),
            Some("fast") => Ok(Mode::Fast),
            Some(_) => Err(invalid("mode must be 'thinking' or 'fast'")),
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Mode::Thinking => "thinking",
            Mode::Fast => "fast",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub prompt: String,
    pub mode: Mode,
    pub wait: bool,
    pub timeout_ms: f64,
    pub poll_ms: f64,
}

/// The videos a target names, checked (a folder is listed).
async fn video_ids<T: Transport>(c: &Call<'_, T>, target: Target) -> Result<Vec<String>, Error> {
    match target {
        Target::One(id) => Ok(vec![validate::id("video id", &id)?]),
        Target::Many(ids) => {
            if ids.is_empty() {
                return Err(invalid("analyze() got an empty list of video ids"));
            }
            let mut out = Vec::with_capacity(ids.len());
            for id in &ids {
                out.push(validate::id("every video id", id)?);
            }
            Ok(out)
        }
        Target::Folder { name, scope } => folder_ids(c, &name, scope.as_deref()).await,
    }
}

/// `video_id` for one video, `video_ids` for several, after the fields of `head`.
fn body<const N: usize>(head: [(&str, Value); N], ids: &[String]) -> String {
    let mut b = obj(head);
    if let [one] = ids {
        b.set("video_id", one.as_str().into());
    } else {
        b.set("video_ids", strings(ids));
    }
    json_text(&b)
}

/// Runs a prompt analysis. `progress` gets each stream event as `{type: "event", event, id,
/// data}` and each polled status as `{type: "status", status}`. One video resolves to its result;
/// a list or a folder to `{batch_metadata, results}`.
pub async fn analyze<T: Transport>(
    c: &Call<'_, T>,
    target: Target,
    o: &Options,
    progress: &dyn Fn(&Value),
) -> Result<Value, Error> {
    if o.prompt.trim().is_empty() {
        return Err(invalid("prompt must be a non-empty string"));
    }
    if !(positive(o.timeout_ms) && positive(o.poll_ms)) {
        return Err(invalid("timeoutMs and pollIntervalMs must be positive"));
    }
    let single = matches!(target, Target::One(_));
    let ids = video_ids(c, target).await?;
    let status = |s: &Value| progress(&obj([("type", "status".into()), ("status", s.clone())]));
    let batch = match o.mode {
        Mode::Thinking => {
            let b = body(
                [
                    ("query", o.prompt.as_str().into()),
                    ("client_info", "sdk-analyze-thinking".into()),
                ],
                &ids,
            );
            thinking(c, &b, progress).await?
        }
        Mode::Fast => {
            let b = body(
                [
                    ("query", o.prompt.as_str().into()),
                    ("prefer_fast", true.into()),
                    ("quick_analysis", true.into()),
                    ("use_thinking", false.into()),
                ],
                &ids,
            );
            let doc: Value = c
                .read(Request::post(
                    path(&[Seg::Lit("/api/router/query")]),
                    Body::Json(b),
                ))
                .await?;
            if doc.get("success").and_then(Value::bool) == Some(false) {
                let why = doc
                    .get_str("error")
                    .or_else(|| doc.get_str("message"))
                    .unwrap_or("no reason given");
                return Err(failed(why, &doc));
            }
            match (doc.get_str("batch_id"), &ids[..]) {
                (Some(b), _) => b.to_string(),
                (None, [video]) => return fast_single(c, video, &doc, o, &status).await,
                _ => return Err(Error::Network("the fast answer names no batch".into())),
            }
        }
    };
    let r = finish(c, &batch, &ids, o.mode.as_str(), &poll(o), &status).await?;
    if !single {
        return Ok(r);
    }
    let mut one = r
        .get("results")
        .and_then(Value::arr)
        .and_then(<[Value]>::first)
        .cloned()
        .unwrap_or(Value::Null);
    if !o.wait {
        one.set("batch_id", batch.as_str().into());
    }
    Ok(one)
}

/// An analysis document's status, lowercased (`""` when it has none yet).
fn state(doc: &Value) -> String {
    doc.at(&["analysis", "status"])
        .and_then(Value::str)
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The batch waiting options in the shape `finish` takes.
fn poll(o: &Options) -> super::analysis::Options {
    super::analysis::Options {
        wait: o.wait,
        timeout_ms: o.timeout_ms,
        poll_ms: o.poll_ms,
        ..Default::default()
    }
}

/// An analysis the service reports as failed: an `APIError` carrying its reason.
fn failed(why: &str, doc: &Value) -> Error {
    Error::Api(Box::new(HttpFailure {
        status: 200,
        message: "the analysis failed: ".to_string() + why,
        body: json_text(doc),
        request_id: None,
        retry_after: None,
    }))
}

/// Worth another try: the connection failed or timed out, or the server failed (5xx).
fn transient(e: &Error) -> bool {
    match e {
        Error::Network(_) | Error::Timeout(_) => true,
        Error::Api(f) => f.status >= 500,
        _ => false,
    }
}

/// Starts a thinking analysis and reads its stream until it names the batch.
async fn thinking<T: Transport>(
    c: &Call<'_, T>,
    body: &str,
    progress: &dyn Fn(&Value),
) -> Result<String, Error> {
    let start = c
        .send(Request::post(
            path(&[Seg::Lit("/api/router/v2/query/start")]),
            Body::Json(body.to_string()),
        ))
        .await;
    let stream_id = match start {
        Ok(r) => Some(
            r.doc
                .read::<Value>()?
                .get_str("stream_id")
                .map(str::to_string)
                .ok_or_else(|| Error::Network("the start answer has no stream_id".into()))?,
        ),
        Err(e) if transient(&e) => None,
        Err(e) => return Err(e),
    };
    let mut last_id = "0".to_string();
    let mut reconnects = 0;
    loop {
        let req = match &stream_id {
            Some(id) => Request::get(path(&[
                Seg::Lit("/api/router/v2/query/events/"),
                Seg::Id(id),
            ]))
            .query("last_id", last_id.clone()),
            None => Request::post(
                path(&[Seg::Lit("/api/router/v2/query/stream")]),
                Body::Json(body.to_string()),
            ),
        };
        let why = match read_stream(c, &req, &mut last_id, progress).await {
            Ok(Some(batch)) => return Ok(batch),
            Ok(None) => "the analysis stream ended before naming its batch".to_string(),
            Err(e) if transient(&e) => e.message().to_string(),
            Err(e) => return Err(e),
        };
        // The fallback stream has no id to resume from.
        if stream_id.is_none() || reconnects == RECONNECTS {
            return Err(Error::Network(
                (why + " (after " + &int_text(i64::from(reconnects)) + " reconnects)").into(),
            ));
        }
        reconnects += 1;
        c.t.sleep(c.ctx, RECONNECT_MS).await?;
    }
}

/// Reads one connection of the stream: `Some(batch_id)` once an event names it, `None` if the
/// body ends first. An `error` event is fatal.
async fn read_stream<T: Transport>(
    c: &Call<'_, T>,
    req: &Request,
    last_id: &mut String,
    progress: &dyn Fn(&Value),
) -> Result<Option<String>, Error> {
    let mut s = c.t.open(c.ctx, req).await?;
    let mut parser = sse::Parser::default();
    while let Some(bytes) = c.t.chunk(c.ctx, &mut s).await? {
        for ev in parser.feed(&bytes) {
            if let Some(id) = &ev.id {
                last_id.clone_from(id);
            }
            let data = parse_text(&ev.data).unwrap_or_else(|| ev.data.as_str().into());
            progress(&obj([
                ("type", "event".into()),
                ("event", ev.event.as_str().into()),
                ("id", ev.id.as_deref().map_or(Value::Null, Value::from)),
                ("data", data.clone()),
            ]));
            match ev.event.as_str() {
                "error" => {
                    let why = data
                        .get_str("error")
                        .or(data.str())
                        .unwrap_or("no reason given");
                    return Err(failed(why, &data));
                }
                "batch_created" | "done" => {
                    if let Some(b) = data.get_str("batch_id") {
                        return Ok(Some(b.to_string()));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(None)
}

/// Fast mode on one video: the answer's immediate result, or its analysis polled to the end.
async fn fast_single<T: Transport>(
    c: &Call<'_, T>,
    video: &str,
    answer: &Value,
    o: &Options,
    status: &dyn Fn(&Value),
) -> Result<Value, Error> {
    let result = answer.get("result").filter(|r| matches!(r, Value::Obj(_)));
    let analysis_id = answer
        .get_str("analysis_id")
        .or_else(|| result.and_then(|r| r.get_str("analysis_id")))
        .map(str::to_string);
    let made = |analysis_id: Option<String>, state: &str| {
        obj([
            ("video_id", video.into()),
            ("analysis_id", analysis_id.map_or(Value::Null, Value::from)),
            ("mode", "fast".into()),
            ("status", state.into()),
        ])
    };
    let doc = match (result, &analysis_id) {
        (Some(r), _) if r.get("events").is_some() || r.get("suggested_events").is_some() => {
            obj([("analysis", r.clone())])
        }
        (_, Some(aid)) => {
            if !o.wait {
                return Ok(made(analysis_id.clone(), "started"));
            }
            until(
                c,
                o.timeout_ms,
                poll_schedule(&poll(o)),
                &("analysis ".to_string() + aid),
                || async {
                    let doc: Value = c.read(Request::get(analysis_path(video, aid, ""))).await?;
                    status(&doc);
                    Ok(matches!(state(&doc).as_str(), "completed" | "failed").then_some(doc))
                },
            )
            .await?
        }
        _ => return Err(Error::Network("the fast answer names no analysis".into())),
    };
    let is_failed = state(&doc) == "failed";
    let mut r = made(analysis_id, if is_failed { "failed" } else { "completed" });
    r.set("summary", events::summary(&doc).into());
    let mut evs = events::parse(&doc, false, true);
    events::fold_each(&mut evs);
    r.set("events", Value::Arr(evs));
    if is_failed {
        let why = doc
            .at(&["analysis", "error"])
            .and_then(Value::str)
            .unwrap_or("Analysis failed");
        r.set("error", why.into());
    }
    Ok(r)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::testing::{block_on, http_error, Fake, ToJson};
    use crate::api::Names;
    use std::cell::RefCell;

    const STATUS: &str = r#"{"batch_id": "b1", "status": "completed", "videos": [{"video_id": "v1", "status": "completed", "analysis_id": "a1"}]}"#;
    const BULK: &str = r#"{"analyses": [{"video_id": "v1", "analysis_id": "a1", "analysis": {"status": "completed", "answer": "One van.", "events": [{"type": "Parking", "time": "t=3", "end_time": "t=7", "description": "Van", "data": {"confidence": 0.9}}]}}]}"#;

    fn opts(mode: Mode) -> Options {
        Options {
            prompt: "  vans on the sidewalk ".into(),
            mode,
            wait: true,
            timeout_ms: 60_000.0,
            poll_ms: 100.0,
        }
    }

    /// Runs an analysis; returns its result and what `progress` saw.
    fn run(f: &Fake, target: Target, o: &Options) -> (Result<Value, Error>, Vec<String>) {
        let names = Names::default();
        let seen = RefCell::new(Vec::new());
        let r = block_on(analyze(&f.call(&names), target, o, &|v| {
            seen.borrow_mut().push(v.to_json())
        }));
        (r, seen.into_inner())
    }

    fn sse(id: u32, event: &str, data: &str) -> String {
        format!("id: {id}\nevent: {event}\ndata: {data}\n\n")
    }

    fn body_of(f: &Fake, i: usize) -> String {
        match &f.sent.borrow()[i].body {
            Body::Json(t) => t.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_dropped_stream_resumes_from_the_last_id_and_gives_each_event_once() {
        let f = Fake::default();
        f.answer(200, r#"{"stream_id": "qs 1"}"#);
        let (e1, e2, e3) = (
            sse(1, "status", r#"{"stage": "planning"}"#),
            sse(2, "thinking", r#"{"text": "Vans first"}"#),
            sse(3, "batch_created", r#"{"batch_id": "b1"}"#),
        );
        // The first connection dies after two events, the second inside a line.
        let split = e1.clone() + &e2[..7];
        f.stream(
            &[&split, &e2[7..]],
            Some(Error::Network("connection reset".into())),
        )
        .stream(&[&e3[..5], &e3[5..]], None);
        f.answer(200, STATUS).answer(200, STATUS).answer(200, BULK);
        let (r, seen) = run(&f, Target::One("v1".into()), &opts(Mode::Thinking));
        let r = r.unwrap();
        assert_eq!(
            f.paths(),
            [
                "POST /api/router/v2/query/start",
                "GET /api/router/v2/query/events/qs%201?last_id=0",
                "GET /api/router/v2/query/events/qs%201?last_id=2",
                "GET /api/batch/b1/status?include_videos=false",
                "GET /api/batch/b1/status",
                "POST /api/batch/b1/analyses/bulk?include_source_uri=true",
            ]
        );
        // The prompt goes as given; one video is `video_id`.
        assert_eq!(
            body_of(&f, 0),
            r#"{"query": "  vans on the sidewalk ", "client_info": "sdk-analyze-thinking", "video_id": "v1"}"#
        );
        assert_eq!(*f.slept.borrow(), [1000.0]);
        let events: Vec<&String> = seen.iter().filter(|s| s.contains("\"event\"")).collect();
        assert_eq!(
            events,
            [
                r#"{"type": "event", "event": "status", "id": "1", "data": {"stage": "planning"}}"#,
                r#"{"type": "event", "event": "thinking", "id": "2", "data": {"text": "Vans first"}}"#,
                r#"{"type": "event", "event": "batch_created", "id": "3", "data": {"batch_id": "b1"}}"#,
            ]
        );
        assert!(seen.iter().any(|s| s.starts_with(r#"{"type": "status""#)));
        assert_eq!(r.get_str("mode"), Some("thinking"));
        assert_eq!(r.get_str("status"), Some("completed"));
        assert_eq!(r.get_str("summary"), Some("One van."));
        assert_eq!(r.get_str("analysis_id"), Some("a1"));
        assert_eq!(
            r.get("events").and_then(Value::arr).map(<[Value]>::len),
            Some(1)
        );
    }

    #[test]
    fn a_failing_start_takes_the_fallback_and_a_list_gets_video_ids() {
        let f = Fake::default();
        f.fail(http_error(503, r#"{"detail": "busy"}"#, None, None));
        f.stream(&[&sse(1, "done", r#"{"batch_id": "b1"}"#)], None);
        f.answer(200, STATUS).answer(200, STATUS).answer(200, BULK);
        let (r, _) = run(
            &f,
            Target::Many(vec!["v1".into(), "v2".into()]),
            &opts(Mode::Thinking),
        );
        let r = r.unwrap();
        assert_eq!(f.paths()[1], "POST /api/router/v2/query/stream");
        assert_eq!(body_of(&f, 0), body_of(&f, 1));
        assert!(body_of(&f, 1).ends_with(r#""video_ids": ["v1", "v2"]}"#));
        let results = r.get("results").and_then(Value::arr).unwrap();
        assert_eq!(results.len(), 2);
        assert_eq!(results[1].get_str("status"), Some("failed"));
        assert_eq!(
            r.at(&["batch_metadata", "batch_type"]).and_then(Value::str),
            Some("prompt")
        );
    }

    #[test]
    fn an_error_event_is_fatal_and_endless_drops_give_up_after_ten_reconnects() {
        let f = Fake::default();
        f.answer(200, r#"{"stream_id": "qs1"}"#).stream(
            &[&(sse(1, "thinking", r#"{"text": "hm"}"#)
                + &sse(2, "error", r#"{"error": "model overloaded"}"#))],
            None,
        );
        let (r, _) = run(&f, Target::One("v1".into()), &opts(Mode::Thinking));
        match r {
            Err(Error::Api(e)) => assert!(e.message.contains("model overloaded"), "{}", e.message),
            other => panic!("{other:?}"),
        }
        assert_eq!(f.sent.borrow().len(), 2, "nothing sent after the error");

        let f = Fake::default();
        f.answer(200, r#"{"stream_id": "qs1"}"#);
        for _ in 0..=RECONNECTS {
            f.stream(&[], Some(Error::Network("reset".into())));
        }
        let (r, _) = run(&f, Target::One("v1".into()), &opts(Mode::Thinking));
        assert!(
            matches!(r, Err(Error::Network(ref m)) if m.contains("10 reconnects")),
            "{r:?}"
        );
        assert_eq!(f.sent.borrow().len(), 12);
        assert_eq!(f.slept.borrow().len(), 10);
    }

    #[test]
    fn fast_mode_polls_one_analysis_or_reports_a_refusal() {
        let f = Fake::default();
        f.answer(200, r#"{"success": true, "analysis_id": "a1"}"#)
            .answer(200, r#"{"analysis": {"status": "processing"}}"#)
            .answer(200, r#"{"analysis": {"status": "completed", "answer": "One van.", "events": [{"type": "Parking", "time": "t=3", "end_time": "t=7", "description": "Van", "data": {}}]}}"#);
        let (r, _) = run(&f, Target::One("v1".into()), &opts(Mode::Fast));
        let r = r.unwrap();
        assert_eq!(
            body_of(&f, 0),
            r#"{"query": "  vans on the sidewalk ", "prefer_fast": true, "quick_analysis": true, "use_thinking": false, "video_id": "v1"}"#
        );
        assert_eq!(f.paths()[1], "GET /api/videos/v1/analyses/a1");
        assert_eq!(
            (r.get_str("mode"), r.get_str("status"), r.get_str("summary")),
            (Some("fast"), Some("completed"), Some("One van."))
        );

        let f = Fake::default();
        f.answer(200, r#"{"success": false, "error": "quota exceeded"}"#);
        let (r, _) = run(&f, Target::One("v1".into()), &opts(Mode::Fast));
        assert!(matches!(r, Err(Error::Api(ref e)) if e.message.contains("quota exceeded")));
    }

    #[test]
    fn bad_prompts_and_targets_send_nothing() {
        for (target, o) in [
            (
                Target::One("v1".into()),
                Options {
                    prompt: " ".into(),
                    ..opts(Mode::Fast)
                },
            ),
            (Target::Many(vec![]), opts(Mode::Fast)),
            (Target::One("..".into()), opts(Mode::Thinking)),
            (
                Target::One("v1".into()),
                Options {
                    timeout_ms: -1.0,
                    ..opts(Mode::Fast)
                },
            ),
        ] {
            let f = Fake::default();
            let (r, _) = run(&f, target, &o);
            assert!(matches!(r, Err(Error::Validation(_))), "{r:?}");
            assert!(f.sent.borrow().is_empty());
        }
        assert!(Mode::parse(Some("Fast")).is_err());
        assert_eq!(Mode::parse(None).unwrap(), Mode::Thinking);
    }
}
