//! Pinned messages in channels: core.telegram.org/api/pin, /method/messages.updatePinnedMessage
//! and /method/messages.unpinAllMessages with a channel peer,
//! /constructor/updatePinnedChannelMessages, channelFull.pinned_msg_id.
//!
//! A pin change takes one channel pts (logged, so getChannelDifference replays it); pinning
//! in a supergroup or channel is also announced with messageActionPinMessage replying to
//! the pinned message, as Telegram does. Other peers do not support pins on this server yet.

use std::sync::Arc;

use echo_storage::{ChannelUpdate, ChannelUpdateKind, NewChannelMessage, PIN_BODY, UNPIN_BODY};
use echo_tl::{enums, functions, types, Serializable};

use super::post::{publish, push_to_members};
use super::rights::check_can_pin;
use super::view::tl_channel;
use super::{access_peer, Access};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;
use crate::router::Router;

pub fn register(r: &mut Router) {
    r.method(update_pinned_message);
    r.method(unpin_all_messages);
}

fn pinned_update(channel_id: i64, pinned: bool, ids: Vec<i32>, pts: i32) -> enums::Update {
    enums::Update::PinnedChannelMessages(types::UpdatePinnedChannelMessages {
        pinned,
        channel_id,
        messages: ids,
        pts,
        pts_count: 1,
    })
}

/// The update a logged pin change replays as in getChannelDifference; `None` for other
/// kinds of entries.
pub(crate) fn logged_update(channel_id: i64, entry: &ChannelUpdate) -> Option<enums::Update> {
    if entry.kind != ChannelUpdateKind::Other {
        return None;
    }
    let pinned = match entry.body.as_slice() {
        b if b == PIN_BODY => true,
        b if b == UNPIN_BODY => false,
        _ => return None,
    };
    Some(pinned_update(
        channel_id,
        pinned,
        entry.message_ids.clone(),
        entry.pts,
    ))
}

/// channelFull.pinned_msg_id: the newest pinned message.
pub(crate) async fn pinned_msg_id(
    deps: &BffDeps,
    access: &Access,
) -> Result<Option<i32>, RpcError> {
    let ids = deps.storage.channels.pinned_ids(access.channel.id).await?;
    Ok(ids.into_iter().find(|id| *id > access.min_visible_id()))
}

fn not_channel() -> RpcError {
    RpcError::bad_request("METHOD_NOT_IMPLEMENTED")
}

async fn update_pinned_message(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::UpdatePinnedMessage,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let access = access_peer(&deps, &ctx, &req.peer)
        .await?
        .ok_or_else(not_channel)?;
    check_can_pin(&access)?;
    let store = &deps.storage.channels;
    let target = store
        .messages(access.channel.id, &[req.id])
        .await?
        .into_iter()
        .find(|m| m.id > access.min_visible_id() && m.action.is_empty())
        .ok_or_else(|| RpcError::bad_request("MESSAGE_ID_INVALID"))?;
    let pinned = !req.unpin;
    let change = store
        .set_pinned(access.channel.id, &[target.id], pinned, ctx.now)
        .await?;
    if change.ids.is_empty() {
        // Already in that state: nothing happened, nothing to tell.
        let mine = store.participant(access.channel.id, me).await?;
        return Ok(enums::Updates::Updates(types::Updates {
            updates: Vec::new(),
            users: Vec::new(),
            chats: vec![tl_channel(&access.channel, mine.as_ref())],
            date: tl_date(ctx.now),
            seq: 0,
        }));
    }
    let update = pinned_update(access.channel.id, pinned, change.ids, change.pts);
    if pinned {
        let action = enums::MessageAction::PinMessage;
        let message = NewChannelMessage {
            from_id: me,
            date: ctx.now,
            action: action.to_bytes(),
            reply_to_msg_id: Some(target.id),
            post: access.channel.broadcast,
            ..NewChannelMessage::default()
        };
        return publish(&deps, &ctx, &access, message, vec![update]).await;
    }
    let channel = store
        .get(access.channel.id)
        .await?
        .ok_or_else(super::invalid)?;
    push_to_members(&deps, &ctx, &channel, &[], |_| vec![update.clone()]).await?;
    let mine = store.participant(channel.id, me).await?;
    Ok(enums::Updates::Updates(types::Updates {
        updates: vec![update.clone()],
        users: Vec::new(),
        chats: vec![tl_channel(&channel, mine.as_ref())],
        date: tl_date(ctx.now),
        seq: 0,
    }))
}

async fn unpin_all_messages(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::UnpinAllMessages,
) -> Result<enums::messages::AffectedHistory, RpcError> {
    let access = access_peer(&deps, &ctx, &req.peer)
        .await?
        .ok_or_else(not_channel)?;
    check_can_pin(&access)?;
    let store = &deps.storage.channels;
    let ids = store.pinned_ids(access.channel.id).await?;
    let change = store
        .set_pinned(access.channel.id, &ids, false, ctx.now)
        .await?;
    if !change.ids.is_empty() {
        let update = pinned_update(access.channel.id, false, change.ids, change.pts);
        let channel = store
            .get(access.channel.id)
            .await?
            .ok_or_else(super::invalid)?;
        push_to_members(&deps, &ctx, &channel, &[], |_| vec![update.clone()]).await?;
    }
    Ok(enums::messages::AffectedHistory::History(
        types::messages::AffectedHistory {
            pts: change.pts,
            pts_count: change.pts_count,
            offset: 0,
        },
    ))
}
