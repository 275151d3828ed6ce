//! Client-side rules (API.md §3, and the ones §17 says the Python client forgets). Each failure
//! is a `ValidationError` raised before anything is sent.

use crate::error::Error;
use crate::value::{rsplit_once, split_once};

pub fn invalid(msg: impl Into<String>) -> Error {
    Error::Validation(msg.into().into())
}

/// `user` (the default) or `org`.
pub fn scope(s: Option<&str>) -> Result<String, Error> {
    scope_in(s, &["user", "org"]).map(str::to_string)
}

/// A scope spelled exactly as one of `allowed` (`user` when absent). Scopes are not case-folded:
/// endpoints read other spellings differently (search takes `ORG` as the personal scope), so a
/// scope that is not exact is refused rather than sent or silently changed.
pub fn scope_in<'a>(s: Option<&str>, allowed: &[&'a str]) -> Result<&'a str, Error> {
    let v = s.unwrap_or("user");
    if let Some(a) = allowed.iter().find(|a| **a == v) {
        return Ok(a);
    }
    let mut msg = "scope must be ".to_string();
    for (i, a) in allowed.iter().enumerate() {
        if i > 0 {
            msg.push_str(if i + 1 == allowed.len() { " or " } else { ", " });
        }
        msg = msg + "'" + a + "'";
    }
    Err(invalid(msg + ", not '" + v + "'"))
}

/// A positive, finite-or-infinite number (NaN is not positive).
pub fn positive(x: f64) -> bool {
    x > 0.0
}

/// A value that is not blank, returned as given: values are sent as the caller wrote them.
pub fn non_blank(what: &str, s: &str) -> Result<String, Error> {
    if s.trim().is_empty() {
        Err(invalid(what.to_string() + " must not be empty"))
    } else {
        Ok(s.to_string())
    }
}

/// The video extensions uploads accept, with the part's content type (API.md §3.3).
pub fn video_content_type(file_name: &str) -> Result<&'static str, Error> {
    let lower = file_name.to_ascii_lowercase();
    let ext = rsplit_once(&lower, ".").map_or("", |(_, e)| e);
    match ext {
        "mp4" => Ok("video/mp4"),
        "mov" => Ok("video/quicktime"),
        "avi" => Ok("video/x-msvideo"),
        "webm" => Ok("application/octet-stream"),
        _ => Err(invalid(
            "'".to_string()
                + file_name
                + "' is not a supported video: use .mp4, .mov, .avi or .webm",
        )),
    }
}

/// The part of a file name before its last extension.
pub fn stem(file_name: &str) -> &str {
    // After the last separator, found by bytes (a `char` pattern links a searcher).
    let base = match file_name.bytes().rposition(|b| b == b'/' || b == b'\\') {
        Some(i) => &file_name[i + 1..],
        None => file_name,
    };
    rsplit_once(base, ".")
        .map(|(s, _)| s)
        .filter(|s| !s.is_empty())
        .unwrap_or(base)
}

/// An `http(s)` URL whose decoded path ends in a video extension.
pub fn video_url(url: &str) -> Result<(), Error> {
    let bad = || {
        invalid(
            "'".to_string() + url + "' is not an http(s) URL of a .mp4, .mov, .avi or .webm video",
        )
    };
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let (host, path) = split_once(rest, "/").unwrap_or((rest, ""));
    if host.is_empty() || url.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    // Up to the query or fragment, found by bytes (a `char` pattern links a searcher).
    let path = match path.bytes().position(|b| b == b'?' || b == b'#') {
        Some(i) => &path[..i],
        None => path,
    };
    let decoded = percent_decode(path);
    video_content_type(&decoded).map(|_| ()).map_err(|_| bad())
}

pub fn is_http_url(s: &str) -> bool {
    let l = s.trim_start().to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

pub fn is_cloud_uri(s: &str) -> bool {
    let l = s.trim_start().to_ascii_lowercase();
    l.starts_with("gs://") || l.starts_with("s3://")
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An id that goes into a URL path, as given: not blank, not a dot segment (`.`, `..`,
/// which URL parsing collapses: `DELETE /api/video/..` is `DELETE /api/`), no control characters.
pub fn id(what: &str, s: &str) -> Result<String, Error> {
    let t = non_blank(what, s)?;
    if t == "." || t == ".." {
        return Err(invalid(
            "'".to_string()
                + &t
                + "' cannot be "
                + what
                + ": URL parsing would turn it into another endpoint",
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(invalid(
            what.to_string() + " cannot hold control characters",
        ));
    }
    Ok(t)
}

/// Whether `name` is an HTTP header name (an RFC 9110 token).
pub fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether `value` can be sent as a header value: no CR, LF or NUL (which would split or end
/// the header) and nothing beyond Latin-1, which `fetch` refuses only once the call has started.
pub fn is_header_value(value: &str) -> bool {
    value
        .chars()
        .all(|c| c != '\r' && c != '\n' && c != '\0' && u32::from(c) <= 0xff)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn header_names_and_values() {
        assert!(is_header_name("X-Team-Id"));
        for bad in ["", "X Team", "X:Team", "Zé", "X\r\nInjected"] {
            assert!(!is_header_name(bad), "{bad:?}");
        }
        assert!(is_header_value("a value; with=symbols, é"));
        for bad in ["a\r\nX-Injected: 1", "a\nb", "nul\0", "emoji 🙂"] {
            assert!(!is_header_value(bad), "{bad:?}");
        }
    }

    #[test]
    fn scopes() {
        assert_eq!(scope(None).unwrap(), "user");
        assert_eq!(scope(Some("org")).unwrap(), "org");
        for bad in ["ORG", " org", "sample", ""] {
            assert!(scope(Some(bad)).is_err(), "{bad:?}");
        }
        assert_eq!(
            scope_in(Some("Sample"), &["user", "org", "sample"])
                .unwrap_err()
                .message(),
            "scope must be 'user', 'org' or 'sample', not 'Sample'"
        );
    }

    #[test]
    fn videos_and_urls() {
        assert_eq!(video_content_type("A.MOV").unwrap(), "video/quicktime");
        assert_eq!(
            video_content_type("x.webm").unwrap(),
            "application/octet-stream"
        );
        assert!(video_content_type("x.mkv").is_err());
        assert!(video_content_type("mp4").is_err());
        assert!(video_url("https://storage.googleapis.com/b/videos/demo.mp4").is_ok());
        assert!(video_url("http://127.0.0.1:9/a%20b.MP4?sig=1#t").is_ok());
        assert!(video_url("https://x/demo.mp4.txt").is_err());
        assert!(video_url("https:///demo.mp4").is_err());
        assert!(video_url("ftp://x/demo.mp4").is_err());
        assert!(video_url("https://x/a b.mp4").is_err());
        assert_eq!(stem("trips/launch.final.mp4"), "launch.final");
        assert_eq!(stem(".json"), ".json");
    }
}
