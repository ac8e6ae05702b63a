//! People: accounts, sessions, one-time tokens, and what privacy law asks of them — an export
//! of everything held about a person, and erasure.

use chrono::Duration;
use serde_json::{Value, json};

use banyan_domain::validate::Path;
use banyan_domain::{Email, OrgRole, OrganisationId, Role, UserId, Violations};

use super::write::{WriteLog, audit};
use super::{Backend, Row, Sql, SqlStore, SqlValue, Tx, now};
use crate::error::{Result, StoreError};
use crate::model::*;

const USER_COLUMNS: &str = "id, email, name, role, email_verified_at, blocked_at, created_at, updated_at";

/// How stale `last_seen_at` may get before a request writes it again.
const TOUCH_EVERY: Duration = Duration::seconds(60);

fn user_from_row(row: &Row) -> Result<User> {
    Ok(User {
        id: UserId(row.uuid("id")?),
        email: Email::parse(&row.text("email")?)
            .map_err(|e| StoreError::Corrupt(format!("user email: {}", e.message)))?,
        name: row.text("name")?,
        role: Role::parse(&row.text("role")?).ok_or_else(|| StoreError::Corrupt("user role".into()))?,
        email_verified_at: row.opt_time("email_verified_at")?,
        blocked_at: row.opt_time("blocked_at")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

fn session_from_row(row: &Row) -> Result<Session> {
    Ok(Session {
        id_hash: row.text("id_hash")?,
        user_id: UserId(row.uuid("user_id")?),
        kind: SessionKind::parse(&row.text("kind")?).ok_or_else(|| StoreError::Corrupt("session kind".into()))?,
        csrf: row.text("csrf")?,
        created_at: row.time("created_at")?,
        last_seen_at: row.time("last_seen_at")?,
        expires_at: row.time("expires_at")?,
    })
}

fn email_taken() -> StoreError {
    StoreError::Invalid(Violations::one(
        &Path::root().key("email"),
        "taken",
        "an account with this e-mail address exists",
    ))
}

impl<B: Backend> SqlStore<B> {
    pub(super) async fn create_user_tx(&self, new: &NewUser, actor: &Actor) -> Result<User> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let user = User {
            id: UserId::new(),
            email: new.email.clone(),
            name: new.name.clone(),
            role: new.role,
            email_verified_at: new.verified.then_some(at),
            blocked_at: None,
            created_at: at,
            updated_at: at,
        };
        tx.execute(
            "INSERT INTO users (id, email, name, password_hash, role, email_verified_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            vec![
                user.id.0.into(),
                user.email.as_str().into(),
                user.name.as_str().into(),
                new.password_hash.as_str().into(),
                user.role.as_str().into(),
                user.email_verified_at.into(),
                at.into(),
                at.into(),
            ],
        )
        .await
        .map_err(|e| if matches!(e, StoreError::Duplicate(_)) { email_taken() } else { e })?;
        // Only ids go to the audit log: names and addresses would outlive an erasure there.
        audit(&mut tx, actor, "user.create", &user.id.to_string(), None, at, json!({"role": user.role})).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub(super) async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        let rows = self
            .backend
            .fetch(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND erased_at IS NULL"), vec![id.0.into()])
            .await?;
        rows.first().map(user_from_row).transpose()
    }

    pub(super) async fn user_auth_by_email(&self, email: &Email) -> Result<Option<UserAuth>> {
        let rows = self
            .backend
            .fetch(
                &format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1 AND erased_at IS NULL"),
                vec![email.as_str().into()],
            )
            .await?;
        rows.first()
            .map(|r| Ok(UserAuth { user: user_from_row(r)?, password_hash: r.text("password_hash")? }))
            .transpose()
    }

    pub(super) async fn user_password_hash(&self, id: UserId) -> Result<Option<String>> {
        let rows = self
            .backend
            .fetch("SELECT password_hash FROM users WHERE id = $1 AND erased_at IS NULL", vec![id.0.into()])
            .await?;
        rows.first().map(|r| r.text("password_hash")).transpose()
    }

    pub(super) async fn list_users_query(&self, query: &UserQuery) -> Result<Page<User>> {
        let limit = query.limit.clamp(1, 1000);
        let filter = |q: &mut Sql| {
            if let Some(role) = query.role {
                q.push(" AND role = ").bind(role.as_str());
            }
            if let Some(blocked) = query.blocked {
                q.push(if blocked { " AND blocked_at IS NOT NULL" } else { " AND blocked_at IS NULL" });
            }
            if let Some(text) = query.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                // Case-insensitive on both backends: e-mails are stored lower-case; names are
                // compared lower-cased.
                let pattern = format!("%{}%", text.to_lowercase().replace(['%', '_'], ""));
                q.push(" AND (email LIKE ").bind(pattern.clone()).push(" OR LOWER(name) LIKE ").bind(pattern).push(")");
            }
        };
        let mut count = Sql::new("SELECT COUNT(*) AS n FROM users WHERE erased_at IS NULL");
        filter(&mut count);
        let mut q = Sql::new(&format!("SELECT {USER_COLUMNS} FROM users WHERE erased_at IS NULL"));
        filter(&mut q);
        if let Some(cursor) = &query.cursor {
            let id = cursor.decode(1).and_then(|p| uuid::Uuid::parse_str(&p[0]).ok()).ok_or_else(|| {
                StoreError::Invalid(Violations::one(
                    &Path::root().key("cursor"),
                    "invalid_value",
                    "is not a cursor from a previous page",
                ))
            })?;
            q.push(" AND id > ").bind(id);
        }
        q.push(" ORDER BY id LIMIT ").bind(i64::from(limit) + 1);
        let (sql, params) = count.finish();
        let total =
            self.backend.fetch(&sql, params).await?.first().map(|r| r.int("n")).transpose()?.unwrap_or(0) as u64;
        let (sql, params) = q.finish();
        let mut items: Vec<User> =
            self.backend.fetch(&sql, params).await?.iter().map(user_from_row).collect::<Result<_>>()?;
        let next_cursor = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|u| Cursor::encode(&[&u.id.to_string()]))
        } else {
            None
        };
        Ok(Page { items, total, next_cursor })
    }

    pub(super) async fn update_user_tx(&self, id: UserId, change: &UserChange, actor: &Actor) -> Result<User> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let mut q = Sql::new("UPDATE users SET updated_at = ");
        q.bind(at);
        let mut changed = Vec::new();
        if let Some(email) = &change.email {
            q.push(", email = ").bind(email.as_str());
            changed.push("email");
        }
        if let Some(name) = &change.name {
            q.push(", name = ").bind(name.as_str());
            changed.push("name");
        }
        if let Some(hash) = &change.password_hash {
            q.push(", password_hash = ").bind(hash.as_str());
            changed.push("password");
        }
        if let Some(role) = change.role {
            q.push(", role = ").bind(role.as_str());
            changed.push("role");
        }
        match change.blocked {
            Some(true) => {
                q.push(", blocked_at = ").bind(at);
                changed.push("blocked");
            }
            Some(false) => {
                q.push(", blocked_at = ").bind(None::<chrono::DateTime<chrono::Utc>>);
                changed.push("unblocked");
            }
            None => {}
        }
        if change.verified == Some(true) {
            q.push(", email_verified_at = COALESCE(email_verified_at, ").bind(at).push(")");
            changed.push("verified");
        }
        q.push(" WHERE id = ").bind(id.0).push(" AND erased_at IS NULL");
        let (sql, params) = q.finish();
        let n = tx
            .execute(&sql, params)
            .await
            .map_err(|e| if matches!(e, StoreError::Duplicate(_)) { email_taken() } else { e })?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let detail = json!({"changed": changed, "role": change.role});
        audit(&mut tx, actor, "user.update", &id.to_string(), None, at, detail).await?;
        let rows = tx.fetch(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"), vec![id.0.into()]).await?;
        let user = rows.first().map(user_from_row).transpose()?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(user)
    }

    // Sessions

    pub(super) async fn create_session_tx(&self, s: &Session) -> Result<()> {
        let mut tx = self.backend.begin().await?;
        tx.execute(
            "INSERT INTO sessions (id_hash, user_id, kind, csrf, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            vec![
                s.id_hash.as_str().into(),
                s.user_id.0.into(),
                s.kind.as_str().into(),
                s.csrf.as_str().into(),
                s.created_at.into(),
                s.last_seen_at.into(),
                s.expires_at.into(),
            ],
        )
        .await?;
        tx.commit().await
    }

    pub(super) async fn session_by_hash(&self, id_hash: &str) -> Result<Option<Session>> {
        let at = now();
        let rows = self
            .backend
            .fetch(
                "SELECT s.id_hash, s.user_id, s.kind, s.csrf, s.created_at, s.last_seen_at, s.expires_at \
                 FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.erased_at IS NULL AND u.blocked_at IS NULL",
                vec![id_hash.into(), at.into()],
            )
            .await?;
        let Some(session) = rows.first().map(session_from_row).transpose()? else { return Ok(None) };
        if at - session.last_seen_at > TOUCH_EVERY {
            let mut tx = self.backend.begin().await?;
            tx.execute("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2", vec![at.into(), id_hash.into()])
                .await?;
            tx.commit().await?;
        }
        Ok(Some(session))
    }

    pub(super) async fn end_session_tx(&self, id_hash: &str) -> Result<()> {
        let mut tx = self.backend.begin().await?;
        tx.execute("DELETE FROM sessions WHERE id_hash = $1", vec![id_hash.into()]).await?;
        tx.commit().await
    }

    pub(super) async fn end_sessions_tx(&self, user: UserId) -> Result<u64> {
        let mut tx = self.backend.begin().await?;
        let n = tx.execute("DELETE FROM sessions WHERE user_id = $1", vec![user.0.into()]).await?;
        tx.commit().await?;
        Ok(n)
    }

    // One-time tokens

    pub(super) async fn create_one_time_tx(&self, t: &OneTimeToken) -> Result<()> {
        let mut tx = self.backend.begin().await?;
        tx.execute(
            "INSERT INTO one_time_tokens (hash, purpose, user_id, email, data, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            vec![
                t.hash.as_str().into(),
                t.purpose.as_str().into(),
                t.user_id.map(|u| u.0).into(),
                t.email.as_ref().map(|e| e.as_str().to_string()).into(),
                t.data.clone().into(),
                t.created_at.into(),
                t.expires_at.into(),
            ],
        )
        .await?;
        tx.commit().await
    }

    /// Uses a token up: one statement marks it used only if it was unused and unexpired, so two
    /// requests racing with the same token cannot both succeed.
    pub(super) async fn take_one_time_tx(&self, hash: &str, purpose: Purpose) -> Result<Option<OneTimeToken>> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let rows = tx
            .fetch(
                "UPDATE one_time_tokens SET used_at = $1 \
                 WHERE hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
                 RETURNING hash, purpose, user_id, email, data, created_at, expires_at",
                vec![at.into(), hash.into(), purpose.as_str().into()],
            )
            .await?;
        tx.commit().await?;
        rows.first()
            .map(|r| {
                Ok(OneTimeToken {
                    hash: r.text("hash")?,
                    purpose,
                    user_id: if r.is_null("user_id")? { None } else { Some(UserId(r.uuid("user_id")?)) },
                    email: r.opt_text("email")?.and_then(|e| Email::parse(&e).ok()),
                    data: r.json("data")?,
                    created_at: r.time("created_at")?,
                    expires_at: r.time("expires_at")?,
                })
            })
            .transpose()
    }

    // Privacy

    /// Everything held about a person, as one JSON document.
    pub(super) async fn export_user_data(&self, id: UserId) -> Result<Value> {
        let user = self.user_by_id(id).await?.ok_or(StoreError::NotFound)?;
        let uid: SqlValue = id.0.into();
        let rows = |sql: &'static str| {
            let params = vec![uid.clone()];
            async move { self.backend.fetch(sql, params).await }
        };
        let sessions: Vec<Value> = rows("SELECT kind, created_at, last_seen_at, expires_at FROM sessions WHERE user_id = $1")
            .await?
            .iter()
            .map(|r| Ok(json!({"kind": r.text("kind")?, "created_at": r.time("created_at")?, "last_seen_at": r.time("last_seen_at")?, "expires_at": r.time("expires_at")?})))
            .collect::<Result<_>>()?;
        let tokens: Vec<Value> = rows("SELECT id, name, scopes, created_at, last_used_at, revoked_at, expires_at FROM api_tokens WHERE user_id = $1")
            .await?
            .iter()
            .map(|r| {
                Ok(json!({"id": r.uuid("id")?, "name": r.text("name")?, "scopes": r.text("scopes")?, "created_at": r.time("created_at")?,
                          "last_used_at": r.opt_time("last_used_at")?, "revoked_at": r.opt_time("revoked_at")?, "expires_at": r.opt_time("expires_at")?}))
            })
            .collect::<Result<_>>()?;
        let memberships: Vec<Value> = rows("SELECT organisation_id, role, created_at FROM memberships WHERE user_id = $1")
            .await?
            .iter()
            .map(|r| Ok(json!({"organisation": r.uuid("organisation_id")?, "role": r.text("role")?, "since": r.time("created_at")?})))
            .collect::<Result<_>>()?;
        let records: Vec<Value> = rows("SELECT r.data FROM records r WHERE r.owner_id = $1")
            .await?
            .iter()
            .map(|r| r.json("data"))
            .collect::<Result<_>>()?;
        let comments: Vec<Value> = rows("SELECT id, record_id, body, created_at FROM comments WHERE author_id = $1")
            .await?
            .iter()
            .map(|r| Ok(json!({"id": r.uuid("id")?, "record": r.uuid("record_id")?, "body": r.text("body")?, "created_at": r.time("created_at")?})))
            .collect::<Result<_>>()?;
        let messages: Vec<Value> = rows("SELECT id, conversation_id, side, body, created_at FROM messages WHERE author_id = $1")
            .await?
            .iter()
            .map(|r| Ok(json!({"id": r.uuid("id")?, "conversation": r.uuid("conversation_id")?, "side": r.text("side")?, "body": r.text("body")?, "created_at": r.time("created_at")?})))
            .collect::<Result<_>>()?;
        let pilot_steps: Vec<Value> = rows("SELECT pilot_id, action, side, note, at FROM pilot_events WHERE actor_id = $1")
            .await?
            .iter()
            .map(|r| Ok(json!({"pilot": r.uuid("pilot_id")?, "action": r.text("action")?, "side": r.opt_text("side")?, "note": r.opt_text("note")?, "at": r.time("at")?})))
            .collect::<Result<_>>()?;
        let reports: Vec<Value> = rows("SELECT id, target_kind, target_id, reason, status, created_at FROM reports WHERE reporter_id = $1")
            .await?
            .iter()
            .map(|r| {
                Ok(json!({"id": r.uuid("id")?, "target": {"kind": r.text("target_kind")?, "id": r.text("target_id")?},
                          "reason": r.text("reason")?, "status": r.text("status")?, "created_at": r.time("created_at")?}))
            })
            .collect::<Result<_>>()?;
        let mails: Vec<Value> = self
            .backend
            .fetch("SELECT to_email, subject, body, created_at, sent_at FROM outbox WHERE user_id = $1 OR to_email = $2", vec![uid.clone(), user.email.as_str().into()])
            .await?
            .iter()
            .map(|r| Ok(json!({"to": r.text("to_email")?, "subject": r.text("subject")?, "body": r.text("body")?, "created_at": r.time("created_at")?, "sent_at": r.opt_time("sent_at")?})))
            .collect::<Result<_>>()?;
        let actor = format!("user:{id}");
        let activity: Vec<Value> = self
            .backend
            .fetch("SELECT at, action, entity_id, version, detail FROM audit_log WHERE actor = $1 OR entity_id = $2 ORDER BY id", vec![actor.into(), id.to_string().into()])
            .await?
            .iter()
            .map(|r| Ok(json!({"at": r.time("at")?, "action": r.text("action")?, "entity": r.text("entity_id")?, "version": r.opt_int("version")?, "detail": r.json("detail")?})))
            .collect::<Result<_>>()?;
        Ok(json!({
            "exported_at": now(),
            "account": user,
            "sessions": sessions,
            "api_tokens": tokens,
            "memberships": memberships,
            "records": records,
            "comments": comments,
            "messages": messages,
            "pilot_steps": pilot_steps,
            "reports": reports,
            "mail": mails,
            "activity": activity,
        }))
    }

    /// Erases a person's personal data. What they published stays, without their contact details
    /// and attributed to no one ("former member"), unless `remove_content` asks for it to go too.
    pub(super) async fn erase_user_tx(&self, id: UserId, remove_content: bool, actor: &Actor) -> Result<()> {
        let mut tx = self.backend.begin().await?;
        let rows = tx.fetch("SELECT email FROM users WHERE id = $1 AND erased_at IS NULL", vec![id.0.into()]).await?;
        let email = rows.first().map(|r| r.text("email")).transpose()?.ok_or(StoreError::NotFound)?;
        let at = now();
        let uid: SqlValue = id.0.into();
        for sql in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM api_tokens WHERE user_id = $1",
            "DELETE FROM one_time_tokens WHERE user_id = $1",
            "DELETE FROM memberships WHERE user_id = $1",
            "DELETE FROM outbox WHERE user_id = $1",
        ] {
            tx.execute(sql, vec![uid.clone()]).await?;
        }
        tx.execute("DELETE FROM one_time_tokens WHERE email = $1", vec![email.as_str().into()]).await?;
        tx.execute("DELETE FROM outbox WHERE to_email = $1", vec![email.as_str().into()]).await?;
        // Their records lose their contact details everywhere they were kept, revisions included.
        let owned = tx.fetch("SELECT id FROM records WHERE owner_id = $1", vec![uid.clone()]).await?;
        for row in &owned {
            let record_id = row.uuid("id")?;
            let deleted_now = scrub_record(&mut tx, record_id, remove_content, at).await?;
            if let Some(version) = deleted_now {
                // Followers (search, federation, feeds) must learn that it is gone.
                let log = WriteLog { entity: Entity::Record, id: record_id, op: ChangeOp::Delete, version, at, actor };
                log.audit_as(&mut tx, "record.remove", json!({"reason": "removed at the author's request"})).await?;
                log.change::<B>(&mut tx).await?;
            }
        }
        if remove_content {
            tx.execute(
                "UPDATE comments SET body = '', hidden_at = $2 WHERE author_id = $1",
                vec![uid.clone(), at.into()],
            )
            .await?;
        }
        tx.execute("UPDATE comments SET author_id = NULL WHERE author_id = $1", vec![uid.clone()]).await?;
        // Messages in conversations are private to their parties: erased with the account.
        tx.execute("UPDATE messages SET body = '', author_id = NULL WHERE author_id = $1", vec![uid.clone()]).await?;
        tx.execute("UPDATE interests SET user_id = NULL WHERE user_id = $1", vec![uid.clone()]).await?;
        // A pilot's history keeps which side moved it and why (the organisations' record), not who.
        tx.execute("UPDATE pilot_events SET actor_id = NULL WHERE actor_id = $1", vec![uid.clone()]).await?;
        tx.execute("UPDATE procurement_checklists SET updated_by = NULL WHERE updated_by = $1", vec![uid.clone()])
            .await?;
        tx.execute("DELETE FROM conversation_reads WHERE user_id = $1", vec![uid.clone()]).await?;
        tx.execute("DELETE FROM conversation_curators WHERE user_id = $1", vec![uid.clone()]).await?;
        tx.execute("UPDATE reports SET reporter_id = NULL WHERE reporter_id = $1", vec![uid.clone()]).await?;
        tx.execute("UPDATE records SET owner_id = NULL WHERE owner_id = $1", vec![uid.clone()]).await?;
        // The row stays, so that ids in logs keep pointing somewhere, but holds nothing personal.
        tx.execute(
            "UPDATE users SET email = $2, name = '', password_hash = '', email_verified_at = NULL, blocked_at = NULL, \
             erased_at = $3, updated_at = $3 WHERE id = $1",
            vec![uid.clone(), format!("erased-{id}@invalid.invalid").into(), at.into()],
        )
        .await?;
        audit(&mut tx, actor, "user.erase", &id.to_string(), None, at, json!({"content_removed": remove_content}))
            .await?;
        tx.commit().await
    }

    pub(super) async fn memberships_of(&self, user: UserId) -> Result<Vec<(OrganisationId, OrgRole)>> {
        let rows = self
            .backend
            .fetch("SELECT organisation_id, role FROM memberships WHERE user_id = $1", vec![user.0.into()])
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    OrganisationId(r.uuid("organisation_id")?),
                    OrgRole::parse(&r.text("role")?).ok_or_else(|| StoreError::Corrupt("membership role".into()))?,
                ))
            })
            .collect()
    }

    pub(super) async fn members_of(&self, org: OrganisationId) -> Result<Vec<Member>> {
        let rows = self
            .backend
            .fetch(
                "SELECT m.user_id, m.role, m.created_at, u.name, u.email FROM memberships m JOIN users u ON u.id = m.user_id \
                 WHERE m.organisation_id = $1 AND u.erased_at IS NULL ORDER BY u.name, u.id",
                vec![org.0.into()],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Member {
                    user_id: UserId(r.uuid("user_id")?),
                    name: r.text("name")?,
                    email: Email::parse(&r.text("email")?).map_err(|e| StoreError::Corrupt(e.message))?,
                    role: OrgRole::parse(&r.text("role")?)
                        .ok_or_else(|| StoreError::Corrupt("membership role".into()))?,
                    since: r.time("created_at")?,
                })
            })
            .collect()
    }

    pub(super) async fn set_membership_tx(
        &self,
        org: OrganisationId,
        user: UserId,
        role: Option<OrgRole>,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        tx.execute(
            "DELETE FROM memberships WHERE organisation_id = $1 AND user_id = $2",
            vec![org.0.into(), user.0.into()],
        )
        .await?;
        if let Some(role) = role {
            tx.execute(
                "INSERT INTO memberships (organisation_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
                vec![org.0.into(), user.0.into(), role.as_str().into(), at.into()],
            )
            .await?;
        }
        let detail = json!({"user": user, "role": role});
        audit(&mut tx, actor, "organisation.membership", &org.to_string(), None, at, detail).await?;
        tx.commit().await
    }
}

