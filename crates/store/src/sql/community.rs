//! Review comments and reports of abuse.

use serde_json::json;

use banyan_domain::{CommentId, RecordId, ReportId, UserId};

use super::write::audit;
use super::{Backend, Row, SqlStore, Tx, now};
use crate::error::{Result, StoreError};
use crate::model::*;

const COMMENT_COLUMNS: &str = "id, record_id, author_id, body, created_at, hidden_at";
const REPORT_COLUMNS: &str =
    "id, target_kind, target_id, reporter_id, reason, status, created_at, resolved_at, resolution";

fn comment_from_row(r: &Row) -> Result<Comment> {
    Ok(Comment {
        id: CommentId(r.uuid("id")?),
        record_id: RecordId(r.uuid("record_id")?),
        author_id: if r.is_null("author_id")? { None } else { Some(UserId(r.uuid("author_id")?)) },
        body: r.text("body")?,
        created_at: r.time("created_at")?,
        hidden: !r.is_null("hidden_at")?,
    })
}

fn report_from_row(r: &Row) -> Result<Report> {
    let target_id = uuid::Uuid::parse_str(&r.text("target_id")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let target = match r.text("target_kind")?.as_str() {
        "record" => ReportTarget::Record(RecordId(target_id)),
        "comment" => ReportTarget::Comment(CommentId(target_id)),
        other => return Err(StoreError::Corrupt(format!("report target {other}"))),
    };
    Ok(Report {
        id: ReportId(r.uuid("id")?),
        target,
        reporter_id: if r.is_null("reporter_id")? { None } else { Some(UserId(r.uuid("reporter_id")?)) },
        reason: r.text("reason")?,
        status: ReportStatus::parse(&r.text("status")?).ok_or_else(|| StoreError::Corrupt("report status".into()))?,
        created_at: r.time("created_at")?,
        resolved_at: r.opt_time("resolved_at")?,
        resolution: r.opt_text("resolution")?,
    })
}

impl<B: Backend> SqlStore<B> {
    pub(super) async fn add_comment_tx(&self, record: RecordId, body: &str, actor: &Actor) -> Result<Comment> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let comment = Comment {
            id: CommentId::new(),
            record_id: record,
            author_id: actor.user_id(),
            body: body.to_string(),
            created_at: at,
            hidden: false,
        };
        tx.execute(
            "INSERT INTO comments (id, record_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)",
            vec![comment.id.0.into(), record.0.into(), comment.author_id.map(|u| u.0).into(), body.into(), at.into()],
        )
        .await?;
        audit(&mut tx, actor, "comment.create", &record.to_string(), None, at, json!({"comment": comment.id})).await?;
        tx.commit().await?;
        Ok(comment)
    }

    pub(super) async fn comments_of(&self, record: RecordId) -> Result<Vec<Comment>> {
        let rows = self
            .backend
            .fetch(
                &format!("SELECT {COMMENT_COLUMNS} FROM comments WHERE record_id = $1 ORDER BY created_at, id"),
                vec![record.0.into()],
            )
            .await?;
        rows.iter().map(comment_from_row).collect()
    }

    pub(super) async fn comment_by_id(&self, id: CommentId) -> Result<Option<Comment>> {
        let rows = self
            .backend
            .fetch(&format!("SELECT {COMMENT_COLUMNS} FROM comments WHERE id = $1"), vec![id.0.into()])
            .await?;
        rows.first().map(comment_from_row).transpose()
    }

    pub(super) async fn set_comment_hidden_tx(&self, id: CommentId, hidden: bool, actor: &Actor) -> Result<Comment> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let value = if hidden { Some(at) } else { None };
        let n = tx.execute("UPDATE comments SET hidden_at = $1 WHERE id = $2", vec![value.into(), id.0.into()]).await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let action = if hidden { "comment.hide" } else { "comment.restore" };
        audit(&mut tx, actor, action, &id.to_string(), None, at, json!({})).await?;
        let rows =
            tx.fetch(&format!("SELECT {COMMENT_COLUMNS} FROM comments WHERE id = $1"), vec![id.0.into()]).await?;
        let comment = rows.first().map(comment_from_row).transpose()?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(comment)
    }

    pub(super) async fn create_report_tx(&self, target: ReportTarget, reason: &str, actor: &Actor) -> Result<Report> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let (kind, target_id) = match target {
            ReportTarget::Record(r) => ("record", r.0),
            ReportTarget::Comment(c) => ("comment", c.0),
        };
        let report = Report {
            id: ReportId::new(),
            target,
            reporter_id: actor.user_id(),
            reason: reason.to_string(),
            status: ReportStatus::Open,
            created_at: at,
            resolved_at: None,
            resolution: None,
        };
        tx.execute(
            "INSERT INTO reports (id, target_kind, target_id, reporter_id, reason, status, created_at) VALUES ($1, $2, $3, $4, $5, 'open', $6)",
            vec![report.id.0.into(), kind.into(), target_id.to_string().into(), report.reporter_id.map(|u| u.0).into(), reason.into(), at.into()],
        )
        .await?;
        audit(&mut tx, actor, "report.create", &report.id.to_string(), None, at, json!({"target": target})).await?;
        tx.commit().await?;
        Ok(report)
    }

    pub(super) async fn reports_list(&self, status: Option<ReportStatus>, limit: u32) -> Result<Vec<Report>> {
        let limit = i64::from(limit.clamp(1, 1000));
        let rows = match status {
            Some(s) => {
                self.backend
                    .fetch(
                        &format!(
                            "SELECT {REPORT_COLUMNS} FROM reports WHERE status = $1 ORDER BY created_at, id LIMIT $2"
                        ),
                        vec![s.as_str().into(), limit.into()],
                    )
                    .await?
            }
            None => {
                self.backend
                    .fetch(
                        &format!("SELECT {REPORT_COLUMNS} FROM reports ORDER BY created_at DESC, id DESC LIMIT $1"),
                        vec![limit.into()],
                    )
                    .await?
            }
        };
        rows.iter().map(report_from_row).collect()
    }

    pub(super) async fn report_by_id(&self, id: ReportId) -> Result<Option<Report>> {
        let rows = self
            .backend
            .fetch(&format!("SELECT {REPORT_COLUMNS} FROM reports WHERE id = $1"), vec![id.0.into()])
            .await?;
        rows.first().map(report_from_row).transpose()
    }

    pub(super) async fn resolve_report_tx(
        &self,
        id: ReportId,
        status: ReportStatus,
        resolution: &str,
        actor: &Actor,
    ) -> Result<Report> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let n = tx
            .execute(
                "UPDATE reports SET status = $1, resolved_at = $2, resolved_by = $3, resolution = $4 WHERE id = $5",
                vec![status.as_str().into(), at.into(), actor.label().into(), resolution.into(), id.0.into()],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit(&mut tx, actor, "report.resolve", &id.to_string(), None, at, json!({"status": status})).await?;
        let rows = tx.fetch(&format!("SELECT {REPORT_COLUMNS} FROM reports WHERE id = $1"), vec![id.0.into()]).await?;
        let report = rows.first().map(report_from_row).transpose()?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(report)
    }
}
