//! Client-side event normalisation (API.md §1.9): the service stores events in a "UI" shape
//! (`type`, `time: "t=12"`, `data: {...}`); callers get the SDK shape (`t_start: "00:12"`,
//! `category`, `label`, ..., `overlay: {field: {start, end}}`) or, for single agent runs, the
//! legacy `{label, start_time, end_time}`.

use crate::value::{self, find, Value};

fn present<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !matches!(x, Value::Null))
}

/// Present and not empty (`""`, `0`, `false` and `null` count as empty, as in the protocol).
fn truthy<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| match x {
        Value::Null => false,
        Value::Str(s) => !s.is_empty(),
        Value::Num(n) => *n != 0.0,
        Value::Bool(b) => *b,
        _ => true,
    })
}

/// A decimal number written as text (`" 12.5 "`, `"-3"`, `"1e3"`), as Python's `float()` reads it.
pub fn numeric(s: &str) -> Option<f64> {
    let t = s.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'e' | b'E' | b'+'))
    {
        return None;
    }
    let mut fixed = String::with_capacity(t.len() + 2);
    let (sign, body) = t.strip_prefix('-').map_or(("", t), |b| ("-", b));
    fixed.push_str(sign);
    if body.starts_with('.') {
        fixed.push('0');
    }
    fixed.push_str(body);
    if fixed.ends_with('.') {
        fixed.push('0');
    }
    value::parse_num(&fixed)
}

/// `t=<seconds>` (or bare seconds) as `MM:SS`, or `HH:MM:SS` from one hour on; fractions are
/// dropped; anything unreadable is `00:00`.
pub fn clock(t: &Value) -> String {
    let secs = match t {
        Value::Str(s) => numeric(s.strip_prefix("t=").unwrap_or(s)),
        Value::Num(n) => Some(*n),
        _ => None,
    };
    let Some(secs) = secs.filter(|s| s.is_finite() && *s >= 0.0) else {
        return "00:00".into();
    };
    let total = secs.floor() as u64;
    let (h, m, s) = (total / 3600, total % 3600 / 60, total % 60);
    let two = |n: u64| {
        let mut t = crate::value::int_text(n as i64);
        if t.len() < 2 {
            t.insert(0, '0');
        }
        t
    };
    if h > 0 {
        two(h) + ":" + &two(m) + ":" + &two(s)
    } else {
        two(m) + ":" + &two(s)
    }
}

