//! Drafts (core.telegram.org/method/messages.saveDraft, /method/messages.getAllDrafts,
//! /constructor/updateDraftMessage): one per dialog, synced to the user's other sessions
//! live (drafts have no pts) and shown in getDialogs.

use std::sync::Arc;

use echo_storage::{DraftRecord, Peer};
use echo_tl::{enums, functions, types, Deserializable, Serializable};

use super::{resolve_peer, users_of, utf16_len};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert;
use crate::help::{tl_date, MESSAGE_LENGTH_MAX};
use crate::router::Router;

pub fn register(r: &mut Router) {
    r.method(save_draft);
    r.method(get_all_drafts);
}

/// The TL draft of a record (`None`: the empty draft dated `now`).
pub(super) fn tl_draft(draft: Option<&DraftRecord>, now: i64) -> enums::DraftMessage {
    let Some(d) = draft else {
        return enums::DraftMessage::Empty(types::DraftMessageEmpty {
            date: Some(tl_date(now)),
        });
    };
    let entities = Vec::<enums::MessageEntity>::from_bytes(&d.entities)
        .ok()
        .filter(|e| !e.is_empty());
    enums::DraftMessage::Message(types::DraftMessage {
        no_webpage: d.no_webpage,
        invert_media: false,
        reply_to: d.reply_to_msg_id.map(|id| {
            enums::InputReplyTo::Message(types::InputReplyToMessage {
                reply_to_msg_id: id,
                top_msg_id: None,
                reply_to_peer_id: None,
                quote_text: None,
                quote_entities: None,
                quote_offset: None,
                monoforum_peer_id: None,
                todo_item_id: None,
                poll_option: None,
            })
        }),
        message: d.message.clone(),
        entities,
        media: None,
        date: tl_date(d.date),
        effect: None,
        suggested_post: None,
        rich_message: None,
    })
}

fn draft_update(peer: Peer, draft: enums::DraftMessage) -> enums::Update {
    enums::Update::DraftMessage(types::UpdateDraftMessage {
        peer: convert::peer(peer),
        top_msg_id: None,
        saved_peer_id: None,
        draft,
    })
}

async fn save_draft(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::SaveDraft,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    let peer = resolve_peer(&deps, &ctx, &req.peer).await?;
    if utf16_len(&req.message) > MESSAGE_LENGTH_MAX {
        return Err(RpcError::bad_request("MESSAGE_TOO_LONG"));
    }
    let draft = if req.message.is_empty() {
        deps.storage.drafts.clear(me, peer).await?;
        None
    } else {
        let record = DraftRecord {
            peer,
            date: ctx.now,
            message: req.message,
            entities: req.entities.map(|e| e.to_bytes()).unwrap_or_default(),
            reply_to_msg_id: match req.reply_to {
                Some(enums::InputReplyTo::Message(r)) => Some(r.reply_to_msg_id),
                _ => None,
            },
            no_webpage: req.no_webpage,
        };
        deps.storage.drafts.save(me, record.clone()).await?;
        Some(record)
    };
    let update = enums::Updates::UpdateShort(types::UpdateShort {
        update: draft_update(peer, tl_draft(draft.as_ref(), ctx.now)),
        date: tl_date(ctx.now),
    });
    deps.messaging.push(me, Some(&ctx), &update).await;
    Ok(true)
}

/// Every draft as updateDraftMessage in one `updates` (the method's documented answer).
async fn get_all_drafts(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    _req: functions::messages::GetAllDrafts,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let drafts = deps.storage.drafts.list(me).await?;
    let peers: Vec<Peer> = drafts.iter().map(|d| d.peer).collect();
    let users = users_of(&deps, &ctx, me, &[], &peers).await?;
    Ok(enums::Updates::Updates(types::Updates {
        updates: drafts
            .iter()
            .map(|d| draft_update(d.peer, tl_draft(Some(d), ctx.now)))
            .collect(),
        users,
        chats: Vec::new(),
        date: tl_date(ctx.now),
        seq: 0,
    }))
}
