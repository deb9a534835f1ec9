//! Admin rights, bans, toggles and pins of channels (core.telegram.org/api/rights,
//! /method/channels.editAdmin, /method/channels.editBanned, /api/pin,
//! /method/channels.toggleSlowMode): the inputs of the moderation methods of
//! [`crate::ChannelStore`].
//!
//! How a participant row encodes moderation (the columns are those of `0009_channels.sql`):
//! - an admin has role Admin, `admin_rights`, `promoted_by` and an optional `rank_title`;
//! - a restricted member (banned rights without view_messages) stays role Member with
//!   `banned_rights`, `banned_until` and `kicked_by` set: they still read and get updates;
//! - a kicked user (view_messages banned) has role Banned: not a member, cannot rejoin;
//!   lifting the ban leaves them role Left (they may join again).
//!
//! Views of broadcast posts count once per viewer: `channel_message_views(channel_id,
//! message_id, user_id)` (sql/*/0013_channel_views.sql) remembers who viewed what, and
//! `channel_messages.views` is the count.
//!
//! Pin changes are logged as `ChannelUpdateKind::Other` entries whose `message_ids` are the
//! messages and whose `body` is [`PIN_BODY`] or [`UNPIN_BODY`].

/// `body` of a logged pin change that pinned its messages.
pub const PIN_BODY: &[u8] = b"pin";
/// `body` of a logged pin change that unpinned its messages.
pub const UNPIN_BODY: &[u8] = b"unpin";

/// Input of [`crate::ChannelStore::set_admin`]: the rights a promoted admin gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminGrant {
    /// Serialized `ChatAdminRights`.
    pub rights: Vec<u8>,
    pub promoted_by: i64,
    pub rank: Option<String>,
}

/// Input of [`crate::ChannelStore::set_banned`]: a restriction or a kick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanGrant {
    /// Serialized `ChatBannedRights`.
    pub rights: Vec<u8>,
    /// Unix time the ban ends; 0 for forever.
    pub until: i64,
    pub banned_by: i64,
    /// The rights ban view_messages: the user is removed and cannot come back.
    pub kicked: bool,
    /// Date of the participant row when the banned user had none.
    pub date: i64,
}

/// Channel-wide switches (core.telegram.org/method/channels.toggleSignatures,
/// /method/channels.togglePreHistoryHidden, /method/channels.toggleSlowMode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelToggle {
    Signatures(bool),
    PreHistoryHidden(bool),
    SlowModeSeconds(i32),
}

/// What [`crate::ChannelStore::set_pinned`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PinChange {
    /// Messages whose pinned flag changed.
    pub ids: Vec<i32>,
    /// The channel pts afterwards (unchanged when nothing changed).
    pub pts: i32,
    pub pts_count: i32,
}
