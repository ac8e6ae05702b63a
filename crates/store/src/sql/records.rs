//! Records: create, update, delete, read, list, revisions.

use std::collections::BTreeSet;

use serde_json::json;

use banyan_domain::validate::Path;
use banyan_domain::{Details, Kind, Record, RecordContent, RecordId, RecordInput, Slug, Status, Violations};

use super::write::WriteLog;
use super::{Backend, FOLD_COUNTS_AT, Row, Sql, SqlStore, SqlValue, Tx, now};
use crate::error::{Result, StoreError};
use crate::model::*;

/// How often a create is retried when another writer took the same slug at the same moment.
const SLUG_RETRIES: usize = 3;

/// Ids per `IN (…)` list, well under both backends' limits on parameters.
const ID_CHUNK: usize = 500;

/// The columns every record read selects.
const STATE_COLUMNS: &str = "r.data, r.deleted_at, r.version, r.merged_into";

pub(super) fn state_from_row(row: &Row) -> Result<RecordState> {
    let record: Record = row.decode("data")?;
    Ok(match row.opt_time("deleted_at")? {
        None => RecordState::Live(record),
        Some(deleted_at) => RecordState::Deleted(Tombstone {
            id: record.id,
            kind: record.kind(),
            uri: record.uri.clone(),
            version: row.int("version")?,
            deleted_at,
            was_public: record.is_public(),
            merged_into: if row.is_null("merged_into")? { None } else { Some(RecordId(row.uuid("merged_into")?)) },
            owner: record.owner,
        }),
    })
}

