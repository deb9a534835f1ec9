//! Basic-group settings: core.telegram.org/method/messages.editChatAbout,
//! /method/messages.editChatAdmin (/constructor/updateChatParticipantAdmin) and
//! /method/messages.editChatDefaultBannedRights (/constructor/updateChatDefaultBannedRights).

use std::sync::Arc;

use echo_storage::Peer;
use echo_tl::{enums, functions, types, Serializable};

use super::methods::member_chat;
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::router::Router;
use crate::users::resolve_user;

/// Longest group description Telegram accepts.
const CHAT_ABOUT_MAX: usize = 255;

pub fn register(r: &mut Router) {
    r.method(edit_chat_about);
    r.method(edit_chat_admin);
    r.method(edit_chat_default_banned_rights);
}

/// CHAT_ADMIN_REQUIRED unless `me` is the creator or an admin of `chat_id`.
pub(super) async fn require_admin(
    deps: &BffDeps,
    me: i64,
    chat_id: i64,
    creator: i64,
) -> Result<(), RpcError> {
    let members = deps.storage.chats.members(chat_id).await?;
    if creator == me || members.iter().any(|m| m.user_id == me && m.is_admin) {
        Ok(())
    } else {
        Err(RpcError::new(403, "CHAT_ADMIN_REQUIRED"))
    }
}

async fn edit_chat_about(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::EditChatAbout,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    if let Some(access) = crate::channels::access_peer(&deps, &ctx, &req.peer).await? {
        return crate::channels::edit_about(&deps, &ctx, &access, &req.about).await;
    }
    let chat_id = match &req.peer {
        enums::InputPeer::Chat(c) => c.chat_id,
        _ => return Err(RpcError::bad_request("PEER_ID_INVALID")),
    };
    let chat = member_chat(&deps, me, chat_id).await?;
    require_admin(&deps, me, chat.id, chat.creator_id).await?;
    if req.about.chars().count() > CHAT_ABOUT_MAX {
        return Err(RpcError::bad_request("CHAT_ABOUT_TOO_LONG"));
    }
    if chat.about == req.about {
        return Err(RpcError::bad_request("CHAT_ABOUT_NOT_MODIFIED"));
    }
    deps.storage.chats.set_about(chat.id, &req.about).await?;
    Ok(true)
}

async fn edit_chat_admin(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::EditChatAdmin,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    let chat = member_chat(&deps, me, req.chat_id).await?;
    // Only the creator appoints admins in a basic group.
    if chat.creator_id != me {
        return Err(RpcError::new(403, "CHAT_ADMIN_REQUIRED"));
    }
    let user = resolve_user(&deps, &req.user_id, me).await?;
    let is_admin = req.is_admin;
    if user.id == chat.creator_id {
        return Err(RpcError::bad_request("USER_ID_INVALID"));
    }
    if !deps
        .storage
        .chats
        .set_admin(chat.id, user.id, is_admin)
        .await?
    {
        return Err(RpcError::bad_request("USER_NOT_PARTICIPANT"));
    }
    let version = deps
        .storage
        .chats
        .get(chat.id)
        .await?
        .map_or(chat.version, |c| c.version);
    let update = enums::Update::ChatParticipantAdmin(types::UpdateChatParticipantAdmin {
        chat_id: chat.id,
        user_id: user.id,
        is_admin,
        version,
    });
    let chats = super::chats_of(&deps, me, &[Peer::Chat(chat.id)]).await?;
    for member in deps.storage.chats.members(chat.id).await? {
        let updates = enums::Updates::Updates(types::Updates {
            updates: vec![update.clone()],
            users: Vec::new(),
            chats: chats.clone(),
            date: crate::help::tl_date(ctx.now),
            seq: 0,
        });
        let except = (member.user_id == me).then_some(&ctx);
        deps.messaging.push(member.user_id, except, &updates).await;
    }
    Ok(true)
}

async fn edit_chat_default_banned_rights(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::EditChatDefaultBannedRights,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    if let Some(access) = crate::channels::access_peer(&deps, &ctx, &req.peer).await? {
        return crate::channels::edit_default_banned_rights(
            &deps,
            &ctx,
            &access,
            &req.banned_rights,
        )
        .await;
    }
    let chat_id = match &req.peer {
        enums::InputPeer::Chat(c) => c.chat_id,
        _ => return Err(RpcError::bad_request("PEER_ID_INVALID")),
    };
    let chat = member_chat(&deps, me, chat_id).await?;
    require_admin(&deps, me, chat.id, chat.creator_id).await?;
    let rights = req.banned_rights.to_bytes();
    if rights == chat.default_banned_rights {
        return Err(RpcError::bad_request("CHAT_NOT_MODIFIED"));
    }
    let chat = deps
        .storage
        .chats
        .set_default_banned_rights(chat.id, &rights)
        .await?
        .ok_or_else(|| RpcError::bad_request("CHAT_ID_INVALID"))?;
    let update = enums::Update::ChatDefaultBannedRights(types::UpdateChatDefaultBannedRights {
        peer: crate::convert::peer(Peer::Chat(chat.id)),
        default_banned_rights: req.banned_rights.clone(),
        version: chat.version,
    });
    let mut answer = None;
    for member in deps.storage.chats.members(chat.id).await? {
        let updates = enums::Updates::Updates(types::Updates {
            updates: vec![update.clone()],
            users: Vec::new(),
            chats: vec![super::tl_chat(&chat, member.user_id, true)],
            date: crate::help::tl_date(ctx.now),
            seq: 0,
        });
        if member.user_id == me {
            deps.messaging.push(me, Some(&ctx), &updates).await;
            answer = Some(updates);
        } else {
            deps.messaging.push(member.user_id, None, &updates).await;
        }
    }
    answer.ok_or_else(|| RpcError::bad_request("CHAT_ID_INVALID"))
}
