//! What each method accepts, as `Deserialize` types read from the caller's option object by
//! serde-wasm-bindgen (camelCase, every field optional). Values Rust does not interpret (a
//! `signal`, an `onProgress` function, a `File`) stay JS values. A field of the wrong type is a
//! `ValidationError` that names it: `options.timeoutMs must be a number`.
//!
//! Every field carries `#[serde(default)]`, so a missing key reads as `None` (or `undefined`).
//! It is written per field rather than once on the struct: the struct-wide form builds a whole
//! default value and drops what is left of it after the read, which measured 0.5 KB gzip more
//! over these types.
//!
//! The vendored serde-wasm-bindgen reads these structs' fields by position, a missing one as
//! `undefined` (which is `None`, or `undefined` kept): so every field is an `Option` or a `Js`,
//! and none has a serde `alias` (`tests/serde_fields.rs` checks that).

use crate::api::validate::invalid;
use crate::convert::serde_message;
use crate::error::Error;
use crate::value::Value;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Reads an option object into `T`; `undefined` and `null` read as `{}` (every option type
/// defaults each field). `what` names the argument in errors (`options`, `target`, `upload
/// item`).
pub fn read<T: DeserializeOwned>(v: &JsValue, what: &str) -> Result<T, Error> {
    let v = object(v, what)?;
    from_js::<T>(v.clone())
        .map_err(|e| invalid(culprit(&v, what, &e, &|one| from_js::<T>(one).err())))
}

/// The option object itself, or a new empty one for `undefined` and `null` (the part of `read`
/// that does not depend on `T`, compiled once).
fn object(v: &JsValue, what: &str) -> Result<JsValue, Error> {
    if v.is_undefined() || v.is_null() {
        return Ok(js_sys::Object::new().into());
    }
    if !v.is_object() || js_sys::Array::is_array(v) || v.is_function() {
        return Err(invalid(what.to_string() + " must be an object"));
    }
    Ok(v.clone())
}

/// The one copy of `T`'s deserializer (kept out of line, so the error path below reuses it).
#[inline(never)]
fn from_js<T: DeserializeOwned>(v: JsValue) -> Result<T, serde_wasm_bindgen::Error> {
    serde_wasm_bindgen::from_value(v)
}

/// Names the field a failed read tripped on. serde's errors do not carry the field, so the
/// object's own keys are read again one at a time (`retry` reads one), only on this error path
/// and through the same deserializer, so it adds no code per type (a path-tracking deserializer
/// measured 45 KB).
fn culprit(
    v: &JsValue,
    what: &str,
    e: &serde_wasm_bindgen::Error,
    retry: &dyn Fn(JsValue) -> Option<serde_wasm_bindgen::Error>,
) -> String {
    for key in js_sys::Object::keys(v.unchecked_ref::<js_sys::Object>()).iter() {
        let one = js_sys::Object::new();
        let value = js_sys::Reflect::get(v, &key).unwrap_or(JsValue::UNDEFINED);
        let _ = js_sys::Reflect::set(&one, &key, &value);
        if let Some(e) = retry(one.into()) {
            let name = what.to_string() + "." + &key.as_string().unwrap_or_default();
            let wanted = expected(&e);
            return if value.is_object() && wanted != "an object" && wanted != "a list" {
                name + " holds a value that is not " + &wanted
            } else {
                name + " must be " + &wanted
            };
        }
    }
    what.to_string() + " is not valid: " + &serde_message(e)
}

/// serde's "expected ..." in the words of JS types.
fn expected(e: &serde_wasm_bindgen::Error) -> String {
    let text = serde_message(e);
    let after = crate::value::rfind(&text, "expected ").map(|i| i + "expected ".len());
    let wanted = after.map_or("", |i| &text[i..]);
    match wanted {
        "f64" | "f32" | "i64" | "u64" | "u32" | "i32" => "a number".into(),
        "a boolean" => "true or false".into(),
        "a sequence" => "a list".into(),
        "a map" => "an object".into(),
        w if w.starts_with("struct ") => "an object".into(),
        w if !w.is_empty() => w.to_string(),
        _ => "of another type".into(),
    }
}

/// A JS value kept as it is (a function, a signal, a File, an object read later).
#[derive(Default)]
pub struct Js(pub JsValue);

impl<'de> Deserialize<'de> for Js {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Js, D::Error> {
        serde_wasm_bindgen::preserve::deserialize(d).map(Js)
    }
}

impl Js {
    /// The value, unless it is `undefined` or `null`.
    pub fn present(&self) -> Option<&JsValue> {
        (!self.0.is_undefined() && !self.0.is_null()).then_some(&self.0)
    }
}

/// Every method's `signal`, read on its own so the method types need not repeat it; also the
/// options of the methods that take nothing else.
#[derive(Deserialize, Default)]
pub struct Signal {
    #[serde(default)]
    pub signal: Js,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Client {
    #[serde(default)]
    pub api_key: Option<String>,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub timeout_ms: Option<f64>,
    #[serde(default)]
    pub max_retries: Option<f64>,
    /// Checked to hold strings only (a `Value` rather than a map type keeps map code out of the
    /// bundle).
    #[serde(default)]
    pub headers: Option<Value>,
    #[serde(default)]
    pub fetch: Js,
    #[serde(default)]
    pub collection_name: Option<String>,
    #[serde(default)]
    pub folder_collection_name: Option<String>,
    #[serde(default)]
    pub dangerously_allow_browser: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Upload {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub folder: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub metadata_file: Js,
    #[serde(default)]
    pub integration_id: Option<String>,
    #[serde(default)]
    pub wait_for_uploaded: Option<bool>,
    #[serde(default)]
    pub upload_timeout_ms: Option<f64>,
    #[serde(default)]
    pub concurrency: Option<f64>,
    #[serde(default)]
    pub poll_interval_ms: Option<f64>,
    #[serde(default)]
    pub on_progress: Js,
    #[serde(default)]
    pub chunk_size: Option<f64>,
    #[serde(default)]
    pub probe: Option<bool>,
    #[serde(default)]
    pub stall_timeout_ms: Option<f64>,
}

/// `{video, name, metadata}` in an upload list.
#[derive(Deserialize, Default)]
pub struct UploadItem {
    #[serde(default)]
    pub video: Js,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub metadata: Js,
}

/// `myVideos`, `getFolder`, `createFolder`; also `analyze({folder, scope})`'s target object
/// (whose other keys are refused before it is read).
#[derive(Deserialize, Default)]
pub struct Folder {
    #[serde(default)]
    pub folder: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Analyze {
    #[serde(default)]
    pub folder: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub analysis_type: Option<String>,
    #[serde(default)]
    pub custom_event: Option<String>,
    #[serde(default)]
    pub custom_category: Option<String>,
    #[serde(default)]
    pub model_id: Option<String>,
    #[serde(default)]
    pub timeout_ms: Option<f64>,
    #[serde(default)]
    pub wait_for_completion: Option<bool>,
    #[serde(default)]
    pub is_thumbnail: Option<bool>,
    #[serde(default)]
    pub return_subset: Option<bool>,
    #[serde(default)]
    pub use_enhanced_motion_analysis: Option<bool>,
    #[serde(default)]
    pub confidence: Option<String>,
    #[serde(default)]
    pub overlay_mode: Option<String>,
    /// A list of strings, checked by the caller (serde-wasm-bindgen reads a string as a list of
    /// its characters' strings, or throws).
    #[serde(default)]
    pub concept_ids: Option<Value>,
    #[serde(default)]
    pub poll_interval_ms: Option<f64>,
    #[serde(default)]
    pub on_progress: Js,
    #[serde(default)]
    pub custom_edge_case_agent_id: Option<String>,
    #[serde(default)]
    pub haystack_search: Option<bool>,
    /// Prompt analysis (the successor of ASK): what to find, and `thinking` or `fast`.
    #[serde(default)]
    pub prompt: Option<String>,
    #[serde(default)]
    pub mode: Option<String>,
}

/// `getVideoUrl`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct VideoUrl {
    #[serde(default)]
    pub expires_in_s: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct BatchResults {
    /// One filter name or a list of them.
    #[serde(default)]
    pub filter: Option<Value>,
    #[serde(default)]
    pub as_csv: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Odd {
    #[serde(default)]
    pub video_id: Option<String>,
    #[serde(default)]
    pub columns: Option<Value>,
    #[serde(default)]
    pub timeout_ms: Option<f64>,
    #[serde(default)]
    pub reasoning_trace_path: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Search {
    #[serde(default)]
    pub folder_name: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub timeout_ms: Option<f64>,
}

#[derive(Deserialize, Default)]
pub struct Page {
    #[serde(default)]
    pub limit: Option<f64>,
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub offset: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct WaitImport {
    #[serde(default)]
    pub poll_interval_ms: Option<f64>,
    #[serde(default)]
    pub timeout_ms: Option<f64>,
    #[serde(default)]
    pub limit: Option<f64>,
    #[serde(default)]
    pub on_progress: Js,
}

#[derive(Deserialize, Default)]
pub struct IntegrationList {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationAdd {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub bucket: Option<String>,
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub endpoint_url: Option<String>,
    #[serde(default)]
    pub credentials: Js,
}

/// A whole number within `lo..=hi`, for counts and limits.
pub fn whole(n: Option<f64>, name: &str, lo: f64, hi: f64) -> Result<Option<f64>, Error> {
    match n {
        Some(n) if n.fract() != 0.0 || !(lo..=hi).contains(&n) => Err(invalid(
            "options.".to_string()
                + name
                + " must be a whole number from "
                + &crate::value::int_text(lo as i64)
                + " to "
                + &crate::value::int_text(hi as i64),
        )),
        n => Ok(n),
    }
}

/// A finite number (serde lets NaN and Infinity through as numbers).
pub fn finite(n: Option<f64>, name: &str) -> Result<Option<f64>, Error> {
    match n {
        Some(x) if !x.is_finite() => Err(invalid(
            "options.".to_string() + name + " must be a finite number",
        )),
        n => Ok(n),
    }
}
