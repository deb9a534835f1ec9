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
    // Channel dialogs are computed, not stored per member: merge them in by date.
    let mut channels = crate::channels::channel_dialogs(&deps, me).await?;
    let total =
        deps.storage.dialogs.count(me).await? + i64::try_from(channels.len()).unwrap_or(i64::MAX);
    if query.offset_date > 0 {
        channels.retain(|c| c.top_date < query.offset_date && query.offset_peer != Some(c.peer));
    }
    let limit = usize::try_from(echo_storage::clamp_limit(query.limit)).unwrap_or(20);
    let merged = merge(&records, channels, limit);
    let records: Vec<DialogRecord> = merged
        .iter()
        .filter_map(|d| match d {
            Merged::Box(r) => Some(r.clone()),
            Merged::Channel(_) => None,
        })
        .collect();
    let (box_dialogs, mut messages, mut users) = expand(&deps, &ctx, me, &records).await?;
    let peers: Vec<Peer> = records.iter().map(|d| d.peer).collect();
    let mut chats = crate::chats::chats_of(&deps, me, &peers).await?;
    let mut box_dialogs = box_dialogs.into_iter();
    let mut dialogs = Vec::with_capacity(merged.len());
    let mut senders = Vec::new();
    for d in merged {
        match d {
            Merged::Box(_) => dialogs.extend(box_dialogs.next()),
            Merged::Channel(c) => {
                let c = *c;
                dialogs.push(c.dialog);
                messages.extend(c.top);
                chats.push(c.chat);
                senders.extend(c.sender);
            }
        }
    }
    add_users(&deps, &ctx, me, &mut users, &senders).await?;
    let records_len = dialogs.len();
    // The complete list in one answer is messages.dialogs; any part of it is a slice.
    if first_page && i64::try_from(records_len).ok() == Some(total) {
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

/// One entry of a merged dialog page.
enum Merged {
    Box(DialogRecord),
    Channel(Box<crate::channels::ChannelDialog>),
}

/// Box dialogs (already ordered, pinned first) and channel dialogs (newest first) merged
/// by top date; at most `limit`.
fn merge(
    records: &[DialogRecord],
    channels: Vec<crate::channels::ChannelDialog>,
    limit: usize,
) -> Vec<Merged> {
    let mut out = Vec::new();
    let mut channels = channels.into_iter().peekable();
    for record in records {
        while let Some(c) = channels.peek() {
            if record.pinned || c.top_date <= record.top_date {
                break;
            }
            out.extend(channels.next().map(|c| Merged::Channel(Box::new(c))));
        }
        out.push(Merged::Box(record.clone()));
    }
    out.extend(channels.map(|c| Merged::Channel(Box::new(c))));
    out.truncate(limit);
    out
}

/// Adds the users of `ids` missing from `users`, as `me` sees them.
async fn add_users(
    deps: &BffDeps,
    ctx: &RpcContext,
    me: i64,
    users: &mut Vec<enums::User>,
    ids: &[i64],
) -> Result<(), RpcError> {
    let known = |id: i64| {
        users
            .iter()
            .any(|u| matches!(u, enums::User::User(u) if u.id == id))
    };
    let mut missing: Vec<i64> = ids.iter().copied().filter(|id| !known(*id)).collect();
    missing.sort_unstable();
    missing.dedup();
    if !missing.is_empty() {
        users.extend(crate::contacts::view::users_by_id(deps, me, &missing, ctx.now).await?);
    }
    Ok(())
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
    let mut channel_dialogs = Vec::new();
    for input in &req.peers {
        let enums::InputDialogPeer::Peer(p) = input else {
            return Err(RpcError::bad_request("PEER_ID_INVALID"));
        };
        if let Some(access) = crate::channels::access_peer(&deps, &ctx, &p.peer).await? {
            channel_dialogs.push(crate::channels::peer_dialog(&deps, me, &access).await?);
            continue;
        }
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
    let (mut dialogs, mut messages, mut users) = expand(&deps, &ctx, me, &records).await?;
    let peers: Vec<Peer> = records.iter().map(|d| d.peer).collect();
    let mut chats = crate::chats::chats_of(&deps, me, &peers).await?;
    let mut senders = Vec::new();
    for c in channel_dialogs {
        dialogs.push(c.dialog);
        messages.extend(c.top);
        chats.push(c.chat);
        senders.extend(c.sender);
    }
    add_users(&deps, &ctx, me, &mut users, &senders).await?;
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
