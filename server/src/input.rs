//! The edge: every JSON body the server reads passes here, once, through [`ApiJson`], and
//! nothing past it meets an unchecked string or number. One rule for every route and both
//! stores:
//!
//! - the body must be sent as `application/json` (or a `+json` type): else **415**;
//! - it must be JSON text: else **400** `bad_request`;
//! - it must be a valid document, else **422** `invalid` with the field at fault in `field`
//!   (`fixes[2].lat`): an object at the top, no unknown fields, every value of its type;
//!   no control character in any text (U+0000 to U+001F except tab, line feed and carriage
//!   return, U+007F, U+0080 to U+009F; identifiers allow none at all); every number within the
//!   range the server stores ([`Document::check`]). A number with a zero fraction (`4.0`,
//!   `1e3`) is the integer it equals, as in JSON Schema.
//!
//! A push is the one exception to "the whole body is refused": its mutations are screened one
//! by one ([`item`]), and one that fails becomes a `rejected` outcome for that mutation while
//! the rest of the batch applies (a refused push would block the courier's queue for good).

use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;

mod documents;

/// Largest mutation or location sequence number, and largest count (2^53 - 1: exact in every
/// JSON client, doubles included, and never near an overflow when summed).
pub const MAX_COUNT: i64 = 9_007_199_254_740_991;

/// Latest time accepted, Unix seconds (the year 3000): times are checked to be within
/// `0..=MAX_UNIX_TIME`, clock offsets and ages within `±MAX_UNIX_TIME`.
pub const MAX_UNIX_TIME: i64 = 32_503_680_000;

/// Longest identifier (task, courier, rating, template, item, attachment), characters.
pub const MAX_ID_CHARS: usize = 128;

/// A value of a request that is not valid: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct Invalid {
    /// Path of the field in the body (`mutations[3].action.note`); `(body)` for the whole.
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

impl Invalid {
    /// `field` is wrong because of `problem`.
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Invalid {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        let mut err = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string());
        err.field = Some(e.field);
        err
    }
}

/// A request document: deserialised by [`ApiJson`], then checked for the ranges and shapes
/// its type cannot say.
pub trait Document: DeserializeOwned {
    /// Top-level fields the handler screens item by item (a push's mutations) instead of the
    /// extractor.
    const SCREENED_BY_ITEM: &'static [&'static str] = &[];

    /// The first value out of range, if any.
    fn check(&self) -> Result<(), Invalid>;
}

/// The JSON body extractor of every route: see the module's rules. Its rejections are
/// [`ApiError`]s with a JSON body.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: Document,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "the body must be sent with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(r.status(), "too_large", "the body is too large")
            } else {
                ApiError::bad_request("the body could not be read")
            }
        })?;
        Ok(ApiJson(document(&bytes)?))
    }
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses and checks a whole body as a `T`.
pub fn document<T: Document>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("the body is not JSON: {e}")))?;
    let Value::Object(fields) = &mut value else {
        return Err(Invalid::new("(body)", "the body must be a JSON object").into());
    };
    for (key, v) in fields.iter_mut() {
        check_text(key, key)?;
        if !T::SCREENED_BY_ITEM.contains(&key.as_str()) {
            screen(v, key)?;
        }
    }
    let doc = decode::<T>(value, "")?;
    doc.check()?;
    Ok(doc)
}

/// Screens and checks one item of a body (a pushed mutation) found at `at`.
pub fn item<T: Document>(mut value: Value, at: &str) -> Result<T, Invalid> {
    screen(&mut value, at)?;
    let doc = decode::<T>(value, at)?;
    doc.check().map_err(|e| Invalid {
        field: join(at, &e.field),
        problem: e.problem,
    })?;
    Ok(doc)
}

fn decode<T: DeserializeOwned>(value: Value, at: &str) -> Result<T, Invalid> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        Invalid::new(field_name(&join(at, &path)), e.into_inner().to_string())
    })
}

fn join(at: &str, path: &str) -> String {
    match (at.is_empty(), path.is_empty() || path == "(body)") {
        (true, _) => path.to_owned(),
        (false, true) => at.to_owned(),
        (false, false) if path.starts_with('[') => format!("{at}{path}"),
        (false, false) => format!("{at}.{path}"),
    }
}

fn field_name(path: &str) -> String {
    if path.is_empty() {
        "(body)".into()
    } else {
        path.to_owned()
    }
}

