//! `echod <role>`: one role of the split deployment per process (feature `cluster`). The
//! roles are the same code `echod run` wires in one process; here each talks to the others
//! through gRPC clients that implement the same service traits (crate `echo-rpc`), finds them
//! in etcd, keeps online sessions in Redis and sends pushes over the Kafka topic Sync
//! (crate `echo-cluster`). Settings: etc/<role>.yaml (`--config`) with its `cluster:`
//! section, overridden by ECHO_* variables and flags. Topology: docs/deployment.md.

mod start;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use echo_rpc::tonic::transport::server::Router;
use tokio_util::sync::CancellationToken;

use crate::config::{ClusterFileConfig, RunConfig};
use crate::run::RunArgs;

/// The roles a process can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Gnetway,
    Session,
    Bff,
    Msg,
    Sync,
    Authsession,
    Media,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Gnetway => "gnetway",
            Role::Session => "session",
            Role::Bff => "bff",
            Role::Msg => "msg",
            Role::Sync => "sync",
            Role::Authsession => "authsession",
            Role::Media => "media",
        }
    }
}

#[derive(Args, Debug)]
pub struct RoleArgs {
    #[command(flatten)]
    run: RunArgs,
    /// etcd endpoints, comma separated (host:port).
    #[arg(long, env = "ECHO_ETCD", value_delimiter = ',')]
    etcd: Vec<String>,
    /// Redis URL (online sessions).
    #[arg(long, env = "ECHO_REDIS_URL")]
    redis_url: Option<String>,
    /// Kafka bootstrap servers (topics Sync and Inbox).
    #[arg(long, env = "ECHO_KAFKA_BROKERS")]
    kafka_brokers: Option<String>,
    /// gRPC listen address of this role.
    #[arg(long, env = "ECHO_GRPC_LISTEN")]
    grpc_listen: Option<SocketAddr>,
    /// Address other roles reach this one at (host:port).
    #[arg(long, env = "ECHO_GRPC_ADVERTISE")]
    grpc_advertise: Option<String>,
}

/// Everything a role process knows after reading its configuration.
pub(crate) struct RoleConfig {
    pub run: RunConfig,
    pub etcd: Vec<String>,
    pub redis_url: String,
    pub kafka_brokers: String,
    pub grpc_listen: SocketAddr,
    pub grpc_advertise: String,
    pub lease_ttl: Duration,
    pub topic_partitions: i32,
    pub sync_partitions: Option<Vec<i32>>,
    pub inbox_partitions: Option<Vec<i32>>,
}

fn resolve(args: RoleArgs) -> anyhow::Result<RoleConfig> {
    let (run, file) = crate::run::resolve(args.run)?;
    let file = file.unwrap_or_else(ClusterFileConfig::default);
    let etcd = if args.etcd.is_empty() {
        file.etcd
            .unwrap_or_else(|| vec!["127.0.0.1:2379".to_owned()])
    } else {
        args.etcd
    };
    let grpc_listen = args
        .grpc_listen
        .or(file.grpc_listen)
        .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 7100)));
    let grpc_advertise = args
        .grpc_advertise
        .or(file.grpc_advertise)
        .unwrap_or_else(|| {
            if grpc_listen.ip().is_unspecified() {
                format!("127.0.0.1:{}", grpc_listen.port())
            } else {
                grpc_listen.to_string()
            }
        });
    Ok(RoleConfig {
        run,
        etcd,
        redis_url: args
            .redis_url
            .or(file.redis_url)
            .unwrap_or_else(|| "redis://127.0.0.1:6379/".to_owned()),
        kafka_brokers: args
            .kafka_brokers
            .or(file.kafka_brokers)
            .unwrap_or_else(|| "127.0.0.1:9092".to_owned()),
        grpc_listen,
        grpc_advertise,
        lease_ttl: Duration::from_secs(file.lease_ttl_secs.unwrap_or(5)),
        topic_partitions: file.topic_partitions.unwrap_or(4),
        sync_partitions: file.sync_partitions,
        inbox_partitions: file.inbox_partitions,
    })
}