impl<B: Backend> SqlStore<B> {
    pub(super) async fn create_record_tx(&self, new: &NewRecord, actor: &Actor) -> Result<Record> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_create_record(new, actor).await {
                Err(StoreError::Duplicate(what)) if what.contains("slug") && attempt < SLUG_RETRIES => continue,
                Err(StoreError::Duplicate(what)) => return Err(duplicate_record(&what)),
                other => return other,
            }
        }
    }

    async fn try_create_record(&self, new: &NewRecord, actor: &Actor) -> Result<Record> {
        let mut tx = self.backend.begin().await?;
        let record = insert_record::<B>(&mut tx, new, actor).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Creates many records in one transaction: all of them, or none.
    pub(super) async fn create_records_tx(&self, batch: &[NewRecord], actor: &Actor) -> Result<Vec<RecordId>> {
        let mut tx = self.backend.begin().await?;
        let mut ids = Vec::with_capacity(batch.len());
        for new in batch {
            ids.push(
                insert_record::<B>(&mut tx, new, actor)
                    .await
                    .map_err(|e| match e {
                        StoreError::Duplicate(what) => duplicate_record(&what),
                        e => e,
                    })?
                    .id,
            );
        }
        tx.commit().await?;
        Ok(ids)
    }

    pub(super) async fn update_record_tx(
        &self,
        id: RecordId,
        expected_version: i64,
        input: &RecordInput,
        actor: &Actor,
    ) -> Result<Record> {
        let change = |current: &Record| {
            if input.content.details.kind() != current.kind() {
                return Err(StoreError::Invalid(Violations::one(
                    &Path::root().key("kind"),
                    "read_only",
                    "cannot be changed; a record keeps its kind",
                )));
            }
            Ok((input.content.clone(), input.slug.clone()))
        };
        self.replace(id, Some(expected_version), actor, change, |before, after| {
            ("record.update", json!({"changed": changed_fields(before, after)}))
        })
        .await
    }

    pub(super) async fn transition_tx(
        &self,
        id: RecordId,
        expected_version: i64,
        to: Status,
        comment: Option<&str>,
        actor: &Actor,
    ) -> Result<Record> {
        let change = |current: &Record| Ok((RecordContent { status: to, ..current.content.clone() }, None));
        self.replace(id, Some(expected_version), actor, change, |before, _| {
            ("record.transition", json!({"from": before.content.status, "to": to, "comment": comment}))
        })
        .await
    }

    pub(super) async fn set_hidden_tx(
        &self,
        id: RecordId,
        hidden: bool,
        reason: &str,
        actor: &Actor,
    ) -> Result<Record> {
        let change = |current: &Record| Ok((RecordContent { hidden, ..current.content.clone() }, None));
        let action = if hidden { "record.hide" } else { "record.restore" };
        self.replace(id, None, actor, change, |_, _| (action, json!({"reason": reason}))).await
    }

    /// Writes a new version of a live record: `change` makes its content (and perhaps a new slug)
    /// from the current one; `audit` names the action and its detail.
    async fn replace(
        &self,
        id: RecordId,
        expected_version: Option<i64>,
        actor: &Actor,
        change: impl FnOnce(&Record) -> Result<(RecordContent, Option<Slug>)>,
        audit: impl FnOnce(&Record, &Record) -> (&'static str, serde_json::Value),
    ) -> Result<Record> {
        let mut tx = self.backend.begin().await?;
        let current = live(&mut tx, id).await?;
        let expected = expected_version.unwrap_or(current.version);
        if current.version != expected {
            return Err(StoreError::Conflict { expected, current: current.version });
        }
        let (content, requested_slug) = change(&current)?;
        check_references(&mut tx, &content).await?;
        let slug = match requested_slug {
            Some(s) if s != current.slug => {
                choose_slug(&mut tx, Some(&s), &content.title, current.kind(), Some(id)).await?
            }
            _ => current.slug.clone(),
        };
        let at = now();
        let became_public = content.status == Status::Published && current.published_at.is_none();
        let record = Record {
            slug,
            version: current.version + 1,
            content,
            updated_at: at,
            published_at: if became_public { Some(at) } else { current.published_at },
            ..current.clone()
        };
        let data = record.to_json();
        let mut q = Sql::new("UPDATE records SET ");
        for (i, (name, value)) in row_columns(&record, &data).into_iter().enumerate() {
            q.push(if i == 0 { "" } else { ", " }).push(name).push(" = ").bind(value);
        }
        q.push(" WHERE id = ").bind(id.0).push(" AND version = ").bind(expected);
        let (sql, params) = q.finish();
        let written = tx.execute(&sql, params).await.map_err(|e| match e {
            StoreError::Duplicate(what) => duplicate_record(&what),
            other => other,
        })?;
        if written == 0 {
            // Another writer got there between our read and our write.
            return Err(StoreError::Conflict { expected, current: expected + 1 });
        }
        write_terms(&mut tx, &record).await?;
        let log =
            WriteLog { entity: Entity::Record, id: id.0, op: ChangeOp::Update, version: record.version, at, actor };
        log.revision(&mut tx, data).await?;
        let (action, detail) = audit(&current, &record);
        log.audit_as(&mut tx, action, detail).await?;
        log.change::<B>(&mut tx).await?;
        tx.commit().await?;
        Ok(record)
    }

    pub(super) async fn delete_record_tx(
        &self,
        id: RecordId,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<Tombstone> {
        self.tombstone(id, expected_version, None, actor).await
    }

    pub(super) async fn merge_record_tx(
        &self,
        duplicate: RecordId,
        survivor: RecordId,
        actor: &Actor,
    ) -> Result<Tombstone> {
        if duplicate == survivor {
            return Err(StoreError::Invalid(Violations::one(
                &Path::root().key("into"),
                "invalid_value",
                "a record cannot be merged into itself",
            )));
        }
        self.tombstone(duplicate, None, Some(survivor), actor).await
    }

    /// Deletes softly: the row stays as a tombstone (pointing to the survivor of a merge), and
    /// the change log says `delete`.
    async fn tombstone(
        &self,
        id: RecordId,
        expected_version: Option<i64>,
        merged_into: Option<RecordId>,
        actor: &Actor,
    ) -> Result<Tombstone> {
        let mut tx = self.backend.begin().await?;
        let current = live(&mut tx, id).await?;
        if let Some(expected) = expected_version
            && expected != current.version
        {
            return Err(StoreError::Conflict { expected, current: current.version });
        }
        if let Some(survivor) = merged_into {
            match live(&mut tx, survivor).await {
                Ok(_) => {}
                Err(StoreError::NotFound | StoreError::Gone) => {
                    return Err(StoreError::Invalid(Violations::one(
                        &Path::root().key("into"),
                        "not_found",
                        format!("no live record {survivor} to merge into"),
                    )));
                }
                Err(e) => return Err(e),
            }
        }
        let at = now();
        let version = current.version + 1;
        let mut q = Sql::new("UPDATE records SET deleted_at = ");
        q.bind(at).push(", version = ").bind(version).push(", updated_at = ").bind(at);
        q.push(", merged_into = ").bind(merged_into.map(|m| m.0));
        q.push(" WHERE id = ").bind(id.0).push(" AND version = ").bind(current.version);
        let (sql, params) = q.finish();
        if tx.execute(&sql, params).await? == 0 {
            return Err(StoreError::Conflict { expected: current.version, current: current.version + 1 });
        }
        // A deleted record matches no filter.
        tx.execute("DELETE FROM record_terms WHERE record_id = $1", vec![id.0.into()]).await?;
        let log = WriteLog { entity: Entity::Record, id: id.0, op: ChangeOp::Delete, version, at, actor };
        log.revision(&mut tx, current.to_json()).await?;
        match merged_into {
            Some(survivor) => log.audit_as(&mut tx, "record.merge", json!({"into": survivor})).await?,
            None => log.audit(&mut tx, json!({"title": current.content.title})).await?,
        }
        log.change::<B>(&mut tx).await?;
        tx.commit().await?;
        Ok(Tombstone {
            id,
            kind: current.kind(),
            uri: current.uri.clone(),
            version,
            deleted_at: at,
            was_public: current.is_public(),
            merged_into,
            owner: current.owner,
        })
    }

    pub(super) async fn record_state(&self, id: RecordId) -> Result<Option<RecordState>> {
        let rows = self
            .backend
            .fetch(&format!("SELECT {STATE_COLUMNS} FROM records r WHERE r.id = $1"), vec![id.0.into()])
            .await?;
        rows.first().map(state_from_row).transpose()
    }

    pub(super) async fn record_states(&self, ids: &[RecordId]) -> Result<Vec<RecordState>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(ID_CHUNK) {
            let mut q = Sql::new(&format!("SELECT {STATE_COLUMNS} FROM records r WHERE r.id IN ("));
            for (i, id) in chunk.iter().enumerate() {
                q.push(if i == 0 { "" } else { ", " }).bind(id.0);
            }
            q.push(")");
            let (sql, params) = q.finish();
            for row in self.backend.fetch(&sql, params).await? {
                out.push(state_from_row(&row)?);
            }
        }
        Ok(out)
    }

    pub(super) async fn scan_public_records(&self, after: Option<RecordId>, limit: u32) -> Result<Vec<Record>> {
        let mut q = Sql::new(&format!("SELECT {STATE_COLUMNS} FROM records r WHERE r.deleted_at IS NULL"));
        record_filter(&mut q, &RecordQuery::default());
        if let Some(after) = after {
            q.push(" AND r.id > ").bind(after.0);
        }
        q.push(" ORDER BY r.id LIMIT ").bind(i64::from(limit.clamp(1, 10_000)));
        let (sql, params) = q.finish();
        let mut out = Vec::new();
        for row in self.backend.fetch(&sql, params).await? {
            if let RecordState::Live(r) = state_from_row(&row)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// See [`ChangedQuery`]: records published at some time, of local origin.
    pub(super) async fn changed_records_query(&self, query: &ChangedQuery) -> Result<(Vec<Changed>, u64)> {
        let filter = |q: &mut Sql| {
            q.push(" WHERE r.published_at IS NOT NULL AND r.origin = 'local'");
            if let Some(id) = query.id {
                q.push(" AND r.id = ").bind(id.0);
            }
            if let Some(f) = query.from {
                q.push(" AND r.updated_at >= ").bind(f);
            }
            if let Some(u) = query.until {
                q.push(" AND r.updated_at < ").bind(u);
            }
            if let Some(k) = query.kind {
                q.push(" AND r.kind = ").bind(k.code().to_string());
            }
            // Terms are stored with their ancestors: `sdg` `3` is stored for target `3.8`.
            if let Some((vocabulary, code)) = &query.term {
                q.push(" AND EXISTS (SELECT 1 FROM record_terms t WHERE t.record_id = r.id AND t.vocabulary = ");
                q.bind(vocabulary.clone()).push(" AND t.code = ").bind(code.clone()).push(")");
            }
        };
        let mut count = Sql::new("SELECT COUNT(*) AS n FROM records r");
        filter(&mut count);
        let (sql, params) = count.finish();
        let total = self.backend.fetch(&sql, params).await?.first().map(|r| r.int("n")).transpose()?.unwrap_or(0);
        let mut q = Sql::new(&format!("SELECT {STATE_COLUMNS}, r.updated_at AS changed_at FROM records r"));
        filter(&mut q);
        if let Some((at, id)) = query.after {
            q.push(" AND (r.updated_at > ").bind(at).push(" OR (r.updated_at = ").bind(at);
            q.push(" AND r.id > ").bind(id.0).push("))");
        }
        q.push(" ORDER BY r.updated_at, r.id LIMIT ").bind(i64::from(query.limit.clamp(1, 1000)));
        let (sql, params) = q.finish();
        let rows = self.backend.fetch(&sql, params).await?;
        let items = rows
            .iter()
            .map(|row| Ok(Changed { state: state_from_row(row)?, changed_at: row.time("changed_at")? }))
            .collect::<Result<Vec<_>>>()?;
        Ok((items, u64::try_from(total).unwrap_or(0)))
    }

    pub(super) async fn earliest_change_query(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        let rows = self
            .backend
            .fetch(
                "SELECT MIN(updated_at) AS t FROM records WHERE published_at IS NOT NULL AND origin = 'local'",
                vec![],
            )
            .await?;
        rows.first().map(|r| r.opt_time("t")).transpose().map(Option::flatten)
    }

    pub(super) async fn record_state_by_uri(&self, uri: &str) -> Result<Option<RecordState>> {
        let rows = self
            .backend
            .fetch(&format!("SELECT {STATE_COLUMNS} FROM records r WHERE r.uri = $1"), vec![uri.into()])
            .await?;
        rows.first().map(state_from_row).transpose()
    }

    pub(super) async fn record_state_by_source(&self, registry: &str, key: &str) -> Result<Option<RecordState>> {
        let rows = self
            .backend
            .fetch(
                &format!("SELECT {STATE_COLUMNS} FROM records r WHERE r.source_registry = $1 AND r.source_key = $2"),
                vec![registry.into(), key.into()],
            )
            .await?;
        rows.first().map(state_from_row).transpose()
    }

    pub(super) async fn list_records_query(&self, query: &RecordQuery) -> Result<Page<Record>> {
        let limit = query.limit.clamp(1, 1000);
        // The total ignores the cursor; the page starts after it. Filtered by nothing but kind,
        // status and visibility, it is the sum of the database's own counts (migration 0008).
        let counted = counted(query);
        let (count_sql, count_params) = {
            let mut q = if counted {
                Sql::new(
                    "SELECT CAST(COALESCE(SUM(r.n), 0) AS BIGINT) AS n, COUNT(*) AS pieces FROM record_counts r WHERE 1 = 1",
                )
            } else {
                Sql::new("SELECT COUNT(*) AS n FROM records r WHERE r.deleted_at IS NULL")
            };
            record_filter(&mut q, query);
            q.finish()
        };
        // The page's ids first, from an index alone, then their rows. Asked for the rows at once,
        // PostgreSQL walked the primary key down from the newest record, reading each row until
        // enough passed the filter, whenever it guessed that cheaper than an index of the filter's
        // columns (it guesses the matching rows spread evenly by id): the public list of a kind
        // read all 11,092 newer rows of other kinds once the load test had added ideas. An index
        // that covers the filter is the cheapest way to the ids, and the rows are then 21 look-ups.
        let mut q = Sql::new(&format!(
            "SELECT {STATE_COLUMNS} FROM records r WHERE r.id IN (SELECT r.id FROM records r WHERE r.deleted_at IS NULL"
        ));
        record_filter(&mut q, query);
        if let Some(cursor) = &query.cursor {
            let after = cursor.decode(1).and_then(|p| uuid::Uuid::parse_str(&p[0]).ok()).ok_or_else(|| {
                StoreError::Invalid(Violations::one(
                    &Path::root().key("cursor"),
                    "invalid_value",
                    "is not a cursor from a previous page",
                ))
            })?;
            q.push(if query.oldest_first { " AND r.id > " } else { " AND r.id < " }).bind(after);
        }
        let order = if query.oldest_first { " ORDER BY r.id ASC" } else { " ORDER BY r.id DESC" };
        q.push(order).push(" LIMIT ").bind(i64::from(limit) + 1).push(")").push(order);
        let (sql, params) = q.finish();
        let total = self.backend.fetch(&count_sql, count_params).await?;
        if counted {
            let pieces = total.first().map(|r| r.int("pieces")).transpose()?.unwrap_or(0);
            self.fold_counts(pieces).await;
        }
        let total = total.first().map(|r| r.int("n")).transpose()?.unwrap_or(0) as u64;
        let rows = self.backend.fetch(&sql, params).await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            if let RecordState::Live(r) = state_from_row(row)? {
                items.push(r);
            }
        }
        let next_cursor = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|r| Cursor::encode(&[&r.id.to_string()]))
        } else {
            None
        };
        Ok(Page { items, total, next_cursor })
    }

    /// Folds the rows of `record_counts` into one per combination once a count has read more
    /// than [`FOLD_COUNTS_AT`] of them, where the backend's writers add rows rather than change
    /// them ([`Dialect::fold_counts`](super::Dialect::fold_counts)). One fold at a time in this
    /// process; one running elsewhere at once finds nothing left to fold. Housekeeping: a fold
    /// that fails is logged, and the next count tries again; the read goes on.
    async fn fold_counts(&self, pieces: i64) {
        let Some(fold) = B::DIALECT.fold_counts else { return };
        if pieces <= FOLD_COUNTS_AT || self.folding.swap(true, std::sync::atomic::Ordering::AcqRel) {
            return;
        }
        /// Lets the next fold start however this one ends, its caller gone away included.
        struct Folding<'a>(&'a std::sync::atomic::AtomicBool);
        impl Drop for Folding<'_> {
            fn drop(&mut self) {
                self.0.store(false, std::sync::atomic::Ordering::Release);
            }
        }
        let _folding = Folding(&self.folding);
        let folded = async {
            let mut tx = self.backend.begin().await?;
            tx.execute(fold, vec![]).await?;
            tx.commit().await
        }
        .await;
        if let Err(e) = folded {
            tracing::warn!(error = %e, pieces, "the kept counts of records could not be folded");
        }
    }

    pub(super) async fn record_revisions(&self, id: RecordId) -> Result<Vec<Revision>> {
        let rows = self
            .backend
            .fetch(
                "SELECT version, at, actor, op, data FROM revisions WHERE entity = 'record' AND entity_id = $1 ORDER BY version DESC",
                vec![id.0.into()],
            )
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Revision {
                    version: row.int("version")?,
                    at: row.time("at")?,
                    actor: row.text("actor")?,
                    op: ChangeOp::parse(&row.text("op")?).ok_or_else(|| StoreError::Corrupt("revision op".into()))?,
                    record: row.decode("data")?,
                })
            })
            .collect()
    }
}

