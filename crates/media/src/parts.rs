//! Upload parts on the local disk (core.telegram.org/api/files#uploading-files,
//! /method/upload.saveFilePart, /method/upload.saveBigFilePart).
//!
//! Each part is a file `ROOT/<owner>/<file_id>/<part>` written through a temp file and a
//! rename, so parts survive a restart, can arrive in any order or in parallel, and a part
//! sent twice simply replaces itself. `partsize` remembers the size of the full parts
//! (all but the last must be equal, 1 KiB × 2^k up to 512 KiB) and `total` the part count
//! a big upload announced. Parts are removed when the upload is used, and by
//! [`PartStore::sweep`] when they were left unused.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use sha2::Digest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{MediaError, UploadedFile, PARTS_MAX, PART_SIZE_MAX, SMALL_FILE_MAX};

/// Whether `len` is a valid size for a full part: 1 KiB × 2^k, at most 512 KiB.
pub fn is_full_part_size(len: usize) -> bool {
    len >= 1024 && len.is_multiple_of(1024) && PART_SIZE_MAX.is_multiple_of(len)
}

/// Parts of unfinished uploads, per owner and file id.
#[derive(Debug, Clone)]
pub struct PartStore {
    root: PathBuf,
}

/// The whole of a finished upload, checked: where its parts are and what they hold.
#[derive(Debug, Clone)]
pub struct AssembledUpload {
    dir: PathBuf,
    pub parts: i32,
    pub size: u64,
    /// Hex SHA-256 of the bytes: the dfs key.
    pub sha256: String,
}

