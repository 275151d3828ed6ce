//! The document value the protocol logic reshapes (events, batch results, search matches):
//! serde's data model with key order kept. It is read from and written to the engine's own
//! values through serde (serde-wasm-bindgen in wasm, serde_json on the host): there is no JSON
//! text parser or writer here. Documents Rust does not reshape never become a `Value`; they pass
//! through as the JS value the engine parsed (see `transport::Doc`).

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Value>),
    Obj(Vec<(String, Value)>),
}

impl Value {
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// `get` along a path of keys.
    pub fn at(&self, path: &[&str]) -> Option<&Value> {
        let mut v = self;
        for k in path {
            v = v.get(k)?;
        }
        Some(v)
    }
    pub fn str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn num(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            _ => None,
        }
    }
    pub fn bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn arr(&self) -> Option<&[Value]> {
        match self {
            Value::Arr(a) => Some(a),
            _ => None,
        }
    }
    /// A string field, when present and a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::str)
    }

    /// Sets `key` in an object (replacing an existing value); no-op on other values.
    pub fn set(&mut self, key: &str, value: Value) {
        if let Value::Obj(m) = self {
            match m.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => m.push((key.to_string(), value)),
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s)
    }
}
impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Num(n)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Value {
        o.map_or(Value::Null, Into::into)
    }
}

/// An object from `(key, value)` pairs, in order.
pub fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    fields(Vec::from(pairs))
}

/// The part of `obj` that does not depend on `N`, compiled once (a loop over the array itself
/// compiled a copy per `N`).
fn fields(pairs: Vec<(&str, Value)>) -> Value {
    let mut m = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        m.push((k.to_string(), v));
    }
    Value::Obj(m)
}

/// A list of strings as a document list (one loop for every caller: a `map().collect()` per
/// call site compiled a copy each).
pub fn strings(items: &[String]) -> Value {
    let mut list = Vec::with_capacity(items.len());
    for s in items {
        list.push(Value::from(s.as_str()));
    }
    Value::Arr(list)
}

/// The string `key` of each object in `items` that has one, in order.
pub fn each_str(items: &[Value], key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for v in items {
        if let Some(s) = v.get_str(key) {
            out.push(s.to_string());
        }
    }
    out
}

/// Where `needle` first occurs in `hay`, by a plain scan. The SDK looks for short words and
/// the API key in messages; `str::find`, `contains` and `replace` with a string pattern link the
/// standard library's two-way searcher (1.3 KB gzip more, measured). A match of valid UTF-8 in
/// valid UTF-8 starts on a character boundary, so the index slices `hay` safely.
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let mut i = 0;
    while i + n.len() <= h.len() {
        if h[i..i + n.len()] == *n {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Where `needle` last occurs in `hay` (see [`find`]).
pub fn rfind(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let mut i = h.len().checked_sub(n.len())?;
    loop {
        if h[i..i + n.len()] == *n {
            return Some(i);
        }
        i = i.checked_sub(1)?;
    }
}

/// `hay` split around the first `needle` (see [`find`]: `str::split_once` with a `char` links
/// the standard library's `memchr`).
pub fn split_once<'a>(hay: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let i = find(hay, needle)?;
    Some((&hay[..i], &hay[i + needle.len()..]))
}

/// `hay` split around the last `needle` (see [`split_once`]).
pub fn rsplit_once<'a>(hay: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let i = rfind(hay, needle)?;
    Some((&hay[..i], &hay[i + needle.len()..]))
}

/// `hay` with every occurrence of a non-empty `needle` replaced by `with` (see [`find`]).
pub fn replace(hay: &str, needle: &str, with: &str) -> String {
    if needle.is_empty() {
        return hay.to_string();
    }
    let mut out = String::with_capacity(hay.len());
    let mut rest = hay;
    while let Some(i) = find(rest, needle) {
        out.push_str(&rest[..i]);
        out.push_str(with);
        rest = &rest[i + needle.len()..];
    }
    out.push_str(rest);
    out
}

