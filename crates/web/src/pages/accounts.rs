//! Pages for accounts: sign up, confirm, sign in and out, reset, and one's own account.

use axum::extract::{Path, Query, RawForm, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use chrono::Duration;
use serde_json::json;

use banyan_domain::account::check_password;
use banyan_domain::{Email, Scope, TokenId, limits, text};
use banyan_store::{Purpose, SessionKind, UserChange};

use super::forms::FormData;
use super::{PageCtx, PageResult, local_path, redirect};
use crate::AppState;
use crate::api::auth::{Accounts, VERIFY_FOR};
use crate::auth::{Auth, BROWSER_SESSION, SESSION_COOKIE, cookie, expired_cookie, start_session, verify_password};
use crate::extract::ClientIp;
use crate::problem::ApiError;

pub fn routes() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/signup", get(signup_form)),
        (Method::POST, "/signup", post(signup)),
        (Method::GET, "/login", get(login_form)),
        (Method::POST, "/login", post(login)),
        (Method::POST, "/logout", post(logout)),
        (Method::GET, "/verify", get(verify_form)),
        (Method::POST, "/verify", post(verify)),
        (Method::GET, "/reset", get(reset_form)),
        (Method::POST, "/reset", post(reset)),
        (Method::GET, "/reset/{token}", get(new_password_form)),
        (Method::POST, "/reset/{token}", post(new_password)),
        (Method::GET, "/email/confirm", get(email_form)),
        (Method::POST, "/email/confirm", post(email_confirm)),
        (Method::GET, "/account", get(account)),
        (Method::POST, "/account/name", post(change_name)),
        (Method::POST, "/account/password", post(change_password)),
        (Method::POST, "/account/email", post(change_email)),
        (Method::POST, "/account/delete", post(delete_account)),
        (Method::POST, "/account/tokens", post(make_token)),
        (Method::POST, "/account/tokens/{id}/revoke", post(revoke_token)),
        (Method::GET, "/account/export", get(export)),
    ]
}

fn message(
    ctx: &PageCtx,
    state: &AppState,
    heading: &str,
    paragraphs: &[&str],
    link: Option<(&str, &str)>,
) -> PageResult {
    ctx.render(
        state,
        "message.html",
        json!({"heading": heading, "paragraphs": paragraphs, "link": link.map(|(href, text)| json!({"href": href, "text": text}))}),
    )
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

#[derive(serde::Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn signup_form(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    if ctx.caller.user.is_some() {
        return Ok(redirect("/my"));
    }
    ctx.render(&state, "signup.html", json!({}))
}

async fn signup(State(state): State<AppState>, ctx: PageCtx, ip: ClientIp, RawForm(body): RawForm) -> PageResult {
    let form = FormData::parse(&body);
    let mut errors = serde_json::Map::new();
    let email = match Email::parse(form.raw("email")) {
        Ok(e) => Some(e),
        Err(e) => {
            errors.insert("email".into(), json!(email_error(&ctx, &e.message)));
            None
        }
    };
    let name = text::line(form.raw("name")).unwrap_or_default();
    if name.is_empty() || name.chars().count() > limits::TITLE {
        errors.insert("name".into(), json!("err-name"));
    }
    let password = form.raw("password");
    if let Err(m) = check_password(password, email.as_ref()) {
        errors.insert("password".into(), json!(format!("{} {m}.", ctx.t("err-password"))));
    }
    if !errors.is_empty() {
        return ctx.form_again(&state, "signup.html", &form, errors, json!({}));
    }
    Accounts { state: &state }
        .register(ip, email.expect("checked"), name, password.to_string())
        .await
        .map_err(|e| ctx.fail(e))?;
    message(&ctx, &state, "msg-check-email", &["msg-check-email-text"], None)
}

async fn login_form(State(state): State<AppState>, ctx: PageCtx, Query(q): Query<NextQuery>) -> PageResult {
    let next = local_path(q.next.as_deref()).unwrap_or("/my");
    if ctx.caller.user.is_some() {
        return Ok(redirect(next));
    }
    ctx.render(&state, "login.html", json!({"next": next}))
}

