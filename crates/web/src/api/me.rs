//! `/api/v1/me`: a person's own account — profile, password, e-mail, personal API tokens, their
//! dashboard, a download of everything held about them, and deleting the account.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};

use banyan_domain::account::{PASSWORD_MAX, check_password};
use banyan_domain::{Email, Scope, TokenId, limits};
use banyan_store::{NewToken, Purpose, RecordQuery, SessionKind, User, UserChange, Visibility};

use super::JsonResponse;
use super::auth::{Accounts, CHECK_YOUR_EMAIL, VERIFY_FOR};
use crate::AppState;
use crate::auth::{Auth, Caller, SESSION_COOKIE, cookie, new_token_secret, start_session, token_hash, verify_password};
use crate::extract::{JsonBody, read_body};
use crate::problem::{ApiError, ApiResult, Problem};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me, change_me, delete_me))
        .routes(routes!(change_password))
        .routes(routes!(change_email))
        .routes(routes!(export))
        .routes(routes!(dashboard))
        .routes(routes!(tokens, create_token))
        .routes(routes!(revoke_token))
}

/// The signed-in person, from a session (tokens may not manage the account that made them).
fn session_user(caller: &Caller) -> ApiResult<&User> {
    match (&caller.user, &caller.auth) {
        (Some(u), Auth::Session(_)) => Ok(u),
        (Some(_), _) => {
            Err(ApiError::Forbidden("manage your account from a signed-in session, not with an API token".into()))
        }
        _ => Err(ApiError::Unauthenticated("sign in first".into())),
    }
}

fn signed_in(caller: &Caller) -> ApiResult<&User> {
    caller.user.as_ref().ok_or_else(|| ApiError::Unauthenticated("sign in first".into()))
}

async fn check_current_password(state: &AppState, user: &User, password: &str, field: &str) -> ApiResult<()> {
    let hash = state.store.password_hash(user.id).await?;
    if verify_password(password, hash.as_deref()).await {
        Ok(())
    } else {
        Err(ApiError::field(field, "wrong_password", "is not your current password"))
    }
}

/// The signed-in person and their organisations.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, description = "`{\"user\", \"memberships\"}`"), (status = 401, body = Problem)))]
async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<JsonResponse> {
    let user = signed_in(&caller)?;
    let memberships: Vec<Value> = state
        .store
        .memberships(user.id)
        .await?
        .into_iter()
        .map(|(org, role)| json!({"organisation": org, "role": role}))
        .collect();
    Ok(JsonResponse::ok(&json!({"user": user, "memberships": memberships}))
        .header(header::CACHE_CONTROL, "private, no-store"))
}

/// Changes the display name.
#[utoipa::path(patch, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    request_body(content = Object, description = "`{\"name\"}`", content_type = "application/json"),
    responses((status = 200), (status = 400, body = Problem), (status = 401, body = Problem)))]
async fn change_me(State(state): State<AppState>, caller: Caller, JsonBody(body): JsonBody) -> ApiResult<JsonResponse> {
    let user = session_user(&caller)?;
    let name = read_body(&body, |c, o| c.required_line(o, "name", limits::TITLE))?;
    let actor = caller.actor().expect("a signed-in person");
    let user = state.store.update_user(user.id, UserChange { name: Some(name), ..Default::default() }, &actor).await?;
    Ok(JsonResponse::ok(&json!({"user": user})))
}

/// Changes the password. Every session ends; the answer carries a new one.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts", security(("bearer" = [])),
    request_body(content = Object, description = "`{\"current_password\", \"new_password\"}`", content_type = "application/json"),
    responses((status = 200), (status = 400, body = Problem), (status = 401, body = Problem)))]
async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let user = session_user(&caller)?.clone();
    let (current, new) = read_body(&body, |c, o| {
        let current = c.raw(o, "current_password", PASSWORD_MAX);
        let new = c.raw(o, "new_password", PASSWORD_MAX);
        if !new.is_empty()
            && let Err(m) = check_password(&new, Some(&user.email))
        {
            c.report(&o.path("new_password"), "weak_password", m);
        }
        (current, new)
    })?;
    check_current_password(&state, &user, &current, "current_password").await?;
    let user = Accounts { state: &state }.set_password(user.id, &new).await?;
    let kind = match &caller.auth {
        Auth::Session(s) => s.kind,
        _ => SessionKind::Api,
    };
    let (secret, session) = start_session(&state, &user, kind).await?;
    let mut res = JsonResponse::ok(&json!({"status": "password_changed", "token": (kind == SessionKind::Api).then_some(&secret), "expires_at": session.expires_at}))
        .into_response();
    if kind == SessionKind::Browser {
        res.headers_mut().append(header::SET_COOKIE, cookie(SESSION_COOKIE, &secret, crate::auth::BROWSER_SESSION));
    }
    Ok(res)
}