/// The columns a write sets, besides the fixed identity (`id`, `kind`, `uri`, `origin`,
/// `created_at`): the whole record as JSON, and copies of the envelope fields that filters use.
fn row_columns(record: &Record, data: &serde_json::Value) -> Vec<(&'static str, SqlValue)> {
    let c = &record.content;
    vec![
        ("slug", record.slug.as_str().into()),
        ("status", c.status.code().into()),
        ("hidden", c.hidden.into()),
        ("restricted", c.is_restricted().into()),
        ("title", c.title.as_str().into()),
        ("lang", c.lang.as_str().into()),
        ("organisation_id", c.organisation.map(|o| o.0).into()),
        ("source_registry", c.source.as_ref().map(|s| s.registry.clone()).into()),
        ("source_key", c.source.as_ref().map(|s| s.key.clone()).into()),
        ("data", data.clone().into()),
        ("version", record.version.into()),
        ("updated_at", record.updated_at.into()),
        ("published_at", record.published_at.into()),
    ]
}

/// Whether [`record_filter`] asks only what `record_counts` keeps: kind, status, hidden and
/// restricted, of live records. A member's view (their own records and their organisations'),
/// an owner, an organisation, a registry and terms need the records themselves.
fn counted(query: &RecordQuery) -> bool {
    matches!(query.visibility, Visibility::Public | Visibility::All)
        && query.owner.is_none()
        && query.organisation.is_none()
        && query.source_registry.is_none()
        && query.country.is_none()
        && query.sdg.is_none()
        && query.sector.is_none()
}

