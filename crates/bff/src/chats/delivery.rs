//! Delivery of basic-group messages to every member's own box (core.telegram.org/api/updates,
//! /constructor/updateShortChatMessage, /constructor/messageService): service messages from
//! the group methods, and sendMessage to a group.

use echo_msg::tl::{BoxOwnerEncoder, TlEncoder};
use echo_msg::Sent;
use echo_storage::{BoxMessage, MessageOrigin, NewBoxMessage, Peer};
use echo_tl::{enums, types, Serializable};

use super::{tl_chat, tl_participants};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert;
use crate::help::tl_date;

/// Appends a service message with `action` by the caller to the box of the caller and of
/// every user in `recipients`, pushes it (with the new participant list) to the recipients
/// and the caller's other sessions, and returns the caller's answer.
pub(crate) async fn post_service(
    deps: &BffDeps,
    ctx: &RpcContext,
    chat_id: i64,
    action: enums::MessageAction,
    recipients: &[i64],
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let log = &deps.storage.updates_log;
    let peer = Peer::Chat(chat_id);
    let message = NewBoxMessage {
        peer,
        from_id: me,
        out: true,
        date: ctx.now,
        message: String::new(),
        entities: Vec::new(),
        media: action.to_bytes(),
        reply_to_msg_id: None,
        random_id: None,
        fwd: Vec::new(),
        grouped_id: None,
    };
    let own = log
        .append_message(
            me,
            message.clone(),
            MessageOrigin::Own,
            &TlEncoder { viewer: me },
        )
        .await?
        .into_message();
    let mut others: Vec<i64> = recipients.iter().copied().filter(|u| *u != me).collect();
    others.sort_unstable();
    others.dedup();
    let copies_to_add = others
        .into_iter()
        .map(|user_id| {
            let copy = NewBoxMessage {
                out: false,
                ..message.clone()
            };
            (user_id, copy)
        })
        .collect();
    // One transaction for every recipient's copy.
    let theirs = log
        .append_copies(me, own.id, copies_to_add, &BoxOwnerEncoder)
        .await?;
    let mut copies = vec![own.clone()];
    copies.extend(theirs);
    let chat = deps.storage.chats.get(chat_id).await?;
    let members = deps.storage.chats.members(chat_id).await?;
    let member_ids: Vec<i64> = members.iter().map(|m| m.user_id).collect();
    let mut mentioned = member_ids.clone();
    mentioned.extend_from_slice(recipients);
    let mut answer = None;
    for copy in &copies {
        let owner = copy.user_id;
        let member = member_ids.contains(&owner);
        let mut updates = vec![enums::Update::NewMessage(types::UpdateNewMessage {
            message: convert::message(copy, owner),
            pts: copy.pts,
            pts_count: 1,
        })];
        let mut chats = Vec::new();
        if let Some(chat) = &chat {
            if member {
                updates.push(enums::Update::ChatParticipants(
                    types::UpdateChatParticipants {
                        participants: tl_participants(chat, &members),
                    },
                ));
            }
            chats.push(tl_chat(chat, owner, member));
        }
        let users =
            crate::contacts::view::users_by_id(deps, owner, &dedup(&mentioned, owner), ctx.now)
                .await?;
        let tl = enums::Updates::Updates(types::Updates {
            updates,
            users,
            chats,
            date: tl_date(ctx.now),
            seq: 0,
        });
        if owner == me {
            deps.messaging.push(me, Some(ctx), &tl).await;
            answer = Some(tl);
        } else {
            deps.messaging.push(owner, None, &tl).await;
        }
    }
    answer.ok_or_else(|| RpcError::new(500, "INTERNAL"))
}

