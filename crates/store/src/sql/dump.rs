//! Native dumps: every row of every table out of one snapshot, and into an empty database in
//! one transaction (see [`crate::dump`]).

use std::collections::BTreeMap;

use super::{Backend, SqlStore, SqlValue, Tx};
use crate::dump::{DumpRow, TABLES, Table, canonical};
use crate::error::{Result, StoreError};

/// Rows read per query while dumping.
const PAGE: usize = 500;

impl<B: Backend> SqlStore<B> {
    /// Hands every row of every table to `sink`, in [`TABLES`]' order and each table's key
    /// order, all as of one moment while writers go on.
    pub(crate) async fn dump_rows(
        &self,
        sink: &mut (dyn FnMut(DumpRow) -> Result<()> + Send),
    ) -> Result<BTreeMap<&'static str, u64>> {
        let mut tx = self.backend.begin_snapshot().await?;
        let mut counts = BTreeMap::new();
        for table in TABLES {
            let columns = table.columns.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ");
            let key = key_expression(table, B::DIALECT.bytewise);
            let first = format!("SELECT {columns} FROM {} ORDER BY {key} LIMIT {PAGE}", table.name);
            let params = (1..=table.key.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
            let next =
                format!("SELECT {columns} FROM {} WHERE ({key}) > ({params}) ORDER BY {key} LIMIT {PAGE}", table.name);
            let key_positions =
                table.key.iter().map(|k| table.position(k).expect("a key is a column")).collect::<Vec<_>>();
            let mut after: Option<Vec<SqlValue>> = None;
            let mut n = 0;
            loop {
                let rows = match after.take() {
                    None => tx.fetch(&first, vec![]).await?,
                    Some(last) => tx.fetch(&next, last).await?,
                };
                let full = rows.len() == PAGE;
                for row in rows {
                    let raw = row.into_values();
                    // The key as the database gave it, to compare as the database does.
                    after = Some(key_positions.iter().map(|&i| raw[i].clone()).collect());
                    let values =
                        raw.into_iter().enumerate().map(|(i, v)| canonical(table, i, v)).collect::<Result<Vec<_>>>()?;
                    sink(DumpRow { table, values, line: 0 })?;
                    n += 1;
                }
                if !full {
                    break;
                }
            }
            counts.insert(table.name, n);
        }
        Ok(counts)
    }

    /// Writes `rows` into this database, which must be empty, in one transaction: all of them,
    /// or (on any error, or when `commit` is false) none.
    pub(crate) async fn load_rows(
        &self,
        rows: &mut (dyn Iterator<Item = Result<DumpRow>> + Send),
        commit: bool,
    ) -> Result<BTreeMap<&'static str, u64>> {
        let mut tx = self.backend.begin().await?;
        for table in TABLES {
            let any = tx.fetch(&format!("SELECT 1 AS one FROM {} LIMIT 1", table.name), vec![]).await?;
            if !any.is_empty() {
                return Err(StoreError::Refused(format!(
                    "this node is not empty (its {} table has rows): load a dump into a new node",
                    table.name
                )));
            }
        }
        let mut counts = BTreeMap::new();
        let mut at = 0;
        let mut batch: Vec<DumpRow> = Vec::new();
        for row in rows {
            let row = row?;
            let index = TABLES.iter().position(|t| std::ptr::eq(t, row.table)).expect("a table of TABLES");
            if index < at {
                return Err(refused(
                    &row,
                    format!("comes after {} rows: a dump lists its tables in order", TABLES[at].name),
                ));
            }
            if row.values.len() != row.table.columns.len() {
                let e = format!("{} values for {} columns", row.values.len(), row.table.columns.len());
                return Err(refused(&row, e));
            }
            if index != at || batch.len() == batch_size(row.table) {
                insert(&mut tx, std::mem::take(&mut batch)).await?;
            }
            at = index;
            *counts.entry(row.table.name).or_insert(0) += 1;
            batch.push(row);
        }
        insert(&mut tx, batch).await?;
        if let Some(sql) = B::DIALECT.after_load {
            tx.execute(sql, vec![]).await?;
        }
        if commit {
            tx.commit().await?;
        }
        Ok(counts)
    }
}

/// A row the database or the format refused, by its line.
fn refused(row: &DumpRow, why: String) -> StoreError {
    StoreError::Refused(format!("line {}, {}: {why}", row.line, row.table.name))
}

/// Rows of a table inserted by one statement: a round trip per row made loading 100,000
/// records into PostgreSQL take minutes. Both databases take well over 30,000 parameters.
fn batch_size(table: &Table) -> usize {
    (30_000 / table.columns.len()).min(500)
}

/// Inserts rows of one table with one statement. When the database refuses it, the rows go in
/// one by one, back from a savepoint, to name the line it refused.
async fn insert<T: Tx>(tx: &mut T, rows: Vec<DumpRow>) -> Result<()> {
    let Some(first) = rows.first() else { return Ok(()) };
    let table = first.table;
    let n = table.columns.len();
    let columns = table.columns.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ");
    let values = |count: usize| {
        (0..count)
            .map(|r| format!("({})", (1..=n).map(|c| format!("${}", r * n + c)).collect::<Vec<_>>().join(", ")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let all = format!("INSERT INTO {} ({columns}) VALUES {}", table.name, values(rows.len()));
    tx.execute("SAVEPOINT load_batch", vec![]).await?;
    match tx.execute(&all, rows.iter().flat_map(|r| r.values.iter().cloned()).collect()).await {
        Ok(_) => return tx.execute("RELEASE SAVEPOINT load_batch", vec![]).await.map(|_| ()),
        Err(e @ StoreError::Unavailable(_)) => return Err(e),
        Err(_) => tx.execute("ROLLBACK TO SAVEPOINT load_batch", vec![]).await?,
    };
    let one = format!("INSERT INTO {} ({columns}) VALUES {}", table.name, values(1));
    for row in rows {
        match tx.execute(&one, row.values.clone()).await {
            Ok(_) => {}
            Err(e @ StoreError::Unavailable(_)) => return Err(e),
            Err(StoreError::Duplicate(what)) => {
                return Err(refused(&row, format!("a second row with the same {what}")));
            }
            Err(e) => return Err(refused(&row, e.to_string())),
        }
    }
    Ok(())
}

/// The table's key for `ORDER BY` and comparisons, text compared bytewise.
fn key_expression(table: &Table, bytewise: &str) -> String {
    table
        .key
        .iter()
        .map(|k| {
            let text = table.columns.iter().any(|(c, ty)| c == k && *ty == super::SqlType::Text);
            if text { format!("{k}{bytewise}") } else { (*k).to_string() }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
