//! The parts every write shares: its revision, its audit entry and its change-log row.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::{Backend, Tx};
use crate::error::{Result, StoreError};
use crate::model::{Actor, ChangeOp, Entity};

/// Everything about one write that the log tables record.
pub(crate) struct WriteLog<'a> {
    pub entity: Entity,
    pub id: Uuid,
    pub op: ChangeOp,
    pub version: i64,
    pub at: DateTime<Utc>,
    pub actor: &'a Actor,
}

impl WriteLog<'_> {
    /// Writes the revision (a snapshot of the thing as of this version).
    pub async fn revision<T: Tx>(&self, tx: &mut T, snapshot: Value) -> Result<()> {
        tx.execute(
            "INSERT INTO revisions (entity, entity_id, version, actor, op, at, data) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            vec![
                self.entity.as_str().into(),
                self.id.into(),
                self.version.into(),
                self.actor.label().into(),
                self.op.as_str().into(),
                self.at.into(),
                snapshot.into(),
            ],
        )
        .await?;
        Ok(())
    }

    /// Writes the audit entry, named after the entity and operation (`record.update`).
    pub async fn audit<T: Tx>(&self, tx: &mut T, detail: Value) -> Result<()> {
        let action = format!("{}.{}", self.entity.as_str(), self.op.as_str());
        self.audit_as(tx, &action, detail).await
    }

    /// Writes the audit entry under a more precise name (`record.transition`).
    pub async fn audit_as<T: Tx>(&self, tx: &mut T, action: &str, detail: Value) -> Result<()> {
        audit(tx, self.actor, action, &self.id.to_string(), Some(self.version), self.at, detail).await
    }

    /// Appends to the change log, last thing before commit. Under the dialect's lock, the next
    /// number is one more than the largest committed one, so numbers have no gaps and commit in
    /// order.
    pub async fn change<B: Backend>(&self, tx: &mut B::Tx) -> Result<i64> {
        if let Some(lock) = B::DIALECT.lock_change_log {
            tx.fetch(lock, vec![]).await?;
        }
        let rows = tx
            .fetch(
                "INSERT INTO change_log (seq, entity, entity_id, op, version, at) \
                 SELECT COALESCE(MAX(seq), 0) + 1, $1, $2, $3, $4, $5 FROM change_log RETURNING seq",
                vec![
                    self.entity.as_str().into(),
                    self.id.into(),
                    self.op.as_str().into(),
                    self.version.into(),
                    self.at.into(),
                ],
            )
            .await?;
        rows.first().ok_or_else(|| StoreError::Database("change log insert returned nothing".into()))?.int("seq")
    }
}

/// Writes one audit entry.
pub(crate) async fn audit<T: Tx>(
    tx: &mut T,
    actor: &Actor,
    action: &str,
    entity_id: &str,
    version: Option<i64>,
    at: DateTime<Utc>,
    detail: Value,
) -> Result<()> {
    tx.execute(
        "INSERT INTO audit_log (at, actor, role, action, entity_id, version, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        vec![
            at.into(),
            actor.label().into(),
            actor.role.as_str().into(),
            action.into(),
            entity_id.into(),
            version.into(),
            detail.into(),
        ],
    )
    .await?;
    Ok(())
}
