//! Promoting admins and banning users in channels: core.telegram.org/method/channels.editAdmin,
//! /method/channels.editBanned, /method/messages.editChatDefaultBannedRights (channel peers),
//! /api/rights.
//!
//! Only the creator and admins with add_admins promote, and only with rights they hold
//! themselves; an admin may be edited or demoted only by the creator or whoever promoted
//! them. Banning needs ban_users; a ban that includes view_messages kicks (the user leaves
//! and cannot come back until the ban is lifted), any other ban restricts a member.

use std::sync::Arc;

use echo_storage::{AdminGrant, BanGrant, ChannelRole};
use echo_tl::{enums, functions, types, Serializable};

use super::post::{post_service, push_to_members};
use super::rights::{admin_rights, creator_rights, require_admin_right};
use super::view::tl_channel;
use super::{access_input, Access};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;
use crate::router::Router;
use crate::users::resolve_user;

/// Longest admin rank (custom title) Telegram accepts.
const RANK_MAX: usize = 16;

pub fn register(r: &mut Router) {
    r.method(edit_admin);
    r.method(edit_banned);
}

fn update_channel(channel_id: i64) -> enums::Update {
    enums::Update::Channel(types::UpdateChannel { channel_id })
}

/// Sends `user_id` updateChannel with the channel as they now see it (their rights or
/// membership changed), skipping the caller's own session.
async fn tell_user(
    deps: &BffDeps,
    ctx: &RpcContext,
    channel_id: i64,
    user_id: i64,
) -> Result<enums::Updates, RpcError> {
    let channel = deps
        .storage
        .channels
        .get(channel_id)
        .await?
        .ok_or_else(super::invalid)?;
    let theirs = deps
        .storage
        .channels
        .participant(channel_id, user_id)
        .await?;
    let updates = enums::Updates::Updates(types::Updates {
        updates: vec![update_channel(channel_id)],
        users: Vec::new(),
        chats: vec![tl_channel(&channel, theirs.as_ref())],
        date: tl_date(ctx.now),
        seq: 0,
    });
    let except = (user_id == ctx.user()?).then_some(ctx);
    deps.messaging.push(user_id, except, &updates).await;
    Ok(updates)
}

/// Whether `wanted` asks for any right `held` lacks.
fn exceeds(wanted: &types::ChatAdminRights, held: &types::ChatAdminRights) -> bool {
    let pairs = [
        (wanted.change_info, held.change_info),
        (wanted.post_messages, held.post_messages),
        (wanted.edit_messages, held.edit_messages),
        (wanted.delete_messages, held.delete_messages),
        (wanted.ban_users, held.ban_users),
        (wanted.invite_users, held.invite_users),
        (wanted.pin_messages, held.pin_messages),
        (wanted.add_admins, held.add_admins),
        (wanted.anonymous, held.anonymous),
        (wanted.manage_call, held.manage_call),
        (wanted.manage_topics, held.manage_topics),
        (wanted.post_stories, held.post_stories),
        (wanted.edit_stories, held.edit_stories),
        (wanted.delete_stories, held.delete_stories),
    ];
    pairs.iter().any(|(w, h)| *w && !*h)
}

/// Rights that grant nothing: editAdmin with them demotes.
fn grants_nothing(r: &types::ChatAdminRights) -> bool {
    let none = types::ChatAdminRights {
        other: r.other,
        ..no_admin_rights()
    };
    *r == none
}

fn no_admin_rights() -> types::ChatAdminRights {
    let mut r = creator_rights();
    r.change_info = false;
    r.post_messages = false;
    r.edit_messages = false;
    r.delete_messages = false;
    r.ban_users = false;
    r.invite_users = false;
    r.pin_messages = false;
    r.add_admins = false;
    r.manage_call = false;
    r.other = false;
    r.manage_topics = false;
    r.post_stories = false;
    r.edit_stories = false;
    r.delete_stories = false;
    r.manage_direct_messages = false;
    r.manage_ranks = false;
    r.manage_linked_peers = false;
    r.manage_welcome_messages = false;
    r
}

