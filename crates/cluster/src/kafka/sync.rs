//! The `Sync` topic: pushes from whoever commits a change (bff, msg) to the sync role, which
//! hands each to the session instance(s) holding the user's sessions. Applying a push twice
//! is harmless — every update carries the pts it moves the client to, and clients ignore a
//! pts they already have (core.telegram.org/api/updates); anything a push could not reach is
//! in the user's updates log for getDifference.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use echo_rpc::{pb, Endpoints, SessionFleet, SessionPusher};
use echo_session::SessionControl;
use echo_sync::{PresenceDirectory, Push, SessionAddr, SyncError, SyncService};
use prost::Message as _;
use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::Message;
use tokio_util::sync::CancellationToken;

use super::SYNC_TOPIC;
use crate::ClusterError;

/// [`SyncService`] of the split deployment: pushes for users go through the `Sync` topic;
/// pushes to one authorization and disconnects, which must reach sessions wherever they
/// live and report how many they reached, go straight to every session instance.
pub struct KafkaSync {
    producer: SyncProducer,
    fleet: SessionFleet,
}

impl KafkaSync {
    pub fn new(brokers: &str, fleet: SessionFleet) -> Result<Self, ClusterError> {
        Ok(Self {
            producer: SyncProducer::new(brokers)?,
            fleet,
        })
    }
}

/// Publishes pushes to the `Sync` topic.
pub struct SyncProducer {
    producer: FutureProducer,
}

impl SyncProducer {
    pub fn new(brokers: &str) -> Result<Self, ClusterError> {
        Ok(Self {
            producer: super::producer(brokers)?,
        })
    }

    /// Returns once the broker has the record.
    pub async fn publish(&self, push: &Push) -> Result<(), SyncError> {
        let key = push.user_id.to_be_bytes();
        let value = encode(push);
        let record = FutureRecord::to(SYNC_TOPIC).key(&key[..]).payload(&value);
        self.producer
            .send(record, Duration::from_secs(5))
            .await
            .map(|_| ())
            .map_err(|(e, _)| SyncError::Unavailable(e.to_string()))
    }
}

impl SyncProducer {
    /// Enqueues one record per push at once and then waits for the broker to have them
    /// all, instead of one round trip per record (a post to a big channel).
    pub async fn publish_many(&self, pushes: &[Push]) -> Result<(), SyncError> {
        let mut deliveries = Vec::with_capacity(pushes.len());
        for push in pushes {
            let key = push.user_id.to_be_bytes();
            let value = encode(push);
            let record = FutureRecord::to(SYNC_TOPIC).key(&key[..]).payload(&value);
            match self.producer.send_result(record) {
                Ok(delivery) => deliveries.push(delivery),
                Err((e, _)) => return Err(SyncError::Unavailable(e.to_string())),
            }
        }
        for delivery in deliveries {
            match delivery.await {
                Ok(Ok(_)) => {}
                Ok(Err((e, _))) => return Err(SyncError::Unavailable(e.to_string())),
                Err(_) => return Err(SyncError::Unavailable("delivery canceled".into())),
            }
        }
        Ok(())
    }
}

/// The record value: a `Deliver` message.
pub(crate) fn encode(push: &Push) -> Vec<u8> {
    pb::Deliver {
        user_id: push.user_id,
        except: push.except.map(|e| pb::SessionAddr {
            auth_key_id: e.auth_key_id,
            session_id: e.session_id,
        }),
        updates: push.updates.clone(),
    }
    .encode_to_vec()
}

fn decode(value: &[u8]) -> Option<Push> {
    let d = pb::Deliver::decode(value).ok()?;
    Some(Push {
        user_id: d.user_id,
        except: d.except.map(|e| SessionAddr {
            auth_key_id: e.auth_key_id,
            session_id: e.session_id,
        }),
        updates: d.updates,
    })
}