/// Largest integer a double holds exactly.
const SAFE_INT: f64 = 9_007_199_254_740_991.0;

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            // Whole numbers go out as integers, so serde_json never writes `5` as `5.0`. In wasm
            // a number is a JS number either way, and skipping this path keeps integer
            // formatting (serde-wasm-bindgen's message for an unsafe integer) out of the bundle.
            #[cfg(not(target_arch = "wasm32"))]
            Value::Num(n) if n.fract() == 0.0 && n.abs() <= SAFE_INT => s.serialize_i64(*n as i64),
            Value::Num(n) => s.serialize_f64(*n),
            Value::Str(t) => s.serialize_str(t),
            Value::Arr(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for x in a {
                    seq.serialize_element(x)?;
                }
                seq.end()
            }
            Value::Obj(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, x) in m {
                    map.serialize_entry(k, x)?;
                }
                map.end()
            }
        }
    }
}

/// Nesting deeper than this is refused, so a hostile document cannot exhaust the stack.
const MAX_DEPTH: usize = 128;

struct ValueVisitor(usize);

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Num(n as f64))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Num(n as f64))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::Num(n))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Str(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::Str(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let inner = self.deeper::<A::Error>()?;
        let mut out = Vec::new();
        while let Some(v) = a.next_element_seed(inner)? {
            out.push(v);
        }
        Ok(Value::Arr(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let inner = self.deeper::<A::Error>()?;
        let mut out = Vec::new();
        while let Some(k) = a.next_key::<String>()? {
            out.push((k, a.next_value_seed(inner)?));
        }
        Ok(Value::Obj(out))
    }
}

impl ValueVisitor {
    fn deeper<E: de::Error>(&self) -> Result<Depth, E> {
        if self.0 >= MAX_DEPTH {
            return Err(E::custom("the document is nested too deeply"));
        }
        Ok(Depth(self.0 + 1))
    }
}

/// A `Value` at a given depth (the seed that carries the depth down).
#[derive(Clone, Copy)]
struct Depth(usize);

impl<'de> de::DeserializeSeed<'de> for Depth {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor(self.0))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor(0))
    }
}

/// Integer text without the formatting machinery (which would pull float formatting into wasm).
pub fn int_text(n: i64) -> String {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut m = n.unsigned_abs();
    loop {
        i -= 1;
        digits[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    let mut s = String::with_capacity(21);
    if n < 0 {
        s.push('-');
    }
    for d in &digits[i..] {
        s.push(*d as char);
    }
    s
}

/// A number as text: whole numbers as integers, fractions in their shortest round-trip form (the
/// engine's `String(n)` in wasm, which keeps Rust's float formatting out of the bundle).
pub fn num_text(n: f64) -> String {
    if !n.is_finite() {
        return "null".into();
    }
    if n.fract() == 0.0 && n.abs() <= SAFE_INT {
        return int_text(n as i64);
    }
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Number::from(n)
            .to_string_with_radix(10)
            .map(String::from)
            .unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        n.to_string()
    }
}

/// Decimal text to a number, or `None` (the engine's `Number()` in wasm, Rust's parser on the
/// host). Callers check the characters first; this only converts.
pub fn parse_num(t: &str) -> Option<f64> {
    #[cfg(target_arch = "wasm32")]
    let n = wasm_bindgen::JsValue::from_str(t).unchecked_into_f64();
    #[cfg(not(target_arch = "wasm32"))]
    let n = t.parse::<f64>().unwrap_or(f64::NAN);
    n.is_finite().then_some(n)
}

/// A value as JSON text, for the protocol's fields that carry JSON inside a string
/// (`concepts_json`, batch `metadata`, ODD `custom_columns`). In wasm the engine writes it
/// (`JSON.stringify`); on the host serde_json does, with the Python client's separators.
pub fn json_text(v: &Value) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let ser = serde_wasm_bindgen::Serializer::json_compatible();
        v.serialize(&ser)
            .ok()
            .and_then(|js| js_sys::JSON::stringify(&js).ok())
            .map(String::from)
            .unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        host::to_text(v)
    }
}

