//! JS values in, Rust values out, for what option types cannot express: upload inputs (a File,
//! a URL, a pair, a list, a multi-view set) sorted into the shapes `api::upload` plans, JSON
//! given as an object, text or a file, and the browser key policy. Wrong types are
//! `ValidationError`s.

use crate::api::upload::{Input, Item, Sidecar, Video, ViewSet};
use crate::api::validate::invalid;
use crate::error::Error;
use crate::options::{self, UploadItem};
use crate::value::Value;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Blob, File};

#[wasm_bindgen(module = "/src/js/guard.js")]
extern "C" {
    fn snapshot(v: &JsValue) -> JsValue;
}

/// A caller's argument as a trap-free copy (`src/js/guard.js`), taken once and synchronously: a
/// getter or Proxy trap that throws becomes a `ValidationError` naming the argument, never an
/// exception escaping the SDK. (Out of line: every method calls it.)
#[inline(never)]
pub fn guarded(v: &JsValue, what: &str) -> Result<JsValue, Error> {
    let s = snapshot(v);
    match get(&s, "error").as_string() {
        Some(why) => Err(invalid(what.to_string() + " could not be read: " + &why)),
        None => Ok(get(&s, "value")),
    }
}

/// Largest metadata sidecar read to check it is JSON.
const MAX_SIDECAR: f64 = 10.0 * 1024.0 * 1024.0;

fn as_blob(v: &JsValue) -> Option<&Blob> {
    v.dyn_ref::<Blob>()
}

/// A File's name (Blobs have none).
fn file_name(v: &JsValue) -> Option<String> {
    v.dyn_ref::<File>().map(File::name)
}

async fn blob_text(b: &Blob) -> Option<String> {
    JsFuture::from(b.text()).await.ok()?.as_string()
}

/// A plain object (`{...}`), not an array, class instance or null.
pub fn is_plain(v: &JsValue) -> bool {
    if !v.is_object() || v.is_function() || Array::is_array(v) {
        return false;
    }
    let proto = Object::get_prototype_of(v);
    proto.is_null() || Object::get_prototype_of(&proto).is_null()
}

