//! Blocking users: contacts.block, contacts.unblock, contacts.getBlocked
//! (core.telegram.org/method/contacts.block, /method/contacts.getBlocked).
//!
//! Only users can be blocked here; an input peer with a wrong access hash is
//! PEER_ID_INVALID like an unknown one.

use std::sync::Arc;

use echo_storage::{UserRecord, MAX_PAGE};
use echo_tl::{enums, functions, types};

use super::view;
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert;
use crate::help::tl_date;
use crate::router::Router;

pub fn register(r: &mut Router) {
    r.method(block);
    r.method(unblock);
    r.method(get_blocked);
}

/// The user an input peer names, checking its access hash: PEER_ID_INVALID otherwise.
pub async fn resolve_peer_user(
    deps: &BffDeps,
    input: &enums::InputPeer,
    me: i64,
) -> Result<UserRecord, RpcError> {
    let invalid = || RpcError::bad_request("PEER_ID_INVALID");
    let (id, access_hash) = match input {
        enums::InputPeer::PeerSelf => (me, None),
        enums::InputPeer::User(u) => (u.user_id, Some(u.access_hash)),
        _ => return Err(invalid()),
    };
    let user = deps.storage.users.get(id).await?.ok_or_else(invalid)?;
    match access_hash {
        Some(hash) if hash != user.access_hash => Err(invalid()),
        _ => Ok(user),
    }
}

async fn target(deps: &BffDeps, input: &enums::InputPeer, me: i64) -> Result<i64, RpcError> {
    let user = resolve_peer_user(deps, input, me).await?;
    if user.id == me {
        return Err(RpcError::bad_request("CONTACT_ID_INVALID"));
    }
    Ok(user.id)
}

/// Tells the caller's other sessions (updatePeerBlocked, no pts: a live hint only).
async fn push_blocked(deps: &BffDeps, ctx: &RpcContext, me: i64, id: i64, blocked: bool) {
    let update = enums::Updates::UpdateShort(types::UpdateShort {
        update: enums::Update::PeerBlocked(types::UpdatePeerBlocked {
            blocked,
            blocked_my_stories_from: false,
            peer_id: convert::peer(echo_storage::Peer::User(id)),
        }),
        date: tl_date(ctx.now),
    });
    deps.messaging.push(me, Some(ctx), &update).await;
}

async fn block(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::contacts::Block,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    let id = target(&deps, &req.id, me).await?;
    if deps.storage.blocks.block(me, id, ctx.now).await? {
        push_blocked(&deps, &ctx, me, id, true).await;
    }
    Ok(true)
}

async fn unblock(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::contacts::Unblock,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    let id = target(&deps, &req.id, me).await?;
    if deps.storage.blocks.unblock(me, id).await? {
        push_blocked(&deps, &ctx, me, id, false).await;
    }
    Ok(true)
}

async fn get_blocked(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::contacts::GetBlocked,
) -> Result<enums::contacts::Blocked, RpcError> {
    let me = ctx.user()?;
    let offset = req.offset.max(0);
    let limit = req.limit.clamp(1, MAX_PAGE);
    let page = deps.storage.blocks.list_blocked(me, offset, limit).await?;
    let count = deps.storage.blocks.count_blocked(me).await?;
    let ids: Vec<i64> = page.iter().map(|b| b.blocked_id).collect();
    let users = view::users_by_id(&deps, me, &ids, ctx.now).await?;
    let blocked: Vec<enums::PeerBlocked> = page
        .iter()
        .map(|b| {
            enums::PeerBlocked::Blocked(types::PeerBlocked {
                peer_id: convert::peer(echo_storage::Peer::User(b.blocked_id)),
                date: tl_date(b.created_at),
            })
        })
        .collect();
    let whole_list = offset == 0 && usize::try_from(count).is_ok_and(|c| c <= blocked.len());
    Ok(if whole_list {
        enums::contacts::Blocked::Blocked(types::contacts::Blocked {
            blocked,
            chats: Vec::new(),
            users,
        })
    } else {
        enums::contacts::Blocked::Slice(types::contacts::BlockedSlice {
            count: i32::try_from(count).unwrap_or(i32::MAX),
            blocked,
            chats: Vec::new(),
            users,
        })
    })
}
