//! Posting in channels and live delivery (core.telegram.org/api/channel,
//! /method/messages.sendMessage and /method/messages.editMessage with a channel peer,
//! /method/channels.deleteMessages, /constructor/updateNewChannelMessage,
//! /constructor/updateEditChannelMessage, /constructor/updateDeleteChannelMessages).
//!
//! A post is one storage write (message + channel update log, one id and pts sequence);
//! then every online member gets the update. Plain members all see the same bytes, so the
//! push is serialized once and handed to Sync as one batch; admins (who see admin rights in
//! the channel object) and the author (who sees `out`) get their own.

use std::sync::Arc;

use echo_storage::{ChannelEdit, ChannelMessage, ChannelRecord, ChannelRole, NewChannelMessage};
use echo_tl::{enums, functions, types, Serializable};

use super::rights::{check_can_post, has_admin_right};
use super::view::{tl_channel, tl_message};
use super::{access_input, Access};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::{tl_date, MESSAGE_LENGTH_MAX};
use crate::router::Router;

pub fn register(r: &mut Router) {
    r.method(delete_messages);
}

/// The participant row a plain member has (used to render the shared member view).
fn plain_member(channel: &ChannelRecord) -> echo_storage::ChannelParticipantRecord {
    echo_storage::ChannelParticipantRecord {
        channel_id: channel.id,
        user_id: 0,
        inviter_id: 0,
        date: channel.date,
        role: ChannelRole::Member,
        admin_rights: Vec::new(),
        promoted_by: 0,
        banned_rights: Vec::new(),
        banned_until: 0,
        kicked_by: 0,
        rank: None,
        read_inbox_max_id: 0,
        read_outbox_max_id: 0,
        available_min_id: 0,
    }
}

/// Pushes one channel update to every member: `make(viewer)` builds the update as that
/// viewer sees it (viewer 0: a plain member who is not the author). `mentioned` are the
/// users the update shows. The caller's own session (`ctx`) is skipped: it gets the answer.
pub(crate) async fn push_to_members(
    deps: &BffDeps,
    ctx: &RpcContext,
    channel: &ChannelRecord,
    mentioned: &[i64],
    make: impl Fn(i64) -> Vec<enums::Update>,
) -> Result<(), RpcError> {
    let me = ctx.user()?;
    let store = &deps.storage.channels;
    let members = store.member_ids(channel.id).await?;
    let (admins, _) = store
        .participants(
            channel.id,
            &echo_storage::ParticipantFilter::Admins,
            0,
            10_000,
        )
        .await?;
    let date = tl_date(ctx.now);
    // Admins and the caller: their own view.
    for admin in admins.iter().filter(|a| a.role.is_member()) {
        let users = crate::contacts::view::users_by_id(
            deps,
            admin.user_id,
            &sorted(mentioned, admin.user_id),
            ctx.now,
        )
        .await?;
        let updates = enums::Updates::Updates(types::Updates {
            updates: make(admin.user_id),
            users,
            chats: vec![tl_channel(channel, Some(admin))],
            date,
            seq: 0,
        });
        let except = (admin.user_id == me).then_some(ctx);
        deps.messaging.push(admin.user_id, except, &updates).await;
    }
    let admin_ids: Vec<i64> = admins.iter().map(|a| a.user_id).collect();
    if !admin_ids.contains(&me) && members.contains(&me) {
        let mine = store.participant(channel.id, me).await?;
        let users =
            crate::contacts::view::users_by_id(deps, me, &sorted(mentioned, me), ctx.now).await?;
        let updates = enums::Updates::Updates(types::Updates {
            updates: make(me),
            users,
            chats: vec![tl_channel(channel, mine.as_ref())],
            date,
            seq: 0,
        });
        deps.messaging.push(me, Some(ctx), &updates).await;
    }
    let plain: Vec<i64> = members
        .into_iter()
        .filter(|u| *u != me && !admin_ids.contains(u))
        .collect();
    if plain.is_empty() {
        return Ok(());
    }
    // One rendering for every plain member: strangers' view of the users shown.
    let mut users = Vec::new();
    for user in deps.storage.users.get_many(mentioned).await? {
        users.push(crate::convert::user(&user, 0, ctx.now));
    }
    let shared = enums::Updates::Updates(types::Updates {
        updates: make(0),
        users,
        chats: vec![tl_channel(channel, Some(&plain_member(channel)))],
        date,
        seq: 0,
    });
    deps.messaging.push_to_users(&plain, &shared).await;
    Ok(())
}