impl PartStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn upload_dir(&self, owner: i64, file_id: i64) -> PathBuf {
        // Client file ids are any i64; as unsigned hex they make safe directory names.
        self.root
            .join(owner.to_string())
            .join(format!("{:016x}", file_id as u64))
    }

    /// Checks and stores one part. `total_parts` is Some for saveBigFilePart.
    pub async fn save(
        &self,
        owner: i64,
        file_id: i64,
        part: i32,
        total_parts: Option<i32>,
        bytes: &[u8],
    ) -> Result<(), MediaError> {
        if let Some(total) = total_parts {
            if !(1..=PARTS_MAX).contains(&total) {
                return Err(MediaError::rejected("FILE_PARTS_INVALID"));
            }
        }
        let last_allowed = total_parts.map_or(PARTS_MAX - 1, |t| t - 1);
        if part < 0 || part > last_allowed {
            return Err(MediaError::rejected("FILE_PART_INVALID"));
        }
        if bytes.is_empty() {
            return Err(MediaError::rejected("FILE_PART_EMPTY"));
        }
        if bytes.len() > PART_SIZE_MAX {
            return Err(MediaError::rejected("FILE_PART_TOO_BIG"));
        }
        let is_last = total_parts.is_some_and(|t| part == t - 1);
        let full = is_full_part_size(bytes.len());
        if total_parts.is_some() && !is_last && !full {
            return Err(MediaError::rejected("FILE_PART_SIZE_INVALID"));
        }
        let dir = self.upload_dir(owner, file_id);
        tokio::fs::create_dir_all(&dir).await?;
        if let Some(total) = total_parts {
            let announced = remember(&dir.join("total"), &total.to_string()).await?;
            if announced != total.to_string() {
                return Err(MediaError::rejected("FILE_PARTS_INVALID"));
            }
        }
        if full && !is_last {
            let known = remember(&dir.join("partsize"), &bytes.len().to_string()).await?;
            if known != bytes.len().to_string() {
                return Err(MediaError::rejected("FILE_PART_SIZE_CHANGED"));
            }
        }
        let temp = dir.join(format!(".{part}.{:08x}", rand::random::<u32>()));
        let mut file = tokio::fs::File::create(&temp).await?;
        file.write_all(bytes).await?;
        file.flush().await?;
        drop(file);
        tokio::fs::rename(&temp, dir.join(part.to_string())).await?;
        Ok(())
    }

    /// Checks that every part of `file` is there and consistent, and hashes the whole
    /// (streaming, one part in memory at a time).
    pub async fn assemble(
        &self,
        owner: i64,
        file: &UploadedFile,
    ) -> Result<AssembledUpload, MediaError> {
        if !(1..=PARTS_MAX).contains(&file.parts) {
            return Err(MediaError::rejected("FILE_PARTS_INVALID"));
        }
        let dir = self.upload_dir(owner, file.file_id);
        if file.big {
            let announced = tokio::fs::read_to_string(dir.join("total")).await.ok();
            if announced.is_some_and(|t| t != file.parts.to_string()) {
                return Err(MediaError::rejected("FILE_PARTS_INVALID"));
            }
        }
        let part_size = tokio::fs::read_to_string(dir.join("partsize"))
            .await
            .ok()
            .and_then(|s| s.parse::<u64>().ok());
        let mut sha = sha2::Sha256::new();
        let mut md5 = md5::Md5::new();
        let mut size = 0u64;
        let mut buf = Vec::with_capacity(PART_SIZE_MAX);
        for part in 0..file.parts {
            buf.clear();
            let opened = tokio::fs::File::open(dir.join(part.to_string())).await;
            let Ok(mut f) = opened else {
                return Err(MediaError::Rejected(format!("FILE_PART_{part}_MISSING")));
            };
            f.read_to_end(&mut buf).await?;
            let len = buf.len() as u64;
            let is_last = part == file.parts - 1;
            let consistent = match part_size {
                Some(full) if is_last => len <= full,
                Some(full) => len == full,
                // Only a one-part upload has no full part.
                None => is_last,
            };
            if !consistent {
                return Err(MediaError::rejected("FILE_PARTS_INVALID"));
            }
            sha.update(&buf);
            if !file.big {
                md5.update(&buf);
            }
            size += len;
        }
        if !file.big && size > SMALL_FILE_MAX {
            return Err(MediaError::rejected("FILE_PARTS_INVALID"));
        }
        if !file.big && !file.md5_checksum.is_empty() {
            let got = hex::encode(md5.finalize());
            if !got.eq_ignore_ascii_case(&file.md5_checksum) {
                return Err(MediaError::rejected("MD5_CHECKSUM_INVALID"));
            }
        }
        Ok(AssembledUpload {
            dir,
            parts: file.parts,
            size,
            sha256: hex::encode(sha.finalize()),
        })
    }

    /// Reads part `index` of an assembled upload.
    pub async fn read_part(
        &self,
        upload: &AssembledUpload,
        index: i32,
    ) -> Result<Vec<u8>, MediaError> {
        Ok(tokio::fs::read(upload.dir.join(index.to_string())).await?)
    }

    /// Forgets an upload once it has been turned into a photo or document.
    pub async fn remove(&self, upload: &AssembledUpload) -> Result<(), MediaError> {
        match tokio::fs::remove_dir_all(&upload.dir).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes uploads untouched for longer than `max_age`; returns how many.
    pub async fn sweep(&self, max_age: Duration) -> Result<usize, MediaError> {
        let mut removed = 0;
        let now = SystemTime::now();
        let Ok(mut owners) = tokio::fs::read_dir(&self.root).await else {
            return Ok(0);
        };
        while let Some(owner) = owners.next_entry().await? {
            let mut uploads = tokio::fs::read_dir(owner.path()).await?;
            while let Some(upload) = uploads.next_entry().await? {
                let modified = upload.metadata().await?.modified()?;
                let age = now.duration_since(modified).unwrap_or_default();
                if age > max_age {
                    tokio::fs::remove_dir_all(upload.path()).await?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

/// Writes `value` to `path` unless the file exists; returns what the file holds.
async fn remember(path: &std::path::Path, value: &str) -> Result<String, MediaError> {
    match tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .await
    {
        Ok(mut f) => {
            f.write_all(value.as_bytes()).await?;
            Ok(value.to_string())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            // A racing writer may not have written yet; an empty read means "same".
            let held = tokio::fs::read_to_string(path).await?;
            Ok(if held.is_empty() {
                value.to_string()
            } else {
                held
            })
        }
        Err(e) => Err(e.into()),
    }
}
