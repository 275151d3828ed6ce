//! A server's answer as the SDK decodes it: JSON text to a document, then everything Rust makes
//! of an analysis document (events, both ways, its summary, the batch CSV). Never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use nomadicml_web::api::{csv, events};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(doc) = nomadicml_web::value::parse_text(text) else {
        return;
    };
    for (agent, convert) in [(false, false), (false, true), (true, false), (true, true)] {
        let _ = events::parse(&doc, agent, convert);
    }
    let _ = events::summary(&doc);
    let _ = csv::batch_csv(&doc);
});
