//! What a native dump holds: every row of every table, in one format for both backends.
//!
//! A dump moves a node whole: from SQLite to PostgreSQL as it grows, or to a new machine. Its
//! rows are written in [`TABLES`]' order, parents before the rows that refer to them, and each
//! table's rows in the order of its primary key, compared bytewise, so that the same data
//! dumps to the same bytes from either backend.
//!
//! Values take one JSON form whatever the backend keeps: UUIDs and text as strings, timestamps
//! as fixed-width RFC 3339 in UTC with microseconds, JSON columns as JSON with their objects'
//! keys sorted, booleans as booleans, integers as numbers, and `null`.
//!
//! [`TABLES`] must list every table of the schema with every column, but those in [`DERIVED`].
//! A store test compares them with both backends' schemas, so a migration that adds a table or
//! a column fails until one of these lists says how to dump it, or that it is not dumped.

use serde_json::Value;

use crate::error::{Result, StoreError};
use crate::sql::{SqlType, SqlValue, time_text};

/// A table as a dump holds it.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    /// The primary key's columns: rows are dumped in this order.
    pub key: &'static [&'static str],
    /// Every column, in the schema's order, with the type its values take.
    pub columns: &'static [(&'static str, SqlType)],
}

impl Table {
    /// The table of this name.
    pub fn named(name: &str) -> Option<&'static Table> {
        TABLES.iter().find(|t| t.name == name)
    }

    /// Where a column is in [`Table::columns`].
    pub fn position(&self, column: &str) -> Option<usize> {
        self.columns.iter().position(|(c, _)| *c == column)
    }
}

/// One row of a dump: its table, and its values in the order of the table's columns.
#[derive(Debug, Clone)]
pub struct DumpRow {
    pub table: &'static Table,
    pub values: Vec<SqlValue>,
    /// Where it came from, for errors (a line of a file); 0 when unknown.
    pub line: u64,
}

use SqlType::{Bool, Int, Json, Text, Time, Uuid};

/// Tables the database keeps from others by itself, with triggers: not dumped, since loading
/// the tables they follow makes them again (`record_counts`, the live records of each kind,
/// status and visibility, from `records`).
pub static DERIVED: &[&str] = &["record_counts"];

