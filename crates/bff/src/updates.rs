//! `updates.*`: the common update sequence of a user (core.telegram.org/api/updates,
//! /method/updates.getState, /method/updates.getDifference).
//!
//! Every change to a user's message box advances their pts by one. The store keeps messages
//! (with the pts of their last change) but no log of edits and deletions, so getDifference
//! can only replay a gap made entirely of new, unedited messages; any other gap is answered
//! with updates.differenceTooLong, after which the client refetches its dialogs.

use std::sync::Arc;

use echo_storage::{DialogQuery, Peer, UserState, MAX_PAGE};
use echo_tl::{enums, functions, types};

use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert;
use crate::help::tl_date;
use crate::router::Router;

/// Most new messages one getDifference replays (the store's page limit).
const DIFFERENCE_MAX: i32 = MAX_PAGE;
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

async fn get_difference(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::updates::GetDifference,
) -> Result<enums::updates::Difference, RpcError> {
    let me = ctx.user()?;
    let (state, tl_state) = current_state(&deps, me, ctx.now).await?;
    let date = tl_date(if state.date > 0 { state.date } else { ctx.now });
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
    if req.pts < 0 || gap <= 0 || gap > i64::from(DIFFERENCE_MAX) {
        return too_long();
    }
    // The newest messages of the whole box; the gap is replayable only if it consists of
    // exactly the messages whose pts is newer than the client's, none of them edited since.
    let newest = deps
        .storage
        .messages
        .search(me, None, "", DIFFERENCE_MAX)
        .await?;
    let mut missed: Vec<_> = newest.into_iter().filter(|m| m.pts > req.pts).collect();
    if i64::try_from(missed.len()).ok() != Some(gap) || missed.iter().any(|m| m.edit_date.is_some())
    {
        return too_long();
    }
    missed.sort_by_key(|m| m.pts);
    let mut user_ids = vec![me];
    for m in &missed {
        user_ids.push(m.from_id);
        if let Peer::User(id) = m.peer {
            user_ids.push(id);
        }
    }
    let users = deps.storage.users.get_many(&user_ids).await?;
    Ok(enums::updates::Difference::Difference(
        types::updates::Difference {
            new_messages: missed.iter().map(|m| convert::message(m, me)).collect(),
            new_encrypted_messages: Vec::new(),
            other_updates: Vec::new(),
            chats: Vec::new(),
            users: users
                .iter()
                .map(|u| convert::user(u, me, ctx.now))
                .collect(),
            state: tl_state,
        },
    ))
}
