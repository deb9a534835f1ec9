//! The Kafka topics of the split deployment, both keyed by user id so one user's records
//! stay in order on one partition:
//! - `Inbox` ([`inbox`]): recipients' copies of private messages still to be written,
//!   produced by the msg role's sends and applied by its inbox consumer;
//! - `Sync` ([`sync`]): pushes (`Updates` for one user), produced by whoever commits a change
//!   and handed by the sync role to the session instances holding the user's sessions.
//!
//! Consumers take their partitions by assignment and commit offsets under a consumer group
//! only after a record is fully handled (at-least-once); handling is idempotent, so a
//! consumer killed mid-batch re-handles the uncommitted tail and nothing is applied twice.

pub mod inbox;
pub mod sync;

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::producer::FutureProducer;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

pub use inbox::{run_inbox_consumer, KafkaInbox};
pub use sync::{run_sync_consumer, KafkaSync, SyncProducer};

use crate::ClusterError;

/// The topic of pushes.
pub const SYNC_TOPIC: &str = "Sync";
/// The topic of inbox deliveries.
pub const INBOX_TOPIC: &str = "Inbox";

/// Creates the topics if they do not exist (brokers such as tansu do not auto-create).
pub async fn ensure_topics(brokers: &str, partitions: i32) -> Result<(), ClusterError> {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()?;
    let topics = [SYNC_TOPIC, INBOX_TOPIC]
        .map(|name| NewTopic::new(name, partitions, TopicReplication::Fixed(1)));
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    for result in admin.create_topics(&topics, &options).await? {
        match result {
            Ok(name) => tracing::info!(topic = name, "created topic"),
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((name, code)) => {
                tracing::error!(topic = name, ?code, "cannot create topic");
                return Err(ClusterError::Kafka(rdkafka::error::KafkaError::AdminOp(
                    code,
                )));
            }
        }
    }
    Ok(())
}

/// A producer tuned for latency: records go out at once rather than in batches.
pub(crate) fn producer(brokers: &str) -> Result<FutureProducer, ClusterError> {
    Ok(ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("linger.ms", "0")
        .set("acks", "all")
        .set("message.timeout.ms", "10000")
        .create()?)
}

/// The partitions of `topic` this instance owns: `owned`, or all of them.
pub(crate) fn partitions_of(
    brokers: &str,
    topic: &str,
    owned: Option<Vec<i32>>,
) -> Result<Vec<i32>, ClusterError> {
    if let Some(p) = owned {
        return Ok(p);
    }
    let probe: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()?;
    let metadata = probe.fetch_metadata(Some(topic), Duration::from_secs(10))?;
    Ok(metadata
        .topics()
        .iter()
        .filter(|t| t.name() == topic)
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect())
}

/// A consumer of one partition of `topic`, resuming from the offset committed under `group`.
/// Each partition gets its own consumer and task, so partitions are handled in parallel
/// while each keeps its order; assignment rather than group rebalancing lets a restarted
/// process resume at once instead of waiting out its dead predecessor's group session.
pub(crate) fn partition_consumer(
    brokers: &str,
    group: &str,
    topic: &str,
    partition: i32,
) -> Result<StreamConsumer, ClusterError> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        // Latency over broker round trips: an idle partition is polled every few ms.
        .set("fetch.wait.max.ms", "5")
        .create()?;
    let mut assignment = TopicPartitionList::new();
    assignment.add_partition_offset(topic, partition, Offset::Stored)?;
    consumer.assign(&assignment)?;
    Ok(consumer)
}
