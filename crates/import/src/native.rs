//! The native dump on disk (`banyan export native`, `banyan import native`): a node whole, to
//! move it between SQLite and PostgreSQL or to another machine.
//!
//! It is JSON Lines. The first line says what it is:
//!
//! ```json
//! {"banyan_dump":1,"schema":7,"backend":"sqlite","made_at":"2026-12-07T03:04:05.123456Z"}
//! ```
//!
//! Then one line per row, tables in [`TABLES`]' order, each row an object of every column:
//!
//! ```json
//! {"table":"users","row":{"id":"0193…","email":"…",…}}
//! ```
//!
//! The last line counts the rows of each table, so that a file cut short is refused:
//!
//! ```json
//! {"end":{"organisations":12,"users":3,…}}
//! ```
//!
//! The file holds everything the node holds: drafts, people's names and e-mail addresses, and
//! the hashes of passwords, sessions and tokens. Keep it as carefully as the database.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use anyhow::{Context, bail};
use serde_json::{Map, Value, json};

use banyan_store::dump::{DumpRow, TABLES, Table, from_json, to_json};
use banyan_store::{Store, StoreError};

/// The version of the format this build writes and reads.
pub const FORMAT: u64 = 1;

/// Rows of each table.
pub type Counts = BTreeMap<String, u64>;

/// Writes the whole of `store` to `out`, as of one moment while the node goes on working.
pub async fn export(store: &dyn Store, out: &mut (dyn Write + Send)) -> anyhow::Result<Counts> {
    let header = json!({
        "banyan_dump": FORMAT,
        "schema": store.schema_version().await?,
        "backend": store.backend(),
        "made_at": banyan_store::sql::time_text(&chrono::Utc::now()),
    });
    writeln!(out, "{header}").context("writing the dump")?;
    let mut failed: Option<std::io::Error> = None;
    let result = store
        .dump(&mut |row: DumpRow| {
            let mut object = Map::new();
            for ((column, _), value) in row.table.columns.iter().zip(&row.values) {
                object.insert((*column).to_string(), to_json(value));
            }
            let line = json!({"table": row.table.name, "row": object});
            writeln!(out, "{line}").map_err(|e| {
                failed = Some(e);
                StoreError::Refused("the dump could not be written".into())
            })
        })
        .await;
    if let Some(e) = failed {
        return Err(e).context("writing the dump");
    }
    let counts: Counts = result?.into_iter().map(|(t, n)| (t.to_string(), n)).collect();
    writeln!(out, "{}", json!({ "end": counts })).context("writing the dump")?;
    out.flush().context("writing the dump")?;
    Ok(counts)
}

/// What the first line of a dump says.
#[derive(Debug, Clone)]
pub struct Header {
    pub schema: i64,
    pub backend: String,
    pub made_at: String,
}

/// Loads the dump `input` into `store`, which must be empty: every row, or nothing. With
/// `dry_run`, everything is checked, the database's own checks included, and nothing is kept.
pub async fn import(
    store: &dyn Store,
    mut input: impl BufRead + Send,
    dry_run: bool,
) -> anyhow::Result<(Header, Counts)> {
    let mut first = String::new();
    input.read_line(&mut first).context("reading the dump")?;
    let header = header(&first)?;
    let schema = store.schema_version().await?;
    if header.schema != schema {
        bail!(
            "the dump was made at schema version {}, and this node is at version {schema}: load it with a \
             Banyan of the same version as the one that made it, then upgrade",
            header.schema
        );
    }
    let mut rows = Rows { input, line: 1, counts: BTreeMap::new(), ended: false };
    let counts = store.load(&mut rows, !dry_run).await?;
    Ok((header, counts.into_iter().map(|(t, n)| (t.to_string(), n)).collect()))
}

fn header(line: &str) -> anyhow::Result<Header> {
    let v: Value = serde_json::from_str(line).map_err(|_| anyhow::anyhow!("line 1: this is not a Banyan dump"))?;
    match v["banyan_dump"].as_u64() {
        None => bail!("line 1: this is not a Banyan dump (it has no \"banyan_dump\")"),
        Some(FORMAT) => {}
        Some(n) => bail!("line 1: the dump is in format {n}; this build reads format {FORMAT}"),
    }
    let Some(schema) = v["schema"].as_i64() else { bail!("line 1: \"schema\" must be a number") };
    Ok(Header {
        schema,
        backend: v["backend"].as_str().unwrap_or_default().to_string(),
        made_at: v["made_at"].as_str().unwrap_or_default().to_string(),
    })
}

/// The rows of a dump after its first line, checked line by line; the last line's counts are
/// checked against the rows read.
struct Rows<R> {
    input: R,
    line: u64,
    counts: BTreeMap<&'static str, u64>,
    ended: bool,
}

impl<R: BufRead> Rows<R> {
    fn refuse(&self, why: impl std::fmt::Display) -> StoreError {
        StoreError::Refused(format!("line {}: {why}", self.line))
    }

    fn next_row(&mut self) -> Result<Option<DumpRow>, StoreError> {
        loop {
            let mut text = String::new();
            let read =
                self.input.read_line(&mut text).map_err(|e| StoreError::Refused(format!("reading the dump: {e}")))?;
            if read == 0 {
                if !self.ended {
                    return Err(StoreError::Refused(format!(
                        "the dump ends at line {} without its last line, which counts the rows: it was cut short",
                        self.line
                    )));
                }
                return Ok(None);
            }
            self.line += 1;
            if text.trim().is_empty() {
                continue;
            }
            if self.ended {
                return Err(self.refuse("there is more after the dump's last line"));
            }
            let v: Value = serde_json::from_str(&text).map_err(|e| self.refuse(format!("not JSON: {e}")))?;
            if let Some(end) = v.get("end") {
                self.check_end(end)?;
                self.ended = true;
                continue;
            }
            return self.row(v).map(Some);
        }
    }

    fn check_end(&self, end: &Value) -> Result<(), StoreError> {
        let Some(end) = end.as_object() else { return Err(self.refuse("\"end\" must be an object")) };
        for table in TABLES {
            let said = end.get(table.name).and_then(Value::as_u64).unwrap_or(0);
            let read = self.counts.get(table.name).copied().unwrap_or(0);
            if said != read {
                return Err(self.refuse(format!("the dump says {} has {said} rows, but {read} were read", table.name)));
            }
        }
        Ok(())
    }

    fn row(&mut self, v: Value) -> Result<DumpRow, StoreError> {
        let Some(name) = v["table"].as_str() else { return Err(self.refuse("a row needs \"table\"")) };
        let Some(table) = Table::named(name) else {
            return Err(self.refuse(format!("there is no table {name:?} in this build's schema")));
        };
        let Some(object) = v["row"].as_object() else { return Err(self.refuse("a row needs \"row\", an object")) };
        if let Some(extra) = object.keys().find(|k| table.position(k).is_none()) {
            return Err(self.refuse(format!("{name} has no column {extra:?}")));
        }
        let mut values = Vec::with_capacity(table.columns.len());
        for (column, ty) in table.columns {
            let Some(value) = object.get(*column) else {
                return Err(self.refuse(format!("{name}.{column} is missing")));
            };
            values.push(from_json(*ty, value).map_err(|e| self.refuse(format!("{name}.{column}: {e}")))?);
        }
        *self.counts.entry(table.name).or_insert(0) += 1;
        Ok(DumpRow { table, values, line: self.line })
    }
}

impl<R: BufRead> Iterator for Rows<R> {
    type Item = Result<DumpRow, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_row().transpose()
    }
}
