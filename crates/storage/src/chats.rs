//! Basic groups and their members (core.telegram.org/constructor/chat,
//! /constructor/chatParticipants, /method/messages.createChat).
//!
//! Messages of a basic group live in every member's own box (`crate::updates_log`), like
//! private chats; this store only knows who is in which group.
//!
//! # Tables (sql/*/0005_chats.sql)
//!
//! - `chats(id, creator_id, title, about, date, version, deactivated)`: `version` grows with
//!   every change of the member list or title, as the `version` field of `chat` does;
//!   `deactivated` marks a group deleted by messages.deleteChat; `default_banned_rights` is
//!   the serialized `ChatBannedRights` (opaque here, NULL for none);
//!   `migrated_to_channel_id` / `migrated_to_access_hash` (0015_chat_migration.sql) name the
//!   supergroup the group became (messages.migrateChat), NULL while it is a basic group.
//! - `chat_participants(chat_id, user_id, inviter_id, date, is_admin)`: current members only;
//!   a member who leaves or is kicked loses the row.
//! - `chat_invites(hash, chat_id, admin_id, date, revoked)`: invite links
//!   (core.telegram.org/api/invites); `hash` is the random part of the link.

use async_trait::async_trait;

use crate::error::StorageResult;

/// Longest group title Telegram accepts.
pub const CHAT_TITLE_MAX: usize = 128;

/// One basic group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatRecord {
    pub id: i64,
    pub creator_id: i64,
    pub title: String,
    pub about: String,
    pub date: i64,
    pub version: i32,
    /// Current member count.
    pub participants_count: i32,
    /// Deleted (messages.deleteChat): no members, nobody may join.
    pub deactivated: bool,
    /// Serialized `ChatBannedRights` every non-admin member has; empty for none.
    pub default_banned_rights: Vec<u8>,
    /// The supergroup this group was migrated to (core.telegram.org/constructor/chat
    /// `migrated_to`); the group then takes no messages or changes.
    pub migrated_to: Option<MigratedTo>,
}

/// The channel a basic group became.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MigratedTo {
    pub channel_id: i64,
    pub access_hash: i64,
}

/// One member of a basic group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMember {
    pub user_id: i64,
    pub inviter_id: i64,
    pub date: i64,
    pub is_admin: bool,
}

/// One invite link of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatInviteRecord {
    pub hash: String,
    pub chat_id: i64,
    pub admin_id: i64,
    pub date: i64,
    pub revoked: bool,
}

/// Basic groups and their member lists.
#[async_trait]
pub trait ChatStore: Send + Sync {
    /// Creates a group with `creator` (an admin) and `members` (duplicates and the creator
    /// are ignored), all invited by the creator at `date`.
    async fn create(
        &self,
        creator: i64,
        title: &str,
        members: &[i64],
        date: i64,
    ) -> StorageResult<ChatRecord>;
    async fn get(&self, chat_id: i64) -> StorageResult<Option<ChatRecord>>;
    /// The groups of `ids` that exist, in id order.
    async fn get_many(&self, ids: &[i64]) -> StorageResult<Vec<ChatRecord>>;
    /// Current members, creator first then by join date.
    async fn members(&self, chat_id: i64) -> StorageResult<Vec<ChatMember>>;
    async fn is_member(&self, chat_id: i64, user_id: i64) -> StorageResult<bool>;
    /// Adds a member; false (and no change) when already a member. Bumps the version.
    async fn add_member(
        &self,
        chat_id: i64,
        user_id: i64,
        inviter_id: i64,
        date: i64,
    ) -> StorageResult<bool>;
    /// Removes a member; false when not a member. Bumps the version.
    async fn remove_member(&self, chat_id: i64, user_id: i64) -> StorageResult<bool>;
    /// Renames the group and bumps the version; `None` if there is no such group.
    async fn set_title(&self, chat_id: i64, title: &str) -> StorageResult<Option<ChatRecord>>;
    /// Sets the description; false if there is no such group.
    async fn set_about(&self, chat_id: i64, about: &str) -> StorageResult<bool>;
    /// Makes a member an admin or not and bumps the version; false when not a member.
    async fn set_admin(&self, chat_id: i64, user_id: i64, is_admin: bool) -> StorageResult<bool>;
    /// Stores a new invite link; with `revoke_others`, earlier links of the same admin to
    /// the group stop working.
    async fn create_invite(
        &self,
        invite: ChatInviteRecord,
        revoke_others: bool,
    ) -> StorageResult<()>;
    /// Sets the serialized default banned rights and bumps the version; `None` if there is
    /// no such group.
    async fn set_default_banned_rights(
        &self,
        chat_id: i64,
        rights: &[u8],
    ) -> StorageResult<Option<ChatRecord>>;
    /// Deletes the group: every member is removed and it is marked deactivated. Returns the
    /// members it had; `None` if there is no such group.
    async fn deactivate(&self, chat_id: i64) -> StorageResult<Option<Vec<i64>>>;
    /// The invite with this hash, revoked or not.
    async fn invite(&self, hash: &str) -> StorageResult<Option<ChatInviteRecord>>;
}
