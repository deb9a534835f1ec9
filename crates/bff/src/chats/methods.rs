//! The basic-group methods: core.telegram.org/method/messages.createChat,
//! /method/messages.getChats, /method/messages.getFullChat, /method/messages.addChatUser,
//! /method/messages.deleteChatUser, /method/messages.editChatTitle (editChatPhoto: `photo`).

use std::sync::Arc;

use echo_storage::{ChatRecord, CHAT_TITLE_MAX};
use echo_tl::{enums, functions, types};

use super::{check_can_write, post_service, tl_chat, tl_participants, users};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert;
use crate::router::Router;
use crate::users::resolve_user;

/// Most users one createChat takes (Telegram's basic-group size limit).
const CHAT_MEMBERS_MAX: usize = 200;

pub fn register(r: &mut Router) {
    r.method(create_chat);
    r.method(get_chats);
    r.method(get_full_chat);
    r.method(add_chat_user);
    r.method(delete_chat_user);
    r.method(edit_chat_title);
    r.method(delete_chat);
}

fn clean_title(title: &str) -> Result<String, RpcError> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > CHAT_TITLE_MAX {
        return Err(RpcError::bad_request("CHAT_TITLE_EMPTY"));
    }
    Ok(title.to_owned())
}

/// The group, for a current member; CHAT_ID_INVALID for anyone else, and for a group that
/// was migrated to a supergroup (it takes no more changes).
pub(crate) async fn member_chat(
    deps: &BffDeps,
    me: i64,
    chat_id: i64,
) -> Result<ChatRecord, RpcError> {
    let chat = readable_chat(deps, me, chat_id).await?;
    if chat.migrated_to.is_some() {
        return Err(RpcError::bad_request("CHAT_ID_INVALID"));
    }
    Ok(chat)
}

/// The group, migrated or not, for a current member; CHAT_ID_INVALID for anyone else.
async fn readable_chat(deps: &BffDeps, me: i64, chat_id: i64) -> Result<ChatRecord, RpcError> {
    let invalid = || RpcError::bad_request("CHAT_ID_INVALID");
    let chat = deps.storage.chats.get(chat_id).await?.ok_or_else(invalid)?;
    if !deps.storage.chats.is_member(chat_id, me).await? {
        return Err(invalid());
    }
    Ok(chat)
}

async fn member_ids(deps: &BffDeps, chat_id: i64) -> Result<Vec<i64>, RpcError> {
    let members = deps.storage.chats.members(chat_id).await?;
    Ok(members.iter().map(|m| m.user_id).collect())
}

fn invited(updates: enums::Updates) -> enums::messages::InvitedUsers {
    enums::messages::InvitedUsers::Users(types::messages::InvitedUsers {
        updates,
        missing_invitees: Vec::new(),
    })
}

async fn create_chat(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::CreateChat,
) -> Result<enums::messages::InvitedUsers, RpcError> {
    let me = ctx.user()?;
    let title = clean_title(&req.title)?;
    if req.users.len() > CHAT_MEMBERS_MAX {
        return Err(RpcError::bad_request("USERS_TOO_MUCH"));
    }
    let mut ids = Vec::with_capacity(req.users.len());
    for input in &req.users {
        let user = resolve_user(&deps, input, me).await?;
        if user.id != me && !ids.contains(&user.id) {
            ids.push(user.id);
        }
    }
    if ids.is_empty() {
        return Err(RpcError::bad_request("USERS_TOO_FEW"));
    }
    let chat = deps.storage.chats.create(me, &title, &ids, ctx.now).await?;
    let action = enums::MessageAction::ChatCreate(types::MessageActionChatCreate {
        title,
        users: member_ids(&deps, chat.id).await?,
    });
    let all = member_ids(&deps, chat.id).await?;
    let updates = post_service(&deps, &ctx, chat.id, action, &all).await?;
    Ok(invited(updates))
}

async fn get_chats(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::GetChats,
) -> Result<enums::messages::Chats, RpcError> {
    let me = ctx.user()?;
    let mut chats = Vec::new();
    for chat in deps.storage.chats.get_many(&req.id).await? {
        let member = deps.storage.chats.is_member(chat.id, me).await?;
        // Outsiders learn nothing about a group they were never in.
        if member
            || deps
                .storage
                .dialogs
                .get(me, echo_storage::Peer::Chat(chat.id))
                .await?
                .is_some()
        {
            chats.push(tl_chat(&chat, me, member));
        }
    }
    Ok(enums::messages::Chats::Chats(types::messages::Chats {
        chats,
    }))
}

