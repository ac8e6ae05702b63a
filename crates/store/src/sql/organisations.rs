//! Organisations: create, update, read, find by name, list.

use serde_json::json;

use banyan_domain::validate::Path;
use banyan_domain::{CountryCode, Organisation, OrganisationId, OrganisationInput, Slug, Violations, limits};

use super::write::WriteLog;
use super::{Backend, Row, Sql, SqlStore, Tx, now};
use crate::error::{Result, StoreError};
use crate::model::*;

const COLUMNS: &str = "data, deleted_at";

fn from_row(row: &Row) -> Result<Option<Organisation>> {
    if row.opt_time("deleted_at")?.is_some() {
        return Ok(None);
    }
    row.decode("data").map(Some)
}

/// Organisations without a country are kept under the empty string, so that the pair
/// (name, country) can be unique.
fn country_key(c: Option<CountryCode>) -> &'static str {
    c.map_or("", |c| c.code())
}

impl<B: Backend> SqlStore<B> {
    pub(super) async fn create_organisation_tx(
        &self,
        id: OrganisationId,
        input: &OrganisationInput,
        actor: &Actor,
    ) -> Result<Organisation> {
        let mut tx = self.backend.begin().await?;
        let slug = organisation_slug(&mut tx, &input.name).await?;
        let at = now();
        let org = Organisation { id, slug, content: input.clone(), version: 1, created_at: at, updated_at: at };
        let data = serde_json::to_value(&org).expect("organisations serialise");
        let mut q = Sql::new(
            "INSERT INTO organisations (id, slug, name, name_key, country, org_type, data, version, created_at, updated_at) VALUES (",
        );
        q.bind(id.0).push(", ").bind(org.slug.as_str()).push(", ").bind(input.name.as_str());
        q.push(", ").bind(OrganisationInput::name_key(&input.name)).push(", ").bind(country_key(input.country));
        q.push(", ")
            .bind(input.org_type.code())
            .push(", ")
            .bind(data.clone())
            .push(", 1, ")
            .bind(at)
            .push(", ")
            .bind(at)
            .push(")");
        let (sql, params) = q.finish();
        tx.execute(&sql, params).await.map_err(duplicate_name)?;
        let log = WriteLog { entity: Entity::Organisation, id: id.0, op: ChangeOp::Create, version: 1, at, actor };
        log.revision(&mut tx, data).await?;
        log.audit(&mut tx, json!({"name": input.name})).await?;
        log.change::<B>(&mut tx).await?;
        tx.commit().await.map_err(duplicate_name)?;
        Ok(org)
    }

    pub(super) async fn update_organisation_tx(
        &self,
        id: OrganisationId,
        expected_version: i64,
        input: &OrganisationInput,
        actor: &Actor,
    ) -> Result<Organisation> {
        let mut tx = self.backend.begin().await?;
        let rows = tx.fetch(&format!("SELECT {COLUMNS} FROM organisations WHERE id = $1"), vec![id.0.into()]).await?;
        let current = match rows.first() {
            None => return Err(StoreError::NotFound),
            Some(row) => from_row(row)?.ok_or(StoreError::Gone)?,
        };
        if current.version != expected_version {
            return Err(StoreError::Conflict { expected: expected_version, current: current.version });
        }
        let at = now();
        let org = Organisation { content: input.clone(), version: current.version + 1, updated_at: at, ..current };
        let data = serde_json::to_value(&org).expect("organisations serialise");
        let mut q = Sql::new("UPDATE organisations SET name = ");
        q.bind(input.name.as_str());
        q.push(", name_key = ").bind(OrganisationInput::name_key(&input.name));
        q.push(", country = ").bind(country_key(input.country));
        q.push(", org_type = ").bind(input.org_type.code());
        q.push(", data = ").bind(data.clone());
        q.push(", version = ").bind(org.version);
        q.push(", updated_at = ").bind(at);
        q.push(" WHERE id = ").bind(id.0).push(" AND version = ").bind(expected_version);
        let (sql, params) = q.finish();
        if tx.execute(&sql, params).await.map_err(duplicate_name)? == 0 {
            return Err(StoreError::Conflict { expected: expected_version, current: expected_version + 1 });
        }
        let log =
            WriteLog { entity: Entity::Organisation, id: id.0, op: ChangeOp::Update, version: org.version, at, actor };
        log.revision(&mut tx, data).await?;
        log.audit(&mut tx, json!({"name": input.name})).await?;
        log.change::<B>(&mut tx).await?;
        tx.commit().await.map_err(duplicate_name)?;
        Ok(org)
    }

    pub(super) async fn organisation_by_id(&self, id: OrganisationId) -> Result<Option<Organisation>> {
        let rows = self
            .backend
            .fetch(&format!("SELECT {COLUMNS} FROM organisations WHERE id = $1"), vec![id.0.into()])
            .await?;
        Ok(rows.first().map(from_row).transpose()?.flatten())
    }

