//! Media and forwards in channels (core.telegram.org/method/messages.sendMedia,
//! /method/messages.sendMultiMedia and /method/messages.forwardMessages with channel peers,
//! /constructor/messageFwdHeader, /api/channel).
//!
//! Every item is one post in the channel's single message copy (`post::publish`): stored
//! with the channel's id and pts, pushed live as updateNewChannelMessage and replayed by
//! getChannelDifference and getHistory. The rights are those of text posts plus the media
//! bans of supergroups (`rights::check_can_send`).

use echo_storage::{ChannelMessage, ChannelRecord, NewChannelMessage, Peer};
use echo_tl::{enums, functions, types, Deserializable, Serializable};

use super::post::{publish, reply_target};
use super::rights::{check_can_send, Content};
use super::toggles::check_slow_mode;
use super::view::tl_channel;
use super::Access;
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;
use crate::messages::{
    box_originals, build_media, caption_ok, check_forward_ids, new_grouped_id, resolve_peer,
    send_copies, ForwardCopy, ALBUM_MAX,
};

fn entities_bytes(entities: Option<&Vec<enums::MessageEntity>>) -> Vec<u8> {
    match entities {
        Some(e) if !e.is_empty() => e.to_bytes(),
        _ => Vec::new(),
    }
}

/// What a stored item carries (text alone when there is no media).
fn content(media: &[u8]) -> Content {
    if media.is_empty() {
        return Content::Plain;
    }
    enums::MessageMedia::from_bytes(media).map_or(Content::Media, |m| Content::of(&m))
}

/// The flood limit for `count` new messages by the caller.
fn check_flood(deps: &BffDeps, ctx: &RpcContext, count: usize) -> Result<(), RpcError> {
    let count = u32::try_from(count).unwrap_or(u32::MAX);
    let per_minute = deps.config.send_message_per_minute;
    deps.messaging
        .flood
        .check(ctx.user()?, ctx.now, count, per_minute)
}

/// Posts `items` by the caller in order (one push each) and answers with all of them.
async fn post_items(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
    items: Vec<ForwardCopy>,
    reply_to_msg_id: Option<i32>,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let mut merged: Option<types::Updates> = None;
    for item in items {
        let message = NewChannelMessage {
            from_id: me,
            date: ctx.now,
            message: item.message,
            entities: item.entities,
            media: item.media,
            reply_to_msg_id,
            random_id: Some(item.random_id),
            fwd: item.fwd,
            post: access.channel.broadcast,
            grouped_id: item.grouped_id,
            ..NewChannelMessage::default()
        };
        let enums::Updates::Updates(answer) =
            publish(deps, ctx, access, message, Vec::new()).await?
        else {
            return Err(RpcError::internal());
        };
        match &mut merged {
            Some(all) => {
                all.updates.extend(answer.updates);
                // The newest rendering of the channel (its counters moved).
                all.chats = answer.chats;
            }
            None => merged = Some(answer),
        }
    }
    merged
        .map(enums::Updates::Updates)
        .ok_or_else(|| RpcError::bad_request("MEDIA_EMPTY"))
}

/// messages.sendMedia to a channel peer.
pub(crate) async fn send_media(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
    req: functions::messages::SendMedia,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    check_can_send(
        access,
        Content::of_input(&req.media).unwrap_or(Content::Media),
    )?;
    caption_ok(&req.message)?;
    if req.schedule_date.is_some() {
        return Err(RpcError::bad_request("SCHEDULE_DATE_INVALID"));
    }
    check_slow_mode(deps, ctx, access).await?;
    check_flood(deps, ctx, 1)?;
    let media = build_media(deps, me, &req.media, ctx.now).await?;
    check_can_send(access, Content::of(&media))?;
    let reply_to_msg_id = reply_target(deps, access, req.reply_to.as_ref()).await?;
    let item = ForwardCopy {
        message: req.message,
        entities: entities_bytes(req.entities.as_ref()),
        media: media.to_bytes(),
        fwd: Vec::new(),
        grouped_id: None,
        random_id: req.random_id,
    };
    let answer = post_items(deps, ctx, access, vec![item], reply_to_msg_id).await?;
    if req.clear_draft {
        let peer = Peer::Channel(access.channel.id);
        deps.storage.drafts.clear(me, peer).await?;
    }
    Ok(answer)
}

