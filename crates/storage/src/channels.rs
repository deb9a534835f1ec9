//! Supergroups and broadcast channels (core.telegram.org/api/channel, /api/updates "channel
//! pts", /method/updates.getChannelDifference, /api/rights).
//!
//! Unlike private chats and basic groups, a channel keeps ONE copy of every message, with
//! message ids and a pts sequence of its own: a post is one row in `channel_messages` plus
//! one row in `channel_updates`, written in one transaction that also advances the channel's
//! counters, whatever the number of members. Per-member state is only the participant row
//! (role, rights, read position).
//!
//! # Tables (sql/*/0009_channels.sql)
//!
//! - `channels(id, access_hash, creator_id, title, about, broadcast, megagroup, date,
//!   username UNIQUE NULL, photo_id, pts, max_message_id, last_update_date,
//!   participants_count, signatures, pre_history_hidden, slowmode_seconds,
//!   default_banned_rights, deleted, photo_dc_id, photo_stripped)`: `pts` and
//!   `max_message_id` are the channel's counters; `last_update_date` is the date of the
//!   newest `channel_updates` row (lets updates.getDifference tell which channels have
//!   news); `participants_count` counts creator, admins and members; `photo_id`,
//!   `photo_dc_id` and `photo_stripped` (0014_channel_photo.sql) are the current photo as
//!   [`ChannelPhoto`] (its history is the `peer_photos` of `Peer::Channel`);
//!   `migrated_from_chat_id` (0015_chat_migration.sql) is the basic group a supergroup was
//!   migrated from.
//! - `channel_participants(channel_id, user_id, inviter_id, date, role, admin_rights,
//!   promoted_by, banned_rights, banned_until, kicked_by, rank_title, read_inbox_max_id,
//!   read_outbox_max_id, available_min_id)`: `role` is [`ChannelRole`]; rights are serialized
//!   `ChatAdminRights` / `ChatBannedRights` (opaque here); `available_min_id` hides older
//!   history from a member who joined while the pre-history was hidden.
//! - `channel_messages(channel_id, message_id, from_id, date, message, entities, media,
//!   action, reply_to_msg_id, random_id, fwd, post, post_author, grouped_id, pinned, views,
//!   edit_date, pts, deleted)`: `action` holds a service message's serialized
//!   `MessageAction` (empty for ordinary messages); deleted messages keep their row, flagged.
//! - `channel_updates(channel_id, pts, pts_count, date, kind, message_ids, body)`: the
//!   channel's update log for getChannelDifference; `kind` is [`ChannelUpdateKind`],
//!   `message_ids` the affected ids (comma separated), `body` an opaque serialized update for
//!   kinds that need more.

use async_trait::async_trait;

use crate::channel_public::{ChannelInviteRecord, InviteEdit, InviteUse, JoinRequestRecord};
use crate::error::StorageResult;
use crate::types::HistoryQuery;

/// Longest channel title Telegram accepts.
pub const CHANNEL_TITLE_MAX: usize = 128;
/// Longest channel description Telegram accepts.
pub const CHANNEL_ABOUT_MAX: usize = 255;

/// One supergroup or broadcast channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelRecord {
    pub id: i64,
    pub access_hash: i64,
    pub creator_id: i64,
    pub title: String,
    pub about: String,
    pub broadcast: bool,
    pub megagroup: bool,
    pub date: i64,
    pub username: Option<String>,
    /// The current photo, if any.
    pub photo: Option<ChannelPhoto>,
    /// The channel's pts: advanced by every logged change.
    pub pts: i32,
    /// The newest message id handed out.
    pub max_message_id: i32,
    /// Date of the newest logged change.
    pub last_update_date: i64,
    pub participants_count: i32,
    pub signatures: bool,
    pub pre_history_hidden: bool,
    pub slowmode_seconds: i32,
    /// Serialized `ChatBannedRights` of every plain member; empty for none.
    pub default_banned_rights: Vec<u8>,
    pub deleted: bool,
    /// The basic group this supergroup was migrated from (messages.migrateChat).
    pub migrated_from_chat_id: Option<i64>,
}

/// A channel's current photo as every rendering of the channel shows it
/// (core.telegram.org/constructor/chatPhoto).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelPhoto {
    pub photo_id: i64,
    pub dc_id: i32,
    /// The stripped thumbnail (core.telegram.org/api/files#stripped-thumbnails); may be empty.
    pub stripped: Vec<u8>,
}

