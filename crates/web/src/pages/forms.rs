//! HTML forms as JSON. Form fields are named by the JSON path they fill (`details.tcv.before.visits`),
//! so a form becomes the same JSON the API takes, is checked by the same parser, and every
//! violation comes back to the field it names.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use banyan_domain::Violations;

/// The submitted fields, in order, with repeats (checkboxes).
#[derive(Debug, Clone, Default)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> FormData {
        FormData(url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    /// The first value of a field, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    /// A multi-line text, tidied as records keep text, if present and within `max` characters.
    pub fn block(&self, name: &str, max: usize) -> Option<String> {
        self.get(name)
            .and_then(|t| banyan_domain::text::block(t).ok())
            .filter(|t| !t.is_empty() && t.chars().count() <= max)
    }

    /// A field as given (passwords are not trimmed).
    pub fn raw(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every non-blank value of a field.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect()
    }

    /// The values to show again in the form after an error: nothing typed is lost (passwords
    /// excepted).
    pub fn echo(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (k, v) in &self.0 {
            if k.contains("password") || k == "csrf" {
                continue;
            }
            out.entry(k.clone()).or_insert_with(|| v.clone());
        }
        out
    }

    /// The checked values of repeated fields, for checkboxes.
    pub fn checked(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in &self.0 {
            out.entry(k.clone()).or_default().push(v.clone());
        }
        out
    }
}

/// How a field's text becomes JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Text,
    /// A list, one item per line.
    Lines,
    /// A list, items separated by commas.
    Csv,
    /// A list from repeated fields (checkboxes).
    Multi,
    /// A number (whole or not); text that is not a number is passed on, to be reported.
    Number,
}

/// Sets `value` at a dotted path, making objects on the way.
pub fn set_path(target: &mut Value, path: &str, value: Value) {
    let mut cur = target;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let map = cur.as_object_mut().expect("made an object");
        if i == parts.len() - 1 {
            map.insert(part.to_string(), value);
            return;
        }
        cur = map.entry(part.to_string()).or_insert_with(|| Value::Object(Map::new()));
    }
}

fn remove_path(target: &mut Value, path: &str) {
    let (parent, last) = match path.rsplit_once('.') {
        Some((p, l)) => (target.pointer_mut(&format!("/{}", p.replace('.', "/"))), l),
        None => (Some(target), path),
    };
    if let Some(Value::Object(map)) = parent {
        map.remove(last);
    }
}

fn get_path<'a>(source: &'a Value, path: &str) -> Option<&'a Value> {
    source.pointer(&format!("/{}", path.replace('.', "/")))
}

/// Drops objects left empty below `details` (a TCV block nobody filled in).
fn prune(v: &mut Value) {
    if let Value::Object(map) = v {
        for child in map.values_mut() {
            prune(child);
        }
        map.retain(|_, child| !matches!(child, Value::Object(m) if m.is_empty()));
    }
}

fn value_of(form: &FormData, name: &str, kind: Field) -> Option<Value> {
    let list = |items: Vec<&str>| -> Option<Value> {
        (!items.is_empty()).then(|| Value::Array(items.into_iter().map(|s| Value::String(s.to_string())).collect()))
    };
    match kind {
        Field::Text => form.get(name).map(|s| Value::String(s.to_string())),
        Field::Multi => list(form.all(name)),
        Field::Lines => list(
            form.get(name).map(|s| s.lines().map(str::trim).filter(|l| !l.is_empty()).collect()).unwrap_or_default(),
        ),
        Field::Csv => list(
            form.get(name)
                .map(|s| s.split([',', ';', '\n']).map(str::trim).filter(|l| !l.is_empty()).collect())
                .unwrap_or_default(),
        ),
        Field::Number => form.get(name).map(|s| {
            let s = s.replace(',', "");
            s.parse::<i64>().map(Value::from).or_else(|_| s.parse::<f64>().map(Value::from)).unwrap_or(Value::String(s))
        }),
    }
}

/// Writes the form's fields onto `base` (a record's JSON, or an empty object): each field in
/// `fields` is replaced by what was submitted, or removed when left blank.
pub fn apply(base: &mut Value, form: &FormData, fields: &[(&str, Field)]) {
    for (name, kind) in fields {
        remove_path(base, name);
        if let Some(v) = value_of(form, name, *kind) {
            set_path(base, name, v);
        }
    }
    if let Some(details) = base.get_mut("details") {
        prune(details);
    }
}

