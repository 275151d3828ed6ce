//! Prompt analysis (thinking and fast) and `analyzeStream` against the emulator's router
//! endpoints: scripted events, a stream cut mid-way, the fallback, an error event, aborts.

use super::analysis::{events_of, keep, normalised, rules_for, set_rules, uploaded};
use super::*;

#[wasm_bindgen(module = "/tests/suite/helpers.js")]
extern "C" {
    fn take(iterable: &JsValue, n: f64) -> Promise;
}

const PROMPT: &str = "vehicles parked on the sidewalk";

fn prompt_opts(mode: &str, extra: &[(&str, JsValue)]) -> JsValue {
    let mut pairs = vec![("prompt", s(PROMPT)), ("mode", s(mode)), fast()];
    pairs.extend(extra.iter().cloned());
    o(&pairs)
}

fn scripted_result(r: &JsValue, mode: &str) {
    assert_eq!(
        (text(r, "mode"), text(r, "status"), text(r, "summary")),
        (
            mode.into(),
            "completed".into(),
            "Three parking events.".into()
        )
    );
    assert!(text(r, "analysis_id").starts_with("an_"));
    assert_eq!(
        events_of(r).iter().map(keep).collect::<Vec<_>>(),
        normalised()
    );
}

/// The stream events `onProgress` saw, as `id:event`.
fn stream_events(rec: &JsValue) -> Vec<String> {
    list(&get(rec, "events"))
        .iter()
        .filter(|e| text(e, "type") == "event")
        .map(|e| text(e, "id") + ":" + &text(e, "event"))
        .collect()
}

#[wasm_bindgen_test]
async fn thinking_and_fast_on_a_video_a_list_and_a_folder_give_the_scripted_events() {
    let c = client();
    let run = unique();
    rules_for(&run, "").await;
    let ids = uploaded(&c, &run, 2, &run).await;
    for mode in ["thinking", "fast"] {
        let rec = recorder();
        let one = wait(c.analyze(
            s(&ids[0]),
            prompt_opts(mode, &[("onProgress", get(&rec, "fn"))]),
        ))
        .await
        .expect("one video");
        scripted_result(&one, mode);
        if mode == "thinking" {
            assert_eq!(
                stream_events(&rec),
                ["1:status", "2:thinking", "3:thinking", "4:batch_created"]
            );
        }
        let id_list: Array = ids.iter().map(|i| s(i)).collect();
        let many = wait(c.analyze(id_list.into(), prompt_opts(mode, &[])))
            .await
            .expect("list");
        assert_eq!(text(&get(&many, "batch_metadata"), "batch_type"), "prompt");
        let results = list(&get(&many, "results"));
        assert_eq!(
            results
                .iter()
                .map(|r| text(r, "video_id"))
                .collect::<Vec<_>>(),
            ids
        );
        for r in &results {
            scripted_result(r, mode);
        }
        let folder = wait(c.analyze(o(&[("folder", s(&run))]), prompt_opts(mode, &[])))
            .await
            .expect("folder");
        assert_eq!(list(&get(&folder, "results")).len(), 2);
    }
    // The prompt goes as the user wrote it, and the mode is exact.
    clear_log().await;
    all_invalid(vec![
        (
            "blank prompt",
            c.analyze(s(&ids[0]), o(&[("prompt", s("  "))])),
        ),
        (
            "mode in capitals",
            c.analyze(s(&ids[0]), prompt_opts("FAST", &[])),
        ),
        (
            "mode without a prompt",
            c.analyze(s(&ids[0]), o(&[("mode", s("fast"))])),
        ),
        (
            "prompt with an ASK option",
            c.analyze(s(&ids[0]), prompt_opts("fast", &[("customEvent", s("x"))])),
        ),
        (
            "prompt with an agent",
            c.analyze(
                s(&ids[0]),
                prompt_opts("fast", &[("analysisType", s("LANE_CHANGE"))]),
            ),
        ),
    ])
    .await;
    assert!(
        log_for("/api/router/query").await.is_empty(),
        "nothing sent"
    );
}

