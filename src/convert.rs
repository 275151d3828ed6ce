//! JS values in, Rust values out: option objects read field by field with type checks, and
//! upload inputs sorted into the shapes `api::upload` plans. Wrong types are `ValidationError`s.

use crate::api::upload::{Input, Item, Sidecar, Video, ViewSet};
use crate::error::Error;
use js_sys::{Array, Function, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/js/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = isBlob)]
    fn is_blob(v: &JsValue) -> bool;
    #[wasm_bindgen(js_name = fileName)]
    fn file_name(v: &JsValue) -> Option<String>;
    #[wasm_bindgen(js_name = blobType)]
    fn blob_type(v: &JsValue) -> String;
    #[wasm_bindgen(js_name = blobSize)]
    fn blob_size(v: &JsValue) -> f64;
    #[wasm_bindgen(js_name = blobText)]
    fn blob_text(v: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = isPlainObject)]
    fn is_plain_object(v: &JsValue) -> bool;
    #[wasm_bindgen(js_name = isSignal)]
    fn is_signal(v: &JsValue) -> bool;
}

fn invalid(msg: String) -> Error {
    Error::Validation(msg)
}

/// Largest metadata sidecar read to check it is JSON.
const MAX_SIDECAR: f64 = 10.0 * 1024.0 * 1024.0;

/// An options object (`undefined` and `null` read as empty).
pub struct Opts {
    v: JsValue,
    what: &'static str,
}

impl Opts {
    pub fn new(v: JsValue, what: &'static str) -> Result<Opts, Error> {
        if v.is_undefined()
            || v.is_null()
            || (v.is_object() && !Array::is_array(&v) && !v.is_function())
        {
            Ok(Opts { v, what })
        } else {
            Err(invalid(what.to_string() + " must be an object"))
        }
    }

    pub fn raw(&self, key: &str) -> JsValue {
        if self.v.is_object() {
            Reflect::get(&self.v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
        } else {
            JsValue::UNDEFINED
        }
    }

    fn bad(&self, key: &str, expected: &str) -> Error {
        invalid(self.what.to_string() + "." + key + " must be " + expected)
    }

    /// The field when it is neither `undefined` nor `null`.
    pub fn present_raw(&self, key: &str) -> Option<JsValue> {
        self.present(key)
    }

    fn present(&self, key: &str) -> Option<JsValue> {
        let v = self.raw(key);
        (!v.is_undefined() && !v.is_null()).then_some(v)
    }

    pub fn string(&self, key: &str) -> Result<Option<String>, Error> {
        self.present(key)
            .map(|v| v.as_string().ok_or_else(|| self.bad(key, "a string")))
            .transpose()
    }

    pub fn number(&self, key: &str) -> Result<Option<f64>, Error> {
        self.present(key)
            .map(|v| {
                v.as_f64()
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| self.bad(key, "a finite number"))
            })
            .transpose()
    }

    /// A whole number within `lo..=hi`.
    pub fn whole(&self, key: &str, lo: f64, hi: f64) -> Result<Option<f64>, Error> {
        let range = "a whole number from ".to_string()
            + &crate::json::int_text(lo as i64)
            + " to "
            + &crate::json::int_text(hi as i64);
        match self.number(key) {
            Ok(Some(n)) if n.fract() == 0.0 && (lo..=hi).contains(&n) => Ok(Some(n)),
            Ok(None) => Ok(None),
            _ => Err(self.bad(key, &range)),
        }
    }

    pub fn boolean(&self, key: &str) -> Result<Option<bool>, Error> {
        self.present(key)
            .map(|v| v.as_bool().ok_or_else(|| self.bad(key, "true or false")))
            .transpose()
    }

    pub fn function(&self, key: &str) -> Result<Option<Function>, Error> {
        self.present(key)
            .map(|v| {
                v.dyn_into::<Function>()
                    .map_err(|_| self.bad(key, "a function"))
            })
            .transpose()
    }

    /// `signal`: an `AbortSignal`, or `undefined`.
    pub fn signal(&self) -> Result<JsValue, Error> {
        match self.present("signal") {
            None => Ok(JsValue::UNDEFINED),
            Some(s) if is_signal(&s) => Ok(s),
            Some(_) => Err(self.bad("signal", "an AbortSignal")),
        }
    }

