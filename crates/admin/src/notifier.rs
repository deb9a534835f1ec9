//! [`ServiceNotifier`] over the messaging write path: a notice from the service account 777000
//! ("Telegram") lands in the recipient's box like any private message (echo-msg logs it for
//! updates.getDifference), then `updatesTooLong` is pushed so online clients fetch it at once
//! (core.telegram.org/api/updates: updatesTooLong tells the client to call getDifference).

use std::sync::Arc;

use async_trait::async_trait;
use echo_msg::{MsgService, SendRequest};
use echo_storage::{Peer, Storage, UserListQuery, FIRST_USER_ID, MAX_USER_PAGE};
use echo_sync::{Push, SyncService};
use echo_tl::{enums, Serializable};

use crate::{Clock, ServiceNotifier};

/// The account official servers send service notifications from.
pub const SERVICE_USER_ID: i64 = 777_000;

pub struct MsgServiceNotifier {
    storage: Storage,
    msg: Arc<dyn MsgService>,
    sync: Arc<dyn SyncService>,
    clock: Clock,
}

impl MsgServiceNotifier {
    pub fn new(
        storage: Storage,
        msg: Arc<dyn MsgService>,
        sync: Arc<dyn SyncService>,
        clock: Clock,
    ) -> Self {
        Self {
            storage,
            msg,
            sync,
            clock,
        }
    }

    /// Over the in-process message service on `storage`.
    pub fn local(storage: Storage, sync: Arc<dyn SyncService>, clock: Clock) -> Self {
        let msg = Arc::new(echo_msg::LocalMsgService::new(storage.clone()));
        Self::new(storage, msg, sync, clock)
    }

    async fn deliver(&self, user_id: i64, text: &str) -> Result<(), String> {
        let request = SendRequest {
            from: SERVICE_USER_ID,
            to: Peer::User(user_id),
            date: (self.clock)(),
            message: text.to_string(),
            entities: Vec::new(),
            media: Vec::new(),
            fwd: Vec::new(),
            reply_to_msg_id: None,
            random_id: Some(rand::random::<i64>() | 1),
            // Service notices ignore blocks: they are how operators reach everyone.
            deliver: true,
            silent: false,
            grouped_id: None,
        };
        self.msg
            .send(request)
            .await
            .map_err(|e| format!("sending to {user_id}: {e}"))?;
        let push = Push {
            user_id,
            except: None,
            updates: enums::Updates::TooLong.to_bytes(),
        };
        if let Err(e) = self.sync.push(push).await {
            // Stored and logged already: the client gets it with its next getDifference.
            tracing::warn!(user_id, error = %e, "service notice stored but not pushed");
        }
        Ok(())
    }

    /// Every live (not deleted) account, excluding the service accounts below the first id.
    async fn everyone(&self) -> Result<Vec<i64>, String> {
        let mut ids = Vec::new();
        let mut after_id = FIRST_USER_ID - 1;
        loop {
            let page = self
                .storage
                .admin
                .list_users(&UserListQuery {
                    search: None,
                    after_id,
                    limit: MAX_USER_PAGE,
                })
                .await
                .map_err(|e| e.to_string())?;
            let Some(last) = page.last() else {
                return Ok(ids);
            };
            after_id = last.user.id;
            ids.extend(page.iter().filter(|u| !u.user.deleted).map(|u| u.user.id));
        }
    }
}

#[async_trait]
impl ServiceNotifier for MsgServiceNotifier {
    async fn notify(&self, user_id: Option<i64>, text: &str) -> Result<u64, String> {
        let targets = match user_id {
            Some(id) => vec![id],
            None => self.everyone().await?,
        };
        let mut sent = 0;
        for id in targets {
            self.deliver(id, text).await?;
            sent += 1;
        }
        Ok(sent)
    }
}
