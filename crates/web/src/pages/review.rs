//! Pages for curators and admins: the review queue, the review page, reports, people, mail.

use axum::extract::{Path, RawForm, State};
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use serde_json::{Value, json};

use banyan_domain::workflow;
use banyan_domain::{Kind, RecordId, ReportId, Role, UserId};
use banyan_store::{ReportStatus, UserQuery};

use super::forms::FormData;
use super::records::{action_label, possible_duplicates};
use super::{PageCtx, PageResult, options, redirect};
use crate::AppState;
use crate::api::records::{record_id, visible};
use crate::api::workflow::review_query;
use crate::extract::QueryParams;
use crate::problem::ApiError;

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/review", get(queue)),
        (Method::GET, "/review/{id}", get(review)),
        (Method::POST, "/review/{id}/merge", post(merge)),
        (Method::POST, "/review/{id}/promote", post(promote)),
        (Method::POST, "/review/{id}/hide", post(hide)),
        (Method::GET, "/review/reports", get(reports)),
        (Method::POST, "/review/reports/{id}", post(resolve)),
        (Method::GET, "/admin/users", get(users)),
        (Method::POST, "/admin/users/{id}", post(change_user)),
        (Method::GET, "/admin/outbox", get(outbox)),
    ]
}

fn curator(ctx: &PageCtx) -> Result<banyan_store::Actor, super::PageError> {
    ctx.user()?;
    ctx.caller.require_curator().map_err(|e| ctx.fail(e))
}

async fn queue(State(state): State<AppState>, ctx: PageCtx, params: QueryParams) -> PageResult {
    curator(&ctx)?;
    let query = review_query(&params).map_err(|e| ctx.fail(e))?;
    let filters = params.read(|c, o| {
        json!({
            "status": c.line(o, "status", 40), "kind": c.line(o, "kind", 40), "country": c.line(o, "country", 10),
            "sdg": c.line(o, "sdg", 10), "sector": c.line(o, "sector", 10), "cursor": c.line(o, "cursor", 500), "limit": c.line(o, "limit", 5),
        })
    });
    let page = state.store.list_records(&query).await.map_err(|e| ctx.fail(e))?;
    let mut items: Vec<Value> = Vec::with_capacity(page.items.len());
    for r in &page.items {
        let possible = possible_duplicates(&state, (r.content.title.clone(), r.content.long_text()), Some(r.id.0))
            .await
            .map_err(|e| ctx.fail(e))?;
        items.push(
            json!({"id": r.id, "title": r.content.title, "kind": r.kind().code(), "status": r.content.status.code(),
                          "updated_at": r.updated_at, "duplicate_of": possible.first().map(|d| d["title"].clone())}),
        );
    }
    let open = state.store.reports(Some(ReportStatus::Open), 1000).await.map_err(|e| ctx.fail(e))?.len();
    ctx.render(
        &state,
        "review_queue.html",
        json!({"items": items, "total": page.total, "next_cursor": page.next_cursor.map(|c| c.0), "filters": filters.unwrap_or_default(),
               "statuses": options("statuses"), "kinds": options("kinds"), "open_reports": open}),
    )
}

async fn review_page(state: &AppState, ctx: &PageCtx, id: RecordId, form: Value, errors: Value) -> PageResult {
    curator(ctx)?;
    let record = visible(state, &ctx.caller, id).await.map_err(|e| ctx.fail(e))?;
    let next: Vec<Value> = workflow::next(record.content.status, workflow::Actors { editor: false, curator: true })
        .into_iter()
        .map(|to| json!({"code": to.code(), "label": action_label(to)}))
        .collect();
    let details: Vec<Value> = banyan_domain::Details::text_fields(record.kind())
        .iter()
        .filter_map(|f| record.content.details.text(f).map(|t| json!({"key": f.replace('_', "-"), "value": t})))
        .collect();
    let comments = state.store.comments(record.id).await.map_err(|e| ctx.fail(e))?;
    let shown = serde_json::to_value(&record).unwrap_or_default();
    let (duplicates, similar) = resemblances(state, &record).await.map_err(|e| ctx.fail(e))?;
    ctx.render(
        state,
        "review.html",
        json!({"record": shown, "public": record.is_public(), "next": next, "details": details,
               "comments": comments, "form": form, "errors": errors, "duplicates": duplicates, "similar": similar}),
    )
}