/// Input of [`ChannelStore::create`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChannel {
    pub creator_id: i64,
    pub access_hash: i64,
    pub title: String,
    pub about: String,
    pub broadcast: bool,
    pub megagroup: bool,
    pub date: i64,
    /// The creator's (full) serialized `ChatAdminRights`.
    pub creator_rights: Vec<u8>,
}

/// Input of [`ChannelStore::migrate_chat`]: a basic group becoming a supergroup
/// (core.telegram.org/method/messages.migrateChat).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMigration {
    pub chat_id: i64,
    pub access_hash: i64,
    pub date: i64,
    /// Serialized `ChatAdminRights` of the creator (full) and of the group's admins.
    pub creator_rights: Vec<u8>,
    pub admin_rights: Vec<u8>,
    /// The group's current photo, carried over.
    pub photo: Option<ChannelPhoto>,
    /// The supergroup's first message (messageActionChannelMigrateFrom).
    pub first_message: NewChannelMessage,
}

/// What [`ChannelStore::migrate_chat`] made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMigrated {
    pub channel: ChannelRecord,
    pub first_message: ChannelMessage,
}

/// What a user is in a channel (core.telegram.org/type/ChannelParticipant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelRole {
    Creator,
    Admin,
    Member,
    /// Restricted or kicked by an admin (`banned_rights`; kicked when it bans view_messages).
    Banned,
    /// Left on their own.
    Left,
}

impl ChannelRole {
    pub fn code(self) -> i64 {
        match self {
            ChannelRole::Creator => 1,
            ChannelRole::Admin => 2,
            ChannelRole::Member => 3,
            ChannelRole::Banned => 4,
            ChannelRole::Left => 5,
        }
    }

    pub fn from_code(code: i64) -> Option<ChannelRole> {
        Some(match code {
            1 => ChannelRole::Creator,
            2 => ChannelRole::Admin,
            3 => ChannelRole::Member,
            4 => ChannelRole::Banned,
            5 => ChannelRole::Left,
            _ => return None,
        })
    }

    /// Creator, admin or plain member: counted in participants_count, gets updates.
    pub fn is_member(self) -> bool {
        matches!(
            self,
            ChannelRole::Creator | ChannelRole::Admin | ChannelRole::Member
        )
    }

    pub fn is_admin(self) -> bool {
        matches!(self, ChannelRole::Creator | ChannelRole::Admin)
    }
}

/// One row of `channel_participants`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelParticipantRecord {
    pub channel_id: i64,
    pub user_id: i64,
    pub inviter_id: i64,
    pub date: i64,
    pub role: ChannelRole,
    /// Serialized `ChatAdminRights` (creator and admins); empty otherwise.
    pub admin_rights: Vec<u8>,
    pub promoted_by: i64,
    /// Serialized `ChatBannedRights` (banned role); empty otherwise.
    pub banned_rights: Vec<u8>,
    pub banned_until: i64,
    pub kicked_by: i64,
    pub rank: Option<String>,
    pub read_inbox_max_id: i32,
    pub read_outbox_max_id: i32,
    /// Messages up to this id are hidden from this member (pre-history hidden at join).
    pub available_min_id: i32,
}

/// Which participants [`ChannelStore::participants`] lists
/// (core.telegram.org/type/ChannelParticipantsFilter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParticipantFilter {
    /// Creator, admins and members, newest first.
    Recent,
    /// Creator and admins.
    Admins,
    /// Banned with view_messages (kicked); `q` filters by name.
    Kicked(String),
    /// Banned (restricted or kicked); `q` filters by name.
    Banned(String),
    /// Members whose first name, last name or username contains `q`.
    Search(String),
}

/// Input of [`ChannelStore::post`]: one message from `from_id`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewChannelMessage {
    pub from_id: i64,
    pub date: i64,
    pub message: String,
    /// Serialized `Vector<MessageEntity>`; empty for none.
    pub entities: Vec<u8>,
    /// Serialized `MessageMedia`; empty for none.
    pub media: Vec<u8>,
    /// Serialized `MessageAction` of a service message; empty for an ordinary message.
    pub action: Vec<u8>,
    pub reply_to_msg_id: Option<i32>,
    /// De-duplicates retries of one sender.
    pub random_id: Option<i64>,
    /// Serialized `MessageFwdHeader`; empty for none.
    pub fwd: Vec<u8>,
    /// A broadcast post (shown as from the channel).
    pub post: bool,
    pub post_author: Option<String>,
    /// The album this message belongs to (messages.sendMultiMedia).
    pub grouped_id: Option<i64>,
}