/// The form's values from a record's JSON, to fill an edit form.
pub fn fill(source: &Value, fields: &[(&str, Field)]) -> (BTreeMap<String, String>, BTreeMap<String, Vec<String>>) {
    let mut form = BTreeMap::new();
    let mut checked = BTreeMap::new();
    for (name, kind) in fields {
        let Some(v) = get_path(source, name).filter(|v| !v.is_null()) else { continue };
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match (kind, v) {
            (Field::Multi, Value::Array(items)) => {
                checked.insert(name.to_string(), items.iter().map(text).collect());
            }
            (Field::Lines, Value::Array(items)) => {
                let lines: Vec<String> = items.iter().map(|i| i.get("url").map_or_else(|| text(i), text)).collect();
                form.insert(name.to_string(), lines.join("\n"));
            }
            (_, Value::Array(items)) => {
                form.insert(name.to_string(), items.iter().map(text).collect::<Vec<_>>().join(", "));
            }
            (_, other) => {
                form.insert(name.to_string(), text(other));
            }
        }
    }
    (form, checked)
}

/// Violations by the form field they concern (`sdgs[2]` → `sdgs`), the first message each.
/// The first problem of each field, for showing next to it. English keeps the validator's exact
/// words; other languages get their translation of the kind of problem (`verr-<code>`) when
/// the locale files have one, and the English words otherwise.
pub fn errors(v: &Violations, locale: &crate::i18n::Locale) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for violation in &v.0 {
        let field = violation.field.split('[').next().unwrap_or_default().to_string();
        let field = if field.is_empty() { "form".to_string() } else { field };
        let generic = format!("verr-{}", violation.code.replace('_', "-"));
        let message =
            if locale.code != "en" && locale.has(&generic) { locale.t(&generic) } else { violation.message.clone() };
        out.entry(field).or_insert(message);
    }
    out
}

/// The messages of a refused form by field (the API's field paths renamed to the form's by
/// `field`), `{"form": …}` for a version conflict, or the error itself when it is not about
/// what was typed.
pub fn refused(
    ctx: &super::PageCtx,
    e: crate::problem::ApiError,
    field: impl Fn(&str) -> String,
    conflict: &str,
) -> Result<serde_json::Value, crate::problem::ApiError> {
    use crate::problem::ApiError;
    match e {
        ApiError::Invalid(v) => {
            let v = Violations(
                v.0.into_iter()
                    .map(|mut x| {
                        x.field = field(&x.field);
                        x
                    })
                    .collect(),
            );
            Ok(serde_json::json!(errors(&v, ctx.locale)))
        }
        ApiError::Conflict { .. } => Ok(serde_json::json!({"form": ctx.t(conflict)})),
        other => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FIELDS: &[(&str, Field)] = &[
        ("title", Field::Text),
        ("sdgs", Field::Csv),
        ("innovation_types", Field::Multi),
        ("details.links", Field::Lines),
        ("details.tcv.before.visits", Field::Number),
        ("details.tcv.after.visits", Field::Number),
    ];

    #[test]
    fn forms_become_the_json_the_api_takes() {
        let form = FormData::parse(
            b"title=+Land+records+&sdgs=16%2C+16.6&innovation_types=process&innovation_types=technology&details.links=https%3A%2F%2Fa.org%0D%0A%0D%0Ahttps%3A%2F%2Fb.org&details.tcv.before.visits=5&details.tcv.after.visits=one",
        );
        let mut v = json!({});
        apply(&mut v, &form, FIELDS);
        assert_eq!(
            v,
            json!({"title": "Land records", "sdgs": ["16", "16.6"], "innovation_types": ["process", "technology"],
                   "details": {"links": ["https://a.org", "https://b.org"], "tcv": {"before": {"visits": 5}, "after": {"visits": "one"}}}})
        );
        let (filled, checked) = fill(&v, FIELDS);
        assert_eq!(filled["sdgs"], "16, 16.6");
        assert_eq!(filled["details.links"], "https://a.org\nhttps://b.org");
        assert_eq!(checked["innovation_types"], ["process", "technology"]);
    }

    #[test]
    fn blank_fields_clear_what_was_there() {
        let mut v = json!({"title": "Old", "themes": ["kept"], "details": {"tcv": {"before": {"visits": 5}, "after": {"visits": 1}}}});
        apply(&mut v, &FormData::parse(b"title=New&details.tcv.before.visits=&details.tcv.after.visits="), FIELDS);
        assert_eq!(v, json!({"title": "New", "themes": ["kept"], "details": {}}));
    }

    #[test]
    fn what_was_typed_comes_back_except_passwords() {
        let form = FormData::parse(b"email=a%40b.org&password=secret&csrf=x");
        let echo = form.echo();
        assert_eq!(echo.get("email").map(String::as_str), Some("a@b.org"));
        assert!(!echo.contains_key("password") && !echo.contains_key("csrf"));
        assert_eq!(form.raw("password"), "secret");
    }
}
