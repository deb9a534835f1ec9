//! Creating channels and changing who is in them: core.telegram.org/method/channels.createChannel,
//! /method/channels.editTitle, /method/messages.editChatAbout (channel peers),
//! /method/channels.joinChannel, /method/channels.leaveChannel,
//! /method/channels.inviteToChannel.
//!
//! Supergroups announce joins, leaves, invites and renames with service messages
//! (messageActionChatAddUser, messageActionChatDeleteUser, messageActionChatEditTitle);
//! broadcast channels announce only their creation and renames.

use std::sync::Arc;

use echo_storage::{NewChannel, CHANNEL_ABOUT_MAX};
use echo_tl::{enums, functions, types};

use super::post::{post_service, push_to_members};
use super::rights::{check_can_invite, creator_rights_bytes, require_admin_right};
use super::view::tl_channel;
use super::{access_input, clean_title, Access};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;
use crate::router::Router;
use crate::users::resolve_user;

/// Most users one inviteToChannel takes.
const INVITE_MAX: usize = 200;

pub fn register(r: &mut Router) {
    r.method(create_channel);
    r.method(edit_title);
    r.method(join_channel);
    r.method(leave_channel);
    r.method(invite_to_channel);
}

pub(super) fn update_channel(channel_id: i64) -> enums::Update {
    enums::Update::Channel(types::UpdateChannel { channel_id })
}

/// The caller's view of the channel after a change.
pub(super) async fn fresh(deps: &BffDeps, me: i64, channel_id: i64) -> Result<Access, RpcError> {
    let channel = deps
        .storage
        .channels
        .get(channel_id)
        .await?
        .ok_or_else(super::invalid)?;
    let mine = deps.storage.channels.participant(channel_id, me).await?;
    Ok(Access { channel, me: mine })
}

/// `updates` with updateChannel and the channel as the caller now sees it.
pub(super) fn channel_changed(access: &Access, now: i64) -> enums::Updates {
    enums::Updates::Updates(types::Updates {
        updates: vec![update_channel(access.channel.id)],
        users: Vec::new(),
        chats: vec![tl_channel(&access.channel, access.me.as_ref())],
        date: tl_date(now),
        seq: 0,
    })
}

/// The service message announcing a join is not unread for those who joined.
pub(super) async fn mark_read(
    deps: &BffDeps,
    channel_id: i64,
    users: &[i64],
) -> Result<(), RpcError> {
    let Some(channel) = deps.storage.channels.get(channel_id).await? else {
        return Ok(());
    };
    for user_id in users {
        deps.storage
            .channels
            .read_inbox(channel_id, *user_id, channel.max_message_id)
            .await?;
    }
    Ok(())
}

async fn create_channel(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::CreateChannel,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let title = clean_title(&req.title)?;
    if req.about.chars().count() > CHANNEL_ABOUT_MAX {
        return Err(RpcError::bad_request("CHAT_ABOUT_TOO_LONG"));
    }
    let megagroup = req.megagroup || req.forum;
    let channel = deps
        .storage
        .channels
        .create(NewChannel {
            creator_id: me,
            access_hash: rand::random::<i64>(),
            title: title.clone(),
            about: req.about.clone(),
            broadcast: !megagroup,
            megagroup,
            date: ctx.now,
            creator_rights: creator_rights_bytes(),
        })
        .await?;
    let access = fresh(&deps, me, channel.id).await?;
    let action = enums::MessageAction::ChannelCreate(types::MessageActionChannelCreate { title });
    post_service(
        &deps,
        &ctx,
        &access,
        action,
        vec![update_channel(channel.id)],
    )
    .await
}

async fn edit_title(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::EditTitle,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let access = access_input(&deps, &ctx, &req.channel).await?;
    access.member()?;
    require_admin_right(&access, |r| r.change_info)?;
    let title = clean_title(&req.title)?;
    if title == access.channel.title {
        return Err(RpcError::bad_request("CHAT_NOT_MODIFIED"));
    }
    deps.storage
        .channels
        .set_title(access.channel.id, &title)
        .await?;
    let access = fresh(&deps, me, access.channel.id).await?;
    let action = enums::MessageAction::ChatEditTitle(types::MessageActionChatEditTitle { title });
    post_service(&deps, &ctx, &access, action, Vec::new()).await
}

/// messages.editChatAbout for a channel: admins with change_info.
pub(crate) async fn edit_about(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
    about: &str,
) -> Result<bool, RpcError> {
    access.member()?;
    require_admin_right(access, |r| r.change_info)?;
    if about.chars().count() > CHANNEL_ABOUT_MAX {
        return Err(RpcError::bad_request("CHAT_ABOUT_TOO_LONG"));
    }
    if about == access.channel.about {
        return Err(RpcError::bad_request("CHAT_ABOUT_NOT_MODIFIED"));
    }
    deps.storage
        .channels
        .set_about(access.channel.id, about)
        .await?;
    // Clients refetch the full channel on updateChannel.
    let id = access.channel.id;
    push_to_members(deps, ctx, &access.channel, &[], |_| {
        vec![update_channel(id)]
    })
    .await?;
    Ok(true)
}