/// JSON text to a `Value`, for JSON that arrives as text: a caller's credentials or sidecar given
/// as a string, and fields the service encodes as JSON inside a string (`refined_events`). The
/// engine's `JSON.parse` in wasm, serde_json on the host. `None` when it is not JSON.
pub fn parse_text(text: &str) -> Option<Value> {
    #[cfg(target_arch = "wasm32")]
    {
        let js = js_sys::JSON::parse(text).ok()?;
        serde_wasm_bindgen::from_value(js).ok()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        host::parse(text).ok()
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub mod host {
    //! JSON text on the host, laid out as the Python client writes it (`", "` and `": "`), so
    //! host tests compare against the golden recordings as they are.
    use serde::Serialize;
    use serde_json::ser::Formatter;
    use std::io::{self, Write};

    struct Spaced;

    /// `", "` before every item but the first, in lists and objects alike.
    fn separator<W: ?Sized + Write>(w: &mut W, first: bool) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    impl Formatter for Spaced {
        fn begin_array_value<W: ?Sized + Write>(
            &mut self,
            w: &mut W,
            first: bool,
        ) -> io::Result<()> {
            separator(w, first)
        }
        fn begin_object_key<W: ?Sized + Write>(
            &mut self,
            w: &mut W,
            first: bool,
        ) -> io::Result<()> {
            separator(w, first)
        }
        fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
            w.write_all(b": ")
        }
    }

    pub fn to_text<T: Serialize>(v: &T) -> String {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, Spaced);
        if v.serialize(&mut ser).is_err() {
            return String::new();
        }
        String::from_utf8(out).unwrap_or_default()
    }

    /// JSON text to a `Value` (host tests and the scripted transport).
    pub fn parse(text: &str) -> Result<super::Value, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::host::{parse, to_text};
    use super::*;

    #[test]
    fn round_trips_keeping_key_order() {
        let text = r#"{"b": 1, "a": [true, null, 2.5, "x\u00e9"], "c": {"d": -3}}"#;
        let v = parse(text).unwrap();
        assert_eq!(v.get("b"), Some(&Value::Num(1.0)));
        assert_eq!(
            to_text(&v),
            r#"{"b": 1, "a": [true, null, 2.5, "xé"], "c": {"d": -3}}"#
        );
    }

    /// The plain scans agree with the standard library's searcher, multi-byte text and
    /// overlapping matches included.
    #[test]
    fn find_rfind_and_replace_match_the_standard_library() {
        let cases = [
            ("", "a"),
            ("a", "a"),
            ("aaa", "aa"),
            ("xé-key-é-key", "key"),
            ("ééé", "é"),
            ("expected a string, expected a number", "expected "),
            ("short", "longer needle"),
            ("k", "k"),
        ];
        for (hay, needle) in cases {
            assert_eq!(find(hay, needle), hay.find(needle), "{hay} / {needle}");
            assert_eq!(rfind(hay, needle), hay.rfind(needle), "{hay} / {needle}");
            assert_eq!(replace(hay, needle, "[r]"), hay.replace(needle, "[r]"));
        }
        assert_eq!(replace("abc", "", "x"), "abc");
        let (h, n) = ("a/b.c.mp4", ".");
        assert_eq!(split_once(h, n), h.split_once(n));
        assert_eq!(rsplit_once(h, n), h.rsplit_once(n));
        assert_eq!(split_once(h, "x"), None);
    }

    #[test]
    fn hostile_nesting_is_refused_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).is_err());
        let ok = "[".repeat(100) + &"]".repeat(100);
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn numbers_as_text() {
        assert_eq!(int_text(-120), "-120");
        assert_eq!(int_text(i64::MIN), "-9223372036854775808");
        assert_eq!(num_text(5.0), "5");
        assert_eq!(num_text(0.25), "0.25");
        assert_eq!(num_text(f64::NAN), "null");
        assert_eq!(parse_num("1e3"), Some(1000.0));
        assert_eq!(parse_num("x"), None);
    }
}
