//! Echo's admin HTTP API, served on the `--http` address (port 8801 by default): JSON in and out,
//! errors as `{ "code", "message" }` ([`error`]), an OpenAPI 3 document at `/openapi.json`
//! generated from the handlers ([`openapi`]).
//!
//! Authentication: `Authorization: Bearer <token>` with the token from `ECHO_ADMIN_TOKEN` / YAML
//! `admin_token`. Without a configured token the `/v1/*` endpoints answer 403 ADMIN_DISABLED;
//! `/healthz`, `/readyz`, `/metrics` and `/openapi.json` are always public.
//!
//! Operations that change a user's login state also act on live connections: a ban logs out
//! every authorization (core.telegram.org/api/auth) and closes the user's sessions through the
//! session manager; the client then sees 401 and, when it tries to log in again,
//! PHONE_NUMBER_BANNED from auth.sendCode / auth.signIn.

mod auth;
pub mod code_sender;
pub mod error;
mod messages;
mod notifier;
pub mod openapi;
mod server;
mod sessions;
mod users;

use std::sync::Arc;

use async_trait::async_trait;
use axum::routing::{delete, get, post};
use axum::Router;
use echo_authsession::AuthSessionService;
use echo_metrics::Metrics;
use echo_session::SessionControl;
use echo_storage::Storage;
use tokio_util::sync::CancellationToken;

pub use code_sender::WebhookCodeSender;
pub use error::{ApiError, ErrorBody};
pub use notifier::{MsgServiceNotifier, SERVICE_USER_ID};

/// Sends service notifications (from the Telegram service account 777000) — implemented by the
/// messaging service when it is part of the server.
#[async_trait]
pub trait ServiceNotifier: Send + Sync {
    /// Sends `text` to `user_id`, or to every user when `None`. Returns how many users got it.
    async fn notify(&self, user_id: Option<i64>, text: &str) -> Result<u64, String>;
}

/// Unix seconds; passed in so tests control time.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// What the admin API works on; everything passed explicitly.
pub struct AdminDeps {
    pub storage: Storage,
    pub authsession: Arc<dyn AuthSessionService>,
    /// Live sessions (disconnects, online counts): this process's `SessionManager`, or every
    /// session instance of a split deployment; `None` when there are none.
    pub sessions: Option<Arc<dyn SessionControl>>,
    pub metrics: Arc<Metrics>,
    /// The admin token; `None` disables the `/v1/*` endpoints.
    pub token: Option<String>,
    pub notifier: Option<Arc<dyn ServiceNotifier>>,
    pub clock: Clock,
}

impl std::fmt::Debug for AdminDeps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token.
        f.debug_struct("AdminDeps")
            .field("token_set", &self.token.is_some())
            .finish_non_exhaustive()
    }
}

/// Shared state of the handlers.
pub struct AdminState {
    pub deps: AdminDeps,
    pub(crate) rate: server::RateTracker,
}

impl AdminState {
    pub fn new(deps: AdminDeps) -> Arc<Self> {
        Arc::new(Self {
            deps,
            rate: server::RateTracker::default(),
        })
    }

    pub(crate) fn now(&self) -> i64 {
        (self.deps.clock)()
    }
}

/// The wall clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    })
}

/// Every route: public probes and documents, and `/v1/*` behind the token check.
pub fn router(state: Arc<AdminState>) -> Router {
    let v1 = Router::new()
        .route("/v1/stats", get(server::stats))
        .route("/v1/users", get(users::list).post(users::create))
        .route(
            "/v1/users/{id}",
            get(users::get_by_id).delete(users::delete_account),
        )
        .route("/v1/users/by-phone/{phone}", get(users::get_by_phone))
        .route(
            "/v1/users/by-username/{username}",
            get(users::get_by_username),
        )
        .route("/v1/users/{id}/ban", post(users::ban))
        .route("/v1/users/{id}/unban", post(users::unban))
        .route(
            "/v1/users/{id}/authorizations",
            get(sessions::list).delete(sessions::terminate_all),
        )
        .route(
            "/v1/users/{id}/authorizations/{hash}",
            delete(sessions::terminate_one),
        )
        .route("/v1/login-codes/{phone}", get(sessions::pending_code))
        .route("/v1/messages/service", post(messages::send_service))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ));
    Router::new()
        .route("/healthz", get(server::healthz))
        .route("/readyz", get(server::readyz))
        .route("/metrics", get(server::metrics))
        .route("/openapi.json", get(openapi::document))
        .merge(v1)
        .fallback(server::not_found)
        .method_not_allowed_fallback(server::method_not_allowed)
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` is cancelled.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
}