async fn login(State(state): State<AppState>, ctx: PageCtx, ip: ClientIp, RawForm(body): RawForm) -> PageResult {
    let form = FormData::parse(&body);
    let next = local_path(form.get("next")).unwrap_or("/my").to_string();
    let again = |status: StatusCode, problem: &str| {
        ctx.render_status(&state, status, "login.html", json!({"next": next, "form": form.echo(), "problem": problem}))
    };
    let Ok(email) = Email::parse(form.raw("email")) else {
        return again(StatusCode::BAD_REQUEST, &ctx.t("err-login-email"));
    };
    let user = match (Accounts { state: &state }).check_login(ip, &email, form.raw("password")).await {
        Ok(u) => u,
        Err(ApiError::Unauthenticated(m)) => return again(StatusCode::UNAUTHORIZED, &format!("{}.", capitalise(&m))),
        Err(ApiError::Forbidden(m)) => return again(StatusCode::FORBIDDEN, &format!("{}.", capitalise(&m))),
        Err(e) => return Err(ctx.fail(e)),
    };
    // A new session id at every sign-in: a session fixed before cannot be taken over.
    if let Auth::Session(old) = &ctx.caller.auth {
        state.store.end_session(&old.id_hash).await.map_err(|e| ctx.fail(e))?;
    }
    let (secret, _) = start_session(&state, &user, SessionKind::Browser).await.map_err(|e| ctx.fail(e))?;
    let sep = if next.contains('?') { '&' } else { '?' };
    let mut res = redirect(&format!("{next}{sep}done=signed-in"));
    res.headers_mut().append(header::SET_COOKIE, cookie(SESSION_COOKIE, &secret, BROWSER_SESSION));
    Ok(res)
}

/// What is wrong with an e-mail address: the validator's words in English, a translation
/// otherwise.
fn email_error(ctx: &PageCtx, message: &str) -> String {
    if ctx.locale.code == "en" { format!("This {message}.") } else { ctx.t("err-email") }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// Signing out ends every session of the person, on every device.
async fn logout(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    if let Auth::Session(s) = &ctx.caller.auth {
        state.store.end_sessions(s.user_id).await.map_err(|e| ctx.fail(e))?;
    }
    let mut res = redirect("/?done=signed-out");
    res.headers_mut().append(header::SET_COOKIE, expired_cookie(SESSION_COOKIE));
    Ok(res)
}

/// What a page behind a mailed link shows: a button, so that a mail scanner that follows links
/// does not use the token up.
struct TokenPage<'a> {
    heading: &'a str,
    text: &'a str,
    action: &'a str,
    button: &'a str,
    ask_password: bool,
}

fn token_page(ctx: &PageCtx, state: &AppState, page: TokenPage<'_>, token: &str) -> PageResult {
    ctx.render(
        state,
        "token_form.html",
        json!({"heading": page.heading, "paragraphs": [page.text], "action": page.action, "token": token,
               "button": page.button, "ask_password": page.ask_password}),
    )
}

const VERIFY_PAGE: TokenPage<'static> = TokenPage {
    heading: "verify-title",
    text: "verify-text",
    action: "/verify",
    button: "verify-button",
    ask_password: false,
};

const EMAIL_PAGE: TokenPage<'static> = TokenPage {
    heading: "email-confirm-title",
    text: "email-confirm-text",
    action: "/email/confirm",
    button: "email-confirm-button",
    ask_password: false,
};

async fn verify_form(State(state): State<AppState>, ctx: PageCtx, Query(q): Query<TokenQuery>) -> PageResult {
    let token = q.token.unwrap_or_default();
    token_page(&ctx, &state, VERIFY_PAGE, &token)
}

