//! `/api/v1/auth/`: sign up, confirm an address, sign in and out, reset a password — for programs.
//! The pages at `/signup`, `/login` and `/reset` use the same functions ([`Accounts`]).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};

use banyan_domain::account::{PASSWORD_MAX, check_password};
use banyan_domain::{Email, Role, limits};
use banyan_store::{Actor, NewUser, OneTimeToken, Purpose, SessionKind, User, UserChange};

use super::JsonResponse;
use crate::AppState;
use crate::auth::{Auth, Caller, hash_password, random_secret, start_session, token_hash, verify_password};
use crate::extract::{ClientIp, JsonBody, read_body};
use crate::mail::Letters;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::rate::client_key;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(verify))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(reset))
        .routes(routes!(reset_confirm))
        .routes(routes!(confirm_email))
}

/// What registration, reset and the like answer whether or not the address has an account.
pub const CHECK_YOUR_EMAIL: &str =
    "If the address can be used, a message is on its way to it. Follow the link in it to continue.";

/// How long links sent by mail stay valid.
pub const VERIFY_FOR: Duration = Duration::hours(48);
pub const RESET_FOR: Duration = Duration::hours(1);
pub const INVITE_FOR: Duration = Duration::days(7);

/// Account operations shared by the API and the pages.
pub struct Accounts<'a> {
    pub state: &'a AppState,
}

