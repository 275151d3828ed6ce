//! Analysis, batches, structured ODD, thumbnails and search against scripted emulator rules:
//! what comes back must equal the scripted events after normalisation.

use super::*;

#[wasm_bindgen(module = "/tests/suite/helpers.js")]
extern "C" {
    #[wasm_bindgen(js_name = setRules)]
    pub(super) fn set_rules(base: &str, rules: JsValue, token: &str) -> Promise;
    #[wasm_bindgen(js_name = imageWidth)]
    fn image_width(url: &str) -> Promise;
    #[wasm_bindgen(js_name = parseCsv)]
    fn parse_csv(text: &str) -> JsValue;
}

use nomadicml_web::default_odd_columns as default_columns;

const ASK: &str = "rapid_review";

/// Scripted events: an hour-long span, quotes, commas, a newline, unicode, three approvals.
fn scripted() -> JsValue {
    JSON::parse(r#"[
        {"t_start": 3, "t_end": 7, "category": "Parking", "label": "Van, \"white\", on the sidewalk", "severity": "high",
         "ai_analysis": "Blocks the walkway;\nsecond line ✓", "approval": "approved", "confidence": 0.93, "box": [0.1, 0.2, 0.3, 0.4]},
        {"t_start": 65, "t_end": 3725, "category": "Parking", "label": "Truck on curb", "approval": "rejected", "confidence": 0.71},
        {"t_start": 12, "t_end": 15, "category": "Parking", "label": "Scooter", "ai_analysis": "Pending review."}
    ]"#).unwrap()
}

/// The same events as the SDK must return them (API.md §1.9).
const NORMALISED: &str = r#"[
    {"t_start": "00:03", "t_end": "00:07", "category": "Parking", "label": "Van, \"white\", on the sidewalk", "severity": "high", "aiAnalysis": "Blocks the walkway;\nsecond line ✓", "confidence": 0.93, "approval": "approved"},
    {"t_start": "01:05", "t_end": "01:02:05", "category": "Parking", "label": "Truck on curb", "severity": "medium", "aiAnalysis": "", "confidence": 0.71, "approval": "rejected"},
    {"t_start": "00:12", "t_end": "00:15", "category": "Parking", "label": "Scooter", "severity": "medium", "aiAnalysis": "Pending review.", "confidence": 0.85, "approval": "pending"}
]"#;

pub(super) async fn rules_for(run: &str, extra: &str) {
    let rules = JSON::parse(&format!(
        r#"[{{"match": {{"video_name": "{run}", "analysis_type": "ask", "query": "parked sidewalk"}}, "summary": "Three parking events.", "events": {}}},
            {{"match": {{"video_name": "{run}", "analysis_type": "lane_change"}}, "events": [{{"t_start": 4, "t_end": 9.5, "category": "Lane", "label": "lane change left"}}]}}{extra}]"#,
        JSON::stringify(&scripted()).unwrap().as_string().unwrap()
    ))
    .unwrap();
    wait(set_rules(BASE, rules, ADMIN_TOKEN))
        .await
        .expect("rules");
}

pub(super) async fn uploaded(c: &NomadicClient, run: &str, n: usize, folder: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let name = format!("{run}_{i}.mp4");
        let r = wait(c.upload(
            video(&name, 4000.0, 10.0),
            o(&[("folder", s(folder)), fast()]),
        ))
        .await
        .expect("upload");
        ids.push(text(&r, "video_id"));
    }
    ids
}

pub(super) fn keep(e: &JsValue) -> String {
    let keys = [
        "t_start",
        "t_end",
        "category",
        "label",
        "severity",
        "aiAnalysis",
        "confidence",
        "approval",
    ];
    let obj = Object::new();
    for k in keys {
        Reflect::set(&obj, &s(k), &get(e, k)).unwrap();
    }
    JSON::stringify(&obj).unwrap().as_string().unwrap()
}

pub(super) fn normalised() -> Vec<String> {
    list(&JSON::parse(NORMALISED).unwrap())
        .iter()
        .map(keep)
        .collect()
}

pub(super) fn events_of(r: &JsValue) -> Vec<JsValue> {
    list(&get(r, "events"))
}

fn ask_opts(extra: &[(&str, JsValue)]) -> JsValue {
    let mut pairs = vec![
        ("analysisType", s(ASK)),
        ("customEvent", s("vehicles parked on the sidewalk")),
        ("pollIntervalMs", n(50.0)),
    ];
    pairs.extend(extra.iter().cloned());
    o(&pairs)
}