    /// A plain object of string values (custom headers).
    pub fn string_map(&self, key: &str) -> Result<Vec<(String, String)>, Error> {
        let Some(v) = self.present(key) else {
            return Ok(Vec::new());
        };
        if !is_plain_object(&v) {
            return Err(self.bad(key, "an object of strings"));
        }
        js_sys::Object::entries(v.unchecked_ref())
            .iter()
            .map(|e| {
                let e = Array::from(&e);
                match (e.get(0).as_string(), e.get(1).as_string()) {
                    (Some(k), Some(v)) => Ok((k, v)),
                    _ => Err(self.bad(key, "an object of strings")),
                }
            })
            .collect()
    }
}

/// The blobs an upload refers to, by slot.
#[derive(Default)]
pub struct Collected {
    pub blobs: Vec<JsValue>,
}

const VIEW_KEYS: &[&str] = &["front", "rear", "back", "left", "right", "top", "bottom"];

/// Sorts an `upload()` input into one item or a list.
///
/// A two-element array is a `[video, metadata]` pair when its second element looks like
/// metadata (a plain object, JSON text, a `.json` file or an `application/json` Blob); any other
/// array is a list of uploads, whose own two-element arrays are always pairs.
pub async fn upload_input(input: &JsValue, c: &mut Collected) -> Result<Input, Error> {
    if input.is_undefined() || input.is_null() {
        return Err(invalid("upload() needs a video: a File, a Blob with options.name, an http(s) URL, or a list of these".into()));
    }
    if is_view_set(input) {
        return Ok(Input::Sets(vec![view_set(input, c)?], false));
    }
    if Array::is_array(input) {
        let arr = Array::from(input);
        if arr.length() > 0 && arr.iter().all(|v| is_view_set(&v)) {
            let sets = arr
                .iter()
                .map(|v| view_set(&v, c))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Input::Sets(sets, true));
        }
        if arr.iter().any(|v| is_view_set(&v)) {
            return Err(invalid(
                "a list of multi-view sets cannot hold other uploads".into(),
            ));
        }
        if arr.length() == 2 && !Array::is_array(&arr.get(0)) && looks_like_metadata(&arr.get(1)) {
            return Ok(Input::One(pair(&arr, c).await?));
        }
        let mut items = Vec::new();
        for (i, v) in arr.iter().enumerate() {
            let it = item(&v, c).await.map_err(|e| {
                invalid(
                    "upload item ".to_string()
                        + &crate::json::int_text(i as i64)
                        + ": "
                        + e.message(),
                )
            })?;
            items.push(it);
        }
        return Ok(Input::Many(items));
    }
    Ok(Input::One(item(input, c).await?))
}

/// A plain object (`{...}`), not an array, class instance or null.
pub fn is_plain(v: &JsValue) -> bool {
    is_plain_object(v)
}