impl Accounts<'_> {
    pub fn letters(&self) -> Letters<'_> {
        Letters { public_url: &self.state.config.public_url, site: &self.state.config.site_name }
    }

    /// Makes a one-time token and returns its secret.
    pub async fn one_time(
        &self,
        purpose: Purpose,
        user: Option<&User>,
        email: Option<&Email>,
        data: Value,
        valid_for: Duration,
    ) -> ApiResult<String> {
        let secret = random_secret("");
        let now = Utc::now();
        self.state
            .store
            .create_one_time_token(OneTimeToken {
                hash: token_hash(&secret),
                purpose,
                user_id: user.map(|u| u.id),
                email: email.cloned(),
                data,
                created_at: now,
                expires_at: now + valid_for,
            })
            .await?;
        Ok(secret)
    }

    /// Sends mail to an address at most a few times an hour, so that nobody can use Banyan to
    /// flood someone's inbox. Past the limit, the mail is quietly not sent.
    async fn mail_limited(&self, mail: banyan_store::NewMail) -> ApiResult<()> {
        if self.state.limiter.hit("mail", mail.to.as_str(), self.state.config.limits.mail_per_email).is_ok() {
            self.state.store.enqueue_mail(mail).await?;
        }
        Ok(())
    }

    pub async fn send_verification(&self, user: &User) -> ApiResult<()> {
        let token = self.one_time(Purpose::VerifyEmail, Some(user), Some(&user.email), json!({}), VERIFY_FOR).await?;
        self.mail_limited(self.letters().verify(user, &token)).await
    }

    /// Signs someone up. Answers the same way whether or not the address has an account: the
    /// owner of an existing account gets a mail saying so instead.
    pub async fn register(&self, ip: ClientIp, email: Email, name: String, password: String) -> ApiResult<()> {
        self.state.limiter.hit("register", &client_key(ip.0), self.state.config.limits.register_per_ip)?;
        // Hash whatever happens, so that the answer takes as long for a taken address.
        let hash = hash_password(&password).await?;
        match self.state.store.user_auth(&email).await? {
            Some(existing) => self.mail_limited(self.letters().already_registered(&existing.user)).await,
            None => {
                let new =
                    NewUser { email: email.clone(), name, password_hash: hash, role: Role::Member, verified: false };
                let actor = Actor { id: "signup".into(), name: String::new(), role: Role::Member };
                match self.state.store.create_user(new, &actor).await {
                    Ok(user) => self.send_verification(&user).await,
                    // Someone else signed up with it a moment ago: same answer.
                    Err(banyan_store::StoreError::Invalid(_)) => Ok(()),
                    Err(e) => Err(e.into()),
                }
            }
        }
    }

    pub async fn verify(&self, token: &str) -> ApiResult<User> {
        let t = self
            .state
            .store
            .take_one_time_token(&token_hash(token), Purpose::VerifyEmail)
            .await?
            .ok_or_else(|| ApiError::field("token", "invalid_value", "is unknown, already used or expired"))?;
        let user_id = t.user_id.ok_or_else(|| ApiError::field("token", "invalid_value", "is not for an account"))?;
        let actor = Actor::user(user_id, Role::Member);
        Ok(self
            .state
            .store
            .update_user(user_id, UserChange { verified: Some(true), ..Default::default() }, &actor)
            .await?)
    }

    /// Checks an address and password; the same refusal for an unknown address and a wrong
    /// password, and failures per account are limited.
    pub async fn check_login(&self, ip: ClientIp, email: &Email, password: &str) -> ApiResult<User> {
        let limits = self.state.config.limits;
        self.state.limiter.hit("login", &client_key(ip.0), limits.login_per_ip)?;
        self.state.limiter.peek("login-failures", email.as_str(), limits.login_failures_per_account)?;
        let found = self.state.store.user_auth(email).await?;
        if !verify_password(password, found.as_ref().map(|f| f.password_hash.as_str())).await {
            let _ = self.state.limiter.hit("login-failures", email.as_str(), limits.login_failures_per_account);
            return Err(ApiError::Unauthenticated("the e-mail address or the password is wrong".into()));
        }
        let user = found.expect("a password matched, so the account exists").user;
        if user.is_blocked() {
            return Err(ApiError::Forbidden("this account is blocked; write to the node's curators".into()));
        }
        if !user.is_verified() {
            self.send_verification(&user).await?;
            return Err(ApiError::Forbidden("confirm your e-mail address first: we sent the link again".into()));
        }
        Ok(user)
    }

    /// Starts a password reset. Same answer for every address.
    pub async fn request_reset(&self, ip: ClientIp, email: &Email) -> ApiResult<()> {
        self.state.limiter.hit("reset", &client_key(ip.0), self.state.config.limits.reset_per_ip)?;
        if let Some(found) = self.state.store.user_auth(email).await?
            && !found.user.is_blocked()
        {
            let token =
                self.one_time(Purpose::ResetPassword, Some(&found.user), Some(email), json!({}), RESET_FOR).await?;
            self.mail_limited(self.letters().reset(&found.user, &token)).await?;
        }
        Ok(())
    }

    /// Sets a new password with a reset token, and signs out every session.
    pub async fn reset_password(&self, token: &str, password: &str) -> ApiResult<User> {
        // Check the password before using the token up.
        check_password(password, None).map_err(|m| ApiError::field("password", "weak_password", m))?;
        let t = self
            .state
            .store
            .take_one_time_token(&token_hash(token), Purpose::ResetPassword)
            .await?
            .ok_or_else(|| ApiError::field("token", "invalid_value", "is unknown, already used or expired"))?;
        let user_id = t.user_id.ok_or_else(|| ApiError::field("token", "invalid_value", "is not for an account"))?;
        self.set_password(user_id, password).await
    }

    /// Sets a password; the mailbox was proven, so the address counts as verified. Every
    /// session ends.
    pub async fn set_password(&self, user_id: banyan_domain::UserId, password: &str) -> ApiResult<User> {
        let hash = hash_password(password).await?;
        let actor = Actor::user(user_id, Role::Member);
        let change = UserChange { password_hash: Some(hash), verified: Some(true), ..Default::default() };
        let user = self.state.store.update_user(user_id, change, &actor).await?;
        self.state.store.end_sessions(user_id).await?;
        self.state.store.enqueue_mail(self.letters().password_changed(&user)).await?;
        Ok(user)
    }

    pub async fn confirm_email(&self, token: &str) -> ApiResult<User> {
        let t = self
            .state
            .store
            .take_one_time_token(&token_hash(token), Purpose::ChangeEmail)
            .await?
            .ok_or_else(|| ApiError::field("token", "invalid_value", "is unknown, already used or expired"))?;
        let (Some(user_id), Some(new)) = (t.user_id, t.data["email"].as_str().and_then(|e| Email::parse(e).ok()))
        else {
            return Err(ApiError::field("token", "invalid_value", "is not for an e-mail change"));
        };
        let before =
            self.state.store.user(user_id).await?.ok_or_else(|| ApiError::NotFound("no such account".into()))?;
        let actor = Actor::user(user_id, before.role);
        let user = self
            .state
            .store
            .update_user(user_id, UserChange { email: Some(new), verified: Some(true), ..Default::default() }, &actor)
            .await?;
        self.state.store.enqueue_mail(self.letters().email_changed(&user, &before.email)).await?;
        Ok(user)
    }
}

fn email_and_password(body: &Value) -> ApiResult<(Email, String)> {
    read_body(body, |c, o| {
        let email = c.required(o, "email", Email::parse);
        let password = c.raw(o, "password", PASSWORD_MAX);
        (email, password)
    })
    .map(|(e, p)| (e.expect("reported when missing"), p))
}

fn accepted() -> JsonResponse {
    JsonResponse::with_status(StatusCode::ACCEPTED, &json!({"status": "check_your_email", "message": CHECK_YOUR_EMAIL}))
}

