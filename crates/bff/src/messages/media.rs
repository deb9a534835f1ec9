//! Messages with media (core.telegram.org/method/messages.sendMedia,
//! /method/messages.uploadMedia, /method/messages.sendMultiMedia, /api/files#sending-files).
//!
//! Uploaded photos and documents become media records through the media service; a photo
//! or document sent again by id must carry its access hash and a current file reference
//! (core.telegram.org/api/file_reference). Media messages are answered and pushed as full
//! `updates` (the short update forms cannot carry media).

use std::sync::Arc;

use echo_media::{DocumentRecord, NewDocument, PhotoRecord};
use echo_msg::{SendRequest, Sent};
use echo_storage::Peer;
use echo_tl::{enums, functions, types, Serializable};

use super::send::{check_blocks, reply_target};
use super::{resolve_peer, users_of, utf16_len};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert;
use crate::help::{tl_date, CAPTION_LENGTH_MAX};
use crate::media_tl;
use crate::router::Router;

/// Most items of one album (messages.sendMultiMedia).
pub(crate) const ALBUM_MAX: usize = 10;

/// A fresh album id (`grouped_id` of core.telegram.org/constructor/message): random, so ids
/// of different albums do not collide across servers without coordination; positive and
/// non-zero like Telegram's.
pub(crate) fn new_grouped_id() -> i64 {
    (rand::random::<i64>() & i64::MAX).max(1)
}

pub fn register(r: &mut Router) {
    r.method(send_media);
    r.method(upload_media);
    r.method(send_multi_media);
}

/// FILE_REFERENCE_* for a photo or document named by id (MEDIA_INVALID when unknown or
/// the access hash is wrong).
fn check_reference(
    stored_hash: i64,
    stored_ref: &[u8],
    access_hash: i64,
    file_reference: &[u8],
) -> Result<(), RpcError> {
    if stored_hash != access_hash {
        return Err(RpcError::bad_request("MEDIA_INVALID"));
    }
    if file_reference.is_empty() {
        return Err(RpcError::bad_request("FILE_REFERENCE_EMPTY"));
    }
    if file_reference.len() != stored_ref.len() {
        return Err(RpcError::bad_request("FILE_REFERENCE_INVALID"));
    }
    if file_reference != stored_ref {
        return Err(RpcError::bad_request("FILE_REFERENCE_EXPIRED"));
    }
    Ok(())
}

/// A photo named by inputPhoto, checked.
pub(crate) async fn known_photo(
    deps: &BffDeps,
    input: &enums::InputPhoto,
) -> Result<PhotoRecord, RpcError> {
    let enums::InputPhoto::Photo(p) = input else {
        return Err(RpcError::bad_request("MEDIA_EMPTY"));
    };
    let photo = deps
        .media
        .photo(p.id)
        .await?
        .ok_or_else(|| RpcError::bad_request("MEDIA_INVALID"))?;
    check_reference(
        photo.access_hash,
        &photo.file_reference,
        p.access_hash,
        &p.file_reference,
    )?;
    Ok(photo)
}

async fn known_document(
    deps: &BffDeps,
    input: &enums::InputDocument,
) -> Result<DocumentRecord, RpcError> {
    let enums::InputDocument::Document(d) = input else {
        return Err(RpcError::bad_request("MEDIA_EMPTY"));
    };
    let doc = deps
        .media
        .document(d.id)
        .await?
        .ok_or_else(|| RpcError::bad_request("MEDIA_INVALID"))?;
    check_reference(
        doc.access_hash,
        &doc.file_reference,
        d.access_hash,
        &d.file_reference,
    )?;
    Ok(doc)
}

/// The attributes of a new document: the client's, plus the upload's file name when the
/// client gave none (as Telegram does).
fn document_attributes(
    attributes: &[enums::DocumentAttribute],
    file_name: &str,
) -> Vec<enums::DocumentAttribute> {
    let mut attrs = attributes.to_vec();
    let named = attrs
        .iter()
        .any(|a| matches!(a, enums::DocumentAttribute::Filename(_)));
    if !named && !file_name.is_empty() {
        attrs.push(enums::DocumentAttribute::Filename(
            types::DocumentAttributeFilename {
                file_name: file_name.to_string(),
            },
        ));
    }
    attrs
}