fn as_float(v: &Value) -> Option<f64> {
    match v {
        Value::Num(n) => Some(*n),
        Value::Str(s) => numeric(s),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

/// Text of a scalar, as Python's `str()` gives it for the values events hold.
fn text(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        other => value::json_text(other),
    }
}

fn is_overlay_key(k: &str) -> Option<(&str, bool)> {
    let (base, start) = if let Some(b) = k.strip_suffix("_start") {
        (b, true)
    } else if let Some(b) = k.strip_suffix("_end") {
        (b, false)
    } else {
        return None;
    };
    (!base.is_empty() && (base.starts_with("frame_") || base.starts_with("unix_timestamp")))
        .then_some((base, start))
}

/// Overlay values: strings trimmed, numeric strings as numbers, empty strings as null.
fn overlay_value(v: &Value) -> Value {
    match v {
        Value::Str(s) => {
            let t = s.trim();
            if t.is_empty() {
                Value::Null
            } else {
                numeric(t).map_or_else(|| Value::Str(t.to_string()), Value::Num)
            }
        }
        other => other.clone(),
    }
}

/// [`fold_overlay`] on every event of a list, in place.
pub fn fold_each(list: &mut [Value]) {
    for e in list {
        *e = fold_overlay(std::mem::take(e));
    }
}

/// Overlay folding: `frame_<x>_start/_end` and `unix_timestamp_start/_end` into
/// `overlay[<base>] = {start, end}` (pairs of two nulls dropped, a sent `overlay` merged in), the
/// `frame_*` keys removed, `approval` defaulted, `confidence` made a number.
pub fn fold_overlay(mut event: Value) -> Value {
    if event.get("approval").is_none() {
        event.set("approval", "pending".into());
    }
    if let Some(c) = event.get("confidence").cloned() {
        event.set("confidence", Value::Num(as_float(&c).unwrap_or(0.0)));
    }
    let Value::Obj(fields) = &event else {
        return event;
    };
    let mut pairs: Vec<(String, Value, Value)> = Vec::new();
    for (k, v) in fields {
        if k == "overlay" || k == "data" {
            continue;
        }
        if let Some((base, start)) = is_overlay_key(k) {
            let at = match pairs.iter().position(|p| p.0 == base) {
                Some(i) => i,
                None => {
                    pairs.push((base.to_string(), Value::Null, Value::Null));
                    pairs.len() - 1
                }
            };
            let slot = if start {
                &mut pairs[at].1
            } else {
                &mut pairs[at].2
            };
            *slot = overlay_value(v);
        }
    }
    let mut overlay = match event.get("overlay") {
        Some(o @ Value::Obj(_)) => o.clone(),
        _ => Value::Obj(Vec::new()),
    };
    for (base, start, end) in pairs {
        if start == Value::Null && end == Value::Null {
            continue;
        }
        overlay.set(
            &base,
            Value::Obj(vec![("start".into(), start), ("end".into(), end)]),
        );
    }
    if let Value::Obj(m) = &mut event {
        m.retain(|(k, _)| !(k.starts_with("frame_") && is_overlay_key(k).is_some()));
    }
    if matches!(&overlay, Value::Obj(m) if !m.is_empty()) {
        event.set("overlay", overlay);
    }
    event
}

/// A UI event in the SDK shape (then folded).
pub fn from_ui(ui: &Value) -> Value {
    let empty = Value::Obj(Vec::new());
    let data = match ui.get("data") {
        Some(d @ Value::Obj(_)) => d,
        _ => &empty,
    };
    // The top-level copy wins for these; `data` is only the fallback.
    let pick = |k: &str, dk: &str, default: &str| -> Value {
        present(ui, k)
            .or_else(|| present(data, dk))
            .cloned()
            .unwrap_or_else(|| default.into())
    };
    let confidence = data
        .get("confidence")
        .map_or(Some(0.85), as_float)
        .unwrap_or(0.85);
    let mut e = Value::Obj(Vec::with_capacity(12));
    e.set(
        "t_start",
        clock(ui.get("time").unwrap_or(&Value::Null)).into(),
    );
    e.set(
        "t_end",
        clock(ui.get("end_time").unwrap_or(&Value::Null)).into(),
    );
    e.set("category", pick("type", "category", "Unknown"));
    e.set("label", pick("description", "label", ""));
    e.set(
        "severity",
        text(&pick("severity", "severity", "medium")).into(),
    );
    e.set("aiAnalysis", pick("aiAnalysis", "aiAnalysis", ""));
    e.set("confidence", Value::Num(confidence));
    e.set("approval", pick("approval", "approval", "pending"));
    // For these the `data` copy wins when it is not empty.
    let from_data = |k: &str| truthy(data, k).or_else(|| truthy(ui, k)).cloned();
    if let Some(url) = from_data("annotated_thumbnail_url") {
        e.set("annotated_thumbnail_url", url);
    }
    for k in ["frame_timestamp_start", "frame_timestamp_end"] {
        if let Some(v) =
            from_data(k).or_else(|| present(data, k).or_else(|| present(ui, k)).cloned())
        {
            let t = text(&v);
            e.set(
                k,
                if t.is_empty() || t == "null" {
                    Value::Null
                } else {
                    t.into()
                },
            );
        }
    }
    for k in ["unix_timestamp_start", "unix_timestamp_end"] {
        if let Some(v) = from_data(k) {
            e.set(k, v);
        }
    }
    // Every other overlay reading comes from `data` only.
    if let Value::Obj(m) = data {
        for (k, v) in m {
            if k.starts_with("frame_") && is_overlay_key(k).is_some() && e.get(k).is_none() {
                let value = if find(k, "gps_lat").is_some() || find(k, "gps_lon").is_some() {
                    match v {
                        Value::Str(s) if s.is_empty() || s == "null" => Value::Null,
                        other => as_float(other).map_or(Value::Null, Value::Num),
                    }
                } else {
                    v.clone()
                };
                e.set(k, value);
            }
        }
    }
    fold_overlay(e)
}

fn is_ui(e: &Value) -> bool {
    e.get("type").is_some() && e.get("time").is_some()
}

/// The number after `t=` in a time field.
fn t_seconds(v: Option<&Value>) -> Option<f64> {
    let s = v?.str()?;
    let at = find(s, "t=")? + 2;
    let rest = s.get(at..)?;
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    numeric(rest.get(..end)?)
}

/// Single-agent events in the legacy shape `{label, start_time, end_time}` (seconds).
fn legacy(e: &Value, out: &mut Vec<Value>) {
    let label = e
        .get("description")
        .cloned()
        .unwrap_or_else(|| "Unknown".into());
    let refined = e.get_str("refined_events").and_then(value::parse_text);
    let mut used = false;
    if let Some(Value::Arr(items)) = refined {
        for item in items {
            if let Some([a, b, ..]) = item.arr() {
                if let (Some(st), Some(en)) = (as_float(a), as_float(b)) {
                    out.push(crate::value::obj([
                        ("label", label.clone()),
                        ("start_time", st.into()),
                        ("end_time", en.into()),
                    ]));
                    used = true;
                }
            }
        }
    }
    if !used {
        if let (Some(st), Some(en)) = (t_seconds(e.get("time")), t_seconds(e.get("end_time"))) {
            out.push(crate::value::obj([
                ("label", label),
                ("start_time", st.into()),
                ("end_time", en.into()),
            ]));
        }
    }
}

/// Where the events of an analysis document are (the first non-empty list wins).
pub fn event_list(doc: &Value, agent: bool) -> Vec<Value> {
    if let Some(a @ Value::Obj(m)) = doc.get("analysis") {
        if !m.is_empty() {
            let mut candidates: Vec<Option<&Value>> = vec![a.get("events")];
            if agent {
                for k in [
                    "detected_events",
                    "detectedEvents",
                    "edge_case_events",
                    "edgeCaseEvents",
                ] {
                    candidates.push(a.get(k));
                }
                candidates.push(a.at(&["result", "events"]));
            }
            candidates.push(a.at(&["visual_analysis", "events"]));
            // The first non-empty list, else the first (empty) list.
            let mut first: Option<&[Value]> = None;
            for l in candidates.iter().filter_map(|c| c.and_then(Value::arr)) {
                if !l.is_empty() {
                    return l.to_vec();
                }
                first = first.or(Some(l));
            }
            if let Some(l) = first {
                return l.to_vec();
            }
        }
    }
    doc.at(&["metadata", "visual_analysis", "events"])
        .or_else(|| {
            doc.at(&[
                "events",
                "visual_analysis",
                "status",
                "quick_summary",
                "events",
            ])
        })
        .and_then(Value::arr)
        .map(<[Value]>::to_vec)
        .unwrap_or_default()
}

/// The events of a document for a caller: UI events converted (when `convert`), SDK-shaped and
/// legacy ones passed through, the rest turned into legacy agent events.
pub fn parse(doc: &Value, agent: bool, convert: bool) -> Vec<Value> {
    let mut out = Vec::new();
    for e in event_list(doc, agent) {
        if !matches!(e, Value::Obj(_)) {
            continue;
        }
        if convert && is_ui(&e) {
            out.push(from_ui(&e));
        } else if (e.get("t_start").is_some() && e.get("t_end").is_some())
            || (e.get("label").is_some()
                && e.get("start_time").is_some()
                && e.get("end_time").is_some())
        {
            out.push(e);
        } else {
            legacy(&e, &mut out);
        }
    }
    out
}

/// The summary of an analysis document: `answer` or `summary` (lists joined by newlines), else
/// the legacy quick summary.
pub fn summary(doc: &Value) -> String {
    let join = |v: &Value| match v {
        Value::Str(s) => Some(s.clone()),
        Value::Arr(a) => {
            let mut joined = String::new();
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    joined.push('\n');
                }
                joined += &text(v);
            }
            Some(joined)
        }
        _ => None,
    };
    let a = doc.get("analysis");
    a.and_then(|a| truthy(a, "answer").or_else(|| truthy(a, "summary")))
        .and_then(join)
        .or_else(|| {
            doc.at(&[
                "metadata",
                "visual_analysis",
                "status",
                "quick_summary",
                "answer",
            ])
            .and_then(join)
        })
        .unwrap_or_default()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::testing::{parse as p, ToJson};

    #[test]
    fn clocks() {
        let c = |s: &str| clock(&Value::from(s));
        assert_eq!(c("t=3"), "00:03");
        assert_eq!(c("t=65.9"), "01:05");
        assert_eq!(c("t=3725"), "01:02:05");
        assert_eq!(c("t=360000"), "100:00:00");
        assert_eq!(c("t=abc"), "00:00");
        assert_eq!(c(""), "00:00");
        assert_eq!(c("t=-4"), "00:00");
        assert_eq!(clock(&Value::Num(59.0)), "00:59");
    }

    #[test]
    fn ui_events_convert_like_the_reference() {
        // golden/analyze-ask-single-202-thumbnails.json, first event.
        let ui = p(r#"{"type": "Traffic", "time": "t=3", "end_time": "t=7", "severity": "medium", "description": "Van stopped in bike lane", "aiAnalysis": "A white van is double parked.", "approval": "approved", "data": {"confidence": 0.91, "frame_timestamp_start": "2024-09-01 08:00:03", "frame_timestamp_end": "2024-09-01 08:00:07", "unix_timestamp_start": 1725177603, "unix_timestamp_end": 1725177607, "annotated_thumbnail_url": "https://t/0.jpg"}}"#).unwrap();
        assert_eq!(
            from_ui(&ui).to_json(),
            r#"{"t_start": "00:03", "t_end": "00:07", "category": "Traffic", "label": "Van stopped in bike lane", "severity": "medium", "aiAnalysis": "A white van is double parked.", "confidence": 0.91, "approval": "approved", "annotated_thumbnail_url": "https://t/0.jpg", "unix_timestamp_start": 1725177603, "unix_timestamp_end": 1725177607, "overlay": {"frame_timestamp": {"start": "2024-09-01 08:00:03", "end": "2024-09-01 08:00:07"}, "unix_timestamp": {"start": 1725177603, "end": 1725177607}}}"#
        );
    }

    #[test]
    fn awkward_events() {
        // Missing fields, data fallbacks, unicode, quotes, numeric overlay strings, GPS.
        let ui = p(r#"{"type": "Zebra \"crossing\" ✓", "time": "t=3725.5", "end_time": "bogus", "data": {"label": "ignored: top type wins", "severity": 3, "confidence": "x", "frame_speed_start": " 72.5 ", "frame_speed_end": "", "frame_gps_lat_start": "null", "frame_gps_lat_end": "37.77", "frame_note_start": null, "frame_note_end": null}}"#).unwrap();
        let e = from_ui(&ui);
        assert_eq!(e.get_str("t_start"), Some("01:02:05"));
        assert_eq!(e.get_str("t_end"), Some("00:00"));
        assert_eq!(e.get_str("category"), Some("Zebra \"crossing\" ✓"));
        assert_eq!(e.get_str("label"), Some("ignored: top type wins"));
        assert_eq!(e.get_str("severity"), Some("3"));
        assert_eq!(e.get("confidence"), Some(&Value::Num(0.85)));
        assert_eq!(e.get_str("approval"), Some("pending"));
        assert_eq!(
            e.at(&["overlay", "frame_speed"]).unwrap().to_json(),
            r#"{"start": 72.5, "end": null}"#
        );
        assert_eq!(
            e.at(&["overlay", "frame_gps_lat"]).unwrap().to_json(),
            r#"{"start": null, "end": 37.77}"#
        );
        assert!(
            e.at(&["overlay", "frame_note"]).is_none(),
            "two nulls are dropped"
        );
        let Value::Obj(m) = &e else { panic!() };
        assert!(
            m.iter().all(|(k, _)| !k.starts_with("frame_")),
            "no frame_* keys at the root"
        );
    }

    #[test]
    fn agent_documents_give_legacy_events() {
        let doc = p(r#"{"analysis": {"status": "COMPLETED", "events": [], "detected_events": [
            {"type": "Lane Change", "time": "t=4", "end_time": "t=9", "description": "left"},
            {"description": "split", "time": "t=1", "end_time": "t=2", "refined_events": "[[1, 2.5, \"a\"], [3, 4]]"},
            {"description": "no end", "time": "t=1"}]}}"#)
        .unwrap();
        assert_eq!(
            Value::Arr(parse(&doc, true, false)).to_json(),
            r#"[{"label": "left", "start_time": 4, "end_time": 9}, {"label": "split", "start_time": 1, "end_time": 2.5}, {"label": "split", "start_time": 3, "end_time": 4}]"#
        );
        assert!(
            parse(&doc, false, false).is_empty(),
            "ASK lookups do not read agent lists"
        );
        assert_eq!(
            summary(&p(r#"{"analysis": {"answer": ["a", "b"]}}"#).unwrap()),
            "a\nb"
        );
        assert_eq!(summary(&p(r#"{"metadata": {"visual_analysis": {"status": {"quick_summary": {"answer": "q"}}}}}"#).unwrap()), "q");
    }

    /// Mutated server documents (bytes flipped, cut, keys swapped for odd values) never panic
    /// the parser or the normalisation: a panic in wasm would kill every client on the page.
    #[test]
    fn hostile_documents_never_panic() {
        let seeds = [
            r#"{"analysis": {"status": "COMPLETED", "answer": ["a"], "events": [{"type": "T", "time": "t=3", "end_time": "t=3725.5", "description": "d", "severity": 2, "approval": null, "data": {"confidence": "0.9", "frame_gps_lat_start": "1", "frame_x_end": [], "annotated_thumbnail_url": 5, "unix_timestamp_start": true}, "refined_events": "[[1, 2], [\"a\"], 3]"}]}}"#,
            r#"{"analysis": {"detected_events": [{"time": "t=", "end_time": "t=1e400", "refined_events": "[[1e999, -1]]"}], "result": {"events": {}}}}"#,
            r#"{"metadata": {"visual_analysis": {"events": [{"t_start": 1, "t_end": null, "overlay": 7, "frame_a_start": {}}]}}}"#,
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for seed in seeds {
            let bytes = seed.as_bytes();
            for _ in 0..3000 {
                let mut b = bytes.to_vec();
                for _ in 0..(next() % 4 + 1) {
                    let i = (next() as usize) % b.len();
                    match next() % 3 {
                        0 => b[i] = (next() % 128) as u8,
                        1 => b.truncate(i.max(1)),
                        _ => {
                            let picks = b"{}[]\":,0-e.";
                            b.insert(i, picks[(next() as usize) % picks.len()]);
                        }
                    }
                }
                let Ok(text) = String::from_utf8(b) else {
                    continue;
                };
                if let Ok(doc) = p(&text) {
                    for (agent, convert) in [(true, false), (false, true), (true, true)] {
                        for e in parse(&doc, agent, convert) {
                            let _ = fold_overlay(e).to_json();
                        }
                    }
                    let _ = summary(&doc);
                    let _ = crate::api::csv::batch_csv(&doc);
                }
            }
        }
    }

    #[test]
    fn sdk_events_fold_their_overlays() {
        let e = fold_overlay(p(r#"{"t_start": "00:03", "confidence": "0.5", "frame_timestamp_start": "08:00:03", "frame_timestamp_end": "08:00:07", "overlay": {"speed": {"start": 1, "end": 2}}}"#).unwrap());
        assert_eq!(
            e.to_json(),
            r#"{"t_start": "00:03", "confidence": 0.5, "overlay": {"speed": {"start": 1, "end": 2}, "frame_timestamp": {"start": "08:00:03", "end": "08:00:07"}}, "approval": "pending"}"#
        );
    }
}
