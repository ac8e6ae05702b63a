//! The SQL both backends share, written once.
//!
//! A backend implements the small [`Backend`] and [`Tx`] traits: run a statement with
//! positional parameters (`$1`, `$2`, … — both SQLite and PostgreSQL accept them) and hand back
//! rows of [`SqlValue`]s. [`SqlStore`] builds the whole [`Store`](crate::Store) on top. Where the
//! dialects differ, the backend says how in its [`Dialect`].
//!
//! Values are bound in their natural types (UUID, timestamp, JSON, boolean). PostgreSQL stores
//! them as `uuid`, `timestamptz`, `jsonb` and `boolean`; SQLite as text and integers, which the
//! [`Row`] getters read back into the same Rust types.

mod accounts;
mod builder;
mod community;
mod conversations;
mod dump;
mod impact;
mod mail;
mod organisations;
mod peers;
mod pilots;
mod records;
mod store_impl;
mod tokens;
mod write;

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use uuid::Uuid;

use crate::error::{Result, StoreError};

pub use builder::Sql;

/// The type of a value, which a `NULL` parameter must carry: PostgreSQL will not put an
/// untyped text `NULL` into a `uuid` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    Bool,
    Int,
    Float,
    Text,
    Uuid,
    Time,
    Json,
}

/// A parameter or column value.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null(SqlType),
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Uuid(Uuid),
    Time(DateTime<Utc>),
    Json(serde_json::Value),
}

impl From<&str> for SqlValue {
    fn from(s: &str) -> Self {
        SqlValue::Text(s.to_string())
    }
}
impl From<String> for SqlValue {
    fn from(s: String) -> Self {
        SqlValue::Text(s)
    }
}
impl From<i64> for SqlValue {
    fn from(n: i64) -> Self {
        SqlValue::Int(n)
    }
}
impl From<bool> for SqlValue {
    fn from(b: bool) -> Self {
        SqlValue::Bool(b)
    }
}
impl From<Uuid> for SqlValue {
    fn from(u: Uuid) -> Self {
        SqlValue::Uuid(u)
    }
}
impl From<DateTime<Utc>> for SqlValue {
    fn from(t: DateTime<Utc>) -> Self {
        SqlValue::Time(t)
    }
}
impl From<serde_json::Value> for SqlValue {
    fn from(v: serde_json::Value) -> Self {
        SqlValue::Json(v)
    }
}
/// Rust types with a SQL type, so that `None` binds as a typed `NULL`.
pub trait HasSqlType: Into<SqlValue> {
    const SQL_TYPE: SqlType;
}
impl HasSqlType for &str {
    const SQL_TYPE: SqlType = SqlType::Text;
}
impl HasSqlType for String {
    const SQL_TYPE: SqlType = SqlType::Text;
}
impl HasSqlType for i64 {
    const SQL_TYPE: SqlType = SqlType::Int;
}
impl HasSqlType for bool {
    const SQL_TYPE: SqlType = SqlType::Bool;
}
impl HasSqlType for Uuid {
    const SQL_TYPE: SqlType = SqlType::Uuid;
}
impl HasSqlType for DateTime<Utc> {
    const SQL_TYPE: SqlType = SqlType::Time;
}
impl HasSqlType for serde_json::Value {
    const SQL_TYPE: SqlType = SqlType::Json;
}
impl<T: HasSqlType> From<Option<T>> for SqlValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(SqlValue::Null(T::SQL_TYPE), Into::into)
    }
}

/// One result row. The getters accept a value in the type PostgreSQL returns it in, or in the
/// text or integer form SQLite keeps it in.
#[derive(Debug, Clone)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<SqlValue>,
}

impl Row {
    pub fn new(columns: Arc<[String]>, values: Vec<SqlValue>) -> Row {
        Row { columns, values }
    }

    fn value(&self, column: &str) -> Result<&SqlValue> {
        self.columns
            .iter()
            .position(|c| c == column)
            .map(|i| &self.values[i])
            .ok_or_else(|| StoreError::Database(format!("no column {column} in result")))
    }

    fn wrong(column: &str, want: &str, got: &SqlValue) -> StoreError {
        StoreError::Corrupt(format!("column {column}: expected {want}, found {got:?}"))
    }

