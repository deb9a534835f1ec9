//! BFF ("backend for frontend"): the Telegram API methods (core.telegram.org/methods). One module
//! per TL namespace, one handler function per method, registered with [`Router::method`] under
//! the generated function type, so dispatch is by constructor id without a hand-written table.
//!
//! Requests reach [`RpcService::invoke`] already unwrapped from the MTProto envelope and
//! re-encoded in the newest layer by the session layer; the result goes back the same way.

mod account;
mod auth;
mod channels;
mod chats;
mod code_sender;
pub mod contacts;
mod context;
mod convert;
mod help;
mod langpack;
mod media_tl;
mod messages;
mod messaging;
mod photos;
mod router;
mod updates;
mod upload;
mod users;

use std::sync::Arc;

use async_trait::async_trait;
pub use auth::srp;
pub use auth::{normalize_phone, validate_name, NAME_MAX_CHARS};
pub use code_sender::{CodeSendError, CodeSender, LogCodeSender};
pub use context::{BffDeps, RpcContext, RpcError, SecurityLimits, ServerConfig};
pub use echo_media::{LocalMediaService, MediaService};
pub use echo_sync::{
    LocalPresence, LocalSyncHub, PresenceDirectory, PushTarget, SessionAddr, SyncService,
};
pub use messaging::{FloodGate, Messaging};
pub use router::Router;

/// A media service on the local disk: files under `dir/files`, upload parts under
/// `dir/uploads` (both created on first use). What `echod run` uses by default, and tests.
pub fn local_media(
    dir: impl Into<std::path::PathBuf>,
    storage: &echo_storage::Storage,
    dc_id: i32,
) -> Arc<dyn MediaService> {
    let dir = dir.into();
    Arc::new(LocalMediaService::new(
        dir.join("uploads"),
        Arc::new(echo_dfs::LocalDisk::new(dir.join("files"))),
        storage.media.clone(),
        dc_id,
    ))
}

/// The API as seen by the session layer. A gRPC client can implement this same trait.
#[async_trait]
pub trait RpcService: Send + Sync {
    /// Runs one API call. `request` is a boxed TL function in the newest layer; the result is
    /// the TL-encoded return value in the newest layer.
    async fn invoke(&self, ctx: &RpcContext, request: &[u8]) -> Result<Vec<u8>, RpcError>;
}

/// The in-process API: every namespace's handlers over the shared dependencies.
pub struct Bff {
    deps: Arc<BffDeps>,
    router: Router,
    metrics: Option<Arc<echo_metrics::Metrics>>,
}

impl Bff {
    pub fn new(deps: BffDeps) -> Self {
        let mut router = Router::default();
        help::register(&mut router);
        auth::register(&mut router);
        users::register(&mut router);
        updates::register(&mut router);
        account::register(&mut router);
        messages::register(&mut router);
        langpack::register(&mut router);
        contacts::register(&mut router);
        chats::register(&mut router);
        channels::register(&mut router);
        upload::register(&mut router);
        photos::register(&mut router);
        Self {
            deps: Arc::new(deps),
            router,
            metrics: None,
        }
    }

    /// Counts every call by method and error, with its latency, in `metrics`.
    pub fn with_metrics(mut self, metrics: Arc<echo_metrics::Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Constructor ids of every implemented method (for diagnostics and tests).
    pub fn implemented(&self) -> Vec<u32> {
        self.router.ids()
    }
}

#[async_trait]
impl RpcService for Bff {
    async fn invoke(&self, ctx: &RpcContext, request: &[u8]) -> Result<Vec<u8>, RpcError> {
        let Some(metrics) = &self.metrics else {
            return self.router.dispatch(&self.deps, ctx, request).await;
        };
        let started = std::time::Instant::now();
        let result = self.router.dispatch(&self.deps, ctx, request).await;
        let method = request
            .get(..4)
            .map(|b| echo_tl::name_for_id(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
            .unwrap_or("(empty)");
        let error = result.as_ref().err().map(|e| e.message.as_str());
        metrics.record_rpc(method, error, started.elapsed().as_secs_f64());
        result
    }
}