/// May the caller change `target`'s admin or ban status? The creator always; another admin
/// only for plain members and for admins they promoted themselves.
fn may_touch(access: &Access, target: Option<&echo_storage::ChannelParticipantRecord>) -> bool {
    let Some(me) = access.me.as_ref() else {
        return false;
    };
    match target.map(|t| t.role) {
        Some(ChannelRole::Creator) => false,
        Some(ChannelRole::Admin) => {
            me.role == ChannelRole::Creator
                || target.is_some_and(|t| t.promoted_by == me.user_id && t.user_id != me.user_id)
        }
        _ => true,
    }
}

async fn edit_admin(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::EditAdmin,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let access = access_input(&deps, &ctx, &req.channel).await?;
    access.member()?;
    require_admin_right(&access, |r| r.add_admins)?;
    let user = resolve_user(&deps, &req.user_id, me).await?;
    let enums::ChatAdminRights::Rights(wanted) = &req.admin_rights;
    let store = &deps.storage.channels;
    let target = store.participant(access.channel.id, user.id).await?;
    if target.as_ref().map(|t| t.role) == Some(ChannelRole::Creator) {
        return Err(RpcError::bad_request("USER_CREATOR"));
    }
    if !may_touch(&access, target.as_ref()) {
        return Err(RpcError::new(403, "CHAT_ADMIN_REQUIRED"));
    }
    let held = access
        .me
        .as_ref()
        .and_then(admin_rights)
        .ok_or_else(|| RpcError::new(403, "CHAT_ADMIN_REQUIRED"))?;
    let creator = access.me.as_ref().map(|p| p.role) == Some(ChannelRole::Creator);
    if !creator && exceeds(wanted, &held) {
        return Err(RpcError::new(403, "RIGHT_FORBIDDEN"));
    }
    if req
        .rank
        .as_ref()
        .is_some_and(|r| r.chars().count() > RANK_MAX)
    {
        return Err(RpcError::bad_request("ADMIN_RANK_INVALID"));
    }
    if grants_nothing(wanted) {
        if target.as_ref().map(|t| t.role) != Some(ChannelRole::Admin) {
            return Err(RpcError::bad_request("USER_NOT_PARTICIPANT"));
        }
        store.set_admin(access.channel.id, user.id, None).await?;
    } else {
        // Promoting someone outside brings them in (lifting a ban), as Telegram does.
        if !target.as_ref().is_some_and(|t| t.role.is_member()) {
            if target.as_ref().map(|t| t.role) == Some(ChannelRole::Banned) {
                store.set_banned(access.channel.id, user.id, None).await?;
            }
            let hide = access.channel.pre_history_hidden && access.channel.megagroup;
            store
                .join(access.channel.id, user.id, me, ctx.now, hide)
                .await?;
        }
        let grant = AdminGrant {
            rights: req.admin_rights.to_bytes(),
            promoted_by: me,
            rank: req.rank.clone().filter(|r| !r.is_empty()),
        };
        if !store
            .set_admin(access.channel.id, user.id, Some(grant))
            .await?
        {
            return Err(RpcError::bad_request("USER_NOT_PARTICIPANT"));
        }
    }
    tell_user(&deps, &ctx, access.channel.id, user.id).await?;
    let answer = tell_user(&deps, &ctx, access.channel.id, me).await?;
    Ok(answer)
}

/// The user an editBanned `participant` names.
async fn banned_user(deps: &BffDeps, me: i64, peer: &enums::InputPeer) -> Result<i64, RpcError> {
    let input = match peer {
        enums::InputPeer::PeerSelf => return Ok(me),
        enums::InputPeer::User(u) => enums::InputUser::User(types::InputUser {
            user_id: u.user_id,
            access_hash: u.access_hash,
        }),
        _ => return Err(RpcError::bad_request("PARTICIPANT_ID_INVALID")),
    };
    Ok(resolve_user(deps, &input, me).await?.id)
}