fn sorted(ids: &[i64], plus: i64) -> Vec<i64> {
    let mut ids = ids.to_vec();
    ids.push(plus);
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Stores `message` in the channel, pushes it to the members and answers the caller with
/// updateMessageID (when `random_id` is set) and updateNewChannelMessage. A repeated
/// random_id answers the stored message again and pushes nothing.
pub(crate) async fn publish(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
    mut message: NewChannelMessage,
    extra: Vec<enums::Update>,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    super::toggles::sign_post(deps, access, &mut message).await?;
    let random_id = message.random_id;
    let posted = deps
        .storage
        .channels
        .post(access.channel.id, message)
        .await?;
    // The counters moved: render the channel as it is now.
    let channel = deps
        .storage
        .channels
        .get(access.channel.id)
        .await?
        .ok_or_else(super::invalid)?;
    let m = &posted.message;
    let new_message = |viewer: i64| {
        enums::Update::NewChannelMessage(types::UpdateNewChannelMessage {
            message: tl_message(m, &channel, viewer),
            pts: m.pts,
            pts_count: 1,
        })
    };
    let mut mentioned = super::view::mentioned_users(m);
    mentioned.push(m.from_id);
    if posted.created {
        let extra = extra.clone();
        push_to_members(deps, ctx, &channel, &mentioned, |viewer| {
            let mut all = extra.clone();
            all.push(new_message(viewer));
            all
        })
        .await?;
    }
    let mut updates = Vec::new();
    if let Some(random_id) = random_id {
        updates.push(enums::Update::MessageId(types::UpdateMessageId {
            id: m.id,
            random_id,
        }));
    }
    updates.extend(extra);
    updates.push(new_message(me));
    let mine = deps.storage.channels.participant(channel.id, me).await?;
    Ok(enums::Updates::Updates(types::Updates {
        updates,
        users: crate::contacts::view::users_by_id(deps, me, &sorted(&mentioned, me), ctx.now)
            .await?,
        chats: vec![tl_channel(&channel, mine.as_ref())],
        date: tl_date(ctx.now),
        seq: 0,
    }))
}

/// A service message (`action`) by the caller in the channel.
pub(crate) async fn post_service(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
    action: enums::MessageAction,
    extra: Vec<enums::Update>,
) -> Result<enums::Updates, RpcError> {
    let message = NewChannelMessage {
        from_id: ctx.user()?,
        date: ctx.now,
        action: action.to_bytes(),
        post: access.channel.broadcast,
        ..NewChannelMessage::default()
    };
    publish(deps, ctx, access, message, extra).await
}

/// The channel message a reply points to, if the caller can see it (a reply to a deleted
/// or hidden message is sent as a plain message, as Telegram does).
pub(crate) async fn reply_target(
    deps: &BffDeps,
    access: &Access,
    reply_to: Option<&enums::InputReplyTo>,
) -> Result<Option<i32>, RpcError> {
    let Some(enums::InputReplyTo::Message(r)) = reply_to else {
        return Ok(None);
    };
    Ok(deps
        .storage
        .channels
        .messages(access.channel.id, &[r.reply_to_msg_id])
        .await?
        .first()
        .map(|m| m.id)
        .filter(|id| *id > access.min_visible_id()))
}

/// messages.sendMessage to a channel peer.
pub(crate) async fn send_message(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
    req: functions::messages::SendMessage,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    check_can_post(access)?;
    super::toggles::check_slow_mode(deps, ctx, access).await?;
    if req.message.trim().is_empty() {
        return Err(RpcError::bad_request("MESSAGE_EMPTY"));
    }
    if req.message.encode_utf16().count() > MESSAGE_LENGTH_MAX {
        return Err(RpcError::bad_request("MESSAGE_TOO_LONG"));
    }
    if req.schedule_date.is_some() {
        return Err(RpcError::bad_request("SCHEDULE_DATE_INVALID"));
    }
    let per_minute = deps.config.send_message_per_minute;
    deps.messaging.flood.check(me, ctx.now, 1, per_minute)?;
    let reply_to_msg_id = reply_target(deps, access, req.reply_to.as_ref()).await?;
    let entities = match &req.entities {
        Some(e) if !e.is_empty() => e.to_bytes(),
        _ => Vec::new(),
    };
    let message = NewChannelMessage {
        from_id: me,
        date: ctx.now,
        message: req.message,
        entities,
        reply_to_msg_id,
        random_id: Some(req.random_id),
        post: access.channel.broadcast,
        ..NewChannelMessage::default()
    };
    let answer = publish(deps, ctx, access, message, Vec::new()).await?;
    if req.clear_draft {
        deps.storage
            .drafts
            .clear(me, echo_storage::Peer::Channel(access.channel.id))
            .await?;
    }
    Ok(answer)
}

/// messages.editMessage in a channel: the author may edit (in broadcasts also admins with
/// edit_messages); MESSAGE_AUTHOR_REQUIRED otherwise.
pub(crate) async fn edit_message(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
    req: functions::messages::EditMessage,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    access.member()?;
    if req.media.is_some() || req.schedule_date.is_some() {
        return Err(RpcError::bad_request("MEDIA_INVALID"));
    }
    let store = &deps.storage.channels;
    let current = store
        .messages(access.channel.id, &[req.id])
        .await?
        .into_iter()
        .find(|m| m.id > access.min_visible_id() && m.action.is_empty())
        .ok_or_else(|| RpcError::bad_request("MESSAGE_ID_INVALID"))?;
    let editor_may = current.from_id == me
        || (access.channel.broadcast && has_admin_right(access, |r| r.edit_messages));
    if !editor_may {
        return Err(RpcError::new(403, "MESSAGE_AUTHOR_REQUIRED"));
    }
    let text = req
        .message
        .clone()
        .unwrap_or_else(|| current.message.clone());
    if text.trim().is_empty() {
        return Err(RpcError::bad_request("MESSAGE_EMPTY"));
    }
    if text.encode_utf16().count() > MESSAGE_LENGTH_MAX {
        return Err(RpcError::bad_request("MESSAGE_TOO_LONG"));
    }
    let entities = match (&req.entities, &req.message) {
        (Some(e), _) if !e.is_empty() => e.to_bytes(),
        (_, Some(_)) => Vec::new(),
        (None, None) => current.entities.clone(),
        (Some(_), None) => Vec::new(),
    };
    if text == current.message && entities == current.entities {
        return Err(RpcError::bad_request("MESSAGE_NOT_MODIFIED"));
    }
    let edited = store
        .edit_message(
            access.channel.id,
            current.id,
            ChannelEdit {
                message: text,
                entities,
                media: current.media.clone(),
                edit_date: ctx.now,
            },
        )
        .await?
        .ok_or_else(|| RpcError::bad_request("MESSAGE_ID_INVALID"))?;
    let channel = store
        .get(access.channel.id)
        .await?
        .ok_or_else(super::invalid)?;
    let update = |m: &ChannelMessage, viewer: i64| {
        enums::Update::EditChannelMessage(types::UpdateEditChannelMessage {
            message: tl_message(m, &channel, viewer),
            pts: m.pts,
            pts_count: 1,
        })
    };
    push_to_members(deps, ctx, &channel, &[edited.from_id], |viewer| {
        vec![update(&edited, viewer)]
    })
    .await?;
    let mine = store.participant(channel.id, me).await?;
    Ok(enums::Updates::Updates(types::Updates {
        updates: vec![update(&edited, me)],
        users: crate::contacts::view::users_by_id(
            deps,
            me,
            &sorted(&[edited.from_id], me),
            ctx.now,
        )
        .await?,
        chats: vec![tl_channel(&channel, mine.as_ref())],
        date: tl_date(ctx.now),
        seq: 0,
    }))
}

/// channels.deleteMessages: authors delete their own messages (supergroups); admins with
/// delete_messages delete anyone's. MESSAGE_DELETE_FORBIDDEN when some id is not allowed.
async fn delete_messages(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::DeleteMessages,
) -> Result<enums::messages::AffectedMessages, RpcError> {
    let me = ctx.user()?;
    let access = access_input(&deps, &ctx, &req.channel).await?;
    access.member()?;
    let store = &deps.storage.channels;
    let found = store.messages(access.channel.id, &req.id).await?;
    let visible: Vec<&ChannelMessage> = found
        .iter()
        .filter(|m| m.id > access.min_visible_id())
        .collect();
    let admin = has_admin_right(&access, |r| r.delete_messages);
    if !admin
        && visible
            .iter()
            .any(|m| m.from_id != me || access.channel.broadcast)
    {
        return Err(RpcError::new(403, "MESSAGE_DELETE_FORBIDDEN"));
    }
    let ids: Vec<i32> = visible.iter().map(|m| m.id).collect();
    let deleted = store
        .delete_messages(access.channel.id, &ids, ctx.now)
        .await?;
    if !deleted.deleted_ids.is_empty() {
        let update = enums::Update::DeleteChannelMessages(types::UpdateDeleteChannelMessages {
            channel_id: access.channel.id,
            messages: deleted.deleted_ids.clone(),
            pts: deleted.pts,
            pts_count: deleted.pts_count,
        });
        let channel = store
            .get(access.channel.id)
            .await?
            .ok_or_else(super::invalid)?;
        push_to_members(&deps, &ctx, &channel, &[], |_| vec![update.clone()]).await?;
    }
    Ok(enums::messages::AffectedMessages::Messages(
        types::messages::AffectedMessages {
            pts: deleted.pts,
            pts_count: deleted.pts_count,
        },
    ))
}
