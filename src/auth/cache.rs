//! The per-request account check without a round trip (issue 15, item 3):
//! an in-process cache of active accounts, keyed by account and checked
//! against the token's version. It is used only while this instance is
//! listening for account changes (`db::notify`, `LISTEN thidua_accounts`):
//! a change that can make a token fail — disabled, token version bumped
//! (password change, revocation), roles, organisation or scopes changed —
//! drops the entry on every instance at its commit. Each entry also lives at
//! most `ttl` (`ACCOUNT_CACHE_TTL_MS`, default 1 s), so a notification lost
//! with a silently dead connection still cannot keep a disabled account's
//! token working for longer than that.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::{Principal, PrincipalKind};

struct Entry {
    principal: Principal,
    token_version: i32,
    fetched: Instant,
}

/// Bounded: past this many accounts the cache starts over (an instance
/// serves thousands of people, not millions).
const MAX_ENTRIES: usize = 50_000;

pub struct AccountCache {
    entries: Mutex<HashMap<(PrincipalKind, Uuid), Entry>>,
    ttl_ms: AtomicU64,
    listening: AtomicBool,
    /// Bumped by every eviction: an entry read from the database before an
    /// eviction is not stored after it.
    generation: AtomicU64,
}

impl Default for AccountCache {
    fn default() -> Self {
        AccountCache {
            entries: Mutex::new(HashMap::new()),
            ttl_ms: AtomicU64::new(0),
            listening: AtomicBool::new(false),
            generation: AtomicU64::new(0),
        }
    }
}

impl AccountCache {
    /// How long an entry may serve (0: never; the cache is off).
    pub fn set_ttl(&self, ttl: Duration) {
        self.ttl_ms.store(ttl.as_millis() as u64, Ordering::SeqCst);
    }

    fn on(&self) -> bool {
        self.listening.load(Ordering::SeqCst) && self.ttl_ms.load(Ordering::SeqCst) > 0
    }

    /// The listener is (re)connected and listening, or lost: either way
    /// nothing cached before can be trusted.
    pub fn set_listening(&self, yes: bool) {
        self.clear();
        self.listening.store(yes, Ordering::SeqCst);
    }

    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::SeqCst)
    }

    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// A notification's payload, `user:<uuid>` or `client:<uuid>`; anything
    /// else clears the whole cache (safe, if slower).
    pub fn evict(&self, payload: &str) {
        let key = payload.split_once(':').and_then(|(kind, id)| {
            let kind = match kind {
                "user" => PrincipalKind::User,
                "client" => PrincipalKind::Client,
                _ => return None,
            };
            Some((kind, id.parse::<Uuid>().ok()?))
        });
        match key {
            Some(k) => {
                self.generation.fetch_add(1, Ordering::SeqCst);
                self.entries
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&k);
            }
            None => self.clear(),
        }
    }

    /// The generation to pass to `put` after reading the account.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The cached principal for a token of this account and version.
    pub fn get(&self, kind: PrincipalKind, id: Uuid, token_version: i32) -> Option<Principal> {
        if !self.on() {
            return None;
        }
        let ttl = Duration::from_millis(self.ttl_ms.load(Ordering::SeqCst));
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let e = entries.get(&(kind, id))?;
        (e.token_version == token_version && e.fetched.elapsed() < ttl).then(|| e.principal.clone())
    }

    /// Keep an active account read at `generation`, unless an eviction
    /// came in since.
    pub fn put(&self, generation: u64, principal: &Principal, token_version: i32) {
        if !self.on() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            (principal.kind, principal.id),
            Entry {
                principal: principal.clone(),
                token_version,
                fetched: Instant::now(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn user(id: Uuid) -> Principal {
        Principal {
            kind: PrincipalKind::User,
            id,
            name: "u".into(),
            organization_id: None,
            roles: vec![Role::Viewer],
            scopes: vec![],
        }
    }

    fn live(ttl_ms: u64) -> AccountCache {
        let c = AccountCache::default();
        c.set_ttl(Duration::from_millis(ttl_ms));
        c.set_listening(true);
        c
    }

    #[test]
    fn an_entry_serves_only_its_token_version_while_listening_and_fresh() {
        let c = live(60_000);
        let id = Uuid::now_v7();
        c.put(c.generation(), &user(id), 3);
        assert!(c.get(PrincipalKind::User, id, 3).is_some());
        assert!(
            c.get(PrincipalKind::User, id, 4).is_none(),
            "another version"
        );
        assert!(
            c.get(PrincipalKind::Client, id, 3).is_none(),
            "another kind"
        );
        c.set_listening(false);
        assert!(c.get(PrincipalKind::User, id, 3).is_none(), "not listening");
        let c = live(1);
        c.put(c.generation(), &user(id), 3);
        std::thread::sleep(Duration::from_millis(5));
        assert!(c.get(PrincipalKind::User, id, 3).is_none(), "expired");
    }

    #[test]
    fn an_eviction_drops_the_entry_and_beats_a_read_that_began_before_it() {
        let c = live(60_000);
        let id = Uuid::now_v7();
        c.put(c.generation(), &user(id), 0);
        c.evict(&format!("user:{id}"));
        assert!(c.get(PrincipalKind::User, id, 0).is_none());
        let before = c.generation();
        c.evict(&format!("user:{}", Uuid::now_v7()));
        c.put(before, &user(id), 0);
        assert!(
            c.get(PrincipalKind::User, id, 0).is_none(),
            "read before an eviction, not stored after it"
        );
        c.put(c.generation(), &user(id), 0);
        c.evict("garbage");
        assert!(
            c.get(PrincipalKind::User, id, 0).is_none(),
            "unknown payload clears all"
        );
    }
}
