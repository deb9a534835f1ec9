//! Supergroups and broadcast channels (core.telegram.org/api/channel, /api/rights,
//! /api/updates "channel pts", /constructor/channel).
//!
//! A channel keeps one copy of every message with its own id and pts sequence
//! (`echo_storage::ChannelStore`); members only have a participant row. Submodules:
//! [`manage`] (createChannel, editTitle, editChatAbout for channels, joinChannel,
//! leaveChannel, inviteToChannel), [`info`] (getChannels, getFullChannel, getParticipants,
//! getParticipant), [`post`] (posting, live pushes, sendMessage/editMessage, deleteMessages),
//! [`read`] (getHistory, getMessages, readHistory), [`difference`]
//! (updates.getChannelDifference and the channel news of updates.getDifference),
//! [`dialogs`] (channel dialogs in messages.getDialogs / getPeerDialogs), [`rights`]
//! (admin and banned rights), [`admins`] (editAdmin, editBanned, default banned rights),
//! [`toggles`] (signatures, hidden pre-history, slow mode), [`pins`] (pinned messages),
//! [`lifecycle`] (deleteChannel, deleteHistory, views), [`photo`] (channels.editPhoto),
//! [`media`] (sendMedia, sendMultiMedia and forwardMessages with channel peers),
//! [`invites`] (invite links), [`requests`] (join requests and link importers), [`migrated`]
//! (the supergroup side of messages.migrateChat).

mod admins;
mod dialogs;
mod difference;
mod info;
mod invites;
mod lifecycle;
mod manage;
mod media;
mod migrated;
mod photo;
mod pins;
mod post;
mod public;
mod read;
mod requests;
mod rights;
mod toggles;
mod view;

use echo_storage::{ChannelParticipantRecord, ChannelRecord};
use echo_tl::enums;

use crate::context::{BffDeps, RpcContext, RpcError};
use crate::router::Router;

pub(crate) use admins::edit_default_banned_rights;
pub(crate) use dialogs::{channel_dialogs, peer_dialog, ChannelDialog};
pub(crate) use difference::channel_news;
pub(crate) use invites::{channel_check_invite, channel_export_invite, channel_import_invite};
pub(crate) use manage::edit_about;
pub(crate) use media::{forward_messages, send_media, send_multi_media};
pub(crate) use migrated::{announce_migration, migrate_from_chat};
pub(crate) use photo::check_photo_visible;
pub(crate) use post::{edit_message, send_message};
pub(crate) use public::{resolve_channel_username, username_taken};
pub(crate) use read::history;
pub(crate) use view::chats_for;

pub fn register(r: &mut Router) {
    manage::register(r);
    info::register(r);
    post::register(r);
    read::register(r);
    difference::register(r);
    public::register(r);
    invites::register(r);
    requests::register(r);
    admins::register(r);
    toggles::register(r);
    pins::register(r);
    lifecycle::register(r);
    photo::register(r);
}

/// A channel the caller named, with the caller's participant row if they have one.
pub(crate) struct Access {
    pub channel: ChannelRecord,
    pub me: Option<ChannelParticipantRecord>,
}

impl Access {
    /// The caller is creator, admin or member.
    pub fn is_member(&self) -> bool {
        self.me.as_ref().is_some_and(|p| p.role.is_member())
    }

    /// The caller's participant row, when they are a member; CHANNEL_PRIVATE otherwise (a
    /// private channel shows nothing to outsiders, core.telegram.org/api/channel).
    pub fn member(&self) -> Result<&ChannelParticipantRecord, RpcError> {
        self.me
            .as_ref()
            .filter(|p| p.role.is_member())
            .ok_or_else(private)
    }

    /// Messages up to this id are hidden from the caller.
    pub fn min_visible_id(&self) -> i32 {
        self.me.as_ref().map_or(0, |p| p.available_min_id)
    }
}

pub(crate) fn private() -> RpcError {
    RpcError::bad_request("CHANNEL_PRIVATE")
}

pub(crate) fn invalid() -> RpcError {
    RpcError::bad_request("CHANNEL_INVALID")
}

/// Resolves `(channel_id, access_hash)`: CHANNEL_INVALID when there is no such channel or
/// the hash is wrong (core.telegram.org/api/peers), CHANNEL_PRIVATE when it was deleted.
pub(crate) async fn access(
    deps: &BffDeps,
    me: i64,
    channel_id: i64,
    access_hash: i64,
) -> Result<Access, RpcError> {
    let channel = deps
        .storage
        .channels
        .get(channel_id)
        .await?
        .ok_or_else(invalid)?;
    if channel.access_hash != access_hash {
        return Err(invalid());
    }
    if channel.deleted {
        return Err(private());
    }
    let mine = deps.storage.channels.participant(channel_id, me).await?;
    Ok(Access { channel, me: mine })
}

/// [`access`] for an `InputChannel`.
pub(crate) async fn access_input(
    deps: &BffDeps,
    ctx: &RpcContext,
    input: &enums::InputChannel,
) -> Result<Access, RpcError> {
    let me = ctx.user()?;
    match input {
        enums::InputChannel::Channel(c) => access(deps, me, c.channel_id, c.access_hash).await,
        enums::InputChannel::FromMessage(c) => {
            // Known from a message the caller can see; only members see messages here.
            let channel = deps
                .storage
                .channels
                .get(c.channel_id)
                .await?
                .ok_or_else(invalid)?;
            access(deps, me, channel.id, channel.access_hash).await
        }
        enums::InputChannel::Empty => Err(invalid()),
    }
}

/// [`access`] for an `InputPeer` that names a channel; `None` for other peers.
pub(crate) async fn access_peer(
    deps: &BffDeps,
    ctx: &RpcContext,
    input: &enums::InputPeer,
) -> Result<Option<Access>, RpcError> {
    let me = ctx.user()?;
    match input {
        enums::InputPeer::Channel(c) => {
            Ok(Some(access(deps, me, c.channel_id, c.access_hash).await?))
        }
        enums::InputPeer::ChannelFromMessage(c) => {
            let input = enums::InputChannel::Channel(echo_tl::types::InputChannel {
                channel_id: c.channel_id,
                access_hash: deps
                    .storage
                    .channels
                    .get(c.channel_id)
                    .await?
                    .ok_or_else(invalid)?
                    .access_hash,
            });
            Ok(Some(access_input(deps, ctx, &input).await?))
        }
        _ => Ok(None),
    }
}

/// The title as Telegram accepts it: trimmed, 1..=128 characters.
pub(crate) fn clean_title(title: &str) -> Result<String, RpcError> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > echo_storage::CHANNEL_TITLE_MAX {
        return Err(RpcError::bad_request("CHAT_TITLE_EMPTY"));
    }
    Ok(title.to_owned())
}