/// The own enumerable keys of an object.
pub fn keys(v: &JsValue) -> Vec<String> {
    let mut out = Vec::new();
    for k in Object::keys(v.unchecked_ref::<Object>()).iter() {
        if let Some(k) = k.as_string() {
            out.push(k);
        }
    }
    out
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `signal`: an `AbortSignal` (recognised by its shape, so signals from another realm or a
/// polyfill work), or nothing.
pub fn signal(v: Option<&JsValue>) -> Result<Option<AbortSignal>, Error> {
    let Some(s) = v else {
        return Ok(None);
    };
    let looks_right =
        get(s, "aborted").as_bool().is_some() && get(s, "addEventListener").is_function();
    if looks_right {
        Ok(Some(s.clone().unchecked_into()))
    } else {
        Err(invalid("options.signal must be an AbortSignal"))
    }
}

/// A serde-wasm-bindgen error's message. Its `Display` is JS's `String(error)`, which puts
/// `Error: ` first.
pub fn serde_message(e: &serde_wasm_bindgen::Error) -> String {
    let text = e.to_string();
    match text.strip_prefix("Error: ") {
        Some(m) => m.to_string(),
        None => text,
    }
}

/// A JS value as a `Value` (plain data only).
pub fn to_value(v: &JsValue, what: &str) -> Result<Value, Error> {
    serde_wasm_bindgen::from_value(v.clone())
        .map_err(|_| invalid(what.to_string() + " must be plain JSON data"))
}

/// The blobs an upload refers to, by slot.
#[derive(Default)]
pub struct Collected {
    pub blobs: Vec<Blob>,
}

const VIEW_KEYS: &[&str] = &["front", "rear", "back", "left", "right", "top", "bottom"];

/// Sorts an `upload()` input into one item or a list.
///
/// A two-element array is a `[video, metadata]` pair when its second element looks like
/// metadata (a plain object, JSON text, a `.json` file or an `application/json` Blob); any other
/// array is a list of uploads, whose own two-element arrays are always pairs.
pub async fn upload_input(input: &JsValue, c: &mut Collected) -> Result<Input, Error> {
    if input.is_undefined() || input.is_null() {
        return Err(invalid("upload() needs a video: a File, a Blob with options.name, an http(s) URL, or a list of these"));
    }
    if is_view_set(input) {
        return Ok(Input::Sets(vec![view_set(input, c)?], false));
    }
    if Array::is_array(input) {
        let arr = Array::from(input);
        if arr.length() > 0 && arr.iter().all(|v| is_view_set(&v)) {
            let mut sets = Vec::new();
            for v in arr.iter() {
                sets.push(view_set(&v, c)?);
            }
            return Ok(Input::Sets(sets, true));
        }
        if arr.iter().any(|v| is_view_set(&v)) {
            return Err(invalid(
                "a list of multi-view sets cannot hold other uploads",
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
                        + &crate::value::int_text(i as i64)
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

/// `{front, left, ...}`: a plain object without `video` that names at least one known view.
fn is_view_set(v: &JsValue) -> bool {
    is_plain(v)
        && get(v, "video").is_undefined()
        && VIEW_KEYS.iter().any(|k| !get(v, k).is_undefined())
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
    if is_plain(v) {
        return true;
    }
    if let Some(s) = v.as_string() {
        return s.trim_start().starts_with('{');
    }
    as_blob(v).is_some_and(|b| {
        file_name(v).is_some_and(|n| n.to_ascii_lowercase().ends_with(".json"))
            || b.type_().starts_with("application/json")
    })
}

async fn pair(a: &Array, c: &mut Collected) -> Result<Item, Error> {
    if a.length() != 2 {
        return Err(invalid(
            "a [video, metadata] pair must have exactly two elements",
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
    if is_plain(v) {
        let o: UploadItem = options::read(v, "upload item")?;
        let Some(vid) = o.video.present() else {
            if VIEW_KEYS.iter().any(|k| !get(v, k).is_undefined()) {
                return Err(invalid(
                    "multi-view uploads are not available in this version of the SDK",
                ));
            }
            return Err(invalid("an upload object needs a 'video' field"));
        };
        let metadata = match o.metadata.present() {
            Some(m) => Some(sidecar(m, c).await?),
            None => None,
        };
        return Ok(Item {
            video: video(vid, c)?,
            name: o.name,
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
    if let Some(b) = as_blob(v) {
        let slot = c.blobs.len();
        c.blobs.push(b.clone());
        return Ok(Video::Blob {
            slot,
            file_name: file_name(v),
            size: b.size(),
        });
    }
    Err(invalid("a video must be a File, a Blob or an http(s) URL"))
}

/// JSON given as an object, JSON text, or a File/Blob of it (credentials and the like). Text
/// that is not JSON reads as `null`, which the protocol layer refuses with its own message.
pub async fn json_value(v: &JsValue, what: &str) -> Result<Value, Error> {
    if let Some(s) = v.as_string() {
        return Ok(crate::value::parse_text(&s).unwrap_or_default());
    }
    if let Some(b) = as_blob(v) {
        if b.size() > MAX_SIDECAR {
            return Err(invalid(what.to_string() + " is larger than 10 MB"));
        }
        let text = blob_text(b)
            .await
            .ok_or_else(|| invalid(what.to_string() + " could not be read"))?;
        return Ok(crate::value::parse_text(&text).unwrap_or_default());
    }
    if is_plain(v) {
        return to_value(v, what);
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
    if let Some(b) = as_blob(v) {
        if b.size() > MAX_SIDECAR {
            return Err(invalid("the metadata sidecar is larger than 10 MB"));
        }
        let text = blob_text(b)
            .await
            .ok_or_else(|| invalid("the metadata file could not be read"))?;
        let slot = c.blobs.len();
        c.blobs.push(b.clone());
        return Ok(Sidecar::Blob {
            slot,
            file_name: file_name(v),
            text,
        });
    }
    if is_plain(v) {
        let text = js_sys::JSON::stringify(v)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| invalid("metadata could not be written as JSON"))?;
        return Ok(Sidecar::Text(text));
    }
    Err(invalid(
        "metadata must be a File, a Blob, JSON text or a plain object",
    ))
}

/// The page's or the worker's address (`location.href`); Node has none.
fn location_href() -> Option<String> {
    let loc = get(&js_sys::global(), "location");
    if !loc.is_object() {
        return None;
    }
    get(&loc, "href").as_string()
}

/// Whether sending the API key to `base_url` shows it to the visitors of a web page (or of a
/// worker's page): in pages and workers, a target that is neither the own origin nor a loopback
/// host. Returns that target's origin.
pub fn key_exposure(base_url: &str) -> Option<String> {
    let href = location_href()?;
    let Ok(target) = web_sys::Url::new_with_base(base_url, &href) else {
        return Some(base_url.to_string());
    };
    let here = web_sys::Url::new(&href).ok()?;
    let host = target.hostname();
    let loopback =
        host == "localhost" || host == "[::1]" || host == "::1" || host.starts_with("127.");
    (target.origin() != here.origin() && !loopback).then(|| target.origin())
}

/// An absolute base URL is always fine; a relative one needs a page to be relative to.
pub fn can_resolve(base_url: &str) -> bool {
    match location_href() {
        Some(href) => web_sys::Url::new_with_base(base_url, &href).is_ok(),
        None => web_sys::Url::new(base_url).is_ok(),
    }
}
