//! Organisation pages: create one, see its people, invite, change roles, accept an invitation.

use axum::extract::{Path, RawForm, State};
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use serde_json::json;

use banyan_domain::{Email, OrgRole, OrganisationId, OrganisationInput, UserId};
use banyan_store::Purpose;

use super::forms::{self, Field, FormData};
use super::{PageCtx, PageResult, options, redirect};
use crate::AppState;
use crate::api::auth::{Accounts, INVITE_FOR};
use crate::problem::ApiError;

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/organisations/new", get(new_form)),
        (Method::POST, "/organisations/new", post(create)),
        (Method::GET, "/organisations/{id}", get(page)),
        (Method::POST, "/organisations/{id}/invite", post(invite)),
        (Method::POST, "/organisations/{id}/members/{user}", post(set_member)),
        (Method::GET, "/invitations/{token}", get(invitation)),
        (Method::POST, "/invitations/{token}", post(accept)),
    ]
}

const FIELDS: &[(&str, Field)] = &[
    ("name", Field::Text),
    ("type", Field::Text),
    ("level_of_government", Field::Text),
    ("country", Field::Text),
    ("website", Field::Text),
    ("description", Field::Text),
];

fn choices() -> serde_json::Value {
    json!({"org_types": options("organisation-types"), "levels": options("levels"), "countries": options("countries")})
}

async fn new_form(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.user()?;
    ctx.render(&state, "organisation_new.html", choices())
}

async fn create(State(state): State<AppState>, ctx: PageCtx, RawForm(body): RawForm) -> PageResult {
    let user = ctx.user()?.clone();
    let actor = ctx.caller.require_writer().map_err(|e| ctx.fail(e))?;
    let form = FormData::parse(&body);
    let mut json = json!({});
    forms::apply(&mut json, &form, FIELDS);
    let input = match OrganisationInput::from_json(&json) {
        Ok(i) => i,
        Err(v) => {
            return ctx.form_again(&state, "organisation_new.html", &form, forms::errors(&v, ctx.locale), choices());
        }
    };
    let org = match state.store.create_organisation(OrganisationId::new(), input, &actor).await {
        Ok(o) => o,
        Err(banyan_store::StoreError::Invalid(v)) => {
            return ctx.form_again(&state, "organisation_new.html", &form, forms::errors(&v, ctx.locale), choices());
        }
        Err(e) => return Err(ctx.fail(e)),
    };
    state.store.set_membership(org.id, user.id, Some(OrgRole::Owner), &actor).await.map_err(|e| ctx.fail(e))?;
    Ok(redirect(&format!("/organisations/{}?done=saved", org.id)))
}

async fn load(state: &AppState, ctx: &PageCtx, id: &str) -> Result<banyan_domain::Organisation, super::PageError> {
    let not_found = || ctx.fail(ApiError::NotFound("no such organisation".into()));
    let id = OrganisationId::parse(id).map_err(|_| not_found())?;
    state.store.organisation(id).await.map_err(|e| ctx.fail(e))?.ok_or_else(not_found)
}

fn manages(ctx: &PageCtx, org: OrganisationId) -> bool {
    ctx.caller.viewer.is_admin() || ctx.caller.viewer.org_role(org) == Some(OrgRole::Owner)
}

async fn page(State(state): State<AppState>, ctx: PageCtx, Path(id): Path<String>) -> PageResult {
    let org = load(&state, &ctx, &id).await?;
    // Its people (with their addresses) are for its members and curators.
    let members = if ctx.caller.is_staff() || ctx.caller.viewer.org_role(org.id).is_some() {
        state.store.members(org.id).await.map_err(|e| ctx.fail(e))?
    } else {
        Vec::new()
    };
    let roles =
        json!(["viewer", "editor", "owner"].map(|r| json!({"code": r, "name": ctx.t(&format!("org-role-{r}"))})));
    let records = super::site::organisation_records(&state, &ctx, org.id).await?;
    ctx.render(
        &state,
        "organisation.html",
        json!({"org": org, "members": members, "manages": manages(&ctx, org.id), "roles": roles,
               "records": records["hits"], "more": records["more"]}),
    )
}

async fn invite(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    ctx.user()?;
    let org = load(&state, &ctx, &id).await?;
    if !manages(&ctx, org.id) {
        return Err(ctx.fail(ApiError::Forbidden("only the organisation's owners and admins invite people".into())));
    }
    let form = FormData::parse(&body);
    let email = Email::parse(form.raw("email"));
    let role = form.get("role").and_then(OrgRole::parse);
    let (Ok(email), Some(role)) = (email, role) else {
        return Err(ctx.fail(ApiError::field("email", "invalid_value", "give an e-mail address and a role")));
    };
    let accounts = Accounts { state: &state };
    let token = accounts
        .one_time(Purpose::Invitation, None, Some(&email), json!({"organisation": org.id, "role": role}), INVITE_FOR)
        .await
        .map_err(|e| ctx.fail(e))?;
    state
        .store
        .enqueue_mail(accounts.letters().invitation(&email, &org.content.name, role.as_str(), &token))
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(redirect(&format!("/organisations/{}?done=invited", org.id)))
}

async fn set_member(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((id, user)): Path<(String, String)>,
    RawForm(body): RawForm,
) -> PageResult {
    ctx.user()?;
    let actor = ctx.caller.require_writer().map_err(|e| ctx.fail(e))?;
    let org = load(&state, &ctx, &id).await?;
    let user = UserId::parse(&user).map_err(|_| ctx.fail(ApiError::NotFound("no such person".into())))?;
    let form = FormData::parse(&body);
    let role = form.get("role").and_then(OrgRole::parse);
    let leaving = role.is_none() && ctx.caller.viewer.user == Some(user);
    if !(manages(&ctx, org.id) || leaving) {
        return Err(ctx.fail(ApiError::Forbidden("only the organisation's owners and admins manage its people".into())));
    }
    state.store.set_membership(org.id, user, role, &actor).await.map_err(|e| ctx.fail(e))?;
    Ok(redirect(&format!("/organisations/{}?done=saved", org.id)))
}

async fn invitation(State(state): State<AppState>, ctx: PageCtx, Path(token): Path<String>) -> PageResult {
    ctx.user()?;
    ctx.render(
        &state,
        "token_form.html",
        json!({"heading": "invite-title", "paragraphs": ["invite-text"],
               "action": format!("/invitations/{token}"), "token": token, "button": "invite-button", "ask_password": false}),
    )
}

async fn accept(State(state): State<AppState>, ctx: PageCtx, Path(token): Path<String>) -> PageResult {
    ctx.user()?;
    let (user, actor) = ctx.caller.require_member().map_err(|e| ctx.fail(e))?;
    let joined = crate::api::organisations::accept(&state, user, &actor, &token).await.map_err(|e| ctx.fail(e))?;
    Ok(redirect(&format!("/organisations/{}?done=joined", joined["organisation"].as_str().unwrap_or_default())))
}