fn dedup(ids: &[i64], plus: i64) -> Vec<i64> {
    let mut ids = ids.to_vec();
    ids.push(plus);
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// What a member's sessions get for a group copy `m`: the short form, or full `updates` with
/// the message when it has media (updateShortChatMessage cannot carry media).
fn chat_push(m: &BoxMessage, chat_id: i64, silent: bool) -> enums::Updates {
    if m.media.is_empty() {
        return short_chat_message(m, chat_id, silent);
    }
    enums::Updates::Updates(types::Updates {
        updates: vec![enums::Update::NewMessage(types::UpdateNewMessage {
            message: convert::message(m, m.user_id),
            pts: m.pts,
            pts_count: 1,
        })],
        users: Vec::new(),
        chats: Vec::new(),
        date: tl_date(m.date),
        seq: 0,
    })
}

/// updateShortChatMessage for a group copy `m` as its owner sees it.
fn short_chat_message(m: &BoxMessage, chat_id: i64, silent: bool) -> enums::Updates {
    let entities = echo_msg::tl::message(m, m.user_id);
    let entities = match entities {
        enums::Message::Message(msg) => msg.entities,
        _ => None,
    };
    enums::Updates::UpdateShortChatMessage(types::UpdateShortChatMessage {
        out: m.out,
        mentioned: false,
        media_unread: false,
        silent,
        id: m.id,
        from_id: m.from_id,
        chat_id,
        message: m.message.clone(),
        pts: m.pts,
        pts_count: 1,
        date: tl_date(m.date),
        fwd_from: None,
        via_bot_id: None,
        reply_to: m.reply_to_msg_id.map(echo_msg::tl::reply_header),
        entities,
        ttl_period: None,
    })
}

/// Delivers a message the caller just stored in their own box (`sent.outbox`, to group
/// `chat_id`) to every other current member's box, pushes it, and answers the caller with
/// updateShortSentMessage. A repeated random_id delivers nothing again.
pub(crate) async fn deliver_to_members(
    deps: &BffDeps,
    ctx: &RpcContext,
    chat_id: i64,
    sent: &Sent,
    silent: bool,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let own = &sent.outbox;
    if sent.created {
        let mut copies = Vec::new();
        for member in deps.storage.chats.members(chat_id).await? {
            if member.user_id == me {
                continue;
            }
            let reply_to_msg_id = match own.reply_to_msg_id {
                Some(id) => copy_id(deps, me, id, member.user_id).await?,
                None => None,
            };
            let copy = NewBoxMessage {
                peer: Peer::Chat(chat_id),
                from_id: me,
                out: false,
                date: own.date,
                message: own.message.clone(),
                entities: own.entities.clone(),
                media: own.media.clone(),
                reply_to_msg_id,
                random_id: None,
                fwd: own.fwd.clone(),
                grouped_id: own.grouped_id,
            };
            copies.push((member.user_id, copy));
        }
        // Every member's copy in one transaction (one commit instead of one per member);
        // pushed once all are durable.
        let theirs = deps
            .storage
            .updates_log
            .append_copies(me, own.id, copies, &BoxOwnerEncoder)
            .await?;
        for copy in &theirs {
            let push = chat_push(copy, chat_id, silent);
            deps.messaging.push(copy.user_id, None, &push).await;
        }
        let mine = chat_push(own, chat_id, silent);
        deps.messaging.push(me, Some(ctx), &mine).await;
    }
    let enums::Updates::UpdateShortChatMessage(short) = short_chat_message(own, chat_id, silent)
    else {
        return Err(RpcError::new(500, "INTERNAL"));
    };
    Ok(enums::Updates::UpdateShortSentMessage(
        types::UpdateShortSentMessage {
            out: true,
            id: own.id,
            pts: own.pts,
            pts_count: 1,
            date: tl_date(own.date),
            media: None,
            entities: short.entities,
            ttl_period: None,
        },
    ))
}

/// The id in `target`'s box of the copy of `user_id`'s message `id`, if any.
async fn copy_id(
    deps: &BffDeps,
    user_id: i64,
    id: i32,
    target: i64,
) -> Result<Option<i32>, RpcError> {
    let log = &deps.storage.updates_log;
    let Some(link) = log.links_of(user_id, &[id]).await?.into_iter().next() else {
        return Ok(None);
    };
    let copies = log
        .copies_of(link.origin_user_id, &[link.origin_message_id])
        .await?;
    Ok(copies
        .iter()
        .find(|c| c.user_id == target)
        .map(|c| c.message_id))
}
