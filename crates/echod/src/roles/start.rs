//! The starters of each role: the same services `echod run` builds, with the other roles
//! replaced by their gRPC clients. Each returns what it left running.

use std::sync::Arc;

use anyhow::Context;
use echo_authsession::LocalAuthSession;
use echo_bff::{Bff, BffDeps, Messaging};
use echo_cluster::kafka::{self, KafkaInbox, KafkaSync};
use echo_cluster::presence::RedisPresence;
use echo_gnetway::{Gateway, GatewayConfig};
use echo_rpc::tonic::transport::Server;
use echo_rpc::{
    ApiServer, AuthSessionServer, MediaServer, MsgServer, RemoteApi, RemoteAuthSession,
    RemoteMedia, RemoteMsg, RemoteSessions, SessionServer,
};
use echo_session::SessionManager;
use echo_storage::Storage;
use echo_tl::layers::LayerSet;

use super::{Role, RoleContext, Running};
use crate::keys;

async fn storage(ctx: &RoleContext) -> anyhow::Result<Storage> {
    Storage::connect(&ctx.cfg.run.database_url)
        .await
        .context("opening storage")
}

async fn presence(ctx: &RoleContext) -> anyhow::Result<Arc<RedisPresence>> {
    let p = RedisPresence::connect(&ctx.cfg.redis_url, "echo:")
        .await
        .with_context(|| format!("connecting to Redis {}", ctx.cfg.redis_url))?;
    Ok(Arc::new(p))
}

async fn remote_authsession(ctx: &RoleContext) -> anyhow::Result<Arc<RemoteAuthSession>> {
    Ok(Arc::new(RemoteAuthSession::new(
        ctx.instances(Role::Authsession).await?,
    )))
}

pub(super) async fn authsession(ctx: &RoleContext) -> anyhow::Result<Running> {
    let storage = storage(ctx).await?;
    let service = Arc::new(LocalAuthSession::new(storage.clone()));
    let router = Server::builder().add_service(AuthSessionServer::service(service));
    Ok(Running {
        tasks: vec![
            ctx.serve_grpc(Role::Authsession, router).await?,
            ctx.serve_probes().await?,
        ],
        storage: Some(storage),
    })
}

pub(super) async fn msg(ctx: &RoleContext) -> anyhow::Result<Running> {
    let storage = storage(ctx).await?;
    let brokers = ctx.cfg.kafka_brokers.clone();
    kafka::ensure_topics(&brokers, ctx.cfg.topic_partitions)
        .await
        .with_context(|| format!("creating Kafka topics on {brokers}"))?;
    let local: Arc<dyn echo_msg::MsgService> =
        Arc::new(echo_msg::LocalMsgService::new(storage.clone()));
    // Sends answer after the sender's copy; recipients' copies go through the Inbox topic.
    let queued =
        echo_msg::QueuedMsgService::new(local.clone(), Arc::new(KafkaInbox::new(&brokers)?));
    let router = Server::builder().add_service(MsgServer::service(Arc::new(queued)));
    let sync = kafka::SyncProducer::new(&brokers)?;
    let owned = ctx.cfg.inbox_partitions.clone();
    let shutdown = ctx.shutdown.clone();
    let consumer = tokio::spawn(async move {
        if let Err(e) =
            kafka::run_inbox_consumer(&brokers, "echo-msg-inbox", owned, local, sync, shutdown)
                .await
        {
            tracing::error!(error = %e, "inbox consumer stopped");
        }
    });
    Ok(Running {
        tasks: vec![
            ctx.serve_grpc(Role::Msg, router).await?,
            ctx.serve_probes().await?,
            consumer,
        ],
        storage: Some(storage),
    })
}

pub(super) async fn media(ctx: &RoleContext) -> anyhow::Result<Running> {
    let storage = storage(ctx).await?;
    // Files in the dfs (S3 when configured, shared by every media instance; else under the
    // data dir); upload parts on this instance's disk, which is why uploads are routed here
    // by user.
    let media = crate::media::build(&ctx.cfg.run, &storage).await?;
    crate::media::spawn_sweeper(media.clone(), ctx.shutdown.clone());
    let router = Server::builder().add_service(MediaServer::service(media));
    Ok(Running {
        tasks: vec![
            ctx.serve_grpc(Role::Media, router).await?,
            ctx.serve_probes().await?,
        ],
        storage: Some(storage),
    })
}