/// Runs `role` until SIGTERM / Ctrl-C.
pub async fn run(role: Role, args: RoleArgs) -> anyhow::Result<()> {
    let cfg = resolve(args)?;
    let shutdown = CancellationToken::new();
    let etcd = echo_cluster::discovery::connect(&cfg.etcd)
        .await
        .with_context(|| format!("connecting to etcd {:?}", cfg.etcd))?;
    let ctx = RoleContext {
        cfg,
        etcd,
        shutdown: shutdown.clone(),
    };
    let running = match role {
        Role::Authsession => start::authsession(&ctx).await?,
        Role::Msg => start::msg(&ctx).await?,
        Role::Bff => start::bff(&ctx).await?,
        Role::Session => start::session(&ctx).await?,
        Role::Sync => start::sync(&ctx).await?,
        Role::Gnetway => start::gnetway(&ctx).await?,
        Role::Media => start::media(&ctx).await?,
    };
    tracing::info!(role = role.name(), grpc = %ctx.cfg.grpc_advertise, "echod role running");
    crate::run::wait_for_signal().await;
    tracing::info!(role = role.name(), "shutting down");
    shutdown.cancel();
    let drain = async {
        for task in running.tasks {
            let _ = task.await;
        }
    };
    if tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .is_err()
    {
        tracing::warn!("some work did not finish within 5 s");
    }
    if let Some(storage) = running.storage {
        storage.close().await;
    }
    Ok(())
}

/// What every role starter gets.
pub(crate) struct RoleContext {
    pub cfg: RoleConfig,
    pub etcd: echo_cluster::etcd::Client,
    pub shutdown: CancellationToken,
}

/// What a started role leaves running.
#[derive(Default)]
pub(crate) struct Running {
    pub tasks: Vec<tokio::task::JoinHandle<()>>,
    pub storage: Option<echo_storage::Storage>,
}

impl RoleContext {
    /// The live instances of another role.
    pub async fn instances(&self, role: Role) -> anyhow::Result<Arc<echo_rpc::Endpoints>> {
        echo_cluster::discovery::watch(self.etcd.clone(), role.name(), self.shutdown.clone())
            .await
            .with_context(|| format!("watching {} instances in etcd", role.name()))
    }

    /// Serves `router` on the gRPC address and registers it in etcd under `role`.
    pub async fn serve_grpc(
        &self,
        role: Role,
        router: Router,
    ) -> anyhow::Result<tokio::task::JoinHandle<()>> {
        let listener = tokio::net::TcpListener::bind(self.cfg.grpc_listen)
            .await
            .with_context(|| format!("binding gRPC {}", self.cfg.grpc_listen))?;
        let incoming = echo_rpc::tonic::transport::server::TcpIncoming::from(listener)
            .with_nodelay(Some(true));
        let shutdown = self.shutdown.clone();
        let task = tokio::spawn(async move {
            if let Err(e) = router
                .serve_with_incoming_shutdown(incoming, shutdown.cancelled())
                .await
            {
                tracing::error!(error = %e, "gRPC server stopped");
            }
        });
        echo_cluster::discovery::register(
            self.etcd.clone(),
            role.name(),
            &self.cfg.grpc_advertise,
            self.cfg.lease_ttl,
            self.shutdown.clone(),
        )
        .await
        .context("registering in etcd")?;
        Ok(task)
    }

    /// The probes (/healthz) on the HTTP address, for roles without the admin API.
    pub async fn serve_probes(&self) -> anyhow::Result<tokio::task::JoinHandle<()>> {
        let listener = crate::http::bind(self.cfg.run.http)
            .await
            .with_context(|| format!("binding HTTP {}", self.cfg.run.http))?;
        let router = axum::Router::new().route(
            "/healthz",
            axum::routing::get(|| async {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    r#"{"status":"ok"}"#,
                )
            }),
        );
        let shutdown = self.shutdown.clone();
        Ok(tokio::spawn(async move {
            let _ = echo_admin::serve(listener, router, shutdown).await;
        }))
    }
}
