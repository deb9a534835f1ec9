//! Invite links of supergroups and channels (core.telegram.org/api/invites,
//! /method/messages.exportChatInvite, /method/messages.checkChatInvite,
//! /method/messages.importChatInvite, /method/messages.editExportedChatInvite,
//! /method/messages.getExportedChatInvites).
//!
//! Basic-group links stay in `crate::chats::invites`, which hands channel peers and
//! channel hashes to the functions here. Links may expire, have a usage limit, carry a
//! title, or need an admin's approval (a join request: importChatInvite answers
//! INVITE_REQUEST_SENT and an admin approves or declines it: `super::requests`).

use std::sync::Arc;

use echo_storage::{ChannelInviteRecord, ChannelRole, InviteEdit, InviteUse, JoinRequestRecord};
use echo_tl::{enums, functions, types};

use super::manage::{channel_changed, fresh, mark_read, update_channel};
use super::post::publish;
use super::rights::require_admin_right;
use super::view::tl_channel;
use super::{access_peer, Access};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;
use crate::router::Router;
use crate::users::resolve_user;

/// Most uses a link may be limited to (Telegram's bound).
const USAGE_LIMIT_MAX: i32 = 99_999;
/// Longest link title Telegram accepts.
const TITLE_MAX: usize = 32;
/// Most links one getExportedChatInvites page returns.
const PAGE_MAX: usize = 100;

pub fn register(r: &mut Router) {
    r.method(edit_exported_chat_invite);
    r.method(get_exported_chat_invites);
}

pub(crate) fn exported(invite: &ChannelInviteRecord) -> enums::ExportedChatInvite {
    let positive = |n: i64| (n > 0).then(|| tl_date(n));
    enums::ExportedChatInvite::ChatInviteExported(types::ChatInviteExported {
        revoked: invite.revoked,
        permanent: invite.permanent,
        request_needed: invite.request_needed,
        link: format!("https://t.me/+{}", invite.hash),
        admin_id: invite.admin_id,
        date: tl_date(invite.date),
        start_date: None,
        expire_date: positive(invite.expire_date),
        usage_limit: (invite.usage_limit > 0).then_some(invite.usage_limit),
        usage: (invite.usage > 0).then_some(invite.usage),
        requested: None,
        subscription_expired: None,
        title: invite.title.clone(),
        subscription_pricing: None,
    })
}

/// The hash of `https://t.me/+HASH`, `t.me/joinchat/HASH` or a bare hash.
pub(super) fn hash_of(link: &str) -> &str {
    let tail = link.rsplit('/').next().unwrap_or(link);
    tail.trim_start_matches('+')
}

/// Creating links needs the invite_users admin right (the creator has it).
fn require_link_admin(access: &Access) -> Result<(), RpcError> {
    access.member()?;
    require_admin_right(access, |r| r.invite_users)
}

/// messages.exportChatInvite for a channel peer.
pub(crate) async fn channel_export_invite(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
    req: &functions::messages::ExportChatInvite,
) -> Result<enums::ExportedChatInvite, RpcError> {
    let me = ctx.user()?;
    require_link_admin(access)?;
    if req.subscription_pricing.is_some() {
        return Err(RpcError::bad_request("INVITE_FEATURE_UNSUPPORTED"));
    }
    let usage_limit = req.usage_limit.unwrap_or(0);
    if !(0..=USAGE_LIMIT_MAX).contains(&usage_limit) || (req.request_needed && usage_limit > 0) {
        return Err(RpcError::bad_request("USAGE_LIMIT_INVALID"));
    }
    let expire_date = i64::from(req.expire_date.unwrap_or(0));
    if expire_date != 0 && expire_date <= ctx.now {
        return Err(RpcError::bad_request("EXPIRE_DATE_INVALID"));
    }
    let title = req
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if title.is_some_and(|t| t.chars().count() > TITLE_MAX) {
        return Err(RpcError::bad_request("INVITE_TITLE_INVALID"));
    }
    let invite = ChannelInviteRecord {
        hash: crate::chats::new_invite_hash(),
        channel_id: access.channel.id,
        admin_id: me,
        date: ctx.now,
        revoked: false,
        permanent: req.legacy_revoke_permanent,
        expire_date,
        usage_limit,
        usage: 0,
        request_needed: req.request_needed,
        title: title.map(str::to_owned),
    };
    deps.storage
        .channels
        .create_invite(invite.clone(), req.legacy_revoke_permanent)
        .await?;
    Ok(exported(&invite))
}