/// messages.sendMultiMedia to a channel peer: every item a post, all with one grouped_id.
pub(crate) async fn send_multi_media(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
    req: functions::messages::SendMultiMedia,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    check_can_send(access, Content::Media)?;
    if req.multi_media.is_empty() {
        return Err(RpcError::bad_request("MEDIA_EMPTY"));
    }
    if req.multi_media.len() > ALBUM_MAX {
        return Err(RpcError::bad_request("MULTI_MEDIA_TOO_LONG"));
    }
    if req.schedule_date.is_some() {
        return Err(RpcError::bad_request("SCHEDULE_DATE_INVALID"));
    }
    for item in &req.multi_media {
        let enums::InputSingleMedia::Media(single) = item;
        caption_ok(&single.message)?;
        if let Some(kind) = Content::of_input(&single.media) {
            check_can_send(access, kind)?;
        }
    }
    // The album is one send for slow mode.
    check_slow_mode(deps, ctx, access).await?;
    check_flood(deps, ctx, req.multi_media.len())?;
    let grouped_id = Some(new_grouped_id());
    // Build every item first: a bad item fails the album before anything is posted.
    let mut items = Vec::with_capacity(req.multi_media.len());
    for item in &req.multi_media {
        let enums::InputSingleMedia::Media(single) = item;
        let media = build_media(deps, me, &single.media, ctx.now).await?;
        check_can_send(access, Content::of(&media))?;
        items.push(ForwardCopy {
            message: single.message.clone(),
            entities: entities_bytes(single.entities.as_ref()),
            media: media.to_bytes(),
            fwd: Vec::new(),
            grouped_id,
            random_id: single.random_id,
        });
    }
    let reply_to_msg_id = reply_target(deps, access, req.reply_to.as_ref()).await?;
    let answer = post_items(deps, ctx, access, items, reply_to_msg_id).await?;
    if req.clear_draft {
        let peer = Peer::Channel(access.channel.id);
        deps.storage.drafts.clear(me, peer).await?;
    }
    Ok(answer)
}

/// The forward header of a copy of channel message `m`: a broadcast post is forwarded
/// from the channel (with its post id and signature), a supergroup message from its sender;
/// an already forwarded message keeps its original header.
fn forward_header(m: &ChannelMessage, channel: &ChannelRecord) -> Vec<u8> {
    if !m.fwd.is_empty() {
        return m.fwd.clone();
    }
    let (from, channel_post, post_author) = if m.post {
        (Peer::Channel(channel.id), Some(m.id), m.post_author.clone())
    } else {
        (Peer::User(m.from_id), None, None)
    };
    enums::MessageFwdHeader::Header(types::MessageFwdHeader {
        imported: false,
        saved_out: false,
        from_id: Some(crate::convert::peer(from)),
        from_name: None,
        date: tl_date(m.date),
        channel_post,
        post_author,
        saved_from_peer: None,
        saved_from_msg_id: None,
        saved_from_id: None,
        saved_from_name: None,
        saved_date: None,
        psa_type: None,
    })
    .to_bytes()
}

/// The ordinary messages of the channel that `req` names and the caller can see.
async fn channel_originals(
    deps: &BffDeps,
    access: &Access,
    req: &functions::messages::ForwardMessages,
) -> Result<Vec<ForwardCopy>, RpcError> {
    let found = deps
        .storage
        .channels
        .messages(access.channel.id, &req.id)
        .await?;
    let visible = |m: &&ChannelMessage| m.id > access.min_visible_id() && m.action.is_empty();
    let mut originals = Vec::new();
    for (id, random_id) in req.id.iter().zip(&req.random_id) {
        if let Some(m) = found.iter().filter(visible).find(|m| m.id == *id) {
            originals.push(ForwardCopy {
                message: m.message.clone(),
                entities: m.entities.clone(),
                media: m.media.clone(),
                fwd: if req.drop_author {
                    Vec::new()
                } else {
                    forward_header(m, &access.channel)
                },
                grouped_id: m.grouped_id,
                random_id: *random_id,
            });
        }
    }
    Ok(originals)
}

