//! `generate_structured_odd` (API.md §8): an operating-domain CSV with the caller's columns.

use super::validate::{invalid, non_blank, positive};
use super::{path, Body, Call, Method, Request, Seg, Transport};
use crate::error::Error;
use crate::value::{json_text, obj, Value};
use std::cell::RefCell;

/// Columns as the protocol sends them: `{name, prompt, type[, literals]}`, nulls and empty
/// `literals` removed; every string non-empty.
pub fn normalize_columns(columns: &Value) -> Result<Value, Error> {
    let Value::Arr(cols) = columns else {
        return Err(invalid(
            "columns must be a list of {name, prompt, type, literals?}",
        ));
    };
    if cols.is_empty() {
        return Err(invalid(
            "columns must not be empty (leave it out for the defaults)",
        ));
    }
    let mut out = Vec::with_capacity(cols.len());
    for (i, c) in cols.iter().enumerate() {
        let at = "columns[".to_string() + &crate::value::int_text(i as i64) + "]";
        let text = |k: &str| -> Result<Value, Error> {
            match c.get(k) {
                Some(Value::Str(s)) if !s.trim().is_empty() => Ok(Value::Str(s.clone())),
                _ => Err(invalid(
                    at.clone() + "." + k + " must be a non-empty string",
                )),
            }
        };
        let mut col = obj([
            ("name", text("name")?),
            ("prompt", text("prompt")?),
            ("type", text("type")?),
        ]);
        match c.get("literals") {
            None | Some(Value::Null) => {}
            Some(Value::Arr(l)) if l.iter().all(|x| x.str().is_some()) => {
                if !l.is_empty() {
                    col.set("literals", Value::Arr(l.clone()));
                }
            }
            Some(_) => return Err(invalid(at + ".literals must be a list of strings")),
        }
        out.push(col);
    }
    Ok(Value::Arr(out))
}

/// `dev` for local, dev, staging, test or preview base URLs, else `pro` (API.md §8).
pub fn trace_env(base_url: &str) -> &'static str {
    let b = base_url.to_ascii_lowercase();
    let dev = [
        "localhost",
        "127.0.0.1",
        "dev.",
        "-dev",
        "staging",
        "-stage",
        "test.",
        "preview",
    ]
    .iter()
    .any(|m| crate::value::find(&b, m).is_some());
    if dev {
        "dev"
    } else {
        "pro"
    }
}

/// The caller's user id, from `POST /api/keys/verify`, asked once per client.
async fn user_id<T: Transport>(
    c: &Call<'_, T>,
    cache: &RefCell<Option<String>>,
) -> Result<String, Error> {
    if let Some(id) = cache.borrow().clone() {
        return Ok(id);
    }
    let doc = c
        .read::<Value>(Request::new(
            Method::Post,
            path(&[Seg::Lit("/api/keys/verify")]),
        ))
        .await?;
    let id = doc
        .get_str("user_id")
        .map(str::to_string)
        .ok_or_else(|| Error::Network("the key check gave no user_id".into()))?;
    *cache.borrow_mut() = Some(id.clone());
    Ok(id)
}

pub async fn generate<T: Transport>(
    c: &Call<'_, T>,
    video_id: &str,
    columns: &Value,
    timeout_ms: Option<f64>,
    trace_path: Option<&str>,
    env: &str,
    cache: &RefCell<Option<String>>,
) -> Result<Value, Error> {
    let video = non_blank("videoId", video_id)?;
    let columns = normalize_columns(columns)?;
    if timeout_ms.is_some_and(|t| !positive(t)) {
        return Err(invalid("timeoutMs must be positive"));
    }
    // A caller's path is used as given; otherwise the key's user id names it (API.md §8).
    let trace = match trace_path {
        Some(p) => non_blank("reasoningTracePath", p)?,
        None => {
            "user-status/".to_string()
                + env
                + "/users/"
                + &user_id(c, cache).await?
                + "/reasoning-traces/structured-output"
        }
    };
    let form = vec![
        ("question", "odd_export".to_string()),
        ("prompt_type", "odd_export".to_string()),
        ("video_id", video),
        ("reasoning_trace_path", trace.clone()),
        ("custom_columns", json_text(&columns)),
    ];
    let mut req = Request::post(path(&[Seg::Lit("/api/ask-question")]), Body::Form(form));
    req.timeout_ms = timeout_ms;
    let raw = c.read::<Value>(req).await?;
    let csv = raw
        .get_str("answer")
        .ok_or_else(|| Error::Network("the export answer has no CSV".into()))?
        .to_string();
    let mut out = obj([
        ("csv", csv.into()),
        ("reasoning_trace_path", trace.into()),
        ("columns", columns),
    ]);
    for k in ["share_id", "share_url"] {
        if let Some(v) = raw.get(k).filter(|v| v.str().is_some()) {
            out.set(k, v.clone());
        }
    }
    if let Some(v) = raw.get("processing_time").filter(|v| v.num().is_some()) {
        out.set("processing_time", v.clone());
    }
    out.set("raw", raw);
    Ok(out)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::testing::ToJson;

    #[test]
    fn a_given_reasoning_trace_path_is_sent_without_asking_for_the_user() {
        use crate::api::testing::{block_on, Fake};
        let f = Fake::default();
        f.answer(200, r#"{"answer": "a,b"}"#);
        let names = crate::api::Names::default();
        let cols = crate::api::testing::parse(r#"[{"name": "a", "prompt": "p", "type": "text"}]"#)
            .unwrap();
        let r = block_on(generate(
            &f.call(&names),
            "v1",
            &cols,
            None,
            Some("traces/mine"),
            "dev",
            &RefCell::new(None),
        ))
        .unwrap();
        assert_eq!(f.paths(), ["POST /api/ask-question"]);
        let Body::Form(form) = &f.sent.borrow()[0].body else {
            panic!()
        };
        assert!(form.contains(&("reasoning_trace_path", "traces/mine".into())));
        assert_eq!(r.get_str("reasoning_trace_path"), Some("traces/mine"));
    }

    #[test]
    fn columns_and_envs() {
        let c = normalize_columns(&crate::api::testing::parse(r#"[{"name": "a", "prompt": "p", "type": "integer", "literals": []}, {"name": "b", "prompt": "p", "type": "categorical", "literals": ["x"], "extra": null}]"#).unwrap()).unwrap();
        assert_eq!(
            c.to_json(),
            r#"[{"name": "a", "prompt": "p", "type": "integer"}, {"name": "b", "prompt": "p", "type": "categorical", "literals": ["x"]}]"#
        );
        for bad in [
            "[]",
            "{}",
            r#"[{"name": "", "prompt": "p", "type": "t"}]"#,
            r#"[{"name": "a", "type": "t"}]"#,
            r#"[{"name": "a", "prompt": "p", "type": "t", "literals": [1]}]"#,
        ] {
            assert!(
                normalize_columns(&crate::api::testing::parse(bad).unwrap_or_default()).is_err(),
                "{bad}"
            );
        }
        assert_eq!(trace_env("http://127.0.0.1:8787"), "dev");
        assert_eq!(trace_env("https://api-prod.nomadicml.com"), "pro");
        assert_eq!(trace_env("https://api-staging.example"), "dev");
    }
}
