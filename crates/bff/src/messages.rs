//! `messages.*` for Saved Messages, the dialog of a user with themself
//! (core.telegram.org/api/saved-messages, /method/messages.sendMessage,
//! /method/messages.getHistory, /method/messages.readHistory; dialogs in [`dialogs`]).
//!
//! Private chats with other users are not implemented yet: every other peer is
//! PEER_ID_INVALID. Each user has an own message box with own ids and pts
//! (core.telegram.org/api/updates), kept by `echo_storage::MessageStore`.

mod dialogs;

use std::sync::Arc;

use echo_storage::{AppendOutcome, BoxMessage, HistoryQuery, NewBoxMessage, Peer};
use echo_tl::{enums, functions, types, Serializable};

use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert;
use crate::help::{tl_date, MESSAGE_LENGTH_MAX};
use crate::router::Router;
use crate::users;

pub fn register(r: &mut Router) {
    r.method(send_message);
    r.method(get_history);
    r.method(read_history);
    dialogs::register(r);
}

/// The peer an input peer names, as long as it is the caller's Saved Messages.
/// `inputPeerUser` must carry the caller's own access hash.
async fn saved_messages_peer(
    deps: &BffDeps,
    ctx: &RpcContext,
    input: &enums::InputPeer,
) -> Result<Peer, RpcError> {
    let me = ctx.user()?;
    let invalid = || RpcError::bad_request("PEER_ID_INVALID");
    match input {
        enums::InputPeer::PeerSelf => Ok(Peer::User(me)),
        enums::InputPeer::User(u) if u.user_id == me => {
            let rec = users::me(deps, ctx).await?;
            if rec.access_hash == u.access_hash {
                Ok(Peer::User(me))
            } else {
                Err(invalid())
            }
        }
        _ => Err(invalid()),
    }
}

/// Message length as Telegram counts it: UTF-16 code units, like entity offsets.
fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// The message a reply points to, if it exists in the same dialog of the caller's box
/// (a reply to a deleted message is sent as a plain message, as Telegram does).
async fn reply_target(
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

/// The answer to a message the caller sent: its id for the random_id, then the message with
/// its pts. Always full `updates` (never updateShortSentMessage), which every client accepts.
fn sent_updates(m: &BoxMessage, me: i64, random_id: i64, self_user: enums::User) -> enums::Updates {
    enums::Updates::Updates(types::Updates {
        updates: vec![
            enums::Update::MessageId(types::UpdateMessageId {
                id: m.id,
                random_id,
            }),
            enums::Update::NewMessage(types::UpdateNewMessage {
                message: convert::message(m, me),
                pts: m.pts,
                pts_count: 1,
            }),
        ],
        users: vec![self_user],
        chats: Vec::new(),
        date: tl_date(m.date),
        seq: 0,
    })
}

async fn send_message(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::SendMessage,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let peer = saved_messages_peer(&deps, &ctx, &req.peer).await?;
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
        if saved_messages_peer(&deps, &ctx, send_as).await.is_err() {
            return Err(RpcError::bad_request("SEND_AS_PEER_INVALID"));
        }
    }
    let reply_to_msg_id = reply_target(&deps, me, peer, req.reply_to.as_ref()).await?;
    let entities = match &req.entities {
        Some(e) if !e.is_empty() => e.to_bytes(),
        _ => Vec::new(),
    };
    let outcome = deps
        .storage
        .messages
        .append(
            me,
            NewBoxMessage {
                peer,
                from_id: me,
                out: true,
                date: ctx.now,
                message: req.message,
                entities,
                media: Vec::new(),
                reply_to_msg_id,
                // 0 is what a client that does not care sends; it must not dedupe.
                random_id: (req.random_id != 0).then_some(req.random_id),
                fwd: Vec::new(),
            },
        )
        .await?;
    if let AppendOutcome::Created(m) = &outcome {
        deps.storage
            .dialogs
            .upsert_on_message(me, peer, m.id, m.date, false)
            .await?;
    }
    let self_user = users::self_user(&deps, &ctx).await?;
    Ok(sent_updates(
        outcome.message(),
        me,
        req.random_id,
        self_user,
    ))
}

/// Users that `messages` (senders and user peers) and `peers` mention, plus the caller.
async fn users_of(
    deps: &BffDeps,
    ctx: &RpcContext,
    me: i64,
    messages: &[BoxMessage],
    peers: &[Peer],
) -> Result<Vec<enums::User>, RpcError> {
    let mut ids = vec![me];
    for m in messages {
        ids.push(m.from_id);
    }
    for peer in messages.iter().map(|m| m.peer).chain(peers.iter().copied()) {
        if let Peer::User(id) = peer {
            ids.push(id);
        }
    }
    let found = deps.storage.users.get_many(&ids).await?;
    Ok(found
        .iter()
        .map(|u| convert::user(u, me, ctx.now))
        .collect())
}

async fn get_history(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::GetHistory,
) -> Result<enums::messages::Messages, RpcError> {
    let me = ctx.user()?;
    let peer = saved_messages_peer(&deps, &ctx, &req.peer).await?;
    let query = HistoryQuery {
        offset_id: req.offset_id,
        offset_date: i64::from(req.offset_date),
        add_offset: req.add_offset,
        limit: req.limit,
        max_id: req.max_id,
        min_id: req.min_id,
    };
    let page = deps.storage.messages.history(me, peer, query).await?;
    let count = deps.storage.messages.count(me, peer).await?;
    let messages: Vec<enums::Message> = page.iter().map(|m| convert::message(m, me)).collect();
    let users = users_of(&deps, &ctx, me, &page, &[]).await?;
    // The whole dialog fits in this answer: messages.messages; otherwise a slice with the total.
    if i64::try_from(page.len()).ok() == Some(count) {
        return Ok(enums::messages::Messages::Messages(
            types::messages::Messages {
                messages,
                topics: Vec::new(),
                chats: Vec::new(),
                users,
            },
        ));
    }
    Ok(enums::messages::Messages::Slice(
        types::messages::MessagesSlice {
            inexact: false,
            count: i32::try_from(count).unwrap_or(i32::MAX),
            next_rate: None,
            offset_id_offset: None,
            search_flood: None,
            messages,
            topics: Vec::new(),
            chats: Vec::new(),
            users,
        },
    ))
}

async fn read_history(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::ReadHistory,
) -> Result<enums::messages::AffectedMessages, RpcError> {
    let me = ctx.user()?;
    let peer = saved_messages_peer(&deps, &ctx, &req.peer).await?;
    // max_id 0 means "everything": up to the dialog's newest message.
    let max_id = if req.max_id > 0 {
        Some(req.max_id)
    } else {
        deps.storage
            .dialogs
            .get(me, peer)
            .await?
            .map(|d| d.top_message)
    };
    if let Some(max_id) = max_id.filter(|id| *id > 0) {
        deps.storage
            .dialogs
            .set_read_inbox(me, peer, max_id)
            .await?;
    }
    // Marking read does not advance the box's pts here (the store only counts message
    // changes), so the answer reports the current pts with pts_count 0.
    let state = deps.storage.update_states.get_state(me).await?;
    Ok(enums::messages::AffectedMessages::Messages(
        types::messages::AffectedMessages {
            pts: state.pts,
            pts_count: 0,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::utf16_len;

    #[test]
    fn length_counts_utf16_units() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("é"), 1);
        assert_eq!(utf16_len("😀"), 2);
    }
}