#[async_trait]
impl SyncService for KafkaSync {
    async fn push(&self, push: Push) -> Result<(), SyncError> {
        self.producer.publish(&push).await
    }

    async fn push_to_users(&self, user_ids: &[i64], updates: Vec<u8>) -> Result<(), SyncError> {
        let pushes: Vec<Push> = user_ids
            .iter()
            .map(|user_id| Push {
                user_id: *user_id,
                except: None,
                updates: updates.clone(),
            })
            .collect();
        self.producer.publish_many(&pushes).await
    }

    async fn push_to_auth_key(
        &self,
        perm_auth_key_id: i64,
        updates: Vec<u8>,
    ) -> Result<usize, SyncError> {
        Ok(self.fleet.push_to_auth_key(perm_auth_key_id, updates).await)
    }

    async fn disconnect_auth_key(
        &self,
        user_id: i64,
        perm_auth_key_id: i64,
    ) -> Result<usize, SyncError> {
        Ok(self
            .fleet
            .disconnect_authorization(user_id, perm_auth_key_id)
            .await)
    }
}

/// The sync role: consumes `Sync` (partitions `owned`, all when None; one task per
/// partition; offsets committed under `group`) and delivers every push to the session
/// instances that hold the user's sessions, until `shutdown`.
pub async fn run_sync_consumer(
    brokers: &str,
    group: &str,
    owned: Option<Vec<i32>>,
    presence: Arc<dyn PresenceDirectory>,
    sessions: Arc<Endpoints>,
    shutdown: CancellationToken,
) -> Result<(), ClusterError> {
    let partitions = super::partitions_of(brokers, SYNC_TOPIC, owned)?;
    tracing::info!(group, ?partitions, "sync consumer started");
    let pusher = SessionPusher::new(sessions.clone());
    let mut tasks = Vec::new();
    for partition in partitions {
        let consumer = super::partition_consumer(brokers, group, SYNC_TOPIC, partition)?;
        let (presence, sessions, pusher) = (presence.clone(), sessions.clone(), pusher.clone());
        let shutdown = shutdown.clone();
        tasks.push(tokio::spawn(async move {
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
                if let Some(push) = message.payload().and_then(decode) {
                    deliver(&pusher, &sessions, presence.as_ref(), push).await;
                } else {
                    tracing::warn!(offset = message.offset(), "undecodable Sync record skipped");
                }
                // Committed only after the hand-over: a crash before this line re-delivers.
                if let Err(e) = consumer.commit_message(&message, CommitMode::Async) {
                    tracing::warn!(error = %e, "offset commit failed");
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    Ok(())
}

/// Hands one push to every live session instance of the user.
async fn deliver(
    pusher: &SessionPusher,
    sessions: &Endpoints,
    presence: &dyn PresenceDirectory,
    push: Push,
) {
    let nodes: BTreeSet<String> = presence
        .sessions_of(push.user_id)
        .await
        .into_iter()
        .filter(|s| Some(s.session) != push.except)
        .map(|s| s.node)
        .filter(|node| sessions.contains(node))
        .collect();
    for node in nodes {
        let mut attempt = 0;
        loop {
            match pusher
                .deliver(&node, push.user_id, push.except, push.updates.clone())
                .await
            {
                Ok(n) => {
                    tracing::trace!(user_id = push.user_id, node, sessions = n, "delivered");
                    break;
                }
                Err(s) if attempt < 3 => {
                    attempt += 1;
                    tracing::debug!(node, code = ?s.code(), attempt, "delivery retry");
                    tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
                }
                Err(s) => {
                    // The client recovers with getDifference.
                    tracing::warn!(node, code = ?s.code(), "push not delivered");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let push = Push {
            user_id: 1_000_001,
            except: Some(SessionAddr {
                auth_key_id: -3,
                session_id: 9,
            }),
            updates: vec![1, 2, 3],
        };
        assert_eq!(decode(&encode(&push)), Some(push));
        assert_eq!(decode(&[0xff, 0xff]), None);
    }
}