    /// The values, in the order of the query's columns.
    pub fn into_values(self) -> Vec<SqlValue> {
        self.values
    }

    pub fn is_null(&self, column: &str) -> Result<bool> {
        Ok(matches!(self.value(column)?, SqlValue::Null(_)))
    }

    pub fn text(&self, column: &str) -> Result<String> {
        match self.value(column)? {
            SqlValue::Text(s) => Ok(s.clone()),
            SqlValue::Uuid(u) => Ok(u.to_string()),
            other => Err(Self::wrong(column, "text", other)),
        }
    }

    pub fn opt_text(&self, column: &str) -> Result<Option<String>> {
        if self.is_null(column)? { Ok(None) } else { self.text(column).map(Some) }
    }

    pub fn int(&self, column: &str) -> Result<i64> {
        match self.value(column)? {
            SqlValue::Int(n) => Ok(*n),
            other => Err(Self::wrong(column, "an integer", other)),
        }
    }

    pub fn opt_int(&self, column: &str) -> Result<Option<i64>> {
        if self.is_null(column)? { Ok(None) } else { self.int(column).map(Some) }
    }

    pub fn bool(&self, column: &str) -> Result<bool> {
        match self.value(column)? {
            SqlValue::Bool(b) => Ok(*b),
            SqlValue::Int(n) => Ok(*n != 0),
            other => Err(Self::wrong(column, "a boolean", other)),
        }
    }

    pub fn uuid(&self, column: &str) -> Result<Uuid> {
        match self.value(column)? {
            SqlValue::Uuid(u) => Ok(*u),
            SqlValue::Text(s) => Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("column {column}: {e}"))),
            other => Err(Self::wrong(column, "a UUID", other)),
        }
    }

    pub fn time(&self, column: &str) -> Result<DateTime<Utc>> {
        match self.value(column)? {
            SqlValue::Time(t) => Ok(*t),
            SqlValue::Text(s) => DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| StoreError::Corrupt(format!("column {column}: {e}"))),
            other => Err(Self::wrong(column, "a timestamp", other)),
        }
    }

    pub fn opt_time(&self, column: &str) -> Result<Option<DateTime<Utc>>> {
        if self.is_null(column)? { Ok(None) } else { self.time(column).map(Some) }
    }

    pub fn json(&self, column: &str) -> Result<serde_json::Value> {
        match self.value(column)? {
            SqlValue::Json(v) => Ok(v.clone()),
            SqlValue::Text(s) => {
                serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("column {column}: {e}")))
            }
            other => Err(Self::wrong(column, "JSON", other)),
        }
    }

    /// A JSON column decoded into a type: from the text (SQLite) or the parsed value
    /// (PostgreSQL) at once, not by parsing the text into a value and decoding a copy of that
    /// (matching reads up to 160 records for a challenge).
    pub fn decode<T: serde::de::DeserializeOwned>(&self, column: &str) -> Result<T> {
        let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("column {column}: {e}"));
        match self.value(column)? {
            SqlValue::Json(v) => T::deserialize(v).map_err(corrupt),
            SqlValue::Text(s) => serde_json::from_str(s).map_err(corrupt),
            other => Err(Self::wrong(column, "JSON", other)),
        }
    }
}

/// What differs between the SQL dialects, beyond the migrations.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    /// Run in a write transaction just before it takes the next change-log sequence number, so
    /// that numbers are taken and committed in the same order. `None` where writes are
    /// serialised anyway (SQLite).
    pub lock_change_log: Option<&'static str>,
    /// Put after a text column to compare it bytewise, as SQLite always does (PostgreSQL
    /// compares by the database's collation otherwise).
    pub bytewise: &'static str,
    /// Run after rows were loaded with their own ids, so that numbers taken afterwards come
    /// after them (PostgreSQL's sequences). `None` where inserting does that already (SQLite).
    pub after_load: Option<&'static str>,
    /// Folds `record_counts` into one row per combination, where writers add a row for each
    /// change (so that they never wait for one another on a shared row). `None` where they
    /// change the combination's one row, being serialised anyway (SQLite).
    pub fold_counts: Option<&'static str>,
}

/// How many rows of `record_counts` a count reads before they are folded.
pub(crate) const FOLD_COUNTS_AT: i64 = 256;

