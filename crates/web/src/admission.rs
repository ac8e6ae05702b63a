//! Admission: at most so many reads at work at once; the others wait at the door, first come
//! first served, and a read that has waited too long is answered 503 with `Retry-After`.
//!
//! Why at the door. A record page of a challenge takes the search index's queue three times
//! (its similar records, its candidates, their shared words), and a search page once or twice.
//! That queue is fair, but under load each pass waits behind every request that arrived in the
//! meantime, so a page that passes it three times waited three queues: under the load test's
//! mix at 180 reading connections, reads had a median of 368 ms and a p99 of 2.2 s, the tail
//! being record pages. With a few requests admitted at a time, a request waits once, at the
//! door, and then finds the index's queue, the database's connections and the cores nearly free:
//! each waits about the same, connections ÷ throughput, whatever it asks for (the same mix: 222
//! ms and 0.72 s, at the same throughput). Below saturation the door is never full.
//!
//! Not held back: writes (a tenth of the traffic or less; each holds the database's write lock
//! for a moment, and a writer waiting behind a queue of reads gains nothing), the health check
//! and the metrics (a load balancer must hear from a busy node), and the stylesheet and script.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::AppState;
use crate::problem::ApiError;

/// How many reads are at work at once, and how long one may wait for its turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdmissionLimits {
    /// Requests at work at once; 0 for no limit.
    pub concurrent: usize,
    /// The longest a request waits for its turn before it is answered 503.
    pub wait: Duration,
}

impl AdmissionLimits {
    /// Four requests per core: enough that the cores stay busy while some of the admitted wait
    /// on the database (PostgreSQL's round trips above all), few enough that none waits inside.
    pub fn for_this_machine() -> AdmissionLimits {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        AdmissionLimits { concurrent: 4 * cores, wait: Duration::from_secs(30) }
    }
}

impl Default for AdmissionLimits {
    fn default() -> Self {
        AdmissionLimits::for_this_machine()
    }
}

/// The door: a fair semaphore (tokio's gives permits in the order they were asked for).
pub struct Admission {
    turns: Option<Arc<Semaphore>>,
    wait: Duration,
    /// Reads waiting for their turn now (for `/metrics`).
    waiting: AtomicUsize,
}

impl Admission {
    pub fn new(limits: AdmissionLimits) -> Admission {
        Admission {
            turns: (limits.concurrent > 0).then(|| Arc::new(Semaphore::new(limits.concurrent))),
            wait: limits.wait,
            waiting: AtomicUsize::new(0),
        }
    }

    /// How many reads are waiting for their turn.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// A turn for one read, kept until the value is dropped: given in order of asking, or
    /// `Unavailable` once the wait is over. Without a limit, at once.
    pub async fn turn(&self) -> Result<Option<OwnedSemaphorePermit>, ApiError> {
        let Some(turns) = self.turns.clone() else {
            return Ok(None);
        };
        /// Counts a read as waiting until it is dropped, whether it got its turn, timed out or
        /// its client went away.
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::Relaxed);
            }
        }
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let waiting = Waiting(&self.waiting);
        let turn = tokio::time::timeout(self.wait, turns.acquire_owned()).await;
        drop(waiting);
        match turn {
            Ok(turn) => Ok(Some(turn.expect("the semaphore is never closed"))),
            Err(_) => Err(ApiError::Unavailable(format!(
                "The server is busy: this request waited {} s for its turn. Try again shortly.",
                self.wait.as_secs()
            ))),
        }
    }
}

/// Whether a request waits its turn: reads of pages and the API, but not writes, the health
/// check, the metrics or the site's own stylesheet and script.
fn waits(method: &Method, path: &str) -> bool {
    matches!(*method, Method::GET | Method::HEAD)
        && !matches!(path, "/healthz" | "/metrics")
        && !path.starts_with("/assets/")
}

/// Middleware: lets a read in when a turn is free, in order of arrival. A read turned away gets
/// a page when it is a browser's for a page, a problem otherwise (both 503 with `Retry-After`).
pub async fn admit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !waits(req.method(), req.uri().path()) {
        return next.run(req).await;
    }
    let arrived = std::time::Instant::now();
    match state.admission.turn().await {
        Ok(turn) => {
            let admitted = std::time::Instant::now();
            let path = tracing::enabled!(target: "banyan::admission", tracing::Level::DEBUG)
                .then(|| req.uri().path().to_string());
            let res = next.run(req).await;
            drop(turn);
            if let Some(path) = path {
                // When a read came, how long it waited at the door and how long its work took:
                // which reads make a tail, and whether the tail clusters in time.
                tracing::debug!(
                    target: "banyan::admission",
                    path,
                    status = res.status().as_u16(),
                    waited_us = (admitted - arrived).as_micros() as u64,
                    worked_us = admitted.elapsed().as_micros() as u64,
                    "read answered"
                );
            }
            res
        }
        Err(busy) if crate::pages::wants_page(req.uri().path(), req.headers()) => {
            crate::pages::PageError::bare(busy, req.uri().path(), req.headers(), req.uri().query()).into_response()
        }
        Err(busy) => busy.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wait_and_writes_health_and_assets_do_not() {
        assert!(waits(&Method::GET, "/records/0198"));
        assert!(waits(&Method::GET, "/api/v1/search"));
        assert!(waits(&Method::HEAD, "/"));
        assert!(!waits(&Method::POST, "/api/v1/records"));
        assert!(!waits(&Method::PATCH, "/api/v1/records/0198"));
        assert!(!waits(&Method::GET, "/healthz"));
        assert!(!waits(&Method::GET, "/metrics"));
        assert!(!waits(&Method::GET, "/assets/site.css"));
    }
}
