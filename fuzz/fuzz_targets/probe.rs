//! `probeVideo` on any bytes: an answer (a probe or a refusal), never a panic, and never a claim
//! of having read more than the file holds.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = nomadicml_web::probe::probe_bytes(data) {
        assert!(p.width.is_none_or(|w| w > 0) && p.height.is_none_or(|h| h > 0));
        assert!(p.duration_s.is_none_or(|d| d.is_finite() && d > 0.0));
    }
});
