//! Channels in the dialog list (core.telegram.org/constructor/dialog with `pts`,
//! /method/messages.getDialogs, /method/messages.getPeerDialogs).
//!
//! A channel dialog is computed from the channel (top message, pts) and the member's
//! participant row (read positions), never stored per member: a post writes nothing per
//! member.

use echo_storage::{ChannelParticipantRecord, ChannelRecord, Peer};
use echo_tl::{enums, types};

use super::view::{tl_channel, tl_message};
use super::Access;
use crate::context::{BffDeps, RpcError};
use crate::convert;

/// One channel dialog and what it shows.
pub(crate) struct ChannelDialog {
    pub dialog: enums::Dialog,
    pub top: Option<enums::Message>,
    /// Date of the top message (join date without one): the dialog list order.
    pub top_date: i64,
    pub top_id: i32,
    pub chat: enums::Chat,
    /// The top message's sender, for the `users` of the answer.
    pub sender: Option<i64>,
    pub peer: Peer,
}

async fn build(
    deps: &BffDeps,
    me: i64,
    channel: &ChannelRecord,
    mine: &ChannelParticipantRecord,
) -> Result<ChannelDialog, RpcError> {
    let store = &deps.storage.channels;
    let top = store.top_message(channel.id, mine.available_min_id).await?;
    let read_from = mine.read_inbox_max_id.max(mine.available_min_id);
    let unread = store.unread_count(channel.id, me, read_from).await?;
    let top_id = top.as_ref().map_or(0, |m| m.id);
    let dialog = enums::Dialog::Dialog(types::Dialog {
        pinned: false,
        unread_mark: false,
        view_forum_as_messages: false,
        peer: convert::peer(Peer::Channel(channel.id)),
        top_message: top_id,
        read_inbox_max_id: mine.read_inbox_max_id,
        read_outbox_max_id: mine.read_outbox_max_id,
        unread_count: unread,
        unread_mentions_count: 0,
        unread_reactions_count: 0,
        unread_poll_votes_count: 0,
        notify_settings: convert::default_notify_settings(),
        pts: Some(channel.pts),
        draft: None,
        folder_id: None,
        ttl_period: None,
    });
    Ok(ChannelDialog {
        dialog,
        top_date: top.as_ref().map_or(mine.date, |m| m.date),
        top_id,
        sender: top.as_ref().filter(|m| !m.post).map(|m| m.from_id),
        top: top.as_ref().map(|m| tl_message(m, channel, me)),
        chat: tl_channel(channel, Some(mine)),
        peer: Peer::Channel(channel.id),
    })
}

/// The dialogs of every channel `me` is a member of, newest first.
pub(crate) async fn channel_dialogs(
    deps: &BffDeps,
    me: i64,
) -> Result<Vec<ChannelDialog>, RpcError> {
    let mut out = Vec::new();
    for (channel, mine) in deps.storage.channels.channels_of(me).await? {
        out.push(build(deps, me, &channel, &mine).await?);
    }
    out.sort_by_key(|d| std::cmp::Reverse((d.top_date, d.top_id)));
    Ok(out)
}

/// The dialog of one channel for messages.getPeerDialogs (members only).
pub(crate) async fn peer_dialog(
    deps: &BffDeps,
    me: i64,
    access: &Access,
) -> Result<ChannelDialog, RpcError> {
    let mine = access.member()?;
    build(deps, me, &access.channel, mine).await
}
