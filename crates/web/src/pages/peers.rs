//! `/admin/peers`: the peers this node harvests, for admins: register one, harvest one now.

use axum::extract::{Path, RawForm, State};
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, get, post};
use serde_json::{Value, json};

use super::forms::{self, FormData};
use super::{PageCtx, PageResult, redirect};
use crate::AppState;
use crate::api::peers as api;

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/admin/peers", get(page)),
        (Method::POST, "/admin/peers", post(add)),
        (Method::POST, "/admin/peers/{id}/harvest", post(harvest)),
    ]
}

async fn render(state: &AppState, ctx: &PageCtx, f: Value, report: Option<Value>, status: StatusCode) -> PageResult {
    ctx.caller.require_admin().map_err(|e| ctx.fail(e))?;
    let peers: Vec<Value> = state
        .store
        .peers()
        .await
        .map_err(|e| ctx.fail(e))?
        .into_iter()
        .map(|p| {
            let last = p
                .last_report
                .and_then(|r| serde_json::from_value::<banyan_federation::harvest::Report>(r).ok())
                .map(|r| r.summary());
            json!({"id": p.id, "base_url": p.base_url, "harvested_until": p.harvested_until.map(|t| t.to_rfc3339()), "last": last})
        })
        .collect();
    ctx.render_status(state, status, "peers.html", json!({"peers": peers, "f": f, "report": report}))
}

async fn page(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.user()?;
    render(&state, &ctx, json!({"form": {}, "errors": {}}), None, StatusCode::OK).await
}

async fn add(State(state): State<AppState>, ctx: PageCtx, RawForm(body): RawForm) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    let json = json!({"base_url": form.get("base_url").unwrap_or_default()});
    match api::register(&state, &ctx.caller, &json).await {
        Ok(_) => Ok(redirect("/admin/peers?done=saved")),
        Err(e) => {
            let errors = forms::refused(&ctx, e, |f| f.to_string(), "impact-conflict").map_err(|e| ctx.fail(e))?;
            render(&state, &ctx, json!({"form": form.echo(), "errors": errors}), None, StatusCode::BAD_REQUEST).await
        }
    }
}

async fn harvest(State(state): State<AppState>, ctx: PageCtx, Path(id): Path<String>) -> PageResult {
    ctx.user()?;
    let report = api::harvest_now(&state, &ctx.caller, &id).await.map_err(|e| ctx.fail(e))?;
    let shown = json!({"summary": report.summary(), "problems": report.problems});
    render(&state, &ctx, json!({"form": {}, "errors": {}}), Some(shown), StatusCode::OK).await
}
