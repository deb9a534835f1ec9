//! Resolving a [`FileLocation`] to the stored object (core.telegram.org/api/files,
//! /api/file_reference): the access hash must match (else LOCATION_INVALID) and the file
//! reference must be the current one (FILE_REFERENCE_EMPTY / _INVALID / _EXPIRED).

use echo_storage::MediaStore;

use crate::{FileLocation, MediaError, PhotoSizeRecord};

/// Where a located file is: dfs bucket name, object key, its date, whether it is a JPEG size.
pub type Located = (String, String, i64, bool);

/// LOCATION_INVALID / FILE_REFERENCE_* for an object the client names.
fn check_access(
    stored_hash: i64,
    stored_ref: &[u8],
    access_hash: i64,
    file_reference: &[u8],
) -> Result<(), MediaError> {
    if stored_hash != access_hash {
        return Err(MediaError::rejected("LOCATION_INVALID"));
    }
    if file_reference.is_empty() {
        return Err(MediaError::rejected("FILE_REFERENCE_EMPTY"));
    }
    if file_reference.len() != stored_ref.len() {
        return Err(MediaError::rejected("FILE_REFERENCE_INVALID"));
    }
    if file_reference != stored_ref {
        return Err(MediaError::rejected("FILE_REFERENCE_EXPIRED"));
    }
    Ok(())
}

/// The object a location names, after the access checks.
pub async fn locate(store: &dyn MediaStore, location: FileLocation) -> Result<Located, MediaError> {
    let invalid = || MediaError::rejected("LOCATION_INVALID");
    let found = match location {
        FileLocation::Photo {
            id,
            access_hash,
            file_reference,
            thumb_size,
        } => {
            let photo = store.get_photo(id).await?.ok_or_else(invalid)?;
            check_access(
                photo.access_hash,
                &photo.file_reference,
                access_hash,
                &file_reference,
            )?;
            let size = photo
                .sizes
                .iter()
                .find(|s| s.kind == thumb_size && !s.object_key.is_empty())
                .ok_or_else(invalid)?;
            (
                size.bucket.clone(),
                size.object_key.clone(),
                photo.date,
                true,
            )
        }
        FileLocation::Document {
            id,
            access_hash,
            file_reference,
            thumb_size,
        } => {
            let doc = store.get_document(id).await?.ok_or_else(invalid)?;
            check_access(
                doc.access_hash,
                &doc.file_reference,
                access_hash,
                &file_reference,
            )?;
            if thumb_size.is_empty() {
                (doc.bucket, doc.object_key, doc.date, false)
            } else {
                let thumb = doc
                    .thumbs
                    .iter()
                    .find(|s| s.kind == thumb_size && !s.object_key.is_empty())
                    .ok_or_else(invalid)?;
                (
                    thumb.bucket.clone(),
                    thumb.object_key.clone(),
                    doc.date,
                    true,
                )
            }
        }
        FileLocation::PeerPhoto { photo_id, big } => {
            let photo = store.get_photo(photo_id).await?.ok_or_else(invalid)?;
            let stored: Vec<&PhotoSizeRecord> = photo
                .sizes
                .iter()
                .filter(|s| !s.object_key.is_empty())
                .collect();
            let wanted = if big {
                ["x", "m", "s"]
            } else {
                ["s", "m", "x"]
            };
            let size = wanted
                .iter()
                .find_map(|k| stored.iter().find(|s| s.kind == *k))
                .or_else(|| stored.last())
                .ok_or_else(invalid)?;
            (
                size.bucket.clone(),
                size.object_key.clone(),
                photo.date,
                true,
            )
        }
    };
    Ok(found)
}
