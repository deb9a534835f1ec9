//! `upload.*`: receiving file parts and serving file ranges (core.telegram.org/api/files,
//! /method/upload.saveFilePart, /method/upload.saveBigFilePart, /method/upload.getFile).
//!
//! Parts go to the media service, which keeps them on disk until the upload is used; reads
//! come back from the dfs by range, so neither direction holds a whole file in memory.

use std::sync::Arc;

use echo_media::FileLocation;
use echo_storage::Peer;
use echo_tl::{enums, functions, types};

use crate::context::{BffDeps, RpcContext, RpcError};
use crate::router::Router;

/// Longest upload.getFile read and the fragment a non-precise read must stay inside.
const MIB: i64 = 1024 * 1024;

pub fn register(r: &mut Router) {
    r.method(save_file_part);
    r.method(save_big_file_part);
    r.method(get_file);
}

async fn save_file_part(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::upload::SaveFilePart,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    deps.media
        .save_file_part(me, req.file_id, req.file_part, None, req.bytes)
        .await?;
    Ok(true)
}

async fn save_big_file_part(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::upload::SaveBigFilePart,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    deps.media
        .save_file_part(
            me,
            req.file_id,
            req.file_part,
            Some(req.file_total_parts),
            req.bytes,
        )
        .await?;
    Ok(true)
}

/// Telegram's offset/limit rules (core.telegram.org/api/files#downloading-files): both
/// multiples of 4 KiB (1 KiB when `precise`), limit at most 1 MiB; without `precise`, 1 MiB
/// must be a multiple of the limit and the range must stay inside one 1 MiB fragment.
pub fn check_range(offset: i64, limit: i32, precise: bool) -> Result<(u64, u32), RpcError> {
    let align = if precise { 1024 } else { 4096 };
    let limit_i64 = i64::from(limit);
    if limit <= 0 || limit_i64 > MIB || limit_i64 % align != 0 {
        return Err(RpcError::bad_request("LIMIT_INVALID"));
    }
    if offset < 0 || offset % align != 0 {
        return Err(RpcError::bad_request("OFFSET_INVALID"));
    }
    if !precise && (MIB % limit_i64 != 0 || offset / MIB != (offset + limit_i64 - 1) / MIB) {
        return Err(RpcError::bad_request("LIMIT_INVALID"));
    }
    Ok((
        u64::try_from(offset).unwrap_or(0),
        u32::try_from(limit).unwrap_or(0),
    ))
}

/// The file a location names; peer photos are checked against the peer's photo history.
async fn location(
    deps: &BffDeps,
    ctx: &RpcContext,
    input: enums::InputFileLocation,
) -> Result<FileLocation, RpcError> {
    let invalid = || RpcError::bad_request("LOCATION_INVALID");
    match input {
        enums::InputFileLocation::InputPhotoFileLocation(l) => Ok(FileLocation::Photo {
            id: l.id,
            access_hash: l.access_hash,
            file_reference: l.file_reference,
            thumb_size: l.thumb_size,
        }),
        enums::InputFileLocation::InputDocumentFileLocation(l) => Ok(FileLocation::Document {
            id: l.id,
            access_hash: l.access_hash,
            file_reference: l.file_reference,
            thumb_size: l.thumb_size,
        }),
        enums::InputFileLocation::InputPeerPhotoFileLocation(l) => {
            let peer = match crate::channels::access_peer(deps, ctx, &l.peer).await {
                // A channel the caller may see; CHANNEL_PRIVATE when they may not.
                Ok(Some(access)) => {
                    crate::channels::check_photo_visible(&access)?;
                    Peer::Channel(access.channel.id)
                }
                Ok(None) => crate::messages::resolve_peer(deps, ctx, &l.peer)
                    .await
                    .map_err(|_| invalid())?,
                // No such channel or a forged hash: nothing to tell apart.
                Err(_) => return Err(invalid()),
            };
            if !is_peer_photo(deps, peer, l.photo_id).await? {
                return Err(invalid());
            }
            Ok(FileLocation::PeerPhoto {
                photo_id: l.photo_id,
                big: l.big,
            })
        }
        // Legacy volume locations, encrypted files, stickers: not stored here.
        _ => Err(invalid()),
    }
}

/// Whether `photo_id` is one of `peer`'s photos, current or earlier.
pub async fn is_peer_photo(deps: &BffDeps, peer: Peer, photo_id: i64) -> Result<bool, RpcError> {
    let history = deps.storage.media.peer_photos(peer, 0, 1000).await?;
    Ok(history.iter().any(|e| e.photo_id == photo_id))
}

async fn get_file(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::upload::GetFile,
) -> Result<enums::upload::File, RpcError> {
    ctx.user()?;
    let (offset, limit) = check_range(req.offset, req.limit, req.precise)?;
    let location = location(&deps, &ctx, req.location).await?;
    let chunk = deps.media.read_file(location, offset, limit).await?;
    let r#type = if chunk.jpeg {
        enums::storage::FileType::FileJpeg
    } else {
        enums::storage::FileType::FilePartial
    };
    Ok(enums::upload::File::File(types::upload::File {
        r#type,
        mtime: i32::try_from(chunk.mtime).unwrap_or(0),
        bytes: chunk.bytes,
    }))
}

#[cfg(test)]
mod tests {
    use super::check_range;

    #[test]
    fn range_rules() {
        assert_eq!(check_range(0, 524_288, false), Ok((0, 524_288)));
        assert_eq!(
            check_range(1_048_576, 1_048_576, false),
            Ok((1_048_576, 1_048_576))
        );
        let limit = |o, l, p| check_range(o, l, p).err().map(|e| e.message);
        assert_eq!(limit(0, 0, false).as_deref(), Some("LIMIT_INVALID"));
        assert_eq!(limit(0, 1000, false).as_deref(), Some("LIMIT_INVALID"));
        assert_eq!(
            limit(0, 2 * 1_048_576, false).as_deref(),
            Some("LIMIT_INVALID")
        );
        // 1 MiB is not a multiple of 12 KiB.
        assert_eq!(limit(0, 12_288, false).as_deref(), Some("LIMIT_INVALID"));
        assert_eq!(limit(100, 4096, false).as_deref(), Some("OFFSET_INVALID"));
        assert_eq!(limit(-4096, 4096, false).as_deref(), Some("OFFSET_INVALID"));
        // Crosses the 1 MiB boundary.
        assert_eq!(
            limit(1_044_480, 8192, false).as_deref(),
            Some("LIMIT_INVALID")
        );
        // Precise: 1 KiB steps, any fragment.
        assert_eq!(
            check_range(1_044_480, 12_288, true),
            Ok((1_044_480, 12_288))
        );
        assert_eq!(limit(512, 1024, true).as_deref(), Some("OFFSET_INVALID"));
    }
}
