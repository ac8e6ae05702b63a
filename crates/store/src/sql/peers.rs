//! The peers this node harvests.

use serde_json::json;
use uuid::Uuid;

use banyan_domain::Violations;
use banyan_domain::validate::Path;

use super::write::audit;
use super::{Backend, Row, SqlStore, Tx, now};
use crate::error::{Result, StoreError};
use crate::model::{Actor, Peer};

const COLUMNS: &str = "id, base_url, added_at, harvested_until, last_attempt_at, last_report";

fn peer_from_row(r: &Row) -> Result<Peer> {
    Ok(Peer {
        id: r.uuid("id")?,
        base_url: r.text("base_url")?,
        added_at: r.time("added_at")?,
        harvested_until: r.opt_time("harvested_until")?,
        last_attempt_at: r.opt_time("last_attempt_at")?,
        last_report: if r.is_null("last_report")? { None } else { Some(r.decode("last_report")?) },
    })
}

impl<B: Backend> SqlStore<B> {
    pub(super) async fn add_peer_tx(&self, base_url: &str, actor: &Actor) -> Result<Peer> {
        let mut tx = self.backend.begin().await?;
        let taken = tx.fetch("SELECT id FROM peers WHERE base_url = $1", vec![base_url.into()]).await?;
        if !taken.is_empty() {
            return Err(StoreError::Invalid(Violations::one(
                &Path::root().key("base_url"),
                "taken",
                format!("{base_url} is a peer already"),
            )));
        }
        let id = Uuid::now_v7();
        let at = now();
        tx.execute(
            "INSERT INTO peers (id, base_url, added_at) VALUES ($1, $2, $3)",
            vec![id.into(), base_url.into(), at.into()],
        )
        .await?;
        audit(&mut tx, actor, "peer.add", &id.to_string(), None, at, json!({"base_url": base_url})).await?;
        tx.commit().await?;
        self.peers_list().await?.into_iter().find(|p| p.id == id).ok_or(StoreError::NotFound)
    }

    pub(super) async fn peers_list(&self) -> Result<Vec<Peer>> {
        let rows = self.backend.fetch(&format!("SELECT {COLUMNS} FROM peers ORDER BY added_at, id"), vec![]).await?;
        rows.iter().map(peer_from_row).collect()
    }

    pub(super) async fn finish_harvest_tx(
        &self,
        peer: Uuid,
        harvested_until: Option<chrono::DateTime<chrono::Utc>>,
        report: &serde_json::Value,
    ) -> Result<Peer> {
        let mut tx = self.backend.begin().await?;
        let at = now();
        let n = tx
            .execute(
                "UPDATE peers SET last_attempt_at = $2, last_report = $3, \
                 harvested_until = COALESCE($4, harvested_until) WHERE id = $1",
                vec![peer.into(), at.into(), report.clone().into(), harvested_until.into()],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        self.peers_list().await?.into_iter().find(|p| p.id == peer).ok_or(StoreError::NotFound)
    }
}
