//! `echod run`: every role in one process. Order matters: storage, keys, services, then the
//! gateway binds, then the HTTP listener (so /healthz answering means MTProto is accepting).
//! SIGTERM / Ctrl-C cancel one token; tasks finish their current work and storage is closed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use echo_authsession::LocalAuthSession;
use echo_bff::{Bff, BffDeps, ServerConfig};
use echo_gnetway::{Gateway, GatewayConfig};
use echo_session::SessionManager;
use echo_storage::Storage;
use echo_tl::layers::LayerSet;
use tokio_util::sync::CancellationToken;

use crate::config::{
    parse_secrets, split_host_port, CodeSenderConfig, FileConfig, RunConfig, Secret,
};
use crate::{http, keys};

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Directory for the database, keys and files.
    #[arg(long, env = "ECHO_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// MTProto listen address.
    #[arg(long, env = "ECHO_LISTEN")]
    listen: Option<SocketAddr>,
    /// HTTP admin listen address.
    #[arg(long, env = "ECHO_HTTP")]
    http: Option<SocketAddr>,
    /// YAML configuration file (etc/echod.yaml).
    #[arg(long, env = "ECHO_CONFIG")]
    config: Option<PathBuf>,
    /// HOST:PORT clients are told to connect to (default: the listen address, 127.0.0.1 for 0.0.0.0).
    #[arg(long, env = "ECHO_PUBLIC_ADDR")]
    public_addr: Option<String>,
    /// Database URL: sqlite://PATH or mysql://user:pass@host:port/db (default: SQLite in the data dir).
    #[arg(long, env = "ECHO_DATABASE_URL")]
    database_url: Option<String>,
    /// Every login code is 12345 (development and tests only).
    #[arg(long, env = "ECHO_DEV_CODES", action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    dev_codes: bool,
    /// MTProxy secrets (hex, comma separated) accepted for obfuscated2 connections (TDLib's route).
    #[arg(long, env = "ECHO_PROXY_SECRET")]
    proxy_secret: Option<String>,
    /// Bearer token of the admin HTTP API (unset: /v1/* answers 403). Prefer the env variable:
    /// command lines are visible to other local users.
    #[arg(long, env = "ECHO_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Messages one user may send per minute (FLOOD_WAIT_X past it; 0 turns the limit off,
    /// e.g. for load tests). Default 300.
    #[arg(long, env = "ECHO_SEND_MESSAGE_PER_MINUTE")]
    send_message_per_minute: Option<u32>,
}