/// Turns an InputMedia into the MessageMedia to store (uploading what needs uploading).
pub(crate) async fn build_media(
    deps: &BffDeps,
    me: i64,
    input: &enums::InputMedia,
    now: i64,
) -> Result<enums::MessageMedia, RpcError> {
    match input {
        enums::InputMedia::UploadedPhoto(m) => {
            let file = media_tl::uploaded_file(&m.file)?;
            let photo = deps.media.upload_photo(me, file, now).await?;
            Ok(media_tl::media_photo(&photo, m.spoiler))
        }
        enums::InputMedia::UploadedDocument(m) => {
            let file = media_tl::uploaded_file(&m.file)?;
            let thumb = m.thumb.as_ref().map(media_tl::uploaded_file).transpose()?;
            let attributes = document_attributes(&m.attributes, &file.name);
            let mime_type = if m.mime_type.is_empty() {
                "application/octet-stream".to_string()
            } else {
                m.mime_type.clone()
            };
            let doc = deps
                .media
                .upload_document(
                    me,
                    NewDocument {
                        file,
                        thumb,
                        mime_type,
                        attributes: attributes.to_bytes(),
                    },
                    now,
                )
                .await?;
            Ok(media_tl::media_document(&doc, m.spoiler))
        }
        enums::InputMedia::Photo(m) => {
            let photo = known_photo(deps, &m.id).await?;
            Ok(media_tl::media_photo(&photo, m.spoiler))
        }
        enums::InputMedia::Document(m) => {
            let doc = known_document(deps, &m.id).await?;
            Ok(media_tl::media_document(&doc, m.spoiler))
        }
        // Geo, contacts, polls, dice, games, invoices, external URLs: not built yet.
        _ => Err(RpcError::bad_request("MEDIA_INVALID")),
    }
}

pub(crate) fn caption_ok(message: &str) -> Result<(), RpcError> {
    if utf16_len(message) > CAPTION_LENGTH_MAX as usize {
        return Err(RpcError::bad_request("MEDIA_CAPTION_TOO_LONG"));
    }
    Ok(())
}

fn new_message(m: &echo_storage::BoxMessage, viewer: i64) -> enums::Update {
    enums::Update::NewMessage(types::UpdateNewMessage {
        message: convert::message(m, viewer),
        pts: m.pts,
        pts_count: 1,
    })
}

/// Pushes sent media messages: the sender's other sessions and the recipient get full
/// `updates` with the new message (and the users it mentions).
async fn push_sent(deps: &BffDeps, ctx: &RpcContext, sent: &[Sent]) -> Result<(), RpcError> {
    let me = ctx.user()?;
    let created: Vec<&Sent> = sent.iter().filter(|s| s.created).collect();
    if created.is_empty() {
        return Ok(());
    }
    let mine = enums::Updates::Updates(types::Updates {
        updates: created.iter().map(|s| new_message(&s.outbox, me)).collect(),
        users: Vec::new(),
        chats: Vec::new(),
        date: tl_date(ctx.now),
        seq: 0,
    });
    deps.messaging.push(me, Some(ctx), &mine).await;
    let inboxes: Vec<&echo_storage::BoxMessage> =
        created.iter().filter_map(|s| s.inbox.as_ref()).collect();
    if let Some(first) = inboxes.first() {
        let them = first.user_id;
        let users = crate::contacts::view::users_by_id(deps, them, &[them, me], ctx.now).await?;
        let theirs = enums::Updates::Updates(types::Updates {
            updates: inboxes.iter().map(|m| new_message(m, them)).collect(),
            users,
            chats: Vec::new(),
            date: tl_date(ctx.now),
            seq: 0,
        });
        deps.messaging.push(them, None, &theirs).await;
    }
    Ok(())
}

/// The sender's answer: updateMessageID + updateNewMessage per message.
async fn answer(
    deps: &BffDeps,
    ctx: &RpcContext,
    peer: Peer,
    sent: &[(Sent, i64)],
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let mut updates = Vec::new();
    for (s, random_id) in sent {
        updates.push(enums::Update::MessageId(types::UpdateMessageId {
            id: s.outbox.id,
            random_id: *random_id,
        }));
        updates.push(new_message(&s.outbox, me));
    }
    let messages: Vec<echo_storage::BoxMessage> =
        sent.iter().map(|(s, _)| s.outbox.clone()).collect();
    let users = users_of(deps, ctx, me, &messages, &[peer]).await?;
    Ok(enums::Updates::Updates(types::Updates {
        updates,
        users,
        chats: Vec::new(),
        date: tl_date(ctx.now),
        seq: 0,
    }))
}

/// The checks every send makes: peer, write rights, blocks, flood; whether to deliver.
async fn prepare(
    deps: &BffDeps,
    ctx: &RpcContext,
    input_peer: &enums::InputPeer,
    count: u32,
) -> Result<(Peer, bool), RpcError> {
    let me = ctx.user()?;
    let peer = resolve_peer(deps, ctx, input_peer).await?;
    if let Peer::Chat(chat_id) = peer {
        crate::chats::check_can_write(deps, me, chat_id).await?;
    }
    let deliver = check_blocks(deps, me, peer).await?;
    let per_minute = deps.config.send_message_per_minute;
    deps.messaging.flood.check(me, ctx.now, count, per_minute)?;
    Ok((peer, deliver))
}

struct Outgoing {
    message: String,
    entities: Option<Vec<enums::MessageEntity>>,
    media: enums::MessageMedia,
    random_id: i64,
    silent: bool,
    /// The album, for the items of messages.sendMultiMedia.
    grouped_id: Option<i64>,
}

