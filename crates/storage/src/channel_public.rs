//! Public channels and channel invite links (core.telegram.org/api/channel "public
//! channels", /api/invites, /constructor/chatInviteExported, /api/invites#join-requests).
//!
//! These are methods of [`crate::ChannelStore`] (appended at its end); this module holds
//! their records.
//!
//! # Tables (sql/*/0012_channel_public.sql)
//!
//! - `channels.username_lower`: the username compared case-insensitively (UNIQUE); users and
//!   channels share one namespace, which the BFF checks across both tables.
//! - `channel_invites(hash, channel_id, admin_id, date, revoked, permanent, expire_date,
//!   usage_limit, usage_count, request_needed, title)`: one exported link; 0 in
//!   `expire_date` / `usage_limit` means none.
//! - `channel_join_requests(channel_id, user_id, invite_hash, date)`: pending requests of
//!   links with `request_needed`.
//! - `channel_invite_importers(hash, user_id, channel_id, date, approved_by)`
//!   (sql/*/0016_invite_importers.sql): who joined through which link, for
//!   messages.getChatInviteImporters; `approved_by` is 0 when no approval was needed.

/// One invite link of a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelInviteRecord {
    pub hash: String,
    pub channel_id: i64,
    pub admin_id: i64,
    pub date: i64,
    pub revoked: bool,
    /// The admin's primary link (revoking it makes a new one).
    pub permanent: bool,
    /// Unix time after which the link no longer works; 0 for never.
    pub expire_date: i64,
    /// How many users may join through it; 0 for no limit.
    pub usage_limit: i32,
    /// How many joined through it.
    pub usage: i32,
    /// Joining asks the admins first (a join request).
    pub request_needed: bool,
    pub title: Option<String>,
}

/// What [`crate::ChannelStore::use_invite`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteUse {
    /// The user became a member and the link's usage went up.
    Joined,
    /// The user already is a member, or is banned.
    NotJoined,
    /// The usage limit was reached already.
    LimitReached,
}

/// One pending join request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinRequestRecord {
    pub channel_id: i64,
    pub user_id: i64,
    pub invite_hash: String,
    pub date: i64,
}

/// Input of [`crate::ChannelStore::edit_invite`]: the link's new settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteEdit {
    /// 0 for never.
    pub expire_date: i64,
    /// 0 for no limit.
    pub usage_limit: i32,
    pub request_needed: bool,
    pub title: Option<String>,
}

/// One user who joined a channel through a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteImporterRecord {
    pub channel_id: i64,
    pub hash: String,
    pub user_id: i64,
    pub date: i64,
    /// The admin who approved the join request; 0 when the link needed no approval.
    pub approved_by: i64,
}
