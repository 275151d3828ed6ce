//! The retry policy: which answers are retried, and how long to wait.

use crate::value::split_once;

/// 408, 429, 500, 502, 503, 504 and 520-527, as the protocol retries them; and a 409 that comes
/// with `Retry-After`: the server is still working on an earlier attempt with the same
/// idempotency key and says when to ask again (a plain 409, such as a duplicate folder, is final).
pub fn retryable_status(status: u16, has_retry_after: bool) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504 | 520..=527)
        || (status == 409 && has_retry_after)
}

/// The wait before retry number `retries + 1`: `Retry-After` when the server gave a positive
/// one (capped), else exponential backoff from 500 ms (x2 each time, at most 8 s) with jitter
/// that keeps between half and all of it.
pub fn delay_ms(retries: u32, retry_after_ms: Option<f64>, cap_ms: f64, random: f64) -> f64 {
    if let Some(ms) = retry_after_ms.filter(|ms| *ms > 0.0) {
        return ms.min(cap_ms);
    }
    let base = (500.0 * f64::from(1u32 << retries.min(10))).min(8000.0);
    base * (0.5 + 0.5 * random.clamp(0.0, 1.0))
}

/// `Retry-After` as whole seconds or an HTTP date, in milliseconds from `now_ms`. Anything else
/// is ignored (the backoff applies), where the Python client would give up.
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<f64> {
    let v = value.trim();
    if let Some(secs) = digits(v) {
        return Some(secs as f64 * 1000.0);
    }
    http_date_ms(v).map(|at| (at - now_ms).max(0.0))
}

/// A run of 1 to 12 ASCII digits as a number (what `Retry-After` and an HTTP date hold; signs,
/// spaces and longer runs are not numbers here).
fn digits(v: &str) -> Option<i64> {
    if v.is_empty() || v.len() > 12 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(v.bytes().fold(0, |n, b| n * 10 + i64::from(b - b'0')))
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) as milliseconds since the epoch. Its fields
/// are separated by single spaces (RFC 9110 §5.6.7); anything else is not a date here, and the
/// retry falls back to backoff.
fn http_date_ms(v: &str) -> Option<f64> {
    let (_, rest) = split_once(v, " ")?;
    let (day, rest) = split_once(rest, " ")?;
    let (mon, rest) = split_once(rest, " ")?;
    let (year, rest) = split_once(rest, " ")?;
    let (time, zone) = split_once(rest, " ")?;
    if zone != "GMT" {
        return None;
    }
    let day = digits(day)?;
    let year = digits(year)?;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == mon)? as i64 + 1;
    let (h, ms) = split_once(time, ":")?;
    let (m, s) = split_once(ms, ":")?;
    let (h, m, s) = (digits(h)?, digits(m)?, digits(s)?);
    // Days from civil (Howard Hinnant).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + h * 3600 + m * 60 + s) * 1000) as f64)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        for s in [408, 429, 500, 502, 503, 504, 520, 527] {
            assert!(retryable_status(s, false), "{s}");
        }
        for s in [400, 401, 404, 409, 413, 422, 501, 505, 519, 528] {
            assert!(!retryable_status(s, false), "{s}");
        }
        // An idempotency key still in use: the server says when to come back.
        assert!(retryable_status(409, true));
        assert!(!retryable_status(422, true));
    }

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        assert_eq!(delay_ms(0, None, 60_000.0, 0.0), 250.0);
        assert_eq!(delay_ms(0, None, 60_000.0, 1.0), 500.0);
        assert_eq!(delay_ms(2, None, 60_000.0, 1.0), 2000.0);
        assert_eq!(delay_ms(9, None, 60_000.0, 1.0), 8000.0);
        assert_eq!(
            delay_ms(1, Some(0.0), 60_000.0, 1.0),
            1000.0,
            "Retry-After: 0 falls back to backoff"
        );
        assert_eq!(delay_ms(1, Some(3000.0), 2000.0, 1.0), 2000.0);
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("2", 0.0), Some(2000.0));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777_000.0 - 5000.0),
            Some(5000.0)
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777_000.0 + 9000.0),
            Some(0.0)
        );
        assert_eq!(parse_retry_after("soon", 0.0), None);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT extra", 0.0),
            None
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37:00 GMT", 0.0),
            None
        );
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49 GMT", 0.0), None);
        assert_eq!(parse_retry_after("-1", 0.0), None);
    }
}