/// A channel link that still works: INVITE_HASH_EXPIRED when revoked, past its date or
/// its channel is gone. (USERS_TOO_MUCH answers an import that loses the race for the last
/// use of a limited link.)
async fn live(
    deps: &BffDeps,
    invite: &ChannelInviteRecord,
    now: i64,
) -> Result<echo_storage::ChannelRecord, RpcError> {
    let expired = || RpcError::bad_request("INVITE_HASH_EXPIRED");
    if invite.revoked || (invite.expire_date != 0 && invite.expire_date <= now) {
        return Err(expired());
    }
    let channel = deps
        .storage
        .channels
        .get(invite.channel_id)
        .await?
        .filter(|c| !c.deleted)
        .ok_or_else(expired)?;
    Ok(channel)
}

/// A link whose usage limit is reached is expired for anyone who is not a member yet
/// (Telegram shows such links as expired).
fn used_up(invite: &ChannelInviteRecord) -> Result<(), RpcError> {
    if invite.usage_limit > 0 && invite.usage >= invite.usage_limit {
        return Err(RpcError::bad_request("INVITE_HASH_EXPIRED"));
    }
    Ok(())
}

/// messages.checkChatInvite for a channel link: chatInviteAlready for members, chatInvite
/// (title, counts, a few members of a supergroup) for anyone else.
pub(crate) async fn channel_check_invite(
    deps: &BffDeps,
    ctx: &RpcContext,
    invite: &ChannelInviteRecord,
) -> Result<enums::ChatInvite, RpcError> {
    let me = ctx.user()?;
    let channel = live(deps, invite, ctx.now).await?;
    let mine = deps.storage.channels.participant(channel.id, me).await?;
    if mine.as_ref().is_some_and(|p| p.role.is_member()) {
        return Ok(enums::ChatInvite::Already(types::ChatInviteAlready {
            chat: tl_channel(&channel, mine.as_ref()),
        }));
    }
    used_up(invite)?;
    let participants = if channel.megagroup {
        let (rows, _) = deps
            .storage
            .channels
            .participants(channel.id, &echo_storage::ParticipantFilter::Recent, 0, 10)
            .await?;
        let ids: Vec<i64> = rows.iter().map(|p| p.user_id).collect();
        Some(crate::contacts::view::users_by_id(deps, me, &ids, ctx.now).await?)
    } else {
        None
    };
    Ok(enums::ChatInvite::Invite(types::ChatInvite {
        channel: true,
        broadcast: channel.broadcast,
        public: channel.username.is_some(),
        megagroup: channel.megagroup,
        request_needed: invite.request_needed,
        verified: false,
        scam: false,
        fake: false,
        can_refulfill_subscription: false,
        title: channel.title.clone(),
        about: (!channel.about.is_empty()).then(|| channel.about.clone()),
        photo: enums::Photo::Empty(types::PhotoEmpty { id: 0 }),
        participants_count: channel.participants_count,
        participants,
        color: 0,
        subscription_pricing: None,
        subscription_form_id: None,
        bot_verification: None,
    }))
}

/// The answer to a join: supergroups announce it with a service message; broadcasts only
/// tell the new subscriber about the channel.
async fn announce_join(
    deps: &BffDeps,
    ctx: &RpcContext,
    channel_id: i64,
    user_id: i64,
    action: enums::MessageAction,
) -> Result<enums::Updates, RpcError> {
    let access = fresh(deps, user_id, channel_id).await?;
    if !access.channel.megagroup {
        return Ok(channel_changed(&access, ctx.now));
    }
    let message = echo_storage::NewChannelMessage {
        from_id: user_id,
        date: ctx.now,
        action: echo_tl::Serializable::to_bytes(&action),
        ..Default::default()
    };
    let answer = publish(
        deps,
        ctx,
        &access,
        message,
        vec![update_channel(channel_id)],
    )
    .await?;
    mark_read(deps, channel_id, &[user_id]).await?;
    Ok(answer)
}