async fn verify(State(state): State<AppState>, ctx: PageCtx, RawForm(body): RawForm) -> PageResult {
    let form = FormData::parse(&body);
    match (Accounts { state: &state }).verify(form.raw("token")).await {
        Ok(_) => message(&ctx, &state, "msg-confirmed", &["msg-confirmed-text"], Some(("/login", "nav-sign-in"))),
        Err(ApiError::Invalid(_)) => ctx.render_status(
            &state,
            StatusCode::BAD_REQUEST,
            "message.html",
            json!({"heading": "msg-bad-link", "paragraphs": ["msg-bad-link-verify"]}),
        ),
        Err(e) => Err(ctx.fail(e)),
    }
}

async fn reset_form(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    ctx.render(&state, "reset_request.html", json!({}))
}

async fn reset(State(state): State<AppState>, ctx: PageCtx, ip: ClientIp, RawForm(body): RawForm) -> PageResult {
    let form = FormData::parse(&body);
    let Ok(email) = Email::parse(form.raw("email")) else {
        return ctx.form_again(&state, "reset_request.html", &form, json!({"email": "err-give-email"}), json!({}));
    };
    Accounts { state: &state }.request_reset(ip, &email).await.map_err(|e| ctx.fail(e))?;
    message(&ctx, &state, "msg-check-email", &["msg-check-email-text"], None)
}

async fn new_password_form(State(state): State<AppState>, ctx: PageCtx, Path(token): Path<String>) -> PageResult {
    token_page(
        &ctx,
        &state,
        TokenPage {
            heading: "reset-title",
            text: "new-password-text",
            action: &format!("/reset/{token}"),
            button: "new-password-button",
            ask_password: true,
        },
        &token,
    )
}