/// Conditions on the records' own columns, `r.`, which `record_counts` shares for a query that
/// is [`counted`].
fn record_filter(q: &mut Sql, query: &RecordQuery) {
    match &query.visibility {
        Visibility::Public => {
            q.push(" AND r.status = 'published' AND r.hidden = ").bind(false).push(" AND r.restricted = ").bind(false);
        }
        Visibility::All => {}
        Visibility::Member { user, organisations } => {
            // Restricted challenges are for members of the network's organisations.
            q.push(" AND ((r.status = 'published'");
            if organisations.is_empty() {
                q.push(" AND r.restricted = ").bind(false);
            }
            q.push(") OR r.owner_id = ").bind(user.0);
            for org in organisations {
                q.push(" OR r.organisation_id = ").bind(org.0);
            }
            q.push(") AND r.hidden = ").bind(false);
        }
    }
    if let Some(owner) = query.owner {
        q.push(" AND r.owner_id = ").bind(owner.0);
    }
    if !query.statuses.is_empty() {
        q.push(" AND r.status IN (");
        for (i, s) in query.statuses.iter().enumerate() {
            q.push(if i == 0 { "" } else { ", " }).bind(s.code());
        }
        q.push(")");
    }
    if let Some(hidden) = query.hidden {
        q.push(" AND r.hidden = ").bind(hidden);
    }
    if let Some(kind) = query.kind {
        q.push(" AND r.kind = ").bind(kind.code());
    }
    if let Some(status) = query.status {
        q.push(" AND r.status = ").bind(status.code());
    }
    if let Some(org) = query.organisation {
        q.push(" AND r.organisation_id = ").bind(org.0);
    }
    if let Some(registry) = &query.source_registry {
        q.push(" AND r.source_registry = ").bind(registry.as_str());
    }
    let terms = [
        ("country", query.country.map(|c| c.code())),
        ("sdg", query.sdg.map(|s| s.code())),
        ("sector", query.sector.map(|s| s.code())),
    ];
    for (vocabulary, code) in terms {
        if let Some(code) = code {
            q.push(" AND EXISTS (SELECT 1 FROM record_terms t WHERE t.record_id = r.id AND t.vocabulary = ");
            q.bind(vocabulary).push(" AND t.code = ").bind(code).push(")");
        }
    }
}