/// Creates an account and mails a link to confirm the address. The answer is the same whether or
/// not the address already has an account.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "accounts",
    request_body(content = Object, description = "`{\"email\", \"password\", \"name\"}`", content_type = "application/json"),
    responses((status = 202), (status = 400, body = Problem), (status = 429, body = Problem)))]
async fn register(State(state): State<AppState>, ip: ClientIp, JsonBody(body): JsonBody) -> ApiResult<JsonResponse> {
    let (email, password, name) = read_body(&body, |c, o| {
        let email = c.required(o, "email", Email::parse);
        let password = c.raw(o, "password", PASSWORD_MAX);
        let name = c.required_line(o, "name", limits::TITLE);
        if !password.is_empty()
            && let Err(m) = check_password(&password, email.as_ref())
        {
            c.report(&o.path("password"), "weak_password", m);
        }
        (email, password, name)
    })?;
    Accounts { state: &state }.register(ip, email.expect("reported when missing"), name, password).await?;
    Ok(accepted())
}

/// Confirms an address with the token from the mail.
#[utoipa::path(post, path = "/api/v1/auth/verify", tag = "accounts",
    request_body(content = Object, description = "`{\"token\"}`", content_type = "application/json"),
    responses((status = 200), (status = 400, body = Problem)))]
async fn verify(State(state): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<JsonResponse> {
    let token = read_body(&body, |c, o| c.raw(o, "token", 200))?;
    let user = Accounts { state: &state }.verify(&token).await?;
    Ok(JsonResponse::ok(&json!({"status": "verified", "user": user})))
}

/// Signs in; answers with a bearer token for the API (browsers use the `/login` page).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts",
    request_body(content = Object, description = "`{\"email\", \"password\"}`", content_type = "application/json"),
    responses((status = 200, description = "`{\"token\", \"expires_at\", \"user\"}`"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 429, body = Problem)))]
async fn login(State(state): State<AppState>, ip: ClientIp, JsonBody(body): JsonBody) -> ApiResult<JsonResponse> {
    let (email, password) = email_and_password(&body)?;
    let user = Accounts { state: &state }.check_login(ip, &email, &password).await?;
    let (secret, session) = start_session(&state, &user, SessionKind::Api).await?;
    Ok(JsonResponse::ok(&json!({"token": secret, "expires_at": session.expires_at, "user": user})))
}

/// Signs out: ends every session of the signed-in person, on every device.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    match &caller.auth {
        Auth::Session(s) => {
            state.store.end_sessions(s.user_id).await?;
            let mut res = StatusCode::NO_CONTENT.into_response();
            res.headers_mut()
                .append(axum::http::header::SET_COOKIE, crate::auth::expired_cookie(crate::auth::SESSION_COOKIE));
            Ok(res)
        }
        _ => Err(ApiError::Unauthenticated("there is no session to end; API tokens are revoked instead".into())),
    }
}

/// Mails a link to choose a new password. The answer is the same for every address.
#[utoipa::path(post, path = "/api/v1/auth/reset", tag = "accounts",
    request_body(content = Object, description = "`{\"email\"}`", content_type = "application/json"),
    responses((status = 202), (status = 400, body = Problem), (status = 429, body = Problem)))]
async fn reset(State(state): State<AppState>, ip: ClientIp, JsonBody(body): JsonBody) -> ApiResult<JsonResponse> {
    let email = read_body(&body, |c, o| c.required(o, "email", Email::parse))?.expect("reported when missing");
    Accounts { state: &state }.request_reset(ip, &email).await?;
    Ok(accepted())
}

/// Sets a new password with the token from the mail. Every session of the account ends.
#[utoipa::path(post, path = "/api/v1/auth/reset/confirm", tag = "accounts",
    request_body(content = Object, description = "`{\"token\", \"password\"}`", content_type = "application/json"),
    responses((status = 200), (status = 400, body = Problem)))]
async fn reset_confirm(State(state): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<JsonResponse> {
    let (token, password) = read_body(&body, |c, o| (c.raw(o, "token", 200), c.raw(o, "password", PASSWORD_MAX)))?;
    Accounts { state: &state }.reset_password(&token, &password).await?;
    Ok(JsonResponse::ok(&json!({"status": "password_changed"})))
}

/// Confirms a new e-mail address with the token mailed to it.
#[utoipa::path(post, path = "/api/v1/auth/email/confirm", tag = "accounts",
    request_body(content = Object, description = "`{\"token\"}`", content_type = "application/json"),
    responses((status = 200), (status = 400, body = Problem)))]
async fn confirm_email(State(state): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<JsonResponse> {
    let token = read_body(&body, |c, o| c.raw(o, "token", 200))?;
    let user = Accounts { state: &state }.confirm_email(&token).await?;
    Ok(JsonResponse::ok(&json!({"status": "email_changed", "user": user})))
}