async fn store(
    deps: &BffDeps,
    ctx: &RpcContext,
    peer: Peer,
    deliver: bool,
    reply_to_msg_id: Option<i32>,
    out: Outgoing,
) -> Result<Sent, RpcError> {
    let me = ctx.user()?;
    let entities = match &out.entities {
        Some(e) if !e.is_empty() => e.to_bytes(),
        _ => Vec::new(),
    };
    Ok(deps
        .messaging
        .msg
        .send(SendRequest {
            from: me,
            to: peer,
            date: ctx.now,
            message: out.message,
            entities,
            media: out.media.to_bytes(),
            fwd: Vec::new(),
            reply_to_msg_id,
            random_id: Some(out.random_id),
            deliver,
            silent: out.silent,
            grouped_id: out.grouped_id,
        })
        .await?)
}

async fn send_media(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::SendMedia,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    if let Some(access) = crate::channels::access_peer(&deps, &ctx, &req.peer).await? {
        return crate::channels::send_media(&deps, &ctx, &access, req).await;
    }
    caption_ok(&req.message)?;
    if req.schedule_date.is_some() {
        return Err(RpcError::bad_request("SCHEDULE_DATE_INVALID"));
    }
    let (peer, deliver) = prepare(&deps, &ctx, &req.peer, 1).await?;
    let media = build_media(&deps, me, &req.media, ctx.now).await?;
    let reply_to_msg_id = reply_target(&deps, me, peer, req.reply_to.as_ref()).await?;
    let sent = store(
        &deps,
        &ctx,
        peer,
        deliver,
        reply_to_msg_id,
        Outgoing {
            message: req.message,
            entities: req.entities,
            media,
            random_id: req.random_id,
            silent: req.silent,
            grouped_id: None,
        },
    )
    .await?;
    if req.clear_draft {
        deps.storage.drafts.clear(me, peer).await?;
    }
    if let Peer::Chat(chat_id) = peer {
        crate::chats::deliver_to_members(&deps, &ctx, chat_id, &sent, req.silent).await?;
        return answer(&deps, &ctx, peer, &[(sent, req.random_id)]).await;
    }
    push_sent(&deps, &ctx, std::slice::from_ref(&sent)).await?;
    answer(&deps, &ctx, peer, &[(sent, req.random_id)]).await
}

async fn upload_media(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::UploadMedia,
) -> Result<enums::MessageMedia, RpcError> {
    let me = ctx.user()?;
    match crate::channels::access_peer(&deps, &ctx, &req.peer).await? {
        Some(access) => {
            access.member()?;
        }
        None => {
            resolve_peer(&deps, &ctx, &req.peer).await?;
        }
    }
    build_media(&deps, me, &req.media, ctx.now).await
}

async fn send_multi_media(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::SendMultiMedia,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    if let Some(access) = crate::channels::access_peer(&deps, &ctx, &req.peer).await? {
        return crate::channels::send_multi_media(&deps, &ctx, &access, req).await;
    }
    if req.multi_media.is_empty() {
        return Err(RpcError::bad_request("MEDIA_EMPTY"));
    }
    if req.multi_media.len() > ALBUM_MAX {
        return Err(RpcError::bad_request("MULTI_MEDIA_TOO_LONG"));
    }
    if req.schedule_date.is_some() {
        return Err(RpcError::bad_request("SCHEDULE_DATE_INVALID"));
    }
    let count = u32::try_from(req.multi_media.len()).unwrap_or(u32::MAX);
    let (peer, deliver) = prepare(&deps, &ctx, &req.peer, count).await?;
    // One album id for every item; a retried item keeps the id it was stored with.
    let grouped_id = Some(new_grouped_id());
    // Build every item first: a bad item fails the album before anything is sent.
    let mut outgoing = Vec::with_capacity(req.multi_media.len());
    for item in &req.multi_media {
        let enums::InputSingleMedia::Media(single) = item;
        caption_ok(&single.message)?;
        outgoing.push(Outgoing {
            message: single.message.clone(),
            entities: single.entities.clone(),
            media: build_media(&deps, me, &single.media, ctx.now).await?,
            random_id: single.random_id,
            silent: req.silent,
            grouped_id,
        });
    }
    let reply_to_msg_id = reply_target(&deps, me, peer, req.reply_to.as_ref()).await?;
    let mut sent = Vec::with_capacity(outgoing.len());
    for out in outgoing {
        let random_id = out.random_id;
        let s = store(&deps, &ctx, peer, deliver, reply_to_msg_id, out).await?;
        if let Peer::Chat(chat_id) = peer {
            crate::chats::deliver_to_members(&deps, &ctx, chat_id, &s, req.silent).await?;
        }
        sent.push((s, random_id));
    }
    if !matches!(peer, Peer::Chat(_)) {
        let only: Vec<Sent> = sent.iter().map(|(s, _)| s.clone()).collect();
        push_sent(&deps, &ctx, &only).await?;
    }
    answer(&deps, &ctx, peer, &sent).await
}
