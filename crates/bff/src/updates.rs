//! `updates.*`: the common update sequence of a user (core.telegram.org/api/updates,
//! /method/updates.getState, /method/updates.getDifference).
//!
//! Every change to a user's message box advances their pts and is logged with its `Update`
//! in the same transaction (`echo_storage::UpdateLogStore`). getDifference replays the log
//! after the client's pts: new messages as `new_messages`, everything else as
//! `other_updates`, with the users they mention; at most 100 entries per call
//! (updates.differenceSlice with an intermediate state), differenceTooLong when the gap is
//! huge or older than the log.

use std::sync::Arc;

use echo_storage::{DialogQuery, UserState, MAX_PAGE};
use echo_tl::{enums, functions, types, Deserializable};

use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;
use crate::router::Router;

/// Most log entries one getDifference returns; more come as updates.differenceSlice.
const DIFFERENCE_LIMIT: i32 = 100;
/// A client further behind than this gets updates.differenceTooLong and refetches dialogs.
const TOO_LONG_GAP: i64 = 100_000;
/// Dialog pages summed for `unread_count` before giving up on the rest.
const UNREAD_PAGES_MAX: usize = 50;

pub fn register(r: &mut Router) {
    r.method(get_state);
    r.method(get_difference);
}

/// Unread messages over all dialogs (updates.state.unread_count).
async fn unread_count(deps: &BffDeps, user_id: i64) -> Result<i32, RpcError> {
    let mut total: i64 = 0;
    let mut query = DialogQuery {
        limit: MAX_PAGE,
        ..DialogQuery::default()
    };
    for _ in 0..UNREAD_PAGES_MAX {
        let page = deps.storage.dialogs.list(user_id, query).await?;
        total += page.iter().map(|d| i64::from(d.unread_count)).sum::<i64>();
        let Some(last) = page.last() else { break };
        if page.len() < MAX_PAGE as usize {
            break;
        }
        query.offset_date = last.top_date;
        query.offset_id = last.top_message;
        query.offset_peer = Some(last.peer);
    }
    Ok(i32::try_from(total).unwrap_or(i32::MAX))
}

/// The user's state; a box that never changed reports the current time as its date.
pub async fn current_state(
    deps: &BffDeps,
    user_id: i64,
    now: i64,
) -> Result<(UserState, enums::updates::State), RpcError> {
    let state = deps.storage.update_states.get_state(user_id).await?;
    let tl = enums::updates::State::State(types::updates::State {
        pts: state.pts,
        qts: state.qts,
        date: tl_date(if state.date > 0 { state.date } else { now }),
        seq: state.seq,
        unread_count: unread_count(deps, user_id).await?,
    });
    Ok((state, tl))
}

async fn get_state(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    _req: functions::updates::GetState,
) -> Result<enums::updates::State, RpcError> {
    let (_, state) = current_state(&deps, ctx.user()?, ctx.now).await?;
    Ok(state)
}

/// The user ids a logged update mentions (senders, peers), and its basic groups in `chats`.
fn mention_users(update: &enums::Update, out: &mut Vec<i64>, chats: &mut Vec<echo_storage::Peer>) {
    let mut peer = |p: &enums::Peer| match p {
        enums::Peer::User(u) => out.push(u.user_id),
        enums::Peer::Chat(c) => chats.push(echo_storage::Peer::Chat(c.chat_id)),
        enums::Peer::Channel(c) => chats.push(echo_storage::Peer::Channel(c.channel_id)),
    };
    match update {
        enums::Update::NewMessage(u) => message_users(&u.message, &mut peer),
        enums::Update::EditMessage(u) => message_users(&u.message, &mut peer),
        enums::Update::ReadHistoryInbox(u) => peer(&u.peer),
        enums::Update::ReadHistoryOutbox(u) => peer(&u.peer),
        _ => {}
    }
}

fn message_users(message: &enums::Message, peer: &mut impl FnMut(&enums::Peer)) {
    match message {
        enums::Message::Message(m) => {
            peer(&m.peer_id);
            if let Some(from) = &m.from_id {
                peer(from);
            }
            // A forward names its origin.
            if let Some(enums::MessageFwdHeader::Header(h)) = &m.fwd_from {
                if let Some(from) = &h.from_id {
                    peer(from);
                }
            }
        }
        enums::Message::Service(m) => {
            peer(&m.peer_id);
            if let Some(from) = &m.from_id {
                peer(from);
            }
        }
        enums::Message::Empty(_) => {}
    }
}

