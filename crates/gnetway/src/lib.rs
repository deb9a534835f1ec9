//! The MTProto gateway (core.telegram.org/mtproto/mtproto-transports, /mtproto/auth_key,
//! /mtproto/description): accepts TCP connections on 10443, detects each connection's transport,
//! runs auth-key handshakes for unencrypted messages, decrypts encrypted ones with the key the
//! authsession service knows, and hands them to the session layer. Malformed input closes that
//! one connection; nothing a client sends can stop the listener.

mod connection;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use echo_authsession::AuthSessionService;
use echo_mtproto::rsa_key::ServerRsaKey;
use echo_session::SessionEntry;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Gateway settings.
#[derive(Clone, Debug)]
pub struct GatewayConfig {
    pub listen: SocketAddr,
    /// MTProxy secrets accepted for obfuscated2 (connections without a secret keep working).
    pub proxy_secrets: Vec<[u8; 16]>,
    /// The DC this gateway serves (handshakes with a `_dc` inner data for another DC still work).
    pub dc_id: i32,
}

pub(crate) struct GatewayShared {
    pub config: GatewayConfig,
    pub rsa: Arc<ServerRsaKey>,
    pub authsession: Arc<dyn AuthSessionService>,
    pub sessions: Arc<dyn SessionEntry>,
    pub next_conn_id: AtomicU64,
    /// This gateway's counters (connections, handshakes), when metrics are collected.
    pub metrics: Option<Arc<echo_metrics::GatewayMetrics>>,
}

/// A bound, not yet running, gateway.
pub struct Gateway {
    listener: TcpListener,
    shared: Arc<GatewayShared>,
}

impl Gateway {
    pub async fn bind(
        config: GatewayConfig,
        rsa: Arc<ServerRsaKey>,
        authsession: Arc<dyn AuthSessionService>,
        sessions: Arc<dyn SessionEntry>,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(config.listen).await?;
        Ok(Self {
            listener,
            shared: Arc::new(GatewayShared {
                config,
                rsa,
                authsession,
                sessions,
                next_conn_id: AtomicU64::new(1),
                metrics: None,
            }),
        })
    }

    /// Counts this gateway's connections and handshakes in `metrics`, under its listen address.
    pub fn with_metrics(mut self, metrics: &echo_metrics::Metrics) -> Self {
        let name = self
            .listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| self.shared.config.listen.to_string());
        // The shared state is not handed out before `run`, so this is its only reference.
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.metrics = Some(metrics.gateway(&name));
        }
        self
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts connections until `shutdown`, then waits for open connections to finish.
    pub async fn run(self, shutdown: CancellationToken) {
        let tracker = TaskTracker::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let _ = stream.set_nodelay(true);
                        let id = self.shared.next_conn_id.fetch_add(1, Ordering::Relaxed);
                        let shared = self.shared.clone();
                        let stop = shutdown.clone();
                        tracker.spawn(async move {
                            if let Err(e) = connection::serve(shared, stream, peer, id, stop).await {
                                tracing::debug!(conn = id, %peer, error = %e, "connection closed with error");
                            }
                        });
                    }
                    Err(e) => {
                        // Out of file descriptors and similar: back off instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                },
                _ = shutdown.cancelled() => break,
            }
        }
        tracker.close();
        tracker.wait().await;
    }
}
