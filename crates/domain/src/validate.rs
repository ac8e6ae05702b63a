//! Parsing untrusted JSON into domain types while collecting every violation, each with the path
//! of the field it concerns (`details.tcv.before.visits`, `places[2]`).
//!
//! A parser walks the input with a [`Checker`]. Every field helper either returns a valid value or
//! records a violation and returns nothing (or a placeholder the caller never sees), so one pass
//! finds every problem. [`Checker::finish`] turns the result into `Ok` only when nothing was
//! recorded.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::text::{self, TextError};
use crate::vocab::VocabError;

/// One thing wrong with an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Violation {
    /// Where: `title`, `details.tcv.before.visits`, `places[2]`.
    pub field: String,
    /// The same place as a JSON Pointer (RFC 6901): `/details/tcv/before/visits`.
    pub pointer: String,
    /// What, for programs: `required`, `too_long`, `unknown_code`, `invalid_type`, ….
    pub code: &'static str,
    /// What, for people.
    pub message: String,
}

/// Everything wrong with an input; never empty when returned as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Violations(pub Vec<Violation>);

impl Violations {
    pub fn one(path: &Path, code: &'static str, message: impl Into<String>) -> Self {
        let mut c = Checker::new();
        c.report(path, code, message);
        Violations(c.violations)
    }
    pub fn fields(&self) -> Vec<&str> {
        self.0.iter().map(|v| v.field.as_str()).collect()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", v.field, v.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}

/// A field's location, kept both as a dotted path and as a JSON Pointer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path {
    dotted: String,
    pointer: String,
}

impl Path {
    pub fn root() -> Self {
        Self::default()
    }
    pub fn key(&self, key: &str) -> Path {
        let dotted = if self.dotted.is_empty() { key.to_string() } else { format!("{}.{key}", self.dotted) };
        let pointer = format!("{}/{}", self.pointer, key.replace('~', "~0").replace('/', "~1"));
        Path { dotted, pointer }
    }
    pub fn index(&self, i: usize) -> Path {
        Path { dotted: format!("{}[{i}]", self.dotted), pointer: format!("{}/{i}", self.pointer) }
    }
    pub fn as_str(&self) -> &str {
        &self.dotted
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.dotted.is_empty() { "(body)" } else { &self.dotted })
    }
}

/// Collects violations while a parser walks its input.
#[derive(Debug, Default)]
pub struct Checker {
    violations: Vec<Violation>,
}

/// A JSON object being read: remembers which keys were used so that unknown ones can be
/// reported.
pub struct Obj<'a> {
    map: Option<&'a Map<String, Value>>,
    pub path: Path,
    used: Vec<&'a str>,
}

