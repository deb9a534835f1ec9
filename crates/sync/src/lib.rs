//! Sync: live delivery of `Updates` to every online session of a user
//! (core.telegram.org/api/updates: "updates are pushed to all of the user's active
//! sessions"), and the directory of which sessions of a user are connected where.
//!
//! Durability does not live here: every change is in the user's updates log (storage)
//! before anything is pushed, so a push that cannot be delivered — the session is offline,
//! its queue is full, the process dies — is recovered by the client's updates.getDifference.
//! Pushes are therefore best effort and at-least-once friendly: a client applies an update
//! whose pts it already has as a no-op.
//!
//! The embedded implementation ([`LocalSyncHub`]) hands pushes to in-process
//! [`PushTarget`]s (the session layer registers itself after construction, which keeps the
//! dependency direction `session → sync`, `bff → sync`). A Kafka implementation would
//! publish [`Push`] records keyed (partitioned) by `user_id` instead, and each node's
//! consumer would feed its local targets; [`PresenceDirectory`] is the part Redis takes over.

mod presence;

use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::RwLock;

pub use presence::{LocalPresence, PresenceDirectory, SessionPresence};

/// One MTProto session: the auth key it encrypts with and its session id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionAddr {
    pub auth_key_id: i64,
    pub session_id: i64,
}

/// An `Updates` object for one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    /// The partition key of a queue-backed implementation.
    pub user_id: i64,
    /// A session that must not get it (the one that made the change gets the RPC answer).
    pub except: Option<SessionAddr>,
    /// TL-serialized `Updates`, newest layer; each session re-encodes for its client's layer.
    pub updates: Vec<u8>,
}

/// Why a push could not be handed over (never because a session was offline).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error("sync backend unavailable: {0}")]
    Unavailable(String),
}

/// Delivers updates to the online sessions of users.
#[async_trait]
pub trait SyncService: Send + Sync {
    /// Hands `push` over for delivery; returns once it is queued, not once it is delivered.
    async fn push(&self, push: Push) -> Result<(), SyncError>;

    /// Hands the same `updates` over for every user of `user_ids` (a channel post to its
    /// members: core.telegram.org/api/updates pushes it to every member's sessions). The
    /// default pushes one by one; implementations share the bytes or batch the hand-over.
    async fn push_to_users(&self, user_ids: &[i64], updates: Vec<u8>) -> Result<(), SyncError> {
        for user_id in user_ids {
            self.push(Push {
                user_id: *user_id,
                except: None,
                updates: updates.clone(),
            })
            .await?;
        }
        Ok(())
    }

    /// Queues `updates` to the sessions of one authorization (permanent key), whether a user
    /// is logged in there or not: the device waiting for a QR login has no user yet
    /// (core.telegram.org/api/qr-login, updateLoginToken). Returns the sessions reached.
    async fn push_to_auth_key(
        &self,
        perm_auth_key_id: i64,
        updates: Vec<u8>,
    ) -> Result<usize, SyncError> {
        let _ = (perm_auth_key_id, updates);
        Err(SyncError::Unavailable("push_to_auth_key".into()))
    }

    /// Closes the live sessions of `user_id` acting for one permanent key (a terminated
    /// authorization must stop receiving that user's updates at once). Returns how many.
    async fn disconnect_auth_key(
        &self,
        user_id: i64,
        perm_auth_key_id: i64,
    ) -> Result<usize, SyncError> {
        let _ = (user_id, perm_auth_key_id);
        Err(SyncError::Unavailable("disconnect_auth_key".into()))
    }
}

/// Something that holds live sessions and can deliver to them (the session layer).
#[async_trait]
pub trait PushTarget: Send + Sync {
    /// Queues `updates` to every local session of `user_id` except `except`; returns how
    /// many sessions it was queued for. Must not block.
    fn deliver(&self, user_id: i64, except: Option<SessionAddr>, updates: Arc<Vec<u8>>) -> usize;

    /// Queues `updates` to every local session acting for a permanent key, logged in or not.
    async fn deliver_to_auth_key(&self, perm_auth_key_id: i64, updates: Arc<Vec<u8>>) -> usize {
        let _ = (perm_auth_key_id, updates);
        0
    }

    /// Closes the local sessions of `user_id` acting for a permanent key.
    async fn disconnect_auth_key(&self, user_id: i64, perm_auth_key_id: i64) -> usize {
        let _ = (user_id, perm_auth_key_id);
        0
    }
}