/// One message of a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelMessage {
    pub channel_id: i64,
    pub id: i32,
    pub from_id: i64,
    pub date: i64,
    pub message: String,
    pub entities: Vec<u8>,
    pub media: Vec<u8>,
    pub action: Vec<u8>,
    pub reply_to_msg_id: Option<i32>,
    pub random_id: Option<i64>,
    pub fwd: Vec<u8>,
    pub post: bool,
    pub post_author: Option<String>,
    pub grouped_id: Option<i64>,
    pub pinned: bool,
    pub views: i32,
    pub edit_date: Option<i64>,
    /// The channel pts right after this message was posted or last edited.
    pub pts: i32,
    pub deleted: bool,
}

/// What [`ChannelStore::post`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub message: ChannelMessage,
    /// False when a message with the same sender and random_id existed (nothing written).
    pub created: bool,
}

/// The kind of one logged channel change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelUpdateKind {
    NewMessage,
    EditMessage,
    DeleteMessages,
    /// Anything else; the update is in `body`.
    Other,
}

impl ChannelUpdateKind {
    pub fn code(self) -> i64 {
        match self {
            ChannelUpdateKind::NewMessage => 1,
            ChannelUpdateKind::EditMessage => 2,
            ChannelUpdateKind::DeleteMessages => 3,
            ChannelUpdateKind::Other => 4,
        }
    }

    pub fn from_code(code: i64) -> ChannelUpdateKind {
        match code {
            1 => ChannelUpdateKind::NewMessage,
            2 => ChannelUpdateKind::EditMessage,
            3 => ChannelUpdateKind::DeleteMessages,
            _ => ChannelUpdateKind::Other,
        }
    }
}

/// One entry of a channel's update log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelUpdate {
    pub pts: i32,
    pub pts_count: i32,
    pub date: i64,
    pub kind: ChannelUpdateKind,
    pub message_ids: Vec<i32>,
    pub body: Vec<u8>,
}

/// Input of [`ChannelStore::edit_message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelEdit {
    pub message: String,
    pub entities: Vec<u8>,
    pub media: Vec<u8>,
    pub edit_date: i64,
}

/// What [`ChannelStore::delete_messages`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChannelDeleted {
    pub deleted_ids: Vec<i32>,
    /// The channel pts afterwards (unchanged when nothing was deleted).
    pub pts: i32,
    pub pts_count: i32,
}

/// What [`ChannelStore::read_inbox`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelRead {
    /// The read position afterwards (never moves back).
    pub max_id: i32,
    /// Messages from others still unread after it.
    pub still_unread: i32,
    /// False when the position did not move.
    pub changed: bool,
}

/// Channels, their participants, their single message copies and their update logs.
#[async_trait]
pub trait ChannelStore: Send + Sync {
    /// Creates a channel with `creator` as its only participant (role creator).
    async fn create(&self, channel: NewChannel) -> StorageResult<ChannelRecord>;
    /// Turns a basic group into a megagroup in one transaction: the channel (the group's
    /// title, about, creator, default banned rights and `migration.photo`), every member as
    /// participant (admins as admins), the group marked `migrated_to` it, and the channel's
    /// first message. `None` (and no change) when the group does not exist, was deleted or
    /// was migrated already. The group keeps its members and their copies of its history.
    async fn migrate_chat(&self, migration: ChatMigration) -> StorageResult<Option<ChatMigrated>>;
    async fn get(&self, channel_id: i64) -> StorageResult<Option<ChannelRecord>>;
    /// The channels of `ids` that exist, in id order.
    async fn get_many(&self, ids: &[i64]) -> StorageResult<Vec<ChannelRecord>>;
    async fn set_title(&self, channel_id: i64, title: &str) -> StorageResult<bool>;
    async fn set_about(&self, channel_id: i64, about: &str) -> StorageResult<bool>;
    /// Sets or (with `None`) clears the current photo; false when there is no such channel.
    async fn set_photo(&self, channel_id: i64, photo: Option<&ChannelPhoto>)
        -> StorageResult<bool>;