    pub(super) async fn organisations_with_ids(&self, ids: &[OrganisationId]) -> Result<Vec<Organisation>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM organisations WHERE id IN ("));
            for (i, id) in chunk.iter().enumerate() {
                q.push(if i == 0 { "" } else { ", " }).bind(id.0);
            }
            q.push(")");
            let (sql, params) = q.finish();
            for row in self.backend.fetch(&sql, params).await? {
                out.extend(from_row(&row)?);
            }
        }
        Ok(out)
    }

    pub(super) async fn organisation_named(
        &self,
        name: &str,
        country: Option<CountryCode>,
    ) -> Result<Option<Organisation>> {
        let rows = self
            .backend
            .fetch(
                &format!(
                    "SELECT {COLUMNS} FROM organisations WHERE name_key = $1 AND country = $2 AND deleted_at IS NULL"
                ),
                vec![OrganisationInput::name_key(name).into(), country_key(country).into()],
            )
            .await?;
        Ok(rows.first().map(from_row).transpose()?.flatten())
    }

    pub(super) async fn list_organisations_query(&self, query: &OrganisationQuery) -> Result<Page<Organisation>> {
        let limit = query.limit.clamp(1, 1000);
        let filter = |q: &mut Sql| {
            if let Some(t) = query.org_type {
                q.push(" AND org_type = ").bind(t.code());
            }
            if let Some(c) = query.country {
                q.push(" AND country = ").bind(c.code());
            }
        };
        let mut count = Sql::new("SELECT COUNT(*) AS n FROM organisations WHERE deleted_at IS NULL");
        filter(&mut count);
        let mut q = Sql::new(&format!("SELECT {COLUMNS}, name_key, id FROM organisations WHERE deleted_at IS NULL"));
        filter(&mut q);
        if let Some(cursor) = &query.cursor {
            let parts = cursor.decode(2).ok_or_else(|| {
                StoreError::Invalid(Violations::one(
                    &Path::root().key("cursor"),
                    "invalid_value",
                    "is not a cursor from a previous page",
                ))
            })?;
            let id = uuid::Uuid::parse_str(&parts[1]).map_err(|_| {
                StoreError::Invalid(Violations::one(
                    &Path::root().key("cursor"),
                    "invalid_value",
                    "is not a cursor from a previous page",
                ))
            })?;
            q.push(" AND (name_key > ").bind(parts[0].clone());
            q.push(" OR (name_key = ").bind(parts[0].clone()).push(" AND id > ").bind(id).push("))");
        }
        q.push(" ORDER BY name_key, id LIMIT ").bind(i64::from(limit) + 1);
        let (count_sql, count_params) = count.finish();
        let total = self.backend.fetch(&count_sql, count_params).await?;
        let total = total.first().map(|r| r.int("n")).transpose()?.unwrap_or(0) as u64;
        let (sql, params) = q.finish();
        let rows = self.backend.fetch(&sql, params).await?;
        let mut items = Vec::new();
        let mut keys = Vec::new();
        for row in &rows {
            if let Some(org) = from_row(row)? {
                keys.push(row.text("name_key")?);
                items.push(org);
            }
        }
        let next_cursor = if items.len() > limit as usize {
            items.truncate(limit as usize);
            let last = items.last().expect("a full page");
            Some(Cursor::encode(&[&keys[limit as usize - 1], &last.id.to_string()]))
        } else {
            None
        };
        Ok(Page { items, total, next_cursor })
    }
}

async fn organisation_slug<T: Tx>(tx: &mut T, name: &str) -> Result<Slug> {
    let base = Slug::from_title(name, "organisation");
    let prefix: String = base.as_str().chars().take(limits::SLUG - 8).collect();
    let rows = tx
        .fetch(
            "SELECT slug FROM organisations WHERE slug = $1 OR slug LIKE $2",
            vec![base.as_str().into(), format!("{prefix}%").into()],
        )
        .await?;
    let taken: Vec<String> = rows.iter().map(|r| r.text("slug")).collect::<Result<_>>()?;
    if !taken.iter().any(|s| s == base.as_str()) {
        return Ok(base);
    }
    Ok((2..).map(|n| base.numbered(n)).find(|s| !taken.iter().any(|t| t == s.as_str())).expect("a free number"))
}

fn duplicate_name(e: StoreError) -> StoreError {
    match e {
        StoreError::Duplicate(what) if what.contains("name_country") || what.contains("name_key") => {
            StoreError::Invalid(Violations::one(
                &Path::root().key("name"),
                "taken",
                "an organisation with this name already exists in this country",
            ))
        }
        StoreError::Duplicate(what) if what.contains("organisations.id") || what.contains("organisations_pkey") => {
            StoreError::Invalid(Violations::one(
                &Path::root().key("id"),
                "taken",
                "an organisation with this id already exists",
            ))
        }
        StoreError::Duplicate(what) => StoreError::Database(format!("unexpected duplicate: {what}")),
        other => other,
    }
}
