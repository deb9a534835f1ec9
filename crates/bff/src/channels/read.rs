//! Reading channels: core.telegram.org/method/messages.getHistory with a channel peer
//! (/api/offsets), /method/channels.getMessages (messages.channelMessages with the channel
//! pts), /method/channels.readHistory (updateReadChannelInbox to the reader's other sessions,
//! updateReadChannelOutbox to the authors whose messages were read, supergroups only).

use std::sync::Arc;

use echo_storage::{ChannelMessage, ChannelRecord, HistoryQuery, Peer};
use echo_tl::{enums, functions, types};

use super::view::{empty_message, tl_channel, tl_message};
use super::{access_input, Access};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;
use crate::router::Router;

/// Most ids one getMessages call takes.
const GET_MESSAGES_MAX: usize = 200;

pub fn register(r: &mut Router) {
    r.method(get_messages);
    r.method(read_history);
}

/// messages.channelMessages for `messages` (already in the order to show), with the users
/// and other channels they mention.
pub(crate) async fn channel_messages(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
    channel: &ChannelRecord,
    messages: Vec<enums::Message>,
    mentioned: &[Peer],
    count: i64,
) -> Result<enums::messages::Messages, RpcError> {
    let me = ctx.user()?;
    let (users, others) = split_mentions(mentioned, me, channel.id);
    let users = crate::contacts::view::users_by_id(deps, me, &users, ctx.now).await?;
    let mut chats = vec![tl_channel(channel, access.me.as_ref())];
    chats.extend(super::chats_for(deps, me, &others).await?);
    Ok(enums::messages::Messages::ChannelMessages(
        types::messages::ChannelMessages {
            inexact: false,
            pts: channel.pts,
            count: i32::try_from(count).unwrap_or(i32::MAX),
            offset_id_offset: None,
            messages,
            topics: Vec::new(),
            chats,
            users,
        },
    ))
}

/// The users (with `me`) and the channels other than `channel_id` of `mentioned`, sorted
/// and without repeats.
pub(crate) fn split_mentions(mentioned: &[Peer], me: i64, channel_id: i64) -> (Vec<i64>, Vec<i64>) {
    let mut users = vec![me];
    let mut channels = Vec::new();
    for peer in mentioned {
        match *peer {
            Peer::User(id) => users.push(id),
            Peer::Channel(id) if id != channel_id => channels.push(id),
            _ => {}
        }
    }
    for ids in [&mut users, &mut channels] {
        ids.sort_unstable();
        ids.dedup();
    }
    (users, channels)
}

/// Who `page` mentions: the senders of supergroup messages, the users service actions
/// name and the origins of forwards.
pub(crate) fn mentions(page: &[ChannelMessage]) -> Vec<Peer> {
    let mut out = Vec::new();
    for m in page {
        out.extend(super::view::mentioned_users(m).into_iter().map(Peer::User));
        out.extend(crate::convert::fwd_peer(&m.fwd));
    }
    out
}

/// messages.getHistory for a channel: members, and anyone for a public channel
/// (CHANNEL_PRIVATE otherwise); messages hidden from the caller (pre-history) are left out.
pub(crate) async fn history(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
    req: &functions::messages::GetHistory,
) -> Result<enums::messages::Messages, RpcError> {
    let me = ctx.user()?;
    // Outsiders may preview a public channel (core.telegram.org/api/channel).
    if super::public::outsider_view(&access.channel, access.me.as_ref()).is_none() {
        access.member()?;
    }
    let channel = &access.channel;
    let min_visible = access.min_visible_id();
    let query = HistoryQuery {
        offset_id: req.offset_id,
        offset_date: i64::from(req.offset_date),
        add_offset: req.add_offset,
        limit: req.limit,
        max_id: req.max_id,
        min_id: req.min_id,
    };
    let store = &deps.storage.channels;
    let page = store.history(channel.id, min_visible, query).await?;
    let count = store.count_messages(channel.id, min_visible).await?;
    let messages = page.iter().map(|m| tl_message(m, channel, me)).collect();
    channel_messages(
        deps,
        ctx,
        access,
        channel,
        messages,
        &mentions(&page),
        count,
    )
    .await
}

