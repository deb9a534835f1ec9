//! [`LocalDisk`]: the embedded [`Dfs`] — objects are files under `ROOT/<bucket>/<key>`
//! (core.telegram.org/api/files describes what they hold).
//!
//! Writes go to a temporary file in `ROOT/.tmp` first and are renamed into place, so a
//! reader never sees half an object and a crash leaves only temp files behind. Chunked
//! uploads keep their chunks in `ROOT/.uploads/<id>/<index>` until finished.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::{check_key, Bucket, Dfs, DfsError, READ_MAX};

/// Objects on the local file system.
#[derive(Debug, Clone)]
pub struct LocalDisk {
    root: PathBuf,
}

impl LocalDisk {
    /// Storage rooted at `root` (created with its buckets by [`Dfs::ensure_buckets`]).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn object_path(&self, bucket: Bucket, key: &str) -> Result<PathBuf, DfsError> {
        check_key(key)?;
        Ok(self.root.join(bucket.name()).join(key))
    }

    fn upload_dir(&self, upload_id: &str) -> Result<PathBuf, DfsError> {
        if upload_id.is_empty() || !upload_id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(DfsError::UnknownUpload(upload_id.to_string()));
        }
        Ok(self.root.join(".uploads").join(upload_id))
    }

    fn temp_path(&self) -> PathBuf {
        self.root
            .join(".tmp")
            .join(hex::encode(rand::random::<[u8; 12]>()))
    }

    /// Moves a finished temp file to `dest`, creating its directory.
    async fn publish(&self, temp: &Path, dest: &Path) -> Result<(), DfsError> {
        if let Some(dir) = dest.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::rename(temp, dest).await?;
        Ok(())
    }
}

fn not_found(bucket: Bucket, key: &str) -> DfsError {
    DfsError::NotFound {
        bucket: bucket.name(),
        key: key.to_string(),
    }
}

#[async_trait]
impl Dfs for LocalDisk {
    async fn ensure_buckets(&self) -> Result<(), DfsError> {
        for bucket in Bucket::ALL {
            tokio::fs::create_dir_all(self.root.join(bucket.name())).await?;
        }
        tokio::fs::create_dir_all(self.root.join(".tmp")).await?;
        tokio::fs::create_dir_all(self.root.join(".uploads")).await?;
        Ok(())
    }

    async fn put(&self, bucket: Bucket, key: &str, data: Vec<u8>) -> Result<(), DfsError> {
        let dest = self.object_path(bucket, key)?;
        let temp = self.temp_path();
        if let Some(dir) = temp.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let mut file = tokio::fs::File::create(&temp).await?;
        file.write_all(&data).await?;
        file.sync_all().await?;
        drop(file);
        self.publish(&temp, &dest).await
    }

    async fn size(&self, bucket: Bucket, key: &str) -> Result<Option<u64>, DfsError> {
        let path = self.object_path(bucket, key)?;
        match tokio::fs::metadata(&path).await {
            Ok(meta) if meta.is_file() => Ok(Some(meta.len())),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn read(
        &self,
        bucket: Bucket,
        key: &str,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<u8>, DfsError> {
        if limit > READ_MAX {
            return Err(DfsError::BadRequest(format!("read of {limit} bytes")));
        }
        let path = self.object_path(bucket, key)?;
        let mut file = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(not_found(bucket, key))
            }
            Err(e) => return Err(e.into()),
        };
        let len = file.metadata().await?.len();
        if offset >= len {
            return Ok(Vec::new());
        }
        let want = (len - offset).min(u64::from(limit));
        file.seek(SeekFrom::Start(offset)).await?;
        let mut buf = vec![0u8; usize::try_from(want).unwrap_or(0)];
        file.read_exact(&mut buf).await?;
        Ok(buf)
    }

    async fn delete(&self, bucket: Bucket, key: &str) -> Result<(), DfsError> {
        let path = self.object_path(bucket, key)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn begin_upload(&self, bucket: Bucket, key: &str) -> Result<String, DfsError> {
        self.object_path(bucket, key)?;
        let id = hex::encode(rand::random::<[u8; 16]>());
        tokio::fs::create_dir_all(self.upload_dir(&id)?).await?;
        Ok(id)
    }

    async fn upload_chunk(
        &self,
        bucket: Bucket,
        key: &str,
        upload_id: &str,
        index: u32,
        data: Vec<u8>,
    ) -> Result<String, DfsError> {
        self.object_path(bucket, key)?;
        let dir = self.upload_dir(upload_id)?;
        if !tokio::fs::try_exists(&dir).await? {
            return Err(DfsError::UnknownUpload(upload_id.to_string()));
        }
        let mut file = tokio::fs::File::create(dir.join(index.to_string())).await?;
        file.write_all(&data).await?;
        file.sync_all().await?;
        Ok(format!("{index}:{}", data.len()))
    }

    async fn finish_upload(
        &self,
        bucket: Bucket,
        key: &str,
        upload_id: &str,
        receipts: Vec<String>,
    ) -> Result<(), DfsError> {
        let dest = self.object_path(bucket, key)?;
        let dir = self.upload_dir(upload_id)?;
        if !tokio::fs::try_exists(&dir).await? {
            return Err(DfsError::UnknownUpload(upload_id.to_string()));
        }
        let temp = self.temp_path();
        if let Some(parent) = temp.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        let mut out = tokio::fs::File::create(&temp).await?;
        for (index, receipt) in receipts.iter().enumerate() {
            if !receipt.starts_with(&format!("{index}:")) {
                return Err(DfsError::BadRequest(format!(
                    "receipt {receipt} out of order"
                )));
            }
            // Streams chunk by chunk: memory stays at one copy buffer.
            let mut chunk = tokio::fs::File::open(dir.join(index.to_string())).await?;
            tokio::io::copy(&mut chunk, &mut out).await?;
        }
        out.sync_all().await?;
        drop(out);
        self.publish(&temp, &dest).await?;
        tokio::fs::remove_dir_all(&dir).await?;
        Ok(())
    }

    async fn abort_upload(
        &self,
        _bucket: Bucket,
        _key: &str,
        upload_id: &str,
    ) -> Result<(), DfsError> {
        let dir = self.upload_dir(upload_id)?;
        match tokio::fs::remove_dir_all(&dir).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
