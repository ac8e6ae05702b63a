//! [`Store`] for [`SqlStore`]: the trait's methods, each a thin call into its module.

use async_trait::async_trait;
use uuid::Uuid;

use banyan_domain::{
    CountryCode, Organisation, OrganisationId, OrganisationInput, Record, RecordId, RecordInput, TokenId,
};

use super::{Backend, SqlStore};
use crate::Store;
use crate::error::{Result, StoreError};
use crate::model::*;

#[async_trait]
impl<B: Backend> Store for SqlStore<B> {
    fn backend(&self) -> &'static str {
        B::NAME
    }

    async fn ping(&self) -> Result<()> {
        self.backend.fetch("SELECT 1 AS one", vec![]).await.map(|_| ())
    }

    async fn schema_version(&self) -> Result<i64> {
        self.backend.schema_version().await
    }

    async fn create_record(&self, new: NewRecord, actor: &Actor) -> Result<Record> {
        self.create_record_tx(&new, actor).await
    }

    async fn update_record(
        &self,
        id: RecordId,
        expected_version: i64,
        input: RecordInput,
        actor: &Actor,
    ) -> Result<Record> {
        self.update_record_tx(id, expected_version, &input, actor).await
    }

    async fn delete_record(&self, id: RecordId, expected_version: Option<i64>, actor: &Actor) -> Result<Tombstone> {
        self.delete_record_tx(id, expected_version, actor).await
    }

    async fn record(&self, id: RecordId) -> Result<Option<RecordState>> {
        self.record_state(id).await
    }

    async fn record_by_source(&self, registry: &str, key: &str) -> Result<Option<RecordState>> {
        self.record_state_by_source(registry, key).await
    }

    async fn list_records(&self, query: &RecordQuery) -> Result<Page<Record>> {
        self.list_records_query(query).await
    }

    async fn revisions(&self, id: RecordId) -> Result<Vec<Revision>> {
        self.record_revisions(id).await
    }

    async fn create_organisation(
        &self,
        id: OrganisationId,
        input: OrganisationInput,
        actor: &Actor,
    ) -> Result<Organisation> {
        self.create_organisation_tx(id, &input, actor).await
    }

    async fn update_organisation(
        &self,
        id: OrganisationId,
        expected_version: i64,
        input: OrganisationInput,
        actor: &Actor,
    ) -> Result<Organisation> {
        self.update_organisation_tx(id, expected_version, &input, actor).await
    }

    async fn organisation(&self, id: OrganisationId) -> Result<Option<Organisation>> {
        self.organisation_by_id(id).await
    }

    async fn organisation_by_name(&self, name: &str, country: Option<CountryCode>) -> Result<Option<Organisation>> {
        self.organisation_named(name, country).await
    }

    async fn list_organisations(&self, query: &OrganisationQuery) -> Result<Page<Organisation>> {
        self.list_organisations_query(query).await
    }

    async fn create_token(&self, token: NewToken, actor: &Actor) -> Result<TokenInfo> {
        self.create_token_tx(&token, actor).await
    }

    async fn use_token(&self, secret_hash: &str) -> Result<Option<TokenInfo>> {
        self.use_token_query(secret_hash).await
    }

    async fn list_tokens(&self) -> Result<Vec<TokenInfo>> {
        self.tokens().await
    }

    async fn revoke_token(&self, id: TokenId, actor: &Actor) -> Result<bool> {
        self.revoke_token_tx(id, actor).await
    }

    async fn changes_since(&self, after: i64, limit: u32) -> Result<Vec<Change>> {
        let rows = self
            .backend
            .fetch(
                "SELECT seq, entity, entity_id, op, version, at FROM change_log WHERE seq > $1 ORDER BY seq LIMIT $2",
                vec![after.into(), i64::from(limit.clamp(1, 10_000)).into()],
            )
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Change {
                    seq: row.int("seq")?,
                    entity: Entity::parse(&row.text("entity")?)
                        .ok_or_else(|| StoreError::Corrupt("change entity".into()))?,
                    id: row.uuid("entity_id")?,
                    op: ChangeOp::parse(&row.text("op")?).ok_or_else(|| StoreError::Corrupt("change op".into()))?,
                    version: row.int("version")?,
                    at: row.time("at")?,
                })
            })
            .collect()
    }

    async fn last_seq(&self) -> Result<i64> {
        let rows = self.backend.fetch("SELECT COALESCE(MAX(seq), 0) AS seq FROM change_log", vec![]).await?;
        rows.first().map_or(Ok(0), |r| r.int("seq"))
    }

    async fn audit_log(&self, entity_id: Option<Uuid>, limit: u32) -> Result<Vec<AuditEntry>> {
        let limit = i64::from(limit.clamp(1, 10_000));
        let rows = match entity_id {
            Some(id) => {
                self.backend
                    .fetch(
                        "SELECT id, at, actor, role, action, entity_id, version, detail FROM audit_log \
                         WHERE entity_id = $1 ORDER BY id DESC LIMIT $2",
                        vec![id.to_string().into(), limit.into()],
                    )
                    .await?
            }
            None => {
                self.backend
                    .fetch(
                        "SELECT id, at, actor, role, action, entity_id, version, detail FROM audit_log ORDER BY id DESC LIMIT $1",
                        vec![limit.into()],
                    )
                    .await?
            }
        };
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.int("id")?,
                    at: row.time("at")?,
                    actor: row.text("actor")?,
                    role: row.text("role")?,
                    action: row.text("action")?,
                    entity_id: row.text("entity_id")?,
                    version: row.opt_int("version")?,
                    detail: row.json("detail")?,
                })
            })
            .collect()
    }
}