async fn get_full_chat(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::GetFullChat,
) -> Result<enums::messages::ChatFull, RpcError> {
    let me = ctx.user()?;
    let chat = readable_chat(&deps, me, req.chat_id).await?;
    let members = deps.storage.chats.members(chat.id).await?;
    let ids: Vec<i64> = members.iter().map(|m| m.user_id).collect();
    let photo = crate::photos::current_photo(&deps, echo_storage::Peer::Chat(chat.id)).await?;
    let mut tl = tl_chat(&chat, me, true);
    if let (enums::Chat::Chat(c), Some(p)) = (&mut tl, &photo) {
        c.photo = crate::media_tl::chat_photo(p);
    }
    let full = enums::ChatFull::Full(types::ChatFull {
        can_set_username: false,
        has_scheduled: false,
        translations_disabled: false,
        has_welcome_messages: false,
        id: chat.id,
        about: chat.about.clone(),
        participants: tl_participants(&chat, &members),
        chat_photo: photo.as_ref().map(crate::media_tl::photo),
        notify_settings: convert::default_notify_settings(),
        exported_invite: None,
        bot_info: None,
        pinned_msg_id: None,
        folder_id: None,
        call: None,
        ttl_period: None,
        groupcall_default_join_as: None,
        theme_emoticon: None,
        requests_pending: None,
        recent_requesters: None,
        available_reactions: None,
        reactions_limit: None,
    });
    Ok(enums::messages::ChatFull::Full(types::messages::ChatFull {
        full_chat: full,
        chats: vec![tl],
        users: users(&deps, &ctx, &ids).await?,
    }))
}

async fn add_chat_user(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::AddChatUser,
) -> Result<enums::messages::InvitedUsers, RpcError> {
    let me = ctx.user()?;
    let chat = member_chat(&deps, me, req.chat_id).await?;
    let user = resolve_user(&deps, &req.user_id, me).await?;
    if !deps
        .storage
        .chats
        .add_member(chat.id, user.id, me, ctx.now)
        .await?
    {
        return Err(RpcError::bad_request("USER_ALREADY_PARTICIPANT"));
    }
    let action = enums::MessageAction::ChatAddUser(types::MessageActionChatAddUser {
        users: vec![user.id],
    });
    let all = member_ids(&deps, chat.id).await?;
    let updates = post_service(&deps, &ctx, chat.id, action, &all).await?;
    Ok(invited(updates))
}

async fn delete_chat_user(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::DeleteChatUser,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let chat = member_chat(&deps, me, req.chat_id).await?;
    let user = resolve_user(&deps, &req.user_id, me).await?;
    // Anyone may leave; only the creator and admins may remove someone else, and nobody
    // removes the creator.
    if user.id != me {
        let members = deps.storage.chats.members(chat.id).await?;
        let admin = members.iter().any(|m| m.user_id == me && m.is_admin);
        if !(admin || chat.creator_id == me) || user.id == chat.creator_id {
            return Err(RpcError::new(403, "CHAT_ADMIN_REQUIRED"));
        }
    }
    // Everyone, the removed user included, gets the service message before the removal.
    let all = member_ids(&deps, chat.id).await?;
    if !all.contains(&user.id) {
        return Err(RpcError::bad_request("USER_NOT_PARTICIPANT"));
    }
    deps.storage.chats.remove_member(chat.id, user.id).await?;
    let action = enums::MessageAction::ChatDeleteUser(types::MessageActionChatDeleteUser {
        user_id: user.id,
    });
    if user.id == me {
        // The caller is no longer a member: their copy still goes to their own box.
        return post_service(&deps, &ctx, chat.id, action, &all).await;
    }
    check_can_write(&deps, me, chat.id).await?;
    post_service(&deps, &ctx, chat.id, action, &all).await
}

async fn edit_chat_title(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::EditChatTitle,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let chat = member_chat(&deps, me, req.chat_id).await?;
    let title = clean_title(&req.title)?;
    deps.storage
        .chats
        .set_title(chat.id, &title)
        .await?
        .ok_or_else(|| RpcError::bad_request("CHAT_ID_INVALID"))?;
    let action = enums::MessageAction::ChatEditTitle(types::MessageActionChatEditTitle { title });
    let all = member_ids(&deps, chat.id).await?;
    post_service(&deps, &ctx, chat.id, action, &all).await
}

/// Deletes the group for everyone (creator only): every member is removed and learns it
/// through updateChatParticipants(chatParticipantsForbidden) with a chatForbidden.
async fn delete_chat(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::DeleteChat,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    let chat = member_chat(&deps, me, req.chat_id).await?;
    if chat.creator_id != me {
        return Err(RpcError::new(403, "CHAT_ADMIN_REQUIRED"));
    }
    let former = deps
        .storage
        .chats
        .deactivate(chat.id)
        .await?
        .ok_or_else(|| RpcError::bad_request("CHAT_ID_INVALID"))?;
    let updates = enums::Updates::Updates(types::Updates {
        updates: vec![enums::Update::ChatParticipants(
            types::UpdateChatParticipants {
                participants: enums::ChatParticipants::Forbidden(
                    types::ChatParticipantsForbidden {
                        chat_id: chat.id,
                        self_participant: None,
                    },
                ),
            },
        )],
        users: Vec::new(),
        chats: vec![tl_chat(&chat, me, false)],
        date: crate::help::tl_date(ctx.now),
        seq: 0,
    });
    for user_id in former {
        let except = (user_id == me).then_some(&ctx);
        deps.messaging.push(user_id, except, &updates).await;
    }
    Ok(true)
}