/// Banned rights that ban nothing (unban).
fn bans_nothing(r: &types::ChatBannedRights) -> bool {
    let mut cleared = r.clone();
    cleared.until_date = 0;
    cleared == super::view::no_bans()
}

async fn edit_banned(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::EditBanned,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let access = access_input(&deps, &ctx, &req.channel).await?;
    access.member()?;
    require_admin_right(&access, |r| r.ban_users)?;
    let user_id = banned_user(&deps, me, &req.participant).await?;
    let store = &deps.storage.channels;
    let target = store.participant(access.channel.id, user_id).await?;
    if user_id == me || !may_touch(&access, target.as_ref()) {
        return Err(RpcError::bad_request("USER_ADMIN_INVALID"));
    }
    let enums::ChatBannedRights::Rights(rights) = &req.banned_rights;
    if bans_nothing(rights) {
        if !store.set_banned(access.channel.id, user_id, None).await? {
            return Err(RpcError::bad_request("USER_NOT_PARTICIPANT"));
        }
        tell_user(&deps, &ctx, access.channel.id, user_id).await?;
        return tell_user(&deps, &ctx, access.channel.id, me).await;
    }
    let kicked = rights.view_messages;
    let was_member = target.as_ref().is_some_and(|t| t.role.is_member());
    if !kicked && !was_member {
        return Err(RpcError::bad_request("USER_NOT_PARTICIPANT"));
    }
    // Announce a removal while the user is still a member, so they see it too.
    let announced = if kicked && was_member && access.channel.megagroup {
        let action =
            enums::MessageAction::ChatDeleteUser(types::MessageActionChatDeleteUser { user_id });
        Some(post_service(&deps, &ctx, &access, action, Vec::new()).await?)
    } else {
        None
    };
    let ban = BanGrant {
        rights: req.banned_rights.to_bytes(),
        until: i64::from(rights.until_date),
        banned_by: me,
        kicked,
        date: ctx.now,
    };
    store
        .set_banned(access.channel.id, user_id, Some(ban))
        .await?;
    tell_user(&deps, &ctx, access.channel.id, user_id).await?;
    match announced {
        Some(answer) => Ok(answer),
        None => tell_user(&deps, &ctx, access.channel.id, me).await,
    }
}

/// messages.editChatDefaultBannedRights for a channel: admins with ban_users set what every
/// plain member of a supergroup may not do.
pub(crate) async fn edit_default_banned_rights(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
    rights: &enums::ChatBannedRights,
) -> Result<enums::Updates, RpcError> {
    access.member()?;
    require_admin_right(access, |r| r.ban_users)?;
    if !access.channel.megagroup {
        return Err(RpcError::bad_request("CHANNEL_INVALID"));
    }
    let bytes = rights.to_bytes();
    let current = if access.channel.default_banned_rights.is_empty() {
        enums::ChatBannedRights::Rights(super::view::no_bans()).to_bytes()
    } else {
        access.channel.default_banned_rights.clone()
    };
    if bytes == current {
        return Err(RpcError::bad_request("CHAT_NOT_MODIFIED"));
    }
    deps.storage
        .channels
        .set_default_banned_rights(access.channel.id, &bytes)
        .await?;
    let channel = deps
        .storage
        .channels
        .get(access.channel.id)
        .await?
        .ok_or_else(super::invalid)?;
    let id = channel.id;
    push_to_members(deps, ctx, &channel, &[], |_| vec![update_channel(id)]).await?;
    let mine = deps.storage.channels.participant(id, ctx.user()?).await?;
    Ok(enums::Updates::Updates(types::Updates {
        updates: vec![update_channel(id)],
        users: Vec::new(),
        chats: vec![tl_channel(&channel, mine.as_ref())],
        date: tl_date(ctx.now),
        seq: 0,
    }))
}
