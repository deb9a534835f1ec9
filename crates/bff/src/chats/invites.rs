//! Invite links of basic groups (core.telegram.org/api/invites,
//! /method/messages.exportChatInvite, /method/messages.checkChatInvite,
//! /method/messages.importChatInvite); channel links are in `crate::channels::invites`.
//!
//! A link is `https://t.me/+HASH`; the hash is 16 random bytes in hex. Expiry dates, usage
//! limits and join requests are not supported yet: such exports are refused.

use std::fmt::Write as _;
use std::sync::Arc;

use echo_storage::ChatInviteRecord;
use echo_tl::{enums, functions, types};

use super::methods::member_chat;
use super::settings::require_admin;
use super::{post_service, tl_chat};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;
use crate::router::Router;

/// Longest hash accepted from a client (ours are 32 characters).
const HASH_MAX: usize = 64;

pub fn register(r: &mut Router) {
    r.method(export_chat_invite);
    r.method(check_chat_invite);
    r.method(import_chat_invite);
}

pub(crate) fn new_hash() -> String {
    let bytes: [u8; 16] = rand::random();
    let mut hash = String::with_capacity(32);
    for b in bytes {
        let _ = write!(hash, "{b:02x}");
    }
    hash
}

fn exported(invite: &ChatInviteRecord) -> enums::ExportedChatInvite {
    enums::ExportedChatInvite::ChatInviteExported(types::ChatInviteExported {
        revoked: invite.revoked,
        permanent: true,
        request_needed: false,
        link: format!("https://t.me/+{}", invite.hash),
        admin_id: invite.admin_id,
        date: tl_date(invite.date),
        start_date: None,
        expire_date: None,
        usage_limit: None,
        usage: None,
        requested: None,
        subscription_expired: None,
        title: None,
        subscription_pricing: None,
    })
}

/// The live invite of `hash`: INVITE_HASH_INVALID for an unknown one, INVITE_HASH_EXPIRED
/// for a revoked one or one whose group is gone or became a supergroup.
async fn live_invite(deps: &BffDeps, hash: &str) -> Result<ChatInviteRecord, RpcError> {
    if hash.is_empty() || hash.len() > HASH_MAX {
        return Err(RpcError::bad_request("INVITE_HASH_INVALID"));
    }
    let invite = deps
        .storage
        .chats
        .invite(hash)
        .await?
        .ok_or_else(|| RpcError::bad_request("INVITE_HASH_INVALID"))?;
    let live = deps
        .storage
        .chats
        .get(invite.chat_id)
        .await?
        .is_some_and(|chat| !chat.deactivated && chat.migrated_to.is_none());
    if invite.revoked || !live {
        return Err(RpcError::bad_request("INVITE_HASH_EXPIRED"));
    }
    Ok(invite)
}

/// The channel link of `hash`, if it is one (channel links are handled in
/// `crate::channels`).
async fn channel_invite(
    deps: &BffDeps,
    hash: &str,
) -> Result<Option<echo_storage::ChannelInviteRecord>, RpcError> {
    if hash.is_empty() || hash.len() > HASH_MAX {
        return Ok(None);
    }
    Ok(deps.storage.channels.invite(hash).await?)
}

async fn export_chat_invite(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::ExportChatInvite,
) -> Result<enums::ExportedChatInvite, RpcError> {
    let me = ctx.user()?;
    if let Some(access) = crate::channels::access_peer(&deps, &ctx, &req.peer).await? {
        return crate::channels::channel_export_invite(&deps, &ctx, &access, &req).await;
    }
    let enums::InputPeer::Chat(peer) = &req.peer else {
        return Err(RpcError::bad_request("PEER_ID_INVALID"));
    };
    let chat = member_chat(&deps, me, peer.chat_id).await?;
    require_admin(&deps, me, chat.id, chat.creator_id).await?;
    if req.request_needed
        || req.expire_date.is_some()
        || req.usage_limit.is_some()
        || req.subscription_pricing.is_some()
    {
        return Err(RpcError::bad_request("INVITE_FEATURE_UNSUPPORTED"));
    }
    let invite = ChatInviteRecord {
        hash: new_hash(),
        chat_id: chat.id,
        admin_id: me,
        date: ctx.now,
        revoked: false,
    };
    deps.storage
        .chats
        .create_invite(invite.clone(), req.legacy_revoke_permanent)
        .await?;
    Ok(exported(&invite))
}

async fn check_chat_invite(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::CheckChatInvite,
) -> Result<enums::ChatInvite, RpcError> {
    let me = ctx.user()?;
    if let Some(invite) = channel_invite(&deps, &req.hash).await? {
        return crate::channels::channel_check_invite(&deps, &ctx, &invite).await;
    }
    let invite = live_invite(&deps, &req.hash).await?;
    let chat = deps
        .storage
        .chats
        .get(invite.chat_id)
        .await?
        .ok_or_else(|| RpcError::bad_request("INVITE_HASH_EXPIRED"))?;
    if deps.storage.chats.is_member(chat.id, me).await? {
        return Ok(enums::ChatInvite::Already(types::ChatInviteAlready {
            chat: tl_chat(&chat, me, true),
        }));
    }
    let members = deps.storage.chats.members(chat.id).await?;
    let ids: Vec<i64> = members.iter().map(|m| m.user_id).collect();
    let participants = crate::contacts::view::users_by_id(&deps, me, &ids, ctx.now).await?;
    Ok(enums::ChatInvite::Invite(types::ChatInvite {
        channel: false,
        broadcast: false,
        public: false,
        megagroup: false,
        request_needed: false,
        verified: false,
        scam: false,
        fake: false,
        can_refulfill_subscription: false,
        title: chat.title.clone(),
        about: (!chat.about.is_empty()).then(|| chat.about.clone()),
        photo: enums::Photo::Empty(types::PhotoEmpty { id: 0 }),
        participants_count: chat.participants_count,
        participants: Some(participants),
        color: 0,
        subscription_pricing: None,
        subscription_form_id: None,
        bot_verification: None,
    }))
}

async fn import_chat_invite(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::ImportChatInvite,
) -> Result<enums::messages::ChatInviteJoinResult, RpcError> {
    let me = ctx.user()?;
    if let Some(invite) = channel_invite(&deps, &req.hash).await? {
        return crate::channels::channel_import_invite(&deps, &ctx, &invite).await;
    }
    let invite = live_invite(&deps, &req.hash).await?;
    if !deps
        .storage
        .chats
        .add_member(invite.chat_id, me, invite.admin_id, ctx.now)
        .await?
    {
        return Err(RpcError::bad_request("USER_ALREADY_PARTICIPANT"));
    }
    let action = enums::MessageAction::ChatJoinedByLink(types::MessageActionChatJoinedByLink {
        inviter_id: invite.admin_id,
    });
    let members = deps.storage.chats.members(invite.chat_id).await?;
    let all: Vec<i64> = members.iter().map(|m| m.user_id).collect();
    let updates = post_service(&deps, &ctx, invite.chat_id, action, &all).await?;
    Ok(enums::messages::ChatInviteJoinResult::Ok(
        types::messages::ChatInviteJoinResultOk { updates },
    ))
}

#[cfg(test)]
mod tests {
    use super::new_hash;

    #[test]
    fn hashes_are_32_hex_chars_and_differ() {
        let (a, b) = (new_hash(), new_hash());
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
