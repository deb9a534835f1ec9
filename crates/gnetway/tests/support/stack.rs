//! A whole Echo stack in the test process, assembled the way `echod run` does it
//! (crates/echod/src/run.rs): storage, authsession, BFF, sessions, gateway on 127.0.0.1:0.
//! Every stack owns its storage, keys and cancellation token, so several can run side by side.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;
use echo_authsession::LocalAuthSession;
use echo_bff::{Bff, BffDeps, ServerConfig};
use echo_gnetway::{Gateway, GatewayConfig};
use echo_mtproto::rsa_key::{ServerPublicKey, ServerRsaKey};
use echo_session::SessionManager;
use echo_storage::Storage;
use echo_tl::layers::LayerSet;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The address the test stacks advertise in `help.getConfig` (TEST-NET-3, never dialled).
pub const PUBLIC_HOST: &str = "203.0.113.7";
/// The MTProxy secret every test stack accepts besides plain obfuscated2.
pub const PROXY_SECRET: [u8; 16] = *b"echo-test-secret";

/// The RSA key, derived once per test binary (keygen is slow in debug builds); read-only.
pub fn server_key() -> Arc<ServerRsaKey> {
    static KEY: OnceLock<Arc<ServerRsaKey>> = OnceLock::new();
    KEY.get_or_init(|| Arc::new(ServerRsaKey::insecure_from_seed(7).expect("test key")))
        .clone()
}

/// The TL layer schemas, parsed once per test binary; read-only.
pub fn layers() -> Arc<LayerSet> {
    static LAYERS: OnceLock<Arc<LayerSet>> = OnceLock::new();
    LAYERS
        .get_or_init(|| Arc::new(LayerSet::embedded().expect("embedded layers parse")))
        .clone()
}

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> anyhow::Result<Self> {
        let path = std::env::temp_dir().join(format!(
            "echo-gnetway-it-{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Self(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A `sqlite://` URL for a database file in this directory.
    pub fn sqlite_url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.0.join("echo.db").display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How to build a stack.
#[derive(Clone, Debug)]
pub struct StackOptions {
    pub database_url: String,
    pub salt_secret: [u8; 32],
    pub public_port: u16,
    pub dc_id: i32,
}

impl Default for StackOptions {
    fn default() -> Self {
        Self {
            database_url: "sqlite::memory:".into(),
            salt_secret: rand::random(),
            public_port: 4443,
            dc_id: 2,
        }
    }
}

/// A running stack. Dropping it cancels it; [`TestServer::stop`] also waits and closes storage.
pub struct TestServer {
    pub addr: SocketAddr,
    pub options: StackOptions,
    pub bff: Arc<Bff>,
    /// The session manager (admin operations such as `disconnect_user`).
    pub sessions: SessionManager,
    /// This stack's metrics registry.
    pub metrics: Arc<echo_metrics::Metrics>,
    storage: Storage,
    shutdown: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl TestServer {
    /// A stack over an in-memory database with dev codes on.
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with(StackOptions::default()).await
    }

    pub async fn start_with(options: StackOptions) -> anyhow::Result<Self> {
        let storage = Storage::connect(&options.database_url)
            .await
            .context("opening storage")?;
        let shutdown = CancellationToken::new();
        let authsession = Arc::new(LocalAuthSession::new(storage.clone()));
        let sync_hub = Arc::new(echo_bff::LocalSyncHub::new());
        let presence = Arc::new(echo_bff::LocalPresence::new());
        let metrics = Arc::new(echo_metrics::Metrics::new());
        let bff = Arc::new(
            Bff::new(BffDeps {
                storage: storage.clone(),
                authsession: authsession.clone(),
                config: ServerConfig {
                    dc_id: options.dc_id,
                    public_host: PUBLIC_HOST.into(),
                    public_port: options.public_port,
                    dev_codes: true,
                    send_code_per_hour: 1000,
                    send_message_per_minute: 10_000,
                    security: echo_bff::SecurityLimits::default(),
                },
                messaging: echo_bff::Messaging::local(storage.clone(), sync_hub.clone())
                    .with_presence(presence.clone()),
                code_sender: Arc::new(echo_bff::LogCodeSender),
                media: echo_bff::local_media(
                    std::env::temp_dir()
                        .join(format!("echo-gnetway-test-media-{}", std::process::id())),
                    &storage,
                    options.dc_id,
                ),
            })
            .with_metrics(metrics.clone()),
        );
        let sessions = SessionManager::new(
            bff.clone(),
            authsession.clone(),
            layers(),
            options.salt_secret,
            shutdown.clone(),
        )
        .with_metrics(metrics.clone());
        sync_hub.attach(Arc::new(sessions.clone()));
        sessions.set_presence(presence);
        let gateway = Gateway::bind(
            GatewayConfig {
                listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                proxy_secrets: vec![PROXY_SECRET],
                dc_id: options.dc_id,
            },
            server_key(),
            authsession,
            Arc::new(sessions.clone()),
        )
        .await
        .context("binding the gateway")?
        .with_metrics(&metrics);
        let addr = gateway.local_addr()?;
        let task = tokio::spawn(gateway.run(shutdown.clone()));
        Ok(Self {
            addr,
            options,
            bff,
            sessions,
            metrics,
            storage,
            shutdown,
            task: Some(task),
        })
    }

    /// The key clients must trust.
    pub fn public_key(&self) -> ServerPublicKey {
        server_key().public_key().clone()
    }

    /// Cancels the stack, waits for the gateway (bounded) and closes storage.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .context("gateway did not stop within 10 s")?
                .context("gateway task failed")?;
        }
        self.storage.close().await;
        Ok(())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
