use wasm_bindgen::prelude::*;

/// A newtype that represents Serde errors as JavaScript exceptions.
#[derive(Debug)]
pub struct Error(JsValue);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        #[wasm_bindgen]
        extern "C" {
            #[wasm_bindgen(js_name = String)]
            pub fn to_string(value: &JsValue) -> String;
        }

        // nomadicml-web: written as it is (`fmt` would link the padding formatter).
        f.write_str(&to_string(&self.0))
    }
}

impl std::error::Error for Error {}

impl Error {
    /// Creates a JavaScript `Error` with a given message.
    pub fn new<T: std::fmt::Display>(msg: T) -> Self {
        Error(JsError::new(&msg.to_string()).into())
    }
}

impl serde::ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error::new(msg)
    }
}

impl serde::de::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error::new(msg)
    }

    // nomadicml-web: the two methods below replace serde's defaults, which write the unexpected
    // value itself into the message (`floating point `1.5``, `string "..."`) and so link Rust's
    // float formatting and string escaping (6.3 KB gzip of the SDK's package). The message names the
    // kind of value instead: `invalid type: a number, expected a string`.
    fn invalid_type(unexp: serde::de::Unexpected, exp: &dyn serde::de::Expected) -> Self {
        unexpected("invalid type: ", &unexp, exp)
    }

    fn invalid_value(unexp: serde::de::Unexpected, exp: &dyn serde::de::Expected) -> Self {
        unexpected("invalid value: ", &unexp, exp)
    }
}

/// nomadicml-web: `<what><kind>, expected <exp>`. The text is joined, not formatted (formatting
/// a `&str` links the padding formatter); only `exp` writes itself.
fn unexpected(what: &str, unexp: &serde::de::Unexpected, exp: &dyn serde::de::Expected) -> Error {
    let mut message = what.to_string() + kind(unexp) + ", expected ";
    let _ = std::fmt::Write::write_fmt(&mut message, format_args!("{exp}"));
    Error(JsError::new(&message).into())
}

/// nomadicml-web: what kind of JS value an unexpected value is, in JS's words.
fn kind(unexp: &serde::de::Unexpected) -> &'static str {
    use serde::de::Unexpected::*;
    match unexp {
        Bool(_) => "a boolean",
        Unsigned(_) | Signed(_) | Float(_) => "a number",
        Char(_) | Str(_) => "a string",
        Bytes(_) => "bytes",
        Unit => "null or undefined",
        Seq => "a list",
        Map => "an object",
        _ => "a value of another kind",
    }
}

/// This conversion is needed for `?` to just work when using wasm-bindgen
/// imports that return JavaScript exceptions as `Result<T, JsValue>`.
impl From<JsValue> for Error {
    fn from(error: JsValue) -> Error {
        Error(error)
    }
}

// This conversion is needed for `?` to just work in wasm-bindgen exports
// that return `Result<T, JsValue>` to throw JavaScript exceptions.
impl From<Error> for JsValue {
    fn from(error: Error) -> JsValue {
        error.0
    }
}