/// Every table, parents first: loading rows in this order satisfies every foreign key.
pub static TABLES: &[Table] = &[
    Table {
        name: "organisations",
        key: &["id"],
        columns: &[
            ("id", Uuid),
            ("slug", Text),
            ("name", Text),
            ("name_key", Text),
            ("country", Text),
            ("org_type", Text),
            ("data", Json),
            ("version", Int),
            ("created_at", Time),
            ("updated_at", Time),
            ("deleted_at", Time),
        ],
    },
    Table {
        name: "users",
        key: &["id"],
        columns: &[
            ("id", Uuid),
            ("email", Text),
            ("name", Text),
            ("password_hash", Text),
            ("role", Text),
            ("email_verified_at", Time),
            ("blocked_at", Time),
            ("erased_at", Time),
            ("created_at", Time),
            ("updated_at", Time),
        ],
    },
    Table {
        name: "records",
        key: &["id"],
        columns: &[
            ("id", Uuid),
            ("kind", Text),
            ("slug", Text),
            ("uri", Text),
            ("origin", Text),
            ("status", Text),
            ("hidden", Bool),
            ("title", Text),
            ("lang", Text),
            ("organisation_id", Uuid),
            ("source_registry", Text),
            ("source_key", Text),
            ("data", Json),
            ("version", Int),
            ("created_at", Time),
            ("updated_at", Time),
            ("published_at", Time),
            ("deleted_at", Time),
            ("owner_id", Uuid),
            ("derived_from", Uuid),
            ("merged_into", Uuid),
            ("restricted", Bool),
        ],
    },
    Table {
        name: "record_terms",
        key: &["record_id", "vocabulary", "code"],
        columns: &[("record_id", Uuid), ("vocabulary", Text), ("code", Text)],
    },
    Table {
        name: "revisions",
        key: &["entity", "entity_id", "version"],
        columns: &[
            ("entity", Text),
            ("entity_id", Uuid),
            ("version", Int),
            ("actor", Text),
            ("op", Text),
            ("at", Time),
            ("data", Json),
        ],
    },
    Table {
        name: "audit_log",
        key: &["id"],
        columns: &[
            ("id", Int),
            ("at", Time),
            ("actor", Text),
            ("role", Text),
            ("action", Text),
            ("entity_id", Text),
            ("version", Int),
            ("detail", Json),
        ],
    },
    Table {
        name: "change_log",
        key: &["seq"],
        columns: &[("seq", Int), ("entity", Text), ("entity_id", Uuid), ("op", Text), ("version", Int), ("at", Time)],
    },
    Table {
        name: "api_tokens",
        key: &["id"],
        columns: &[
            ("id", Uuid),
            ("name", Text),
            ("role", Text),
            ("secret_hash", Text),
            ("created_at", Time),
            ("created_by", Text),
            ("last_used_at", Time),
            ("revoked_at", Time),
            ("expires_at", Time),
            ("user_id", Uuid),
            ("scopes", Text),
        ],
    },
    Table {
        name: "sessions",
        key: &["id_hash"],
        columns: &[
            ("id_hash", Text),
            ("user_id", Uuid),
            ("kind", Text),
            ("csrf", Text),
            ("created_at", Time),
            ("last_seen_at", Time),
            ("expires_at", Time),
        ],
    },
    Table {
        name: "one_time_tokens",
        key: &["hash"],
        columns: &[
            ("hash", Text),
            ("purpose", Text),
            ("user_id", Uuid),
            ("email", Text),
            ("data", Json),
            ("created_at", Time),
            ("expires_at", Time),
            ("used_at", Time),
        ],
    },
    Table {
        name: "outbox",
        key: &["id"],
        columns: &[
            ("id", Uuid),
            ("to_email", Text),
            ("user_id", Uuid),
            ("subject", Text),
            ("body", Text),
            ("created_at", Time),
            ("sent_at", Time),
            ("attempts", Int),
            ("last_error", Text),
            ("claimed_until", Time),
        ],
    },
    Table {
        name: "memberships",
        key: &["organisation_id", "user_id"],
        columns: &[("organisation_id", Uuid), ("user_id", Uuid), ("role", Text), ("created_at", Time)],
    },
    Table {
        name: "comments",
        key: &["id"],
        columns: &[
            ("id", Uuid),
            ("record_id", Uuid),
            ("author_id", Uuid),
            ("body", Text),
            ("created_at", Time),
            ("hidden_at", Time),
        ],
    },
    Table {
        name: "reports",
        key: &["id"],
        columns: &[
            ("id", Uuid),
            ("target_kind", Text),
            ("target_id", Text),
            ("reporter_id", Uuid),
            ("reason", Text),
            ("status", Text),
            ("created_at", Time),
            ("resolved_at", Time),
            ("resolved_by", Text),
            ("resolution", Text),
        ],
    },
    Table {
        name: "interests",
        key: &["challenge_id", "offer_id", "side"],
        columns: &[("challenge_id", Uuid), ("offer_id", Uuid), ("side", Text), ("user_id", Uuid), ("created_at", Time)],
    },
    Table {
        name: "conversations",
        key: &["id"],
        columns: &[
            ("id", Uuid),
            ("challenge_id", Uuid),
            ("offer_id", Uuid),
            ("status", Text),
            ("declined_by", Text),
            ("decline_reason", Text),
            ("created_at", Time),
            ("updated_at", Time),
        ],
    },
    Table {
        name: "conversation_curators",
        key: &["conversation_id", "user_id"],
        columns: &[("conversation_id", Uuid), ("user_id", Uuid), ("invited_at", Time)],
    },
    Table {
        name: "messages",
        key: &["id"],
        columns: &[
            ("id", Uuid),
            ("conversation_id", Uuid),
            ("author_id", Uuid),
            ("side", Text),
            ("body", Text),
            ("created_at", Time),
        ],
    },
    Table {
        name: "conversation_reads",
        key: &["conversation_id", "user_id"],
        columns: &[("conversation_id", Uuid), ("user_id", Uuid), ("read_at", Time)],
    },
    Table {
        name: "pilots",
        key: &["id"],
        columns: &[
            ("id", Uuid),
            ("conversation_id", Uuid),
            ("challenge_id", Uuid),
            ("offer_id", Uuid),
            ("status", Text),
            ("proposed_by", Text),
            ("plan", Json),
            ("evaluation", Json),
            ("award", Json),
            ("practice_id", Uuid),
            ("version", Int),
            ("created_at", Time),
            ("updated_at", Time),
        ],
    },
    Table {
        name: "pilot_events",
        key: &["pilot_id", "seq"],
        columns: &[
            ("pilot_id", Uuid),
            ("seq", Int),
            ("action", Text),
            ("from_status", Text),
            ("side", Text),
            ("actor_id", Uuid),
            ("note", Text),
            ("at", Time),
        ],
    },
    Table {
        name: "procurement_checklists",
        key: &["country"],
        columns: &[("country", Text), ("data", Json), ("version", Int), ("updated_by", Uuid), ("updated_at", Time)],
    },
    Table {
        name: "adoptions",
        key: &["id"],
        columns: &[
            ("id", Uuid),
            ("practice_id", Uuid),
            ("organisation_id", Uuid),
            ("place", Text),
            ("status", Text),
            ("adopted_on", Text),
            ("derived_record_id", Uuid),
            ("data", Json),
            ("version", Int),
            ("created_at", Time),
            ("updated_at", Time),
        ],
    },
    Table {
        name: "services",
        key: &["id"],
        columns: &[
            ("id", Uuid),
            ("practice_id", Uuid),
            ("adoption_id", Uuid),
            ("place", Text),
            ("data", Json),
            ("version", Int),
            ("created_at", Time),
            ("updated_at", Time),
        ],
    },
    Table {
        name: "exchange_rates",
        key: &["id"],
        columns: &[("id", Int), ("data", Json), ("version", Int), ("updated_at", Time)],
    },
    Table {
        name: "peers",
        key: &["id"],
        columns: &[
            ("id", Uuid),
            ("base_url", Text),
            ("added_at", Time),
            ("harvested_until", Time),
            ("last_attempt_at", Time),
            ("last_report", Json),
        ],
    },
];

