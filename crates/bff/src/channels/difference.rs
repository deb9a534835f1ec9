//! The update sequence of a channel (core.telegram.org/api/updates "channel pts",
//! /method/updates.getChannelDifference): replays the channel's update log after the
//! client's pts — new messages as `new_messages`, edits and deletions as `other_updates` —
//! or, when the gap exceeds `limit`, answers updates.channelDifferenceTooLong with the
//! dialog and the newest messages so the client starts over from there.
//!
//! Also the channel part of updates.getDifference ([`channel_news`]): Telegram does not
//! replay channel updates in the common sequence; it names channels with news through
//! updateChannelTooLong, and the client then asks each for its difference.

use std::collections::BTreeSet;
use std::sync::Arc;

use echo_storage::{ChannelUpdateKind, HistoryQuery};
use echo_tl::{enums, functions, types};

use super::read::{mentions, split_mentions};
use super::view::{tl_channel, tl_message};
use super::{access_input, peer_dialog};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::router::Router;

/// Longest `limit` a user client gets (Telegram: 100 for users).
const DIFFERENCE_LIMIT_MAX: i32 = 100;
/// Seconds a client should wait before asking again (the `timeout` of the answer).
const POLL_TIMEOUT: i32 = 30;

pub fn register(r: &mut Router) {
    r.method(get_channel_difference);
}

/// updateChannelTooLong for every channel of `me` that changed after `since` (the date of
/// the client's common state).
pub(crate) async fn channel_news(
    deps: &BffDeps,
    me: i64,
    since: i64,
) -> Result<Vec<enums::Update>, RpcError> {
    Ok(deps
        .storage
        .channels
        .channels_of(me)
        .await?
        .into_iter()
        .filter(|(c, _)| c.last_update_date > since)
        .map(|(c, _)| {
            enums::Update::ChannelTooLong(types::UpdateChannelTooLong {
                channel_id: c.id,
                pts: Some(c.pts),
            })
        })
        .collect())
}

async fn get_channel_difference(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::updates::GetChannelDifference,
) -> Result<enums::updates::ChannelDifference, RpcError> {
    let me = ctx.user()?;
    let access = access_input(&deps, &ctx, &req.channel).await?;
    access.member()?;
    let channel = &access.channel;
    let limit = req.limit.clamp(1, DIFFERENCE_LIMIT_MAX);
    if req.pts == channel.pts {
        return Ok(enums::updates::ChannelDifference::Empty(
            types::updates::ChannelDifferenceEmpty {
                r#final: true,
                pts: channel.pts,
                timeout: Some(POLL_TIMEOUT),
            },
        ));
    }
    let gap = i64::from(channel.pts) - i64::from(req.pts);
    let entries = if req.pts <= 0 || gap < 0 || gap > i64::from(limit) {
        Vec::new()
    } else {
        deps.storage
            .channels
            .updates_after(channel.id, req.pts, i64::from(limit))
            .await?
    };
    // The log must start right at the client's pts; anything else starts over.
    let covered = entries
        .first()
        .is_some_and(|first| first.pts - first.pts_count <= req.pts);
    if !covered {
        return too_long(&deps, &ctx, &access, limit).await;
    }
    let min_visible = access.min_visible_id();
    let mut new_ids = BTreeSet::new();
    let mut edited_ids = BTreeSet::new();
    let mut other_updates = Vec::new();
    for entry in &entries {
        match entry.kind {
            ChannelUpdateKind::NewMessage => new_ids.extend(entry.message_ids.iter().copied()),
            ChannelUpdateKind::EditMessage => edited_ids.extend(entry.message_ids.iter().copied()),
            ChannelUpdateKind::DeleteMessages => other_updates.push(
                enums::Update::DeleteChannelMessages(types::UpdateDeleteChannelMessages {
                    channel_id: channel.id,
                    messages: entry.message_ids.clone(),
                    pts: entry.pts,
                    pts_count: entry.pts_count,
                }),
            ),
            ChannelUpdateKind::Other => {
                other_updates.extend(super::pins::logged_update(channel.id, entry));
            }
        }
    }
    let wanted: Vec<i32> = new_ids.iter().chain(edited_ids.iter()).copied().collect();
    let current = deps.storage.channels.messages(channel.id, &wanted).await?;
    let mut new_messages = Vec::new();
    let shown: Vec<_> = current
        .iter()
        .filter(|m| m.id > min_visible)
        .cloned()
        .collect();
    let (senders, others) = split_mentions(&mentions(&shown), me, channel.id);
    for m in &shown {
        if new_ids.contains(&m.id) {
            // A new message shows its latest text; its edits need no separate update.
            new_messages.push(tl_message(m, channel, me));
        } else {
            other_updates.push(enums::Update::EditChannelMessage(
                types::UpdateEditChannelMessage {
                    message: tl_message(m, channel, me),
                    pts: m.pts,
                    pts_count: 1,
                },
            ));
        }
    }
    let last = entries.last().map_or(req.pts, |e| e.pts);
    let users = crate::contacts::view::users_by_id(&deps, me, &senders, ctx.now).await?;
    let mut chats = vec![tl_channel(channel, access.me.as_ref())];
    chats.extend(super::chats_for(&deps, me, &others).await?);
    Ok(enums::updates::ChannelDifference::Difference(
        types::updates::ChannelDifference {
            r#final: last >= channel.pts,
            pts: last,
            timeout: Some(POLL_TIMEOUT),
            new_messages,
            other_updates,
            chats,
            users,
        },
    ))
}

/// updates.channelDifferenceTooLong: the dialog (with the current pts) and the newest
/// `limit` messages; the client drops what it had and continues from here.
async fn too_long(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &super::Access,
    limit: i32,
) -> Result<enums::updates::ChannelDifference, RpcError> {
    let me = ctx.user()?;
    let channel = &access.channel;
    let dialog = peer_dialog(deps, me, access).await?;
    let page = deps
        .storage
        .channels
        .history(
            channel.id,
            access.min_visible_id(),
            HistoryQuery {
                limit,
                ..HistoryQuery::default()
            },
        )
        .await?;
    let (senders, others) = split_mentions(&mentions(&page), me, channel.id);
    let users = crate::contacts::view::users_by_id(deps, me, &senders, ctx.now).await?;
    let mut chats = vec![tl_channel(channel, access.me.as_ref())];
    chats.extend(super::chats_for(deps, me, &others).await?);
    Ok(enums::updates::ChannelDifference::TooLong(
        types::updates::ChannelDifferenceTooLong {
            r#final: true,
            timeout: Some(POLL_TIMEOUT),
            dialog: dialog.dialog,
            messages: page.iter().map(|m| tl_message(m, channel, me)).collect(),
            chats,
            users,
        },
    ))
}
