//! The outbox: mail is written here in the same database as everything else, and sent by SMTP
//! when a sender is configured. Without one, admins (and tests) read it.

use chrono::Duration;

use banyan_domain::Email;

use super::{Backend, Row, SqlStore, Tx, now};
use crate::error::{Result, StoreError};
use crate::model::*;

const COLUMNS: &str = "id, to_email, subject, body, created_at, sent_at, attempts, last_error";

/// Attempts before a mail is given up.
pub const MAX_ATTEMPTS: i64 = 8;

fn from_row(r: &Row) -> Result<Mail> {
    Ok(Mail {
        id: r.uuid("id")?,
        to: Email::parse(&r.text("to_email")?).map_err(|e| StoreError::Corrupt(e.message))?,
        subject: r.text("subject")?,
        body: r.text("body")?,
        created_at: r.time("created_at")?,
        sent_at: r.opt_time("sent_at")?,
        attempts: r.int("attempts")?,
        last_error: r.opt_text("last_error")?,
    })
}

impl<B: Backend> SqlStore<B> {
    pub(super) async fn enqueue_mail_tx(&self, mail: &NewMail) -> Result<()> {
        let mut tx = self.backend.begin().await?;
        tx.execute(
            "INSERT INTO outbox (id, to_email, user_id, subject, body, created_at, attempts) VALUES ($1, $2, $3, $4, $5, $6, 0)",
            vec![
                uuid::Uuid::now_v7().into(),
                mail.to.as_str().into(),
                mail.user_id.map(|u| u.0).into(),
                mail.subject.as_str().into(),
                mail.body.as_str().into(),
                now().into(),
            ],
        )
        .await?;
        tx.commit().await
    }

    pub(super) async fn outbox_list(&self, limit: u32) -> Result<Vec<Mail>> {
        let rows = self
            .backend
            .fetch(
                &format!("SELECT {COLUMNS} FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1"),
                vec![i64::from(limit.clamp(1, 1000)).into()],
            )
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Takes unsent mail for sending, holding each for `lease` so that no other instance sends
    /// it meanwhile. Mail that failed waits longer after each attempt.
    pub(super) async fn claim_mail_tx(&self, limit: u32, lease: Duration) -> Result<Vec<Mail>> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let rows = tx
            .fetch(
                &format!(
                    "SELECT {COLUMNS} FROM outbox WHERE sent_at IS NULL AND attempts < $1 \
                     AND (claimed_until IS NULL OR claimed_until < $2) ORDER BY created_at LIMIT $3"
                ),
                vec![MAX_ATTEMPTS.into(), at.into(), i64::from(limit).into()],
            )
            .await?;
        let mut claimed = Vec::new();
        for row in &rows {
            let mail = from_row(row)?;
            let n = tx
                .execute(
                    "UPDATE outbox SET claimed_until = $1 WHERE id = $2 AND (claimed_until IS NULL OR claimed_until < $3)",
                    vec![(at + lease).into(), mail.id.into(), at.into()],
                )
                .await?;
            if n == 1 {
                claimed.push(mail);
            }
        }
        tx.commit().await?;
        Ok(claimed)
    }

    pub(super) async fn mail_sent_tx(&self, id: uuid::Uuid) -> Result<()> {
        let mut tx = self.backend.begin().await?;
        tx.execute("UPDATE outbox SET sent_at = $1, claimed_until = NULL WHERE id = $2", vec![now().into(), id.into()])
            .await?;
        tx.commit().await
    }

    pub(super) async fn mail_failed_tx(&self, id: uuid::Uuid, error: &str) -> Result<()> {
        let mut tx = self.backend.begin().await?;
        let rows = tx.fetch("SELECT attempts FROM outbox WHERE id = $1", vec![id.into()]).await?;
        let attempts = rows.first().map(|r| r.int("attempts")).transpose()?.unwrap_or(0) + 1;
        // Back off: 1, 2, 4, … minutes before the next attempt.
        let retry_at = now() + Duration::minutes(1 << attempts.min(10));
        let error: String = error.chars().take(500).collect();
        tx.execute(
            "UPDATE outbox SET attempts = $1, last_error = $2, claimed_until = $3 WHERE id = $4",
            vec![attempts.into(), error.into(), retry_at.into(), id.into()],
        )
        .await?;
        tx.commit().await
    }
}