/// A value as read from either backend, in the one form a dump holds: SQLite's text UUIDs,
/// timestamps and JSON, and its 0/1 booleans, become typed values.
pub fn canonical(table: &Table, column: usize, value: SqlValue) -> Result<SqlValue> {
    let (name, ty) = table.columns[column];
    let corrupt = |what: String| StoreError::Corrupt(format!("{}.{name}: {what}", table.name));
    Ok(match (ty, value) {
        (_, SqlValue::Null(_)) => SqlValue::Null(ty),
        (SqlType::Uuid, SqlValue::Text(s)) => SqlValue::Uuid(s.parse().map_err(|e| corrupt(format!("{s:?}: {e}")))?),
        (SqlType::Time, SqlValue::Text(s)) => SqlValue::Time(
            chrono::DateTime::parse_from_rfc3339(&s).map_err(|e| corrupt(format!("{s:?}: {e}")))?.to_utc(),
        ),
        (SqlType::Json, SqlValue::Text(s)) => {
            let mut v: Value = serde_json::from_str(&s).map_err(|e| corrupt(format!("not JSON: {e}")))?;
            v.sort_all_objects();
            SqlValue::Json(v)
        }
        // PostgreSQL's jsonb orders keys its own way, and SQLite keeps them as written: a dump
        // sorts them, so that both dump the same bytes.
        (SqlType::Json, SqlValue::Json(mut v)) => {
            v.sort_all_objects();
            SqlValue::Json(v)
        }
        (SqlType::Bool, SqlValue::Int(n)) => SqlValue::Bool(n != 0),
        (SqlType::Float, SqlValue::Int(n)) => SqlValue::Float(n as f64),
        (ty, value) if type_of(&value) == Some(ty) => value,
        (ty, value) => return Err(corrupt(format!("expected {ty:?}, found {value:?}"))),
    })
}

fn type_of(value: &SqlValue) -> Option<SqlType> {
    Some(match value {
        SqlValue::Null(_) => return None,
        SqlValue::Bool(_) => SqlType::Bool,
        SqlValue::Int(_) => SqlType::Int,
        SqlValue::Float(_) => SqlType::Float,
        SqlValue::Text(_) => SqlType::Text,
        SqlValue::Uuid(_) => SqlType::Uuid,
        SqlValue::Time(_) => SqlType::Time,
        SqlValue::Json(_) => SqlType::Json,
    })
}

/// A canonical value's JSON form.
pub fn to_json(value: &SqlValue) -> Value {
    match value {
        SqlValue::Null(_) => Value::Null,
        SqlValue::Bool(b) => Value::Bool(*b),
        SqlValue::Int(n) => Value::from(*n),
        SqlValue::Float(f) => Value::from(*f),
        SqlValue::Text(s) => Value::String(s.clone()),
        SqlValue::Uuid(u) => Value::String(u.hyphenated().to_string()),
        SqlValue::Time(t) => Value::String(time_text(t)),
        SqlValue::Json(v) => v.clone(),
    }
}

