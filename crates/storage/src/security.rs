//! Account security: the cloud password and its SRP challenges (core.telegram.org/api/srp),
//! logins waiting for the password, QR login tokens (core.telegram.org/api/qr-login), flood
//! counters (core.telegram.org/api/errors: FLOOD_WAIT_X) and the authorization TTL
//! (core.telegram.org/method/account.setAuthorizationTTL).
//!
//! Tables (migrations 0006_security and, for the last two, 0007_flood):
//! - `account_passwords`: per user the SRP verifier `v = g^x mod p`, `salt1`, `salt2`, the hint
//!   and an optional recovery email. Neither the password nor `x` is ever stored.
//! - `srp_challenges`: `srp_id` → the server's secret `b` of one account.getPassword answer.
//!   Single use ([`PasswordStore::take_srp_challenge`]); all of a user's are dropped when the
//!   password changes, so an old `srp_id` answers SRP_ID_INVALID.
//! - `pending_logins`: a permanent key that passed the login code of an account with a
//!   password; auth.checkPassword completes it.
//! - `login_tokens`: QR login tokens (hex), the key that exported them, expiry, and the user
//!   who accepted them.
//! - `flood_counters`: hits per `(scope, subject)` in fixed windows.
//! - `authorization_ttls`: per user, days of inactivity that end an authorization.

use async_trait::async_trait;

use crate::error::StorageResult;

/// A user's cloud password as the server keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordRecord {
    pub user_id: i64,
    /// The client's salt1 (the server's prefix plus the 32 bytes the client appended).
    pub salt1: Vec<u8>,
    pub salt2: Vec<u8>,
    /// `v = g^x mod p`, big-endian, 256 bytes.
    pub verifier: Vec<u8>,
    pub hint: String,
    /// Recovery email as given (not verified: Echo sends no email).
    pub email: Option<String>,
    pub updated_at: i64,
}

/// One outstanding `srp_B` of account.getPassword.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrpChallenge {
    pub srp_id: i64,
    pub user_id: i64,
    /// The server's secret exponent `b`, 256 bytes big-endian.
    pub secret_b: Vec<u8>,
    pub expires_at: i64,
}

/// A key that owes auth.checkPassword before it is logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingLogin {
    pub auth_key_id: i64,
    pub user_id: i64,
    pub expires_at: i64,
}

/// A QR login token (auth.exportLoginToken).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginTokenRecord {
    pub token: Vec<u8>,
    /// The permanent key that exported it (the device waiting to be logged in).
    pub auth_key_id: i64,
    pub created_at: i64,
    pub expires_at: i64,
    /// The user whose logged-in device accepted it (auth.acceptLoginToken).
    pub accepted_by: Option<i64>,
}

#[async_trait]
pub trait PasswordStore: Send + Sync {
    async fn get_password(&self, user_id: i64) -> StorageResult<Option<PasswordRecord>>;
    /// Sets or replaces the password; drops every SRP challenge of the user.
    async fn set_password(&self, password: PasswordRecord) -> StorageResult<()>;
    /// Removes the password and the user's SRP challenges; true if there was one.
    async fn delete_password(&self, user_id: i64) -> StorageResult<bool>;
    /// Stores a challenge; drops the user's challenges that expired before `now`.
    async fn put_srp_challenge(&self, challenge: SrpChallenge, now: i64) -> StorageResult<()>;
    /// Removes and returns the challenge (each `srp_id` can be answered once).
    async fn take_srp_challenge(&self, srp_id: i64) -> StorageResult<Option<SrpChallenge>>;
    /// Records (or replaces) the pending login of a key.
    async fn put_pending_login(&self, pending: PendingLogin) -> StorageResult<()>;
    async fn get_pending_login(&self, auth_key_id: i64) -> StorageResult<Option<PendingLogin>>;
    /// True if there was one.
    async fn delete_pending_login(&self, auth_key_id: i64) -> StorageResult<bool>;
}

#[async_trait]
pub trait LoginTokenStore: Send + Sync {
    /// Stores a new token; drops the tokens of the same key that expired before its
    /// `created_at`. `Conflict` if the token exists.
    async fn put_login_token(&self, token: LoginTokenRecord) -> StorageResult<()>;
    async fn get_login_token(&self, token: &[u8]) -> StorageResult<Option<LoginTokenRecord>>;
    /// Marks the token accepted by `user_id` if it is not accepted yet and has not expired
    /// at `now`; true if this call accepted it.
    async fn accept_login_token(&self, token: &[u8], user_id: i64, now: i64)
        -> StorageResult<bool>;
    /// The newest token of this key that was accepted (expired or not).
    async fn accepted_login_token(
        &self,
        auth_key_id: i64,
    ) -> StorageResult<Option<LoginTokenRecord>>;
    /// Forgets every token of the key (once it is logged in). Returns how many.
    async fn delete_login_tokens(&self, auth_key_id: i64) -> StorageResult<u64>;
}

#[async_trait]
pub trait FloodStore: Send + Sync {
    /// Adds `n` hits to `(scope, subject)` in the window starting at `window_start` and
    /// returns the window's total; older windows of the same subject are dropped.
    async fn add_hits(
        &self,
        scope: &str,
        subject: &str,
        window_start: i64,
        n: i64,
    ) -> StorageResult<i64>;
    /// Hits of `(scope, subject)` in the window starting at `window_start` (0 if none).
    async fn hits(&self, scope: &str, subject: &str, window_start: i64) -> StorageResult<i64>;
}

#[async_trait]
pub trait AuthorizationTtlStore: Send + Sync {
    /// `None` until account.setAuthorizationTTL was called.
    async fn get_authorization_ttl(&self, user_id: i64) -> StorageResult<Option<i32>>;
    async fn set_authorization_ttl(&self, user_id: i64, days: i32) -> StorageResult<()>;
}
