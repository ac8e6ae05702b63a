//! The JSON API, over real HTTP, against a real server on a free port, on both backends.

mod accounts;
mod bad_input;
mod canary;
mod conversations;
mod i18n;
mod impact;
mod mail;
mod matching;
mod matrix;
mod oai;
mod open_data;
mod operations;
mod organisations;
mod pages;
mod pilots;
mod records;
mod search;
mod site;
mod story;
mod xss;

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use banyan_domain::{Role, TokenId};
use banyan_store::{Actor, NewToken};
use banyan_testkit::TestDb;
use banyan_web::{AppState, WebConfig};

/// A running server with its database and, optionally, a token to call it with.
pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    pub indexer: Arc<banyan_search::Indexer>,
    _index_dir: tempfile::TempDir,
    pub client: reqwest::Client,
    pub token: Option<String>,
    /// What the server's handlers share (its admission door, say).
    pub state: AppState,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// The fields a problem response names, in order.
    pub fn error_fields(&self) -> Vec<&str> {
        self.body["errors"]
            .as_array()
            .map(|e| e.iter().filter_map(|v| v["field"].as_str()).collect())
            .unwrap_or_default()
    }
    #[track_caller]
    pub fn assert_problem(&self, status: StatusCode, kind: &str) {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "{}", self.text);
        assert_eq!(self.body["type"], format!("urn:banyan:problem:{kind}"), "{}", self.text);
        assert_eq!(self.body["status"], status.as_u16());
    }
}

impl TestApp {
    pub async fn start(db: TestDb) -> TestApp {
        Self::start_with(db, WebConfig { public_url: String::new(), max_body_bytes: 64 * 1024, ..WebConfig::default() })
            .await
    }

    pub async fn start_with(db: TestDb, mut config: WebConfig) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        if config.public_url.is_empty() {
            config.public_url = base.clone();
        }
        let index_dir = tempfile::tempdir().unwrap();
        let indexer = banyan_search::indexer::open_current(index_dir.path(), Arc::clone(&db.store)).await.unwrap();
        let state = AppState::new(Arc::clone(&db.store), Arc::clone(&indexer), config);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (stop_indexer, indexer_stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(Arc::clone(&indexer).run(
            std::time::Duration::from_millis(200),
            std::time::Duration::from_millis(200),
            async move {
                let _ = indexer_stopped.await;
            },
        ));
        tokio::spawn(banyan_web::serve(listener, state.clone(), async move {
            let _ = stopped.await;
            let _ = stop_indexer.send(());
        }));
        // Redirects are answers to check, not to follow.
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        TestApp { base, db, indexer, _index_dir: index_dir, client, token: None, state, _stop: stop }
    }

    /// Brings the search index up to date with everything written so far.
    pub async fn sync(&self) {
        self.indexer.catch_up().await.unwrap();
    }

    /// Makes a token of `role` and sends it with every request from now on.
    pub async fn with_token(mut self, role: Role) -> TestApp {
        self.token = Some(self.make_token(role).await);
        self
    }

    pub async fn make_token(&self, role: Role) -> String {
        let secret = banyan_web::new_token_secret();
        let token = NewToken {
            id: TokenId::new(),
            name: "tests".into(),
            role,
            secret_hash: banyan_web::token_hash(&secret),
            expires_at: None,
            user_id: None,
            scopes: Vec::new(),
        };
        self.db.store.create_token(token, &Actor::cli()).await.unwrap();
        secret
    }

    pub fn anonymous(&self) -> TestApp2<'_> {
        TestApp2 { app: self, token: None }
    }

    pub async fn request(&self, method: Method, path: &str, body: Option<&Value>, headers: &[(&str, &str)]) -> Reply {
        self.send(
            method,
            path,
            body.map(|b| ("application/json", b.to_string().into_bytes())),
            headers,
            self.token.as_deref(),
        )
        .await
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
        headers: &[(&str, &str)],
        token: Option<&str>,
    ) -> Reply {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some((content_type, bytes)) = body {
            req = req.header("content-type", content_type).body(bytes);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.expect("the server answers");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, headers, body, text }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None, &[]).await
    }
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.request(Method::POST, path, Some(body), &[]).await
    }
    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.request(Method::PATCH, path, Some(body), &[]).await
    }
    pub async fn delete(&self, path: &str) -> Reply {
        self.request(Method::DELETE, path, None, &[]).await
    }

    /// Creates a record through the API, failing the test if it is refused.
    pub async fn create(&self, record: &Value) -> Value {
        let r = self.post("/api/v1/records", record).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body
    }
}

/// The same app, without its token.
pub struct TestApp2<'a> {
    app: &'a TestApp,
    token: Option<&'a str>,
}

impl TestApp2<'_> {
    pub async fn get(&self, path: &str) -> Reply {
        self.app.send(Method::GET, path, None, &[], self.token).await
    }
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.app
            .send(Method::POST, path, Some(("application/json", body.to_string().into_bytes())), &[], self.token)
            .await
    }
}

