//! Prompt analysis over raw HTTP: the thinking stream (events, resumption from `last_id`, the
//! direct fallback, a cut connection, a scripted error) and fast mode.
mod common;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

fn vid(c: &Client, name: &str) -> String {
    upload(c, name, &synth(4.0, 8, 8, 0), &[]).json()["video_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `(id, event, data)` of each complete event in an SSE body.
fn events(body: &[u8]) -> Vec<(String, String, Value)> {
    let text = String::from_utf8_lossy(body);
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let field = |name: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(name).map(str::to_string))
        };
        if let (Some(id), Some(ev), Some(data)) = (field("id: "), field("event: "), field("data: "))
        {
            out.push((id, ev, serde_json::from_str(&data).unwrap()));
        }
    }
    out
}

fn names(evs: &[(String, String, Value)]) -> Vec<&str> {
    evs.iter().map(|e| e.1.as_str()).collect()
}

#[test]
fn a_thinking_stream_names_its_batch_and_resumes_from_last_id() {
    let (_d, _e, c) = fresh(&["--stream-event-ms", "10"]);
    let (a, b) = (vid(&c, "a.mp4"), vid(&c, "b.mp4"));
    let start = c
        .json(
            "POST",
            "/api/router/v2/query/start",
            &json!({"query": "cars parked on the sidewalk", "client_info": "sdk-analyze-thinking", "video_ids": [a, b]}),
        )
        .unwrap();
    assert_eq!(start.status, 200);
    let sid = start.json()["stream_id"].as_str().unwrap().to_string();
    let r = c
        .get(&format!("/api/router/v2/query/events/{sid}?last_id=0"))
        .unwrap();
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("text/event-stream"));
    let evs = events(&r.body);
    assert_eq!(
        names(&evs),
        ["status", "thinking", "thinking", "batch_created", "done"]
    );
    let ids: Vec<&str> = evs.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5"]);
    assert!(evs[1].2["text"]
        .as_str()
        .unwrap()
        .contains("cars parked on the sidewalk"));
    let batch = evs[3].2["batch_id"].as_str().unwrap().to_string();
    assert_eq!(evs[4].2["batch_id"], json!(batch));

    // A reconnect with the last id seen gets only what follows, with the same ids.
    let rest = c
        .get(&format!("/api/router/v2/query/events/{sid}?last_id=3"))
        .unwrap();
    let rest = events(&rest.body);
    assert_eq!(rest, evs[3..].to_vec());

    // The batch runs the prompt on both videos.
    let status = c.get(&format!("/api/batch/{batch}/status")).unwrap().json();
    assert_eq!(status["status"], "completed");
    assert_eq!(status["config"]["analysis_kind"], "prompt");
    let bulk = c
        .json(
            "POST",
            &format!("/api/batch/{batch}/analyses/bulk"),
            &json!({"video_ids": [a, b]}),
        )
        .unwrap()
        .json();
    assert_eq!(bulk["analyses"].as_array().unwrap().len(), 2);
    assert_eq!(
        bulk["analyses"][0]["analysis"]["query"],
        "cars parked on the sidewalk"
    );

    // Another key cannot read the stream; a bad last_id is a 422.
    let gone = c
        .get("/api/router/v2/query/events/qs_nope?last_id=0")
        .unwrap();
    assert_eq!(gone.status, 404);
    let bad = c
        .get(&format!("/api/router/v2/query/events/{sid}?last_id=x"))
        .unwrap();
    assert_eq!(bad.status, 422);
}