/// The in-process [`SyncService`]: forwards every push to the attached targets.
#[derive(Default)]
pub struct LocalSyncHub {
    targets: RwLock<Vec<Arc<dyn PushTarget>>>,
}

impl LocalSyncHub {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a target (e.g. the `SessionManager`, built after the API it serves).
    pub fn attach(&self, target: Arc<dyn PushTarget>) {
        self.targets.write().push(target);
    }

    /// Synchronous delivery, for callers that are not async; returns sessions reached.
    pub fn deliver_now(&self, push: Push) -> usize {
        let updates = Arc::new(push.updates);
        let targets = self.targets.read().clone();
        targets
            .iter()
            .map(|t| t.deliver(push.user_id, push.except, updates.clone()))
            .sum()
    }
}

#[async_trait]
impl SyncService for LocalSyncHub {
    async fn push(&self, push: Push) -> Result<(), SyncError> {
        let user_id = push.user_id;
        let reached = self.deliver_now(push);
        tracing::trace!(user_id, reached, "pushed updates");
        Ok(())
    }

    async fn push_to_users(&self, user_ids: &[i64], updates: Vec<u8>) -> Result<(), SyncError> {
        // One shared buffer for every member: a post to a big channel copies nothing.
        let updates = Arc::new(updates);
        let targets = self.targets.read().clone();
        let mut reached = 0;
        for user_id in user_ids {
            for t in &targets {
                reached += t.deliver(*user_id, None, updates.clone());
            }
        }
        tracing::trace!(users = user_ids.len(), reached, "pushed updates to many");
        Ok(())
    }

    async fn push_to_auth_key(
        &self,
        perm_auth_key_id: i64,
        updates: Vec<u8>,
    ) -> Result<usize, SyncError> {
        let updates = Arc::new(updates);
        let targets = self.targets.read().clone();
        let mut reached = 0;
        for t in &targets {
            reached += t
                .deliver_to_auth_key(perm_auth_key_id, updates.clone())
                .await;
        }
        Ok(reached)
    }

    async fn disconnect_auth_key(
        &self,
        user_id: i64,
        perm_auth_key_id: i64,
    ) -> Result<usize, SyncError> {
        let targets = self.targets.read().clone();
        let mut closed = 0;
        for t in &targets {
            closed += t.disconnect_auth_key(user_id, perm_auth_key_id).await;
        }
        Ok(closed)
    }
}

impl std::fmt::Debug for LocalSyncHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalSyncHub")
            .field("targets", &self.targets.read().len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parking_lot::Mutex;

    type Delivery = (i64, Option<SessionAddr>, Vec<u8>);

    #[derive(Default)]
    struct Recorder {
        got: Mutex<Vec<Delivery>>,
    }

    impl PushTarget for Recorder {
        fn deliver(
            &self,
            user_id: i64,
            except: Option<SessionAddr>,
            updates: Arc<Vec<u8>>,
        ) -> usize {
            self.got.lock().push((user_id, except, updates.to_vec()));
            1
        }
    }

    #[tokio::test]
    async fn pushes_reach_every_attached_target() {
        let hub = LocalSyncHub::new();
        // Nothing attached: the push is dropped quietly (getDifference recovers it).
        hub.push(Push {
            user_id: 1,
            except: None,
            updates: vec![0],
        })
        .await
        .unwrap();
        let a = Arc::new(Recorder::default());
        let b = Arc::new(Recorder::default());
        hub.attach(a.clone());
        hub.attach(b.clone());
        let except = Some(SessionAddr {
            auth_key_id: 7,
            session_id: 8,
        });
        let reached = hub.deliver_now(Push {
            user_id: 5,
            except,
            updates: vec![1, 2],
        });
        assert_eq!(reached, 2);
        assert_eq!(a.got.lock().clone(), vec![(5, except, vec![1, 2])]);
        assert_eq!(b.got.lock().len(), 1);
    }

    #[tokio::test]
    async fn push_to_users_reaches_each_user_once_per_target() {
        let hub = LocalSyncHub::new();
        let a = Arc::new(Recorder::default());
        hub.attach(a.clone());
        hub.push_to_users(&[3, 4], vec![9]).await.unwrap();
        assert_eq!(
            a.got.lock().clone(),
            vec![(3, None, vec![9]), (4, None, vec![9])]
        );
    }
}