    /// The participant row of `user_id`, whatever its role.
    async fn participant(
        &self,
        channel_id: i64,
        user_id: i64,
    ) -> StorageResult<Option<ChannelParticipantRecord>>;
    /// Makes `user_id` a plain member (from nothing or from left); false when they already
    /// are a member or are banned. Read position starts at the newest message; with
    /// `hide_history` the older messages are hidden from them.
    async fn join(
        &self,
        channel_id: i64,
        user_id: i64,
        inviter_id: i64,
        date: i64,
        hide_history: bool,
    ) -> StorageResult<bool>;
    /// Marks a member as left; false when they were not a member. The creator keeps the
    /// creator role (and may come back) but stops counting as a participant.
    async fn leave(&self, channel_id: i64, user_id: i64) -> StorageResult<bool>;
    /// Page of participants matching `filter`, and how many match in all.
    async fn participants(
        &self,
        channel_id: i64,
        filter: &ParticipantFilter,
        offset: i64,
        limit: i64,
    ) -> StorageResult<(Vec<ChannelParticipantRecord>, i64)>;
    /// Ids of every creator, admin and member: the recipients of live updates.
    async fn member_ids(&self, channel_id: i64) -> StorageResult<Vec<i64>>;
    /// Channels where `user_id` is creator, admin or member, with their participant row.
    async fn channels_of(
        &self,
        user_id: i64,
    ) -> StorageResult<Vec<(ChannelRecord, ChannelParticipantRecord)>>;

    /// Stores one message: allocates the next id and pts in one transaction and logs an
    /// update of kind NewMessage. A repeated (from_id, random_id) returns the stored one.
    async fn post(&self, channel_id: i64, message: NewChannelMessage) -> StorageResult<Posted>;
    /// Replaces text, entities and media of a live message and logs an EditMessage;
    /// `None` when there is no such message.
    async fn edit_message(
        &self,
        channel_id: i64,
        id: i32,
        edit: ChannelEdit,
    ) -> StorageResult<Option<ChannelMessage>>;
    /// Marks live messages of `ids` deleted and logs one DeleteMessages with pts_count
    /// equal to how many there were.
    async fn delete_messages(
        &self,
        channel_id: i64,
        ids: &[i32],
        date: i64,
    ) -> StorageResult<ChannelDeleted>;
    /// Live messages of `ids`, in id order.
    async fn messages(&self, channel_id: i64, ids: &[i32]) -> StorageResult<Vec<ChannelMessage>>;
    /// A page of live messages newer than `min_visible_id` (core.telegram.org/api/offsets).
    async fn history(
        &self,
        channel_id: i64,
        min_visible_id: i32,
        query: HistoryQuery,
    ) -> StorageResult<Vec<ChannelMessage>>;
    /// Live messages newer than `min_visible_id`.
    async fn count_messages(&self, channel_id: i64, min_visible_id: i32) -> StorageResult<i64>;
    /// The newest live message newer than `min_visible_id`.
    async fn top_message(
        &self,
        channel_id: i64,
        min_visible_id: i32,
    ) -> StorageResult<Option<ChannelMessage>>;
    /// Log entries with pts greater than `after`, oldest first, at most `limit`.
    async fn updates_after(
        &self,
        channel_id: i64,
        after: i32,
        limit: i64,
    ) -> StorageResult<Vec<ChannelUpdate>>;

    /// Moves `user_id`'s read position up to `max_id` (capped at the newest message).
    async fn read_inbox(
        &self,
        channel_id: i64,
        user_id: i64,
        max_id: i32,
    ) -> StorageResult<ChannelRead>;
    /// Moves the read-outbox position of `user_id` (someone read their messages up to `max_id`).
    async fn read_outbox(&self, channel_id: i64, user_id: i64, max_id: i32) -> StorageResult<bool>;
    /// Live messages from others after `after_id` (and after `min_visible_id`).
    async fn unread_count(
        &self,
        channel_id: i64,
        user_id: i64,
        after_id: i32,
    ) -> StorageResult<i32>;

