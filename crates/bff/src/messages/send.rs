//! Sending (core.telegram.org/method/messages.sendMessage,
//! /method/messages.forwardMessages, /constructor/updateShortSentMessage,
//! /constructor/updateShortMessage).
//!
//! The sender's session gets updateShortSentMessage (full `updates` for Saved Messages:
//! Pyrogram forks crash on the short form there); the sender's other sessions and the
//! recipient's sessions get updateShortMessage, pushed after both copies are committed.

use std::sync::Arc;

use echo_msg::tl::{entities_of, short_message};
use echo_msg::{SendRequest, Sent};
use echo_storage::{BoxMessage, Peer};
use echo_tl::{enums, functions, types, Serializable};

use super::{resolve_peer, users_of, utf16_len};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert;
use crate::help::{tl_date, MESSAGE_LENGTH_MAX};
use crate::router::Router;

/// Most messages one forwardMessages call takes (Telegram's limit).
const FORWARD_MAX: usize = 100;

pub fn register(r: &mut Router) {
    r.method(send_message);
    r.method(forward_messages);
}

/// The message a reply points to, if it exists in the same dialog of the caller's box (a
/// reply to a deleted message is sent as a plain message, as Telegram does).
pub(super) async fn reply_target(
    deps: &BffDeps,
    me: i64,
    peer: Peer,
    reply_to: Option<&enums::InputReplyTo>,
) -> Result<Option<i32>, RpcError> {
    let Some(enums::InputReplyTo::Message(reply)) = reply_to else {
        return Ok(None);
    };
    let found = deps
        .storage
        .messages
        .get(me, &[reply.reply_to_msg_id])
        .await?;
    Ok(found.iter().find(|m| m.peer == peer).map(|m| m.id))
}

/// Full `updates` with the message id of `random_id` and the new message.
fn full_updates(
    m: &BoxMessage,
    me: i64,
    random_id: i64,
    users: Vec<enums::User>,
) -> enums::Updates {
    let mut updates = Vec::new();
    if random_id != 0 {
        updates.push(enums::Update::MessageId(types::UpdateMessageId {
            id: m.id,
            random_id,
        }));
    }
    updates.push(enums::Update::NewMessage(types::UpdateNewMessage {
        message: convert::message(m, me),
        pts: m.pts,
        pts_count: 1,
    }));
    enums::Updates::Updates(types::Updates {
        updates,
        users,
        chats: Vec::new(),
        date: tl_date(m.date),
        seq: 0,
    })
}

/// Pushes a send to the sender's other sessions and the recipient; answers the sender.
async fn answer_and_push(
    deps: &BffDeps,
    ctx: &RpcContext,
    sent: &Sent,
    random_id: i64,
    silent: bool,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let m = &sent.outbox;
    let saved = m.peer == Peer::User(me);
    if saved {
        let users = users_of(deps, ctx, me, std::slice::from_ref(m), &[]).await?;
        let answer = full_updates(m, me, random_id, users);
        if sent.created {
            let others = full_updates(m, me, 0, Vec::new());
            deps.messaging.push(me, Some(ctx), &others).await;
        }
        return Ok(answer);
    }
    if sent.created {
        deps.messaging
            .push(me, Some(ctx), &short_message(m, silent))
            .await;
    }
    if let Some(inbox) = &sent.inbox {
        deps.messaging
            .push(inbox.user_id, None, &short_message(inbox, silent))
            .await;
    }
    Ok(enums::Updates::UpdateShortSentMessage(
        types::UpdateShortSentMessage {
            out: true,
            id: m.id,
            pts: m.pts,
            pts_count: 1,
            date: tl_date(m.date),
            media: None,
            entities: entities_of(m),
            ttl_period: None,
        },
    ))
}

