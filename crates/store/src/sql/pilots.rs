//! Pilots and their history, and the procurement checklists kept per country.
//!
//! Every change to a pilot names the version it was made on, writes the next step of its
//! history and an audit entry, in one transaction: the history has no gaps and no step is lost.

use serde_json::json;

use banyan_domain::PilotStatus;
use banyan_domain::validate::Path;
use banyan_domain::{Checklist, ConversationId, CountryCode, Pilot, PilotEvent, PilotId, RecordId, Side, Violations};

use super::builder::Sql;
use super::write::audit;
use super::{Backend, Row, SqlStore, Tx, now};
use crate::error::{Result, StoreError};
use crate::model::{Actor, PilotStep, ProcurementChecklist};

const PILOT_COLUMNS: &str = "id, conversation_id, challenge_id, offer_id, status, proposed_by, plan, evaluation, \
                             award, practice_id, version, created_at, updated_at";

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("pilot {what}"))
}

fn pilot_from_row(r: &Row) -> Result<Pilot> {
    Ok(Pilot {
        id: PilotId(r.uuid("id")?),
        conversation_id: ConversationId(r.uuid("conversation_id")?),
        challenge_id: RecordId(r.uuid("challenge_id")?),
        offer_id: RecordId(r.uuid("offer_id")?),
        status: PilotStatus::parse(&r.text("status")?).map_err(|_| corrupt("status"))?,
        proposed_by: Side::parse(&r.text("proposed_by")?).ok_or_else(|| corrupt("side"))?,
        plan: r.decode("plan")?,
        evaluation: if r.is_null("evaluation")? { None } else { Some(r.decode("evaluation")?) },
        award: if r.is_null("award")? { None } else { Some(r.decode("award")?) },
        practice_id: if r.is_null("practice_id")? { None } else { Some(RecordId(r.uuid("practice_id")?)) },
        version: r.int("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn json_of<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("pilot parts serialise")
}

fn opt_json<T: serde::Serialize>(v: &Option<T>) -> super::SqlValue {
    match v {
        Some(v) => json_of(v).into(),
        None => super::SqlValue::Null(super::SqlType::Json),
    }
}

async fn write_step<T: Tx>(
    tx: &mut T,
    pilot: PilotId,
    step: &PilotStep,
    actor: &Actor,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let rows = tx
        .fetch("SELECT COALESCE(MAX(seq), 0) AS seq FROM pilot_events WHERE pilot_id = $1", vec![pilot.0.into()])
        .await?;
    let seq = rows.first().map(|r| r.int("seq")).transpose()?.unwrap_or(0) + 1;
    tx.execute(
        "INSERT INTO pilot_events (pilot_id, seq, action, from_status, side, actor_id, note, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        vec![
            pilot.0.into(),
            seq.into(),
            step.action.as_str().into(),
            step.from.map(|s| s.code()).into(),
            step.side.map(|s| s.as_str()).into(),
            actor.user_id().map(|u| u.0).into(),
            step.note.clone().into(),
            at.into(),
        ],
    )
    .await?;
    audit(
        tx,
        actor,
        &format!("pilot.{}", step.action),
        &pilot.to_string(),
        None,
        at,
        json!({"from": step.from.map(|s| s.code()), "side": step.side.map(|s| s.as_str()), "note": step.note}),
    )
    .await
}

impl<B: Backend> SqlStore<B> {
    pub(super) async fn create_pilot_tx(&self, pilot: &Pilot, actor: &Actor) -> Result<Pilot> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let status = tx
            .fetch(
                "SELECT status, challenge_id, offer_id FROM conversations WHERE id = $1",
                vec![pilot.conversation_id.0.into()],
            )
            .await?;
        let Some(row) = status.first() else { return Err(StoreError::NotFound) };
        if row.text("status")? != "open" {
            return Err(StoreError::Invalid(Violations::one(
                &Path::root().key("conversation"),
                "closed",
                "the conversation was declined",
            )));
        }
        if RecordId(row.uuid("challenge_id")?) != pilot.challenge_id
            || RecordId(row.uuid("offer_id")?) != pilot.offer_id
        {
            return Err(StoreError::Invalid(Violations::one(
                &Path::root().key("conversation"),
                "invalid_value",
                "the pilot's records are not the conversation's",
            )));
        }
        tx.execute(
            &format!(
                "INSERT INTO pilots ({PILOT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)"
            ),
            vec![
                pilot.id.0.into(),
                pilot.conversation_id.0.into(),
                pilot.challenge_id.0.into(),
                pilot.offer_id.0.into(),
                pilot.status.code().into(),
                pilot.proposed_by.as_str().into(),
                json_of(&pilot.plan).into(),
                opt_json(&pilot.evaluation),
                opt_json(&pilot.award),
                pilot.practice_id.map(|p| p.0).into(),
                at.into(),
            ],
        )
        .await?;
        let step = PilotStep { action: "proposed".into(), from: None, side: Some(pilot.proposed_by), note: None };
        write_step(&mut tx, pilot.id, &step, actor, at).await?;
        tx.execute(
            "UPDATE conversations SET updated_at = $2 WHERE id = $1",
            vec![pilot.conversation_id.0.into(), at.into()],
        )
        .await?;
        tx.commit().await?;
        self.pilot_by_id(pilot.id).await?.ok_or(StoreError::NotFound)
    }

    pub(super) async fn pilot_by_id(&self, id: PilotId) -> Result<Option<Pilot>> {
        let rows =
            self.backend.fetch(&format!("SELECT {PILOT_COLUMNS} FROM pilots WHERE id = $1"), vec![id.0.into()]).await?;
        rows.first().map(pilot_from_row).transpose()
    }

    /// Pilots in any of these conversations, or (with `practice`) adopted into that practice;
    /// most recently changed first.
    pub(super) async fn pilots_where(
        &self,
        conversations: &[ConversationId],
        practice: Option<RecordId>,
    ) -> Result<Vec<Pilot>> {
        let mut q = Sql::new(&format!("SELECT {PILOT_COLUMNS} FROM pilots WHERE 1 = 0"));
        if !conversations.is_empty() {
            q.push(" OR conversation_id IN (");
            for (i, id) in conversations.iter().enumerate() {
                q.push(if i == 0 { "" } else { ", " }).bind(id.0);
            }
            q.push(")");
        }
        if let Some(p) = practice {
            q.push(" OR practice_id = ").bind(p.0);
        }
        q.push(" ORDER BY updated_at DESC, id");
        let (sql, params) = q.finish();
        self.backend.fetch(&sql, params).await?.iter().map(pilot_from_row).collect()
    }

    /// Writes the pilot as changed from `expected_version`, with one step of history.
    pub(super) async fn save_pilot_tx(
        &self,
        pilot: &Pilot,
        expected_version: i64,
        step: &PilotStep,
        actor: &Actor,
    ) -> Result<Pilot> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let n = tx
            .execute(
                "UPDATE pilots SET status = $3, proposed_by = $4, plan = $5, evaluation = $6, award = $7, \
                 practice_id = $8, version = version + 1, updated_at = $9 WHERE id = $1 AND version = $2",
                vec![
                    pilot.id.0.into(),
                    expected_version.into(),
                    pilot.status.code().into(),
                    pilot.proposed_by.as_str().into(),
                    json_of(&pilot.plan).into(),
                    opt_json(&pilot.evaluation),
                    opt_json(&pilot.award),
                    pilot.practice_id.map(|p| p.0).into(),
                    at.into(),
                ],
            )
            .await?;
        if n == 0 {
            let rows = tx.fetch("SELECT version FROM pilots WHERE id = $1", vec![pilot.id.0.into()]).await?;
            return Err(match rows.first() {
                None => StoreError::NotFound,
                Some(r) => StoreError::Conflict { expected: expected_version, current: r.int("version")? },
            });
        }
        write_step(&mut tx, pilot.id, step, actor, at).await?;
        tx.execute(
            "UPDATE conversations SET updated_at = $2 WHERE id = $1",
            vec![pilot.conversation_id.0.into(), at.into()],
        )
        .await?;
        tx.commit().await?;
        self.pilot_by_id(pilot.id).await?.ok_or(StoreError::NotFound)
    }

    pub(super) async fn pilot_events_of(&self, id: PilotId) -> Result<Vec<PilotEvent>> {
        let rows = self
            .backend
            .fetch(
                "SELECT action, from_status, side, note, at FROM pilot_events WHERE pilot_id = $1 ORDER BY seq",
                vec![id.0.into()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(PilotEvent {
                    action: r.text("action")?,
                    from: r
                        .opt_text("from_status")?
                        .map(|s| PilotStatus::parse(&s))
                        .transpose()
                        .map_err(|_| corrupt("event"))?,
                    side: r.opt_text("side")?.as_deref().and_then(Side::parse),
                    note: r.opt_text("note")?,
                    at: r.time("at")?,
                })
            })
            .collect()
    }

    pub(super) async fn checklists_where(&self, country: Option<CountryCode>) -> Result<Vec<ProcurementChecklist>> {
        let mut q = Sql::new("SELECT country, data, version, updated_at FROM procurement_checklists");
        if let Some(c) = country {
            q.push(" WHERE country = ").bind(c.code().to_string());
        }
        q.push(" ORDER BY country");
        let (sql, params) = q.finish();
        self.backend
            .fetch(&sql, params)
            .await?
            .iter()
            .map(|r| {
                Ok(ProcurementChecklist {
                    country: CountryCode::parse(&r.text("country")?).map_err(|_| corrupt("checklist country"))?,
                    checklist: r.decode("data")?,
                    version: r.int("version")?,
                    updated_at: r.time("updated_at")?,
                })
            })
            .collect()
    }

    /// Creates (`expected_version` 0) or replaces a country's checklist.
    pub(super) async fn put_checklist_tx(
        &self,
        country: CountryCode,
        checklist: &Checklist,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<ProcurementChecklist> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let code = country.code().to_string();
        let current = tx
            .fetch("SELECT version FROM procurement_checklists WHERE country = $1", vec![code.clone().into()])
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
        let data = json_of(checklist);
        let user = actor.user_id().map(|u| u.0);
        if current == 0 {
            tx.execute(
                "INSERT INTO procurement_checklists (country, data, version, updated_by, updated_at) \
                 VALUES ($1, $2, 1, $3, $4)",
                vec![code.clone().into(), data.into(), user.into(), at.into()],
            )
            .await?;
        } else {
            tx.execute(
                "UPDATE procurement_checklists SET data = $2, version = version + 1, updated_by = $3, updated_at = $4 \
                 WHERE country = $1",
                vec![code.clone().into(), data.into(), user.into(), at.into()],
            )
            .await?;
        }
        audit(&mut tx, actor, "procurement.put", &format!("procurement:{code}"), Some(current + 1), at, json!({}))
            .await?;
        tx.commit().await?;
        self.checklists_where(Some(country)).await?.pop().ok_or(StoreError::NotFound)
    }
}