/// Joining needs a public channel (a username, core.telegram.org/api/channel); the creator
/// may always come back. Private channels are joined through invites
/// (channels.inviteToChannel here; invite links come with the second wave).
async fn join_channel(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::JoinChannel,
) -> Result<enums::messages::ChatInviteJoinResult, RpcError> {
    let me = ctx.user()?;
    let access = access_input(&deps, &ctx, &req.channel).await?;
    if access.is_member() {
        return Err(RpcError::bad_request("USER_ALREADY_PARTICIPANT"));
    }
    if access
        .me
        .as_ref()
        .is_some_and(|p| p.role == echo_storage::ChannelRole::Banned)
    {
        return Err(super::private());
    }
    let public = access.channel.username.is_some();
    if !public && access.channel.creator_id != me {
        return Err(super::private());
    }
    let hide = access.channel.pre_history_hidden && access.channel.megagroup;
    if !deps
        .storage
        .channels
        .join(access.channel.id, me, me, ctx.now, hide)
        .await?
    {
        return Err(RpcError::bad_request("USER_ALREADY_PARTICIPANT"));
    }
    let access = fresh(&deps, me, access.channel.id).await?;
    let updates = if access.channel.megagroup {
        let action =
            enums::MessageAction::ChatAddUser(types::MessageActionChatAddUser { users: vec![me] });
        let answer = post_service(
            &deps,
            &ctx,
            &access,
            action,
            vec![update_channel(access.channel.id)],
        )
        .await?;
        mark_read(&deps, access.channel.id, &[me]).await?;
        answer
    } else {
        channel_changed(&access, ctx.now)
    };
    Ok(enums::messages::ChatInviteJoinResult::Ok(
        types::messages::ChatInviteJoinResultOk { updates },
    ))
}

async fn leave_channel(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::LeaveChannel,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let access = access_input(&deps, &ctx, &req.channel).await?;
    if !access.is_member() {
        return Err(RpcError::bad_request("USER_NOT_PARTICIPANT"));
    }
    if access.channel.megagroup {
        // Announced while still a member, so the leaver's other sessions get it too.
        let action = enums::MessageAction::ChatDeleteUser(types::MessageActionChatDeleteUser {
            user_id: me,
        });
        post_service(&deps, &ctx, &access, action, Vec::new()).await?;
    }
    deps.storage.channels.leave(access.channel.id, me).await?;
    let access = fresh(&deps, me, access.channel.id).await?;
    let answer = channel_changed(&access, ctx.now);
    deps.messaging.push(me, Some(&ctx), &answer).await;
    Ok(answer)
}

async fn invite_to_channel(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::InviteToChannel,
) -> Result<enums::messages::InvitedUsers, RpcError> {
    let me = ctx.user()?;
    let access = access_input(&deps, &ctx, &req.channel).await?;
    check_can_invite(&access)?;
    if req.users.is_empty() {
        return Err(RpcError::bad_request("USERS_TOO_FEW"));
    }
    if req.users.len() > INVITE_MAX {
        return Err(RpcError::bad_request("USERS_TOO_MUCH"));
    }
    let store = &deps.storage.channels;
    let hide = access.channel.pre_history_hidden && access.channel.megagroup;
    let mut added = Vec::new();
    let mut kicked = false;
    for input in &req.users {
        let user = resolve_user(&deps, input, me).await?;
        let row = store.participant(access.channel.id, user.id).await?;
        if row
            .as_ref()
            .is_some_and(|p| p.role == echo_storage::ChannelRole::Banned)
        {
            kicked = true;
            continue;
        }
        if store
            .join(access.channel.id, user.id, me, ctx.now, hide)
            .await?
        {
            added.push(user.id);
        }
    }
    if added.is_empty() {
        let message = if kicked {
            "USER_KICKED"
        } else {
            "USER_ALREADY_PARTICIPANT"
        };
        return Err(RpcError::bad_request(message));
    }
    let access = fresh(&deps, me, access.channel.id).await?;
    let updates = if access.channel.megagroup {
        let action = enums::MessageAction::ChatAddUser(types::MessageActionChatAddUser {
            users: added.clone(),
        });
        let answer = post_service(&deps, &ctx, &access, action, Vec::new()).await?;
        mark_read(&deps, access.channel.id, &added).await?;
        answer
    } else {
        // Broadcasts announce nothing; the new subscribers learn about the channel.
        for user_id in &added {
            let theirs = store.participant(access.channel.id, *user_id).await?;
            let view = Access {
                channel: access.channel.clone(),
                me: theirs,
            };
            deps.messaging
                .push(*user_id, None, &channel_changed(&view, ctx.now))
                .await;
        }
        channel_changed(&access, ctx.now)
    };
    Ok(enums::messages::InvitedUsers::Users(
        types::messages::InvitedUsers {
            updates,
            missing_invitees: Vec::new(),
        },
    ))
}