async fn send_message(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::SendMessage,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    if let Some(access) = crate::channels::access_peer(&deps, &ctx, &req.peer).await? {
        return crate::channels::send_message(&deps, &ctx, &access, req).await;
    }
    let peer = resolve_peer(&deps, &ctx, &req.peer).await?;
    if req.message.trim().is_empty() {
        return Err(RpcError::bad_request("MESSAGE_EMPTY"));
    }
    if utf16_len(&req.message) > MESSAGE_LENGTH_MAX {
        return Err(RpcError::bad_request("MESSAGE_TOO_LONG"));
    }
    if req.schedule_date.is_some() {
        // Scheduled messages need a delivery job that does not exist yet.
        return Err(RpcError::bad_request("SCHEDULE_DATE_INVALID"));
    }
    if let Some(send_as) = &req.send_as {
        if resolve_peer(&deps, &ctx, send_as).await.ok() != Some(Peer::User(me)) {
            return Err(RpcError::bad_request("SEND_AS_PEER_INVALID"));
        }
    }
    if let Peer::Chat(chat_id) = peer {
        crate::chats::check_can_write(&deps, me, chat_id).await?;
    }
    let deliver = check_blocks(&deps, me, peer).await?;
    let per_minute = deps.config.send_message_per_minute;
    deps.messaging.flood.check(me, ctx.now, 1, per_minute)?;
    let reply_to_msg_id = reply_target(&deps, me, peer, req.reply_to.as_ref()).await?;
    let entities = match &req.entities {
        Some(e) if !e.is_empty() => e.to_bytes(),
        _ => Vec::new(),
    };
    let sent = deps
        .messaging
        .msg
        .send(SendRequest {
            from: me,
            to: peer,
            date: ctx.now,
            message: req.message,
            entities,
            media: Vec::new(),
            fwd: Vec::new(),
            reply_to_msg_id,
            random_id: Some(req.random_id),
            deliver,
            silent: req.silent,
            grouped_id: None,
        })
        .await?;
    if req.clear_draft {
        deps.storage.drafts.clear(me, peer).await?;
    }
    if let Peer::Chat(chat_id) = peer {
        return crate::chats::deliver_to_members(&deps, &ctx, chat_id, &sent, req.silent).await;
    }
    answer_and_push(&deps, &ctx, &sent, req.random_id, req.silent).await
}

/// YOU_BLOCKED_USER when the caller blocked the peer; whether to deliver at all (not when
/// the peer blocked the caller: the message then stays in the caller's box only).
pub(super) async fn check_blocks(deps: &BffDeps, me: i64, peer: Peer) -> Result<bool, RpcError> {
    let Peer::User(other) = peer else {
        return Ok(true);
    };
    if other == me {
        return Ok(true);
    }
    let (i_blocked, they_blocked) = deps.storage.blocks.blocks_between(me, other).await?;
    if i_blocked {
        return Err(RpcError::bad_request("YOU_BLOCKED_USER"));
    }
    Ok(!they_blocked)
}

/// The forward header of a copy of `m` (core.telegram.org/constructor/messageFwdHeader):
/// an already forwarded message keeps its original header.
fn forward_header(m: &BoxMessage) -> Vec<u8> {
    if !m.fwd.is_empty() {
        return m.fwd.clone();
    }
    enums::MessageFwdHeader::Header(types::MessageFwdHeader {
        imported: false,
        saved_out: false,
        from_id: Some(convert::peer(Peer::User(m.from_id))),
        from_name: None,
        date: tl_date(m.date),
        channel_post: None,
        post_author: None,
        saved_from_peer: None,
        saved_from_msg_id: None,
        saved_from_id: None,
        saved_from_name: None,
        saved_date: None,
        psa_type: None,
    })
    .to_bytes()
}

/// One message to copy by messages.forwardMessages, from a user box or a channel.
pub(crate) struct ForwardCopy {
    pub message: String,
    pub entities: Vec<u8>,
    pub media: Vec<u8>,
    /// The forward header the copy carries (empty with drop_author).
    pub fwd: Vec<u8>,
    /// The original's album; copies of one album share a new one.
    pub grouped_id: Option<i64>,
    pub random_id: i64,
}

/// RANDOM_ID_INVALID unless there are 1..=100 ids, one random_id each.
pub(crate) fn check_forward_ids(
    req: &functions::messages::ForwardMessages,
) -> Result<(), RpcError> {
    if req.id.is_empty() || req.id.len() > FORWARD_MAX || req.id.len() != req.random_id.len() {
        return Err(RpcError::bad_request("RANDOM_ID_INVALID"));
    }
    Ok(())
}