#[wasm_bindgen_test]
async fn ask_on_one_video_returns_the_scripted_events_normalised() {
    let c = client();
    let run = unique();
    rules_for(&run, "").await;
    let ids = uploaded(&c, &run, 1, &run).await;
    let rec = recorder();
    let r = wait(c.analyze(s(&ids[0]), ask_opts(&[("onProgress", get(&rec, "fn"))])))
        .await
        .expect("analyze");
    assert_eq!(
        (text(&r, "mode"), text(&r, "status"), text(&r, "summary")),
        (
            "rapid_review".into(),
            "completed".into(),
            "Three parking events.".into()
        )
    );
    assert_eq!(
        events_of(&r).iter().map(keep).collect::<Vec<_>>(),
        normalised()
    );
    assert!(
        !list(&get(&rec, "events")).is_empty(),
        "progress after each poll"
    );
    // Not waiting gives the ids to poll later.
    let started = wait(c.analyze(
        s(&ids[0]),
        ask_opts(&[("waitForCompletion", JsValue::FALSE)]),
    ))
    .await
    .unwrap();
    assert_eq!(text(&started, "status"), "started");
    assert!(!text(&started, "analysis_id").is_empty());
}

#[wasm_bindgen_test]
async fn thumbnails_are_real_images_and_visuals_name_their_range() {
    let c = client();
    let run = unique();
    rules_for(&run, "").await;
    let ids = uploaded(&c, &run, 1, &run).await;
    let r = wait(c.analyze(s(&ids[0]), ask_opts(&[("isThumbnail", JsValue::TRUE)])))
        .await
        .expect("analyze");
    let urls: Vec<String> = events_of(&r)
        .iter()
        .map(|e| text(e, "annotated_thumbnail_url"))
        .collect();
    assert_eq!(urls.len(), 3);
    for u in &urls {
        assert_eq!(
            wait(image_width(u)).await.expect("image loads").as_f64(),
            Some(320.0)
        );
    }
    let aid = text(&r, "analysis_id");
    let visuals: Vec<String> = list(
        &wait(c.get_visuals(s(&ids[0]), s(&aid), JsValue::UNDEFINED))
            .await
            .unwrap(),
    )
    .iter()
    .map(|v| v.as_string().unwrap())
    .collect();
    assert_eq!(visuals, urls);
    let second = wait(c.get_visual(s(&ids[0]), s(&aid), n(1.0), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(second.as_string().unwrap(), urls[1]);
    let e = wait(c.get_visual(s(&ids[0]), s(&aid), n(3.0), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert!(
        text(&e, "message").contains("0 to 2"),
        "{}",
        text(&e, "message")
    );
}

#[wasm_bindgen_test]
async fn every_agent_type_runs_on_one_video() {
    let c = client();
    let run = unique();
    rules_for(&run, "").await;
    let ids = uploaded(&c, &run, 1, &run).await;
    let cases = [
        ("edge_case_agent", vec!["general edge case"]),
        ("turn_agent", vec!["vehicle turns"]),
        ("relative_motion_agent", vec!["relative motion"]),
        (
            "violation_agent",
            vec![
                "speeding",
                "running red light",
                "failure to stop",
                "improper lane usage",
                "following too closely",
            ],
        ),
        ("lane_change_agent", vec!["lane change left"]),
    ];
    for (kind, labels) in cases {
        let r = wait(c.analyze(
            s(&ids[0]),
            o(&[
                ("analysisType", s(kind)),
                ("pollIntervalMs", n(50.0)),
                ("conceptIds", Array::of1(&s("c1")).into()),
            ]),
        ))
        .await
        .expect(kind);
        assert_eq!(
            (text(&r, "mode"), text(&r, "status")),
            ("agent".into(), "completed".into()),
            "{kind}"
        );
        let got: Vec<String> = events_of(&r).iter().map(|e| text(e, "label")).collect();
        assert_eq!(got, labels, "{kind}");
    }
    let lane = wait(c.analyze(
        s(&ids[0]),
        o(&[
            ("analysisType", s("lane-change")),
            ("pollIntervalMs", n(50.0)),
        ]),
    ))
    .await
    .unwrap();
    let e = &events_of(&lane)[0];
    assert_eq!(
        (get(e, "start_time").as_f64(), get(e, "end_time").as_f64()),
        (Some(4.0), Some(9.5))
    );
}

#[wasm_bindgen_test]
async fn batches_by_ids_and_by_folder() {
    let c = client();
    let run = unique();
    rules_for(&run, "").await;
    let ids = uploaded(&c, &run, 2, &run).await;
    let id_list: Array = ids.iter().map(|i| s(i)).collect();
    let r = wait(c.analyze(id_list.into(), ask_opts(&[])))
        .await
        .expect("batch");
    let meta = get(&r, "batch_metadata");
    assert_eq!(text(&meta, "batch_type"), "ask");
    assert!(text(&meta, "batch_viewer_url").ends_with(&text(&meta, "batch_id")));
    let results = list(&get(&r, "results"));
    assert_eq!(
        results
            .iter()
            .map(|x| text(x, "video_id"))
            .collect::<Vec<_>>(),
        ids
    );
    for x in &results {
        assert_eq!(text(x, "summary"), "Three parking events.");
        assert_eq!(
            events_of(x).iter().map(keep).collect::<Vec<_>>(),
            normalised()
        );
    }
    let by_folder = wait(c.analyze(
        o(&[("folder", s(&run))]),
        o(&[
            ("analysisType", s("LANE_CHANGE")),
            ("pollIntervalMs", n(50.0)),
        ]),
    ))
    .await
    .expect("folder batch");
    let results = list(&get(&by_folder, "results"));
    assert_eq!(results.len(), 2);
    for x in &results {
        let e = &events_of(x)[0];
        assert_eq!(
            (text(e, "label"), get(e, "start_time").as_f64()),
            ("lane change left".into(), Some(4.0))
        );
    }
}

#[wasm_bindgen_test]
async fn batch_results_filter_and_csv_agree_with_the_events() {
    let c = client();
    let run = unique();
    rules_for(&run, "").await;
    let ids = uploaded(&c, &run, 2, &run).await;
    let id_list: Array = ids.iter().map(|i| s(i)).collect();
    let batch = wait(c.analyze(id_list.into(), ask_opts(&[])))
        .await
        .unwrap();
    let bid = text(&get(&batch, "batch_metadata"), "batch_id");
    let all = wait(c.get_batch_analysis(s(&bid), JsValue::UNDEFINED))
        .await
        .unwrap();
    let results = list(&get(&all, "results"));
    assert_eq!(results.len(), 2);
    let approved = wait(c.get_batch_analysis(s(&bid), o(&[("filter", s("approved"))])))
        .await
        .unwrap();
    let labels: Vec<String> = list(&get(&approved, "results"))
        .iter()
        .flat_map(events_of)
        .map(|e| text(&e, "approval"))
        .collect();
    assert_eq!(labels, vec!["approved", "approved"]);
    let none = wait(c.get_batch_analysis(s(&bid), o(&[("filter", s("invalid"))])))
        .await
        .unwrap();
    assert!(
        list(&get(&none, "results")).is_empty(),
        "videos without matching events are dropped"
    );
    let csv = wait(c.get_batch_analysis(s(&bid), o(&[("asCsv", JsValue::TRUE)])))
        .await
        .unwrap()
        .as_string()
        .unwrap();
    let rows = list(&parse_csv(&csv));
    let header: Vec<String> = list(&rows[0])
        .iter()
        .map(|h| h.as_string().unwrap())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(rows.len(), 1 + 6, "one row per event");
    let json_events: Vec<JsValue> = results.iter().flat_map(events_of).collect();
    for (row, e) in rows[1..].iter().zip(&json_events) {
        let row: Vec<String> = list(row).iter().map(|f| f.as_string().unwrap()).collect();
        assert_eq!(row[col("Label")], text(e, "label"));
        assert_eq!(row[col("AI Analysis")], text(e, "aiAnalysis"));
        assert_eq!(row[col("Approval Status")], text(e, "approval"));
        assert_eq!(
            row[col("Timestamp")],
            text(e, "t_start") + "-" + &text(e, "t_end")
        );
        assert_eq!(row[col("Batch ID")], bid);
    }
    // Metadata merges, and reads back through getBatchAnalysis.
    wait(c.add_batch_metadata(
        s(&bid),
        o(&[("experiment_id", s("exp-001")), ("version", n(2.0))]),
        JsValue::UNDEFINED,
    ))
    .await
    .unwrap();
    let merged = wait(c.add_batch_metadata(
        s(&bid),
        o(&[("version", n(3.0)), ("status", s("done"))]),
        JsValue::UNDEFINED,
    ))
    .await
    .unwrap();
    let m = get(&merged, "metadata");
    assert_eq!(
        (
            text(&m, "experiment_id"),
            get(&m, "version").as_f64(),
            text(&m, "status")
        ),
        ("exp-001".into(), Some(3.0), "done".into())
    );
    assert_eq!(
        js_sys::Object::keys(m.unchecked_ref::<Object>()).length(),
        3
    );
    let again = wait(c.get_batch_analysis(s(&bid), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(
        get(&get(&get(&again, "batch_metadata"), "metadata"), "version").as_f64(),
        Some(3.0)
    );
}

#[wasm_bindgen_test]
async fn structured_odd_uses_the_default_columns() {
    let c = client();
    let run = unique();
    let ids = uploaded(&c, &run, 1, &run).await;
    let r = wait(c.generate_structured_odd(o(&[("videoId", s(&ids[0]))])))
        .await
        .expect("odd");
    let rows = list(&parse_csv(&text(&r, "csv")));
    let header: Vec<String> = list(&rows[0])
        .iter()
        .map(|h| h.as_string().unwrap())
        .collect();
    let names: Vec<String> = list(&default_columns())
        .iter()
        .map(|c| text(c, "name"))
        .collect();
    assert_eq!(names.len(), 22);
    assert_eq!(header, names);
    assert!(text(&r, "reasoning_trace_path").starts_with("user-status/dev/users/"));
    let sent = list(&get(&r, "columns"));
    assert!(
        get(&sent[0], "literals").is_undefined(),
        "empty literals are not sent"
    );
}

#[wasm_bindgen_test]
async fn search_ranks_the_scripted_event_first() {
    let c = client();
    let run = unique();
    let rules = JSON::parse(&format!(
        r#"[{{"match": {{"video_name": "{run}_1"}}, "events": [{{"t_start": 1, "t_end": 4, "category": "Overtake", "label": "Red pickup truck overtaking a cyclist", "ai_analysis": "A red pickup truck passes the cyclist."}}]}},
            {{"match": {{"video_name": "{run}"}}, "events": [{{"t_start": 1, "t_end": 2, "category": "Traffic", "label": "Red light"}}, {{"t_start": 5, "t_end": 6, "category": "Traffic", "label": "Pedestrian crossing"}}]}}]"#
    ))
    .unwrap();
    wait(set_rules(BASE, rules, ADMIN_TOKEN)).await.unwrap();
    let ids = uploaded(&c, &run, 3, &run).await;
    let mut analyses = Vec::new();
    for id in &ids {
        analyses.push(text(
            &wait(c.analyze(s(id), ask_opts(&[]))).await.unwrap(),
            "analysis_id",
        ));
    }
    let r = wait(c.search(
        s("red pickup truck overtaking"),
        o(&[("folderName", s(&run))]),
    ))
    .await
    .expect("search");
    assert!(!text(&r, "session_id").is_empty() && !text(&r, "summary").is_empty());
    let top = &list(&get(&r, "matches"))[0];
    assert_eq!(
        (
            text(top, "video_id"),
            text(top, "analysis_id"),
            get(top, "event_index").as_f64()
        ),
        (ids[1].clone(), analyses[1].clone(), Some(0.0))
    );
    let keys: Vec<String> = js_sys::Object::keys(top.unchecked_ref::<Object>())
        .iter()
        .map(|k| k.as_string().unwrap())
        .collect();
    assert_eq!(
        keys,
        vec![
            "video_id",
            "analysis_id",
            "event_index",
            "similarity",
            "reason"
        ]
    );
}

#[wasm_bindgen_test]
async fn every_analysis_rule_sends_nothing() {
    let c = client();
    clear_log().await;
    let ask = |extra: &[(&str, JsValue)]| ask_opts(extra);
    let cases: Vec<(&str, Promise)> = vec![
        ("no target", c.analyze(JsValue::UNDEFINED, ask(&[]))),
        ("empty list", c.analyze(Array::new().into(), ask(&[]))),
        ("blank id", c.analyze(s(" "), ask(&[]))),
        ("number id", c.analyze(Array::of1(&n(1.0)).into(), ask(&[]))),
        (
            "ids and folder",
            c.analyze(s("v"), ask(&[("folder", s("f"))])),
        ),
        (
            "target with ids",
            c.analyze(
                o(&[("folder", s("f")), ("ids", Array::of1(&s("v")).into())]),
                ask(&[]),
            ),
        ),
        (
            "scope without folder",
            c.analyze(s("v"), ask(&[("scope", s("org"))])),
        ),
        (
            "bad scope",
            c.analyze(o(&[("folder", s("f")), ("scope", s("everyone"))]), ask(&[])),
        ),
        ("no type", c.analyze(s("v"), o(&[("customEvent", s("x"))]))),
        (
            "unknown type",
            c.analyze(
                s("v"),
                o(&[("analysisType", s("vibes")), ("customEvent", s("x"))]),
            ),
        ),
        (
            "ask without event",
            c.analyze(s("v"), o(&[("analysisType", s(ASK))])),
        ),
        (
            "blank event",
            c.analyze(s("v"), ask(&[("customEvent", s(" "))])),
        ),
        (
            "bad category",
            c.analyze(s("v"), ask(&[("customCategory", s("cooking"))])),
        ),
        (
            "bad confidence",
            c.analyze(s("v"), ask(&[("confidence", s("medium"))])),
        ),
        (
            "bad overlay",
            c.analyze(s("v"), ask(&[("overlayMode", s("lidar"))])),
        ),
        (
            "agent with event",
            c.analyze(
                s("v"),
                o(&[("analysisType", s("turn_agent")), ("customEvent", s("x"))]),
            ),
        ),
        (
            "concepts not strings",
            c.analyze(s("v"), ask(&[("conceptIds", Array::of1(&n(1.0)).into())])),
        ),
        (
            "timeout 0",
            c.analyze(s("v"), ask(&[("timeoutMs", n(0.0))])),
        ),
        (
            "bad filter",
            c.get_batch_analysis(s("b"), o(&[("filter", s("maybe"))])),
        ),
        (
            "bad filter list",
            c.get_batch_analysis(
                s("b"),
                o(&[("filter", Array::of2(&s("approved"), &s("nope")).into())]),
            ),
        ),
        (
            "metadata bool",
            c.add_batch_metadata(s("b"), o(&[("flag", JsValue::TRUE)]), JsValue::UNDEFINED),
        ),
        (
            "metadata null",
            c.add_batch_metadata(s("b"), o(&[("x", JsValue::NULL)]), JsValue::UNDEFINED),
        ),
        (
            "metadata nested",
            c.add_batch_metadata(s("b"), o(&[("x", o(&[]))]), JsValue::UNDEFINED),
        ),
        (
            "metadata list",
            c.add_batch_metadata(s("b"), o(&[("x", Array::new().into())]), JsValue::UNDEFINED),
        ),
        (
            "metadata fraction",
            c.add_batch_metadata(s("b"), o(&[("x", n(1.5))]), JsValue::UNDEFINED),
        ),
        (
            "metadata not object",
            c.add_batch_metadata(s("b"), s("x"), JsValue::UNDEFINED),
        ),
        (
            "visual index -1",
            c.get_visual(s("v"), s("a"), n(-1.0), JsValue::UNDEFINED),
        ),
        ("odd no video", c.generate_structured_odd(o(&[]))),
        (
            "odd empty columns",
            c.generate_structured_odd(o(&[("videoId", s("v")), ("columns", Array::new().into())])),
        ),
        (
            "odd bad column",
            c.generate_structured_odd(o(&[
                ("videoId", s("v")),
                ("columns", Array::of1(&o(&[("name", s("a"))])).into()),
            ])),
        ),
        (
            "search blank query",
            c.search(s(" "), o(&[("folderName", s("f"))])),
        ),
        ("search no folder", c.search(s("q"), JsValue::UNDEFINED)),
        (
            "search bad scope",
            c.search(
                s("q"),
                o(&[("folderName", s("f")), ("scope", s("everyone"))]),
            ),
        ),
    ];
    all_invalid(cases).await;
    let sent = list(&adm("GET", "requests", JsValue::UNDEFINED).await);
    assert!(sent.is_empty(), "{} request(s) were sent", sent.len());
}