impl<'a> Obj<'a> {
    /// The value of a key, or `None` when it is missing or `null`.
    pub fn get(&mut self, key: &'a str) -> Option<&'a Value> {
        self.used.push(key);
        self.map.and_then(|m| m.get(key)).filter(|v| !v.is_null())
    }
    /// Marks a key as known without reading it.
    pub fn ignore(&mut self, key: &'a str) {
        self.used.push(key);
    }
    /// The value of a key without marking it read.
    pub fn peek(&self, key: &str) -> Option<&'a Value> {
        self.map.and_then(|m| m.get(key)).filter(|v| !v.is_null())
    }
    pub fn has(&self, key: &str) -> bool {
        self.map.is_some_and(|m| m.get(key).is_some_and(|v| !v.is_null()))
    }
    pub fn path(&self, key: &str) -> Path {
        self.path.key(key)
    }
    /// The keys that are present and were not read, in input order.
    fn unknown(&self) -> Vec<&'a str> {
        match self.map {
            Some(m) => m.keys().map(String::as_str).filter(|k| !self.used.contains(k)).collect(),
            None => Vec::new(),
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn report(&mut self, path: &Path, code: &'static str, message: impl Into<String>) {
        self.violations.push(Violation {
            field: path.dotted.clone(),
            pointer: path.pointer.clone(),
            code,
            message: message.into(),
        });
    }

    pub fn has_violations(&self) -> bool {
        !self.violations.is_empty()
    }

    /// `Ok(value)` when nothing was reported.
    pub fn finish<T>(self, value: T) -> Result<T, Violations> {
        if self.violations.is_empty() { Ok(value) } else { Err(Violations(self.violations)) }
    }

    /// Adds violations found elsewhere (by a nested parser).
    pub fn extend(&mut self, other: Violations) {
        self.violations.extend(other.0);
    }

    pub fn invalid_type(&mut self, path: &Path, expected: &str, got: &Value) {
        self.report(path, "invalid_type", format!("must be {expected}, not {}", type_name(got)));
    }

    /// Starts reading an object; reports if `v` is not one.
    pub fn object<'a>(&mut self, path: Path, v: &'a Value) -> Obj<'a> {
        let map = match v {
            Value::Object(m) => Some(m),
            other => {
                self.invalid_type(&path, "an object", other);
                None
            }
        };
        Obj { map, path, used: Vec::new() }
    }

    /// Ends reading an object, reporting every key that was not expected.
    pub fn done(&mut self, obj: Obj<'_>) {
        for key in obj.unknown() {
            self.report(&obj.path(key), "unknown_field", "is not a field here");
        }
    }

    /// Reports a field that must not be given.
    pub fn forbid(&mut self, obj: &mut Obj<'_>, key: &'static str, why: &str) {
        if obj.get(key).is_some() {
            self.report(&obj.path(key), "read_only", why.to_string());
        }
    }

    fn string<'v>(&mut self, path: &Path, v: &'v Value) -> Option<&'v str> {
        match v {
            Value::String(s) => Some(s),
            other => {
                self.invalid_type(path, "a string", other);
                None
            }
        }
    }

    fn tidy(&mut self, path: &Path, raw: &str, multiline: bool, max: usize) -> Option<String> {
        let tidied = if multiline { text::block(raw) } else { text::line(raw) };
        match tidied {
            Err(TextError::ControlCharacter) => {
                self.report(path, "control_character", "contains a control character");
                None
            }
            Ok(s) if text::chars(&s) > max => {
                self.report(path, "too_long", format!("is {} characters long; the limit is {max}", text::chars(&s)));
                None
            }
            Ok(s) => Some(s),
        }
    }

    /// A one-line text, `None` when absent or blank.
    pub fn line(&mut self, obj: &mut Obj<'_>, key: &'static str, max: usize) -> Option<String> {
        let v = obj.get(key)?;
        let path = obj.path(key);
        self.line_value(&path, v, max)
    }

    pub fn line_value(&mut self, path: &Path, v: &Value, max: usize) -> Option<String> {
        let s = self.string(path, v)?;
        self.tidy(path, s, false, max).filter(|s| !s.is_empty())
    }

    /// A one-line text that must be present and not blank.
    pub fn required_line(&mut self, obj: &mut Obj<'_>, key: &'static str, max: usize) -> String {
        let present = obj.has(key);
        match self.line(obj, key, max) {
            Some(s) => s,
            None => {
                if !present || !self.reported_at(&obj.path(key)) {
                    self.report(&obj.path(key), "required", "is required");
                }
                String::new()
            }
        }
    }

    fn reported_at(&self, path: &Path) -> bool {
        self.violations.iter().any(|v| v.field == path.dotted)
    }

    /// A string exactly as given (a password, a token): no tidying, only a type and length check.
    /// Reported as required when absent.
    pub fn raw(&mut self, obj: &mut Obj<'_>, key: &'static str, max: usize) -> String {
        let path = obj.path(key);
        let Some(v) = obj.get(key) else {
            self.report(&path, "required", "is required");
            return String::new();
        };
        match self.string(&path, v) {
            Some(s) if s.chars().count() > max => {
                self.report(&path, "too_long", format!("is longer than {max} characters"));
                String::new()
            }
            Some("") => {
                self.report(&path, "required", "is required");
                String::new()
            }
            Some(s) => s.to_string(),
            None => String::new(),
        }
    }

    /// A value parsed from a string, reported as required when absent.
    pub fn required<T>(
        &mut self,
        obj: &mut Obj<'_>,
        key: &'static str,
        parse: impl FnOnce(&str) -> Result<T, VocabError>,
    ) -> Option<T> {
        let present = obj.has(key);
        let value = self.parsed(obj, key, parse);
        if value.is_none() && !present {
            self.report(&obj.path(key), "required", "is required");
        }
        value
    }

    /// A multi-line text, `None` when absent or blank.
    pub fn block(&mut self, obj: &mut Obj<'_>, key: &'static str, max: usize) -> Option<String> {
        let v = obj.get(key)?;
        let path = obj.path(key);
        let s = self.string(&path, v)?;
        self.tidy(&path, s, true, max).filter(|s| !s.is_empty())
    }

    pub fn bool(&mut self, obj: &mut Obj<'_>, key: &'static str) -> Option<bool> {
        match obj.get(key)? {
            Value::Bool(b) => Some(*b),
            other => {
                self.invalid_type(&obj.path(key), "true or false", other);
                None
            }
        }
    }

    /// A finite number in `min..=max`.
    pub fn number(&mut self, obj: &mut Obj<'_>, key: &'static str, min: f64, max: f64) -> Option<f64> {
        let v = obj.get(key)?;
        let path = obj.path(key);
        let Some(n) = v.as_f64() else {
            self.invalid_type(&path, "a number", v);
            return None;
        };
        if !(min..=max).contains(&n) {
            self.report(&path, "out_of_range", format!("must be between {min} and {max}"));
            return None;
        }
        Some(n)
    }

    /// A whole number in `min..=max`.
    pub fn integer(&mut self, obj: &mut Obj<'_>, key: &'static str, min: i64, max: i64) -> Option<i64> {
        let v = obj.get(key)?;
        let path = obj.path(key);
        self.integer_value(&path, v, min, max)
    }

    pub fn integer_value(&mut self, path: &Path, v: &Value, min: i64, max: i64) -> Option<i64> {
        let n = match v {
            Value::Number(n) => {
                n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9e15).map(|f| f as i64))
            }
            _ => None,
        };
        let Some(n) = n else {
            self.invalid_type(path, "a whole number", v);
            return None;
        };
        if !(min..=max).contains(&n) {
            self.report(path, "out_of_range", format!("must be between {min} and {max}"));
            return None;
        }
        Some(n)
    }

    /// A value parsed from a string by `parse`, such as a vocabulary code.
    pub fn parsed<T>(
        &mut self,
        obj: &mut Obj<'_>,
        key: &'static str,
        parse: impl FnOnce(&str) -> Result<T, VocabError>,
    ) -> Option<T> {
        let v = obj.get(key)?;
        let path = obj.path(key);
        self.parsed_value(&path, v, parse)
    }

    pub fn parsed_value<T>(
        &mut self,
        path: &Path,
        v: &Value,
        parse: impl FnOnce(&str) -> Result<T, VocabError>,
    ) -> Option<T> {
        let s = self.string(path, v)?;
        match parse(s) {
            Ok(t) => Some(t),
            Err(e) => {
                self.report(path, "invalid_value", e.message);
                None
            }
        }
    }

    /// A list of at most `max` items, each read by `item`; items that fail are left out after
    /// being reported.
    pub fn list<T>(
        &mut self,
        obj: &mut Obj<'_>,
        key: &'static str,
        max: usize,
        mut item: impl FnMut(&mut Checker, &Path, &Value) -> Option<T>,
    ) -> Vec<T> {
        let Some(v) = obj.get(key) else { return Vec::new() };
        let path = obj.path(key);
        let Value::Array(items) = v else {
            self.invalid_type(&path, "a list", v);
            return Vec::new();
        };
        if items.len() > max {
            self.report(&path, "too_many", format!("has {} items; the limit is {max}", items.len()));
            return Vec::new();
        }
        items.iter().enumerate().filter_map(|(i, v)| item(self, &path.index(i), v)).collect()
    }

    /// A list of codes, sorted and without repeats.
    pub fn codes<T: Ord>(
        &mut self,
        obj: &mut Obj<'_>,
        key: &'static str,
        max: usize,
        parse: impl Fn(&str) -> Result<T, VocabError>,
    ) -> Vec<T> {
        let mut list = self.list(obj, key, max, |c, path, v| c.parsed_value(path, v, &parse));
        list.sort();
        list.dedup();
        list
    }

    /// A nested object read by `read`; `None` when absent.
    pub fn nested<T>(
        &mut self,
        obj: &mut Obj<'_>,
        key: &'static str,
        read: impl FnOnce(&mut Checker, &mut Obj<'_>) -> T,
    ) -> Option<T> {
        let v = obj.get(key)?;
        let mut inner = self.object(obj.path(key), v);
        let value = read(self, &mut inner);
        self.done(inner);
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let input = json!({
            "title": "",
            "count": "three",
            "nested": {"visits": -1, "extra": true},
            "tags": ["ok", 5],
            "surprise": 1
        });
        let mut c = Checker::new();
        let mut o = c.object(Path::root(), &input);
        c.required_line(&mut o, "title", 10);
        c.integer(&mut o, "count", 0, 10);
        c.nested(&mut o, "nested", |c, o| c.integer(o, "visits", 0, 100));
        c.list(&mut o, "tags", 5, |c, p, v| c.line_value(p, v, 10));
        c.done(o);
        let err = c.finish(()).unwrap_err();
        assert_eq!(err.fields(), ["title", "count", "nested.visits", "nested.extra", "tags[1]", "surprise"]);
        assert_eq!(err.0[2].pointer, "/nested/visits");
        assert_eq!(err.0[0].code, "required");
        assert_eq!(err.0[3].code, "unknown_field");
    }

    #[test]
    fn limits_are_counted_in_characters() {
        let input = json!({"t": "ক".repeat(10), "u": "ক".repeat(11)});
        let mut c = Checker::new();
        let mut o = c.object(Path::root(), &input);
        assert!(c.line(&mut o, "t", 10).is_some());
        assert!(c.line(&mut o, "u", 10).is_none());
        let err = c.finish(()).unwrap_err();
        assert_eq!(err.0[0].code, "too_long");
    }

    #[test]
    fn a_non_object_body_is_one_violation() {
        let mut c = Checker::new();
        let body = json!([1, 2]);
        let o = c.object(Path::root(), &body);
        c.done(o);
        let err = c.finish(()).unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!(err.0[0].code, "invalid_type");
    }
}
