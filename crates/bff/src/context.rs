//! What every handler receives: the caller ([`RpcContext`]), the services it may use
//! ([`BffDeps`]), and how it fails ([`RpcError`], core.telegram.org/api/errors).

use std::net::IpAddr;
use std::sync::Arc;

use echo_authsession::AuthSessionService;
use echo_storage::Storage;

/// Static server settings the API exposes (help.getConfig) or obeys.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The DC id clients are told they are on (`Config.this_dc`).
    pub dc_id: i32,
    /// The address clients should connect to (IPv4 or IPv6 literal).
    pub public_host: String,
    pub public_port: u16,
    /// Every login code is 12345 (development and tests).
    pub dev_codes: bool,
    /// Login codes sent to one phone per hour before FLOOD_WAIT.
    pub send_code_per_hour: i64,
    /// Messages one user may send per minute before FLOOD_WAIT_X (sendMessage, forwards).
    pub send_message_per_minute: u32,
    /// Flood limits and lifetimes of the login and password flows.
    pub security: SecurityLimits,
}

/// Limits of the login and password flows (core.telegram.org/api/auth, /api/srp,
/// /mtproto/security_guidelines). Counters live in storage, so they survive restarts; each
/// counts in fixed one-hour windows and answers FLOOD_WAIT_X until the window ends.
/// A limit of 0 turns that check off.
#[derive(Clone, Debug)]
pub struct SecurityLimits {
    /// auth.sendCode calls per client IP per hour.
    pub send_code_per_ip_per_hour: i64,
    /// Wrong login codes per phone per hour (PHONE_CODE_INVALID until then).
    pub sign_in_failures_per_hour: i64,
    /// Wrong cloud passwords per account per hour (PASSWORD_HASH_INVALID until then).
    pub password_failures_per_hour: i64,
    /// Loopback clients skip the per-IP limit (local tools, a proxy on the same host).
    pub ip_limit_exempts_loopback: bool,
    /// Lifetime of a QR login token (auth.exportLoginToken).
    pub login_token_ttl_secs: i64,
}

impl Default for SecurityLimits {
    fn default() -> Self {
        Self {
            send_code_per_ip_per_hour: 50,
            sign_in_failures_per_hour: 5,
            password_failures_per_hour: 5,
            ip_limit_exempts_loopback: true,
            login_token_ttl_secs: 30,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            dc_id: 2,
            public_host: "127.0.0.1".into(),
            public_port: 10443,
            dev_codes: false,
            send_code_per_hour: 10,
            send_message_per_minute: 300,
            security: SecurityLimits::default(),
        }
    }
}

/// Services the handlers use; passed explicitly (no globals), so two servers can run in one process.
pub struct BffDeps {
    pub storage: Storage,
    pub authsession: Arc<dyn AuthSessionService>,
    pub config: ServerConfig,
    /// Where auth.sendCode delivers login codes (`crate::LogCodeSender` by default).
    pub code_sender: Arc<dyn crate::code_sender::CodeSender>,
    /// The messaging write path, live delivery and send flood control (`crate::messaging`).
    pub messaging: crate::messaging::Messaging,
    /// Uploads, photos, documents and file reads (`echo_media`).
    pub media: Arc<dyn echo_media::MediaService>,
}

/// Who is calling and over what.
#[derive(Clone, Debug)]
pub struct RpcContext {
    /// The key the call was encrypted with (a temp key when PFS is used).
    pub auth_key_id: i64,
    /// The permanent key the authorization lives on (None: unbound temp key).
    pub perm_auth_key_id: Option<i64>,
    pub session_id: i64,
    /// msg_id of the message that carried the call.
    pub msg_id: i64,
    /// The layer the client declared (its objects are re-encoded for it by the session layer).
    pub layer: i32,
    /// The logged-in user, if any.
    pub user_id: Option<i64>,
    pub client_ip: Option<IpAddr>,
    /// The DC the client believes it is connected to, when its transport said so (the
    /// obfuscated2 header carries it). Every DC id points at this server.
    pub client_dc: Option<i32>,
    /// Unix time when the call arrived.
    pub now: i64,
}

impl RpcContext {
    /// The logged-in user; handlers registered with `Router::method` are only called with one.
    pub fn user(&self) -> Result<i64, RpcError> {
        self.user_id.ok_or_else(RpcError::unauthorized)
    }

    /// `Config.this_dc` for this client: the DC it connected to if known (TDLib re-requests the
    /// config in a loop when this differs from what it believes), else the configured DC.
    pub fn this_dc(&self, config: &ServerConfig) -> i32 {
        self.client_dc
            .filter(|dc| (1..=5).contains(dc))
            .unwrap_or(config.dc_id)
    }

    pub fn perm_key(&self) -> Result<i64, RpcError> {
        self.perm_auth_key_id
            .ok_or_else(|| RpcError::new(401, "AUTH_KEY_PERM_EMPTY"))
    }
}

/// An `rpc_error` answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code} {message}")]
pub struct RpcError {
    pub code: i32,
    pub message: String,
}

impl RpcError {
    pub fn new(code: i32, message: &str) -> Self {
        Self {
            code,
            message: message.to_string(),
        }
    }

    pub fn bad_request(message: &str) -> Self {
        Self::new(400, message)
    }

    /// "Not logged in": what clients expect before sign-in.
    pub fn unauthorized() -> Self {
        Self::new(401, "AUTH_KEY_UNREGISTERED")
    }

    pub fn flood_wait(seconds: i64) -> Self {
        Self {
            code: 420,
            message: format!("FLOOD_WAIT_{seconds}"),
        }
    }

    pub fn internal() -> Self {
        Self::new(500, "INTERNAL")
    }
}

impl From<echo_storage::StorageError> for RpcError {
    fn from(e: echo_storage::StorageError) -> Self {
        tracing::error!(error = %e, "storage error");
        RpcError::internal()
    }
}

impl From<echo_authsession::AuthSessionError> for RpcError {
    fn from(e: echo_authsession::AuthSessionError) -> Self {
        tracing::error!(error = %e, "authsession error");
        RpcError::internal()
    }
}
