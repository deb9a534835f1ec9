//! The supergroup side of a basic group's migration (core.telegram.org/method/messages.migrateChat,
//! /constructor/messageActionChannelMigrateFrom, /constructor/channelFull
//! `migrated_from_chat_id`).
//!
//! The storage makes the megagroup in one transaction (members, admins, the group's photo and
//! the first message, messageActionChannelMigrateFrom); this module renders and pushes it.
//! The old group's history stays in every member's own box, so channelFull points back at it:
//! `migrated_from_max_id` is the newest message of the viewer's copy of the group.

use echo_storage::{
    ChannelRecord, ChatMigrated, ChatMigration, ChatRecord, NewChannelMessage, Peer,
};
use echo_tl::{enums, types, Serializable};

use super::manage::{fresh, mark_read, update_channel};
use super::post::push_to_members;
use super::rights::creator_rights_bytes;
use super::view::{tl_channel, tl_message};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;

/// What the admins of a basic group may do once it is a supergroup: everything but naming
/// other admins, which stays with the creator (as Telegram migrates them).
fn migrated_admin_rights() -> Vec<u8> {
    let mut rights = super::rights::creator_rights();
    rights.add_admins = false;
    rights.post_messages = false;
    rights.edit_messages = false;
    enums::ChatAdminRights::Rights(rights).to_bytes()
}

/// Makes the supergroup of `chat` (whose creator is the caller); CHAT_ID_INVALID when the
/// group was migrated or deleted meanwhile.
pub(crate) async fn migrate_from_chat(
    deps: &BffDeps,
    ctx: &RpcContext,
    chat: &ChatRecord,
) -> Result<ChatMigrated, RpcError> {
    let me = ctx.user()?;
    let photo = crate::photos::current_photo(deps, Peer::Chat(chat.id)).await?;
    let action = enums::MessageAction::ChannelMigrateFrom(types::MessageActionChannelMigrateFrom {
        title: chat.title.clone(),
        chat_id: chat.id,
    });
    let migrated = deps
        .storage
        .channels
        .migrate_chat(ChatMigration {
            chat_id: chat.id,
            access_hash: rand::random::<i64>(),
            date: ctx.now,
            creator_rights: creator_rights_bytes(),
            admin_rights: migrated_admin_rights(),
            photo: photo.as_ref().map(crate::media_tl::channel_photo),
            first_message: NewChannelMessage {
                from_id: me,
                date: ctx.now,
                action: action.to_bytes(),
                ..NewChannelMessage::default()
            },
        })
        .await?
        .ok_or_else(|| RpcError::bad_request("CHAT_ID_INVALID"))?;
    if let Some(photo) = &photo {
        // The photo's history moves along, so photos.getUserPhotos-style lookups of the
        // channel's peer photo find it.
        deps.storage
            .media
            .set_peer_photo(Peer::Channel(migrated.channel.id), photo.id, ctx.now)
            .await?;
    }
    // Nobody has the migrate-from notice unread.
    let members = deps
        .storage
        .channels
        .member_ids(migrated.channel.id)
        .await?;
    mark_read(deps, migrated.channel.id, &members).await?;
    Ok(migrated)
}

/// Tells every member about the new supergroup (updateChannel and its first message) and
/// returns the caller's part of the answer.
pub(crate) async fn announce_migration(
    deps: &BffDeps,
    ctx: &RpcContext,
    migrated: &ChatMigrated,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let access = fresh(deps, me, migrated.channel.id).await?;
    let channel = &access.channel;
    let m = &migrated.first_message;
    let updates_for = |viewer: i64| {
        vec![
            update_channel(channel.id),
            enums::Update::NewChannelMessage(types::UpdateNewChannelMessage {
                message: tl_message(m, channel, viewer),
                pts: m.pts,
                pts_count: 1,
            }),
        ]
    };
    push_to_members(deps, ctx, channel, &[me], updates_for).await?;
    Ok(enums::Updates::Updates(types::Updates {
        updates: updates_for(me),
        users: crate::contacts::view::users_by_id(deps, me, &[me], ctx.now).await?,
        chats: vec![tl_channel(channel, access.me.as_ref())],
        date: tl_date(ctx.now),
        seq: 0,
    }))
}

/// Where a migrated supergroup came from, as `viewer` sees it.
pub(super) struct MigratedFrom {
    pub chat_id: i64,
    /// The newest message of the viewer's copy of the old group.
    pub max_id: i32,
    pub chat: enums::Chat,
}

pub(super) async fn migrated_from(
    deps: &BffDeps,
    viewer: i64,
    channel: &ChannelRecord,
) -> Result<Option<MigratedFrom>, RpcError> {
    let Some(chat_id) = channel.migrated_from_chat_id else {
        return Ok(None);
    };
    let Some(chat) = deps.storage.chats.get(chat_id).await? else {
        return Ok(None);
    };
    let dialog = deps
        .storage
        .dialogs
        .get(viewer, Peer::Chat(chat_id))
        .await?;
    let member = deps.storage.chats.is_member(chat_id, viewer).await?;
    Ok(Some(MigratedFrom {
        chat_id,
        max_id: dialog.map_or(0, |d| d.top_message),
        chat: crate::chats::tl_chat(&chat, viewer, member),
    }))
}