/// Walks a value: refuses control characters in texts and keys and integers beyond `i64`, and
/// turns integral numbers written with a fraction (`4.0`) into integers.
fn screen(v: &mut Value, at: &str) -> Result<(), Invalid> {
    match v {
        Value::String(s) => check_text(at, s),
        Value::Number(n) => {
            if n.is_i64() {
                return Ok(());
            }
            if n.is_u64() {
                return Err(Invalid::new(
                    field_name(at),
                    "out of range: at most 9223372036854775807",
                ));
            }
            if let Some(f) = n.as_f64() {
                // Within ±2^63 (exclusive above: 2^63 itself is not an i64).
                if f.fract() == 0.0
                    && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f)
                {
                    *v = Value::from(f as i64);
                }
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, x) in items.iter_mut().enumerate() {
                screen(x, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        Value::Object(fields) => {
            for (key, x) in fields.iter_mut() {
                let path = join(at, key);
                check_text(&path, key)?;
                screen(x, &path)?;
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) => Ok(()),
    }
}

/// Middleware: under `/v1/`, a path or query value that decodes to a control character
/// (`/tasks/%00`) is refused with 422 before any handler reads it, so that ids from the URL obey the same rule
/// as texts in bodies (and PostgreSQL never sees a NUL).
pub async fn screen_uri(
    req: Request,
    next: axum::middleware::Next,
) -> Result<axum::response::Response, ApiError> {
    let uri = req.uri();
    if !uri.path().starts_with("/v1/") {
        // The operational endpoints read nothing from their URL.
        return Ok(next.run(req).await);
    }
    if !is_clean(uri.path()) {
        return Err(Invalid::new(
            "(path)",
            "a path must be UTF-8 text without control characters",
        )
        .into());
    }
    for pair in uri.query().unwrap_or("").split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if !(is_clean(name) && is_clean(value)) {
            let shown = percent_decoded(name)
                .map(|n| n.chars().filter(|c| !c.is_control()).collect::<String>())
                .unwrap_or_else(|| "(query)".into());
            return Err(Invalid::new(
                shown,
                "a query value must be UTF-8 text without control characters",
            )
            .into());
        }
    }
    Ok(next.run(req).await)
}

/// Percent-decodes to UTF-8 text without control characters.
fn is_clean(s: &str) -> bool {
    percent_decoded(s).is_some_and(|t| !t.chars().any(char::is_control))
}

/// `%XX` sequences decoded (invalid ones kept as written); `None` unless the result is UTF-8.
fn percent_decoded(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// True for the characters no text the server stores may hold (see the module's rules).
pub fn is_forbidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

fn check_text(at: &str, s: &str) -> Result<(), Invalid> {
    match s.chars().find(|c| is_forbidden(*c)) {
        Some(c) => Err(Invalid::new(
            field_name(at),
            format!(
                "control character U+{:04X} is not allowed in text",
                u32::from(c)
            ),
        )),
        None => Ok(()),
    }
}

/// Replaces every forbidden character of `v`'s texts and keys with U+FFFD, so that a refused
/// mutation can still be recorded as received.
pub fn defang(v: &Value) -> Value {
    let clean = |s: &str| {
        s.chars()
            .map(|c| if is_forbidden(c) { '\u{FFFD}' } else { c })
            .collect::<String>()
    };
    match v {
        Value::String(s) => Value::String(clean(s)),
        Value::Array(a) => Value::Array(a.iter().map(defang).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (clean(k), defang(x))).collect()),
        other => other.clone(),
    }
}

/// An identifier: 1 to [`MAX_ID_CHARS`] characters, no control character at all.
pub fn id(field: &str, s: &str) -> Result<(), Invalid> {
    let n = s.chars().count();
    if n == 0 || n > MAX_ID_CHARS || s.chars().any(char::is_control) {
        return Err(Invalid::new(
            field,
            format!("must be 1 to {MAX_ID_CHARS} printable characters"),
        ));
    }
    Ok(())
}

/// A text of at most `max` characters.
pub fn text(field: &str, s: &str, max: usize) -> Result<(), Invalid> {
    if s.chars().count() > max {
        return Err(Invalid::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}

/// An integer within `lo..=hi`.
pub fn int(field: &str, v: i64, lo: i64, hi: i64) -> Result<(), Invalid> {
    if !(lo..=hi).contains(&v) {
        return Err(Invalid::new(field, format!("must be {lo} to {hi}")));
    }
    Ok(())
}

/// A finite number within `lo..=hi`.
pub fn real(field: &str, v: f64, lo: f64, hi: f64) -> Result<(), Invalid> {
    if !(v.is_finite() && (lo..=hi).contains(&v)) {
        return Err(Invalid::new(field, format!("must be {lo} to {hi}")));
    }
    Ok(())
}

/// A time, Unix seconds, between 1970 and the year 3000.
pub fn time(field: &str, t: i64) -> Result<(), Invalid> {
    int(field, t, 0, MAX_UNIX_TIME)
}

/// WGS-84 coordinates under `at` (`at.lat`, `at.lon`).
pub fn coordinates(at: &str, lat: f64, lon: f64) -> Result<(), Invalid> {
    real(&join(at, "lat"), lat, -90.0, 90.0)?;
    real(&join(at, "lon"), lon, -180.0, 180.0)
}

/// `field` joined under `at` (`mutations[2]` + `action.note`).
pub fn under(at: &str, field: &str) -> String {
    join(at, field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Probe {
        n: i64,
        #[serde(default)]
        x: f64,
        #[serde(default)]
        s: String,
        #[serde(default)]
        list: Vec<u32>,
    }

    impl Document for Probe {
        fn check(&self) -> Result<(), Invalid> {
            int("n", self.n, 0, 10)
        }
    }

    fn field_of(body: &str) -> (u16, Option<String>) {
        let e = document::<Probe>(body.as_bytes()).unwrap_err();
        (e.status.as_u16(), e.field)
    }

    #[test]
    fn integral_numbers_are_integers_and_floats_stay_floats() {
        let p = document::<Probe>(br#"{"n": 4.0, "x": 2, "list": [1e1, 2.0]}"#).unwrap();
        assert_eq!((p.n, p.x, p.list), (4, 2.0, vec![10, 2]));
        assert_eq!(field_of(r#"{"n": 4.5}"#), (422, Some("n".into())));
        assert_eq!(
            field_of(r#"{"n": 1, "list": [18446744073709551615]}"#),
            (422, Some("list[0]".into()))
        );
    }

    #[test]
    fn control_characters_are_refused_with_their_field() {
        assert_eq!(
            field_of("{\"n\": 1, \"s\": \"a\\u0000b\"}"),
            (422, Some("s".into()))
        );
        assert_eq!(
            field_of("{\"n\": 1, \"s\": \"\\u009b\"}"),
            (422, Some("s".into()))
        );
        let ok = document::<Probe>(b"{\"n\": 1, \"s\": \"line\\none\\ttab\\r\"}").unwrap();
        assert_eq!(ok.s, "line\none\ttab\r");
    }

    #[test]
    fn the_one_rule_for_bad_bodies() {
        let e = document::<Probe>(b"{not json").unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (400, "bad_request"));
        for body in ["[]", "3", "null", r#"{"n": 1, "extra": 2}"#, r#"{"n": 11}"#] {
            let e = document::<Probe>(body.as_bytes()).unwrap_err();
            assert_eq!((e.status.as_u16(), e.code), (422, "invalid"), "{body}");
            assert!(e.field.is_some(), "{body}");
        }
    }

    #[test]
    fn items_are_screened_under_their_path() {
        let v: Value = serde_json::from_str("{\"n\": 1, \"s\": \"\\u0001\"}").unwrap();
        let e = item::<Probe>(v, "mutations[3]").unwrap_err();
        assert_eq!(e.field, "mutations[3].s");
        let v: Value = serde_json::from_str(r#"{"n": 12}"#).unwrap();
        assert_eq!(
            item::<Probe>(v, "mutations[0]").unwrap_err().field,
            "mutations[0].n"
        );
        let clean = defang(&serde_json::json!({"a\u{0}": ["x\u{1}y"]}));
        assert_eq!(percent_decoded("/a%00b%2").as_deref(), Some("/a\u{0}b%2"));
        assert_eq!(percent_decoded("caf%C3%A9").as_deref(), Some("café"));
        assert_eq!(percent_decoded("%FF"), None);
        assert!(is_clean("T-1%20x") && !is_clean("T%0A") && !is_clean("%C3"));
        assert_eq!(clean, serde_json::json!({"a\u{FFFD}": ["x\u{FFFD}y"]}));
    }
}