/// Removes personal data (and, if asked, the content) from a record and every revision of it.
/// Returns the new version when the record was live and is now deleted.
async fn scrub_record<T: Tx>(
    tx: &mut T,
    id: uuid::Uuid,
    remove_content: bool,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Option<i64>> {
    let scrub = |mut data: Value| -> Value {
        data["owner"] = Value::Null;
        if let Some(details) = data.get_mut("details").and_then(Value::as_object_mut) {
            details.remove("contact");
            if remove_content {
                for v in details.values_mut() {
                    if v.is_string() {
                        *v = Value::Null;
                    }
                }
            }
        }
        if remove_content {
            data["title"] = json!("Removed at the author's request");
            data["summary"] = Value::Null;
            data["translations"] = json!({});
        }
        data
    };
    let rows = tx.fetch("SELECT data, version, deleted_at FROM records WHERE id = $1", vec![id.into()]).await?;
    let mut deleted_now = None;
    if let Some(row) = rows.first() {
        let data = scrub(row.json("data")?);
        let mut q = Sql::new("UPDATE records SET data = ");
        q.bind(data).push(", owner_id = NULL");
        if remove_content {
            q.push(", title = ").bind("Removed at the author's request");
            if row.is_null("deleted_at")? {
                let version = row.int("version")? + 1;
                q.push(", deleted_at = ").bind(at).push(", updated_at = ").bind(at).push(", version = ").bind(version);
                deleted_now = Some(version);
            }
        }
        q.push(" WHERE id = ").bind(id);
        let (sql, params) = q.finish();
        tx.execute(&sql, params).await?;
        if remove_content {
            tx.execute("DELETE FROM record_terms WHERE record_id = $1", vec![id.into()]).await?;
        }
    }
    let revisions = tx
        .fetch("SELECT version, data FROM revisions WHERE entity = 'record' AND entity_id = $1", vec![id.into()])
        .await?;
    for row in &revisions {
        tx.execute(
            "UPDATE revisions SET data = $1 WHERE entity = 'record' AND entity_id = $2 AND version = $3",
            vec![scrub(row.json("data")?).into(), id.into(), row.int("version")?.into()],
        )
        .await?;
    }
    Ok(deleted_now)
}
