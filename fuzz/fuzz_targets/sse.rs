//! An event stream cut into chunks anywhere (the first byte picks the cuts): the same events
//! whatever the cuts, and never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use nomadicml_web::api::sse::Parser;

fuzz_target!(|data: &[u8]| {
    let Some((&step, body)) = data.split_first() else {
        return;
    };
    let whole = Parser::default().feed(body);
    let mut cut = Parser::default();
    let mut events = Vec::new();
    for chunk in body.chunks(usize::from(step % 16) + 1) {
        events.extend(cut.feed(chunk));
    }
    assert_eq!(events, whole);
});
