//! The authsession service (core.telegram.org/mtproto/auth_key, /api/pfs, /api/auth): which auth
//! keys exist, which temp key is bound to which permanent key, and which user (if any) is logged
//! in on a permanent key together with the client info from `initConnection`.
//!
//! [`AuthSessionService`] is the interface every caller uses; [`LocalAuthSession`] implements it
//! in-process over `echo-storage` with a read-through cache. A gRPC client implementing the same
//! trait lets the role run as its own process without touching callers.

mod local;

use async_trait::async_trait;
pub use echo_storage::{AuthKeyKind, AuthKeyRecord, AuthorizationRecord, ClientInfo};
pub use local::{key_usable, LocalAuthSession};

/// Errors of the authsession service.
#[derive(Debug, thiserror::Error)]
pub enum AuthSessionError {
    #[error("storage: {0}")]
    Storage(#[from] echo_storage::StorageError),
    #[error("auth key {0} is not known")]
    UnknownKey(i64),
}

pub type Result<T> = std::result::Result<T, AuthSessionError>;

/// What the gateway and session layers need to know about an auth key.
#[derive(Clone, Debug)]
pub struct AuthKeyInfo {
    pub auth_key_id: i64,
    pub auth_key: [u8; 256],
    pub kind: AuthKeyKind,
    pub expires_at: Option<i64>,
    /// For a bound temp key, the permanent key it acts for; for a permanent key, itself.
    pub perm_auth_key_id: Option<i64>,
}

impl AuthKeyInfo {
    /// The key whose authorization (logged-in user) applies to messages encrypted with this key.
    pub fn effective_perm_id(&self) -> Option<i64> {
        match self.kind {
            AuthKeyKind::Perm => Some(self.auth_key_id),
            _ => self.perm_auth_key_id,
        }
    }
}

#[async_trait]
pub trait AuthSessionService: Send + Sync {
    /// Stores a key created by a handshake.
    async fn save_auth_key(&self, key: AuthKeyInfo, now: i64) -> Result<()>;
    /// Looks a key up by id (None: the client must make a new one; transport error -404).
    async fn get_auth_key(&self, auth_key_id: i64) -> Result<Option<AuthKeyInfo>>;
    /// Binds a temp key to a permanent key until `expires_at` (auth.bindTempAuthKey).
    async fn bind_temp_auth_key(&self, temp_id: i64, perm_id: i64, expires_at: i64) -> Result<()>;
    /// Records the client's layer and initConnection parameters on a permanent key.
    async fn set_client_info(&self, info: ClientInfo) -> Result<()>;
    /// The authorization on a permanent key: logged-in user and client info.
    async fn get_authorization(&self, perm_auth_key_id: i64)
        -> Result<Option<AuthorizationRecord>>;
    /// The user logged in on a permanent key, if any.
    async fn user_of(&self, perm_auth_key_id: i64) -> Result<Option<i64>>;
    /// Logs `user_id` in on a permanent key (after auth.signIn / signUp).
    async fn bind_user(&self, perm_auth_key_id: i64, user_id: i64, now: i64) -> Result<()>;
    /// Logs the key out (auth.logOut); the key itself stays valid.
    async fn log_out(&self, perm_auth_key_id: i64) -> Result<()>;
}