/// A database connection pool.
pub trait Backend: Send + Sync + 'static {
    type Tx: Tx;

    /// `sqlite` or `postgres`.
    const NAME: &'static str;
    const DIALECT: Dialect;

    /// Starts a write transaction.
    fn begin(&self) -> impl Future<Output = Result<Self::Tx>> + Send;

    /// Starts a read-only transaction that sees the database as of one moment, however long
    /// it lasts, and keeps no writer waiting. Dropped, it ends.
    fn begin_snapshot(&self) -> impl Future<Output = Result<Self::Tx>> + Send;

    /// Runs a read-only query outside any transaction.
    fn fetch(&self, sql: &str, params: Vec<SqlValue>) -> impl Future<Output = Result<Vec<Row>>> + Send;

    /// The newest migration applied.
    fn schema_version(&self) -> impl Future<Output = Result<i64>> + Send;
}

/// A write transaction. Dropped without `commit`, it rolls back.
pub trait Tx: Send {
    fn execute(&mut self, sql: &str, params: Vec<SqlValue>) -> impl Future<Output = Result<u64>> + Send;
    fn fetch(&mut self, sql: &str, params: Vec<SqlValue>) -> impl Future<Output = Result<Vec<Row>>> + Send;
    fn commit(self) -> impl Future<Output = Result<()>> + Send;
}

/// The [`Store`](crate::Store) over any [`Backend`].
pub struct SqlStore<B: Backend> {
    backend: B,
    /// Whether `record_counts` is being folded (see [`Dialect::fold_counts`]).
    folding: std::sync::atomic::AtomicBool,
}

impl<B: Backend> SqlStore<B> {
    pub fn new(backend: B) -> Self {
        SqlStore { backend, folding: std::sync::atomic::AtomicBool::new(false) }
    }
    pub fn backend_ref(&self) -> &B {
        &self.backend
    }
}

/// The current time at the precision both databases keep (microseconds), so that what is
/// written is exactly what is read back.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// The text form of timestamps in SQLite: fixed width, so that text order is time order.
pub fn time_text(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn rows_read_both_backends_representations() {
        let cols: Arc<[String]> = vec!["id".to_string(), "at".into(), "flag".into(), "doc".into()].into();
        let u = Uuid::now_v7();
        let t = now();
        let pg = Row::new(
            cols.clone(),
            vec![
                SqlValue::Uuid(u),
                SqlValue::Time(t),
                SqlValue::Bool(true),
                SqlValue::Json(serde_json::json!({"a": 1})),
            ],
        );
        let lite = Row::new(
            cols,
            vec![
                SqlValue::Text(u.to_string()),
                SqlValue::Text(time_text(&t)),
                SqlValue::Int(1),
                SqlValue::Text("{\"a\":1}".into()),
            ],
        );
        for row in [pg, lite] {
            assert_eq!(row.uuid("id").unwrap(), u);
            assert_eq!(row.time("at").unwrap(), t);
            assert!(row.bool("flag").unwrap());
            assert_eq!(row.json("doc").unwrap()["a"], 1);
            assert_eq!(row.decode::<BTreeMap<String, u8>>("doc").unwrap(), BTreeMap::from([("a".to_string(), 1)]));
            assert!(row.text("missing").is_err());
        }
    }

    #[test]
    fn a_json_column_that_does_not_decode_names_the_column() {
        let cols: Arc<[String]> = vec!["data".to_string()].into();
        for value in [SqlValue::Json(serde_json::json!({"a": -1})), SqlValue::Text("{\"a\":-1}".into())] {
            let row = Row::new(cols.clone(), vec![value]);
            let err = row.decode::<BTreeMap<String, u8>>("data").unwrap_err().to_string();
            assert!(err.contains("column data"), "{err}");
        }
        let row = Row::new(cols, vec![SqlValue::Int(1)]);
        assert!(row.decode::<BTreeMap<String, u8>>("data").is_err());
    }

    #[test]
    fn time_text_sorts_like_time() {
        let a = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.000001Z").unwrap().with_timezone(&Utc);
        let b = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.1Z").unwrap().with_timezone(&Utc);
        assert!(time_text(&a) < time_text(&b));
        assert_eq!(time_text(&b), "2026-01-02T03:04:05.100000Z");
    }
}
