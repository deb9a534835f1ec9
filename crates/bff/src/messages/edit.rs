//! Changing and removing messages (core.telegram.org/method/messages.editMessage,
//! /method/messages.deleteMessages, /method/messages.deleteHistory). Every affected box —
//! the caller's and, for edits and revoking deletions, the peer's — gets its own pts and
//! its own update, pushed after the change is logged.

use std::sync::Arc;

use echo_storage::{HistoryQuery, MessageEdit, MAX_PAGE};
use echo_tl::{enums, functions, types, Serializable};

use super::{resolve_peer, users_of, utf16_len};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert;
use crate::help::{tl_date, MESSAGE_LENGTH_MAX};
use crate::router::Router;

pub fn register(r: &mut Router) {
    r.method(edit_message);
    r.method(delete_messages);
    r.method(delete_history);
}

fn one_update(update: enums::Update, users: Vec<enums::User>, date: i64) -> enums::Updates {
    enums::Updates::Updates(types::Updates {
        updates: vec![update],
        users,
        chats: Vec::new(),
        date: tl_date(date),
        seq: 0,
    })
}

async fn edit_message(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::EditMessage,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    if let Some(access) = crate::channels::access_peer(&deps, &ctx, &req.peer).await? {
        return crate::channels::edit_message(&deps, &ctx, &access, req).await;
    }
    let peer = resolve_peer(&deps, &ctx, &req.peer).await?;
    if req.media.is_some() || req.schedule_date.is_some() {
        return Err(RpcError::bad_request("MEDIA_INVALID"));
    }
    let current = deps.storage.messages.get(me, &[req.id]).await?;
    let Some(current) = current.into_iter().find(|m| m.peer == peer) else {
        return Err(RpcError::bad_request("MESSAGE_ID_INVALID"));
    };
    let text = req
        .message
        .clone()
        .unwrap_or_else(|| current.message.clone());
    if text.trim().is_empty() {
        return Err(RpcError::bad_request("MESSAGE_EMPTY"));
    }
    if utf16_len(&text) > MESSAGE_LENGTH_MAX {
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
    let edit = MessageEdit {
        message: text,
        entities,
        media: current.media.clone(),
        edit_date: ctx.now,
    };
    let copies = deps.messaging.msg.edit(me, req.id, edit).await?;
    let mut answer = None;
    for copy in &copies {
        let update = enums::Update::EditMessage(types::UpdateEditMessage {
            message: convert::message(copy, copy.user_id),
            pts: copy.pts,
            pts_count: 1,
        });
        if copy.user_id == me {
            let users = users_of(&deps, &ctx, me, std::slice::from_ref(copy), &[]).await?;
            let mine = one_update(update, users, ctx.now);
            deps.messaging.push(me, Some(&ctx), &mine).await;
            answer = Some(mine);
        } else {
            let users = crate::contacts::view::users_by_id(
                &deps,
                copy.user_id,
                &[me, copy.user_id],
                ctx.now,
            )
            .await?;
            let theirs = one_update(update, users, ctx.now);
            deps.messaging.push(copy.user_id, None, &theirs).await;
        }
    }
    answer.ok_or_else(|| RpcError::bad_request("MESSAGE_ID_INVALID"))
}

/// Deletes `ids` of the caller's box (and with `revoke` every copy), pushes
/// updateDeleteMessages to each box, returns the caller's `(pts, pts_count)`.
async fn delete_ids(
    deps: &BffDeps,
    ctx: &RpcContext,
    ids: &[i32],
    revoke: bool,
) -> Result<(i32, i32), RpcError> {
    let me = ctx.user()?;
    let boxes = deps.messaging.msg.delete(me, ids, revoke, ctx.now).await?;
    let mut mine = (0, 0);
    for deletion in &boxes {
        let outcome = &deletion.outcome;
        if deletion.user_id == me {
            mine = (outcome.pts, outcome.pts_count);
        }
        if outcome.pts_count == 0 {
            continue;
        }
        let update = enums::Update::DeleteMessages(types::UpdateDeleteMessages {
            messages: outcome.deleted_ids.clone(),
            pts: outcome.pts,
            pts_count: outcome.pts_count,
        });
        let except = (deletion.user_id == me).then_some(ctx);
        let updates = one_update(update, Vec::new(), ctx.now);
        deps.messaging
            .push(deletion.user_id, except, &updates)
            .await;
    }
    Ok(mine)
}

async fn delete_messages(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::DeleteMessages,
) -> Result<enums::messages::AffectedMessages, RpcError> {
    if req.id.len() > MAX_PAGE as usize {
        return Err(RpcError::bad_request("MESSAGE_IDS_TOO_MUCH"));
    }
    let (pts, pts_count) = delete_ids(&deps, &ctx, &req.id, req.revoke).await?;
    Ok(enums::messages::AffectedMessages::Messages(
        types::messages::AffectedMessages { pts, pts_count },
    ))
}

/// One page (up to 100 messages, newest first) per call; `offset` > 0 tells the client to
/// call again (core.telegram.org/method/messages.deleteHistory).
async fn delete_history(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::DeleteHistory,
) -> Result<enums::messages::AffectedHistory, RpcError> {
    let me = ctx.user()?;
    let peer = resolve_peer(&deps, &ctx, &req.peer).await?;
    let query = HistoryQuery {
        limit: MAX_PAGE,
        // max_id is inclusive here, the history query's bound exclusive.
        max_id: if req.max_id > 0 {
            req.max_id.saturating_add(1)
        } else {
            0
        },
        ..HistoryQuery::default()
    };
    let page = deps.storage.messages.history(me, peer, query).await?;
    let ids: Vec<i32> = page.iter().map(|m| m.id).collect();
    let (pts, pts_count) = if ids.is_empty() {
        let state = deps.storage.update_states.get_state(me).await?;
        (state.pts, 0)
    } else {
        delete_ids(&deps, &ctx, &ids, req.revoke && !req.just_clear).await?
    };
    let full = page.len() >= MAX_PAGE as usize;
    Ok(enums::messages::AffectedHistory::History(
        types::messages::AffectedHistory {
            pts,
            pts_count,
            offset: if full {
                ids.last().copied().unwrap_or(0)
            } else {
                0
            },
        },
    ))
}
