//! Basic-group photos (core.telegram.org/method/messages.editChatPhoto,
//! /constructor/messageActionChatEditPhoto, /constructor/messageActionChatDeletePhoto).
//!
//! The group's photo history is `storage.media` peer photos of `Peer::Chat`; a change is
//! announced to every member with a service message carrying the new photo.

use std::sync::Arc;

use echo_storage::Peer;
use echo_tl::{enums, functions, types};

use super::methods::member_chat;
use super::post_service;
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::media_tl;
use crate::router::Router;

pub fn register(r: &mut Router) {
    r.method(edit_chat_photo);
}

async fn edit_chat_photo(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::messages::EditChatPhoto,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let chat = member_chat(&deps, me, req.chat_id).await?;
    let peer = Peer::Chat(chat.id);
    let action = match &req.photo {
        enums::InputChatPhoto::Empty => {
            let Some(current) = crate::photos::current_photo(&deps, peer).await? else {
                return Err(RpcError::bad_request("CHAT_NOT_MODIFIED"));
            };
            deps.storage
                .media
                .remove_peer_photos(peer, &[current.id])
                .await?;
            enums::MessageAction::ChatDeletePhoto
        }
        enums::InputChatPhoto::InputChatUploadedPhoto(uploaded) => {
            let Some(file) = &uploaded.file else {
                // Video-only chat photos need video processing.
                return Err(RpcError::bad_request("PHOTO_FILE_MISSING"));
            };
            let file = media_tl::uploaded_file(file)?;
            let photo = deps.media.upload_photo(me, file, ctx.now).await?;
            deps.storage
                .media
                .set_peer_photo(peer, photo.id, ctx.now)
                .await?;
            edit_photo_action(&photo)
        }
        enums::InputChatPhoto::Photo(existing) => {
            let photo = crate::messages::known_photo(&deps, &existing.id).await?;
            deps.storage
                .media
                .set_peer_photo(peer, photo.id, ctx.now)
                .await?;
            edit_photo_action(&photo)
        }
    };
    let members = deps.storage.chats.members(chat.id).await?;
    let all: Vec<i64> = members.iter().map(|m| m.user_id).collect();
    post_service(&deps, &ctx, chat.id, action, &all).await
}

fn edit_photo_action(photo: &echo_media::PhotoRecord) -> enums::MessageAction {
    enums::MessageAction::ChatEditPhoto(types::MessageActionChatEditPhoto {
        photo: media_tl::photo(photo),
    })
}
