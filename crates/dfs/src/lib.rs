//! Echo's distributed file storage ("dfs"): where uploaded media bytes live
//! (core.telegram.org/api/files). Media metadata (photos, sizes, documents) is in SQL; this
//! crate only stores and serves opaque objects under a key in one of four buckets.
//!
//! [`Dfs`] is the interface; [`LocalDisk`] keeps objects as files under the data directory
//! (the embedded default) and [`S3Dfs`] keeps them in an S3-protocol server (MinIO, s3s-fs,
//! AWS). The trait takes and returns plain data only, so a gRPC client can implement it.
//!
//! Large objects are written in chunks ([`Dfs::begin_upload`] / [`Dfs::upload_chunk`] /
//! [`Dfs::finish_upload`], S3 multipart semantics), so no caller needs a whole file in RAM,
//! and read back by range ([`Dfs::read`]).

mod local;
mod s3;

use async_trait::async_trait;

pub use local::LocalDisk;
pub use s3::{S3Config, S3Dfs};

/// Every chunk of a chunked upload except the last must be at least this long (S3's
/// multipart minimum); callers buffer to [`UPLOAD_CHUNK_SIZE`].
pub const UPLOAD_CHUNK_MIN: usize = 5 * 1024 * 1024;
/// The chunk size callers should use for chunked uploads.
pub const UPLOAD_CHUNK_SIZE: usize = 8 * 1024 * 1024;
/// Longest single [`Dfs::read`] (upload.getFile never asks for more than 1 MiB).
pub const READ_MAX: u32 = 4 * 1024 * 1024;

/// The buckets the design names; each is created when missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    Documents,
    EncryptedFiles,
    Photos,
    Videos,
}

impl Bucket {
    pub const ALL: [Bucket; 4] = [
        Bucket::Documents,
        Bucket::EncryptedFiles,
        Bucket::Photos,
        Bucket::Videos,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Bucket::Documents => "documents",
            Bucket::EncryptedFiles => "encryptedfiles",
            Bucket::Photos => "photos",
            Bucket::Videos => "videos",
        }
    }

    /// The bucket named `name`, if it is one of ours.
    pub fn from_name(name: &str) -> Option<Bucket> {
        Bucket::ALL.into_iter().find(|b| b.name() == name)
    }
}

/// Why a dfs call failed.
#[derive(Debug, thiserror::Error)]
pub enum DfsError {
    /// The key has characters outside `[a-z0-9._/-]`, is empty, or climbs out (`..`).
    #[error("invalid object key {0:?}")]
    InvalidKey(String),
    #[error("object {bucket}/{key} not found")]
    NotFound { bucket: &'static str, key: String },
    /// An unknown or already finished chunked upload.
    #[error("unknown upload {0}")]
    UnknownUpload(String),
    /// A chunk other than the last was shorter than [`UPLOAD_CHUNK_MIN`], or a read asked
    /// for more than [`READ_MAX`].
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The S3 server refused or could not be reached.
    #[error("s3: {0}")]
    S3(String),
}

/// Object storage. Keys are lower-case paths such as `ab/abcdef...`; callers choose them
/// (Echo's media service uses content hashes, so equal uploads share one object).
#[async_trait]
pub trait Dfs: Send + Sync {
    /// Creates every bucket of [`Bucket::ALL`] that does not exist yet.
    async fn ensure_buckets(&self) -> Result<(), DfsError>;

    /// Stores a small object in one call (replacing any object under the key).
    async fn put(&self, bucket: Bucket, key: &str, data: Vec<u8>) -> Result<(), DfsError>;

    /// The size of an object, None if there is none.
    async fn size(&self, bucket: Bucket, key: &str) -> Result<Option<u64>, DfsError>;

    /// Up to `limit` bytes from `offset`; shorter at the end of the object, empty past it.
    async fn read(
        &self,
        bucket: Bucket,
        key: &str,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<u8>, DfsError>;

    /// Removes an object; removing a missing one is not an error.
    async fn delete(&self, bucket: Bucket, key: &str) -> Result<(), DfsError>;

    /// Starts a chunked upload of `key`; the object appears only at [`Dfs::finish_upload`].
    async fn begin_upload(&self, bucket: Bucket, key: &str) -> Result<String, DfsError>;

    /// Stores chunk `index` (0-based, contiguous) of an upload; returns its receipt, which
    /// `finish_upload` needs in index order.
    async fn upload_chunk(
        &self,
        bucket: Bucket,
        key: &str,
        upload_id: &str,
        index: u32,
        data: Vec<u8>,
    ) -> Result<String, DfsError>;

    /// Joins the chunks (receipts in index order) into the object.
    async fn finish_upload(
        &self,
        bucket: Bucket,
        key: &str,
        upload_id: &str,
        receipts: Vec<String>,
    ) -> Result<(), DfsError>;

    /// Drops an unfinished upload and its chunks.
    async fn abort_upload(
        &self,
        bucket: Bucket,
        key: &str,
        upload_id: &str,
    ) -> Result<(), DfsError>;
}

/// Checks that `key` is a safe relative path of `[a-z0-9._-]` segments.
pub fn check_key(key: &str) -> Result<(), DfsError> {
    let valid = !key.is_empty()
        && key.len() <= 512
        && key.split('/').all(|segment| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
                })
        });
    if valid {
        Ok(())
    } else {
        Err(DfsError::InvalidKey(key.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        assert!(check_key("ab/abcdef.jpg").is_ok());
        assert!(check_key("x").is_ok());
        for bad in ["", "../x", "a//b", "A", "a/./b", "/a", "a b"] {
            assert!(check_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bucket_names_round_trip() {
        for b in Bucket::ALL {
            assert_eq!(Bucket::from_name(b.name()), Some(b));
        }
    }
}