/// The codes a record can be found by, with every code's ancestors, so that filtering by SDG
/// `3` finds target `3.8` and filtering by `BD` finds `BD-13`.
fn terms(record: &Record) -> BTreeSet<(&'static str, &'static str)> {
    let c = &record.content;
    let mut out = BTreeSet::new();
    for sdg in &c.sdgs {
        out.insert(("sdg", sdg.code()));
        out.insert(("sdg", sdg.goal().code()));
    }
    for sector in &c.sectors {
        out.insert(("sector", sector.code()));
        out.insert(("sector", sector.division().code()));
    }
    let mut places = c.places.clone();
    if let Details::Solution(s) = &c.details {
        places.extend(s.deployments.iter().copied());
    }
    for place in &places {
        out.insert(("place", place.code()));
        let country = place.country();
        out.insert(("country", country.code()));
        for region in country.regions() {
            out.insert(("region", region.code()));
        }
        if let banyan_domain::Place::Subdivision(s) = place {
            let mut s = *s;
            while let Some(parent) = s.parent() {
                out.insert(("place", parent.code()));
                s = parent;
            }
        }
    }
    out
}

/// Writes a new record with its terms, revision, audit entry and change-log row, inside `tx`.
async fn insert_record<B: Backend>(tx: &mut B::Tx, new: &NewRecord, actor: &Actor) -> Result<Record> {
    let content = &new.input.content;
    check_references(tx, content).await?;
    let kind = content.details.kind();
    let slug = choose_slug(tx, new.input.slug.as_ref(), &content.title, kind, None).await?;
    let at = now();
    let carried = new.carried.unwrap_or(Carried {
        version: 1,
        created_at: at,
        updated_at: at,
        published_at: (content.status == Status::Published).then_some(at),
    });
    if carried.version < 1 {
        return Err(StoreError::Invalid(Violations::one(
            &Path::root().key("version"),
            "out_of_range",
            "must be 1 or more",
        )));
    }
    let record = Record {
        id: new.id,
        slug,
        uri: new.uri.clone(),
        origin: new.origin.clone(),
        version: carried.version,
        content: content.clone(),
        owner: new.owner,
        derived_from: new.derived_from,
        created_at: carried.created_at,
        updated_at: carried.updated_at,
        // A published record always has a first publication (the OAI-PMH provider and the
        // feeds select by it), even when a hand-written line carried none.
        published_at: carried.published_at.or((content.status == Status::Published).then_some(carried.updated_at)),
    };
    let data = record.to_json();
    let mut columns = vec![
        ("id", record.id.0.into()),
        ("kind", kind.code().into()),
        ("uri", record.uri.as_str().into()),
        ("origin", record.origin.as_str().into()),
        ("created_at", record.created_at.into()),
        ("owner_id", record.owner.map(|o| o.0).into()),
        ("derived_from", record.derived_from.map(|d| d.0).into()),
    ];
    columns.extend(row_columns(&record, &data));
    let mut q = Sql::new("INSERT INTO records (");
    q.push(&columns.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")).push(") VALUES (");
    for (i, (_, value)) in columns.into_iter().enumerate() {
        q.push(if i == 0 { "" } else { ", " }).bind(value);
    }
    q.push(")");
    let (sql, params) = q.finish();
    tx.execute(&sql, params).await?;
    write_terms(tx, &record).await?;
    let log =
        WriteLog { entity: Entity::Record, id: record.id.0, op: ChangeOp::Create, version: record.version, at, actor };
    // The revision is dated when its version was written (now, unless the record was carried).
    WriteLog { at: record.updated_at, ..log }.revision(tx, data).await?;
    log.audit(tx, json!({"kind": kind, "status": record.content.status, "title": record.content.title})).await?;
    log.change::<B>(tx).await?;
    Ok(record)
}

async fn write_terms<T: Tx>(tx: &mut T, record: &Record) -> Result<()> {
    tx.execute("DELETE FROM record_terms WHERE record_id = $1", vec![record.id.0.into()]).await?;
    let terms = terms(record);
    if terms.is_empty() {
        return Ok(());
    }
    let mut q = Sql::new("INSERT INTO record_terms (record_id, vocabulary, code) VALUES ");
    for (i, (vocabulary, code)) in terms.into_iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push("(").bind(record.id.0).push(", ").bind(vocabulary).push(", ").bind(code).push(")");
    }
    let (sql, params) = q.finish();
    tx.execute(&sql, params).await?;
    Ok(())
}

