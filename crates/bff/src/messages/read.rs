//! Reading boxes and read state (core.telegram.org/method/messages.getHistory with
//! /api/offsets, /method/messages.getMessages, /method/messages.search,
//! /method/messages.readHistory, /method/messages.setTyping).

use std::sync::Arc;

use echo_storage::{BoxMessage, HistoryQuery, Peer};
use echo_tl::{enums, functions, types};

use super::{resolve_peer, users_of};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert;
use crate::help::tl_date;
use crate::router::Router;

pub fn register(r: &mut Router) {
    r.method(get_history);
    r.method(get_messages);
    r.method(search);
    r.method(read_history);
    r.method(set_typing);
}

/// messages.messages when `page` is everything there is, else a slice with the total.
async fn messages_answer(
    deps: &BffDeps,
    ctx: &RpcContext,
    me: i64,
    page: &[BoxMessage],
    total: i64,
) -> Result<enums::messages::Messages, RpcError> {
    let messages: Vec<enums::Message> = page.iter().map(|m| convert::message(m, me)).collect();
    // Forwards name their origin: a user or a channel.
    let origins: Vec<echo_storage::Peer> = page
        .iter()
        .filter_map(|m| convert::fwd_peer(&m.fwd))
        .collect();
    let users = users_of(deps, ctx, me, page, &origins).await?;
    let mut peers: Vec<echo_storage::Peer> = page.iter().map(|m| m.peer).collect();
    peers.extend(origins);
    let chats = crate::chats::chats_of(deps, me, &peers).await?;
    if i64::try_from(page.len()).ok() == Some(total) {
        return Ok(enums::messages::Messages::Messages(
            types::messages::Messages {
                messages,
                topics: Vec::new(),
                chats,
                users,
            },
        ));
    }
    Ok(enums::messages::Messages::Slice(
        types::messages::MessagesSlice {
            inexact: false,
            count: i32::try_from(total).unwrap_or(i32::MAX),
            next_rate: None,
            offset_id_offset: None,
            search_flood: None,
            messages,
            topics: Vec::new(),
            chats,
            users,
        },
    ))
}

async fn get_history(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::GetHistory,
) -> Result<enums::messages::Messages, RpcError> {
    let me = ctx.user()?;
    if let Some(access) = crate::channels::access_peer(&deps, &ctx, &req.peer).await? {
        return crate::channels::history(&deps, &ctx, &access, &req).await;
    }
    let peer = resolve_peer(&deps, &ctx, &req.peer).await?;
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
    messages_answer(&deps, &ctx, me, &page, count).await
}

async fn get_messages(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::GetMessages,
) -> Result<enums::messages::Messages, RpcError> {
    let me = ctx.user()?;
    let ids: Vec<i32> = req
        .id
        .iter()
        .filter_map(|m| match m {
            enums::InputMessage::Id(m) => Some(m.id),
            _ => None,
        })
        .take(200)
        .collect();
    let found = deps.storage.messages.get(me, &ids).await?;
    let total = i64::try_from(found.len()).unwrap_or(i64::MAX);
    messages_answer(&deps, &ctx, me, &found, total).await
}

/// Text search within one dialog (or the whole box for inputPeerEmpty), newest first.
async fn search(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::Search,
) -> Result<enums::messages::Messages, RpcError> {
    let me = ctx.user()?;
    let peer = match &req.peer {
        enums::InputPeer::Empty => None,
        input => Some(resolve_peer(&deps, &ctx, input).await?),
    };
    let found = deps
        .storage
        .messages
        .search(me, peer, &req.q, req.limit)
        .await?;
    let page: Vec<BoxMessage> = found
        .into_iter()
        .filter(|m| req.offset_id <= 0 || m.id < req.offset_id)
        .filter(|m| req.max_id <= 0 || m.id < req.max_id)
        .filter(|m| m.id > req.min_id)
        .collect();
    let total = i64::try_from(page.len()).unwrap_or(i64::MAX);
    messages_answer(&deps, &ctx, me, &page, total).await
}

fn single(update: enums::Update, date: i64) -> enums::Updates {
    enums::Updates::Updates(types::Updates {
        updates: vec![update],
        users: Vec::new(),
        chats: Vec::new(),
        date: tl_date(date),
        seq: 0,
    })
}

async fn read_history(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::ReadHistory,
) -> Result<enums::messages::AffectedMessages, RpcError> {
    let me = ctx.user()?;
    let peer = resolve_peer(&deps, &ctx, &req.peer).await?;
    let read = match deps
        .messaging
        .msg
        .read_history(me, peer, req.max_id, ctx.now)
        .await
    {
        Ok(read) => read,
        // No dialog yet: nothing to read.
        Err(echo_msg::MsgError::NotFound) => {
            let state = deps.storage.update_states.get_state(me).await?;
            return Ok(enums::messages::AffectedMessages::Messages(
                types::messages::AffectedMessages {
                    pts: state.pts,
                    pts_count: 0,
                },
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let inbox = &read.inbox;
    if inbox.pts_count > 0 {
        let update = enums::Update::ReadHistoryInbox(types::UpdateReadHistoryInbox {
            folder_id: None,
            peer: convert::peer(peer),
            top_msg_id: None,
            max_id: inbox.dialog.read_inbox_max_id,
            still_unread_count: inbox.dialog.unread_count,
            pts: inbox.pts,
            pts_count: inbox.pts_count,
        });
        deps.messaging
            .push(me, Some(&ctx), &single(update, ctx.now))
            .await;
    }
    if let Some((sender, outbox)) = &read.outbox {
        let update = enums::Update::ReadHistoryOutbox(types::UpdateReadHistoryOutbox {
            peer: convert::peer(Peer::User(me)),
            max_id: outbox.dialog.read_outbox_max_id,
            pts: outbox.pts,
            pts_count: outbox.pts_count,
        });
        deps.messaging
            .push(*sender, None, &single(update, ctx.now))
            .await;
    }
    Ok(enums::messages::AffectedMessages::Messages(
        types::messages::AffectedMessages {
            pts: inbox.pts,
            pts_count: inbox.pts_count,
        },
    ))
}

/// Delivered live to the peer's sessions only; never stored, no pts
/// (core.telegram.org/constructor/updateUserTyping).
async fn set_typing(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::SetTyping,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    let peer = resolve_peer(&deps, &ctx, &req.peer).await?;
    if let Peer::User(id) = peer {
        if id != me {
            let update = enums::Updates::UpdateShort(types::UpdateShort {
                update: enums::Update::UserTyping(types::UpdateUserTyping {
                    user_id: me,
                    top_msg_id: None,
                    action: req.action,
                }),
                date: tl_date(ctx.now),
            });
            deps.messaging.push(id, None, &update).await;
        }
    }
    Ok(true)
}
