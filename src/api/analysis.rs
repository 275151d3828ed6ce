//! `analyze()` (API.md §7): ASK and the agents, on one video, a list, or a folder. Everything is
//! checked before the first request; polling is bounded, abortable and reports progress.

use super::events;
use super::poll::{until, Schedule};
use super::validate::{invalid, non_blank, positive};
use super::videos::my_videos;
use super::{path, Body, Call, Doc, Out, Request, Seg, Transport};
use crate::error::Error;
use crate::value::{each_str, json_text, obj, strings, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ask,
    GeneralAgent,
    LaneChange,
    Turn,
    RelativeMotion,
    DrivingViolations,
}

/// An analysis type by enum value, name or alias, any case (API.md §7.1 item 6).
pub fn kind(s: &str) -> Result<Kind, Error> {
    let k = s.trim().to_ascii_lowercase();
    Ok(match k.as_str() {
        "rapid_review" | "ask" => Kind::Ask,
        "edge_case_agent" | "general" | "general_agent" | "general-edge-case" => Kind::GeneralAgent,
        "lane_change_agent" | "lane_change" | "lane-change" => Kind::LaneChange,
        "turn_agent" | "turn" => Kind::Turn,
        "relative_motion_agent" | "relative_motion" | "relative-motion" => Kind::RelativeMotion,
        "violation_agent" | "driving_violations" | "driving-violations" => Kind::DrivingViolations,
        "custom_agent" | "action_segmentation" | "action-segmentation" | "search" => {
            return Err(invalid(
                "analysisType '".to_string() + s + "' is not supported by this SDK",
            ))
        }
        _ => {
            return Err(invalid(
                "unknown analysisType '".to_string()
                    + s
                    + "': use AnalysisType.ASK or an agent type",
            ))
        }
    })
}

pub const CATEGORIES: [&str; 5] = ["driving", "robotics", "aerial", "security", "environment"];

struct Preset {
    category: &'static str,
    mode: &'static str,
    items: &'static [(&'static str, &'static str, u32)],
}

/// The agent presets of API.md §7.3; the descriptions are ours.
fn preset(k: Kind) -> Preset {
    match k {
        Kind::LaneChange => Preset {
            category: "Lane Change Detection",
            mode: "assistant",
            items: &[("lane change", "The ego vehicle moves across lane markings into the lane to its left or right.", 80)],
        },
        Kind::Turn => Preset {
            category: "Vehicle Turns",
            mode: "assistant",
            items: &[("vehicle turns", "The ego vehicle turns left or right at an intersection, junction or driveway.", 80)],
        },
        Kind::RelativeMotion => Preset {
            category: "Relative Motion Analysis",
            mode: "assistant",
            items: &[(
                "relative motion",
                "A nearby vehicle notably closes in on, overtakes or pulls away from the ego vehicle.",
                70,
            )],
        },
        Kind::DrivingViolations => Preset {
            category: "Driving Violations",
            mode: "assistant",
            items: &[
                ("speeding", "Driving above the posted limit, or too fast for the conditions.", 90),
                ("running red light", "Entering an intersection after the signal has turned red.", 95),
                ("failure to stop", "Not coming to a full stop at a stop sign or before turning right on red.", 85),
                ("improper lane usage", "Driving in the wrong lane, crossing solid lines, or misusing HOV or emergency lanes.", 80),
                ("following too closely", "Keeping an unsafe gap to the vehicle ahead.", 75),
            ],
        },
        _ => Preset { category: "agent_mode_placeholder", mode: "agent", items: &[] },
    }
}

fn items_json(p: &Preset) -> String {
    let mut items = Vec::with_capacity(p.items.len());
    for (t, d, i) in p.items {
        items.push(obj([
            ("title", (*t).into()),
            ("description", (*d).into()),
            ("importance", Value::Num(f64::from(*i))),
        ]));
    }
    json_text(&Value::Arr(items))
}

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    One(String),
    Many(Vec<String>),
    Folder { name: String, scope: Option<String> },
}

