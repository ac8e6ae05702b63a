//! Derived values that are costly to compute and may be a little old: the similar records and
//! the matches shown on a record's page. Each is computed at most once per record version every
//! [`TTL`], then served from memory; a record edited since has a new version, so its page
//! recomputes at once. Records written by others show up in them within the TTL.
//!
//! The load test found the record page at about 80 pages a second on two cores, nearly all of it
//! the similar-records search (about 8 ms at 10,000 records).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use uuid::Uuid;

/// How long a derived value is served before it is computed again.
pub const TTL: Duration = Duration::from_secs(120);
/// The most values kept; beyond it the oldest go first.
const CAPACITY: usize = 20_000;

/// What a value is: the record, its version, and which derivation.
type Key = (Uuid, i64, &'static str);

#[derive(Default)]
pub struct Derived {
    values: Mutex<HashMap<Key, (Instant, Arc<Value>)>>,
}

impl Derived {
    /// The value for `key`, computed by `compute` when missing or older than the TTL. Errors are
    /// not kept.
    pub async fn get_or<E, F, Fut>(
        &self,
        record: Uuid,
        version: i64,
        what: &'static str,
        compute: F,
    ) -> Result<Arc<Value>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Value, E>>,
    {
        let key = (record, version, what);
        if let Some((at, v)) = self.values.lock().expect("not poisoned").get(&key)
            && at.elapsed() < TTL
        {
            return Ok(v.clone());
        }
        let value = Arc::new(compute().await?);
        let mut values = self.values.lock().expect("not poisoned");
        if values.len() >= CAPACITY {
            values.retain(|_, (at, _)| at.elapsed() < TTL);
            if values.len() >= CAPACITY {
                // Still full of fresh values: drop the older half.
                let mut ages: Vec<Instant> = values.values().map(|(at, _)| *at).collect();
                ages.sort();
                let cut = ages[ages.len() / 2];
                values.retain(|_, (at, _)| *at > cut);
            }
        }
        values.insert(key, (Instant::now(), value.clone()));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_value_is_computed_once_per_version_and_again_for_a_new_one() {
        let cache = Derived::default();
        let id = Uuid::new_v4();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let compute = || async {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok::<_, ()>(Value::from(42))
        };
        assert_eq!(*cache.get_or(id, 1, "similar", compute).await.unwrap(), Value::from(42));
        assert_eq!(*cache.get_or(id, 1, "similar", compute).await.unwrap(), Value::from(42));
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1, "served from memory");
        cache.get_or(id, 2, "similar", compute).await.unwrap();
        cache.get_or(id, 2, "matches", compute).await.unwrap();
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3, "a new version or derivation computes");
        let failed = cache.get_or(id, 3, "similar", || async { Err::<Value, _>("index busy") }).await;
        assert!(failed.is_err());
        cache.get_or(id, 3, "similar", compute).await.unwrap();
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 4, "errors are not kept");
    }

    #[tokio::test]
    async fn it_stays_within_its_capacity() {
        let cache = Derived::default();
        for i in 0..(CAPACITY + 10) {
            cache.get_or(Uuid::new_v4(), i as i64, "similar", || async { Ok::<_, ()>(Value::Null) }).await.unwrap();
        }
        assert!(cache.values.lock().unwrap().len() <= CAPACITY);
    }
}
