//! Server-Sent Events, read incrementally from the bytes of a `fetch` body (the browser's
//! `EventSource` cannot send the API key). Only what the prompt-analysis stream uses: `id`,
//! `event`, multi-line `data`, comments; `retry` is ignored (the protocol fixes the reconnect
//! delay). Lines end in LF, CRLF or CR, as the format allows; a chunk may end anywhere, even
//! inside a UTF-8 character.

use crate::value::{find, split_once};

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The `id` of this event, if it had one (the resumption point).
    pub id: Option<String>,
    /// `message` unless named.
    pub event: String,
    pub data: String,
}

#[derive(Default)]
pub struct Parser {
    /// Bytes of a line not yet complete.
    line: Vec<u8>,
    /// The last byte was a CR, so a LF right after it ends nothing more.
    after_cr: bool,
    event: String,
    data: String,
    has_data: bool,
    id: Option<String>,
}

/// Most bytes one line may hold (a hostile server must not grow memory without end).
const MAX_LINE: usize = 1 << 20;

impl Parser {
    /// Feeds the next chunk; returns the events it completed, in order.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<Event> {
        let mut out = Vec::new();
        for &b in chunk {
            match b {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' | b'\r' => {
                    self.after_cr = b == b'\r';
                    let line = std::mem::take(&mut self.line);
                    self.line_done(&String::from_utf8_lossy(&line), &mut out);
                }
                _ => {
                    self.after_cr = false;
                    if self.line.len() < MAX_LINE {
                        self.line.push(b);
                    }
                }
            }
        }
        out
    }

    fn line_done(&mut self, line: &str, out: &mut Vec<Event>) {
        if line.is_empty() {
            if self.has_data {
                out.push(Event {
                    id: self.id.clone(),
                    event: if self.event.is_empty() {
                        "message".into()
                    } else {
                        std::mem::take(&mut self.event)
                    },
                    data: std::mem::take(&mut self.data),
                });
            }
            self.event.clear();
            self.data.clear();
            self.has_data = false;
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match split_once(line, ":") {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = value.to_string(),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            // The format ignores an id holding NUL; the id persists until another is given.
            "id" if find(value, "\0").is_none() => self.id = Some(value.to_string()),
            _ => {}
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn all(chunks: &[&[u8]]) -> Vec<Event> {
        let mut p = Parser::default();
        chunks.iter().flat_map(|c| p.feed(c)).collect()
    }

    fn ev(id: Option<&str>, event: &str, data: &str) -> Event {
        Event {
            id: id.map(str::to_string),
            event: event.into(),
            data: data.into(),
        }
    }

    #[test]
    fn events_split_anywhere_read_the_same() {
        let text = "id: 1\nevent: thinking\ndata: {\"text\": \"é\"}\n\n: a comment\nid: 2\r\nevent: done\r\ndata: a\r\ndata: b\r\n\r\ndata:x\rid\r\r";
        let whole = all(&[text.as_bytes()]);
        assert_eq!(
            whole,
            vec![
                ev(Some("1"), "thinking", "{\"text\": \"é\"}"),
                ev(Some("2"), "done", "a\nb"),
                ev(Some(""), "message", "x"),
            ]
        );
        // Every split point, including inside the two-byte `é` and between CR and LF.
        let bytes = text.as_bytes();
        for i in 0..bytes.len() {
            assert_eq!(all(&[&bytes[..i], &bytes[i..]]), whole, "split at {i}");
        }
    }

    #[test]
    fn an_unfinished_event_is_not_given_and_hostile_lines_stay_bounded() {
        assert_eq!(all(&[b"id: 1\ndata: half"]), vec![]);
        assert_eq!(all(&[b"event: x\n\n"]), vec![], "no data, no event");
        let long = vec![b'a'; MAX_LINE * 2];
        let mut p = Parser::default();
        p.feed(b"data: ");
        p.feed(&long);
        let got = p.feed(b"\n\n");
        assert_eq!(got.len(), 1);
        assert!(got[0].data.len() <= MAX_LINE);
        assert_eq!(all(&[b"\xff\xfe: \x00\n\n"]), vec![]);
    }
}