/// messages.importChatInvite for a channel link.
pub(crate) async fn channel_import_invite(
    deps: &BffDeps,
    ctx: &RpcContext,
    invite: &ChannelInviteRecord,
) -> Result<enums::messages::ChatInviteJoinResult, RpcError> {
    let me = ctx.user()?;
    let channel = live(deps, invite, ctx.now).await?;
    let mine = deps.storage.channels.participant(channel.id, me).await?;
    match mine.map(|p| p.role) {
        Some(role) if role.is_member() => {
            return Err(RpcError::bad_request("USER_ALREADY_PARTICIPANT"))
        }
        Some(ChannelRole::Banned) => return Err(RpcError::bad_request("USER_BANNED_IN_CHANNEL")),
        _ => {}
    }
    used_up(invite)?;
    if invite.request_needed {
        deps.storage
            .channels
            .add_join_request(JoinRequestRecord {
                channel_id: channel.id,
                user_id: me,
                invite_hash: invite.hash.clone(),
                date: ctx.now,
            })
            .await?;
        super::requests::push_pending(deps, ctx, channel.id).await?;
        return Err(RpcError::bad_request("INVITE_REQUEST_SENT"));
    }
    let hide = channel.pre_history_hidden && channel.megagroup;
    let used = deps
        .storage
        .channels
        .use_invite(&invite.hash, me, ctx.now, hide)
        .await?;
    match used {
        InviteUse::Joined => {}
        InviteUse::LimitReached => return Err(RpcError::bad_request("USERS_TOO_MUCH")),
        InviteUse::NotJoined => return Err(RpcError::bad_request("USER_ALREADY_PARTICIPANT")),
    }
    let action = enums::MessageAction::ChatJoinedByLink(types::MessageActionChatJoinedByLink {
        inviter_id: invite.admin_id,
    });
    let updates = announce_join(deps, ctx, channel.id, me, action).await?;
    Ok(enums::messages::ChatInviteJoinResult::Ok(
        types::messages::ChatInviteJoinResultOk { updates },
    ))
}

/// The channel an invite method names; basic groups have no such method here yet.
pub(super) async fn link_admin_access(
    deps: &BffDeps,
    ctx: &RpcContext,
    peer: &enums::InputPeer,
) -> Result<Access, RpcError> {
    match access_peer(deps, ctx, peer).await? {
        Some(access) => {
            require_link_admin(&access)?;
            Ok(access)
        }
        None if matches!(peer, enums::InputPeer::Chat(_)) => {
            Err(RpcError::bad_request("METHOD_NOT_IMPLEMENTED"))
        }
        None => Err(RpcError::bad_request("PEER_ID_INVALID")),
    }
}

/// Revokes a link (a revoked permanent link is replaced by a new one,
/// messages.exportedChatInviteReplaced) or changes its settings; fields left out stay.
async fn edit_exported_chat_invite(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::EditExportedChatInvite,
) -> Result<enums::messages::ExportedChatInvite, RpcError> {
    let me = ctx.user()?;
    let access = link_admin_access(&deps, &ctx, &req.peer).await?;
    let invite = deps
        .storage
        .channels
        .invite(hash_of(&req.link))
        .await?
        .filter(|i| i.channel_id == access.channel.id)
        .ok_or_else(|| RpcError::bad_request("INVITE_HASH_INVALID"))?;
    if invite.admin_id != me && access.me.as_ref().map(|p| p.role) != Some(ChannelRole::Creator) {
        return Err(RpcError::new(403, "CHAT_ADMIN_REQUIRED"));
    }
    if !req.revoked {
        return edit_settings(&deps, &ctx, &access, &invite, &req).await;
    }
    if !deps
        .storage
        .channels
        .revoke_invite(access.channel.id, &invite.hash)
        .await?
    {
        return Err(RpcError::bad_request("INVITE_REVOKED_MISSING"));
    }
    let revoked = ChannelInviteRecord {
        revoked: true,
        ..invite.clone()
    };
    let users = crate::contacts::view::users_by_id(&deps, me, &[invite.admin_id], ctx.now).await?;
    if invite.permanent {
        let replacement = ChannelInviteRecord {
            hash: crate::chats::new_invite_hash(),
            date: ctx.now,
            revoked: false,
            usage: 0,
            ..invite.clone()
        };
        deps.storage
            .channels
            .create_invite(replacement.clone(), false)
            .await?;
        return Ok(enums::messages::ExportedChatInvite::Replaced(
            types::messages::ExportedChatInviteReplaced {
                invite: exported(&revoked),
                new_invite: exported(&replacement),
                users,
            },
        ));
    }
    Ok(enums::messages::ExportedChatInvite::Invite(
        types::messages::ExportedChatInvite {
            invite: exported(&revoked),
            users,
        },
    ))
}