/// Starts a change of e-mail address: a link goes to the new address.
#[utoipa::path(post, path = "/api/v1/me/email", tag = "accounts", security(("bearer" = [])),
    request_body(content = Object, description = "`{\"email\", \"password\"}`", content_type = "application/json"),
    responses((status = 202), (status = 400, body = Problem), (status = 401, body = Problem)))]
async fn change_email(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let user = session_user(&caller)?.clone();
    let (email, password) =
        read_body(&body, |c, o| (c.required(o, "email", Email::parse), c.raw(o, "password", PASSWORD_MAX)))?;
    let email = email.expect("reported when missing");
    check_current_password(&state, &user, &password, "password").await?;
    let accounts = Accounts { state: &state };
    // A taken address is not revealed: the mail simply does not go.
    if state.store.user_auth(&email).await?.is_none() {
        let token = accounts
            .one_time(Purpose::ChangeEmail, Some(&user), Some(&email), json!({"email": email}), VERIFY_FOR)
            .await?;
        state.store.enqueue_mail(accounts.letters().confirm_new_email(&user, &email, &token)).await?;
    }
    Ok(JsonResponse::with_status(
        StatusCode::ACCEPTED,
        &json!({"status": "check_your_email", "message": CHECK_YOUR_EMAIL}),
    ))
}

/// Everything Banyan holds about the signed-in person, as a JSON download.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, description = "A JSON document"), (status = 401, body = Problem)))]
async fn export(State(state): State<AppState>, caller: Caller) -> ApiResult<JsonResponse> {
    let user = session_user(&caller)?;
    let data = state.store.export_user(user.id).await?;
    Ok(JsonResponse::ok(&data)
        .header(header::CONTENT_DISPOSITION, "attachment; filename=\"banyan-my-data.json\"")
        .header(header::CACHE_CONTROL, "private, no-store"))
}

/// Deletes the account: personal data is erased; published content stays, attributed to a
/// former member, unless `remove_content` asks for it to go too.
#[utoipa::path(delete, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    request_body(content = Object, description = "`{\"password\", \"remove_content\": false}`", content_type = "application/json"),
    responses((status = 204), (status = 400, body = Problem), (status = 401, body = Problem)))]
async fn delete_me(State(state): State<AppState>, caller: Caller, JsonBody(body): JsonBody) -> ApiResult<Response> {
    let user = session_user(&caller)?.clone();
    let (password, remove_content) =
        read_body(&body, |c, o| (c.raw(o, "password", PASSWORD_MAX), c.bool(o, "remove_content").unwrap_or(false)))?;
    check_current_password(&state, &user, &password, "password").await?;
    let actor = caller.actor().expect("a signed-in person");
    state.store.erase_user(user.id, remove_content, &actor).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().append(header::SET_COOKIE, crate::auth::expired_cookie(SESSION_COOKIE));
    Ok(res)
}

/// The signed-in person's records, each with its history of status changes and comments.
#[utoipa::path(get, path = "/api/v1/me/dashboard", tag = "accounts", security(("bearer" = [])),
    responses((status = 200), (status = 401, body = Problem)))]
async fn dashboard(State(state): State<AppState>, caller: Caller) -> ApiResult<JsonResponse> {
    let user = signed_in(&caller)?;
    Ok(JsonResponse::ok(&dashboard_data(&state, user).await?).header(header::CACHE_CONTROL, "private, no-store"))
}

