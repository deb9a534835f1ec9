//! Channel photos (core.telegram.org/method/channels.editPhoto,
//! /constructor/messageActionChatEditPhoto, /constructor/messageActionChatDeletePhoto,
//! /constructor/inputPeerPhotoFileLocation for a channel peer).
//!
//! The photo history is `storage.media` peer photos of `Peer::Channel`; the current photo
//! is also kept on the channel row (id, dc, stripped thumbnail) so every rendering of the
//! channel shows it without a lookup. A change is a channel service message, pushed like
//! any post.

use std::sync::Arc;

use echo_media::PhotoRecord;
use echo_storage::Peer;
use echo_tl::{enums, functions, types};

use super::manage::fresh;
use super::post::post_service;
use super::rights::require_admin_right;
use super::{access_input, Access};
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::media_tl;
use crate::router::Router;

pub fn register(r: &mut Router) {
    r.method(edit_photo);
}

/// channels.editPhoto: admins with change_info (the creator always).
async fn edit_photo(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::channels::EditPhoto,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let access = access_input(&deps, &ctx, &req.channel).await?;
    access.member()?;
    require_admin_right(&access, |r| r.change_info)?;
    let channel_id = access.channel.id;
    let peer = Peer::Channel(channel_id);
    let current = access.channel.photo.as_ref().map(|p| p.photo_id);
    let not_modified = || RpcError::bad_request("CHAT_NOT_MODIFIED");
    let photo = match &req.photo {
        enums::InputChatPhoto::Empty => {
            let current = current.ok_or_else(not_modified)?;
            deps.storage
                .media
                .remove_peer_photos(peer, &[current])
                .await?;
            None
        }
        enums::InputChatPhoto::InputChatUploadedPhoto(uploaded) => {
            let Some(file) = &uploaded.file else {
                // Video-only channel photos need video processing.
                return Err(RpcError::bad_request("PHOTO_FILE_MISSING"));
            };
            let file = media_tl::uploaded_file(file)?;
            Some(deps.media.upload_photo(me, file, ctx.now).await?)
        }
        enums::InputChatPhoto::Photo(existing) => {
            let photo = crate::messages::known_photo(&deps, &existing.id).await?;
            if current == Some(photo.id) {
                return Err(not_modified());
            }
            Some(photo)
        }
    };
    if let Some(photo) = &photo {
        deps.storage
            .media
            .set_peer_photo(peer, photo.id, ctx.now)
            .await?;
    }
    let stored = photo.as_ref().map(media_tl::channel_photo);
    deps.storage
        .channels
        .set_photo(channel_id, stored.as_ref())
        .await?;
    let access = fresh(&deps, me, channel_id).await?;
    post_service(&deps, &ctx, &access, action(photo.as_ref()), Vec::new()).await
}

fn action(photo: Option<&PhotoRecord>) -> enums::MessageAction {
    match photo {
        Some(photo) => enums::MessageAction::ChatEditPhoto(types::MessageActionChatEditPhoto {
            photo: media_tl::photo(photo),
        }),
        None => enums::MessageAction::ChatDeletePhoto,
    }
}

/// The channel's current photo as channelFull.chat_photo shows it.
pub(crate) async fn full_photo(deps: &BffDeps, access: &Access) -> Result<enums::Photo, RpcError> {
    let empty = enums::Photo::Empty(types::PhotoEmpty { id: 0 });
    let Some(current) = &access.channel.photo else {
        return Ok(empty);
    };
    Ok(deps
        .media
        .photo(current.photo_id)
        .await?
        .as_ref()
        .map_or(empty, media_tl::photo))
}

/// Who may download a channel's photos (inputPeerPhotoFileLocation): members, and anyone
/// for a public channel; CHANNEL_PRIVATE for everyone else.
pub(crate) fn check_photo_visible(access: &Access) -> Result<(), RpcError> {
    if access.is_member()
        || super::public::outsider_view(&access.channel, access.me.as_ref()).is_some()
    {
        Ok(())
    } else {
        Err(super::private())
    }
}