async fn new_password(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    let form = FormData::parse(&body);
    match (Accounts { state: &state }).reset_password(&token, form.raw("password")).await {
        Ok(_) => message(
            &ctx,
            &state,
            "msg-password-changed",
            &["msg-password-changed-text"],
            Some(("/login", "nav-sign-in")),
        ),
        Err(ApiError::Invalid(v)) => {
            let errors = super::forms::errors(&v, ctx.locale);
            if errors.contains_key("token") {
                return ctx.render_status(
                    &state,
                    StatusCode::BAD_REQUEST,
                    "message.html",
                    json!({"heading": "msg-bad-link", "paragraphs": ["msg-bad-link-text"], "link": {"href": "/reset", "text": "msg-ask-new-link"}}),
                );
            }
            ctx.form_again(&state, "token_form.html", &form, errors, json!({"heading": "reset-title", "action": format!("/reset/{token}"), "token": token, "button": "new-password-button", "ask_password": true}))
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

async fn email_form(State(state): State<AppState>, ctx: PageCtx, Query(q): Query<TokenQuery>) -> PageResult {
    let token = q.token.unwrap_or_default();
    token_page(&ctx, &state, EMAIL_PAGE, &token)
}

async fn email_confirm(State(state): State<AppState>, ctx: PageCtx, RawForm(body): RawForm) -> PageResult {
    let form = FormData::parse(&body);
    match (Accounts { state: &state }).confirm_email(form.raw("token")).await {
        Ok(_) => message(&ctx, &state, "msg-email-changed", &[], Some(("/account", "account-title"))),
        Err(ApiError::Invalid(_)) => ctx.render_status(
            &state,
            StatusCode::BAD_REQUEST,
            "message.html",
            json!({"heading": "msg-bad-link", "paragraphs": ["msg-bad-link-text"]}),
        ),
        Err(e) => Err(ctx.fail(e)),
    }
}

async fn account_page(
    state: &AppState,
    ctx: &PageCtx,
    form: serde_json::Value,
    errors: serde_json::Value,
    new_token: Option<String>,
    status: StatusCode,
) -> PageResult {
    let user = ctx.user()?;
    let tokens = state.store.list_tokens(Some(user.id)).await.map_err(|e| ctx.fail(e))?;
    let scope_options: Vec<_> = Scope::ALL
        .iter()
        .filter(|s| s.allowed_for(user.role))
        .map(|s| json!({"code": s.as_str(), "name": s.as_str()}))
        .collect();
    let mut form = form;
    if form.get("name").is_none() {
        form["name"] = json!(user.name);
    }
    ctx.render_status(
        state,
        status,
        "account.html",
        json!({"account": user, "tokens": tokens, "scope_options": scope_options, "new_token": new_token, "form": form, "errors": errors,
               "problem": (status != StatusCode::OK).then_some("Please correct what is marked below.")}),
    )
}

async fn account(State(state): State<AppState>, ctx: PageCtx) -> PageResult {
    account_page(&state, &ctx, json!({}), json!({}), None, StatusCode::OK).await
}

/// Account changes happen in a browser session only.
fn session_user(ctx: &PageCtx) -> Result<&banyan_store::User, super::PageError> {
    let user = ctx.user()?;
    match ctx.caller.auth {
        Auth::Session(_) => Ok(user),
        _ => Err(ctx.fail(ApiError::Forbidden("sign in to change your account".into()))),
    }
}

async fn change_name(State(state): State<AppState>, ctx: PageCtx, RawForm(body): RawForm) -> PageResult {
    let user = session_user(&ctx)?;
    let form = FormData::parse(&body);
    let name = text::line(form.raw("name")).unwrap_or_default();
    if name.is_empty() || name.chars().count() > limits::TITLE {
        return account_page(
            &state,
            &ctx,
            json!(form.echo()),
            json!({"name": "Give a name of 1 to 200 characters."}),
            None,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let actor = ctx.caller.actor().expect("a person");
    state
        .store
        .update_user(user.id, UserChange { name: Some(name), ..Default::default() }, &actor)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(redirect("/account?done=saved"))
}

async fn check_password_of(state: &AppState, user: &banyan_store::User, password: &str) -> Result<bool, ApiError> {
    let hash = state.store.password_hash(user.id).await?;
    Ok(verify_password(password, hash.as_deref()).await)
}

async fn change_password(State(state): State<AppState>, ctx: PageCtx, RawForm(body): RawForm) -> PageResult {
    let user = session_user(&ctx)?.clone();
    let form = FormData::parse(&body);
    let mut errors = serde_json::Map::new();
    if !check_password_of(&state, &user, form.raw("current_password")).await.map_err(|e| ctx.fail(e))? {
        errors.insert("current_password".into(), json!("This is not your current password."));
    }
    if let Err(m) = check_password(form.raw("new_password"), Some(&user.email)) {
        errors.insert("new_password".into(), json!(format!("{} {m}.", ctx.t("err-password"))));
    }
    if !errors.is_empty() {
        return account_page(&state, &ctx, json!(form.echo()), json!(errors), None, StatusCode::BAD_REQUEST).await;
    }
    let user =
        Accounts { state: &state }.set_password(user.id, form.raw("new_password")).await.map_err(|e| ctx.fail(e))?;
    let (secret, _) = start_session(&state, &user, SessionKind::Browser).await.map_err(|e| ctx.fail(e))?;
    let mut res = redirect("/account?done=password");
    res.headers_mut().append(header::SET_COOKIE, cookie(SESSION_COOKIE, &secret, BROWSER_SESSION));
    Ok(res)
}

async fn change_email(State(state): State<AppState>, ctx: PageCtx, RawForm(body): RawForm) -> PageResult {
    let user = session_user(&ctx)?.clone();
    let form = FormData::parse(&body);
    let mut errors = serde_json::Map::new();
    let email = Email::parse(form.raw("new_email"))
        .map_err(|e| errors.insert("new_email".into(), json!(email_error(&ctx, &e.message))))
        .ok();
    if !check_password_of(&state, &user, form.raw("email_password")).await.map_err(|e| ctx.fail(e))? {
        errors.insert("email_password".into(), json!("This is not your password."));
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return account_page(&state, &ctx, json!(form.echo()), json!(errors), None, StatusCode::BAD_REQUEST).await;
    };
    let accounts = Accounts { state: &state };
    if state.store.user_auth(&email).await.map_err(|e| ctx.fail(e))?.is_none() {
        let token = accounts
            .one_time(Purpose::ChangeEmail, Some(&user), Some(&email), json!({"email": email}), VERIFY_FOR)
            .await
            .map_err(|e| ctx.fail(e))?;
        state
            .store
            .enqueue_mail(accounts.letters().confirm_new_email(&user, &email, &token))
            .await
            .map_err(|e| ctx.fail(e))?;
    }
    Ok(redirect("/account?done=email"))
}

async fn delete_account(State(state): State<AppState>, ctx: PageCtx, RawForm(body): RawForm) -> PageResult {
    let user = session_user(&ctx)?.clone();
    let form = FormData::parse(&body);
    if !check_password_of(&state, &user, form.raw("delete_password")).await.map_err(|e| ctx.fail(e))? {
        return account_page(
            &state,
            &ctx,
            json!({}),
            json!({"delete_password": "This is not your password."}),
            None,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let actor = ctx.caller.actor().expect("a person");
    state
        .store
        .erase_user(user.id, form.get("remove_content") == Some("true"), &actor)
        .await
        .map_err(|e| ctx.fail(e))?;
    let mut res = message(
        &ctx,
        &state,
        "Your account is deleted",
        &["Your personal data is erased. Thank you for taking part."],
        None,
    )?;
    res.headers_mut().append(header::SET_COOKIE, expired_cookie(SESSION_COOKIE));
    Ok(res)
}

async fn make_token(State(state): State<AppState>, ctx: PageCtx, RawForm(body): RawForm) -> PageResult {
    let user = session_user(&ctx)?.clone();
    let form = FormData::parse(&body);
    let name = text::line(form.raw("token_name")).unwrap_or_default();
    let scopes: Vec<Scope> =
        form.all("scopes").into_iter().filter_map(Scope::parse).filter(|s| s.allowed_for(user.role)).collect();
    let mut errors = serde_json::Map::new();
    if name.is_empty() || name.chars().count() > 100 {
        errors.insert("token_name".into(), json!("Give the token a name of 1 to 100 characters."));
    }
    if scopes.is_empty() {
        errors.insert("scopes".into(), json!("Choose at least one scope."));
    }
    if !errors.is_empty() {
        return account_page(&state, &ctx, json!(form.echo()), json!(errors), None, StatusCode::BAD_REQUEST).await;
    }
    let (secret, _) = crate::api::me::make_personal_token(&state, &user, name, scopes, Some(Duration::days(365)))
        .await
        .map_err(|e| ctx.fail(e))?;
    account_page(&state, &ctx, json!({}), json!({}), Some(secret), StatusCode::OK).await
}

async fn revoke_token(State(state): State<AppState>, ctx: PageCtx, Path(id): Path<String>) -> PageResult {
    let user = session_user(&ctx)?;
    let not_found = || ctx.fail(ApiError::NotFound("no such token".into()));
    let id = TokenId::parse(&id).map_err(|_| not_found())?;
    let mine = state.store.list_tokens(Some(user.id)).await.map_err(|e| ctx.fail(e))?.iter().any(|t| t.id == id);
    if !mine {
        return Err(not_found());
    }
    state.store.revoke_token(id, &ctx.caller.actor().expect("a person")).await.map_err(|e| ctx.fail(e))?;
    Ok(redirect("/account?done=token-revoked"))
}

async fn export(State(state): State<AppState>, ctx: PageCtx) -> Result<Response, super::PageError> {
    let user = session_user(&ctx)?;
    let data = state.store.export_user(user.id).await.map_err(|e| ctx.fail(e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"banyan-my-data.json\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        serde_json::to_vec_pretty(&data).unwrap_or_default(),
    )
        .into_response())
}