#[derive(Debug, Clone)]
pub struct Options {
    pub kind: Option<String>,
    pub custom_event: Option<String>,
    pub category: Option<String>,
    pub model_id: Option<String>,
    pub timeout_ms: f64,
    pub wait: bool,
    pub is_thumbnail: bool,
    pub return_subset: bool,
    pub enhanced_motion: bool,
    pub confidence: Option<String>,
    pub overlay: Option<String>,
    pub concept_ids: Vec<String>,
    pub poll_ms: f64,
    /// `custom_edge_case_agent_id`, agents only (API.md §7.3, §7.4).
    pub agent_id: Option<String>,
    /// `use_embedding_search` on an ASK batch (the Python client's `haystack_search`).
    pub haystack: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            kind: None,
            custom_event: None,
            category: None,
            model_id: None,
            timeout_ms: 2_400_000.0,
            wait: true,
            is_thumbnail: false,
            return_subset: false,
            enhanced_motion: false,
            confidence: None,
            overlay: None,
            concept_ids: Vec::new(),
            poll_ms: 5000.0,
            agent_id: None,
            haystack: false,
        }
    }
}

/// The checked request of an analysis.
struct Checked {
    kind: Kind,
    event: String,
    category: String,
    confidence: &'static str,
    /// Overlay flags in wire order: `extract_frame_timestamps`, `extract_frame_gps`, `overlay_mode`.
    overlay: &'static [&'static str],
    model: String,
    concepts: String,
}

fn check(target: &Target, o: &Options) -> Result<Checked, Error> {
    match target {
        Target::One(id) => {
            super::validate::id("video id", id)?;
        }
        Target::Many(ids) => {
            if ids.is_empty() {
                return Err(invalid("analyze() got an empty list of video ids"));
            }
            for id in ids {
                super::validate::id("every video id", id)?;
            }
        }
        Target::Folder { name, scope } => {
            non_blank("folder", name)?;
            if scope.is_some() {
                super::validate::scope_in(scope.as_deref(), &["user", "org", "sample"])?;
            }
        }
    }
    let kind = kind(
        o.kind
            .as_deref()
            .ok_or_else(|| invalid("analyze() needs options.analysisType"))?,
    )?;
    let confidence = match o.confidence.as_deref() {
        None | Some("low") => "low",
        Some("high") => "high",
        Some(_) => return Err(invalid("confidence must be 'low' or 'high'")),
    };
    let overlay: &'static [&'static str] = match o
        .overlay
        .as_deref()
        .map(|s| s.trim().to_ascii_lowercase())
        .as_deref()
    {
        None => &[],
        Some("timestamps") => &["extract_frame_timestamps"],
        Some("gps") => &["extract_frame_timestamps", "extract_frame_gps"],
        Some("custom") => &["overlay_mode"],
        Some(_) => {
            return Err(invalid(
                "overlayMode must be OverlayMode.TIMESTAMPS, GPS or CUSTOM",
            ))
        }
    };
    if !(positive(o.timeout_ms) && positive(o.poll_ms)) {
        return Err(invalid("timeoutMs and pollIntervalMs must be positive"));
    }
    let model = non_blank(
        "modelId",
        o.model_id.as_deref().unwrap_or("Nomadic-VL-XLarge"),
    )?;
    for c in &o.concept_ids {
        non_blank("every concept id", c)?;
    }
    let concepts = json_text(&strings(&o.concept_ids));
    let (event, category) = if kind == Kind::Ask {
        if o.agent_id.is_some() {
            return Err(invalid(
                "customEdgeCaseAgentId applies to the agents, not to AnalysisType.ASK",
            ));
        }
        let event = non_blank(
            "customEvent (what to look for, required for AnalysisType.ASK)",
            o.custom_event.as_deref().unwrap_or(""),
        )?;
        // Exactly one of the enum's values, as API.md §7.1 says.
        let category = o.category.as_deref().unwrap_or("driving").to_string();
        if !CATEGORIES.contains(&category.as_str()) {
            return Err(invalid("customCategory must be one of CustomCategory: driving, robotics, aerial, security, environment"));
        }
        (event, category)
    } else {
        if let Some(a) = &o.agent_id {
            non_blank("customEdgeCaseAgentId", a)?;
        }
        if o.custom_event.is_some() || o.category.is_some() {
            return Err(invalid(
                "customEvent and customCategory apply to AnalysisType.ASK only",
            ));
        }
        (String::new(), String::new())
    };
    Ok(Checked {
        kind,
        event,
        category,
        confidence,
        overlay,
        model,
        concepts,
    })
}