/// What a dashboard shows: each of a person's records with its status, the steps it went
/// through (with the curators' comments) and the review conversation.
pub async fn dashboard_data(state: &AppState, user: &User) -> ApiResult<Value> {
    let query = RecordQuery { visibility: Visibility::All, owner: Some(user.id), limit: 200, ..Default::default() };
    let records = state.store.list_records(&query).await?;
    let mut items = Vec::new();
    for r in &records.items {
        let history: Vec<Value> = state
            .store
            .audit_log(Some(r.id.0), 200)
            .await?
            .into_iter()
            .filter(|a| a.action == "record.transition" || a.action == "record.create")
            .map(|a| {
                json!({"at": a.at, "action": a.action, "from": a.detail.get("from"), "to": a.detail.get("to").or(a.detail.get("status")),
                       "comment": a.detail.get("comment")})
            })
            .collect();
        let comments: Vec<Value> = state
            .store
            .comments(r.id)
            .await?
            .into_iter()
            .filter(|c| !c.hidden)
            .map(|c| json!({"at": c.created_at, "body": c.body, "by_me": c.author_id == Some(user.id)}))
            .collect();
        items.push(json!({
            "id": r.id, "kind": r.kind(), "title": r.content.title, "status": r.content.status, "hidden": r.content.hidden,
            "updated_at": r.updated_at, "history": history, "comments": comments,
        }));
    }
    Ok(json!({"user": user, "records": items}))
}

/// The signed-in person's API tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "accounts", security(("bearer" = [])),
    responses((status = 200), (status = 401, body = Problem)))]
async fn tokens(State(state): State<AppState>, caller: Caller) -> ApiResult<JsonResponse> {
    let user = session_user(&caller)?;
    let items = state.store.list_tokens(Some(user.id)).await?;
    Ok(JsonResponse::ok(&json!({"items": items})).header(header::CACHE_CONTROL, "private, no-store"))
}

/// Makes a personal API token, shown once. Its scopes (`read`, `write`, and for curators
/// `review`, for admins `admin`) never exceed what its owner may do.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "accounts", security(("bearer" = [])),
    request_body(content = Object, description = "`{\"name\", \"scopes\": [\"read\", \"write\"], \"expires_in_days\": 90}`", content_type = "application/json"),
    responses((status = 201, description = "`{\"token\", \"info\"}`"), (status = 400, body = Problem), (status = 401, body = Problem)))]
async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody,
) -> ApiResult<JsonResponse> {
    let user = session_user(&caller)?.clone();
    let (name, scopes, days) = read_body(&body, |c, o| {
        let name = c.required_line(o, "name", 100);
        let scopes = c.list(o, "scopes", 4, |c, p, v| {
            c.parsed_value(p, v, |s| {
                Scope::parse(s).ok_or_else(|| banyan_domain::VocabError {
                    vocabulary: "scopes",
                    message: format!("{s:?} is not read, write, review or admin"),
                })
            })
        });
        let days = c.integer(o, "expires_in_days", 1, 3650);
        for (i, s) in scopes.iter().enumerate() {
            if !s.allowed_for(user.role) {
                c.report(
                    &o.path("scopes").index(i),
                    "forbidden",
                    format!("your role does not allow the {} scope", s.as_str()),
                );
            }
        }
        if scopes.is_empty() && !o.has("scopes") {
            c.report(&o.path("scopes"), "required", "is required: read, write, review or admin");
        }
        (name, scopes, days)
    })?;
    let (secret, info) = make_personal_token(&state, &user, name, scopes, days.map(Duration::days)).await?;
    Ok(JsonResponse::with_status(StatusCode::CREATED, &json!({"token": secret, "info": info})))
}

/// Makes a personal API token for `user`; returns the secret (shown once) and what is stored.
pub async fn make_personal_token(
    state: &AppState,
    user: &User,
    name: String,
    scopes: Vec<Scope>,
    valid_for: Option<Duration>,
) -> ApiResult<(String, banyan_store::TokenInfo)> {
    let secret = new_token_secret();
    let token = NewToken {
        id: TokenId::new(),
        name,
        role: user.role,
        secret_hash: token_hash(&secret),
        expires_at: valid_for.map(|d| Utc::now() + d),
        user_id: Some(user.id),
        scopes: scopes.into_iter().filter(|s| s.allowed_for(user.role)).collect(),
    };
    let info = state.store.create_token(token, &banyan_store::Actor::user(user.id, user.role)).await?;
    Ok((secret, info))
}

/// Revokes one of the signed-in person's tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn revoke_token(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let user = session_user(&caller)?;
    let not_found = || ApiError::NotFound("you have no such token".into());
    let id = TokenId::parse(&id).map_err(|_| not_found())?;
    let mine = state.store.list_tokens(Some(user.id)).await?.iter().any(|t| t.id == id && t.revoked_at.is_none());
    if !mine {
        return Err(not_found());
    }
    state.store.revoke_token(id, &caller.actor().expect("a signed-in person")).await?;
    Ok(StatusCode::NO_CONTENT)
}
