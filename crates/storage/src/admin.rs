//! Operator queries behind the admin HTTP API: listing and searching accounts, bans, account
//! deletion, and reading a phone's pending login code (core.telegram.org/api/auth describes the
//! codes; bans surface to clients as PHONE_NUMBER_BANNED from auth.sendCode / auth.signIn).
//!
//! Tables: `users.banned`, `users.banned_at` (migration 0004_admin) beside the rows of
//! `users` and `phone_codes` from 0001_init.

use async_trait::async_trait;

use crate::error::StorageResult;
use crate::types::{PhoneCodeRecord, UserRecord};

/// Most users one page may hold.
pub const MAX_USER_PAGE: i64 = 500;

/// One page of the user list, ascending by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserListQuery {
    /// Case-insensitive substring of phone, first name, last name or username.
    pub search: Option<String>,
    /// Only users with an id greater than this (keyset paging: pass the last id of a page).
    pub after_id: i64,
    /// Clamped to 1..=[`MAX_USER_PAGE`].
    pub limit: i64,
}

/// An account as operators see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminUser {
    pub user: UserRecord,
    pub banned: bool,
    /// Unix seconds of the ban, 0 when not banned.
    pub banned_at: i64,
}

#[async_trait]
pub trait AdminStore: Send + Sync {
    /// A page of accounts (deleted ones included; the record says so).
    async fn list_users(&self, query: &UserListQuery) -> StorageResult<Vec<AdminUser>>;
    /// Accounts matching `search` (all when `None`), deleted ones excluded.
    async fn count_users(&self, search: Option<&str>) -> StorageResult<i64>;
    async fn get_admin_user(&self, id: i64) -> StorageResult<Option<AdminUser>>;
    /// Bans or unbans; `NotFound` for an unknown user.
    async fn set_banned(&self, id: i64, banned: bool, now: i64) -> StorageResult<AdminUser>;
    /// True if the account holding `phone` is banned (false for an unknown phone).
    async fn is_phone_banned(&self, phone: &str) -> StorageResult<bool>;
    /// Marks the account deleted, frees its phone and username (Telegram lets a deleted
    /// account's number sign up anew). `NotFound` for an unknown or already deleted user.
    async fn delete_account(&self, id: i64) -> StorageResult<()>;
    /// The newest code sent to `phone` that is still usable at `now`.
    async fn pending_code(&self, phone: &str, now: i64) -> StorageResult<Option<PhoneCodeRecord>>;
}
