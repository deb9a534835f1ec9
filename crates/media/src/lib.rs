//! Echo's media service (core.telegram.org/api/files): takes the parts clients upload with
//! upload.saveFilePart / saveBigFilePart, turns a finished upload into a photo (with
//! Telegram's size set, core.telegram.org/api/files#image-thumbnail-types) or a document,
//! and serves byte ranges of them for upload.getFile.
//!
//! [`MediaService`] is the interface (plain data in and out, so a gRPC client can implement
//! it); [`LocalMediaService`] keeps parts on the local disk ([`parts`]), bytes in a
//! [`echo_dfs::Dfs`] (content addressed: the key is the SHA-256 of the bytes, so the same
//! upload twice is stored once) and metadata in [`echo_storage::MediaStore`].

mod local;
mod locate;
pub mod parts;
pub mod photo;

use async_trait::async_trait;

pub use echo_storage::{DocumentRecord, PhotoRecord, PhotoSizeRecord};
pub use local::LocalMediaService;

/// Biggest upload part (upload.saveFilePart).
pub const PART_SIZE_MAX: usize = 512 * 1024;
/// Most parts one upload may have: 4000 MiB at 512 KiB parts (Telegram's premium limit, so
/// a 2 GiB file fits).
pub const PARTS_MAX: i32 = 8000;
/// Files above this size must be uploaded with saveBigFilePart (core.telegram.org/api/files).
pub const SMALL_FILE_MAX: u64 = 10 * 1024 * 1024;
/// Biggest photo accepted for processing (Telegram's photo limit).
pub const PHOTO_FILE_MAX: u64 = 10 * 1024 * 1024;
/// Longest upload.getFile read.
pub const READ_LIMIT_MAX: u32 = 1024 * 1024;

/// A finished upload as the client names it (inputFile / inputFileBig).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedFile {
    pub file_id: i64,
    pub parts: i32,
    pub name: String,
    /// Hex MD5 of the whole file (inputFile only); empty when not given.
    pub md5_checksum: String,
    /// Uploaded with saveBigFilePart.
    pub big: bool,
}

/// What a new document is made of (inputMediaUploadedDocument).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    pub file: UploadedFile,
    pub thumb: Option<UploadedFile>,
    pub mime_type: String,
    /// Serialized `Vector<DocumentAttribute>` (opaque to this service).
    pub attributes: Vec<u8>,
}

/// A file to read (upload.getFile's location, with the checks already resolved to ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileLocation {
    /// A size of a photo (`thumb_size` is its letter).
    Photo {
        id: i64,
        access_hash: i64,
        file_reference: Vec<u8>,
        thumb_size: String,
    },
    /// A document (`thumb_size` empty) or one of its thumbnails.
    Document {
        id: i64,
        access_hash: i64,
        file_reference: Vec<u8>,
        thumb_size: String,
    },
    /// The small or big size of a photo the caller already found to be a peer's photo
    /// (inputPeerPhotoFileLocation carries no access hash or file reference).
    PeerPhoto { photo_id: i64, big: bool },
}

/// One read of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChunk {
    pub bytes: Vec<u8>,
    /// When the file was created (unix seconds).
    pub mtime: i64,
    /// A JPEG photo size (storage.fileJpeg) rather than an opaque document.
    pub jpeg: bool,
}

/// Why a media call failed: `Rejected` carries the exact Telegram error for the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// A 400 the client caused, e.g. `FILE_PART_3_MISSING`, `FILE_REFERENCE_EXPIRED`.
    #[error("{0}")]
    Rejected(String),
    /// Storage, dfs or disk trouble.
    #[error("media internal error: {0}")]
    Internal(String),
}

impl MediaError {
    pub fn rejected(message: &str) -> Self {
        MediaError::Rejected(message.to_string())
    }
}

impl From<echo_storage::StorageError> for MediaError {
    fn from(e: echo_storage::StorageError) -> Self {
        MediaError::Internal(e.to_string())
    }
}

impl From<echo_dfs::DfsError> for MediaError {
    fn from(e: echo_dfs::DfsError) -> Self {
        MediaError::Internal(e.to_string())
    }
}

impl From<std::io::Error> for MediaError {
    fn from(e: std::io::Error) -> Self {
        MediaError::Internal(e.to_string())
    }
}

#[async_trait]
pub trait MediaService: Send + Sync {
    /// Stores one part of `owner`'s upload `file_id` (upload.saveFilePart when
    /// `total_parts` is None, upload.saveBigFilePart otherwise).
    async fn save_file_part(
        &self,
        owner: i64,
        file_id: i64,
        part: i32,
        total_parts: Option<i32>,
        bytes: Vec<u8>,
    ) -> Result<(), MediaError>;

    /// Turns a finished upload into a photo with its sizes.
    async fn upload_photo(
        &self,
        owner: i64,
        file: UploadedFile,
        date: i64,
    ) -> Result<PhotoRecord, MediaError>;

    /// Turns a finished upload (and its optional thumbnail) into a document.
    async fn upload_document(
        &self,
        owner: i64,
        document: NewDocument,
        date: i64,
    ) -> Result<DocumentRecord, MediaError>;

    async fn photo(&self, id: i64) -> Result<Option<PhotoRecord>, MediaError>;
    async fn document(&self, id: i64) -> Result<Option<DocumentRecord>, MediaError>;

    /// Up to `limit` bytes of a file from `offset` (empty past the end).
    async fn read_file(
        &self,
        location: FileLocation,
        offset: u64,
        limit: u32,
    ) -> Result<FileChunk, MediaError>;
}