/// Reads a live record inside a transaction.
async fn live<T: Tx>(tx: &mut T, id: RecordId) -> Result<Record> {
    let rows =
        tx.fetch("SELECT data, deleted_at, version, merged_into FROM records WHERE id = $1", vec![id.0.into()]).await?;
    match rows.first().map(state_from_row).transpose()? {
        None => Err(StoreError::NotFound),
        Some(RecordState::Deleted(_)) => Err(StoreError::Gone),
        Some(RecordState::Live(r)) => Ok(r),
    }
}

/// Every organisation a record points to must exist.
async fn check_references<T: Tx>(tx: &mut T, c: &RecordContent) -> Result<()> {
    let mut wanted = Vec::new();
    if let Some(org) = c.organisation {
        wanted.push((Path::root().key("organisation"), org));
    }
    let partners = match &c.details {
        Details::Practice(p) => &p.partners[..],
        Details::Solution(s) => &s.partners[..],
        _ => &[],
    };
    for (i, p) in partners.iter().enumerate() {
        if let Some(org) = p.organisation {
            wanted.push((Path::root().key("details").key("partners").index(i).key("organisation"), org));
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let mut q = Sql::new("SELECT id FROM organisations WHERE deleted_at IS NULL AND id IN (");
    for (i, (_, org)) in wanted.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(org.0);
    }
    q.push(")");
    let (sql, params) = q.finish();
    let found: Vec<uuid::Uuid> = tx.fetch(&sql, params).await?.iter().map(|r| r.uuid("id")).collect::<Result<_>>()?;
    let mut v = banyan_domain::validate::Checker::new();
    for (path, org) in &wanted {
        if !found.contains(&org.0) {
            v.report(path, "not_found", format!("no organisation {org} exists"));
        }
    }
    v.finish(()).map_err(StoreError::Invalid)
}

/// The slug for a record: the requested one if it is free, else the title's, numbered if
/// another record has it.
async fn choose_slug<T: Tx>(
    tx: &mut T,
    requested: Option<&Slug>,
    title: &str,
    kind: Kind,
    except: Option<RecordId>,
) -> Result<Slug> {
    let base = requested.cloned().unwrap_or_else(|| Slug::from_title(title, kind.code()));
    // Ask for the exact candidates (base, base-2, base-3, …) a window at a time: each is an
    // index lookup, where a `LIKE 'base%'` would scan every record on both backends.
    const WINDOW: u32 = 16;
    let mut from = 1;
    loop {
        let candidates: Vec<Slug> =
            (from..from + WINDOW).map(|n| if n == 1 { base.clone() } else { base.numbered(n) }).collect();
        let mut q = Sql::new("SELECT slug FROM records WHERE slug IN (");
        for (i, c) in candidates.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(c.as_str());
        }
        q.push(")");
        if let Some(id) = except {
            q.push(" AND id <> ").bind(id.0);
        }
        let (sql, params) = q.finish();
        let taken: BTreeSet<String> =
            tx.fetch(&sql, params).await?.iter().map(|r| r.text("slug")).collect::<Result<_>>()?;
        if from == 1 && requested.is_some() && taken.contains(base.as_str()) {
            return Err(StoreError::Invalid(Violations::one(
                &Path::root().key("slug"),
                "taken",
                format!("{base} is already the slug of another record"),
            )));
        }
        if let Some(free) = candidates.into_iter().find(|c| !taken.contains(c.as_str())) {
            return Ok(free);
        }
        from += WINDOW;
    }
}

/// A unique constraint of the records table, as the violation a client can act on. SQLite
/// names the columns ("records.slug"), PostgreSQL the constraint ("records_slug_key").
fn duplicate_record(what: &str) -> StoreError {
    let (field, message) = if what.contains("source") {
        (Path::root().key("source").key("key"), "a record with this source registry and key already exists")
    } else if what.contains("slug") {
        (Path::root().key("slug"), "is already the slug of another record")
    } else if what.contains("uri") {
        (Path::root().key("uri"), "a record with this URI already exists")
    } else if what.contains("records.id") || what.contains("records_pkey") {
        (Path::root().key("id"), "a record with this id already exists")
    } else {
        return StoreError::Database(format!("unexpected duplicate: {what}"));
    };
    StoreError::Invalid(Violations::one(&field, "taken", message))
}

/// The top-level fields that differ between two versions, for the audit log.
fn changed_fields(before: &Record, after: &Record) -> Vec<String> {
    let (a, b) = (before.to_json(), after.to_json());
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else { return Vec::new() };
    b.iter()
        .filter(|(k, v)| !matches!(k.as_str(), "version" | "updated_at" | "published_at") && a.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect()
}