fn py_bool(b: bool) -> String {
    (if b { "True" } else { "False" }).to_string()
}

fn js_bool(b: bool) -> String {
    (if b { "true" } else { "false" }).to_string()
}

/// Runs an analysis; see the module docs. `progress` gets each polled status.
pub async fn analyze<T: Transport>(
    c: &Call<'_, T>,
    target: Target,
    o: &Options,
    progress: &dyn Fn(&Value),
) -> Result<Value, Error> {
    let k = check(&target, o)?;
    let ids = match target {
        Target::One(id) => return single(c, &id, &k, o, progress).await,
        Target::Many(ids) => ids,
        Target::Folder { name, scope } => folder_ids(c, &name, scope.as_deref()).await?,
    };
    super::batches::run(c, &ids, k.batch_form(o), k.kind == Kind::Ask, o, progress).await
}

/// The ids of a folder's videos (an empty folder is refused: there is nothing to analyse).
pub(super) async fn folder_ids<T: Transport>(
    c: &Call<'_, T>,
    name: &str,
    scope: Option<&str>,
) -> Result<Vec<String>, Error> {
    let list: Value = match my_videos(c, Some(name), scope).await? {
        Out::Doc(d) => d.read()?,
        Out::Made(v) => v,
    };
    let ids = each_str(list.arr().unwrap_or(&[]), "video_id");
    if ids.is_empty() {
        return Err(invalid(
            "the folder '".to_string() + name + "' has no videos to analyse",
        ));
    }
    Ok(ids)
}