async fn get_difference(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::updates::GetDifference,
) -> Result<enums::updates::Difference, RpcError> {
    let me = ctx.user()?;
    let state = deps.storage.update_states.get_state(me).await?;
    let date = tl_date(if state.date > 0 { state.date } else { ctx.now });
    // Channels keep their own sequences: name those with news since the client's state
    // (updateChannelTooLong); the client then asks each for its channel difference.
    let channel_news = crate::channels::channel_news(&deps, me, i64::from(req.date)).await?;
    if req.pts == state.pts && !channel_news.is_empty() {
        let (_, tl_state) = current_state(&deps, me, ctx.now).await?;
        return Ok(enums::updates::Difference::Difference(
            types::updates::Difference {
                new_messages: Vec::new(),
                new_encrypted_messages: Vec::new(),
                other_updates: channel_news.clone(),
                chats: news_chats(&deps, me, &channel_news).await?,
                users: Vec::new(),
                state: dated_now(tl_state, ctx.now),
            },
        ));
    }
    if req.pts == state.pts {
        return Ok(enums::updates::Difference::Empty(
            types::updates::DifferenceEmpty {
                date,
                seq: state.seq,
            },
        ));
    }
    let too_long = || {
        Ok(enums::updates::Difference::TooLong(
            types::updates::DifferenceTooLong { pts: state.pts },
        ))
    };
    // A client ahead of the server (a reset database) or too far behind starts over.
    let gap = i64::from(state.pts) - i64::from(req.pts);
    // pts_total_limit lets a client ask for tooLong sooner than the server's own bound.
    let limit = req
        .pts_total_limit
        .filter(|l| *l > 0)
        .map_or(TOO_LONG_GAP, |l| i64::from(l).min(TOO_LONG_GAP));
    if req.pts < 0 || gap <= 0 || gap > limit {
        return too_long();
    }
    let entries = deps
        .storage
        .updates_log
        .updates_after(me, req.pts, DIFFERENCE_LIMIT)
        .await?;
    // The log must cover the gap from its start (changes made before it existed do not).
    let Some(first) = entries.first() else {
        return too_long();
    };
    if first.pts - first.pts_count > req.pts {
        return too_long();
    }
    let mut new_messages = Vec::new();
    let mut other_updates = Vec::new();
    let mut user_ids = vec![me];
    let mut chat_peers = Vec::new();
    for entry in &entries {
        let update = match enums::Update::from_bytes(&entry.body) {
            Ok(update) => update,
            Err(e) => {
                tracing::warn!(error = %e, pts = entry.pts, "logged update does not decode");
                return too_long();
            }
        };
        mention_users(&update, &mut user_ids, &mut chat_peers);
        match update {
            enums::Update::NewMessage(u) => new_messages.push(u.message),
            other => other_updates.push(other),
        }
    }
    user_ids.sort_unstable();
    user_ids.dedup();
    let users = crate::contacts::view::users_by_id(&deps, me, &user_ids, ctx.now).await?;
    chat_peers.sort_unstable_by_key(|p| p.id());
    chat_peers.dedup();
    let chats = crate::chats::chats_of(&deps, me, &chat_peers).await?;
    let last = entries.last().map_or(req.pts, |e| e.pts);
    if last < state.pts {
        let last_date = entries.last().map_or(ctx.now, |e| e.date);
        return Ok(enums::updates::Difference::Slice(
            types::updates::DifferenceSlice {
                new_messages,
                new_encrypted_messages: Vec::new(),
                other_updates,
                chats,
                users,
                intermediate_state: enums::updates::State::State(types::updates::State {
                    pts: last,
                    qts: state.qts,
                    date: tl_date(last_date),
                    seq: state.seq,
                    unread_count: 0,
                }),
            },
        ));
    }
    let (_, mut tl_state) = current_state(&deps, me, ctx.now).await?;
    let mut chats = chats;
    if !channel_news.is_empty() {
        chats.extend(news_chats(&deps, me, &channel_news).await?);
        other_updates.extend(channel_news);
        tl_state = dated_now(tl_state, ctx.now);
    }
    Ok(enums::updates::Difference::Difference(
        types::updates::Difference {
            new_messages,
            new_encrypted_messages: Vec::new(),
            other_updates,
            chats,
            users,
            state: tl_state,
        },
    ))
}

/// The channels that updateChannelTooLong entries name, as `me` sees them.
async fn news_chats(
    deps: &BffDeps,
    me: i64,
    news: &[enums::Update],
) -> Result<Vec<enums::Chat>, RpcError> {
    let ids: Vec<i64> = news
        .iter()
        .filter_map(|u| match u {
            enums::Update::ChannelTooLong(c) => Some(c.channel_id),
            _ => None,
        })
        .collect();
    crate::channels::chats_for(deps, me, &ids).await
}

/// The state with today's date: the channel news up to now are reported, so the client's
/// next getDifference asks only for newer ones.
fn dated_now(state: enums::updates::State, now: i64) -> enums::updates::State {
    let enums::updates::State::State(mut s) = state;
    s.date = s.date.max(tl_date(now));
    enums::updates::State::State(s)
}
