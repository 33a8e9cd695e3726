//! The values that cross the store interface: parameters in, rows out, the same for both
//! engines. Handlers write one SQL text with numbered `?N` placeholders; PostgreSQL gets it with
//! `$N`.

use super::StoreError;

/// One SQL value, as both engines can store it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// NULL.
    Null,
    /// A 64-bit integer (also booleans, as 0 and 1).
    Int(i64),
    /// A double.
    Real(f64),
    /// UTF-8 text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

/// Something that can be bound to a placeholder.
pub trait Param {
    /// The value to bind.
    fn value(&self) -> Value;
}

impl<T: Param + ?Sized> Param for &T {
    fn value(&self) -> Value {
        (**self).value()
    }
}

impl Param for i64 {
    fn value(&self) -> Value {
        Value::Int(*self)
    }
}

impl Param for i32 {
    fn value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl Param for u32 {
    fn value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl Param for u8 {
    fn value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl Param for u64 {
    fn value(&self) -> Value {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl Param for usize {
    fn value(&self) -> Value {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl Param for f64 {
    fn value(&self) -> Value {
        Value::Real(*self)
    }
}

impl Param for bool {
    fn value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl Param for str {
    fn value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl Param for String {
    fn value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl Param for [u8] {
    fn value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}

impl Param for Vec<u8> {
    fn value(&self) -> Value {
        Value::Blob(self.clone())
    }
}

impl<T: Param> Param for Option<T> {
    fn value(&self) -> Value {
        match self {
            Some(v) => v.value(),
            None => Value::Null,
        }
    }
}

/// Builds a `&[&dyn Param]` from expressions, like rusqlite's `params!`.
#[macro_export]
macro_rules! params {
    () => { &[] as &[&dyn $crate::db::Param] };
    ($($p:expr),+ $(,)?) => { &[$(&$p as &dyn $crate::db::Param),+] as &[&dyn $crate::db::Param] };
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row {
    pub(crate) values: Vec<Value>,
}

impl Row {
    /// Column `i` as `T`.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, StoreError> {
        let v = self
            .values
            .get(i)
            .ok_or_else(|| StoreError::Query(format!("no column {i}")))?;
        T::from_value(v).ok_or_else(|| {
            StoreError::Query(format!(
                "column {i} holds {}, not {}",
                kind(v),
                std::any::type_name::<T>()
            ))
        })
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL",
        Value::Int(_) => "an integer",
        Value::Real(_) => "a real",
        Value::Text(_) => "text",
        Value::Blob(_) => "bytes",
    }
}

/// A Rust type a column can be read as.
pub trait FromValue: Sized {
    /// `None` when the value is of another type.
    fn from_value(v: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl FromValue for i32 {
    fn from_value(v: &Value) -> Option<Self> {
        i64::from_value(v).and_then(|i| i32::try_from(i).ok())
    }
}

impl FromValue for u32 {
    fn from_value(v: &Value) -> Option<Self> {
        i64::from_value(v).and_then(|i| u32::try_from(i).ok())
    }
}

impl FromValue for u8 {
    fn from_value(v: &Value) -> Option<Self> {
        i64::from_value(v).and_then(|i| u8::try_from(i).ok())
    }
}

impl FromValue for u64 {
    fn from_value(v: &Value) -> Option<Self> {
        i64::from_value(v).and_then(|i| u64::try_from(i).ok())
    }
}

impl FromValue for usize {
    fn from_value(v: &Value) -> Option<Self> {
        i64::from_value(v).and_then(|i| usize::try_from(i).ok())
    }
}

impl FromValue for bool {
    fn from_value(v: &Value) -> Option<Self> {
        i64::from_value(v).map(|i| i != 0)
    }
}

impl FromValue for f64 {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Real(f) => Some(*f),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
}

impl FromValue for String {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Blob(b) => Some(b.clone()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Null => Some(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// Rows sent back as JSON text by a statement that answers several parts in one row (a JSON
/// array of rows, each an array of values): numbers that are integers as [`Value::Int`], other
/// numbers as [`Value::Real`], strings as [`Value::Text`], null as [`Value::Null`]; anything
/// else is kept as its JSON text.
pub(crate) fn rows_from_json(text: &str) -> Result<Vec<Row>, StoreError> {
    let rows: Vec<Vec<serde_json::Value>> =
        serde_json::from_str(text).map_err(StoreError::document)?;
    Ok(rows
        .into_iter()
        .map(|values| Row {
            values: values
                .into_iter()
                .map(|v| match v {
                    serde_json::Value::Null => Value::Null,
                    serde_json::Value::Bool(b) => Value::Int(i64::from(b)),
                    serde_json::Value::Number(n) => match n.as_i64() {
                        Some(i) => Value::Int(i),
                        None => Value::Real(n.as_f64().unwrap_or(f64::NAN)),
                    },
                    serde_json::Value::String(s) => Value::Text(s),
                    other => Value::Text(other.to_string()),
                })
                .collect(),
        })
        .collect())
}

/// `?N` (and bare `?`) placeholders as PostgreSQL's `$N`; text in quotes is left alone.
pub fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut quoted = false;
    let mut next_bare = 1;
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
            out.push(c);
            continue;
        }
        if c != '?' || quoted {
            out.push(c);
            continue;
        }
        out.push('$');
        let mut digits = String::new();
        while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
            digits.push(d);
            chars.next();
        }
        if digits.is_empty() {
            out.push_str(&next_bare.to_string());
            next_bare += 1;
        } else {
            out.push_str(&digits);
        }
    }
    out
}

/// A SQLite migration in PostgreSQL's dialect: `INTEGER PRIMARY KEY AUTOINCREMENT` becomes
/// `BIGSERIAL PRIMARY KEY`, the upper-case type words INTEGER, REAL and BLOB become BIGINT,
/// DOUBLE PRECISION and BYTEA, and `STRICT` goes. One schema text keeps the engines' schemas
/// column for column the same; a test compares them.
pub fn postgres_dialect(sqlite: &str) -> String {
    let s = sqlite
        .replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY")
        .replace(") STRICT;", ");");
    let mut out = String::with_capacity(s.len() + 32);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(match word.as_str() {
            "INTEGER" => "BIGINT",
            "REAL" => "DOUBLE PRECISION",
            "BLOB" => "BYTEA",
            w => w,
        });
        word.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_outside_quotes() {
        assert_eq!(
            dollar_placeholders("SELECT a FROM t WHERE b = ?1 AND c = '?' || ?12"),
            "SELECT a FROM t WHERE b = $1 AND c = '?' || $12"
        );
        assert_eq!(dollar_placeholders("VALUES (?, ?)"), "VALUES ($1, $2)");
    }

    #[test]
    fn the_postgres_schema_maps_types_and_leaves_names() {
        let pg = postgres_dialect(
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, real_value REAL NOT NULL,\n\
             n INTEGER, b BLOB) STRICT;",
        );
        assert_eq!(
            pg,
            "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, real_value DOUBLE PRECISION NOT NULL,\n\
             n BIGINT, b BYTEA);"
        );
    }

    #[test]
    fn rows_sent_as_json_read_as_the_columns_they_were() {
        let rows = rows_from_json(r#"[[1, "a", null, 2.5, "{\"x\":1}"]]"#).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].get::<i64>(0).unwrap(), 1);
        assert_eq!(rows[0].get::<String>(1).unwrap(), "a");
        assert_eq!(rows[0].get::<Option<i64>>(2).unwrap(), None);
        assert_eq!(rows[0].get::<f64>(3).unwrap(), 2.5);
        assert_eq!(rows[0].get::<String>(4).unwrap(), r#"{"x":1}"#);
        assert!(rows_from_json("[1]").is_err());
    }

    #[test]
    fn rows_read_as_the_asked_type_or_say_why_not() {
        let row = Row {
            values: vec![Value::Int(3), Value::Null, Value::Text("x".into())],
        };
        assert_eq!(row.get::<i64>(0).unwrap(), 3);
        assert!(row.get::<bool>(0).unwrap());
        assert_eq!(row.get::<Option<String>>(1).unwrap(), None);
        assert!(row.get::<i64>(2).is_err());
        assert!(row.get::<i64>(9).is_err());
    }
}
