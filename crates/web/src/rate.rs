//! Rate limits against guessing and flooding: per client address and per account, in memory.
//!
//! Each server process counts on its own, so behind a load balancer of N instances a client may
//! get up to N times a limit through; the limits are set so that this still stops guessing.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::problem::ApiError;

/// One limit: at most `max` events per `window`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: usize,
    pub window: Duration,
}

impl Limit {
    pub const fn per_minute(max: usize) -> Limit {
        Limit { max, window: Duration::from_secs(60) }
    }
    pub const fn per_hour(max: usize) -> Limit {
        Limit { max, window: Duration::from_secs(3600) }
    }
}

/// The limits the site applies.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Sign-in attempts per address.
    pub login_per_ip: Limit,
    /// Failed sign-ins per account.
    pub login_failures_per_account: Limit,
    pub register_per_ip: Limit,
    pub reset_per_ip: Limit,
    /// Reset and verification mails per address (so that nobody's inbox can be flooded).
    pub mail_per_email: Limit,
    pub submissions_per_account: Limit,
    pub reports_per_account: Limit,
    pub comments_per_account: Limit,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            login_per_ip: Limit::per_minute(20),
            login_failures_per_account: Limit { max: 5, window: Duration::from_secs(15 * 60) },
            register_per_ip: Limit::per_hour(10),
            reset_per_ip: Limit::per_hour(10),
            mail_per_email: Limit::per_hour(3),
            submissions_per_account: Limit::per_hour(30),
            reports_per_account: Limit::per_hour(20),
            comments_per_account: Limit::per_hour(120),
        }
    }
}

/// Sliding-window counters keyed by (what, who).
#[derive(Default)]
pub struct RateLimiter {
    events: Mutex<HashMap<(&'static str, String), VecDeque<Instant>>>,
}

/// Past this many keys, old ones are swept on the next check.
const SWEEP_AT: usize = 50_000;

impl RateLimiter {
    /// Counts one event; refuses it (with how long to wait) when the limit is reached.
    pub fn hit(&self, what: &'static str, who: &str, limit: Limit) -> Result<(), ApiError> {
        self.check(what, who, limit, true)
    }

    /// Refuses if the limit is already reached, without counting (for failures counted later).
    pub fn peek(&self, what: &'static str, who: &str, limit: Limit) -> Result<(), ApiError> {
        self.check(what, who, limit, false)
    }

    fn check(&self, what: &'static str, who: &str, limit: Limit, count: bool) -> Result<(), ApiError> {
        let now = Instant::now();
        let mut events = self.events.lock().expect("rate limiter lock");
        if events.len() > SWEEP_AT {
            events.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < Duration::from_secs(3600)));
        }
        let q = events.entry((what, who.to_string())).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= limit.window) {
            q.pop_front();
        }
        if q.len() >= limit.max {
            let wait = q.front().map_or(limit.window, |t| limit.window.saturating_sub(now.duration_since(*t)));
            return Err(ApiError::TooManyRequests(wait.as_secs().max(1)));
        }
        if count {
            q.push_back(now);
        }
        Ok(())
    }
}

/// The key for a client address: IPv6 clients are counted by their /64, since one client
/// usually holds a whole /64.
pub fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_refuse_past_the_maximum_and_say_how_long_to_wait() {
        let r = RateLimiter::default();
        let limit = Limit::per_minute(3);
        for _ in 0..3 {
            r.hit("login", "1.2.3.4", limit).unwrap();
        }
        let Err(ApiError::TooManyRequests(wait)) = r.hit("login", "1.2.3.4", limit) else { panic!("limited") };
        assert!((1..=60).contains(&wait));
        assert!(r.hit("login", "5.6.7.8", limit).is_ok(), "per key");
        assert!(r.hit("register", "1.2.3.4", limit).is_ok(), "per kind");
        assert!(r.peek("register", "1.2.3.4", limit).is_ok());
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
    }
}