pub(crate) fn resolve(
    args: RunArgs,
) -> anyhow::Result<(RunConfig, Option<crate::config::ClusterFileConfig>)> {
    let file = match &args.config {
        Some(path) => FileConfig::load(path)?,
        None => FileConfig::default(),
    };
    let data_dir = args
        .data_dir
        .or(file.data_dir)
        .unwrap_or_else(|| PathBuf::from("./data"));
    let listen = args
        .listen
        .or(file.listen)
        .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 10443)));
    let http = args
        .http
        .or(file.http)
        .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 8801)));
    let cluster = file.cluster.clone();
    let (public_host, public_port) = match args.public_addr.or(file.public_addr) {
        Some(addr) => split_host_port(&addr)?,
        None => {
            let host = if listen.ip().is_unspecified() {
                "127.0.0.1".to_string()
            } else {
                listen.ip().to_string()
            };
            (host, listen.port())
        }
    };
    let database_url = args
        .database_url
        .or(file.database_url)
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("echo.db").display()));
    let mut secrets = file.proxy_secrets.unwrap_or_default();
    secrets.extend(args.proxy_secret);
    let cfg = RunConfig {
        data_dir,
        listen,
        http,
        public_host,
        public_port,
        database_url,
        dc_id: file.dc_id.unwrap_or(2),
        dev_codes: args.dev_codes || file.dev_codes.unwrap_or(false),
        proxy_secrets: parse_secrets(&secrets)?,
        send_code_per_hour: file.send_code_per_hour.unwrap_or(10),
        send_message_per_minute: args
            .send_message_per_minute
            .or(file.send_message_per_minute)
            .unwrap_or(ServerConfig::default().send_message_per_minute),
        security: file.security.unwrap_or_default().resolve(),
        admin_token: args
            .admin_token
            .map(Secret)
            .or(file.admin_token)
            .filter(|t| !t.0.trim().is_empty()),
        code_sender: file.code_sender.unwrap_or_default(),
        s3: crate::config::S3Settings::from_env().or(file.s3),
    };
    Ok((cfg, cluster))
}

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let (cfg, _) = resolve(args)?;
    std::fs::create_dir_all(&cfg.data_dir)
        .with_context(|| format!("creating {}", cfg.data_dir.display()))?;
    let rsa = Arc::new(keys::load_or_create_rsa(&cfg.data_dir)?);
    let salt_secret = keys::load_or_create_salt_secret(&cfg.data_dir)?;
    let storage = Storage::connect(&cfg.database_url)
        .await
        .context("opening storage")?;
    // 777000 "Telegram", the account login codes come from.
    echo_bff::contacts::ensure_service_user(&storage)
        .await
        .context("creating the service user")?;
    let layers = Arc::new(LayerSet::embedded().context("loading TL layer schemas")?);
    let shutdown = CancellationToken::new();

    let authsession = Arc::new(LocalAuthSession::new(storage.clone()));
    // One metrics registry for this server, handed to each component (no global registry).
    let metrics = Arc::new(echo_metrics::Metrics::new());
    let code_sender = code_sender(&cfg)?;
    // Sync hub: the API pushes through it; the session layer attaches below, once built.
    let sync_hub = Arc::new(echo_bff::LocalSyncHub::new());
    let presence = Arc::new(echo_bff::LocalPresence::new());
    let media = crate::media::build(&cfg, &storage).await?;
    crate::media::spawn_sweeper(media.clone(), shutdown.clone());
    let bff = Arc::new(
        Bff::new(BffDeps {
            storage: storage.clone(),
            authsession: authsession.clone(),
            config: server_config(&cfg),
            messaging: echo_bff::Messaging::local(storage.clone(), sync_hub.clone())
                .with_presence(presence.clone()),
            code_sender,
            media,
        })
        .with_metrics(metrics.clone()),
    );
    let sessions = SessionManager::new(
        bff,
        authsession.clone(),
        layers.clone(),
        salt_secret,
        shutdown.clone(),
    )
    .with_metrics(metrics.clone());
    sync_hub.attach(Arc::new(sessions.clone()));
    sessions.set_presence(presence);
    let gateway = Gateway::bind(
        GatewayConfig {
            listen: cfg.listen,
            proxy_secrets: cfg.proxy_secrets.clone(),
            dc_id: cfg.dc_id,
        },
        rsa.clone(),
        authsession.clone(),
        Arc::new(sessions.clone()),
    )
    .await
    .with_context(|| format!("binding MTProto listener {}", cfg.listen))?
    .with_metrics(&metrics);
    let admin = echo_admin::AdminState::new(echo_admin::AdminDeps {
        storage: storage.clone(),
        authsession,
        sessions: Some(Arc::new(sessions)),
        metrics,
        token: cfg.admin_token.clone().map(|t| t.0),
        notifier: Some(Arc::new(echo_admin::MsgServiceNotifier::local(
            storage.clone(),
            sync_hub.clone(),
            echo_admin::system_clock(),
        ))),
        clock: echo_admin::system_clock(),
    });
    let http_listener = http::bind(cfg.http)
        .await
        .with_context(|| format!("binding HTTP {}", cfg.http))?;
    tracing::info!(
        mtproto = %gateway.local_addr()?,
        http = %http_listener.local_addr()?,
        public = %format!("{}:{}", cfg.public_host, cfg.public_port),
        layers = ?layers.supported(),
        fingerprint = %format!("{:016x}", rsa.fingerprint() as u64),
        "echod running"
    );
    if cfg.admin_token.is_none() {
        tracing::info!("admin API disabled: set ECHO_ADMIN_TOKEN (or admin_token) to enable /v1/*");
    }
    if cfg.dev_codes {
        tracing::warn!("dev codes enabled: every login code is 12345");
    }

    let gateway_task = tokio::spawn(gateway.run(shutdown.clone()));
    let http_task = tokio::spawn(echo_admin::serve(
        http_listener,
        echo_admin::router(admin),
        shutdown.clone(),
    ));
    wait_for_signal().await;
    tracing::info!("shutting down");
    shutdown.cancel();
    let drain = async {
        let _ = gateway_task.await;
        let _ = http_task.await;
    };
    if tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .is_err()
    {
        tracing::warn!("some connections did not finish within 5 s");
    }
    storage.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// The API's settings from the resolved configuration.
pub(crate) fn server_config(cfg: &RunConfig) -> ServerConfig {
    ServerConfig {
        dc_id: cfg.dc_id,
        public_host: cfg.public_host.clone(),
        public_port: cfg.public_port,
        dev_codes: cfg.dev_codes,
        send_code_per_hour: cfg.send_code_per_hour,
        send_message_per_minute: cfg.send_message_per_minute,
        security: cfg.security.clone(),
    }
}

/// Where login codes go (`code_sender:`).
pub(crate) fn code_sender(cfg: &RunConfig) -> anyhow::Result<Arc<dyn echo_bff::CodeSender>> {
    Ok(match &cfg.code_sender {
        CodeSenderConfig::Log => Arc::new(echo_bff::LogCodeSender),
        CodeSenderConfig::Webhook { url, token } => Arc::new(
            echo_admin::WebhookCodeSender::new(url, token.clone().map(|t| t.0))
                .context("code_sender")?,
        ),
    })
}

pub(crate) async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