/// Published records that may be the same as a submission, and others like it with the
/// reasons why: what a curator weighs before publishing or merging.
async fn resemblances(state: &AppState, record: &banyan_domain::Record) -> Result<(Vec<Value>, Vec<Value>), ApiError> {
    let c = &record.content;
    let duplicates = possible_duplicates(state, (c.title.clone(), c.long_text()), Some(record.id.0)).await?;
    let probe = banyan_search::similar::Probe::from_record(record);
    let similar =
        crate::api::search::on_index(state, move |index| banyan_search::similar::similar(index, &probe, &[], 5))
            .await?;
    let similar = similar
        .into_iter()
        .filter(|h| !duplicates.iter().any(|d| d["id"] == json!(h.id)))
        .map(|h| json!({"id": h.id, "title": h.title, "kind": h.kind, "score": h.score, "reasons": h.reasons.iter().map(|r| &r.text).collect::<Vec<_>>()}))
        .collect();
    Ok((duplicates, similar))
}

async fn review(State(state): State<AppState>, ctx: PageCtx, Path(id): Path<String>) -> PageResult {
    let id = record_id(&id).map_err(|e| ctx.fail(e))?;
    review_page(&state, &ctx, id, json!({}), json!({})).await
}

async fn merge(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    curator(&ctx)?;
    let id = record_id(&id).map_err(|e| ctx.fail(e))?;
    let form = FormData::parse(&body);
    let Some(into) = form.get("into").and_then(|i| RecordId::parse(i).ok()) else {
        return review_page(&state, &ctx, id, json!(form.echo()), json!({"into": ctx.t("review-merge-hint")})).await;
    };
    match crate::api::workflow::merge_records(&state, &ctx.caller, id, into).await {
        Ok(_) => Ok(redirect(&format!("/review/{into}?done=moved"))),
        Err(ApiError::Invalid(v)) => {
            let errors = super::forms::errors(&v, ctx.locale);
            review_page(&state, &ctx, id, json!(form.echo()), json!({"into": errors.values().next()})).await
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

async fn promote(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    curator(&ctx)?;
    let form = FormData::parse(&body);
    let to = Kind::parse(form.raw("to")).map_err(|e| ctx.fail(ApiError::field("to", "invalid_value", e.message)))?;
    let id = record_id(&id).map_err(|e| ctx.fail(e))?;
    let record = crate::api::workflow::promote_idea(&state, &ctx.caller, id, to).await.map_err(|e| ctx.fail(e))?;
    Ok(redirect(&format!("/review/{}?done=moved", record.id)))
}

async fn hide(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    let actor = curator(&ctx)?;
    let form = FormData::parse(&body);
    let id = record_id(&id).map_err(|e| ctx.fail(e))?;
    visible(&state, &ctx.caller, id).await.map_err(|e| ctx.fail(e))?;
    let hidden = form.get("hidden") == Some("true");
    state.store.set_record_hidden(id, hidden, "from the review page", &actor).await.map_err(|e| ctx.fail(e))?;
    Ok(redirect(&format!("/review/{id}?done=moved")))
}

async fn reports(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    curator(&ctx)?;
    let items = state.store.reports(Some(ReportStatus::Open), 500).await.map_err(|e| ctx.fail(e))?;
    ctx.render(&state, "reports.html", json!({"items": items}))
}

async fn resolve(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    curator(&ctx)?;
    let form = FormData::parse(&body);
    let id = ReportId::parse(&id).map_err(|_| ctx.fail(ApiError::NotFound("no such report".into())))?;
    let hide = form.get("action") == Some("hide");
    crate::api::moderation::resolve_report(&state, &ctx.caller, id, hide, form.get("note").unwrap_or_default())
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(redirect("/review/reports?done=moved"))
}

async fn users(State(state): State<AppState>, ctx: PageCtx, params: QueryParams) -> PageResult {
    curator(&ctx)?;
    let q = params.read(|c, o| c.line(o, "q", 100)).map_err(|e| ctx.fail(e))?;
    let page = state
        .store
        .list_users(&UserQuery { text: q.clone(), limit: 200, ..Default::default() })
        .await
        .map_err(|e| ctx.fail(e))?;
    ctx.render(&state, "users.html", json!({"users": page.items, "q": q.unwrap_or_default()}))
}

async fn change_user(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    curator(&ctx)?;
    let form = FormData::parse(&body);
    let id = UserId::parse(&id).map_err(|_| ctx.fail(ApiError::NotFound("no such account".into())))?;
    let role = form.get("role").and_then(Role::parse);
    let blocked = Some(form.get("blocked") == Some("true"));
    crate::api::users::change_user(&state, &ctx.caller, id, role, blocked).await.map_err(|e| ctx.fail(e))?;
    Ok(redirect("/admin/users?done=saved"))
}

async fn outbox(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.user()?;
    ctx.caller.require_admin().map_err(|e| ctx.fail(e))?;
    let items = state.store.outbox(200).await.map_err(|e| ctx.fail(e))?;
    ctx.render(&state, "outbox.html", json!({"items": items, "smtp": false}))
}