impl Checked {
    fn batch_form(&self, o: &Options) -> Vec<(&'static str, String)> {
        let mut f: Vec<(&'static str, String)> = Vec::new();
        let mut put = |k: &'static str, v: String| f.push((k, v));
        if self.kind == Kind::Ask {
            put("analysis_kind", "rapid_review".into());
            put("prompt", self.event.clone());
            put("category", self.category.clone());
            put("concepts_json", self.concepts.clone());
            put("config", "default".into());
            put("confidence", self.confidence.into());
            put("is_thumbnail", js_bool(o.is_thumbnail));
            put("use_enhanced_motion_analysis", js_bool(o.enhanced_motion));
            put("use_embedding_search", js_bool(o.haystack));
            for flag in self.overlay {
                put(flag, "true".into());
            }
        } else {
            let p = preset(self.kind);
            put("analysis_kind", "edge_agent".into());
            put("concepts_json", self.concepts.clone());
            put("model_id", self.model.clone());
            put("config", "default".into());
            put("edge_case_category", p.category.into());
            put("agent_mode", p.mode.into());
            put("assistant_edge_cases_json", items_json(&p));
            if let Some(a) = &o.agent_id {
                put("custom_edge_case_agent_id", a.clone());
            }
        }
        f
    }
}

pub(super) fn poll_schedule(o: &Options) -> Schedule {
    Schedule {
        first_ms: o.poll_ms,
        factor: 1.0,
        cap_ms: o.poll_ms,
    }
}

pub(super) fn analysis_path(video: &str, analysis: &str, rest: &'static str) -> String {
    path(&[
        Seg::Lit("/api/videos/"),
        Seg::Id(video),
        Seg::Lit("/analyses/"),
        Seg::Id(analysis),
        Seg::Lit(rest),
    ])
}

async fn single<T: Transport>(
    c: &Call<'_, T>,
    video: &str,
    k: &Checked,
    o: &Options,
    progress: &dyn Fn(&Value),
) -> Result<Value, Error> {
    if k.kind != Kind::Ask {
        return agent(c, video, k, o, progress).await;
    }
    let mut form = vec![
        (
            "question",
            k.category.clone() + "-----------EVENT_DESCRIPTION-----------" + &k.event,
        ),
        ("video_id", video.to_string()),
        ("is_thumbnail", py_bool(o.is_thumbnail)),
        ("use_enhanced_motion_analysis", py_bool(o.enhanced_motion)),
        ("config", "default".to_string()),
        ("confidence", k.confidence.to_string()),
    ];
    for flag in k.overlay {
        form.push((flag, "True".to_string()));
    }
    let r = c
        .send(Request::post(
            path(&[Seg::Lit("/api/ask")]),
            Body::Form(form),
        ))
        .await?;
    let answer: Value = r.doc.read()?;
    let analysis_id = answer
        .get_str("analysis_id")
        .map(str::to_string)
        .ok_or_else(|| Error::Network("the ASK answer has no analysis_id".into()))?;
    let (summary, mut evs) = if r.status == 202 {
        if !o.wait {
            return Ok(obj([
                ("video_id", video.into()),
                ("analysis_id", analysis_id.into()),
                ("mode", "rapid_review".into()),
                ("status", "started".into()),
            ]));
        }
        let doc = until(
            c,
            o.timeout_ms,
            poll_schedule(o),
            &("analysis ".to_string() + &analysis_id),
            || async {
                let req = Request::get(analysis_path(video, &analysis_id, "/status"))
                    .query("collection", c.names.collection.clone());
                let doc = c.object(req).await?;
                progress(&doc);
                match doc
                    .get_str("status")
                    .unwrap_or("")
                    .to_ascii_uppercase()
                    .as_str()
                {
                    "COMPLETED" => Ok(Some(doc)),
                    "FAILED" => Err(Error::Network(
                        ("analysis ".to_string()
                            + &analysis_id
                            + " failed"
                            + &doc
                                .get_str("error")
                                .map(|e| ": ".to_string() + e)
                                .unwrap_or_default())
                            .into(),
                    )),
                    _ => Ok(None),
                }
            },
        )
        .await?;
        let mut evs = Vec::new();
        for e in doc.get("events").and_then(Value::arr).unwrap_or(&[]) {
            if matches!(e, Value::Obj(_)) {
                evs.push(events::from_ui(e));
            }
        }
        let summary = events::summary(&obj([(
            "analysis",
            obj([("answer", doc.get("answer").cloned().unwrap_or(Value::Null))]),
        )]));
        (summary, evs)
    } else {
        let mut evs = answer
            .get("suggested_events")
            .and_then(Value::arr)
            .unwrap_or(&[])
            .to_vec();
        events::fold_each(&mut evs);
        (events::summary(&obj([("analysis", answer.clone())])), evs)
    };
    if o.is_thumbnail && !evs.is_empty() {
        match super::visuals::urls(c, video, &analysis_id).await {
            Ok(urls) if urls.len() == evs.len() => {
                for (e, u) in evs.iter_mut().zip(urls) {
                    e.set("annotated_thumbnail_url", u.into());
                }
            }
            // Thumbnails are a bonus: only an abort stops the call (the Python client logs it).
            Err(e @ Error::Abort(_)) => return Err(e),
            _ => {}
        }
    }
    Ok(obj([
        ("video_id", video.into()),
        ("analysis_id", analysis_id.into()),
        ("mode", "rapid_review".into()),
        ("status", "completed".into()),
        ("summary", summary.into()),
        ("events", Value::Arr(evs)),
    ]))
}

async fn agent<T: Transport>(
    c: &Call<'_, T>,
    video: &str,
    k: &Checked,
    o: &Options,
    progress: &dyn Fn(&Value),
) -> Result<Value, Error> {
    let p = preset(k.kind);
    let mut form = vec![
        ("firebase_collection_name", c.names.collection.clone()),
        ("model_id", k.model.clone()),
        ("edge_case_category", p.category.to_string()),
        ("concepts_json", k.concepts.clone()),
        ("mode", p.mode.to_string()),
        ("assistant_edge_cases_json", items_json(&p)),
        ("config", "default".to_string()),
    ];
    if let Some(a) = &o.agent_id {
        form.push(("custom_edge_case_agent_id", a.clone()));
    }
    let url = path(&[Seg::Lit("/api/analyze-video-edge/"), Seg::Id(video)]);
    let answer = c.object(Request::post(url, Body::Form(form))).await?;
    let analysis_id = answer
        .get_str("analysis_id")
        .map(str::to_string)
        .ok_or_else(|| Error::Network("the agent answer has no analysis_id".into()))?;
    if !o.wait {
        return Ok(obj([
            ("video_id", video.into()),
            ("mode", "agent".into()),
            ("status", "started".into()),
            ("analysis_id", analysis_id.into()),
        ]));
    }
    let doc = until(
        c,
        o.timeout_ms,
        poll_schedule(o),
        &("analysis ".to_string() + &analysis_id),
        || async {
            let req = Request::get(analysis_path(video, &analysis_id, ""))
                .query("firebase_collection_name", c.names.collection.clone());
            let doc = c.object(req).await?;
            progress(&doc);
            Ok(matches!(agent_status(&doc).as_str(), "COMPLETED" | "FAILED").then_some(doc))
        },
    )
    .await?;
    // The Python client says "completed" even for a failed run (API.md §17 item 7); we say what happened.
    let failed = agent_status(&doc) == "FAILED";
    let mut out = obj([
        ("video_id", video.into()),
        ("mode", "agent".into()),
        (
            "status",
            (if failed { "failed" } else { "completed" }).into(),
        ),
        ("events", Value::Arr(events::parse(&doc, true, false))),
        ("analysis_id", analysis_id.into()),
    ]);
    if failed {
        out.set(
            "error",
            doc.at(&["analysis", "error"])
                .cloned()
                .unwrap_or_else(|| "Analysis failed".into()),
        );
    }
    Ok(out)
}

fn agent_status(doc: &Value) -> String {
    doc.at(&["analysis", "status"])
        .or_else(|| doc.at(&["metadata", "visual_analysis", "status", "status"]))
        .and_then(Value::str)
        .unwrap_or("PROCESSING")
        .to_ascii_uppercase()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::testing::ToJson;
    use crate::api::testing::{block_on, Fake};
    use crate::api::{form_encode, Names};

    fn run(f: &Fake, target: Target, o: &Options) -> Result<Value, Error> {
        let names = Names::default();
        block_on(analyze(
            &Call {
                t: f,
                ctx: &(),
                names: &names,
            },
            target,
            o,
            &|_| {},
        ))
    }

    fn ask(event: &str) -> Options {
        Options {
            kind: Some("ask".into()),
            custom_event: Some(event.into()),
            poll_ms: 100.0,
            ..Default::default()
        }
    }

    #[test]
    fn ask_single_matches_the_golden_form() {
        // golden/analyze-ask-single-all-options.json (200, synchronous).
        let f = Fake::default();
        f.answer(200, r#"{"analysis_id": "an_abc123", "answer": "Two.", "suggested_events": [{"t_start": "00:03", "t_end": "00:07", "category": "Traffic", "label": "Van", "confidence": 0.91, "approval": "pending", "frame_timestamp_start": "08:00:03", "frame_timestamp_end": "08:00:07"}]}"#)
            .answer(200, r#"{"events": [{"annotated_thumbnail_url": "https://t/0.jpg"}]}"#);
        let o = Options {
            category: Some("robotics".into()),
            confidence: Some("high".into()),
            is_thumbnail: true,
            overlay: Some("TIMESTAMPS".into()),
            ..ask("delivery vans double parked")
        };
        let r = run(&f, Target::One("abc123".into()), &o).unwrap();
        let Body::Form(form) = &f.sent.borrow()[0].body else {
            panic!()
        };
        assert_eq!(
            form_encode(form),
            "question=robotics-----------EVENT_DESCRIPTION-----------delivery+vans+double+parked&video_id=abc123&is_thumbnail=True&use_enhanced_motion_analysis=False&config=default&confidence=high&extract_frame_timestamps=True"
        );
        assert_eq!(
            r.to_json(),
            r#"{"video_id": "abc123", "analysis_id": "an_abc123", "mode": "rapid_review", "status": "completed", "summary": "Two.", "events": [{"t_start": "00:03", "t_end": "00:07", "category": "Traffic", "label": "Van", "confidence": 0.91, "approval": "pending", "overlay": {"frame_timestamp": {"start": "08:00:03", "end": "08:00:07"}}, "annotated_thumbnail_url": "https://t/0.jpg"}]}"#
        );
    }

    #[test]
    fn ask_202_polls_and_converts_ui_events() {
        let f = Fake::default();
        f.answer(202, r#"{"analysis_id": "an_1"}"#)
            .answer(200, r#"{"status": "PROCESSING", "progress": 40}"#)
            .answer(200, r#"{"status": "COMPLETED", "answer": ["a", "b"], "events": [{"type": "T", "time": "t=65", "end_time": "t=70", "description": "L", "data": {}}]}"#);
        let r = run(&f, Target::One("v".into()), &ask("x")).unwrap();
        assert_eq!(r.get_str("summary"), Some("a\nb"));
        assert_eq!(
            r.at(&["events"]).and_then(Value::arr).unwrap()[0].get_str("t_start"),
            Some("01:05")
        );
        assert_eq!(
            f.paths()[1],
            "GET /api/videos/v/analyses/an_1/status?collection=videos"
        );
        assert_eq!(*f.slept.borrow(), vec![100.0]);
        let f = Fake::default();
        f.answer(202, r#"{"analysis_id": "an_1"}"#)
            .answer(200, r#"{"status": "FAILED", "error": "model crashed"}"#);
        assert_eq!(
            run(&f, Target::One("v".into()), &ask("x")).unwrap_err(),
            Error::Network("analysis an_1 failed: model crashed".into())
        );
    }

    #[test]
    fn agents_send_their_presets_and_report_the_truth() {
        let f = Fake::default();
        f.answer(200, r#"{"analysis_id": "an_edge"}"#)
            .answer(200, r#"{"analysis": {"status": "FAILED", "error": "boom", "events": [{"type": "Lane Change", "time": "t=4", "end_time": "t=9", "description": "left"}]}}"#);
        let r = run(
            &f,
            Target::One("abc123".into()),
            &Options {
                kind: Some("LANE_CHANGE".into()),
                poll_ms: 10.0,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            r.to_json(),
            r#"{"video_id": "abc123", "mode": "agent", "status": "failed", "events": [{"label": "left", "start_time": 4, "end_time": 9}], "analysis_id": "an_edge", "error": "boom"}"#
        );
        let Body::Form(form) = &f.sent.borrow()[0].body else {
            panic!()
        };
        let names: Vec<&str> = form.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            names,
            vec![
                "firebase_collection_name",
                "model_id",
                "edge_case_category",
                "concepts_json",
                "mode",
                "assistant_edge_cases_json",
                "config"
            ]
        );
        assert_eq!(form[2].1, "Lane Change Detection");
        assert!(
            form[5]
                .1
                .starts_with(r#"[{"title": "lane change", "description": ""#)
                && form[5].1.ends_with(r#"", "importance": 80}]"#)
        );
    }

    #[test]
    fn values_go_as_given_and_the_python_clients_extra_options_have_their_wire() {
        // An agent's own id, on one video and on a batch; an id and an event sent untrimmed.
        let f = Fake::default();
        f.answer(200, r#"{"analysis_id": "a1"}"#);
        let agent = Options {
            kind: Some("GENERAL_AGENT".into()),
            agent_id: Some("agent-7".into()),
            wait: false,
            ..Default::default()
        };
        run(&f, Target::One(" v1".into()), &agent).unwrap();
        assert_eq!(f.paths(), ["POST /api/analyze-video-edge/%20v1"]);
        let Body::Form(form) = &f.sent.borrow()[0].body else {
            panic!()
        };
        assert_eq!(
            form.last().unwrap(),
            &("custom_edge_case_agent_id", "agent-7".to_string())
        );
        let f = Fake::default();
        f.answer(200, r#"{"batch_id": "b1"}"#);
        run(&f, Target::Many(vec!["a".into(), "b".into()]), &agent).unwrap();
        let Body::Form(form) = &f.sent.borrow()[0].body else {
            panic!()
        };
        assert!(form.contains(&("custom_edge_case_agent_id", "agent-7".into())));
        // haystack search is `use_embedding_search` on an ASK batch; the event goes as written.
        let f = Fake::default();
        f.answer(200, r#"{"batch_id": "b1"}"#);
        let o = Options {
            haystack: true,
            wait: false,
            ..ask(" vans ")
        };
        run(&f, Target::Many(vec!["a".into()]), &o).unwrap();
        let Body::Form(form) = &f.sent.borrow()[0].body else {
            panic!()
        };
        assert!(form.contains(&("use_embedding_search", "true".into())));
        assert!(form.contains(&("prompt", " vans ".into())));
        // An agent id on ASK, a category or scope in another case: refused, nothing sent.
        for (target, o) in [
            (
                Target::One("v".into()),
                Options {
                    agent_id: Some("x".into()),
                    ..ask("e")
                },
            ),
            (
                Target::One("v".into()),
                Options {
                    category: Some("Driving".into()),
                    ..ask("e")
                },
            ),
            (
                Target::Folder {
                    name: "f".into(),
                    scope: Some("ORG".into()),
                },
                ask("e"),
            ),
        ] {
            let f = Fake::default();
            assert!(matches!(run(&f, target, &o), Err(Error::Validation(_))));
            assert!(f.sent.borrow().is_empty());
        }
        // The sample scope lists the folder there, as the Python client does.
        let f = Fake::default();
        f.answer(200, r#"{"videos": [{"video_id": "s1"}]}"#)
            .answer(200, r#"{"batch_id": "b1"}"#);
        run(
            &f,
            Target::Folder {
                name: "demo".into(),
                scope: Some("sample".into()),
            },
            &Options {
                wait: false,
                ..ask("e")
            },
        )
        .unwrap();
        assert!(
            f.paths()[0].ends_with("&folder=demo&scope=sample"),
            "{:?}",
            f.paths()
        );
    }

    #[test]
    fn batches_match_the_golden_forms() {
        // golden/analyze-ask-batch-all-options.json and analyze-agent-batch-ids.json.
        let f = Fake::default();
        f.answer(200, r#"{"batch_id": "batch_0001"}"#)
            .answer(200, r#"{"status": "processing"}"#)
            .answer(200, r#"{"status": "completed", "videos": [{"video_id": "abc123", "status": "completed", "analysis_id": "an_abc123"}]}"#)
            .answer(200, r#"{"analyses": [{"video_id": "abc123", "analysis_id": "an_abc123", "import_source_uri": "gs://d/abc123.mp4", "analysis": {"status": "completed", "answer": "Sum", "events": [{"type": "Traffic", "time": "t=3", "end_time": "t=7", "description": "Van", "approval": "approved", "data": {"confidence": 0.91}}]}}]}"#);
        let o = Options {
            category: Some("robotics".into()),
            confidence: Some("high".into()),
            is_thumbnail: true,
            overlay: Some("gps".into()),
            ..ask("delivery vans double parked")
        };
        let r = run(&f, Target::Many(vec!["abc123".into(), "def456".into()]), &o).unwrap();
        let Body::Form(form) = &f.sent.borrow()[0].body else {
            panic!()
        };
        let text = form_encode(form);
        let (head, tail) = text.split_once("&client_batch_id=").unwrap();
        assert_eq!(head, "video_ids=abc123&video_ids=def456&analysis_kind=rapid_review&prompt=delivery+vans+double+parked&category=robotics&concepts_json=%5B%5D&config=default&confidence=high&is_thumbnail=true&use_enhanced_motion_analysis=false&use_embedding_search=false&extract_frame_timestamps=true&extract_frame_gps=true&start=true");
        assert!(
            tail.len() == 32
                && tail
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        let results = r.get("results").and_then(Value::arr).unwrap();
        assert_eq!(
            results[0].to_json(),
            r#"{"video_id": "abc123", "analysis_id": "an_abc123", "mode": "rapid_review", "status": "completed", "import_source_uri": "gs://d/abc123.mp4", "summary": "Sum", "events": [{"t_start": "00:03", "t_end": "00:07", "category": "Traffic", "label": "Van", "severity": "medium", "aiAnalysis": "", "confidence": 0.91, "approval": "approved"}]}"#
        );
        assert_eq!(
            results[1].get_str("status"),
            Some("failed"),
            "a video the batch never mentions fails with a reason"
        );
        assert_eq!(
            r.at(&["batch_metadata", "batch_type"]).and_then(Value::str),
            Some("ask")
        );

        let f = Fake::default();
        f.answer(200, r#"{"batch_id": "b2"}"#);
        let o = Options {
            kind: Some("lane_change".into()),
            wait: false,
            ..Default::default()
        };
        let r = run(&f, Target::Many(vec!["abc123".into()]), &o).unwrap();
        let Body::Form(form) = &f.sent.borrow()[0].body else {
            panic!()
        };
        let names: Vec<&str> = form.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            names,
            vec![
                "video_ids",
                "analysis_kind",
                "concepts_json",
                "model_id",
                "config",
                "edge_case_category",
                "agent_mode",
                "assistant_edge_cases_json",
                "start",
                "client_batch_id"
            ]
        );
        assert_eq!(
            r.get("results").unwrap().to_json(),
            r#"[{"video_id": "abc123", "analysis_id": null, "mode": "agent", "status": "started"}]"#
        );
    }

    #[test]
    fn every_rule_fails_before_sending() {
        let cases: Vec<(Target, Options)> = vec![
            (Target::Many(vec![]), ask("x")),
            (Target::Many(vec!["a".into(), " ".into()]), ask("x")),
            (Target::One(" ".into()), ask("x")),
            (
                Target::Folder {
                    name: " ".into(),
                    scope: None,
                },
                ask("x"),
            ),
            (
                Target::Folder {
                    name: "f".into(),
                    scope: Some("everyone".into()),
                },
                ask("x"),
            ),
            (
                Target::One("v".into()),
                Options {
                    kind: None,
                    ..ask("x")
                },
            ),
            (
                Target::One("v".into()),
                Options {
                    kind: Some("nope".into()),
                    ..ask("x")
                },
            ),
            (
                Target::One("v".into()),
                Options {
                    kind: Some("custom_agent".into()),
                    ..ask("x")
                },
            ),
            (Target::One("v".into()), ask(" ")),
            (
                Target::One("v".into()),
                Options {
                    custom_event: None,
                    ..ask("x")
                },
            ),
            (
                Target::One("v".into()),
                Options {
                    category: Some("cooking".into()),
                    ..ask("x")
                },
            ),
            (
                Target::One("v".into()),
                Options {
                    confidence: Some("medium".into()),
                    ..ask("x")
                },
            ),
            (
                Target::One("v".into()),
                Options {
                    overlay: Some("lidar".into()),
                    ..ask("x")
                },
            ),
            (
                Target::One("v".into()),
                Options {
                    timeout_ms: 0.0,
                    ..ask("x")
                },
            ),
            (
                Target::One("v".into()),
                Options {
                    model_id: Some(" ".into()),
                    ..ask("x")
                },
            ),
            (
                Target::One("v".into()),
                Options {
                    concept_ids: vec!["".into()],
                    ..ask("x")
                },
            ),
            (
                Target::One("v".into()),
                Options {
                    kind: Some("turn".into()),
                    ..ask("x")
                },
            ),
            (
                Target::One("v".into()),
                Options {
                    kind: Some("turn".into()),
                    custom_event: None,
                    category: Some("driving".into()),
                    ..ask("x")
                },
            ),
        ];
        for (t, o) in cases {
            let f = Fake::default();
            let r = run(&f, t.clone(), &o);
            assert!(matches!(r, Err(Error::Validation(_))), "{t:?} {o:?}: {r:?}");
            assert!(f.sent.borrow().is_empty());
        }
        assert_eq!(kind("General-Edge-Case").unwrap(), Kind::GeneralAgent);
        assert_eq!(kind("violation_agent").unwrap(), Kind::DrivingViolations);
    }
}
