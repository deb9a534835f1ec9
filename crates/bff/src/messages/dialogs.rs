//! The dialog list (core.telegram.org/method/messages.getDialogs,
//! /method/messages.getPeerDialogs): each dialog with its top message and the users they
//! mention (private chats and Saved Messages).

use std::sync::Arc;

use echo_storage::{DialogQuery, DialogRecord, Peer};
use echo_tl::{enums, functions, types};

use super::{resolve_peer, users_of};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert;
use crate::router::Router;
use crate::updates;

/// The archive folder (core.telegram.org/api/folders); nothing is archived yet.
const ARCHIVE_FOLDER_ID: i32 = 1;

pub fn register(r: &mut Router) {
    r.method(get_dialogs);
    r.method(get_peer_dialogs);
}

/// The page position a client passes back: the peer of the last dialog it got. Access
/// hashes are not checked here, since the peer is only a cursor.
fn offset_peer(input: &enums::InputPeer, me: i64) -> Option<Peer> {
    match input {
        enums::InputPeer::PeerSelf => Some(Peer::User(me)),
        enums::InputPeer::User(u) => Some(Peer::User(u.user_id)),
        enums::InputPeer::Chat(c) => Some(Peer::Chat(c.chat_id)),
        enums::InputPeer::Channel(c) => Some(Peer::Channel(c.channel_id)),
        _ => None,
    }
}

/// Dialog objects, their top messages and users, from dialog records.
pub(super) async fn expand(
    deps: &BffDeps,
    ctx: &RpcContext,
    me: i64,
    records: &[DialogRecord],
) -> Result<(Vec<enums::Dialog>, Vec<enums::Message>, Vec<enums::User>), RpcError> {
    let top_ids: Vec<i32> = records
        .iter()
        .map(|d| d.top_message)
        .filter(|id| *id > 0)
        .collect();
    let tops = deps.storage.messages.get(me, &top_ids).await?;
    let peers: Vec<Peer> = records.iter().map(|d| d.peer).collect();
    let users = users_of(deps, ctx, me, &tops, &peers).await?;
    let drafts = deps.storage.drafts.list(me).await?;
    let dialogs = records
        .iter()
        .map(|record| {
            let mut dialog = convert::dialog(record);
            let enums::Dialog::Dialog(d) = &mut dialog else {
                return dialog;
            };
            if let Some(draft) = drafts.iter().find(|x| x.peer == record.peer) {
                d.draft = Some(super::drafts::tl_draft(Some(draft), ctx.now));
            }
            dialog
        })
        .collect();
    Ok((
        dialogs,
        tops.iter().map(|m| convert::message(m, me)).collect(),
        users,
    ))
}

async fn get_dialogs(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::GetDialogs,
) -> Result<enums::messages::Dialogs, RpcError> {
    let me = ctx.user()?;
    if req.folder_id == Some(ARCHIVE_FOLDER_ID) {
        return Ok(enums::messages::Dialogs::Dialogs(
            types::messages::Dialogs {
                dialogs: Vec::new(),
                messages: Vec::new(),
                chats: Vec::new(),
                users: Vec::new(),
            },
        ));
    }
    let query = DialogQuery {
        offset_date: i64::from(req.offset_date),
        offset_id: req.offset_id,
        offset_peer: offset_peer(&req.offset_peer, me),
        limit: req.limit,
        exclude_pinned: req.exclude_pinned,
    };
    let first_page = query.offset_date == 0 && query.offset_id == 0;
    let records = deps.storage.dialogs.list(me, query).await?;
    let total = deps.storage.dialogs.count(me).await?;
    let (dialogs, messages, users) = expand(&deps, &ctx, me, &records).await?;
    let peers: Vec<Peer> = records.iter().map(|d| d.peer).collect();
    let chats = crate::chats::chats_of(&deps, me, &peers).await?;
    // The complete list in one answer is messages.dialogs; any part of it is a slice.
    if first_page && i64::try_from(records.len()).ok() == Some(total) {
        return Ok(enums::messages::Dialogs::Dialogs(
            types::messages::Dialogs {
                dialogs,
                messages,
                chats,
                users,
            },
        ));
    }
    Ok(enums::messages::Dialogs::Slice(
        types::messages::DialogsSlice {
            count: i32::try_from(total).unwrap_or(i32::MAX),
            dialogs,
            messages,
            chats,
            users,
        },
    ))
}

/// A dialog that has no messages yet: Telegram still answers with one, top_message 0.
fn empty_dialog(peer: Peer) -> DialogRecord {
    DialogRecord {
        peer,
        top_message: 0,
        top_date: 0,
        read_inbox_max_id: 0,
        read_outbox_max_id: 0,
        unread_count: 0,
        pinned: false,
        unread_mark: false,
    }
}

async fn get_peer_dialogs(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::GetPeerDialogs,
) -> Result<enums::messages::PeerDialogs, RpcError> {
    let me = ctx.user()?;
    let mut records = Vec::new();
    for input in &req.peers {
        let enums::InputDialogPeer::Peer(p) = input else {
            return Err(RpcError::bad_request("PEER_ID_INVALID"));
        };
        let peer = resolve_peer(&deps, &ctx, &p.peer).await?;
        if records.iter().any(|d: &DialogRecord| d.peer == peer) {
            continue;
        }
        let record = deps
            .storage
            .dialogs
            .get(me, peer)
            .await?
            .unwrap_or_else(|| empty_dialog(peer));
        records.push(record);
    }
    let (dialogs, messages, users) = expand(&deps, &ctx, me, &records).await?;
    let peers: Vec<Peer> = records.iter().map(|d| d.peer).collect();
    let chats = crate::chats::chats_of(&deps, me, &peers).await?;
    let (_, state) = updates::current_state(&deps, me, ctx.now).await?;
    Ok(enums::messages::PeerDialogs::Dialogs(
        types::messages::PeerDialogs {
            dialogs,
            messages,
            chats,
            users,
            state,
        },
    ))
}
