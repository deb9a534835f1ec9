//! Which sessions of a user are connected, and where (core.telegram.org/api/updates: live
//! updates go to online sessions; core.telegram.org/constructor/userStatusOnline).
//!
//! [`LocalPresence`] keeps the directory in memory for one process; a Redis implementation
//! would keep a set per user (`presence:{user_id}` → `{auth_key_id}:{session_id}@{node}`)
//! with expiring members renewed while the session is connected.

use std::collections::HashMap;

use async_trait::async_trait;
use parking_lot::Mutex;

use crate::SessionAddr;

/// One online session and the node (process) it is connected to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPresence {
    pub session: SessionAddr,
    /// The node holding the connection, e.g. "echod-1" ("local" in one process).
    pub node: String,
    /// Unix seconds when the session came online.
    pub since: i64,
}

/// The online-session directory.
#[async_trait]
pub trait PresenceDirectory: Send + Sync {
    /// A session of `user_id` is connected (idempotent: re-adding refreshes it).
    async fn session_online(&self, user_id: i64, presence: SessionPresence);
    /// The session went away (idempotent).
    async fn session_offline(&self, user_id: i64, session: SessionAddr);
    /// The online sessions of `user_id`.
    async fn sessions_of(&self, user_id: i64) -> Vec<SessionPresence>;
    /// True if any session of `user_id` is online.
    async fn is_online(&self, user_id: i64) -> bool {
        !self.sessions_of(user_id).await.is_empty()
    }
}

/// The in-memory directory of one process.
#[derive(Debug, Default)]
pub struct LocalPresence {
    users: Mutex<HashMap<i64, Vec<SessionPresence>>>,
}

impl LocalPresence {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl PresenceDirectory for LocalPresence {
    async fn session_online(&self, user_id: i64, presence: SessionPresence) {
        let mut users = self.users.lock();
        let list = users.entry(user_id).or_default();
        list.retain(|p| p.session != presence.session);
        list.push(presence);
    }

    async fn session_offline(&self, user_id: i64, session: SessionAddr) {
        let mut users = self.users.lock();
        if let Some(list) = users.get_mut(&user_id) {
            list.retain(|p| p.session != session);
            if list.is_empty() {
                users.remove(&user_id);
            }
        }
    }

    async fn sessions_of(&self, user_id: i64) -> Vec<SessionPresence> {
        self.users.lock().get(&user_id).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(session_id: i64) -> SessionPresence {
        SessionPresence {
            session: SessionAddr {
                auth_key_id: 1,
                session_id,
            },
            node: "local".into(),
            since: 10,
        }
    }

    #[tokio::test]
    async fn online_offline_round_trip() {
        let dir = LocalPresence::new();
        assert!(!dir.is_online(5).await);
        dir.session_online(5, at(1)).await;
        dir.session_online(5, at(1)).await;
        dir.session_online(5, at(2)).await;
        assert_eq!(dir.sessions_of(5).await.len(), 2);
        dir.session_offline(5, at(1).session).await;
        assert_eq!(dir.sessions_of(5).await, vec![at(2)]);
        dir.session_offline(5, at(2).session).await;
        assert!(!dir.is_online(5).await);
    }
}
