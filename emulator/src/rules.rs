//! Scripted analysis. The emulator cannot understand video, so the events of an analysis come
//! from rules matched on the video's name, its folder, the analysis type and the words of the
//! query. The first matching rule wins; with none, a documented default applies.
//!
//! Rules file (`--rules FILE`, or the body of `POST /__emulator/rules`):
//! ```json
//! {"rules": [{
//!   "match": {"video_name": "sidewalk", "folder": "fleet", "analysis_type": "ask", "query": "parked sidewalk"},
//!   "summary": "Two vans parked on the sidewalk.",
//!   "events": [{"t_start": 3, "t_end": 7.5, "category": "Parking", "label": "Van on sidewalk",
//!               "severity": "high", "ai_analysis": "A white van ...", "approval": "approved",
//!               "confidence": 0.93, "box": [0.1, 0.2, 0.3, 0.4], "overlay": {"speed": [12, 0]}}]
//! }]}
//! ```
//! Every `match` field is optional: `video_name` is a case-insensitive substring (`*` globs),
//! `folder` the exact folder name, `analysis_type` one of `ask`, `general_agent`, `lane_change`,
//! `turn`, `relative_motion`, `driving_violations`, and `query` words that must all appear in the
//! query (case-insensitive). Prompt analyses (`/api/router/...`) are matched as `ask`, with the
//! prompt as the query; a rule's `thinking` lines and `stream_error` script their event stream.

use serde::Deserialize;
use serde_json::{json, Map, Value};

#[derive(Debug, Default, Clone)]
pub struct Rules(Vec<Rule>);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    #[serde(default, rename = "match")]
    pub matcher: Matcher,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub events: Vec<RuleEvent>,
    /// Makes the analysis end as failed with this reason.
    #[serde(default)]
    pub fail: Option<String>,
    /// Prompt analysis (thinking): the reasoning lines its event stream sends before the batch.
    #[serde(default)]
    pub thinking: Vec<String>,
    /// Prompt analysis (thinking): the stream ends with an `error` event carrying this text
    /// instead of creating a batch.
    #[serde(default)]
    pub stream_error: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    pub video_name: Option<String>,
    pub folder: Option<String>,
    pub analysis_type: Option<String>,
    pub query: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleEvent {
    #[serde(alias = "start")]
    pub t_start: f64,
    #[serde(alias = "end")]
    pub t_end: f64,
    #[serde(default, alias = "type")]
    pub category: Option<String>,
    #[serde(default, alias = "description")]
    pub label: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default, alias = "aiAnalysis")]
    pub ai_analysis: Option<String>,
    #[serde(default)]
    pub approval: Option<String>,
    #[serde(default)]
    pub confidence: Option<f64>,
    /// `[x, y, w, h]` as fractions of the frame, drawn on the thumbnail.
    #[serde(default, rename = "box")]
    pub bbox: Option<[f64; 4]>,
    /// `{field: [start, end]}`: on-screen overlay readings, stored as `frame_<field>_start/_end`.
    #[serde(default)]
    pub overlay: Map<String, Value>,
}

/// What a rule is matched against.
pub struct Subject<'a> {
    pub analysis_type: &'a str,
    pub query: Option<&'a str>,
    pub category: Option<&'a str>,
    pub video_name: &'a str,
    pub folder: Option<&'a str>,
    pub duration_s: f64,
}