/// The messages of `from_peer` in the caller's box that `req` names, in request order.
pub(crate) async fn box_originals(
    deps: &BffDeps,
    me: i64,
    from_peer: Peer,
    req: &functions::messages::ForwardMessages,
) -> Result<Vec<ForwardCopy>, RpcError> {
    let found = deps.storage.messages.get(me, &req.id).await?;
    let mut originals = Vec::new();
    for (id, random_id) in req.id.iter().zip(&req.random_id) {
        if let Some(m) = found.iter().find(|m| m.id == *id && m.peer == from_peer) {
            originals.push(ForwardCopy {
                message: m.message.clone(),
                entities: m.entities.clone(),
                media: m.media.clone(),
                fwd: if req.drop_author {
                    Vec::new()
                } else {
                    forward_header(m)
                },
                grouped_id: m.grouped_id,
                random_id: *random_id,
            });
        }
    }
    Ok(originals)
}

async fn forward_messages(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::ForwardMessages,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let from_channel = crate::channels::access_peer(&deps, &ctx, &req.from_peer).await?;
    let to_channel = crate::channels::access_peer(&deps, &ctx, &req.to_peer).await?;
    if from_channel.is_some() || to_channel.is_some() {
        return crate::channels::forward_messages(&deps, &ctx, &req, from_channel, to_channel)
            .await;
    }
    let from_peer = resolve_peer(&deps, &ctx, &req.from_peer).await?;
    let to_peer = resolve_peer(&deps, &ctx, &req.to_peer).await?;
    if matches!(to_peer, Peer::Chat(_)) {
        // Group delivery of forwards is not built yet; refuse rather than store half.
        return Err(RpcError::bad_request("CHAT_FORWARDS_RESTRICTED"));
    }
    check_forward_ids(&req)?;
    let originals = box_originals(&deps, me, from_peer, &req).await?;
    if originals.is_empty() {
        return Err(RpcError::bad_request("MESSAGE_ID_INVALID"));
    }
    send_copies(&deps, &ctx, to_peer, originals, req.silent).await
}

/// Stores forwarded copies in the caller's box for `to_peer` (a user or Saved Messages),
/// pushes them and answers the caller.
pub(crate) async fn send_copies(
    deps: &BffDeps,
    ctx: &RpcContext,
    to_peer: Peer,
    originals: Vec<ForwardCopy>,
    silent: bool,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let deliver = check_blocks(deps, me, to_peer).await?;
    let count = u32::try_from(originals.len()).unwrap_or(u32::MAX);
    let per_minute = deps.config.send_message_per_minute;
    deps.messaging.flood.check(me, ctx.now, count, per_minute)?;
    let mut updates = Vec::new();
    let mut sent_copies = Vec::new();
    // Forwarded album items stay grouped, under a new album id per original album.
    let mut albums = std::collections::HashMap::new();
    for m in originals {
        let random_id = m.random_id;
        let grouped_id = m
            .grouped_id
            .map(|g| *albums.entry(g).or_insert_with(super::media::new_grouped_id));
        let sent = deps
            .messaging
            .msg
            .send(SendRequest {
                from: me,
                to: to_peer,
                date: ctx.now,
                message: m.message,
                entities: m.entities,
                media: m.media,
                fwd: m.fwd,
                reply_to_msg_id: None,
                random_id: Some(random_id),
                deliver,
                silent,
                grouped_id,
            })
            .await?;
        updates.push(enums::Update::MessageId(types::UpdateMessageId {
            id: sent.outbox.id,
            random_id,
        }));
        updates.push(enums::Update::NewMessage(types::UpdateNewMessage {
            message: convert::message(&sent.outbox, me),
            pts: sent.outbox.pts,
            pts_count: 1,
        }));
        if sent.created {
            let mine = enums::Updates::Updates(types::Updates {
                updates: vec![enums::Update::NewMessage(types::UpdateNewMessage {
                    message: convert::message(&sent.outbox, me),
                    pts: sent.outbox.pts,
                    pts_count: 1,
                })],
                users: Vec::new(),
                chats: Vec::new(),
                date: tl_date(ctx.now),
                seq: 0,
            });
            deps.messaging.push(me, Some(ctx), &mine).await;
        }
        if let Some(inbox) = &sent.inbox {
            let theirs = short_message(inbox, silent);
            deps.messaging.push(inbox.user_id, None, &theirs).await;
        }
        sent_copies.push(sent.outbox);
    }
    let users = users_of(deps, ctx, me, &sent_copies, &[to_peer]).await?;
    Ok(enums::Updates::Updates(types::Updates {
        updates,
        users,
        chats: Vec::new(),
        date: tl_date(ctx.now),
        seq: 0,
    }))
}
