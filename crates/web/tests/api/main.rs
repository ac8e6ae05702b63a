//! The JSON API, over real HTTP, against a real server on a free port, on both backends.

mod bad_input;
mod operations;
mod organisations;
mod records;

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
    pub client: reqwest::Client,
    pub token: Option<String>,
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
        Self::start_with(db, WebConfig { public_url: String::new(), max_body_bytes: 64 * 1024, ..WebConfig::default() }).await
    }

    pub async fn start_with(db: TestDb, mut config: WebConfig) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        if config.public_url.is_empty() {
            config.public_url = base.clone();
        }
        let state = AppState::new(Arc::clone(&db.store), config);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(banyan_web::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        TestApp { base, db, client: reqwest::Client::new(), token: None, _stop: stop }
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
