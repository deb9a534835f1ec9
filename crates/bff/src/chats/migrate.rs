//! messages.migrateChat: a basic group becomes a supergroup
//! (core.telegram.org/method/messages.migrateChat, /api/channel#migration).
//!
//! Only the creator migrates. The megagroup takes the group's title, description, photo,
//! default rights and members (admins stay admins); every member's copy of the group gets
//! messageActionChatMigrateTo, the supergroup starts with messageActionChannelMigrateFrom.
//! The old group stays readable (chat.deactivated with `migrated_to`) and takes no more
//! messages or changes.

use std::sync::Arc;

use echo_tl::{enums, functions, types};

use super::methods::member_chat;
use super::post_service;
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::router::Router;

pub fn register(r: &mut Router) {
    r.method(migrate_chat);
}

async fn migrate_chat(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::MigrateChat,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let chat = member_chat(&deps, me, req.chat_id).await?;
    if chat.deactivated {
        return Err(RpcError::bad_request("CHAT_ID_INVALID"));
    }
    if chat.creator_id != me {
        return Err(RpcError::new(403, "CHAT_ADMIN_REQUIRED"));
    }
    // Members before the migration: the notice goes to exactly them.
    let members = deps.storage.chats.members(chat.id).await?;
    let all: Vec<i64> = members.iter().map(|m| m.user_id).collect();
    let migrated = crate::channels::migrate_from_chat(&deps, &ctx, &chat).await?;
    let channel_id = migrated.channel.id;
    let action =
        enums::MessageAction::ChatMigrateTo(types::MessageActionChatMigrateTo { channel_id });
    let new_side = crate::channels::announce_migration(&deps, &ctx, &migrated).await?;
    let old_side = post_service(&deps, &ctx, chat.id, action, &all).await?;
    Ok(merge(new_side, old_side))
}

/// One `updates` with the updates, users and chats of both.
fn merge(first: enums::Updates, second: enums::Updates) -> enums::Updates {
    let parts = |u: enums::Updates| match u {
        enums::Updates::Updates(u) => (u.updates, u.users, u.chats, u.date),
        _ => (Vec::new(), Vec::new(), Vec::new(), 0),
    };
    let (mut updates, mut users, mut chats, date) = parts(first);
    let (more_updates, more_users, more_chats, _) = parts(second);
    updates.extend(more_updates);
    users.extend(more_users);
    chats.extend(more_chats);
    users.sort_by_key(user_id);
    users.dedup_by_key(|u| user_id(u));
    enums::Updates::Updates(types::Updates {
        updates,
        users,
        chats,
        date,
        seq: 0,
    })
}

fn user_id(user: &enums::User) -> i64 {
    match user {
        enums::User::User(u) => u.id,
        enums::User::Empty(u) => u.id,
    }
}
