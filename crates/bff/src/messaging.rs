//! The messaging services the handlers use: the write path (`echo_msg::MsgService`), live
//! delivery (`echo_sync::SyncService`) and the per-user send flood gate
//! (core.telegram.org/api/errors: FLOOD_WAIT_X).
//!
//! Delivery order is the durability contract of core.telegram.org/api/updates: a change is
//! committed to the updates log first, then pushed; a push that is lost is recovered by the
//! client's updates.getDifference.

use std::collections::HashMap;
use std::sync::Arc;

use echo_msg::{LocalMsgService, MsgService};
use echo_storage::Storage;
use echo_sync::{LocalPresence, PresenceDirectory, Push, SessionAddr, SyncService};
use echo_tl::{enums, Serializable};
use parking_lot::Mutex;

use crate::context::{RpcContext, RpcError};

/// Length of one flood window in seconds.
const FLOOD_WINDOW_SECS: i64 = 60;

/// Counts sends per user in fixed one-minute windows.
#[derive(Debug, Default)]
pub struct FloodGate {
    windows: Mutex<HashMap<i64, (i64, u32)>>,
}

impl FloodGate {
    /// Counts `n` sends of `user_id` at `now`; FLOOD_WAIT_X (seconds until the window ends)
    /// if that would pass `per_minute`. Nothing is counted when the call is refused.
    /// `per_minute` 0 is no limit (a server configured for load tests).
    pub fn check(&self, user_id: i64, now: i64, n: u32, per_minute: u32) -> Result<(), RpcError> {
        if per_minute == 0 {
            return Ok(());
        }
        let window = now - now.rem_euclid(FLOOD_WINDOW_SECS);
        let mut windows = self.windows.lock();
        if windows.len() > 100_000 {
            // Old windows are useless; drop them rather than grow without bound.
            windows.retain(|_, (start, _)| *start == window);
        }
        let entry = windows.entry(user_id).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1.saturating_add(n) > per_minute {
            return Err(RpcError::flood_wait(
                (window + FLOOD_WINDOW_SECS - now).max(1),
            ));
        }
        entry.1 += n;
        Ok(())
    }
}

/// What BffDeps holds for messaging.
pub struct Messaging {
    pub msg: Arc<dyn MsgService>,
    pub sync: Arc<dyn SyncService>,
    /// Which sessions of a user are online (the session layer reports into it).
    pub presence: Arc<dyn PresenceDirectory>,
    pub flood: FloodGate,
}

impl Messaging {
    pub fn new(msg: Arc<dyn MsgService>, sync: Arc<dyn SyncService>) -> Self {
        Self {
            msg,
            sync,
            presence: Arc::new(LocalPresence::new()),
            flood: FloodGate::default(),
        }
    }

    /// Uses `presence` as the online-session directory (share it with
    /// `SessionManager::set_presence`).
    pub fn with_presence(mut self, presence: Arc<dyn PresenceDirectory>) -> Self {
        self.presence = presence;
        self
    }

    /// The embedded setup: messages on `storage`, pushes through `sync` (typically an
    /// `echo_sync::LocalSyncHub` the session layer attaches to).
    pub fn local(storage: Storage, sync: Arc<dyn SyncService>) -> Self {
        Self::new(Arc::new(LocalMsgService::new(storage)), sync)
    }

    /// Pushes `updates` to the sessions of `user_id`, except the calling session when
    /// `ctx` is given. Failures are logged: the updates log already has the change.
    pub async fn push(&self, user_id: i64, ctx: Option<&RpcContext>, updates: &enums::Updates) {
        let except = ctx.map(|c| SessionAddr {
            auth_key_id: c.auth_key_id,
            session_id: c.session_id,
        });
        let push = Push {
            user_id,
            except,
            updates: updates.to_bytes(),
        };
        if let Err(e) = self.sync.push(push).await {
            tracing::warn!(error = %e, user_id, "push failed; the client recovers it with getDifference");
        }
    }
}

impl Messaging {
    /// Pushes the same `updates` to every user of `user_ids` (a channel's plain members):
    /// serialized once, handed to Sync as one batch. Failures are logged as for [`push`].
    ///
    /// [`push`]: Messaging::push
    pub async fn push_to_users(&self, user_ids: &[i64], updates: &enums::Updates) {
        if user_ids.is_empty() {
            return;
        }
        if let Err(e) = self.sync.push_to_users(user_ids, updates.to_bytes()).await {
            tracing::warn!(error = %e, users = user_ids.len(), "batch push failed; clients recover with getChannelDifference");
        }
    }
}

impl std::fmt::Debug for Messaging {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messaging").finish_non_exhaustive()
    }
}

impl From<echo_msg::MsgError> for RpcError {
    fn from(e: echo_msg::MsgError) -> Self {
        match e {
            echo_msg::MsgError::NotFound => RpcError::bad_request("MESSAGE_ID_INVALID"),
            echo_msg::MsgError::NotAuthor => RpcError::new(403, "MESSAGE_AUTHOR_REQUIRED"),
            echo_msg::MsgError::Storage(s) => s.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flood_gate_counts_per_window() {
        let gate = FloodGate::default();
        assert!(gate.check(1, 120, 2, 3).is_ok());
        let err = gate.check(1, 130, 2, 3).unwrap_err();
        assert_eq!(err.message, "FLOOD_WAIT_50");
        assert!(gate.check(1, 130, 1, 3).is_ok());
        assert!(gate.check(2, 130, 3, 3).is_ok(), "per user");
        assert!(gate.check(1, 180, 3, 3).is_ok(), "a new window");
        assert!(gate.check(1, 181, 1_000_000, 0).is_ok(), "0 is no limit");
    }
}