    // --- Public channels and invite links (crate::channel_public) ---
    /// Sets or (with `None`) clears the username; Conflict when another channel holds it in
    /// any letter case.
    async fn set_username(&self, channel_id: i64, username: Option<&str>) -> StorageResult<()>;
    /// The live (not deleted) channel holding `username`, in any letter case.
    async fn get_by_username(&self, username: &str) -> StorageResult<Option<ChannelRecord>>;
    /// Stores a new invite link; with `revoke_permanent` the admin's earlier permanent links
    /// are revoked first.
    async fn create_invite(
        &self,
        invite: ChannelInviteRecord,
        revoke_permanent: bool,
    ) -> StorageResult<()>;
    async fn invite(&self, hash: &str) -> StorageResult<Option<ChannelInviteRecord>>;
    /// Marks a link revoked; false when there was no such live link of this channel.
    async fn revoke_invite(&self, channel_id: i64, hash: &str) -> StorageResult<bool>;
    /// The links of `admin_id` in a channel (revoked or live), newest first.
    async fn invites_of(
        &self,
        channel_id: i64,
        admin_id: i64,
        revoked: bool,
    ) -> StorageResult<Vec<ChannelInviteRecord>>;
    /// Joins `user_id` through a link: takes one use of its limit and makes them a member
    /// (as [`ChannelStore::join`], the link's admin as inviter); gives the use back when
    /// they could not join.
    async fn use_invite(
        &self,
        hash: &str,
        user_id: i64,
        date: i64,
        hide_history: bool,
    ) -> StorageResult<InviteUse>;
    /// Records a join request; false when one is pending already.
    async fn add_join_request(&self, request: JoinRequestRecord) -> StorageResult<bool>;
    async fn join_request(
        &self,
        channel_id: i64,
        user_id: i64,
    ) -> StorageResult<Option<JoinRequestRecord>>;
    /// Drops a pending request; false when there was none.
    async fn remove_join_request(&self, channel_id: i64, user_id: i64) -> StorageResult<bool>;
    /// Pending requests of a channel, oldest first.
    async fn join_requests(&self, channel_id: i64) -> StorageResult<Vec<JoinRequestRecord>>;
    /// Changes the expiry, usage limit, approval need and title of a live link; `None`
    /// when there is no such live link of this channel.
    async fn edit_invite(
        &self,
        channel_id: i64,
        hash: &str,
        edit: InviteEdit,
    ) -> StorageResult<Option<ChannelInviteRecord>>;

    // Rights and moderation (crate::channel_moderation).

    /// Promotes a member or admin with `grant`, or (`None`) demotes an admin to member;
    /// false when the user is not in that role.
    async fn set_admin(
        &self,
        channel_id: i64,
        user_id: i64,
        grant: Option<crate::AdminGrant>,
    ) -> StorageResult<bool>;
    /// Restricts or kicks `user_id` (`Some`), or lifts their ban (`None`); never touches the
    /// creator. False when nothing changed.
    async fn set_banned(
        &self,
        channel_id: i64,
        user_id: i64,
        ban: Option<crate::BanGrant>,
    ) -> StorageResult<bool>;
    /// Sets the serialized `ChatBannedRights` every plain member gets.
    async fn set_default_banned_rights(
        &self,
        channel_id: i64,
        rights: &[u8],
    ) -> StorageResult<bool>;
    async fn toggle(&self, channel_id: i64, toggle: crate::ChannelToggle) -> StorageResult<bool>;
    /// Date of `user_id`'s newest live ordinary message (slow mode).
    async fn last_post_date(&self, channel_id: i64, user_id: i64) -> StorageResult<Option<i64>>;
    /// Pins or unpins the live messages of `ids` whose flag differs, logging one update.
    async fn set_pinned(
        &self,
        channel_id: i64,
        ids: &[i32],
        pinned: bool,
        date: i64,
    ) -> StorageResult<crate::PinChange>;
    /// Ids of the pinned live messages, newest first.
    async fn pinned_ids(&self, channel_id: i64) -> StorageResult<Vec<i32>>;
    /// Counts one view of each live message of `ids` by `viewer` (once per viewer) and
    /// answers `(id, views)` for the live ones, in id order.
    async fn view_messages(
        &self,
        channel_id: i64,
        ids: &[i32],
        viewer: i64,
    ) -> StorageResult<Vec<(i32, i32)>>;
    /// Marks the channel deleted (it then answers CHANNEL_PRIVATE to everyone).
    async fn delete_channel(&self, channel_id: i64) -> StorageResult<bool>;
    /// Hides messages up to `max_id` from `user_id` (channels.deleteHistory for oneself);
    /// never moves back.
    async fn hide_history(&self, channel_id: i64, user_id: i64, max_id: i32)
        -> StorageResult<bool>;

    // Who joined through which link (crate::channel_public).

    /// Records that a user joined through a link (directly, or by an approved join
    /// request); a second join through the same link replaces the first record.
    async fn add_invite_importer(&self, importer: crate::InviteImporterRecord)
        -> StorageResult<()>;
    /// Who joined a channel through `hash` (every link when `None`), newest first, strictly
    /// older than the `(date, user_id)` cursor when one is given.
    async fn invite_importers(
        &self,
        channel_id: i64,
        hash: Option<&str>,
        before: Option<(i64, i64)>,
        limit: usize,
    ) -> StorageResult<Vec<crate::InviteImporterRecord>>;
}
