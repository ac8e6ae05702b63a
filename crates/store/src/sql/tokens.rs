//! API tokens: stored as hashes, shown once, revocable.

use chrono::Duration;
use serde_json::json;

use banyan_domain::{Role, Scope, TokenId, UserId};

use super::write::audit;
use super::{Backend, Row, SqlStore, Tx, now};
use crate::error::{Result, StoreError};
use crate::model::*;

const COLUMNS: &str = "id, name, role, user_id, scopes, created_at, created_by, last_used_at, revoked_at, expires_at";

/// How stale `last_used_at` may get before a use writes it again. Writing on every request
/// would turn every authenticated read into a write.
const TOUCH_EVERY: Duration = Duration::seconds(60);

fn from_row(row: &Row) -> Result<TokenInfo> {
    Ok(TokenInfo {
        id: TokenId(row.uuid("id")?),
        name: row.text("name")?,
        role: Role::parse(&row.text("role")?).ok_or_else(|| StoreError::Corrupt("token role".into()))?,
        user_id: if row.is_null("user_id")? { None } else { Some(UserId(row.uuid("user_id")?)) },
        scopes: row.text("scopes")?.split(',').filter_map(Scope::parse).collect(),
        created_at: row.time("created_at")?,
        created_by: row.text("created_by")?,
        last_used_at: row.opt_time("last_used_at")?,
        revoked_at: row.opt_time("revoked_at")?,
        expires_at: row.opt_time("expires_at")?,
    })
}

impl<B: Backend> SqlStore<B> {
    pub(super) async fn create_token_tx(&self, token: &NewToken, actor: &Actor) -> Result<TokenInfo> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        tx.execute(
            "INSERT INTO api_tokens (id, name, role, secret_hash, created_at, created_by, expires_at, user_id, scopes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            vec![
                token.id.0.into(),
                token.name.as_str().into(),
                token.role.as_str().into(),
                token.secret_hash.as_str().into(),
                at.into(),
                actor.label().into(),
                token.expires_at.into(),
                token.user_id.map(|u| u.0).into(),
                token.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",").into(),
            ],
        )
        .await?;
        audit(
            &mut tx,
            actor,
            "token.create",
            &token.id.to_string(),
            None,
            at,
            json!({"role": token.role, "scopes": token.scopes, "personal": token.user_id.is_some()}),
        )
        .await?;
        tx.commit().await?;
        Ok(TokenInfo {
            id: token.id,
            name: token.name.clone(),
            role: token.role,
            user_id: token.user_id,
            scopes: token.scopes.clone(),
            created_at: at,
            created_by: actor.label(),
            last_used_at: None,
            revoked_at: None,
            expires_at: token.expires_at,
        })
    }

    pub(super) async fn use_token_query(&self, secret_hash: &str) -> Result<Option<TokenInfo>> {
        let at = now();
        let rows = self
            .backend
            .fetch(
                &format!(
                    "SELECT {COLUMNS} FROM api_tokens WHERE secret_hash = $1 AND revoked_at IS NULL \
                     AND (expires_at IS NULL OR expires_at > $2)"
                ),
                vec![secret_hash.into(), at.into()],
            )
            .await?;
        let Some(token) = rows.first().map(from_row).transpose()? else { return Ok(None) };
        if token.last_used_at.is_none_or(|t| at - t > TOUCH_EVERY) {
            let mut tx = self.backend.begin().await?;
            tx.execute("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", vec![at.into(), token.id.0.into()])
                .await?;
            tx.commit().await?;
        }
        Ok(Some(token))
    }

    pub(super) async fn tokens(&self, user: Option<UserId>) -> Result<Vec<TokenInfo>> {
        let rows = match user {
            Some(u) => {
                self.backend
                    .fetch(
                        &format!("SELECT {COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at, id"),
                        vec![u.0.into()],
                    )
                    .await?
            }
            None => {
                self.backend.fetch(&format!("SELECT {COLUMNS} FROM api_tokens ORDER BY created_at, id"), vec![]).await?
            }
        };
        rows.iter().map(from_row).collect()
    }

    pub(super) async fn revoke_token_tx(&self, id: TokenId, actor: &Actor) -> Result<bool> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let n = tx
            .execute(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                vec![at.into(), id.0.into()],
            )
            .await?;
        if n == 0 {
            return Ok(false);
        }
        audit(&mut tx, actor, "token.revoke", &id.to_string(), None, at, json!({})).await?;
        tx.commit().await?;
        Ok(true)
    }
}
