//! Sending through the Inbox queue (split deployment): the sender's copy is written at once
//! and answered; the recipient's copy is an [`InboxDelivery`] on a queue partitioned by
//! recipient (Kafka topic Inbox), applied by [`apply_inbox`] in the msg role's consumer, which
//! then pushes the recipient's updateShortMessage. One recipient's deliveries stay in order,
//! a slow or huge recipient does not hold up the sender, and the apply is idempotent (the
//! `random_id` retry path of the local service): a consumer killed mid-batch re-applies the
//! uncommitted deliveries and nothing is stored twice.

use std::sync::Arc;

use async_trait::async_trait;
use echo_storage::{BoxMessage, MessageEdit, Peer};

use crate::{BoxDeletion, MsgError, MsgService, ReadResult, SendRequest, Sent};

/// A recipient's copy still to be written: the original request, whose `random_id` makes
/// applying it more than once harmless.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxDelivery {
    pub send: SendRequest,
}

impl InboxDelivery {
    /// The partition key: the recipient.
    pub fn recipient(&self) -> i64 {
        self.send.to.id()
    }
}

/// Where deliveries wait (Kafka in the split deployment).
#[async_trait]
pub trait InboxQueue: Send + Sync {
    /// Returns once the delivery is durably queued.
    async fn enqueue(&self, delivery: InboxDelivery) -> Result<(), MsgError>;
}

/// [`MsgService`] whose text sends to other users go through an [`InboxQueue`]; everything
/// else (and sends that cannot be retried safely: no `random_id`) runs on `local` directly.
pub struct QueuedMsgService {
    local: Arc<dyn MsgService>,
    queue: Arc<dyn InboxQueue>,
}

impl QueuedMsgService {
    pub fn new(local: Arc<dyn MsgService>, queue: Arc<dyn InboxQueue>) -> Self {
        Self { local, queue }
    }
}

/// Queued: text sends to another user that a retry can recognise. Media sends stay direct:
/// their recipient gets full `updates` with the sender's user object, which the API layer
/// builds (updateShortMessage, all the queue's consumer can build, has no media).
fn queueable(req: &SendRequest) -> bool {
    matches!(req.to, Peer::User(to) if to != req.from)
        && req.deliver
        && req.random_id.is_some_and(|r| r != 0)
        && req.media.is_empty()
}

#[async_trait]
impl MsgService for QueuedMsgService {
    async fn send(&self, req: SendRequest) -> Result<Sent, MsgError> {
        if !queueable(&req) {
            return self.local.send(req).await;
        }
        let own = self
            .local
            .send(SendRequest {
                deliver: false,
                ..req.clone()
            })
            .await?;
        // Queued on every call, retries included: applying is idempotent, and a retry may
        // be the one that follows a crash before the first enqueue.
        self.queue.enqueue(InboxDelivery { send: req }).await?;
        Ok(Sent {
            outbox: own.outbox,
            inbox: None,
            created: own.created,
        })
    }

    async fn edit(
        &self,
        user_id: i64,
        id: i32,
        edit: MessageEdit,
    ) -> Result<Vec<BoxMessage>, MsgError> {
        self.local.edit(user_id, id, edit).await
    }

    async fn delete(
        &self,
        user_id: i64,
        ids: &[i32],
        revoke: bool,
        date: i64,
    ) -> Result<Vec<BoxDeletion>, MsgError> {
        self.local.delete(user_id, ids, revoke, date).await
    }

    async fn read_history(
        &self,
        user_id: i64,
        peer: Peer,
        max_id: i32,
        date: i64,
    ) -> Result<ReadResult, MsgError> {
        self.local.read_history(user_id, peer, max_id, date).await
    }
}

/// Writes the recipient's copy of a queued send if it is not there yet; returns the copy
/// when THIS call wrote it (the caller pushes it), None when it was already delivered.
pub async fn apply_inbox(
    local: &dyn MsgService,
    delivery: InboxDelivery,
) -> Result<Option<BoxMessage>, MsgError> {
    Ok(local.send(delivery.send).await?.inbox)
}