/// Reads a value of type `ty` from its JSON form; the error says what was wrong with it.
pub fn from_json(ty: SqlType, value: &Value) -> Result<SqlValue, String> {
    Ok(match (ty, value) {
        (SqlType::Json, v) => SqlValue::Json(v.clone()),
        (ty, Value::Null) => SqlValue::Null(ty),
        (SqlType::Bool, Value::Bool(b)) => SqlValue::Bool(*b),
        (SqlType::Int, Value::Number(n)) => SqlValue::Int(n.as_i64().ok_or(format!("{n} is not a whole number"))?),
        (SqlType::Float, Value::Number(n)) => SqlValue::Float(n.as_f64().ok_or(format!("{n} is not a number"))?),
        (SqlType::Text, Value::String(s)) => SqlValue::Text(s.clone()),
        (SqlType::Uuid, Value::String(s)) => SqlValue::Uuid(s.parse().map_err(|_| format!("{s:?} is not a UUID"))?),
        (SqlType::Time, Value::String(s)) => SqlValue::Time(
            chrono::DateTime::parse_from_rfc3339(s).map_err(|_| format!("{s:?} is not an RFC 3339 time"))?.to_utc(),
        ),
        (ty, v) => {
            let want = match ty {
                SqlType::Bool => "true or false",
                SqlType::Int => "a whole number",
                SqlType::Float => "a number",
                SqlType::Text => "text",
                SqlType::Uuid => "a UUID",
                SqlType::Time => "a time",
                SqlType::Json => unreachable!("any JSON is JSON"),
            };
            return Err(format!("expected {want}, found {v}"));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_comes_after_the_tables_it_refers_to() {
        // The foreign keys of the schema, as (table, column, parent): a dump loads in order.
        let refs = [
            ("records", "organisation_id", "organisations"),
            ("records", "owner_id", "users"),
            ("record_terms", "record_id", "records"),
            ("api_tokens", "user_id", "users"),
            ("sessions", "user_id", "users"),
            ("one_time_tokens", "user_id", "users"),
            ("outbox", "user_id", "users"),
            ("memberships", "organisation_id", "organisations"),
            ("comments", "record_id", "records"),
            ("reports", "reporter_id", "users"),
            ("interests", "offer_id", "records"),
            ("conversation_curators", "conversation_id", "conversations"),
            ("messages", "conversation_id", "conversations"),
            ("conversation_reads", "user_id", "users"),
            ("pilots", "conversation_id", "conversations"),
            ("pilot_events", "pilot_id", "pilots"),
            ("procurement_checklists", "updated_by", "users"),
            ("adoptions", "organisation_id", "organisations"),
            ("services", "adoption_id", "adoptions"),
        ];
        let at = |name: &str| TABLES.iter().position(|t| t.name == name).unwrap();
        for (table, column, parent) in refs {
            assert!(Table::named(table).unwrap().position(column).is_some(), "{table}.{column}");
            assert!(at(parent) < at(table), "{parent} before {table}");
        }
        for t in TABLES {
            for k in t.key {
                assert!(t.position(k).is_some(), "{}: key column {k}", t.name);
            }
        }
    }

    #[test]
    fn values_read_back_as_themselves_and_bad_ones_name_what_is_wrong() {
        let t = Table::named("records").unwrap();
        let u = uuid::Uuid::now_v7();
        let time = chrono::DateTime::parse_from_rfc3339("2026-12-07T03:04:05.123456Z").unwrap().to_utc();
        // SQLite's forms become the typed ones.
        let id = canonical(t, 0, SqlValue::Text(u.to_string())).unwrap();
        assert_eq!(id, SqlValue::Uuid(u));
        assert_eq!(canonical(t, 6, SqlValue::Int(1)).unwrap(), SqlValue::Bool(true));
        assert_eq!(canonical(t, 14, SqlValue::Text(time_text(&time))).unwrap(), SqlValue::Time(time));
        assert_eq!(
            canonical(t, 12, SqlValue::Text("{\"a\":[1]}".into())).unwrap(),
            SqlValue::Json(serde_json::json!({"a": [1]}))
        );
        assert_eq!(canonical(t, 15, SqlValue::Null(SqlType::Text)).unwrap(), SqlValue::Null(SqlType::Time));
        assert!(canonical(t, 0, SqlValue::Text("nope".into())).unwrap_err().to_string().contains("records.id"));
        for (ty, v) in [
            (SqlType::Uuid, SqlValue::Uuid(u)),
            (SqlType::Time, SqlValue::Time(time)),
            (SqlType::Json, SqlValue::Json(serde_json::json!({"x": null}))),
            (SqlType::Bool, SqlValue::Bool(false)),
            (SqlType::Int, SqlValue::Int(-7)),
            (SqlType::Text, SqlValue::Text("ক্ষ".into())),
            (SqlType::Time, SqlValue::Null(SqlType::Time)),
        ] {
            assert_eq!(from_json(ty, &to_json(&v)).unwrap(), v);
        }
        assert_eq!(to_json(&SqlValue::Time(time)), "2026-12-07T03:04:05.123456Z");
        assert!(from_json(SqlType::Uuid, &Value::from("x")).unwrap_err().contains("not a UUID"));
        assert!(from_json(SqlType::Int, &Value::from(1.5)).unwrap_err().contains("whole number"));
        assert!(from_json(SqlType::Bool, &Value::from("yes")).unwrap_err().contains("true or false"));
    }
}
