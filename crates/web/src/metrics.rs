//! Request metrics in the Prometheus text format (version 0.0.4).
//!
//! Labels are the route pattern (`/api/v1/records/{id}`), never the raw path, so the number of
//! series stays bounded whatever clients request.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    started: Option<Instant>,
    // (method, route, status) → latency histogram
    requests: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics { started: Some(Instant::now()), requests: Mutex::default() }
    }

    pub fn observe(&self, method: &str, route: &str, status: u16, took: Duration) {
        let secs = took.as_secs_f64();
        let mut map = self.requests.lock().expect("metrics lock");
        let s = map.entry((method.to_string(), route.to_string(), status)).or_default();
        s.count += 1;
        s.sum += secs;
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                s.buckets[i] += 1;
            }
        }
    }

    /// The exposition text; `extra` adds gauges read at scrape time.
    pub fn render(&self, extra: &[(&str, &str, f64)]) -> String {
        let mut out = String::new();
        out.push_str("# HELP banyan_http_requests_total HTTP requests answered, by route and status.\n");
        out.push_str("# TYPE banyan_http_requests_total counter\n");
        let map = self.requests.lock().expect("metrics lock");
        for ((method, route, status), s) in map.iter() {
            let _ = writeln!(
                out,
                "banyan_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {}",
                escape(method),
                escape(route),
                s.count
            );
        }
        out.push_str("# HELP banyan_http_request_duration_seconds Time to answer HTTP requests.\n");
        out.push_str("# TYPE banyan_http_request_duration_seconds histogram\n");
        // Merge statuses: latency by route is what dashboards plot.
        let mut by_route: BTreeMap<(&str, &str), Series> = BTreeMap::new();
        for ((method, route, _), s) in map.iter() {
            let t = by_route.entry((method, route)).or_default();
            t.count += s.count;
            t.sum += s.sum;
            for i in 0..BUCKETS.len() {
                t.buckets[i] += s.buckets[i];
            }
        }
        for ((method, route), s) in &by_route {
            let labels = format!("method=\"{}\",route=\"{}\"", escape(method), escape(route));
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "banyan_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(out, "banyan_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(out, "banyan_http_request_duration_seconds_sum{{{labels}}} {}", s.sum);
            let _ = writeln!(out, "banyan_http_request_duration_seconds_count{{{labels}}} {}", s.count);
        }
        drop(map);
        if let Some(started) = self.started {
            out.push_str(
                "# HELP banyan_uptime_seconds Seconds since the server started.\n# TYPE banyan_uptime_seconds gauge\n",
            );
            let _ = writeln!(out, "banyan_uptime_seconds {}", started.elapsed().as_secs_f64());
        }
        for (name, help, value) in extra {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Middleware that times every request.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_string();
    let res = next.run(req).await;
    state.metrics.observe(&method, &route, res.status().as_u16(), started.elapsed());
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::new();
        m.observe("GET", "/api/v1/records/{id}", 200, Duration::from_millis(3));
        m.observe("GET", "/api/v1/records/{id}", 404, Duration::from_millis(30));
        let text = m.render(&[("banyan_records", "Records.", 2.0)]);
        assert!(
            text.contains("banyan_http_requests_total{method=\"GET\",route=\"/api/v1/records/{id}\",status=\"200\"} 1")
        );
        assert!(text.contains(
            "banyan_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/records/{id}\",le=\"0.005\"} 1"
        ));
        assert!(
            text.contains(
                "banyan_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/records/{id}\"} 2"
            )
        );
        assert!(text.contains("banyan_records 2"));
    }
}
