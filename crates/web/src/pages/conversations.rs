//! Pages for conversations: one's conversations, a conversation with its messages, and the
//! "We are interested" button under a match. They go through the same functions as the API.

use axum::extract::{Path, RawForm, State};
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, get, post};
use serde_json::{Value, json};

use banyan_domain::{RecordId, limits};

use super::forms::FormData;
use super::{PageCtx, PageResult, redirect};
use crate::AppState;
use crate::api::conversations::{decline_as, interest, my_records, reachable, view, write_message};
use crate::problem::ApiError;

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/conversations", get(list)),
        (Method::GET, "/conversations/{id}", get(page)),
        (Method::POST, "/conversations/{id}/messages", post(message)),
        (Method::POST, "/conversations/{id}/decline", post(decline)),
        (Method::POST, "/interests", post(interested)),
    ]
}

async fn list(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    let user = ctx.user()?.clone();
    let mine = my_records(&state, &ctx.caller).await.map_err(|e| ctx.fail(e))?;
    let mut items: Vec<Value> = Vec::new();
    for c in state.store.conversations_about(&mine, Some(user.id)).await.map_err(|e| ctx.fail(e))? {
        let Ok((c, challenge, offer, side)) = reachable(&state, &ctx.caller, &c.id.to_string()).await else { continue };
        items.push(view(&state, &ctx.caller, &c, &challenge, &offer, side).await.map_err(|e| ctx.fail(e))?);
    }
    ctx.render(&state, "conversations.html", json!({"items": items}))
}

async fn page(State(state): State<AppState>, ctx: PageCtx, Path(id): Path<String>) -> PageResult {
    render(&state, &ctx, &id, super::pilots::form_state(json!({}), json!({})), StatusCode::OK).await
}

/// The conversation's page, with its pilots and the form to propose one (`f`: what was typed
/// and the problems, after a refused proposal).
pub(crate) async fn render(state: &AppState, ctx: &PageCtx, id: &str, f: Value, status: StatusCode) -> PageResult {
    let user = ctx.user()?.clone();
    let (c, challenge, offer, side) = reachable(state, &ctx.caller, id).await.map_err(|e| ctx.fail(e))?;
    let summary = view(state, &ctx.caller, &c, &challenge, &offer, side).await.map_err(|e| ctx.fail(e))?;
    let messages: Vec<Value> = state
        .store
        .messages(c.id)
        .await
        .map_err(|e| ctx.fail(e))?
        .into_iter()
        .map(|m| {
            let mentions_me =
                crate::api::conversations::mentions(&m.body, std::slice::from_ref(&user)).contains(&user.id);
            json!({"side": m.side, "mine": m.author_id == Some(user.id), "body": m.body, "at": m.created_at,
                   "mentions_me": mentions_me && m.author_id != Some(user.id)})
        })
        .collect();
    let pilots: Vec<Value> = state
        .store
        .pilots(&[c.id], None)
        .await
        .map_err(|e| ctx.fail(e))?
        .iter()
        .map(|p| {
            json!({"id": p.id, "status": p.status.code(), "starts_on": p.plan.starts_on, "ends_on": p.plan.ends_on,
                   "place": super::site::place_name(ctx.locale, p.plan.place)})
        })
        .collect();
    state.store.mark_read(c.id, user.id).await.map_err(|e| ctx.fail(e))?;
    ctx.render_status(
        state,
        status,
        "conversation.html",
        json!({"c": summary, "messages": messages, "party": side.is_some(), "open": c.status == "open",
               "pilots": pilots, "f": f, "proposing": status != StatusCode::OK}),
    )
}

async fn message(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    let text = form
        .block("body", limits::LONG_TEXT)
        .ok_or_else(|| ApiError::field("body", "required", "write a message first"));
    write_message(&state, &ctx.caller, &id, text).await.map_err(|e| ctx.fail(e))?;
    Ok(redirect(&format!("/conversations/{id}?done=comment")))
}

async fn decline(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    ctx.user()?;
    let form = FormData::parse(&body);
    let reason =
        form.block("reason", 2000).ok_or_else(|| ApiError::field("reason", "required", "say why, for the other side"));
    decline_as(&state, &ctx.caller, &id, reason).await.map_err(|e| ctx.fail(e))?;
    Ok(redirect(&format!("/conversations/{id}?done=saved")))
}

/// "We are interested", from a match on a challenge's or a solution's page.
async fn interested(State(state): State<AppState>, ctx: PageCtx, RawForm(body): RawForm) -> PageResult {
    ctx.user()?;
    let (_, actor) = ctx.caller.require_member().map_err(|e| ctx.fail(e))?;
    let form = FormData::parse(&body);
    let id = |key: &str| form.get(key).and_then(|v| RecordId::parse(v).ok());
    let (Some(challenge), Some(offer)) = (id("challenge"), id("offer")) else {
        return Err(ctx.fail(ApiError::field("offer", "invalid_value", "is not a record id")));
    };
    let back = form.get("back").and_then(|b| super::local_path(Some(b))).unwrap_or("/conversations").to_string();
    let (_, conversation) = interest(&state, &ctx.caller, &actor, challenge, offer).await.map_err(|e| ctx.fail(e))?;
    Ok(match conversation {
        Some(c) => redirect(&format!("/conversations/{c}?done=interest-both")),
        None => redirect(&format!("{back}?done=interest")),
    })
}