/// The scripted outcome of one analysis.
pub struct Outcome {
    pub events: Vec<Value>,
    pub summary: String,
    pub failed: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RulesDoc {
    Wrapped { rules: Vec<Rule> },
    Bare(Vec<Rule>),
}

pub const ANALYSIS_TYPES: &[&str] = &[
    "ask",
    "general_agent",
    "lane_change",
    "turn",
    "relative_motion",
    "driving_violations",
];

impl Rules {
    pub fn parse(text: &str) -> Result<Rules, String> {
        let doc: RulesDoc = serde_json::from_str(text).map_err(|e| format!("rules: {e}"))?;
        let rules = match doc {
            RulesDoc::Wrapped { rules } | RulesDoc::Bare(rules) => rules,
        };
        for (i, r) in rules.iter().enumerate() {
            if let Some(t) = &r.matcher.analysis_type {
                if !ANALYSIS_TYPES.contains(&t.as_str()) {
                    return Err(format!(
                        "rules[{i}].match.analysis_type: '{t}' is not one of {ANALYSIS_TYPES:?}"
                    ));
                }
            }
            for (j, e) in r.events.iter().enumerate() {
                if !(e.t_start.is_finite()
                    && e.t_end.is_finite()
                    && e.t_start >= 0.0
                    && e.t_end >= e.t_start)
                {
                    return Err(format!(
                        "rules[{i}].events[{j}]: need 0 <= t_start <= t_end"
                    ));
                }
            }
        }
        Ok(Rules(rules))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// What a thinking stream says about its first video: reasoning lines, and an error that ends
    /// it. Without a rule (or without lines in it) the lines are the emulator's defaults.
    pub fn stream_script(&self, s: &Subject) -> (Vec<String>, Option<String>) {
        let rule = self.0.iter().find(|r| r.matcher.matches(s));
        let lines = match rule {
            Some(r) if !r.thinking.is_empty() => r.thinking.clone(),
            _ => vec![
                format!("Reading the prompt: {}", s.query.unwrap_or("")),
                "Choosing what to look for in each video".to_string(),
            ],
        };
        (lines, rule.and_then(|r| r.stream_error.clone()))
    }

    pub fn outcome(&self, s: &Subject) -> Outcome {
        match self.0.iter().find(|r| r.matcher.matches(s)) {
            Some(rule) => Outcome {
                events: rule.events.iter().map(ui_event).collect(),
                summary: rule.summary.clone().unwrap_or_else(|| {
                    format!("{} event(s) found in {}.", rule.events.len(), s.video_name)
                }),
                failed: rule.fail.clone(),
            },
            None => default_outcome(s),
        }
    }
}

impl Matcher {
    fn matches(&self, s: &Subject) -> bool {
        let name_ok = self
            .video_name
            .as_deref()
            .is_none_or(|p| glob_ci(p, s.video_name));
        let folder_ok = self.folder.as_deref().is_none_or(|f| s.folder == Some(f));
        let type_ok = self
            .analysis_type
            .as_deref()
            .is_none_or(|t| t == s.analysis_type);
        let query_ok = self.query.as_deref().is_none_or(|q| {
            let hay = s.query.unwrap_or("").to_lowercase();
            q.split_whitespace()
                .all(|w| hay.contains(&w.to_lowercase()))
        });
        name_ok && folder_ok && type_ok && query_ok
    }
}

/// Case-insensitive match: a pattern without `*` is a substring; `*` matches any run.
fn glob_ci(pattern: &str, text: &str) -> bool {
    let p = pattern.to_lowercase();
    let t = text.to_lowercase();
    if !p.contains('*') {
        return t.contains(&p);
    }
    crate::glob::matches(&p, &t)
}

/// `t=<seconds>` as the service writes it: whole numbers without a fraction.
pub fn t_mark(secs: f64) -> String {
    if secs.fract() == 0.0 && secs.abs() < 1e15 {
        format!("t={}", secs as i64)
    } else {
        format!("t={secs}")
    }
}

fn ui_event(e: &RuleEvent) -> Value {
    let mut data = Map::new();
    data.insert("confidence".into(), json!(e.confidence.unwrap_or(0.85)));
    if let Some(b) = e.bbox {
        data.insert("box".into(), json!(b));
    }
    for (field, pair) in &e.overlay {
        let base = if field.starts_with("frame_") || field == "unix_timestamp" {
            field.clone()
        } else {
            format!("frame_{field}")
        };
        let (start, end) = match pair {
            Value::Array(v) => (
                v.first().cloned().unwrap_or(Value::Null),
                v.get(1).cloned().unwrap_or(Value::Null),
            ),
            Value::Object(o) => (
                o.get("start").cloned().unwrap_or(Value::Null),
                o.get("end").cloned().unwrap_or(Value::Null),
            ),
            other => (other.clone(), other.clone()),
        };
        data.insert(format!("{base}_start"), start);
        data.insert(format!("{base}_end"), end);
    }
    let category = e.category.clone().unwrap_or_else(|| "Event".into());
    json!({
        "type": category,
        "time": t_mark(e.t_start),
        "end_time": t_mark(e.t_end),
        "severity": e.severity.clone().unwrap_or_else(|| "medium".into()),
        "description": e.label.clone().unwrap_or_default(),
        "aiAnalysis": e.ai_analysis.clone().unwrap_or_default(),
        "approval": e.approval.clone().unwrap_or_else(|| "pending".into()),
        "data": data,
    })
}

/// The agent presets' event titles, as in the protocol (§7.3).
fn agent_titles(analysis_type: &str) -> &'static [&'static str] {
    match analysis_type {
        "lane_change" => &["lane change"],
        "turn" => &["vehicle turns"],
        "relative_motion" => &["relative motion"],
        "driving_violations" => &[
            "speeding",
            "running red light",
            "failure to stop",
            "improper lane usage",
            "following too closely",
        ],
        _ => &["general edge case"],
    }
}

/// With no matching rule: ASK gives one event named after the query over the first five seconds
/// (or the whole video if shorter); an agent gives one event per preset title, each two seconds
/// long, one after the other.
fn default_outcome(s: &Subject) -> Outcome {
    let len = if s.duration_s > 0.0 {
        s.duration_s.floor()
    } else {
        5.0
    };
    let event = |category: &str, label: &str, start: f64, analysis: String| RuleEvent {
        t_start: start.min(len),
        t_end: (start + if s.analysis_type == "ask" { 5.0 } else { 2.0 }).min(len),
        category: Some(category.to_string()),
        label: Some(label.to_string()),
        severity: Some("medium".into()),
        ai_analysis: Some(analysis),
        approval: Some("pending".into()),
        confidence: Some(0.85),
        bbox: Some([0.25, 0.25, 0.5, 0.5]),
        overlay: Map::new(),
    };
    if s.analysis_type == "ask" {
        let q = s.query.unwrap_or("").trim();
        let cat = s.category.unwrap_or("driving");
        let e = event(
            cat,
            q,
            0.0,
            format!("Emulator default: no rule matched the query '{q}'."),
        );
        Outcome {
            events: vec![ui_event(&e)],
            summary: format!("Emulator default answer for '{q}' in {}.", s.video_name),
            failed: None,
        }
    } else {
        let events = agent_titles(s.analysis_type)
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let e = event(
                    "Agent",
                    t,
                    2.0 * i as f64,
                    format!("Emulator default {} event.", s.analysis_type),
                );
                ui_event(&e)
            })
            .collect();
        Outcome {
            events,
            summary: format!(
                "Emulator default {} run on {}.",
                s.analysis_type, s.video_name
            ),
            failed: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject<'a>(t: &'a str, q: Option<&'a str>, name: &'a str) -> Subject<'a> {
        Subject {
            analysis_type: t,
            query: q,
            category: None,
            video_name: name,
            folder: Some("fleet"),
            duration_s: 30.0,
        }
    }

    #[test]
    fn first_matching_rule_wins() {
        let r = Rules::parse(
            r#"{"rules":[
              {"match":{"query":"parked SIDEWALK","video_name":"cam*.mp4"},"summary":"S",
               "events":[{"t_start":3,"t_end":7.5,"category":"Parking","label":"Van","overlay":{"speed":[12,0]}}]},
              {"match":{"analysis_type":"turn"},"events":[]}]}"#,
        )
        .unwrap();
        let o = r.outcome(&subject(
            "ask",
            Some("vehicles parked on sidewalk"),
            "CAM_01.mp4",
        ));
        assert_eq!(o.summary, "S");
        assert_eq!(o.events[0]["time"], "t=3");
        assert_eq!(o.events[0]["end_time"], "t=7.5");
        assert_eq!(o.events[0]["description"], "Van");
        assert_eq!(o.events[0]["data"]["frame_speed_start"], 12);
        assert!(r.outcome(&subject("turn", None, "x.mp4")).events.is_empty());
        // No rule: the documented default.
        let d = r.outcome(&subject("ask", Some("jaywalking"), "other.mp4"));
        assert_eq!(d.events.len(), 1);
        assert_eq!(d.events[0]["description"], "jaywalking");
        assert_eq!(
            r.outcome(&subject("driving_violations", None, "x"))
                .events
                .len(),
            5
        );
    }

    #[test]
    fn rejects_bad_rules() {
        assert!(Rules::parse(r#"{"rules":[{"match":{"analysis_type":"nope"}}]}"#).is_err());
        assert!(Rules::parse(r#"[{"events":[{"t_start":5,"t_end":1}]}]"#).is_err());
        assert!(Rules::parse(r#"[{"bogus":1}]"#).is_err());
        assert!(Rules::parse("[]").unwrap().is_empty());
    }
}
