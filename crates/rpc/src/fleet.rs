//! Every session instance at once, for what cannot be routed to one: closing a user's
//! sessions (they may be on several instances), pushing to a permanent key (its temp keys
//! may live elsewhere), and stats. Implements `SessionControl` for the admin API of a split
//! deployment; an instance that does not answer counts as having nothing.

use std::sync::Arc;

use async_trait::async_trait;
use echo_session::{SessionControl, SessionStats};
use tonic::transport::Channel;
use tonic::Status;

use crate::endpoints::Endpoints;
use crate::pb::session_client::SessionClient;
use crate::pb::{self, Empty};

#[derive(Debug, Clone)]
pub struct SessionFleet {
    endpoints: Arc<Endpoints>,
}

impl SessionFleet {
    pub fn new(endpoints: Arc<Endpoints>) -> Self {
        Self { endpoints }
    }

    fn clients(&self) -> Vec<(String, SessionClient<Channel>)> {
        self.endpoints
            .addrs()
            .into_iter()
            .filter_map(|a| self.endpoints.get(&a).map(|c| (a, SessionClient::new(c))))
            .collect()
    }

    /// Runs `call` on every instance and sums the sessions each reports.
    async fn sum<F, Fut>(&self, what: &str, call: F) -> usize
    where
        F: Fn(SessionClient<Channel>) -> Fut,
        Fut: std::future::Future<Output = Result<tonic::Response<pb::Delivered>, Status>>,
    {
        let mut total = 0;
        for (addr, client) in self.clients() {
            match call(client).await {
                Ok(r) => total += r.into_inner().sessions as usize,
                Err(s) => tracing::warn!(%addr, code = ?s.code(), what, "session instance failed"),
            }
        }
        total
    }

    /// Pushes `updates` to every session acting for `perm_auth_key_id`.
    pub async fn push_to_auth_key(&self, perm_auth_key_id: i64, updates: Vec<u8>) -> usize {
        self.sum("push to auth key", |mut c| {
            let req = pb::AuthKeyPush {
                perm_auth_key_id,
                updates: updates.clone(),
            };
            async move { c.deliver_to_auth_key(req).await }
        })
        .await
    }
}

#[async_trait]
impl SessionControl for SessionFleet {
    async fn disconnect_user(&self, user_id: i64) -> usize {
        self.sum("disconnect user", |mut c| async move {
            c.disconnect_user(pb::UserId { user_id }).await
        })
        .await
    }

    async fn disconnect_authorization(&self, user_id: i64, perm: i64) -> usize {
        self.sum("disconnect authorization", |mut c| async move {
            let req = pb::UserKey {
                user_id,
                perm_auth_key_id: perm,
            };
            c.disconnect_authorization(req).await
        })
        .await
    }

    async fn stats(&self) -> SessionStats {
        let mut total = SessionStats::default();
        for (addr, mut client) in self.clients() {
            match client.stats(Empty {}).await {
                Ok(r) => {
                    let s = r.into_inner();
                    total.sessions += s.sessions as usize;
                    total.online_users += s.online_users as usize;
                    total.queue_total += s.queue_total as usize;
                    total.queue_max = total.queue_max.max(s.queue_max as usize);
                }
                Err(s) => tracing::warn!(%addr, code = ?s.code(), "session stats failed"),
            }
        }
        total
    }
}
