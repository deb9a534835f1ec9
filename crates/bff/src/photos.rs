//! `photos.*`: profile photos (core.telegram.org/method/photos.uploadProfilePhoto,
//! /method/photos.updateProfilePhoto, /method/photos.deletePhotos,
//! /method/photos.getUserPhotos, /api/files#profile-photos).
//!
//! A user's photo history is `storage.media` peer photos; the newest is the current photo,
//! shown as `userProfilePhoto` (with its stripped thumbnail) wherever the user appears. A
//! change of the current photo is pushed live (`crate::contacts::push_photo`).

use std::sync::Arc;

use echo_media::PhotoRecord;
use echo_storage::Peer;
use echo_tl::{enums, functions, types};

use crate::context::{BffDeps, RpcContext, RpcError};
use crate::media_tl;
use crate::router::Router;

/// Most photos one photos.getUserPhotos call returns.
const USER_PHOTOS_MAX: i32 = 100;

pub fn register(r: &mut Router) {
    r.method(upload_profile_photo);
    r.method(update_profile_photo);
    r.method(delete_photos);
    r.method(get_user_photos);
}

/// Sets `photo` on every user in `users` that has a current profile photo.
pub async fn attach_user_photos(deps: &BffDeps, users: &mut [enums::User]) -> Result<(), RpcError> {
    let peers: Vec<Peer> = users
        .iter()
        .filter_map(|u| match u {
            enums::User::User(u) => Some(Peer::User(u.id)),
            enums::User::Empty(_) => None,
        })
        .collect();
    if peers.is_empty() {
        return Ok(());
    }
    let current = deps.storage.media.current_peer_photos(&peers).await?;
    for (peer, photo_id) in current {
        let Some(photo) = deps.media.photo(photo_id).await? else {
            continue;
        };
        for user in users.iter_mut() {
            if let enums::User::User(u) = user {
                if Peer::User(u.id) == peer && !u.deleted {
                    u.photo = Some(media_tl::user_profile_photo(&photo));
                }
            }
        }
    }
    Ok(())
}

/// The caller's current profile photo, if any.
pub async fn current_photo(deps: &BffDeps, peer: Peer) -> Result<Option<PhotoRecord>, RpcError> {
    let current = deps.storage.media.current_peer_photos(&[peer]).await?;
    match current.first() {
        Some((_, id)) => Ok(deps.media.photo(*id).await?),
        None => Ok(None),
    }
}

async fn photo_answer(
    deps: &BffDeps,
    ctx: &RpcContext,
    photo: Option<&PhotoRecord>,
) -> Result<enums::photos::Photo, RpcError> {
    let me = ctx.user()?;
    let users = crate::contacts::view::users_by_id(deps, me, &[me], ctx.now).await?;
    Ok(enums::photos::Photo::Photo(types::photos::Photo {
        photo: photo.map_or(
            enums::Photo::Empty(types::PhotoEmpty { id: 0 }),
            media_tl::photo,
        ),
        users,
    }))
}

async fn upload_profile_photo(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::photos::UploadProfilePhoto,
) -> Result<enums::photos::Photo, RpcError> {
    let me = ctx.user()?;
    if req.bot.is_some() {
        return Err(RpcError::bad_request("BOT_INVALID"));
    }
    if req.fallback {
        // Fallback photos (shown to users who cannot see the main one) are not kept yet.
        return Err(RpcError::bad_request("PHOTO_INVALID"));
    }
    let Some(file) = &req.file else {
        // Video-only profile photos need video processing.
        return Err(RpcError::bad_request("PHOTO_FILE_MISSING"));
    };
    let file = media_tl::uploaded_file(file)?;
    let photo = deps.media.upload_photo(me, file, ctx.now).await?;
    deps.storage
        .media
        .set_peer_photo(Peer::User(me), photo.id, ctx.now)
        .await?;
    crate::contacts::push_photo(&deps, &ctx).await?;
    photo_answer(&deps, &ctx, Some(&photo)).await
}

