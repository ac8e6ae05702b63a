//! Interest in a match, and the conversations that open when both sides have expressed it.

use serde_json::json;

use banyan_domain::validate::Path;
use banyan_domain::{ConversationId, MessageId, RecordId, UserId, Violations};

use super::builder::Sql;
use super::write::audit;
use super::{Backend, Row, SqlStore, Tx, now};
use crate::error::{Result, StoreError};
use crate::model::*;

const CONVERSATION_COLUMNS: &str =
    "id, challenge_id, offer_id, status, declined_by, decline_reason, created_at, updated_at";
const MESSAGE_COLUMNS: &str = "id, conversation_id, author_id, side, body, created_at";

fn interest_from_row(r: &Row) -> Result<Interest> {
    Ok(Interest {
        challenge_id: RecordId(r.uuid("challenge_id")?),
        offer_id: RecordId(r.uuid("offer_id")?),
        side: Side::parse(&r.text("side")?).ok_or_else(|| StoreError::Corrupt("interest side".into()))?,
        user_id: if r.is_null("user_id")? { None } else { Some(UserId(r.uuid("user_id")?)) },
        created_at: r.time("created_at")?,
    })
}

fn conversation_from_row(r: &Row, curators: Vec<UserId>) -> Result<Conversation> {
    Ok(Conversation {
        id: ConversationId(r.uuid("id")?),
        challenge_id: RecordId(r.uuid("challenge_id")?),
        offer_id: RecordId(r.uuid("offer_id")?),
        status: r.text("status")?,
        declined_by: r.opt_text("declined_by")?.as_deref().and_then(Side::parse),
        decline_reason: r.opt_text("decline_reason")?,
        curators,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn message_from_row(r: &Row) -> Result<Message> {
    Ok(Message {
        id: MessageId(r.uuid("id")?),
        conversation_id: ConversationId(r.uuid("conversation_id")?),
        author_id: if r.is_null("author_id")? { None } else { Some(UserId(r.uuid("author_id")?)) },
        side: r.text("side")?,
        body: r.text("body")?,
        created_at: r.time("created_at")?,
    })
}

/// A declined conversation takes no more messages and cannot be declined again.
fn closed() -> StoreError {
    StoreError::Invalid(Violations::one(&Path::root().key("conversation"), "closed", "the conversation was declined"))
}

impl<B: Backend> SqlStore<B> {
    pub(super) async fn express_interest_tx(
        &self,
        challenge: RecordId,
        offer: RecordId,
        side: Side,
        actor: &Actor,
    ) -> Result<(Vec<Interest>, Option<Conversation>)> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let n = tx
            .execute(
                "INSERT INTO interests (challenge_id, offer_id, side, user_id, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (challenge_id, offer_id, side) DO NOTHING",
                vec![
                    challenge.0.into(),
                    offer.0.into(),
                    side.as_str().into(),
                    actor.user_id().map(|u| u.0).into(),
                    at.into(),
                ],
            )
            .await?;
        if n > 0 {
            audit(
                &mut tx,
                actor,
                "interest.create",
                &challenge.to_string(),
                None,
                at,
                json!({"offer": offer, "side": side.as_str()}),
            )
            .await?;
        }
        let rows = tx
            .fetch(
                "SELECT challenge_id, offer_id, side, user_id, created_at FROM interests \
                 WHERE challenge_id = $1 AND offer_id = $2 ORDER BY created_at, side",
                vec![challenge.0.into(), offer.0.into()],
            )
            .await?;
        let interests: Vec<Interest> = rows.iter().map(interest_from_row).collect::<Result<_>>()?;
        let existing = tx
            .fetch(
                &format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE challenge_id = $1 AND offer_id = $2"),
                vec![challenge.0.into(), offer.0.into()],
            )
            .await?;
        let conversation = match existing.first() {
            Some(row) => Some(conversation_from_row(row, Vec::new())?.id),
            None if interests.len() == 2 => {
                let id = ConversationId::new();
                tx.execute(
                    "INSERT INTO conversations (id, challenge_id, offer_id, status, created_at, updated_at) \
                     VALUES ($1, $2, $3, 'open', $4, $4)",
                    vec![id.0.into(), challenge.0.into(), offer.0.into(), at.into()],
                )
                .await?;
                audit(
                    &mut tx,
                    actor,
                    "conversation.open",
                    &id.to_string(),
                    None,
                    at,
                    json!({"challenge": challenge, "offer": offer}),
                )
                .await?;
                Some(id)
            }
            None => None,
        };
        tx.commit().await?;
        let conversation = match conversation {
            Some(id) => self.conversation_by_id(id).await?,
            None => None,
        };
        Ok((interests, conversation))
    }

    pub(super) async fn interests_of(&self, challenge: RecordId, offer: RecordId) -> Result<Vec<Interest>> {
        let rows = self
            .backend
            .fetch(
                "SELECT challenge_id, offer_id, side, user_id, created_at FROM interests \
                 WHERE challenge_id = $1 AND offer_id = $2 ORDER BY created_at, side",
                vec![challenge.0.into(), offer.0.into()],
            )
            .await?;
        rows.iter().map(interest_from_row).collect()
    }

    async fn curators_of(&self, id: ConversationId) -> Result<Vec<UserId>> {
        let rows = self
            .backend
            .fetch(
                "SELECT user_id FROM conversation_curators WHERE conversation_id = $1 ORDER BY invited_at, user_id",
                vec![id.0.into()],
            )
            .await?;
        rows.iter().map(|r| Ok(UserId(r.uuid("user_id")?))).collect()
    }

    pub(super) async fn conversation_by_id(&self, id: ConversationId) -> Result<Option<Conversation>> {
        let rows = self
            .backend
            .fetch(&format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = $1"), vec![id.0.into()])
            .await?;
        match rows.first() {
            Some(row) => Ok(Some(conversation_from_row(row, self.curators_of(id).await?)?)),
            None => Ok(None),
        }
    }

    pub(super) async fn conversations_about_records(
        &self,
        records: &[RecordId],
        curator: Option<UserId>,
    ) -> Result<Vec<Conversation>> {
        let mut q = Sql::new(&format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE 1 = 0"));
        if !records.is_empty() {
            for column in ["challenge_id", "offer_id"] {
                q.push(&format!(" OR {column} IN ("));
                for (i, id) in records.iter().enumerate() {
                    q.push(if i == 0 { "" } else { ", " }).bind(id.0);
                }
                q.push(")");
            }
        }
        if let Some(user) = curator {
            q.push(" OR id IN (SELECT conversation_id FROM conversation_curators WHERE user_id = ")
                .bind(user.0)
                .push(")");
        }
        q.push(" ORDER BY updated_at DESC, id");
        let (sql, params) = q.finish();
        let mut out = Vec::new();
        for row in self.backend.fetch(&sql, params).await? {
            let id = ConversationId(row.uuid("id")?);
            out.push(conversation_from_row(&row, self.curators_of(id).await?)?);
        }
        Ok(out)
    }

    pub(super) async fn add_message_tx(
        &self,
        conversation: ConversationId,
        side: &str,
        body: &str,
        actor: &Actor,
    ) -> Result<Message> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let status = tx.fetch("SELECT status FROM conversations WHERE id = $1", vec![conversation.0.into()]).await?;
        match status.first().map(|r| r.text("status")).transpose()?.as_deref() {
            None => return Err(StoreError::NotFound),
            Some("open") => {}
            Some(_) => return Err(closed()),
        }
        let message = Message {
            id: MessageId::new(),
            conversation_id: conversation,
            author_id: actor.user_id(),
            side: side.to_string(),
            body: body.to_string(),
            created_at: at,
        };
        tx.execute(
            "INSERT INTO messages (id, conversation_id, author_id, side, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            vec![
                message.id.0.into(),
                conversation.0.into(),
                message.author_id.map(|u| u.0).into(),
                side.into(),
                body.into(),
                at.into(),
            ],
        )
        .await?;
        tx.execute("UPDATE conversations SET updated_at = $2 WHERE id = $1", vec![conversation.0.into(), at.into()])
            .await?;
        audit(&mut tx, actor, "message.create", &conversation.to_string(), None, at, json!({"message": message.id}))
            .await?;
        tx.commit().await?;
        Ok(message)
    }

    pub(super) async fn messages_of(&self, conversation: ConversationId) -> Result<Vec<Message>> {
        let rows = self
            .backend
            .fetch(
                &format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 ORDER BY created_at, id"),
                vec![conversation.0.into()],
            )
            .await?;
        rows.iter().map(message_from_row).collect()
    }

    pub(super) async fn decline_tx(
        &self,
        conversation: ConversationId,
        side: Side,
        reason: &str,
        actor: &Actor,
    ) -> Result<Conversation> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let n = tx
            .execute(
                "UPDATE conversations SET status = 'declined', declined_by = $2, decline_reason = $3, updated_at = $4 \
                 WHERE id = $1 AND status = 'open'",
                vec![conversation.0.into(), side.as_str().into(), reason.into(), at.into()],
            )
            .await?;
        if n == 0 {
            let exists = tx.fetch("SELECT id FROM conversations WHERE id = $1", vec![conversation.0.into()]).await?;
            return Err(if exists.is_empty() { StoreError::NotFound } else { closed() });
        }
        audit(
            &mut tx,
            actor,
            "conversation.decline",
            &conversation.to_string(),
            None,
            at,
            json!({"side": side.as_str()}),
        )
        .await?;
        tx.commit().await?;
        self.conversation_by_id(conversation).await?.ok_or(StoreError::NotFound)
    }

    pub(super) async fn invite_curator_tx(
        &self,
        conversation: ConversationId,
        curator: UserId,
        actor: &Actor,
    ) -> Result<Conversation> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        if tx.fetch("SELECT id FROM conversations WHERE id = $1", vec![conversation.0.into()]).await?.is_empty() {
            return Err(StoreError::NotFound);
        }
        let n = tx
            .execute(
                "INSERT INTO conversation_curators (conversation_id, user_id, invited_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (conversation_id, user_id) DO NOTHING",
                vec![conversation.0.into(), curator.0.into(), at.into()],
            )
            .await?;
        if n > 0 {
            audit(
                &mut tx,
                actor,
                "conversation.invite",
                &conversation.to_string(),
                None,
                at,
                json!({"curator": curator}),
            )
            .await?;
        }
        tx.commit().await?;
        self.conversation_by_id(conversation).await?.ok_or(StoreError::NotFound)
    }

    pub(super) async fn mark_read_tx(&self, conversation: ConversationId, user: UserId) -> Result<()> {
        let mut tx = self.backend.begin().await?;
        tx.execute(
            "INSERT INTO conversation_reads (conversation_id, user_id, read_at) VALUES ($1, $2, $3) \
             ON CONFLICT (conversation_id, user_id) DO UPDATE SET read_at = excluded.read_at",
            vec![conversation.0.into(), user.0.into(), now().into()],
        )
        .await?;
        tx.commit().await
    }

    pub(super) async fn read_at_of(
        &self,
        conversation: ConversationId,
        user: UserId,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        let rows = self
            .backend
            .fetch(
                "SELECT read_at FROM conversation_reads WHERE conversation_id = $1 AND user_id = $2",
                vec![conversation.0.into(), user.0.into()],
            )
            .await?;
        rows.first().map(|r| r.time("read_at")).transpose()
    }
}