/// messages.forwardMessages when either peer is a channel: from a channel the caller can
/// read (members; anyone for a public channel), to a channel where they may post what the
/// messages carry, or between a channel and a user box.
pub(crate) async fn forward_messages(
    deps: &BffDeps,
    ctx: &RpcContext,
    req: &functions::messages::ForwardMessages,
    from: Option<Access>,
    to: Option<Access>,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let from_peer = match &from {
        Some(access) => {
            if super::public::outsider_view(&access.channel, access.me.as_ref()).is_none() {
                access.member()?;
            }
            Peer::Channel(access.channel.id)
        }
        None => resolve_peer(deps, ctx, &req.from_peer).await?,
    };
    let to_peer = match &to {
        Some(access) => {
            access.member()?;
            Peer::Channel(access.channel.id)
        }
        None => resolve_peer(deps, ctx, &req.to_peer).await?,
    };
    if matches!(to_peer, Peer::Chat(_)) {
        // Group delivery of forwards is not built yet; refuse rather than store half.
        return Err(RpcError::bad_request("CHAT_FORWARDS_RESTRICTED"));
    }
    check_forward_ids(req)?;
    let mut originals = match &from {
        Some(access) => channel_originals(deps, access, req).await?,
        None => box_originals(deps, me, from_peer, req).await?,
    };
    if originals.is_empty() {
        return Err(RpcError::bad_request("MESSAGE_ID_INVALID"));
    }
    let mentioned = fwd_mentions(&originals);
    let Some(to) = to else {
        let mut answer = send_copies(deps, ctx, to_peer, originals, req.silent).await?;
        add_mentions(deps, ctx, &mut answer, &mentioned).await?;
        return Ok(answer);
    };
    for item in &originals {
        check_can_send(&to, content(&item.media))?;
    }
    check_slow_mode(deps, ctx, &to).await?;
    check_flood(deps, ctx, originals.len())?;
    // Forwarded album items stay grouped, under a new album id per original album.
    let mut albums = std::collections::HashMap::new();
    for item in &mut originals {
        item.grouped_id = item
            .grouped_id
            .map(|g| *albums.entry(g).or_insert_with(new_grouped_id));
    }
    let mut answer = post_items(deps, ctx, &to, originals, None).await?;
    add_mentions(deps, ctx, &mut answer, &mentioned).await?;
    Ok(answer)
}

/// The peers the forward headers of `items` name.
fn fwd_mentions(items: &[ForwardCopy]) -> Vec<Peer> {
    let mut peers: Vec<Peer> = items
        .iter()
        .filter_map(|i| crate::convert::fwd_peer(&i.fwd))
        .collect();
    peers.sort_unstable_by_key(|p| (p.type_code(), p.id()));
    peers.dedup();
    peers
}

/// Adds the users and channels that forward headers name to an answer.
async fn add_mentions(
    deps: &BffDeps,
    ctx: &RpcContext,
    answer: &mut enums::Updates,
    mentioned: &[Peer],
) -> Result<(), RpcError> {
    let me = ctx.user()?;
    let enums::Updates::Updates(u) = answer else {
        return Ok(());
    };
    let users: Vec<i64> = mentioned
        .iter()
        .filter_map(|p| match p {
            Peer::User(id) => Some(*id),
            _ => None,
        })
        .filter(|id| {
            !u.users
                .iter()
                .any(|x| matches!(x, enums::User::User(x) if x.id == *id))
        })
        .collect();
    let channels: Vec<i64> = mentioned
        .iter()
        .filter_map(|p| match p {
            Peer::Channel(id) => Some(*id),
            _ => None,
        })
        .filter(|id| !u.chats.iter().any(|c| chat_id(c) == Some(*id)))
        .collect();
    u.users
        .extend(crate::contacts::view::users_by_id(deps, me, &users, ctx.now).await?);
    for channel in deps.storage.channels.get_many(&channels).await? {
        let mine = deps.storage.channels.participant(channel.id, me).await?;
        u.chats.push(tl_channel(&channel, mine.as_ref()));
    }
    Ok(())
}

fn chat_id(chat: &enums::Chat) -> Option<i64> {
    match chat {
        enums::Chat::Channel(c) => Some(c.id),
        enums::Chat::ChannelForbidden(c) => Some(c.id),
        _ => None,
    }
}