async fn update_profile_photo(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::photos::UpdateProfilePhoto,
) -> Result<enums::photos::Photo, RpcError> {
    let me = ctx.user()?;
    if req.bot.is_some() {
        return Err(RpcError::bad_request("BOT_INVALID"));
    }
    let peer = Peer::User(me);
    if matches!(req.id, enums::InputPhoto::Empty) {
        // inputPhotoEmpty removes the current photo; the previous one becomes current.
        if let Some(current) = current_photo(&deps, peer).await? {
            deps.storage
                .media
                .remove_peer_photos(peer, &[current.id])
                .await?;
            crate::contacts::push_photo(&deps, &ctx).await?;
        }
        let now_current = current_photo(&deps, peer).await?;
        return photo_answer(&deps, &ctx, now_current.as_ref()).await;
    }
    let photo = crate::messages::known_photo(&deps, &req.id)
        .await
        .map_err(|e| match e.message.as_str() {
            "MEDIA_INVALID" | "MEDIA_EMPTY" => RpcError::bad_request("PHOTO_ID_INVALID"),
            _ => e,
        })?;
    if photo.owner_id != me {
        return Err(RpcError::bad_request("PHOTO_ID_INVALID"));
    }
    deps.storage
        .media
        .set_peer_photo(peer, photo.id, ctx.now)
        .await?;
    crate::contacts::push_photo(&deps, &ctx).await?;
    photo_answer(&deps, &ctx, Some(&photo)).await
}

async fn delete_photos(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::photos::DeletePhotos,
) -> Result<Vec<i64>, RpcError> {
    let me = ctx.user()?;
    let mut ids = Vec::new();
    for input in &req.id {
        let enums::InputPhoto::Photo(p) = input else {
            continue;
        };
        // Only the caller's own photos, named with the right access hash.
        if let Some(photo) = deps.media.photo(p.id).await? {
            if photo.access_hash == p.access_hash && photo.owner_id == me {
                ids.push(photo.id);
            }
        }
    }
    let peer = Peer::User(me);
    let before = current_photo(&deps, peer).await?.map(|p| p.id);
    let deleted = deps.storage.media.remove_peer_photos(peer, &ids).await?;
    // Deleting older photos changes nothing others see; deleting the current one does.
    if before.is_some_and(|id| deleted.contains(&id)) {
        crate::contacts::push_photo(&deps, &ctx).await?;
    }
    Ok(deleted)
}

async fn get_user_photos(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::photos::GetUserPhotos,
) -> Result<enums::photos::Photos, RpcError> {
    let me = ctx.user()?;
    let user = crate::users::resolve_user(&deps, &req.user_id, me).await?;
    let peer = Peer::User(user.id);
    let limit = req.limit.clamp(1, USER_PHOTOS_MAX);
    let offset = req.offset.max(0);
    let count = deps.storage.media.count_peer_photos(peer).await?;
    let entries = deps
        .storage
        .media
        .peer_photos(peer, i64::from(offset), i64::from(limit))
        .await?;
    let mut photos = Vec::with_capacity(entries.len());
    for entry in entries {
        if req.max_id != 0 && entry.photo_id == req.max_id {
            continue;
        }
        if let Some(photo) = deps.media.photo(entry.photo_id).await? {
            photos.push(media_tl::photo(&photo));
        }
    }
    let users = crate::contacts::view::users_by_id(&deps, me, &[me, user.id], ctx.now).await?;
    let returned = i64::from(offset) + photos.len() as i64;
    if returned < count {
        return Ok(enums::photos::Photos::Slice(types::photos::PhotosSlice {
            count: i32::try_from(count).unwrap_or(i32::MAX),
            photos,
            users,
        }));
    }
    Ok(enums::photos::Photos::Photos(types::photos::Photos {
        photos,
        users,
    }))
}
