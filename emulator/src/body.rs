//! Request bodies as the protocol sends them: form fields (repeated keys allowed) and JSON.
//! Malformed input becomes a 422 naming the field, never a panic.

use crate::error::{ApiError, ApiResult};
use serde_json::Value;

/// Decoded `application/x-www-form-urlencoded` fields, in wire order.
#[derive(Debug, Default)]
pub struct Form(pub Vec<(String, String)>);

impl Form {
    pub fn parse(bytes: &[u8]) -> Form {
        Form(form_urlencoded::parse(bytes).into_owned().collect())
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// A field that is present and not blank.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.trim().is_empty())
    }
    pub fn require(&self, name: &str) -> ApiResult<&str> {
        self.text(name).ok_or_else(|| ApiError::missing(name))
    }
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    /// A boolean flag in either spelling the protocol uses (`True`/`False`, `true`/`false`).
    pub fn flag(&self, name: &str) -> ApiResult<bool> {
        match self.get(name) {
            None | Some("") => Ok(false),
            Some(v) => parse_bool(v)
                .ok_or_else(|| ApiError::field(name, "value could not be parsed to a boolean")),
        }
    }
    /// A form field holding JSON text (`concepts_json`, `custom_columns`, ...).
    pub fn json(&self, name: &str) -> ApiResult<Option<Value>> {
        match self.text(name) {
            None => Ok(None),
            Some(t) => serde_json::from_str(t)
                .map(Some)
                .map_err(|_| ApiError::field(name, "value is not valid JSON")),
        }
    }
}

pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Parses a JSON object body.
pub fn json_object(bytes: &[u8]) -> ApiResult<serde_json::Map<String, Value>> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::Unprocessable(vec![(
            vec!["body".into()],
            "value is not a valid dict".into(),
        )])),
        Err(e) => Err(ApiError::Unprocessable(vec![(
            vec!["body".into(), e.column().to_string()],
            "JSON decode error".into(),
        )])),
    }
}

/// Typed access to the fields of a JSON object body.
pub trait Fields {
    fn req_str(&self, name: &str) -> ApiResult<&str>;
    fn opt_str(&self, name: &str) -> ApiResult<Option<&str>>;
}

impl Fields for serde_json::Map<String, Value> {
    fn req_str(&self, name: &str) -> ApiResult<&str> {
        match self.opt_str(name)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            Some(_) => Err(ApiError::field(name, "must not be empty")),
            None => Err(ApiError::missing(name)),
        }
    }
    fn opt_str(&self, name: &str) -> ApiResult<Option<&str>> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ApiError::field(name, "str type expected")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields() {
        let f = Form::parse(b"video_ids=a&video_ids=b&x=1+2%2F3&flag=True&empty=");
        assert_eq!(f.all("video_ids"), vec!["a", "b"]);
        assert_eq!(f.get("x"), Some("1 2/3"));
        assert!(f.flag("flag").unwrap());
        assert!(!f.flag("missing").unwrap());
        assert!(f.require("empty").is_err());
        assert!(Form::parse(b"flag=maybe").flag("flag").is_err());
    }

    #[test]
    fn json_bodies() {
        let m = json_object(br#"{"name": "a", "n": 3}"#).unwrap();
        assert_eq!(m.req_str("name").unwrap(), "a");
        assert!(m.req_str("n").is_err());
        assert!(m.req_str("none").is_err());
        assert!(json_object(b"[1]").is_err());
        assert!(json_object(b"{oops").is_err());
    }
}