/// The non-revoking part of editExportedChatInvite.
async fn edit_settings(
    deps: &BffDeps,
    ctx: &RpcContext,
    access: &Access,
    invite: &ChannelInviteRecord,
    req: &functions::messages::EditExportedChatInvite,
) -> Result<enums::messages::ExportedChatInvite, RpcError> {
    let me = ctx.user()?;
    let usage_limit = req.usage_limit.unwrap_or(invite.usage_limit);
    let request_needed = req.request_needed.unwrap_or(invite.request_needed);
    if !(0..=USAGE_LIMIT_MAX).contains(&usage_limit) || (request_needed && usage_limit > 0) {
        return Err(RpcError::bad_request("USAGE_LIMIT_INVALID"));
    }
    let expire_date = req.expire_date.map_or(invite.expire_date, i64::from);
    if req.expire_date.is_some_and(|d| d != 0) && expire_date <= ctx.now {
        return Err(RpcError::bad_request("EXPIRE_DATE_INVALID"));
    }
    let title = match &req.title {
        Some(t) => Some(t.trim()).filter(|t| !t.is_empty()).map(str::to_owned),
        None => invite.title.clone(),
    };
    if title
        .as_ref()
        .is_some_and(|t| t.chars().count() > TITLE_MAX)
    {
        return Err(RpcError::bad_request("INVITE_TITLE_INVALID"));
    }
    let edit = InviteEdit {
        expire_date,
        usage_limit,
        request_needed,
        title,
    };
    let edited = deps
        .storage
        .channels
        .edit_invite(access.channel.id, &invite.hash, edit)
        .await?
        .ok_or_else(|| RpcError::bad_request("INVITE_HASH_EXPIRED"))?;
    let users = crate::contacts::view::users_by_id(deps, me, &[invite.admin_id], ctx.now).await?;
    Ok(enums::messages::ExportedChatInvite::Invite(
        types::messages::ExportedChatInvite {
            invite: exported(&edited),
            users,
        },
    ))
}

async fn get_exported_chat_invites(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::GetExportedChatInvites,
) -> Result<enums::messages::ExportedChatInvites, RpcError> {
    let me = ctx.user()?;
    let access = link_admin_access(&deps, &ctx, &req.peer).await?;
    let admin = resolve_user(&deps, &req.admin_id, me).await?;
    if admin.id != me && access.me.as_ref().map(|p| p.role) != Some(ChannelRole::Creator) {
        return Err(RpcError::new(403, "CHAT_ADMIN_REQUIRED"));
    }
    let all = deps
        .storage
        .channels
        .invites_of(access.channel.id, admin.id, req.revoked)
        .await?;
    let count = i32::try_from(all.len()).unwrap_or(i32::MAX);
    // Newest first; a page continues after (offset_date, offset_link).
    let offset_hash = req.offset_link.as_deref().map(hash_of);
    let start = match (req.offset_date, offset_hash) {
        (Some(_), Some(hash)) => all.iter().position(|i| i.hash == hash).map_or(0, |p| p + 1),
        _ => 0,
    };
    let limit = usize::try_from(req.limit).unwrap_or(0).clamp(1, PAGE_MAX);
    let invites = all
        .iter()
        .skip(start)
        .take(limit)
        .map(exported)
        .collect::<Vec<_>>();
    let users = crate::contacts::view::users_by_id(&deps, me, &[admin.id], ctx.now).await?;
    Ok(enums::messages::ExportedChatInvites::Invites(
        types::messages::ExportedChatInvites {
            count,
            invites,
            users,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::hash_of;

    #[test]
    fn hashes_from_links() {
        assert_eq!(hash_of("https://t.me/+abc123"), "abc123");
        assert_eq!(hash_of("t.me/joinchat/abc123"), "abc123");
        assert_eq!(hash_of("abc123"), "abc123");
    }
}
