//! Sends through an Inbox queue (the split deployment's path, with the queue in memory): the
//! sender is answered after its own copy, the recipient's copy appears when the queued
//! delivery is applied, and applying it again — a consumer restarted before committing —
//! changes nothing.

use std::sync::Arc;

use async_trait::async_trait;
use echo_msg::{
    apply_inbox, InboxDelivery, InboxQueue, LocalMsgService, MsgError, MsgService,
    QueuedMsgService, SendRequest,
};
use echo_storage::{HistoryQuery, Peer, Storage};
use parking_lot::Mutex;

const ANN: i64 = 1_000_000;
const BOB: i64 = 1_000_001;

#[derive(Default)]
struct MemoryQueue {
    queued: Mutex<Vec<InboxDelivery>>,
}

#[async_trait]
impl InboxQueue for MemoryQueue {
    async fn enqueue(&self, delivery: InboxDelivery) -> Result<(), MsgError> {
        self.queued.lock().push(delivery);
        Ok(())
    }
}

fn send(to: i64, text: &str, random_id: Option<i64>) -> SendRequest {
    SendRequest {
        from: ANN,
        to: Peer::User(to),
        date: 100,
        message: text.into(),
        entities: Vec::new(),
        media: Vec::new(),
        fwd: Vec::new(),
        reply_to_msg_id: None,
        random_id,
        deliver: true,
        silent: false,
        grouped_id: None,
    }
}

async fn bob_history(storage: &Storage) -> Vec<String> {
    let query = HistoryQuery {
        limit: 100,
        ..Default::default()
    };
    let page = storage
        .messages
        .history(BOB, Peer::User(ANN), query)
        .await
        .unwrap();
    page.into_iter().map(|m| m.message).collect()
}

#[tokio::test]
async fn recipient_copy_waits_for_the_queue_and_is_applied_once() {
    let storage = Storage::connect("sqlite::memory:").await.unwrap();
    let local: Arc<dyn MsgService> = Arc::new(LocalMsgService::new(storage.clone()));
    let queue = Arc::new(MemoryQueue::default());
    let msg = QueuedMsgService::new(local.clone(), queue.clone());

    let sent = msg.send(send(BOB, "hi", Some(7))).await.unwrap();
    assert!(
        sent.created && sent.inbox.is_none(),
        "answered after the sender's copy"
    );
    assert!(
        bob_history(&storage).await.is_empty(),
        "not delivered before the queue"
    );
    // A client retry queues again; the sender still has one copy.
    let retry = msg.send(send(BOB, "hi", Some(7))).await.unwrap();
    assert_eq!((retry.created, retry.outbox.id), (false, sent.outbox.id));

    let deliveries = queue.queued.lock().clone();
    assert_eq!(deliveries.len(), 2);
    assert_eq!(deliveries[0].recipient(), BOB);
    let copy = apply_inbox(local.as_ref(), deliveries[0].clone())
        .await
        .unwrap()
        .expect("first apply writes the copy");
    assert_eq!(
        (copy.user_id, copy.out, copy.message.as_str()),
        (BOB, false, "hi")
    );
    for again in deliveries {
        assert_eq!(apply_inbox(local.as_ref(), again).await.unwrap(), None);
    }
    assert_eq!(bob_history(&storage).await, vec!["hi".to_owned()]);

    // No random_id (a retry could not be recognised) and Saved Messages: no queue.
    let direct = msg.send(send(BOB, "plain", None)).await.unwrap();
    assert!(direct.inbox.is_some());
    let saved = msg.send(send(ANN, "note", Some(9))).await.unwrap();
    assert!(saved.inbox.is_none());
    assert_eq!(queue.queued.lock().len(), 2);
}
