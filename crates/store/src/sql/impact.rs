//! Adoptions of practices, services with their process maps, and the exchange-rate table.
//!
//! Adoptions and services hang off a practice. Writing one also appends a change-log row for
//! the practice (an `update` at its current version), so that followers such as the search
//! index re-read what they derive from it (its adoption counts), in the same transaction.

use serde_json::json;

use banyan_domain::adoption::Lineage;
use banyan_domain::sps::Rates;
use banyan_domain::validate::Path;
use banyan_domain::{Adoption, AdoptionId, AdoptionInput, RecordId, Service, ServiceId, ServiceInput, Violations};

use super::builder::Sql;
use super::write::{WriteLog, audit};
use super::{Backend, Row, SqlStore, Tx, now};
use crate::error::{Result, StoreError};
use crate::model::{Actor, ChangeOp, Entity, RateTable};

const ADOPTION_COLUMNS: &str = "id, practice_id, data, version, created_at, updated_at";
const SERVICE_COLUMNS: &str = "id, data, version, created_at, updated_at";

fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(Violations::one(&Path::root().key(field), code, message))
}

fn adoption_from_row(r: &Row) -> Result<Adoption> {
    Ok(Adoption {
        id: AdoptionId(r.uuid("id")?),
        practice_id: RecordId(r.uuid("practice_id")?),
        input: r.decode("data")?,
        version: r.int("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn service_from_row(r: &Row) -> Result<Service> {
    Ok(Service {
        id: ServiceId(r.uuid("id")?),
        input: r.decode("data")?,
        version: r.int("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn json_of<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("impact data serialises")
}

/// The live practice `id`'s version, or an error naming `field`.
async fn practice_version<T: Tx>(tx: &mut T, id: RecordId, field: &str) -> Result<i64> {
    let rows =
        tx.fetch("SELECT kind, version FROM records WHERE id = $1 AND deleted_at IS NULL", vec![id.0.into()]).await?;
    match rows.first() {
        Some(r) if r.text("kind")? == "practice" => r.int("version"),
        Some(_) => Err(invalid(field, "invalid_value", "is not a practice")),
        None => Err(invalid(field, "not_found", format!("no practice {id}"))),
    }
}

async fn exists<T: Tx>(tx: &mut T, sql: &str, id: uuid::Uuid) -> Result<bool> {
    Ok(!tx.fetch(sql, vec![id.into()]).await?.is_empty())
}

impl<B: Backend> SqlStore<B> {
    /// Tells followers that what hangs off the practice changed.
    async fn touch_practice(&self, tx: &mut B::Tx, practice: RecordId, version: i64, actor: &Actor) -> Result<()> {
        let log = WriteLog { entity: Entity::Record, id: practice.0, op: ChangeOp::Update, version, at: now(), actor };
        log.change::<B>(tx).await.map(|_| ())
    }

    /// Checks what an adoption points at, inside the writing transaction.
    async fn check_adoption(
        &self,
        tx: &mut B::Tx,
        practice: RecordId,
        id: AdoptionId,
        input: &AdoptionInput,
    ) -> Result<i64> {
        let version = practice_version(tx, practice, "practice_id").await?;
        let org = "SELECT id FROM organisations WHERE id = $1";
        if !exists(tx, org, input.organisation_id.0).await? {
            return Err(invalid("organisation_id", "not_found", "no such organisation"));
        }
        if let Some(contact) = input.contact_organisation_id
            && !exists(tx, org, contact.0).await?
        {
            return Err(invalid("contact_organisation_id", "not_found", "no such organisation"));
        }
        if let Some(derived) = input.derived_record_id {
            if derived == practice {
                return Err(invalid("derived_record_id", "invalid_value", "is the adopted practice itself"));
            }
            let live = "SELECT id FROM records WHERE id = $1 AND deleted_at IS NULL";
            if !exists(tx, live, derived.0).await? {
                return Err(invalid("derived_record_id", "not_found", "no such record"));
            }
        }
        if let Some(from) = input.learned_from {
            let rows = tx
                .fetch(
                    &format!("SELECT {ADOPTION_COLUMNS} FROM adoptions WHERE practice_id = $1"),
                    vec![practice.0.into()],
                )
                .await?;
            let siblings = rows.iter().map(adoption_from_row).collect::<Result<Vec<_>>>()?;
            if !siblings.iter().any(|a| a.id == from) {
                return Err(invalid("learned_from", "not_found", "is not an adoption of the same practice"));
            }
            if Lineage::would_cycle(&siblings, id, from) {
                return Err(invalid("learned_from", "invalid_value", "would make the adoption learn from itself"));
            }
        }
        Ok(version)
    }

    pub(super) async fn create_adoption_tx(
        &self,
        practice: RecordId,
        input: &AdoptionInput,
        actor: &Actor,
    ) -> Result<Adoption> {
        let mut tx = self.backend.begin().await?;
        let id = AdoptionId::new();
        let version = self.check_adoption(&mut tx, practice, id, input).await?;
        let at = now();
        tx.execute(
            "INSERT INTO adoptions (id, practice_id, organisation_id, place, status, adopted_on, derived_record_id, \
             data, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $9, $7, 1, $8, $8)",
            vec![
                id.0.into(),
                practice.0.into(),
                input.organisation_id.0.into(),
                input.place.code().into(),
                input.status.code().into(),
                input.adopted_on.to_string().into(),
                json_of(input).into(),
                at.into(),
                input.derived_record_id.map(|r| r.0).into(),
            ],
        )
        .await?;
        audit(&mut tx, actor, "adoption.create", &id.to_string(), Some(1), at, json!({"practice": practice})).await?;
        self.touch_practice(&mut tx, practice, version, actor).await?;
        tx.commit().await?;
        self.adoption_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    pub(super) async fn adoption_by_id(&self, id: AdoptionId) -> Result<Option<Adoption>> {
        let rows = self
            .backend
            .fetch(&format!("SELECT {ADOPTION_COLUMNS} FROM adoptions WHERE id = $1"), vec![id.0.into()])
            .await?;
        rows.first().map(adoption_from_row).transpose()
    }

    /// The adoptions whose adopter's own record is `record`.
    pub(super) async fn adoptions_deriving_into(&self, record: RecordId) -> Result<Vec<Adoption>> {
        let rows = self
            .backend
            .fetch(
                &format!(
                    "SELECT {ADOPTION_COLUMNS} FROM adoptions WHERE derived_record_id = $1 ORDER BY adopted_on, id"
                ),
                vec![record.0.into()],
            )
            .await?;
        rows.iter().map(adoption_from_row).collect()
    }

    /// Adoptions of `practice` (or of every practice), in the order adopted.
    pub(super) async fn adoptions_where(&self, practice: Option<RecordId>) -> Result<Vec<Adoption>> {
        let mut q = Sql::new(&format!("SELECT {ADOPTION_COLUMNS} FROM adoptions"));
        if let Some(p) = practice {
            q.push(" WHERE practice_id = ").bind(p.0);
        }
        q.push(" ORDER BY adopted_on, id");
        let (sql, params) = q.finish();
        self.backend.fetch(&sql, params).await?.iter().map(adoption_from_row).collect()
    }

    pub(super) async fn adoption_counts_of(
        &self,
        practices: &[RecordId],
    ) -> Result<std::collections::HashMap<RecordId, usize>> {
        let mut out = std::collections::HashMap::new();
        for chunk in practices.chunks(500) {
            let mut q = Sql::new(
                "SELECT practice_id, COUNT(DISTINCT place) AS n FROM adoptions \
                 WHERE status IN ('piloting', 'in_use') AND practice_id IN (",
            );
            for (i, id) in chunk.iter().enumerate() {
                q.push(if i == 0 { "" } else { ", " }).bind(id.0);
            }
            q.push(") GROUP BY practice_id");
            let (sql, params) = q.finish();
            for r in self.backend.fetch(&sql, params).await? {
                out.insert(RecordId(r.uuid("practice_id")?), usize::try_from(r.int("n")?).unwrap_or(0));
            }
        }
        Ok(out)
    }

    pub(super) async fn save_adoption_tx(
        &self,
        id: AdoptionId,
        input: &AdoptionInput,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Adoption> {
        let mut tx = self.backend.begin().await?;
        let rows = tx.fetch("SELECT practice_id, version FROM adoptions WHERE id = $1", vec![id.0.into()]).await?;
        let Some(row) = rows.first() else { return Err(StoreError::NotFound) };
        let (practice, current) = (RecordId(row.uuid("practice_id")?), row.int("version")?);
        if current != expected_version {
            return Err(StoreError::Conflict { expected: expected_version, current });
        }
        let version = self.check_adoption(&mut tx, practice, id, input).await?;
        let at = now();
        tx.execute(
            "UPDATE adoptions SET organisation_id = $2, place = $3, status = $4, adopted_on = $5, data = $6, \
             version = version + 1, updated_at = $7, derived_record_id = $8 WHERE id = $1",
            vec![
                id.0.into(),
                input.organisation_id.0.into(),
                input.place.code().into(),
                input.status.code().into(),
                input.adopted_on.to_string().into(),
                json_of(input).into(),
                at.into(),
                input.derived_record_id.map(|r| r.0).into(),
            ],
        )
        .await?;
        audit(&mut tx, actor, "adoption.update", &id.to_string(), Some(current + 1), at, json!({})).await?;
        self.touch_practice(&mut tx, practice, version, actor).await?;
        tx.commit().await?;
        self.adoption_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    /// Checks what a service points at: a live practice, and an adoption of that practice.
    async fn check_service(&self, tx: &mut B::Tx, input: &ServiceInput) -> Result<i64> {
        let version = practice_version(tx, input.practice_id, "practice_id").await?;
        if let Some(a) = input.adoption_id {
            let rows = tx.fetch("SELECT practice_id FROM adoptions WHERE id = $1", vec![a.0.into()]).await?;
            match rows.first() {
                Some(r) if RecordId(r.uuid("practice_id")?) == input.practice_id => {}
                Some(_) => return Err(invalid("adoption_id", "invalid_value", "is an adoption of another practice")),
                None => return Err(invalid("adoption_id", "not_found", "no such adoption")),
            }
        }
        Ok(version)
    }

    pub(super) async fn create_service_tx(&self, input: &ServiceInput, actor: &Actor) -> Result<Service> {
        let mut tx = self.backend.begin().await?;
        let version = self.check_service(&mut tx, input).await?;
        let id = ServiceId::new();
        let at = now();
        tx.execute(
            "INSERT INTO services (id, practice_id, adoption_id, place, data, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $6)",
            vec![
                id.0.into(),
                input.practice_id.0.into(),
                input.adoption_id.map(|a| a.0).into(),
                input.place.code().into(),
                json_of(input).into(),
                at.into(),
            ],
        )
        .await?;
        audit(&mut tx, actor, "service.create", &id.to_string(), Some(1), at, json!({"name": input.name})).await?;
        self.touch_practice(&mut tx, input.practice_id, version, actor).await?;
        tx.commit().await?;
        self.service_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    pub(super) async fn service_by_id(&self, id: ServiceId) -> Result<Option<Service>> {
        let rows = self
            .backend
            .fetch(&format!("SELECT {SERVICE_COLUMNS} FROM services WHERE id = $1"), vec![id.0.into()])
            .await?;
        rows.first().map(service_from_row).transpose()
    }

    /// Services of `practice` (or all), oldest first.
    pub(super) async fn services_where(&self, practice: Option<RecordId>) -> Result<Vec<Service>> {
        let mut q = Sql::new(&format!("SELECT {SERVICE_COLUMNS} FROM services"));
        if let Some(p) = practice {
            q.push(" WHERE practice_id = ").bind(p.0);
        }
        q.push(" ORDER BY created_at, id");
        let (sql, params) = q.finish();
        self.backend.fetch(&sql, params).await?.iter().map(service_from_row).collect()
    }

    pub(super) async fn save_service_tx(
        &self,
        id: ServiceId,
        input: &ServiceInput,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Service> {
        let mut tx = self.backend.begin().await?;
        let rows = tx.fetch("SELECT practice_id, version FROM services WHERE id = $1", vec![id.0.into()]).await?;
        let Some(row) = rows.first() else { return Err(StoreError::NotFound) };
        let (was, current) = (RecordId(row.uuid("practice_id")?), row.int("version")?);
        if current != expected_version {
            return Err(StoreError::Conflict { expected: expected_version, current });
        }
        if was != input.practice_id {
            return Err(invalid("practice_id", "invalid_value", "cannot change: a service stays with its practice"));
        }
        let version = self.check_service(&mut tx, input).await?;
        let at = now();
        tx.execute(
            "UPDATE services SET adoption_id = $2, place = $3, data = $4, version = version + 1, updated_at = $5 \
             WHERE id = $1",
            vec![
                id.0.into(),
                input.adoption_id.map(|a| a.0).into(),
                input.place.code().into(),
                json_of(input).into(),
                at.into(),
            ],
        )
        .await?;
        audit(&mut tx, actor, "service.update", &id.to_string(), Some(current + 1), at, json!({})).await?;
        self.touch_practice(&mut tx, input.practice_id, version, actor).await?;
        tx.commit().await?;
        self.service_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    pub(super) async fn rate_table(&self) -> Result<Option<RateTable>> {
        let rows =
            self.backend.fetch("SELECT data, version, updated_at FROM exchange_rates WHERE id = 1", vec![]).await?;
        rows.first()
            .map(|r| {
                Ok(RateTable {
                    rates: r.decode("data")?,
                    version: r.int("version")?,
                    updated_at: r.time("updated_at")?,
                })
            })
            .transpose()
    }

    /// Replaces the rate table; `expected_version` (0 for none yet), when given, must be current.
    pub(super) async fn put_rates_tx(
        &self,
        rates: &Rates,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<RateTable> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let current = tx
            .fetch("SELECT version FROM exchange_rates WHERE id = 1", vec![])
            .await?
            .first()
            .map(|r| r.int("version"))
            .transpose()?
            .unwrap_or(0);
        if let Some(expected) = expected_version
            && expected != current
        {
            return Err(StoreError::Conflict { expected, current });
        }
        let data = json_of(rates);
        if current == 0 {
            tx.execute(
                "INSERT INTO exchange_rates (id, data, version, updated_at) VALUES (1, $1, 1, $2)",
                vec![data.into(), at.into()],
            )
            .await?;
        } else {
            tx.execute(
                "UPDATE exchange_rates SET data = $1, version = version + 1, updated_at = $2 WHERE id = 1",
                vec![data.into(), at.into()],
            )
            .await?;
        }
        audit(&mut tx, actor, "rates.put", "exchange-rates", Some(current + 1), at, json!({"base": rates.base}))
            .await?;
        tx.commit().await?;
        self.rate_table().await?.ok_or(StoreError::NotFound)
    }
}
