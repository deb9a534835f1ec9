//! In-process caches of what every private send reads before it writes
//! (core.telegram.org/method/messages.sendMessage): the peer's access hash and deleted flag
//! (an `inputPeerUser` is checked against them) and the block flags between two users.
//!
//! Why: on SQLite each read is a hand-off to sqlx's worker thread and back; two of them per
//! send were a large share of the send path's CPU. Only a SQLite store has these caches: its
//! file belongs to one `echod` process, so every write to the cached rows passes through this
//! store and can invalidate them. MySQL is shared by the processes of a split deployment,
//! where a cache in one of them would go stale.
//!
//! Consistency: a writer invalidates AFTER its write committed, under the cache's lock, and
//! bumps a generation; a reader fills the cache only if the generation did not move while it
//! read the database, so a read that may have seen the old row never lands in the cache.

use std::collections::HashMap;

use parking_lot::Mutex;

use crate::types::UserAccess;

/// Entries kept per map before it is emptied (bounds the memory of a long-running server).
const MAX_ENTRIES: usize = 200_000;

#[derive(Debug, Default)]
struct Maps {
    generation: u64,
    users: HashMap<i64, UserAccess>,
    /// (lower id, higher id) → (lower blocked higher, higher blocked lower).
    blocks: HashMap<(i64, i64), (bool, bool)>,
}

/// The caches of one SQLite store.
#[derive(Debug, Default)]
pub(super) struct HotCache {
    maps: Mutex<Maps>,
}

/// A read's ticket: the generation it started at.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ticket(u64);

fn pair_key(a: i64, b: i64) -> ((i64, i64), bool) {
    if a <= b {
        ((a, b), false)
    } else {
        ((b, a), true)
    }
}

impl HotCache {
    /// Call before reading the database for a miss.
    pub(super) fn ticket(&self) -> Ticket {
        Ticket(self.maps.lock().generation)
    }

    pub(super) fn user(&self, id: i64) -> Option<UserAccess> {
        self.maps.lock().users.get(&id).copied()
    }

    pub(super) fn fill_user(&self, ticket: Ticket, id: i64, access: UserAccess) {
        let mut maps = self.maps.lock();
        if maps.generation != ticket.0 {
            return;
        }
        if maps.users.len() >= MAX_ENTRIES {
            maps.users.clear();
        }
        maps.users.insert(id, access);
    }

    pub(super) fn invalidate_user(&self, id: i64) {
        let mut maps = self.maps.lock();
        maps.generation += 1;
        maps.users.remove(&id);
    }

    /// (a blocked b, b blocked a), if known.
    pub(super) fn blocks(&self, a: i64, b: i64) -> Option<(bool, bool)> {
        let (key, swapped) = pair_key(a, b);
        let (low, high) = *self.maps.lock().blocks.get(&key)?;
        Some(if swapped { (high, low) } else { (low, high) })
    }

    pub(super) fn fill_blocks(&self, ticket: Ticket, a: i64, b: i64, flags: (bool, bool)) {
        let (key, swapped) = pair_key(a, b);
        let value = if swapped { (flags.1, flags.0) } else { flags };
        let mut maps = self.maps.lock();
        if maps.generation != ticket.0 {
            return;
        }
        if maps.blocks.len() >= MAX_ENTRIES {
            maps.blocks.clear();
        }
        maps.blocks.insert(key, value);
    }

    pub(super) fn invalidate_blocks(&self, a: i64, b: i64) {
        let mut maps = self.maps.lock();
        maps.generation += 1;
        maps.blocks.remove(&pair_key(a, b).0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_flags_keep_their_direction() {
        let cache = HotCache::default();
        let t = cache.ticket();
        cache.fill_blocks(t, 9, 3, (true, false));
        assert_eq!(cache.blocks(9, 3), Some((true, false)));
        assert_eq!(cache.blocks(3, 9), Some((false, true)));
    }

    #[test]
    fn a_read_that_raced_an_invalidation_is_not_cached() {
        let cache = HotCache::default();
        let before = cache.ticket();
        cache.invalidate_user(7);
        let access = UserAccess {
            access_hash: 1,
            deleted: false,
        };
        cache.fill_user(before, 7, access);
        assert_eq!(cache.user(7), None);
        cache.fill_user(cache.ticket(), 7, access);
        assert_eq!(cache.user(7), Some(access));
        cache.invalidate_blocks(1, 2);
        cache.fill_blocks(before, 1, 2, (true, true));
        assert_eq!(cache.blocks(2, 1), None);
    }
}