/// A person with an account and an API session.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: banyan_domain::UserId,
    pub email: String,
    pub password: String,
    /// The bearer token of an API session.
    pub token: String,
}

pub const PASSWORD: &str = "a long enough passphrase";

/// Requests made as someone (or no one).
pub struct As<'a> {
    app: &'a TestApp,
    token: Option<String>,
    headers: Vec<(String, String)>,
}

impl As<'_> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        let headers: Vec<(&str, &str)> = self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let body = body.map(|b| ("application/json", b.to_string().into_bytes()));
        self.app.send(method, path, body, &headers, self.token.as_deref()).await
    }
    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::PATCH, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::PUT, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }
}

impl TestApp {
    /// Requests as this person.
    pub fn by(&self, p: &Person) -> As<'_> {
        As { app: self, token: Some(p.token.clone()), headers: Vec::new() }
    }

    /// Requests without credentials.
    pub fn nobody(&self) -> As<'_> {
        As { app: self, token: None, headers: Vec::new() }
    }

    /// The newest mail to an address.
    pub async fn last_mail_to(&self, email: &str) -> banyan_store::Mail {
        let mails = self.db.store.outbox(1000).await.unwrap();
        mails.into_iter().find(|m| m.to.as_str() == email).unwrap_or_else(|| panic!("no mail to {email}"))
    }

    /// Signs someone up as a user would: register, confirm with the link from the mail, sign in.
    pub async fn signup(&self, email: &str) -> Person {
        let r = self
            .nobody()
            .post(
                "/api/v1/auth/register",
                &serde_json::json!({"email": email, "password": PASSWORD, "name": email.split('@').next().unwrap()}),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
        let mail = self.last_mail_to(email).await;
        let token = link_token(&mail.body, "/verify?token=");
        let v = self.nobody().post("/api/v1/auth/verify", &serde_json::json!({"token": token})).await;
        assert_eq!(v.status, StatusCode::OK, "{}", v.text);
        self.login(email, PASSWORD).await
    }

    /// Makes a verified account of any role directly, and signs it in.
    pub async fn person(&self, email: &str, role: Role) -> Person {
        let hash = banyan_web::hash_password(PASSWORD).await.unwrap();
        let new = banyan_store::NewUser {
            email: banyan_domain::Email::parse(email).unwrap(),
            name: email.split('@').next().unwrap().to_string(),
            password_hash: hash,
            role,
            verified: true,
        };
        self.db.store.create_user(new, &Actor::cli()).await.unwrap();
        self.login(email, PASSWORD).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Person {
        let r =
            self.nobody().post("/api/v1/auth/login", &serde_json::json!({"email": email, "password": password})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        Person {
            id: banyan_domain::UserId::parse(r.body["user"]["id"].as_str().unwrap()).unwrap(),
            email: email.to_string(),
            password: password.to_string(),
            token: r.body["token"].as_str().unwrap().to_string(),
        }
    }
}

/// The token in a link of a mail: what follows `prefix` up to the end of the word.
pub fn link_token(body: &str, prefix: &str) -> String {
    let start = body.find(prefix).unwrap_or_else(|| panic!("no {prefix} in {body}")) + prefix.len();
    body[start..].split_whitespace().next().unwrap().to_string()
}

/// A browser: keeps cookies, reads the CSRF token from the last page, sends forms.
pub struct Browser<'a> {
    app: &'a TestApp,
    cookies: std::collections::BTreeMap<String, String>,
    pub csrf: String,
    /// Extra headers for every request (an `Origin`, say).
    pub headers: Vec<(String, String)>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Browser<'a> {
        Browser { app, cookies: Default::default(), csrf: String::new(), headers: Vec::new() }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub fn has_cookie(&self, name: &str) -> bool {
        self.cookies.contains_key(name)
    }

    async fn go(&mut self, method: Method, path: &str, form: Option<Vec<(&str, &str)>>) -> Reply {
        let cookie = self.cookie_header();
        let mut headers: Vec<(&str, &str)> = self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        if !cookie.is_empty() {
            headers.push(("cookie", cookie.as_str()));
        }
        let body = form.map(|f| {
            let encoded = serde_urlencoded::to_string(&f).unwrap();
            ("application/x-www-form-urlencoded", encoded.into_bytes())
        });
        let reply = self.app.send(method, path, body, &headers, None).await;
        for set in reply.headers.get_all("set-cookie") {
            let set = set.to_str().unwrap();
            let (pair, attrs) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attrs.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        const MARK: &str = "name=\"csrf\" value=\"";
        if let Some(start) = reply.text.find(MARK) {
            let rest = &reply.text[start + MARK.len()..];
            self.csrf = rest[..rest.find('"').unwrap()].to_string();
        }
        reply
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        self.go(Method::GET, path, None).await
    }

    /// Sends a form with the page's CSRF token.
    pub async fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let csrf = self.csrf.clone();
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.go(Method::POST, path, Some(form)).await
    }

    /// Sends a form exactly as given (no CSRF token unless among `fields`).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.go(Method::POST, path, Some(fields.to_vec())).await
    }
}
