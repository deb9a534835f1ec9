//! The `Inbox` topic: recipients' copies of private messages still to be written
//! (`echo_msg::queued`). [`KafkaInbox`] is the msg role's `InboxQueue`; the msg role's
//! consumer ([`run_inbox_consumer`]) applies each delivery idempotently and then publishes
//! the recipient's updateShortMessage to `Sync`. A delivery that fails to apply (the
//! database is down) is retried, never skipped: the partition waits rather than lose a
//! message.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use echo_msg::{apply_inbox, InboxDelivery, InboxQueue, MsgError, MsgService};
use echo_rpc::{pb, send_request_from_pb, send_request_to_pb};
use echo_storage::StorageError;
use echo_sync::Push;
use echo_tl::Serializable;
use prost::Message as _;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::Message;
use tokio_util::sync::CancellationToken;

use super::{SyncProducer, INBOX_TOPIC};
use crate::ClusterError;

/// Queues deliveries on the `Inbox` topic, keyed by recipient.
pub struct KafkaInbox {
    producer: FutureProducer,
}

impl KafkaInbox {
    pub fn new(brokers: &str) -> Result<Self, ClusterError> {
        Ok(Self {
            producer: super::producer(brokers)?,
        })
    }
}

fn decode(value: &[u8]) -> Option<InboxDelivery> {
    let send = send_request_from_pb(pb::SendRequest::decode(value).ok()?).ok()?;
    Some(InboxDelivery { send })
}

#[async_trait]
impl InboxQueue for KafkaInbox {
    async fn enqueue(&self, delivery: InboxDelivery) -> Result<(), MsgError> {
        let key = delivery.recipient().to_be_bytes();
        let value = send_request_to_pb(delivery.send).encode_to_vec();
        let record = FutureRecord::to(INBOX_TOPIC).key(&key[..]).payload(&value);
        self.producer
            .send(record, Duration::from_secs(5))
            .await
            .map(|_| ())
            .map_err(|(e, _)| {
                MsgError::Storage(StorageError::Database(format!("inbox queue: {e}")))
            })
    }
}

/// The msg role's consumer of `Inbox` (partitions `owned`, all when None; one task per
/// partition), until `shutdown`.
pub async fn run_inbox_consumer(
    brokers: &str,
    group: &str,
    owned: Option<Vec<i32>>,
    local: Arc<dyn MsgService>,
    sync: SyncProducer,
    shutdown: CancellationToken,
) -> Result<(), ClusterError> {
    let partitions = super::partitions_of(brokers, INBOX_TOPIC, owned)?;
    tracing::info!(group, ?partitions, "inbox consumer started");
    let sync = Arc::new(sync);
    let mut tasks = Vec::new();
    for partition in partitions {
        let consumer = super::partition_consumer(brokers, group, INBOX_TOPIC, partition)?;
        let (local, sync, shutdown) = (local.clone(), sync.clone(), shutdown.clone());
        tasks.push(tokio::spawn(async move {
            consume_partition(consumer, local, sync, shutdown).await;
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    Ok(())
}

async fn consume_partition(
    consumer: StreamConsumer,
    local: Arc<dyn MsgService>,
    sync: Arc<SyncProducer>,
    shutdown: CancellationToken,
) {
    loop {
        let message = tokio::select! {
            _ = shutdown.cancelled() => break,
            m = consumer.recv() => m,
        };
        let message = match message {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "consume failed");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        match message.payload().and_then(decode) {
            Some(delivery) => {
                if !apply(local.as_ref(), &sync, delivery, &shutdown).await {
                    break; // shutting down: the delivery stays uncommitted for the next run
                }
            }
            None => tracing::warn!(
                offset = message.offset(),
                "undecodable Inbox record skipped"
            ),
        }
        // Committed only after the copy is written and its push published.
        if let Err(e) = consumer.commit_message(&message, CommitMode::Async) {
            tracing::warn!(error = %e, "offset commit failed");
        }
    }
}

/// Applies one delivery, retrying while storage fails; false if cancelled first.
async fn apply(
    local: &dyn MsgService,
    sync: &SyncProducer,
    delivery: InboxDelivery,
    shutdown: &CancellationToken,
) -> bool {
    let silent = delivery.send.silent;
    let mut backoff = Duration::from_millis(100);
    loop {
        match apply_inbox(local, delivery.clone()).await {
            Ok(Some(copy)) => {
                let push = Push {
                    user_id: copy.user_id,
                    except: None,
                    updates: echo_msg::tl::short_message(&copy, silent).to_bytes(),
                };
                if let Err(e) = sync.publish(&push).await {
                    // The copy is in the recipient's updates log: getDifference has it.
                    tracing::warn!(error = %e, "recipient push not published");
                }
                return true;
            }
            Ok(None) => return true, // delivered before (a re-applied record)
            Err(e) => {
                tracing::warn!(error = %e, ?backoff, "inbox delivery failed; retrying");
                tokio::select! {
                    _ = shutdown.cancelled() => return false,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use echo_msg::SendRequest;
    use echo_storage::Peer;

    #[test]
    fn records_round_trip() {
        let send = SendRequest {
            from: 1,
            to: Peer::User(2),
            date: 3,
            message: "hi".into(),
            entities: vec![1],
            media: Vec::new(),
            fwd: Vec::new(),
            reply_to_msg_id: Some(4),
            random_id: Some(5),
            deliver: true,
            silent: true,
            grouped_id: Some(42),
        };
        let value = send_request_to_pb(send.clone()).encode_to_vec();
        assert_eq!(decode(&value), Some(InboxDelivery { send }));
        assert_eq!(decode(b"\xff\xff"), None);
    }
}