async fn get_messages(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::GetMessages,
) -> Result<enums::messages::Messages, RpcError> {
    let me = ctx.user()?;
    let access = access_input(&deps, &ctx, &req.channel).await?;
    access.member()?;
    let channel = &access.channel;
    let store = &deps.storage.channels;
    let mut wanted = Vec::new();
    for input in req.id.iter().take(GET_MESSAGES_MAX) {
        match input {
            enums::InputMessage::Id(m) => wanted.push(m.id),
            enums::InputMessage::ReplyTo(m) => {
                let replied = store
                    .messages(channel.id, &[m.id])
                    .await?
                    .first()
                    .and_then(|m| m.reply_to_msg_id);
                wanted.push(replied.unwrap_or(0));
            }
            // Pins and callback queries come with the second wave: nothing to show.
            _ => wanted.push(0),
        }
    }
    let found = store.messages(channel.id, &wanted).await?;
    let visible: Vec<&ChannelMessage> = found
        .iter()
        .filter(|m| m.id > access.min_visible_id())
        .collect();
    let messages: Vec<enums::Message> = wanted
        .iter()
        .map(|id| match visible.iter().find(|m| m.id == *id) {
            Some(m) => tl_message(m, channel, me),
            None => empty_message(channel.id, *id),
        })
        .collect();
    let count = i64::try_from(messages.len()).unwrap_or(i64::MAX);
    let shown: Vec<ChannelMessage> = visible.into_iter().cloned().collect();
    channel_messages(
        &deps,
        &ctx,
        &access,
        channel,
        messages,
        &mentions(&shown),
        count,
    )
    .await
}

async fn read_history(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::ReadHistory,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    let access = access_input(&deps, &ctx, &req.channel).await?;
    let before = access.member()?.read_inbox_max_id;
    let channel = &access.channel;
    let store = &deps.storage.channels;
    let read = store.read_inbox(channel.id, me, req.max_id).await?;
    if !read.changed {
        return Ok(true);
    }
    let inbox = enums::Updates::Updates(types::Updates {
        updates: vec![enums::Update::ReadChannelInbox(
            types::UpdateReadChannelInbox {
                folder_id: None,
                channel_id: channel.id,
                max_id: read.max_id,
                still_unread_count: read.still_unread,
                pts: channel.pts,
            },
        )],
        users: Vec::new(),
        chats: vec![tl_channel(channel, access.me.as_ref())],
        date: tl_date(ctx.now),
        seq: 0,
    });
    deps.messaging.push(me, Some(&ctx), &inbox).await;
    if channel.megagroup {
        // The authors of what was just read see their messages as read (Telegram shows
        // read receipts in supergroups, not in broadcasts).
        let query = HistoryQuery {
            limit: 100,
            min_id: before,
            max_id: read.max_id.saturating_add(1),
            ..HistoryQuery::default()
        };
        let newly_read = store.history(channel.id, 0, query).await?;
        let mut authors: Vec<i64> = newly_read
            .iter()
            .map(|m| m.from_id)
            .filter(|a| *a != me)
            .collect();
        authors.sort_unstable();
        authors.dedup();
        for author in authors {
            if !store.read_outbox(channel.id, author, read.max_id).await? {
                continue;
            }
            let theirs = store.participant(channel.id, author).await?;
            let outbox = enums::Updates::Updates(types::Updates {
                updates: vec![enums::Update::ReadChannelOutbox(
                    types::UpdateReadChannelOutbox {
                        channel_id: channel.id,
                        max_id: read.max_id,
                    },
                )],
                users: Vec::new(),
                chats: vec![tl_channel(channel, theirs.as_ref())],
                date: tl_date(ctx.now),
                seq: 0,
            });
            deps.messaging.push(author, None, &outbox).await;
        }
    }
    Ok(true)
}
