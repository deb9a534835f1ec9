//! Media metadata: photos and their sizes, documents and their thumbnails, and the photo
//! history of a peer (profile and chat photos). Implements the bookkeeping behind
//! core.telegram.org/api/files, /constructor/photo, /constructor/document and
//! /method/photos.getUserPhotos; the bytes live in the dfs (crates/dfs) under `object_key`.
//!
//! # Tables (sql/*/0008_media.sql)
//!
//! - `media_photos(id, access_hash, file_reference, owner_id, date, dc_id)`.
//! - `media_documents(id, access_hash, file_reference, owner_id, date, dc_id, mime_type,
//!   size, bucket, object_key, attributes)`: `attributes` is the serialized
//!   `Vector<DocumentAttribute>` (opaque here).
//! - `media_sizes(owner_kind, owner_id, kind, width, height, size, bucket, object_key,
//!   bytes)`: the sizes of a photo (`owner_kind` 1) or the thumbnails of a document (2);
//!   `kind` is Telegram's size letter; the stripped size `i` keeps its bytes inline.
//! - `peer_photos(peer_type, peer_id, photo_id, date, seq)`: a peer's photos; the highest
//!   `seq` is the current one.

use async_trait::async_trait;

use crate::error::StorageResult;
use crate::types::Peer;

/// One stored size of a photo or thumbnail of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoSizeRecord {
    /// Telegram's size letter: `s m x y w` (boxes 100..2560), `i` stripped.
    pub kind: String,
    pub width: i32,
    pub height: i32,
    /// Bytes of the stored file (of `bytes` for inline sizes).
    pub size: i32,
    /// dfs bucket name and key of the file; empty for inline sizes.
    pub bucket: String,
    pub object_key: String,
    /// Inline content (the stripped thumbnail); empty otherwise.
    pub bytes: Vec<u8>,
}

/// A photo and its sizes, smallest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRecord {
    pub id: i64,
    pub access_hash: i64,
    pub file_reference: Vec<u8>,
    pub owner_id: i64,
    pub date: i64,
    pub dc_id: i32,
    pub sizes: Vec<PhotoSizeRecord>,
}

/// A document (any file that is not a photo) and its thumbnails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    pub id: i64,
    pub access_hash: i64,
    pub file_reference: Vec<u8>,
    pub owner_id: i64,
    pub date: i64,
    pub dc_id: i32,
    pub mime_type: String,
    pub size: i64,
    pub bucket: String,
    pub object_key: String,
    /// Serialized `Vector<DocumentAttribute>`.
    pub attributes: Vec<u8>,
    pub thumbs: Vec<PhotoSizeRecord>,
}

/// One photo of a peer's photo history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerPhotoEntry {
    pub photo_id: i64,
    pub date: i64,
}

#[async_trait]
pub trait MediaStore: Send + Sync {
    /// Stores a new photo with its sizes.
    async fn put_photo(&self, photo: PhotoRecord) -> StorageResult<()>;
    async fn get_photo(&self, id: i64) -> StorageResult<Option<PhotoRecord>>;
    /// Stores a new document with its thumbnails.
    async fn put_document(&self, document: DocumentRecord) -> StorageResult<()>;
    async fn get_document(&self, id: i64) -> StorageResult<Option<DocumentRecord>>;

    /// Makes `photo_id` the peer's current photo (also when it was in the history before).
    async fn set_peer_photo(&self, peer: Peer, photo_id: i64, date: i64) -> StorageResult<()>;
    /// The peer's photos, current first, skipping `offset`, at most `limit`.
    async fn peer_photos(
        &self,
        peer: Peer,
        offset: i64,
        limit: i64,
    ) -> StorageResult<Vec<PeerPhotoEntry>>;
    async fn count_peer_photos(&self, peer: Peer) -> StorageResult<i64>;
    /// Removes photos from the peer's history; returns the ids that were there.
    async fn remove_peer_photos(&self, peer: Peer, photo_ids: &[i64]) -> StorageResult<Vec<i64>>;
    /// The current photo of each of `peers` that has one.
    async fn current_peer_photos(&self, peers: &[Peer]) -> StorageResult<Vec<(Peer, i64)>>;
}