/// The own enumerable keys of an object.
pub fn keys(v: &JsValue) -> Vec<String> {
    js_sys::Object::keys(v.unchecked_ref::<js_sys::Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect()
}

/// `{front, left, ...}`: a plain object without `video` that names at least one known view.
fn is_view_set(v: &JsValue) -> bool {
    is_plain_object(v)
        && Reflect::get(v, &JsValue::from_str("video")).is_ok_and(|x| x.is_undefined())
        && VIEW_KEYS
            .iter()
            .any(|k| Reflect::get(v, &JsValue::from_str(k)).is_ok_and(|x| !x.is_undefined()))
}

/// Every entry of a view-set object; `null`, `undefined` and empty strings are dropped later.
fn view_set(v: &JsValue, c: &mut Collected) -> Result<ViewSet, Error> {
    let mut views = Vec::new();
    for e in js_sys::Object::entries(v.unchecked_ref()).iter() {
        let e = Array::from(&e);
        let name = e.get(0).as_string().unwrap_or_default();
        let value = e.get(1);
        if value.is_undefined() || value.is_null() {
            continue;
        }
        let video = video(&value, c)
            .map_err(|err| invalid("view '".to_string() + &name + "': " + err.message()))?;
        views.push((name, video));
    }
    Ok(ViewSet { views })
}

fn looks_like_metadata(v: &JsValue) -> bool {
    if is_plain_object(v) {
        return true;
    }
    if let Some(s) = v.as_string() {
        return s.trim_start().starts_with('{');
    }
    is_blob(v)
        && (file_name(v).is_some_and(|n| n.to_ascii_lowercase().ends_with(".json"))
            || blob_type(v).starts_with("application/json"))
}

async fn pair(a: &Array, c: &mut Collected) -> Result<Item, Error> {
    if a.length() != 2 {
        return Err(invalid(
            "a [video, metadata] pair must have exactly two elements".into(),
        ));
    }
    let video = video(&a.get(0), c)?;
    let metadata = Some(sidecar(&a.get(1), c).await?);
    Ok(Item {
        video,
        name: None,
        metadata,
    })
}

async fn item(v: &JsValue, c: &mut Collected) -> Result<Item, Error> {
    if Array::is_array(v) {
        return pair(&Array::from(v), c).await;
    }
    if is_plain_object(v) {
        let o = Opts::new(v.clone(), "upload item")?;
        let vid = o.raw("video");
        if vid.is_undefined() || vid.is_null() {
            if VIEW_KEYS.iter().any(|k| !o.raw(k).is_undefined()) {
                return Err(invalid(
                    "multi-view uploads are not available in this version of the SDK".into(),
                ));
            }
            return Err(invalid("an upload object needs a 'video' field".into()));
        }
        let metadata = match o.present("metadata") {
            Some(m) => Some(sidecar(&m, c).await?),
            None => None,
        };
        return Ok(Item {
            video: video(&vid, c)?,
            name: o.string("name")?,
            metadata,
        });
    }
    Ok(Item {
        video: video(v, c)?,
        name: None,
        metadata: None,
    })
}

fn video(v: &JsValue, c: &mut Collected) -> Result<Video, Error> {
    if let Some(s) = v.as_string() {
        return Ok(Video::Url(s.trim().to_string()));
    }
    if is_blob(v) {
        let slot = c.blobs.len();
        c.blobs.push(v.clone());
        return Ok(Video::Blob {
            slot,
            file_name: file_name(v),
            size: blob_size(v),
        });
    }
    Err(invalid(
        "a video must be a File, a Blob or an http(s) URL".into(),
    ))
}

/// JSON text from an object, JSON text, or a File/Blob (read): credentials and the like.
pub async fn json_text(v: &JsValue, what: &str) -> Result<String, Error> {
    if let Some(s) = v.as_string() {
        return Ok(s);
    }
    if is_blob(v) {
        if blob_size(v) > MAX_SIDECAR {
            return Err(invalid(what.to_string() + " is larger than 10 MB"));
        }
        return JsFuture::from(blob_text(v))
            .await
            .ok()
            .and_then(|t| t.as_string())
            .ok_or_else(|| invalid(what.to_string() + " could not be read"));
    }
    if is_plain_object(v) {
        return JSON::stringify(v)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| invalid(what.to_string() + " could not be written as JSON"));
    }
    Err(invalid(
        what.to_string() + " must be an object, JSON text, or a File/Blob of JSON",
    ))
}

/// A sidecar from a File/Blob (read as text, to check it is JSON), JSON text, or an object.
pub async fn sidecar(v: &JsValue, c: &mut Collected) -> Result<Sidecar, Error> {
    if let Some(s) = v.as_string() {
        return Ok(Sidecar::Text(s));
    }
    if is_blob(v) {
        if blob_size(v) > MAX_SIDECAR {
            return Err(invalid("the metadata sidecar is larger than 10 MB".into()));
        }
        let text = JsFuture::from(blob_text(v))
            .await
            .ok()
            .and_then(|t| t.as_string())
            .ok_or_else(|| invalid("the metadata file could not be read".into()))?;
        let slot = c.blobs.len();
        c.blobs.push(v.clone());
        return Ok(Sidecar::Blob {
            slot,
            file_name: file_name(v),
            text,
        });
    }
    if is_plain_object(v) {
        let text = JSON::stringify(v)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| invalid("metadata could not be written as JSON".into()))?;
        return Ok(Sidecar::Text(text));
    }
    Err(invalid(
        "metadata must be a File, a Blob, JSON text or a plain object".into(),
    ))
}
