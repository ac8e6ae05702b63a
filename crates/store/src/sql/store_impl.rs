//! [`Store`] for [`SqlStore`]: the trait's methods, each a thin call into its module.

use async_trait::async_trait;
use uuid::Uuid;

use banyan_domain::sps::Rates;
use banyan_domain::{
    Adoption, AdoptionId, AdoptionInput, Checklist, CommentId, ConversationId, CountryCode, Email, OrgRole,
    Organisation, OrganisationId, OrganisationInput, Pilot, PilotEvent, PilotId, Record, RecordId, RecordInput,
    ReportId, Service, ServiceId, ServiceInput, Status, TokenId, UserId,
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

    async fn create_records(&self, batch: &[NewRecord], actor: &Actor) -> Result<Vec<RecordId>> {
        self.create_records_tx(batch, actor).await
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

    async fn records_by_id(&self, ids: &[RecordId]) -> Result<Vec<RecordState>> {
        self.record_states(ids).await
    }

    async fn public_records_after(&self, after: Option<RecordId>, limit: u32) -> Result<Vec<Record>> {
        self.scan_public_records(after, limit).await
    }

    async fn revisions(&self, id: RecordId) -> Result<Vec<Revision>> {
        self.record_revisions(id).await
    }

    async fn transition_record(
        &self,
        id: RecordId,
        expected_version: i64,
        to: Status,
        comment: Option<&str>,
        actor: &Actor,
    ) -> Result<Record> {
        self.transition_tx(id, expected_version, to, comment, actor).await
    }

    async fn set_record_hidden(&self, id: RecordId, hidden: bool, reason: &str, actor: &Actor) -> Result<Record> {
        self.set_hidden_tx(id, hidden, reason, actor).await
    }

    async fn merge_record(&self, duplicate: RecordId, survivor: RecordId, actor: &Actor) -> Result<Tombstone> {
        self.merge_record_tx(duplicate, survivor, actor).await
    }

    async fn create_user(&self, user: NewUser, actor: &Actor) -> Result<User> {
        self.create_user_tx(&user, actor).await
    }

    async fn user(&self, id: UserId) -> Result<Option<User>> {
        self.user_by_id(id).await
    }

    async fn user_auth(&self, email: &Email) -> Result<Option<UserAuth>> {
        self.user_auth_by_email(email).await
    }

    async fn password_hash(&self, id: UserId) -> Result<Option<String>> {
        self.user_password_hash(id).await
    }

    async fn list_users(&self, query: &UserQuery) -> Result<Page<User>> {
        self.list_users_query(query).await
    }

    async fn update_user(&self, id: UserId, change: UserChange, actor: &Actor) -> Result<User> {
        self.update_user_tx(id, &change, actor).await
    }

    async fn export_user(&self, id: UserId) -> Result<serde_json::Value> {
        self.export_user_data(id).await
    }

    async fn erase_user(&self, id: UserId, remove_content: bool, actor: &Actor) -> Result<()> {
        self.erase_user_tx(id, remove_content, actor).await
    }

    async fn create_session(&self, session: Session) -> Result<()> {
        self.create_session_tx(&session).await
    }

    async fn session(&self, id_hash: &str) -> Result<Option<Session>> {
        self.session_by_hash(id_hash).await
    }

    async fn end_session(&self, id_hash: &str) -> Result<()> {
        self.end_session_tx(id_hash).await
    }

    async fn end_sessions(&self, user: UserId) -> Result<u64> {
        self.end_sessions_tx(user).await
    }

    async fn create_one_time_token(&self, token: OneTimeToken) -> Result<()> {
        self.create_one_time_tx(&token).await
    }

    async fn take_one_time_token(&self, hash: &str, purpose: Purpose) -> Result<Option<OneTimeToken>> {
        self.take_one_time_tx(hash, purpose).await
    }

    async fn memberships(&self, user: UserId) -> Result<Vec<(OrganisationId, OrgRole)>> {
        self.memberships_of(user).await
    }

    async fn members(&self, organisation: OrganisationId) -> Result<Vec<Member>> {
        self.members_of(organisation).await
    }

    async fn set_membership(
        &self,
        organisation: OrganisationId,
        user: UserId,
        role: Option<OrgRole>,
        actor: &Actor,
    ) -> Result<()> {
        self.set_membership_tx(organisation, user, role, actor).await
    }

    async fn enqueue_mail(&self, mail: NewMail) -> Result<()> {
        self.enqueue_mail_tx(&mail).await
    }

    async fn outbox(&self, limit: u32) -> Result<Vec<Mail>> {
        self.outbox_list(limit).await
    }

    async fn claim_mail(&self, limit: u32, lease_seconds: i64) -> Result<Vec<Mail>> {
        self.claim_mail_tx(limit, chrono::Duration::seconds(lease_seconds)).await
    }

    async fn mail_sent(&self, id: uuid::Uuid) -> Result<()> {
        self.mail_sent_tx(id).await
    }

    async fn mail_failed(&self, id: uuid::Uuid, error: &str) -> Result<()> {
        self.mail_failed_tx(id, error).await
    }

    async fn express_interest(
        &self,
        challenge: RecordId,
        offer: RecordId,
        side: Side,
        actor: &Actor,
    ) -> Result<(Vec<Interest>, Option<Conversation>)> {
        self.express_interest_tx(challenge, offer, side, actor).await
    }

    async fn interests(&self, challenge: RecordId, offer: RecordId) -> Result<Vec<Interest>> {
        self.interests_of(challenge, offer).await
    }

    async fn conversation(&self, id: ConversationId) -> Result<Option<Conversation>> {
        self.conversation_by_id(id).await
    }

    async fn conversations_about(&self, records: &[RecordId], curator: Option<UserId>) -> Result<Vec<Conversation>> {
        self.conversations_about_records(records, curator).await
    }

    async fn add_message(
        &self,
        conversation: ConversationId,
        side: &str,
        body: &str,
        actor: &Actor,
    ) -> Result<Message> {
        self.add_message_tx(conversation, side, body, actor).await
    }

    async fn messages(&self, conversation: ConversationId) -> Result<Vec<Message>> {
        self.messages_of(conversation).await
    }

    async fn decline_conversation(
        &self,
        conversation: ConversationId,
        side: Side,
        reason: &str,
        actor: &Actor,
    ) -> Result<Conversation> {
        self.decline_tx(conversation, side, reason, actor).await
    }

    async fn invite_curator(
        &self,
        conversation: ConversationId,
        curator: UserId,
        actor: &Actor,
    ) -> Result<Conversation> {
        self.invite_curator_tx(conversation, curator, actor).await
    }

    async fn mark_read(&self, conversation: ConversationId, user: UserId) -> Result<()> {
        self.mark_read_tx(conversation, user).await
    }

    async fn read_at(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        self.read_at_of(conversation, user).await
    }

    async fn create_pilot(&self, pilot: &Pilot, actor: &Actor) -> Result<Pilot> {
        self.create_pilot_tx(pilot, actor).await
    }

    async fn pilot(&self, id: PilotId) -> Result<Option<Pilot>> {
        self.pilot_by_id(id).await
    }

    async fn pilots(&self, conversations: &[ConversationId], practice: Option<RecordId>) -> Result<Vec<Pilot>> {
        self.pilots_where(conversations, practice).await
    }

    async fn save_pilot(&self, pilot: &Pilot, expected_version: i64, step: &PilotStep, actor: &Actor) -> Result<Pilot> {
        self.save_pilot_tx(pilot, expected_version, step, actor).await
    }

    async fn pilot_events(&self, id: PilotId) -> Result<Vec<PilotEvent>> {
        self.pilot_events_of(id).await
    }

    async fn checklists(&self, country: Option<CountryCode>) -> Result<Vec<ProcurementChecklist>> {
        self.checklists_where(country).await
    }

    async fn put_checklist(
        &self,
        country: CountryCode,
        checklist: &Checklist,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<ProcurementChecklist> {
        self.put_checklist_tx(country, checklist, expected_version, actor).await
    }

    async fn record_by_uri(&self, uri: &str) -> Result<Option<RecordState>> {
        self.record_state_by_uri(uri).await
    }

    async fn add_peer(&self, base_url: &str, actor: &Actor) -> Result<Peer> {
        self.add_peer_tx(base_url, actor).await
    }

    async fn peers(&self) -> Result<Vec<Peer>> {
        self.peers_list().await
    }

    async fn finish_harvest(
        &self,
        peer: Uuid,
        harvested_until: Option<chrono::DateTime<chrono::Utc>>,
        report: &serde_json::Value,
    ) -> Result<Peer> {
        self.finish_harvest_tx(peer, harvested_until, report).await
    }

    async fn changed_records(&self, query: &ChangedQuery) -> Result<(Vec<Changed>, u64)> {
        self.changed_records_query(query).await
    }

    async fn earliest_change(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        self.earliest_change_query().await
    }

    async fn create_adoption(&self, practice: RecordId, input: &AdoptionInput, actor: &Actor) -> Result<Adoption> {
        self.create_adoption_tx(practice, input, actor).await
    }

    async fn adoption(&self, id: AdoptionId) -> Result<Option<Adoption>> {
        self.adoption_by_id(id).await
    }

    async fn adoptions(&self, practice: Option<RecordId>) -> Result<Vec<Adoption>> {
        self.adoptions_where(practice).await
    }

    async fn adoptions_deriving(&self, record: RecordId) -> Result<Vec<Adoption>> {
        self.adoptions_deriving_into(record).await
    }

    async fn adoption_counts(&self, practices: &[RecordId]) -> Result<std::collections::HashMap<RecordId, usize>> {
        self.adoption_counts_of(practices).await
    }

    async fn save_adoption(
        &self,
        id: AdoptionId,
        input: &AdoptionInput,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Adoption> {
        self.save_adoption_tx(id, input, expected_version, actor).await
    }

    async fn create_service(&self, input: &ServiceInput, actor: &Actor) -> Result<Service> {
        self.create_service_tx(input, actor).await
    }

    async fn service(&self, id: ServiceId) -> Result<Option<Service>> {
        self.service_by_id(id).await
    }

    async fn services(&self, practice: Option<RecordId>) -> Result<Vec<Service>> {
        self.services_where(practice).await
    }

    async fn save_service(
        &self,
        id: ServiceId,
        input: &ServiceInput,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<Service> {
        self.save_service_tx(id, input, expected_version, actor).await
    }

    async fn rates(&self) -> Result<Option<RateTable>> {
        self.rate_table().await
    }

    async fn put_rates(&self, rates: &Rates, expected_version: Option<i64>, actor: &Actor) -> Result<RateTable> {
        self.put_rates_tx(rates, expected_version, actor).await
    }

    async fn add_comment(&self, record: RecordId, body: &str, actor: &Actor) -> Result<Comment> {
        self.add_comment_tx(record, body, actor).await
    }

    async fn comments(&self, record: RecordId) -> Result<Vec<Comment>> {
        self.comments_of(record).await
    }

    async fn comment(&self, id: CommentId) -> Result<Option<Comment>> {
        self.comment_by_id(id).await
    }

    async fn set_comment_hidden(&self, id: CommentId, hidden: bool, actor: &Actor) -> Result<Comment> {
        self.set_comment_hidden_tx(id, hidden, actor).await
    }

    async fn create_report(&self, target: ReportTarget, reason: &str, actor: &Actor) -> Result<Report> {
        self.create_report_tx(target, reason, actor).await
    }

    async fn reports(&self, status: Option<ReportStatus>, limit: u32) -> Result<Vec<Report>> {
        self.reports_list(status, limit).await
    }

    async fn report(&self, id: ReportId) -> Result<Option<Report>> {
        self.report_by_id(id).await
    }

    async fn resolve_report(
        &self,
        id: ReportId,
        status: ReportStatus,
        resolution: &str,
        actor: &Actor,
    ) -> Result<Report> {
        self.resolve_report_tx(id, status, resolution, actor).await
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

    async fn organisations_by_id(&self, ids: &[OrganisationId]) -> Result<Vec<Organisation>> {
        self.organisations_with_ids(ids).await
    }

    async fn create_token(&self, token: NewToken, actor: &Actor) -> Result<TokenInfo> {
        self.create_token_tx(&token, actor).await
    }

    async fn use_token(&self, secret_hash: &str) -> Result<Option<TokenInfo>> {
        self.use_token_query(secret_hash).await
    }

    async fn list_tokens(&self, user: Option<UserId>) -> Result<Vec<TokenInfo>> {
        self.tokens(user).await
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

    async fn dump(
        &self,
        sink: &mut (dyn FnMut(crate::dump::DumpRow) -> Result<()> + Send),
    ) -> Result<std::collections::BTreeMap<&'static str, u64>> {
        self.dump_rows(sink).await
    }

    async fn load(
        &self,
        rows: &mut (dyn Iterator<Item = Result<crate::dump::DumpRow>> + Send),
        commit: bool,
    ) -> Result<std::collections::BTreeMap<&'static str, u64>> {
        self.load_rows(rows, commit).await
    }
}