#[test]
fn a_cut_fault_ends_the_stream_mid_way_and_the_fallback_streams_directly() {
    let (_d, _e, c) = fresh(&["--stream-event-ms", "10"]);
    let a = vid(&c, "a.mp4");
    let body = json!({"query": "a van", "client_info": "sdk-analyze-thinking", "video_id": a});
    let sid = c
        .json("POST", "/api/router/v2/query/start", &body)
        .unwrap()
        .json()["stream_id"]
        .as_str()
        .unwrap()
        .to_string();
    let admin = admin(&c);
    let f = admin
        .json(
            "POST",
            "/__emulator/faults",
            &json!({"method": "GET", "path": "/api/router/v2/query/events/*", "cut_after_events": 2, "times": 1}),
        )
        .unwrap();
    assert_eq!(f.status, 200);
    let cut = c
        .get(&format!("/api/router/v2/query/events/{sid}?last_id=0"))
        .unwrap();
    assert_eq!(names(&events(&cut.body)), ["status", "thinking"]);
    let log = admin.get("/__emulator/requests").unwrap().json();
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["fault"] == "cut_stream"));

    let direct = c
        .json("POST", "/api/router/v2/query/stream", &body)
        .unwrap();
    assert_eq!(direct.status, 200);
    assert_eq!(
        names(&events(&direct.body)),
        ["status", "thinking", "thinking", "batch_created", "done"]
    );
}

#[test]
fn rules_script_the_reasoning_and_errors_and_fast_mode_answers_at_once() {
    let (_d, _e, c) = fresh(&["--stream-event-ms", "5"]);
    let a = vid(&c, "a.mp4");
    let b = vid(&c, "broken.mp4");
    let rules = json!({"rules": [
        {"match": {"video_name": "broken"}, "thinking": ["Looking closely"], "stream_error": "model overloaded"},
        {"match": {"query": "van"}, "thinking": ["Vans first", "Then the sidewalk"], "summary": "One van.",
         "events": [{"t_start": 1, "t_end": 2, "category": "Parking", "label": "Van on sidewalk"}]}
    ]});
    assert_eq!(
        admin(&c)
            .json("POST", "/__emulator/rules", &rules)
            .unwrap()
            .status,
        200
    );
    let start = |id: &str, q: &str| {
        let sid = c
            .json(
                "POST",
                "/api/router/v2/query/start",
                &json!({"query": q, "client_info": "sdk-analyze-thinking", "video_id": id}),
            )
            .unwrap()
            .json()["stream_id"]
            .as_str()
            .unwrap()
            .to_string();
        events(
            &c.get(&format!("/api/router/v2/query/events/{sid}"))
                .unwrap()
                .body,
        )
    };
    let evs = start(&a, "a van");
    assert_eq!(evs[1].2["text"], "Vans first");
    assert_eq!(evs[2].2["text"], "Then the sidewalk");
    let err = start(&b, "anything");
    assert_eq!(names(&err), ["status", "thinking", "error"]);
    assert_eq!(err[2].2["error"], "model overloaded");

    let fast = |v: Value| c.json("POST", "/api/router/query", &v).unwrap().json();
    let one = fast(
        json!({"query": "a van", "prefer_fast": true, "quick_analysis": true, "use_thinking": false, "video_id": a}),
    );
    assert_eq!(one["success"], true);
    let aid = one["analysis_id"].as_str().unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let doc = c
        .get(&format!("/api/videos/{a}/analyses/{aid}"))
        .unwrap()
        .json();
    assert_eq!(
        (
            doc["analysis"]["status"].clone(),
            doc["analysis"]["summary"].clone()
        ),
        (json!("completed"), json!("One van."))
    );
    let many = fast(
        json!({"query": "a van", "prefer_fast": true, "quick_analysis": true, "use_thinking": false, "video_ids": [a, a]}),
    );
    assert!(many["batch_id"].as_str().unwrap().starts_with("batch_"));
    let failed = fast(
        json!({"query": "x", "prefer_fast": true, "quick_analysis": true, "use_thinking": false, "video_id": b}),
    );
    assert_eq!(
        (failed["success"].clone(), failed["error"].clone()),
        (json!(false), json!("model overloaded"))
    );
    for bad in [
        json!({"client_info": "sdk-analyze-thinking", "video_id": a}),
        json!({"query": " ", "video_id": a}),
        json!({"query": "q", "video_id": a, "video_ids": [a]}),
        json!({"query": "q", "video_ids": []}),
    ] {
        let r = c.json("POST", "/api/router/v2/query/start", &bad).unwrap();
        assert_eq!(r.status, 422, "{bad}");
    }
}
