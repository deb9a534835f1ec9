//! Deleting channels and their history, and counting post views:
//! core.telegram.org/method/channels.deleteChannel, /method/channels.deleteHistory,
//! /method/messages.getMessagesViews (channel peers).
//!
//! Only the creator deletes a channel; afterwards it answers CHANNEL_PRIVATE to everyone and
//! members see it as channelForbidden. deleteHistory either hides the history up to max_id
//! from the caller alone (updateChannelAvailableMessages) or, for admins with
//! delete_messages and `for_everyone`, deletes those messages. A broadcast post's view counts
//! once per viewer; supergroup messages carry no view counter.

use std::sync::Arc;

use echo_storage::ChannelRole;
use echo_tl::{enums, functions, types};

use super::post::push_to_members;
use super::rights::require_admin_right;
use super::view::tl_channel;
use super::{access_input, access_peer};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;
use crate::router::Router;

/// Most message ids one deleteHistory deletes per storage call.
const DELETE_CHUNK: usize = 500;
/// Most ids one getMessagesViews takes.
const VIEWS_MAX: usize = 100;

pub fn register(r: &mut Router) {
    r.method(delete_channel);
    r.method(delete_history);
    r.method(get_messages_views);
}

async fn delete_channel(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::DeleteChannel,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let access = access_input(&deps, &ctx, &req.channel).await?;
    let mine = access.member()?;
    if mine.role != ChannelRole::Creator {
        return Err(RpcError::new(403, "CHAT_ADMIN_REQUIRED"));
    }
    let store = &deps.storage.channels;
    let members = store.member_ids(access.channel.id).await?;
    store.delete_channel(access.channel.id).await?;
    // Nobody is shown more than the title of a deleted channel.
    let gone = enums::Updates::Updates(types::Updates {
        updates: vec![enums::Update::Channel(types::UpdateChannel {
            channel_id: access.channel.id,
        })],
        users: Vec::new(),
        chats: vec![tl_channel(&access.channel, None)],
        date: tl_date(ctx.now),
        seq: 0,
    });
    let others: Vec<i64> = members.into_iter().filter(|u| *u != me).collect();
    deps.messaging.push_to_users(&others, &gone).await;
    deps.messaging.push(me, Some(&ctx), &gone).await;
    Ok(gone)
}

async fn delete_history(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::DeleteHistory,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let access = access_input(&deps, &ctx, &req.channel).await?;
    access.member()?;
    if !access.channel.megagroup {
        return Err(RpcError::bad_request("CHANNEL_INVALID"));
    }
    let top = access.channel.max_message_id;
    let max_id = if req.max_id <= 0 || req.max_id > top {
        top
    } else {
        req.max_id
    };
    let store = &deps.storage.channels;
    let mut updates = Vec::new();
    if req.for_everyone {
        require_admin_right(&access, |r| r.delete_messages)?;
        let ids: Vec<i32> = (access.min_visible_id() + 1..=max_id).collect();
        for chunk in ids.chunks(DELETE_CHUNK) {
            let deleted = store
                .delete_messages(access.channel.id, chunk, ctx.now)
                .await?;
            if deleted.deleted_ids.is_empty() {
                continue;
            }
            updates.push(enums::Update::DeleteChannelMessages(
                types::UpdateDeleteChannelMessages {
                    channel_id: access.channel.id,
                    messages: deleted.deleted_ids,
                    pts: deleted.pts,
                    pts_count: deleted.pts_count,
                },
            ));
        }
        if !updates.is_empty() {
            let channel = store
                .get(access.channel.id)
                .await?
                .ok_or_else(super::invalid)?;
            push_to_members(&deps, &ctx, &channel, &[], |_| updates.clone()).await?;
        }
    } else if store.hide_history(access.channel.id, me, max_id).await? {
        updates.push(enums::Update::ChannelAvailableMessages(
            types::UpdateChannelAvailableMessages {
                channel_id: access.channel.id,
                available_min_id: max_id,
            },
        ));
    }
    let mine = store.participant(access.channel.id, me).await?;
    let answer = enums::Updates::Updates(types::Updates {
        updates,
        users: Vec::new(),
        chats: vec![tl_channel(&access.channel, mine.as_ref())],
        date: tl_date(ctx.now),
        seq: 0,
    });
    if !req.for_everyone {
        // The caller's other sessions hide the same history.
        deps.messaging.push(me, Some(&ctx), &answer).await;
    }
    Ok(answer)
}

async fn get_messages_views(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::GetMessagesViews,
) -> Result<enums::messages::MessageViews, RpcError> {
    let me = ctx.user()?;
    let access = access_peer(&deps, &ctx, &req.peer)
        .await?
        .ok_or_else(|| RpcError::bad_request("METHOD_NOT_IMPLEMENTED"))?;
    access.member()?;
    if req.id.len() > VIEWS_MAX {
        return Err(RpcError::bad_request("MESSAGE_IDS_TOO_MUCH"));
    }
    let visible: Vec<i32> = req
        .id
        .iter()
        .copied()
        .filter(|id| *id > access.min_visible_id())
        .collect();
    let store = &deps.storage.channels;
    let counted: Vec<(i32, i32)> = if !access.channel.broadcast {
        Vec::new()
    } else if req.increment {
        store.view_messages(access.channel.id, &visible, me).await?
    } else {
        store
            .messages(access.channel.id, &visible)
            .await?
            .iter()
            .map(|m| (m.id, m.views))
            .collect()
    };
    // One entry per requested id, in request order; none counted for the others.
    let views = req
        .id
        .iter()
        .map(|id| {
            let count = counted
                .iter()
                .find(|(m, _)| m == id)
                .map(|(_, v)| (*v).max(1));
            enums::MessageViews::Views(types::MessageViews {
                views: count,
                forwards: count.map(|_| 0),
                replies: None,
            })
        })
        .collect();
    Ok(enums::messages::MessageViews::Views(
        types::messages::MessageViews {
            views,
            chats: vec![tl_channel(&access.channel, access.me.as_ref())],
            users: Vec::new(),
        },
    ))
}
