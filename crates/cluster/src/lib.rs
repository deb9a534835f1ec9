//! The infrastructure of the split deployment (`echod <role>` processes): discovery of role
//! instances in etcd ([`discovery`]), the online-session directory in Redis ([`presence`]),
//! and the Kafka topics ([`kafka`]: `Inbox` for recipients' copies, `Sync` for pushes, both
//! keyed by user id so one user's records stay in order). The embedded `echod run` uses none of this.

pub mod discovery;
pub mod kafka;
pub mod presence;

/// Errors of the cluster infrastructure (all of them "a backing server is not usable").
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("etcd: {0}")]
    Etcd(#[from] etcd_client::Error),
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("kafka: {0}")]
    Kafka(#[from] rdkafka::error::KafkaError),
    #[error("grpc: {0}")]
    Grpc(#[from] echo_rpc::tonic::Status),
}
pub use etcd_client as etcd;