pub(super) async fn bff(ctx: &RoleContext) -> anyhow::Result<Running> {
    let cfg = &ctx.cfg.run;
    let storage = storage(ctx).await?;
    echo_bff::contacts::ensure_service_user(&storage)
        .await
        .context("creating the service user")?;
    kafka::ensure_topics(&ctx.cfg.kafka_brokers, ctx.cfg.topic_partitions)
        .await
        .with_context(|| format!("creating Kafka topics on {}", ctx.cfg.kafka_brokers))?;
    let fleet = echo_rpc::SessionFleet::new(ctx.instances(Role::Session).await?);
    let sync = Arc::new(KafkaSync::new(&ctx.cfg.kafka_brokers, fleet.clone())?);
    let authsession = remote_authsession(ctx).await?;
    let msg = Arc::new(RemoteMsg::new(ctx.instances(Role::Msg).await?));
    let metrics = Arc::new(echo_metrics::Metrics::new());
    let media = Arc::new(RemoteMedia::new(ctx.instances(Role::Media).await?));
    let bff = Bff::new(BffDeps {
        storage: storage.clone(),
        authsession: authsession.clone(),
        config: crate::run::server_config(cfg),
        messaging: Messaging::new(msg.clone(), sync.clone()).with_presence(presence(ctx).await?),
        code_sender: crate::run::code_sender(cfg)?,
        media,
    })
    .with_metrics(metrics.clone());
    let router = Server::builder().add_service(ApiServer::service(Arc::new(bff)));
    // The admin API lives with the bff (it needs storage and the API's services); it
    // reaches live sessions through every session instance.
    let admin = echo_admin::AdminState::new(echo_admin::AdminDeps {
        storage: storage.clone(),
        authsession,
        sessions: Some(Arc::new(fleet)),
        metrics,
        token: cfg.admin_token.clone().map(|t| t.0),
        notifier: Some(Arc::new(echo_admin::MsgServiceNotifier::new(
            storage.clone(),
            msg,
            sync,
            echo_admin::system_clock(),
        ))),
        clock: echo_admin::system_clock(),
    });
    let http = crate::http::bind(cfg.http)
        .await
        .with_context(|| format!("binding HTTP {}", cfg.http))?;
    let shutdown = ctx.shutdown.clone();
    let http_task = tokio::spawn(async move {
        let _ = echo_admin::serve(http, echo_admin::router(admin), shutdown).await;
    });
    Ok(Running {
        tasks: vec![ctx.serve_grpc(Role::Bff, router).await?, http_task],
        storage: Some(storage),
    })
}

pub(super) async fn session(ctx: &RoleContext) -> anyhow::Result<Running> {
    let cfg = &ctx.cfg.run;
    std::fs::create_dir_all(&cfg.data_dir)?;
    // Shared by every session instance (same data dir or copied file), so a key that moves
    // to another instance keeps valid salts.
    let salt_secret = keys::load_or_create_salt_secret(&cfg.data_dir)?;
    let layers = Arc::new(LayerSet::embedded().context("loading TL layer schemas")?);
    let api = Arc::new(RemoteApi::new(ctx.instances(Role::Bff).await?));
    let sessions = SessionManager::new(
        api,
        remote_authsession(ctx).await?,
        layers,
        salt_secret,
        ctx.shutdown.clone(),
    );
    sessions.set_node(ctx.cfg.grpc_advertise.clone());
    sessions.set_presence(presence(ctx).await?);
    let router = Server::builder().add_service(SessionServer::service(sessions));
    Ok(Running {
        tasks: vec![
            ctx.serve_grpc(Role::Session, router).await?,
            ctx.serve_probes().await?,
        ],
        storage: None,
    })
}

pub(super) async fn sync(ctx: &RoleContext) -> anyhow::Result<Running> {
    kafka::ensure_topics(&ctx.cfg.kafka_brokers, ctx.cfg.topic_partitions)
        .await
        .with_context(|| format!("creating Kafka topics on {}", ctx.cfg.kafka_brokers))?;
    let presence = presence(ctx).await?;
    let sessions = ctx.instances(Role::Session).await?;
    let brokers = ctx.cfg.kafka_brokers.clone();
    let owned = ctx.cfg.sync_partitions.clone();
    let shutdown = ctx.shutdown.clone();
    let consumer = tokio::spawn(async move {
        if let Err(e) =
            kafka::run_sync_consumer(&brokers, "echo-sync", owned, presence, sessions, shutdown)
                .await
        {
            tracing::error!(error = %e, "sync consumer stopped");
        }
    });
    Ok(Running {
        tasks: vec![consumer, ctx.serve_probes().await?],
        storage: None,
    })
}

pub(super) async fn gnetway(ctx: &RoleContext) -> anyhow::Result<Running> {
    let cfg = &ctx.cfg.run;
    std::fs::create_dir_all(&cfg.data_dir)?;
    let rsa = Arc::new(keys::load_or_create_rsa(&cfg.data_dir)?);
    let sessions = Arc::new(RemoteSessions::new(ctx.instances(Role::Session).await?));
    let gateway = Gateway::bind(
        GatewayConfig {
            listen: cfg.listen,
            proxy_secrets: cfg.proxy_secrets.clone(),
            dc_id: cfg.dc_id,
        },
        rsa,
        remote_authsession(ctx).await?,
        sessions,
    )
    .await
    .with_context(|| format!("binding MTProto listener {}", cfg.listen))?;
    tracing::info!(mtproto = %gateway.local_addr()?, "gateway listening");
    let gateway_task = tokio::spawn(gateway.run(ctx.shutdown.clone()));
    Ok(Running {
        tasks: vec![gateway_task, ctx.serve_probes().await?],
        storage: None,
    })
}
