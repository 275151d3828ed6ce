//! A small JSON value: parse, read, build, write. The SDK decodes only the fields its logic
//! reads (ids, statuses, cursors, events) and hands whole documents to JS as text for the
//! engine's own `JSON.parse`; a full serde stack would cost several times its size in wasm.
//!
//! Writing follows the protocol's layout (`", "` and `": "` separators, non-ASCII as `\uXXXX`).

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Value>),
    Obj(Vec<(String, Value)>),
}

/// Deepest nesting accepted, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 128;

impl Value {
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// `get` along a path of keys.
    pub fn at(&self, path: &[&str]) -> Option<&Value> {
        path.iter().try_fold(self, |v, k| v.get(k))
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

    pub fn to_json(&self) -> String {
        let mut out = String::new();
        write(self, &mut out);
        out
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
    Value::Obj(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn write(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Num(n) => write_num(*n, out),
        Value::Str(s) => write_str(s, out),
        Value::Arr(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(x, out);
            }
            out.push(']');
        }
        Value::Obj(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(k, out);
                out.push_str(": ");
                write(x, out);
            }
            out.push('}');
        }
    }
}

/// Whole numbers print as integers; fractions with the shortest round-trip form.
pub fn write_num(n: f64, out: &mut String) {
    if !n.is_finite() {
        out.push_str("null");
    } else if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        write_int(n as i64, out);
    } else {
        out.push_str(&float_text(n));
    }
}

