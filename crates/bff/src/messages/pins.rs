//! Pinned dialogs and unread marks (core.telegram.org/method/messages.toggleDialogPin,
//! /method/messages.reorderPinnedDialogs, /method/messages.getPinnedDialogs,
//! /method/messages.markDialogUnread). These have no pts; the caller's other sessions get
//! them live as updateShort.

use std::sync::Arc;

use echo_storage::{DialogQuery, Peer, StorageError, MAX_PAGE};
use echo_tl::{enums, functions, types};

use super::dialogs::expand;
use super::resolve_peer;
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert;
use crate::help::tl_date;
use crate::router::Router;
use crate::updates;

/// Telegram's limit of pinned dialogs in the main folder for a non-premium user.
const PINNED_MAX: usize = 5;

pub fn register(r: &mut Router) {
    r.method(toggle_dialog_pin);
    r.method(reorder_pinned_dialogs);
    r.method(get_pinned_dialogs);
    r.method(mark_dialog_unread);
}

async fn dialog_peer(
    deps: &BffDeps,
    ctx: &RpcContext,
    input: &enums::InputDialogPeer,
) -> Result<Peer, RpcError> {
    match input {
        enums::InputDialogPeer::Peer(p) => resolve_peer(deps, ctx, &p.peer).await,
        _ => Err(RpcError::bad_request("PEER_ID_INVALID")),
    }
}

fn tl_dialog_peer(peer: Peer) -> enums::DialogPeer {
    enums::DialogPeer::Peer(types::DialogPeer {
        peer: convert::peer(peer),
    })
}

async fn notify_others(deps: &BffDeps, ctx: &RpcContext, update: enums::Update) {
    let Ok(me) = ctx.user() else { return };
    let updates = enums::Updates::UpdateShort(types::UpdateShort {
        update,
        date: tl_date(ctx.now),
    });
    deps.messaging.push(me, Some(ctx), &updates).await;
}

async fn pinned_peers(deps: &BffDeps, me: i64) -> Result<Vec<Peer>, RpcError> {
    let query = DialogQuery {
        limit: MAX_PAGE,
        ..DialogQuery::default()
    };
    let page = deps.storage.dialogs.list(me, query).await?;
    Ok(page.iter().filter(|d| d.pinned).map(|d| d.peer).collect())
}

fn missing_dialog(e: StorageError) -> RpcError {
    match e {
        StorageError::NotFound => RpcError::bad_request("PEER_ID_INVALID"),
        other => other.into(),
    }
}

async fn toggle_dialog_pin(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::ToggleDialogPin,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    let peer = dialog_peer(&deps, &ctx, &req.peer).await?;
    if req.pinned {
        let pinned = pinned_peers(&deps, me).await?;
        if !pinned.contains(&peer) && pinned.len() >= PINNED_MAX {
            return Err(RpcError::bad_request("PINNED_DIALOGS_TOO_MUCH"));
        }
    }
    deps.storage
        .dialogs
        .set_pinned(me, peer, req.pinned)
        .await
        .map_err(missing_dialog)?;
    let update = enums::Update::DialogPinned(types::UpdateDialogPinned {
        pinned: req.pinned,
        folder_id: None,
        peer: tl_dialog_peer(peer),
    });
    notify_others(&deps, &ctx, update).await;
    Ok(true)
}

async fn reorder_pinned_dialogs(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::ReorderPinnedDialogs,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    if req.order.len() > PINNED_MAX {
        return Err(RpcError::bad_request("PINNED_DIALOGS_TOO_MUCH"));
    }
    let mut order = Vec::new();
    for input in &req.order {
        order.push(dialog_peer(&deps, &ctx, input).await?);
    }
    let current = pinned_peers(&deps, me).await?;
    for peer in &current {
        if req.force || order.contains(peer) {
            deps.storage.dialogs.set_pinned(me, *peer, false).await?;
        }
    }
    // Pinning last-first leaves the first peer with the highest pin order, listed first.
    for peer in order.iter().rev() {
        deps.storage
            .dialogs
            .set_pinned(me, *peer, true)
            .await
            .map_err(missing_dialog)?;
    }
    let update = enums::Update::PinnedDialogs(types::UpdatePinnedDialogs {
        folder_id: None,
        order: Some(
            pinned_peers(&deps, me)
                .await?
                .into_iter()
                .map(tl_dialog_peer)
                .collect(),
        ),
    });
    notify_others(&deps, &ctx, update).await;
    Ok(true)
}

async fn get_pinned_dialogs(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::GetPinnedDialogs,
) -> Result<enums::messages::PeerDialogs, RpcError> {
    let me = ctx.user()?;
    let records = if req.folder_id == 0 {
        let query = DialogQuery {
            limit: MAX_PAGE,
            ..DialogQuery::default()
        };
        let page = deps.storage.dialogs.list(me, query).await?;
        page.into_iter().filter(|d| d.pinned).collect()
    } else {
        Vec::new()
    };
    let (dialogs, messages, users) = expand(&deps, &ctx, me, &records).await?;
    let (_, state) = updates::current_state(&deps, me, ctx.now).await?;
    Ok(enums::messages::PeerDialogs::Dialogs(
        types::messages::PeerDialogs {
            dialogs,
            messages,
            chats: Vec::new(),
            users,
            state,
        },
    ))
}

async fn mark_dialog_unread(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::MarkDialogUnread,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    let peer = dialog_peer(&deps, &ctx, &req.peer).await?;
    deps.storage
        .dialogs
        .set_unread_mark(me, peer, req.unread)
        .await
        .map_err(missing_dialog)?;
    let update = enums::Update::DialogUnreadMark(types::UpdateDialogUnreadMark {
        unread: req.unread,
        peer: tl_dialog_peer(peer),
        saved_peer_id: None,
    });
    notify_others(&deps, &ctx, update).await;
    Ok(true)
}
