//! Channel-wide switches: core.telegram.org/method/channels.toggleSignatures,
//! /method/channels.togglePreHistoryHidden, /method/channels.toggleSlowMode, and the slow mode
//! check of posting (SLOWMODE_WAIT_X) and post signatures (post_author).
//!
//! Each toggle answers updateChannel with the channel as the caller now sees it and pushes
//! updateChannel to the members (clients refetch the full channel).

use std::sync::Arc;

use echo_storage::{ChannelToggle, NewChannelMessage};
use echo_tl::{enums, functions, types};

use super::post::push_to_members;
use super::rights::require_admin_right;
use super::view::tl_channel;
use super::{access_input, Access};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;
use crate::router::Router;

/// The slow mode delays Telegram offers (0 turns it off).
const SLOWMODE_SECONDS: [i32; 7] = [0, 10, 30, 60, 300, 900, 3600];

pub fn register(r: &mut Router) {
    r.method(toggle_signatures);
    r.method(toggle_pre_history_hidden);
    r.method(toggle_slow_mode);
}

/// Stores `toggle` and tells every member; the answer carries the caller's view.
async fn apply(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
    toggle: ChannelToggle,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let store = &deps.storage.channels;
    store.toggle(access.channel.id, toggle).await?;
    let channel = store
        .get(access.channel.id)
        .await?
        .ok_or_else(super::invalid)?;
    let id = channel.id;
    let update = || enums::Update::Channel(types::UpdateChannel { channel_id: id });
    push_to_members(deps, ctx, &channel, &[], |_| vec![update()]).await?;
    let mine = store.participant(id, me).await?;
    Ok(enums::Updates::Updates(types::Updates {
        updates: vec![update()],
        users: Vec::new(),
        chats: vec![tl_channel(&channel, mine.as_ref())],
        date: tl_date(ctx.now),
        seq: 0,
    }))
}

async fn toggle_signatures(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::ToggleSignatures,
) -> Result<enums::Updates, RpcError> {
    let access = access_input(&deps, &ctx, &req.channel).await?;
    access.member()?;
    require_admin_right(&access, |r| r.change_info)?;
    // Signatures exist only on broadcast posts.
    if !access.channel.broadcast {
        return Err(RpcError::bad_request("CHANNEL_INVALID"));
    }
    if access.channel.signatures == req.signatures_enabled {
        return Err(RpcError::bad_request("CHAT_NOT_MODIFIED"));
    }
    let toggle = ChannelToggle::Signatures(req.signatures_enabled);
    apply(&deps, &ctx, &access, toggle).await
}

async fn toggle_pre_history_hidden(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::TogglePreHistoryHidden,
) -> Result<enums::Updates, RpcError> {
    let access = access_input(&deps, &ctx, &req.channel).await?;
    access.member()?;
    require_admin_right(&access, |r| r.change_info)?;
    if !access.channel.megagroup {
        return Err(RpcError::bad_request("CHANNEL_INVALID"));
    }
    if access.channel.pre_history_hidden == req.enabled {
        return Err(RpcError::bad_request("CHAT_NOT_MODIFIED"));
    }
    let toggle = ChannelToggle::PreHistoryHidden(req.enabled);
    apply(&deps, &ctx, &access, toggle).await
}

async fn toggle_slow_mode(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::ToggleSlowMode,
) -> Result<enums::Updates, RpcError> {
    let access = access_input(&deps, &ctx, &req.channel).await?;
    access.member()?;
    // Slow mode restricts members: the right to restrict them (ban_users) governs it.
    require_admin_right(&access, |r| r.ban_users)?;
    if !access.channel.megagroup {
        return Err(RpcError::bad_request("INPUT_METHOD_INVALID"));
    }
    if !SLOWMODE_SECONDS.contains(&req.seconds) {
        return Err(RpcError::bad_request("SECONDS_INVALID"));
    }
    if access.channel.slowmode_seconds == req.seconds {
        return Err(RpcError::bad_request("CHAT_NOT_MODIFIED"));
    }
    let toggle = ChannelToggle::SlowModeSeconds(req.seconds);
    apply(&deps, &ctx, &access, toggle).await
}

/// SLOWMODE_WAIT_X when slow mode is on in the supergroup and the caller (not an admin)
/// posted less than the delay ago; X is the seconds left.
pub(crate) async fn check_slow_mode(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
) -> Result<(), RpcError> {
    let delay = i64::from(access.channel.slowmode_seconds);
    let admin = access.me.as_ref().is_some_and(|p| p.role.is_admin());
    if delay <= 0 || admin || !access.channel.megagroup {
        return Ok(());
    }
    let last = deps
        .storage
        .channels
        .last_post_date(access.channel.id, ctx.user()?)
        .await?;
    match last {
        Some(last) if ctx.now < last + delay => Err(RpcError::new(
            420,
            &format!("SLOWMODE_WAIT_{}", last + delay - ctx.now),
        )),
        _ => Ok(()),
    }
}

/// Signs a broadcast post with its author's name when the channel has signatures on.
pub(crate) async fn sign_post(
    deps: &BffDeps,
    access: &Access,
    message: &mut NewChannelMessage,
) -> Result<(), RpcError> {
    if !message.post || !access.channel.signatures || message.post_author.is_some() {
        return Ok(());
    }
    if let Some(user) = deps.storage.users.get(message.from_id).await? {
        let name = format!("{} {}", user.first_name, user.last_name);
        message.post_author = Some(name.trim().to_owned());
    }
    Ok(())
}