#[wasm_bindgen_test]
async fn a_cut_stream_resumes_from_last_id_and_a_failing_start_takes_the_fallback() {
    let c = client();
    let run = unique();
    rules_for(&run, "").await;
    let ids = uploaded(&c, &run, 1, &run).await;
    clear_log().await;
    fault(r#"{"method": "GET", "path": "/api/router/v2/query/events/*", "cut_after_events": 2, "times": 1}"#).await;
    let rec = recorder();
    let r = wait(c.analyze(
        s(&ids[0]),
        prompt_opts("thinking", &[("onProgress", get(&rec, "fn"))]),
    ))
    .await
    .expect("resumed");
    scripted_result(&r, "thinking");
    // Every event exactly once, across the two connections.
    assert_eq!(
        stream_events(&rec),
        ["1:status", "2:thinking", "3:thinking", "4:batch_created"]
    );
    let all = list(&adm("GET", "requests", JsValue::UNDEFINED).await);
    let queries: Vec<String> = all
        .iter()
        .filter(|e| text(e, "path").starts_with("/api/router/v2/query/events/"))
        .map(|e| text(e, "query"))
        .collect();
    assert_eq!(queries, ["last_id=0", "last_id=2"]);

    // A 5xx at start (retries spent) takes the direct stream, with the same body.
    let c0 = client_with(&[("maxRetries", n(0.0))]);
    fault(r#"{"method": "POST", "path": "/api/router/v2/query/start", "status": 503, "times": 1}"#)
        .await;
    let r = wait(c0.analyze(s(&ids[0]), prompt_opts("thinking", &[])))
        .await
        .expect("fallback");
    scripted_result(&r, "thinking");
    assert_eq!(log_for("/api/router/v2/query/stream").await.len(), 1);
}

#[wasm_bindgen_test]
async fn an_error_event_rejects_with_an_api_error_and_fast_mode_too() {
    let c = client();
    let run = unique();
    let rules = JSON::parse(&format!(
        r#"[{{"match": {{"video_name": "{run}"}}, "thinking": ["Looking"], "stream_error": "model overloaded"}}]"#
    ))
    .unwrap();
    wait(set_rules(BASE, rules, ADMIN_TOKEN))
        .await
        .expect("rules");
    let ids = uploaded(&c, &run, 1, &run).await;
    for mode in ["thinking", "fast"] {
        let e = wait(c.analyze(s(&ids[0]), prompt_opts(mode, &[])))
            .await
            .expect_err(mode);
        assert_eq!(class_chain(&e), "APIError>NomadicMLError>Error", "{mode}");
        assert!(text(&e, "message").contains("model overloaded"), "{mode}");
    }
}

#[wasm_bindgen_test]
async fn analyze_stream_yields_events_then_results_and_stops_on_abort_or_break() {
    let c = client();
    let run = unique();
    // 100 lines 40 ms apart: a stream of about 4 s, so that an abort that works (settling within
    // 2 s, with room for a slow machine) cannot be confused with the stream running out.
    let lines: Vec<String> = (0..100).map(|i| format!("\"step {i}\"")).collect();
    let rules = JSON::parse(&format!(
        r#"[{{"match": {{"video_name": "{run}"}}, "thinking": [{}], "summary": "Done."}}]"#,
        lines.join(",")
    ))
    .unwrap();
    wait(set_rules(BASE, rules, ADMIN_TOKEN))
        .await
        .expect("rules");
    let ids = uploaded(&c, &run, 1, &run).await;

    let items = list(
        &wait(take(
            &c.analyze_stream(s(&ids[0]), o(&[("prompt", s("anything")), fast()])),
            -1.0,
        ))
        .await
        .expect("stream"),
    );
    let kinds: Vec<String> = items.iter().map(|i| text(i, "type")).collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "event").count(),
        102,
        "status, 100 lines, batch"
    );
    assert_eq!(kinds.last().map(String::as_str), Some("results"));
    assert!(
        kinds.iter().any(|k| k == "status"),
        "polled statuses between"
    );
    let results = get(items.last().unwrap(), "results");
    assert_eq!(text(&results, "summary"), "Done.");

    // Abort while the reasoning streams: the loop rejects with AbortError, nothing more is sent.
    let ctl = controller();
    let stream = c.analyze_stream(
        s(&ids[0]),
        o(&[
            ("prompt", s("anything")),
            ("signal", get(&ctl, "signal")),
            fast(),
        ]),
    );
    let t = wait(abort_timed(&ctl, &take(&stream, -1.0), 300.0))
        .await
        .unwrap();
    let e = get(&t, "error");
    assert_eq!(class_chain(&e), "AbortError>NomadicMLError>Error");
    let ms = get(&t, "ms").as_f64().unwrap();
    // The stream had over 3.5 s left to run: only an abort that works ends it this soon.
    assert!(ms < 2000.0, "settled {ms} ms after the abort");
    clear_log().await;
    wait(delay(400.0)).await.unwrap();
    let after: Vec<String> = list(&adm("GET", "requests", JsValue::UNDEFINED).await)
        .iter()
        .filter(|e| text(e, "fault") != "cancelled")
        .map(|e| text(e, "path"))
        .collect();
    assert!(after.is_empty(), "sent after the abort: {after:?}");

    // Leaving the loop early aborts it too.
    let first = list(
        &wait(take(
            &c.analyze_stream(s(&ids[0]), o(&[("prompt", s("anything"))])),
            1.0,
        ))
        .await
        .unwrap(),
    );
    assert_eq!(text(&first[0], "event"), "status");
    clear_log().await;
    wait(delay(400.0)).await.unwrap();
    assert!(list(&adm("GET", "requests", JsValue::UNDEFINED).await)
        .iter()
        .all(|e| text(e, "fault") == "cancelled"));

    // Bad options reject the first step.
    let bad = wait(take(
        &c.analyze_stream(s(&ids[0]), o(&[("prompt", s("x")), ("mode", s("fast"))])),
        -1.0,
    ))
    .await
    .expect_err("fast has no stream");
    assert_eq!(class_chain(&bad), "ValidationError>NomadicMLError>Error");
}
