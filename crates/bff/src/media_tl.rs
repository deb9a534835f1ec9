//! TL forms of media records (core.telegram.org/constructor/photo, /constructor/document,
//! /constructor/photoSize, /constructor/photoStrippedSize, /constructor/userProfilePhoto)
//! and the mapping of the media service's errors to rpc_errors.

use echo_media::{DocumentRecord, MediaError, PhotoRecord, PhotoSizeRecord, UploadedFile};
use echo_tl::{enums, types, Deserializable};

use crate::context::RpcError;

impl From<MediaError> for RpcError {
    fn from(e: MediaError) -> Self {
        match e {
            MediaError::Rejected(message) => RpcError::bad_request(&message),
            MediaError::Internal(reason) => {
                tracing::error!(%reason, "media error");
                RpcError::internal()
            }
        }
    }
}

/// An inputFile / inputFileBig as the media service names an upload.
pub fn uploaded_file(input: &enums::InputFile) -> Result<UploadedFile, RpcError> {
    match input {
        enums::InputFile::File(f) => Ok(UploadedFile {
            file_id: f.id,
            parts: f.parts,
            name: f.name.clone(),
            md5_checksum: f.md5_checksum.clone(),
            big: false,
        }),
        enums::InputFile::Big(f) => Ok(UploadedFile {
            file_id: f.id,
            parts: f.parts,
            name: f.name.clone(),
            md5_checksum: String::new(),
            big: true,
        }),
        // Story documents need stories.
        enums::InputFile::StoryDocument(_) => Err(RpcError::bad_request("FILE_PARTS_INVALID")),
    }
}

fn tl_int(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

pub fn photo_size(s: &PhotoSizeRecord) -> enums::PhotoSize {
    if s.kind == "i" {
        return enums::PhotoSize::PhotoStrippedSize(types::PhotoStrippedSize {
            r#type: s.kind.clone(),
            bytes: s.bytes.clone(),
        });
    }
    enums::PhotoSize::Size(types::PhotoSize {
        r#type: s.kind.clone(),
        w: s.width,
        h: s.height,
        size: s.size,
    })
}

pub fn photo(p: &PhotoRecord) -> enums::Photo {
    enums::Photo::Photo(types::Photo {
        has_stickers: false,
        id: p.id,
        access_hash: p.access_hash,
        file_reference: p.file_reference.clone(),
        date: tl_int(p.date),
        sizes: p.sizes.iter().map(photo_size).collect(),
        video_sizes: None,
        dc_id: p.dc_id,
    })
}

/// The stored attributes of a document (empty when they do not decode).
pub fn attributes(d: &DocumentRecord) -> Vec<enums::DocumentAttribute> {
    if d.attributes.is_empty() {
        return Vec::new();
    }
    Vec::<enums::DocumentAttribute>::from_bytes(&d.attributes).unwrap_or_default()
}

pub fn document(d: &DocumentRecord) -> enums::Document {
    enums::Document::Document(types::Document {
        id: d.id,
        access_hash: d.access_hash,
        file_reference: d.file_reference.clone(),
        date: tl_int(d.date),
        mime_type: d.mime_type.clone(),
        size: d.size,
        thumbs: (!d.thumbs.is_empty()).then(|| d.thumbs.iter().map(photo_size).collect()),
        video_thumbs: None,
        dc_id: d.dc_id,
        attributes: attributes(d),
    })
}

/// messageMediaPhoto for a photo.
pub fn media_photo(p: &PhotoRecord, spoiler: bool) -> enums::MessageMedia {
    enums::MessageMedia::Photo(types::MessageMediaPhoto {
        spoiler,
        live_photo: false,
        photo: Some(photo(p)),
        ttl_seconds: None,
        video: None,
    })
}

/// messageMediaDocument for a document; the video/round/voice flags follow its attributes.
pub fn media_document(d: &DocumentRecord, spoiler: bool) -> enums::MessageMedia {
    let attrs = attributes(d);
    let video = attrs.iter().find_map(|a| match a {
        enums::DocumentAttribute::Video(v) => Some(v.round_message),
        _ => None,
    });
    let voice = attrs.iter().any(|a| match a {
        enums::DocumentAttribute::Audio(a) => a.voice,
        _ => false,
    });
    enums::MessageMedia::Document(types::MessageMediaDocument {
        nopremium: false,
        spoiler,
        video: video == Some(false),
        round: video == Some(true),
        voice,
        document: Some(document(d)),
        alt_documents: None,
        video_cover: None,
        video_timestamp: None,
        ttl_seconds: None,
    })
}

/// The stripped thumbnail of a photo, if it has one.
pub fn stripped_thumb(p: &PhotoRecord) -> Option<Vec<u8>> {
    p.sizes
        .iter()
        .find(|s| s.kind == "i")
        .map(|s| s.bytes.clone())
}

pub fn user_profile_photo(p: &PhotoRecord) -> enums::UserProfilePhoto {
    enums::UserProfilePhoto::Photo(types::UserProfilePhoto {
        has_video: false,
        personal: false,
        photo_id: p.id,
        stripped_thumb: stripped_thumb(p),
        dc_id: p.dc_id,
    })
}

pub fn chat_photo(p: &PhotoRecord) -> enums::ChatPhoto {
    enums::ChatPhoto::Photo(types::ChatPhoto {
        has_video: false,
        photo_id: p.id,
        stripped_thumb: stripped_thumb(p),
        dc_id: p.dc_id,
    })
}

/// What a channel row keeps of its current photo (rendered by [`stored_chat_photo`]).
pub fn channel_photo(p: &PhotoRecord) -> echo_storage::ChannelPhoto {
    echo_storage::ChannelPhoto {
        photo_id: p.id,
        dc_id: p.dc_id,
        stripped: stripped_thumb(p).unwrap_or_default(),
    }
}

/// chatPhoto of a channel's stored current photo; chatPhotoEmpty without one.
pub fn stored_chat_photo(p: Option<&echo_storage::ChannelPhoto>) -> enums::ChatPhoto {
    match p {
        Some(p) => enums::ChatPhoto::Photo(types::ChatPhoto {
            has_video: false,
            photo_id: p.photo_id,
            stripped_thumb: (!p.stripped.is_empty()).then(|| p.stripped.clone()),
            dc_id: p.dc_id,
        }),
        None => enums::ChatPhoto::Empty,
    }
}