/// Shortest round-trip text of a fraction. In wasm the engine's `String(n)` does it, which saves
/// linking Rust's float formatting into the bundle.
#[cfg(target_arch = "wasm32")]
fn float_text(n: f64) -> String {
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

#[cfg(not(target_arch = "wasm32"))]
fn float_text(n: f64) -> String {
    n.to_string()
}

/// Decimal text to f64. Integers and short decimals take the exact fast path (a mantissa below
/// 2^53 scaled by a power of ten up to 10^22 is one correctly rounded operation); anything else
/// goes to a full parser (the engine's in wasm, to keep Rust's out of the bundle).
fn parse_number(t: &str) -> Option<f64> {
    let b = t.as_bytes();
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    let valid_start = matches!(digits.first(), Some(b'0'..=b'9'));
    if !valid_start || (digits.len() > 1 && digits[0] == b'0' && digits[1].is_ascii_digit()) {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut scale: i32 = 0;
    let mut seen_dot = false;
    let mut count = 0;
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                count += 1;
                if count > 15 {
                    return slow_number(t);
                }
                mantissa = mantissa * 10 + u64::from(c - b'0');
                if seen_dot {
                    scale += 1;
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => return slow_number(t),
        }
    }
    if seen_dot && scale == 0 {
        return None;
    }
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let v = mantissa as f64 / POW10[scale as usize];
    Some(if neg { -v } else { v })
}

#[cfg(target_arch = "wasm32")]
fn slow_number(t: &str) -> Option<f64> {
    // JSON's number grammar is a subset of what parseFloat reads; the lexer already limited
    // the characters, and NaN marks what it rejects.
    let v = js_sys::Number::parse_float(t);
    (!v.is_nan()).then_some(v)
}

#[cfg(not(target_arch = "wasm32"))]
fn slow_number(t: &str) -> Option<f64> {
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Integer text without the formatting machinery.
pub fn write_int(n: i64, out: &mut String) {
    if n < 0 {
        out.push('-');
    }
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
    out.extend(digits[i..].iter().map(|d| *d as char));
}

pub fn int_text(n: i64) -> String {
    let mut s = String::new();
    write_int(n, &mut s);
    s
}

fn write_str(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str("\\u");
                    for shift in [12, 8, 4, 0] {
                        out.push(HEX[((*unit >> shift) & 0xf) as usize] as char);
                    }
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Parses JSON text. `Err` says where it went wrong.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut p = Parser {
        b: text.as_bytes(),
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.b.len() {
        return Err(p.err("trailing characters"));
    }
    Ok(v)
}

/// The values of some top-level keys of a JSON object, skipping everything else without
/// building it (a 500-row page is read for two fields).
pub fn top_fields(text: &str, keys: &[&str]) -> Result<Vec<Option<Value>>, String> {
    let mut out = vec![None; keys.len()];
    let mut p = Parser {
        b: text.as_bytes(),
        i: 0,
    };
    p.ws();
    if p.b.get(p.i) != Some(&b'{') {
        return Err(p.err("expected an object"));
    }
    p.i += 1;
    p.ws();
    if p.b.get(p.i) == Some(&b'}') {
        return Ok(out);
    }
    loop {
        p.ws();
        if p.b.get(p.i) != Some(&b'"') {
            return Err(p.err("expected a key"));
        }
        let k = p.string()?;
        p.ws();
        if p.b.get(p.i) != Some(&b':') {
            return Err(p.err("expected ':'"));
        }
        p.i += 1;
        match keys.iter().position(|want| *want == k) {
            Some(slot) => out[slot] = Some(p.value(1)?),
            None => p.skip(1)?,
        }
        p.ws();
        match p.b.get(p.i) {
            Some(b',') => p.i += 1,
            Some(b'}') => return Ok(out),
            _ => return Err(p.err("expected ',' or '}'")),
        }
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, what: &str) -> String {
        let mut s = String::from("invalid JSON at byte ");
        write_int(self.i as i64, &mut s);
        s.push_str(": ");
        s.push_str(what);
        s
    }
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
    }
    fn eat(&mut self, lit: &str) -> Result<(), String> {
        if self.b[self.i..].starts_with(lit.as_bytes()) {
            self.i += lit.len();
            Ok(())
        } else {
            Err(self.err("unexpected token"))
        }
    }
    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        self.ws();
        match self.b.get(self.i) {
            None => Err(self.err("unexpected end")),
            Some(b'n') => self.eat("null").map(|_| Value::Null),
            Some(b't') => self.eat("true").map(|_| Value::Bool(true)),
            Some(b'f') => self.eat("false").map(|_| Value::Bool(false)),
            Some(b'"') => self.string().map(Value::Str),
            Some(b'[') => {
                self.i += 1;
                let mut a = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Value::Arr(a));
                }
                loop {
                    a.push(self.value(depth + 1)?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::Arr(a));
                        }
                        _ => return Err(self.err("expected ',' or ']'")),
                    }
                }
            }
            Some(b'{') => {
                self.i += 1;
                let mut m = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Value::Obj(m));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return Err(self.err("expected a key"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return Err(self.err("expected ':'"));
                    }
                    self.i += 1;
                    let v = self.value(depth + 1)?;
                    m.push((k, v));
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Value::Obj(m));
                        }
                        _ => return Err(self.err("expected ',' or '}'")),
                    }
                }
            }
            Some(_) => self.number(),
        }
    }
    /// Steps over one value, checking its structure but keeping nothing.
    fn skip(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        self.ws();
        match self.b.get(self.i) {
            Some(b'"') => self.skip_string(),
            Some(open @ (b'[' | b'{')) => {
                let close = if *open == b'[' { b']' } else { b'}' };
                let object = *open == b'{';
                self.i += 1;
                self.ws();
                if self.b.get(self.i) == Some(&close) {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    if object {
                        self.ws();
                        if self.b.get(self.i) != Some(&b'"') {
                            return Err(self.err("expected a key"));
                        }
                        self.skip_string()?;
                        self.ws();
                        if self.b.get(self.i) != Some(&b':') {
                            return Err(self.err("expected ':'"));
                        }
                        self.i += 1;
                    }
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(c) if *c == close => {
                            self.i += 1;
                            return Ok(());
                        }
                        _ => return Err(self.err("expected ',' or a closing bracket")),
                    }
                }
            }
            Some(_) => self.value(depth).map(|_| ()),
            None => Err(self.err("unexpected end")),
        }
    }

    fn skip_string(&mut self) -> Result<(), String> {
        self.i += 1;
        while let Some(&c) = self.b.get(self.i) {
            self.i += 1;
            match c {
                b'"' => return Ok(()),
                b'\\' => self.i += 1,
                c if c < 0x20 => return Err(self.err("control character in string")),
                _ => {}
            }
        }
        Err(self.err("unterminated string"))
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.i;
        while matches!(
            self.b.get(self.i),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.i += 1;
        }
        std::str::from_utf8(&self.b[start..self.i])
            .ok()
            .and_then(parse_number)
            .map(Value::Num)
            .ok_or_else(|| self.err("bad number"))
    }
    fn hex4(&mut self) -> Result<u32, String> {
        let h = self
            .b
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("short \\u escape"))?;
        let v = std::str::from_utf8(h)
            .ok()
            .and_then(|t| u32::from_str_radix(t, 16).ok())
            .ok_or_else(|| self.err("bad \\u escape"))?;
        self.i += 4;
        Ok(v)
    }
    fn string(&mut self) -> Result<String, String> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&c) = self.b.get(self.i) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // The input is a &str, and we stopped at ASCII, so this slice is valid UTF-8.
            out.push_str(
                std::str::from_utf8(&self.b[start..self.i]).map_err(|_| self.err("bad UTF-8"))?,
            );
            match self.b.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let e = *self
                        .b
                        .get(self.i)
                        .ok_or_else(|| self.err("unexpected end"))?;
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi)
                                && self.b[self.i..].starts_with(b"\\u")
                            {
                                self.i += 2;
                                let lo = self.hex4()?;
                                0x10000 + ((hi - 0xd800) << 10) + (lo.wrapping_sub(0xdc00) & 0x3ff)
                            } else {
                                hi
                            };
                            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                        }
                        _ => return Err(self.err("bad escape")),
                    }
                }
                _ => return Err(self.err("unterminated string")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let text = r#"{"a": [1, -2.5, true, null, "x\"y\\é\n"], "b": {"c": 1e3}, "d": "😀"}"#;
        let v = parse(text).unwrap();
        assert_eq!(v.at(&["b", "c"]).and_then(Value::num), Some(1000.0));
        assert_eq!(v.get("a").and_then(|a| a.arr()).map(|a| a.len()), Some(5));
        assert_eq!(parse(&v.to_json()).unwrap(), v);
        assert_eq!(v.get_str("d"), Some("😀"));
        assert_eq!(Value::from("é😀").to_json(), r#""\u00e9\ud83d\ude00""#);
        assert_eq!(
            obj([("k", 3.0f64.into()), ("l", Value::Null)]).to_json(),
            r#"{"k": 3, "l": null}"#
        );
    }

    #[test]
    fn rejects_bad_input_without_panicking() {
        for bad in [
            "",
            "{",
            "[1,",
            "{\"a\" 1}",
            "tru",
            "\"\\u12\"",
            "\"abc",
            "01x",
            "[1] 2",
            "\"\\ud800\\u\"",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let deep = "[".repeat(10_000);
        assert!(parse(&deep).is_err());
        assert_eq!(
            parse("\"\\ud83d\\ude00\"").unwrap(),
            Value::Str("😀".into())
        );
    }

    #[test]
    fn top_fields_skip_the_rest() {
        let t = r#"{"videos": [{"a": "x\"y", "b": [1, {"c": null}]}], "has_more": true, "next_cursor": "v2", "n": -1.5e3}"#;
        let f = top_fields(t, &["has_more", "next_cursor", "missing"]).unwrap();
        assert_eq!(
            f,
            vec![Some(Value::Bool(true)), Some(Value::Str("v2".into())), None]
        );
        for bad in [
            "[]",
            "{\"a\": [1,}",
            "{\"a\": \"x",
            "{\"a\" 1}",
            "{\"a\": {\"b\" 1}}",
        ] {
            assert!(top_fields(bad, &["a"]).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers() {
        for (t, v) in [
            ("0", 0.0),
            ("-12", -12.0),
            ("0.93", 0.93),
            ("1e3", 1000.0),
            ("123456789012345678", 123456789012345678.0),
            ("2.5E-3", 0.0025),
            ("0.1", 0.1),
        ] {
            assert_eq!(parse_number(t), Some(v), "{t}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1..2", "1e", "--1"] {
            assert_eq!(parse(bad).ok(), None, "{bad}");
        }
        let mut s = String::new();
        write_num(0.93, &mut s);
        assert_eq!(s, "0.93");
    }

    #[test]
    fn integers_without_format() {
        assert_eq!(int_text(0), "0");
        assert_eq!(int_text(-1234567890123), "-1234567890123");
        assert_eq!(int_text(i64::MIN), "-9223372036854775808");
    }
}
