//! Small helpers shared by the routes: clock, ids, timestamps.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A fresh id: `prefix` followed by 24 lowercase hex digits of a random UUID.
pub fn new_id(prefix: &str) -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}{}", &hex[..24])
}

/// Milliseconds since the epoch as RFC 3339 UTC text (`2026-11-28T11:46:46.123Z`).
pub fn iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The emulator's user id for an API key: stable across restarts, reveals nothing of the key.
pub fn user_id_for_key(key: &str) -> String {
    // FNV-1a, 64 bit: not a secret hash, only a stable, short, key-free label.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("user_{h:016x}")
}

/// Every key shares one organisation in the emulator.
pub const ORG_ID: &str = "org_emulator";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso(1_795_866_406_123), "2026-11-28T11:46:46.123Z");
    }

    #[test]
    fn ids_and_users() {
        let a = new_id("ij_");
        assert!(a.starts_with("ij_") && a.len() == 27);
        assert_ne!(a, new_id("ij_"));
        assert_eq!(user_id_for_key("k"), user_id_for_key("k"));
        assert_ne!(user_id_for_key("k"), user_id_for_key("j"));
        assert!(!user_id_for_key("secret").contains("secret"));
    }
}
