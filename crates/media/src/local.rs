//! [`LocalMediaService`]: the in-process [`MediaService`] over a [`PartStore`] on the local
//! disk, a [`Dfs`] for the bytes and a [`MediaStore`] for metadata
//! (core.telegram.org/api/files, /api/file_reference).
//!
//! Bytes are stored under their SHA-256 (`ab/abcdef…`), so the same content uploaded twice
//! is one object; big uploads go to the dfs in [`UPLOAD_CHUNK_SIZE`] chunks, so memory per
//! upload stays at one chunk whatever the file size.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use echo_dfs::{Bucket, Dfs, UPLOAD_CHUNK_SIZE};
use echo_storage::MediaStore;
use sha2::Digest;

use crate::locate::locate;
use crate::parts::{AssembledUpload, PartStore};
use crate::photo::{self, RenderedSize};
use crate::{
    DocumentRecord, FileChunk, FileLocation, MediaError, MediaService, NewDocument, PhotoRecord,
    PhotoSizeRecord, UploadedFile, PHOTO_FILE_MAX, READ_LIMIT_MAX,
};

/// Length of the file references handed out (core.telegram.org/api/file_reference).
const FILE_REFERENCE_LEN: usize = 16;
/// Box of the thumbnail rendered from an uploaded document thumb.
const DOCUMENT_THUMB_SIDE: u32 = 320;

/// Media on the local disk and a dfs.
pub struct LocalMediaService {
    parts: PartStore,
    dfs: Arc<dyn Dfs>,
    store: Arc<dyn MediaStore>,
    dc_id: i32,
}

fn object_key(sha256_hex: &str) -> String {
    format!("{}/{}", &sha256_hex[..2], sha256_hex)
}

fn random_id() -> i64 {
    // Positive ids: some clients print or index them as unsigned.
    (rand::random::<u64>() >> 1) as i64
}

fn new_file_reference() -> Vec<u8> {
    rand::random::<[u8; FILE_REFERENCE_LEN]>().to_vec()
}

impl LocalMediaService {
    /// `parts_dir` holds unfinished uploads; `dc_id` is stamped on new photos and documents.
    pub fn new(
        parts_dir: impl Into<PathBuf>,
        dfs: Arc<dyn Dfs>,
        store: Arc<dyn MediaStore>,
        dc_id: i32,
    ) -> Self {
        Self {
            parts: PartStore::new(parts_dir),
            dfs,
            store,
            dc_id,
        }
    }

    /// Drops uploads left unused for longer than `max_age`.
    pub async fn sweep_parts(&self, max_age: Duration) -> Result<usize, MediaError> {
        self.parts.sweep(max_age).await
    }

    /// Puts an assembled upload into `bucket` under its hash unless it is there already.
    async fn store_upload(
        &self,
        bucket: Bucket,
        upload: &AssembledUpload,
    ) -> Result<String, MediaError> {
        let key = object_key(&upload.sha256);
        if self.dfs.size(bucket, &key).await? == Some(upload.size) {
            return Ok(key);
        }
        if upload.size <= UPLOAD_CHUNK_SIZE as u64 {
            let mut all = Vec::with_capacity(usize::try_from(upload.size).unwrap_or(0));
            for part in 0..upload.parts {
                all.extend(self.parts.read_part(upload, part).await?);
            }
            self.dfs.put(bucket, &key, all).await?;
            return Ok(key);
        }
        let upload_id = self.dfs.begin_upload(bucket, &key).await?;
        match self.stream_chunks(bucket, &key, &upload_id, upload).await {
            Ok(receipts) => {
                self.dfs
                    .finish_upload(bucket, &key, &upload_id, receipts)
                    .await?;
                Ok(key)
            }
            Err(e) => {
                if let Err(abort) = self.dfs.abort_upload(bucket, &key, &upload_id).await {
                    tracing::warn!(error = %abort, "aborting a dfs upload failed");
                }
                Err(e)
            }
        }
    }

    async fn stream_chunks(
        &self,
        bucket: Bucket,
        key: &str,
        upload_id: &str,
        upload: &AssembledUpload,
    ) -> Result<Vec<String>, MediaError> {
        let mut receipts = Vec::new();
        let mut chunk = Vec::with_capacity(UPLOAD_CHUNK_SIZE);
        for part in 0..upload.parts {
            chunk.extend(self.parts.read_part(upload, part).await?);
            let last = part == upload.parts - 1;
            if chunk.len() >= UPLOAD_CHUNK_SIZE || last {
                let index = u32::try_from(receipts.len()).unwrap_or(u32::MAX);
                let data = std::mem::replace(&mut chunk, Vec::with_capacity(UPLOAD_CHUNK_SIZE));
                receipts.push(
                    self.dfs
                        .upload_chunk(bucket, key, upload_id, index, data)
                        .await?,
                );
            }
        }
        Ok(receipts)
    }

    /// Stores rendered sizes in `bucket` (by content hash) as size records.
    async fn store_sizes(
        &self,
        bucket: Bucket,
        rendered: Vec<RenderedSize>,
    ) -> Result<Vec<PhotoSizeRecord>, MediaError> {
        let mut sizes = Vec::with_capacity(rendered.len());
        for r in rendered {
            let size = i32::try_from(r.bytes.len()).unwrap_or(i32::MAX);
            let width = i32::try_from(r.width).unwrap_or(0);
            let height = i32::try_from(r.height).unwrap_or(0);
            if r.kind == "i" {
                sizes.push(PhotoSizeRecord {
                    kind: r.kind.into(),
                    width,
                    height,
                    size,
                    bucket: String::new(),
                    object_key: String::new(),
                    bytes: r.bytes,
                });
                continue;
            }
            let key = object_key(&hex::encode(sha2::Sha256::digest(&r.bytes)));
            if self.dfs.size(bucket, &key).await?.is_none() {
                self.dfs.put(bucket, &key, r.bytes).await?;
            }
            sizes.push(PhotoSizeRecord {
                kind: r.kind.into(),
                width,
                height,
                size,
                bucket: bucket.name().into(),
                object_key: key,
                bytes: Vec::new(),
            });
        }
        Ok(sizes)
    }

    /// Reads a whole (photo-sized) upload into memory.
    async fn read_whole(&self, upload: &AssembledUpload) -> Result<Vec<u8>, MediaError> {
        let mut all = Vec::with_capacity(usize::try_from(upload.size).unwrap_or(0));
        for part in 0..upload.parts {
            all.extend(self.parts.read_part(upload, part).await?);
        }
        Ok(all)
    }

    /// The rendered thumbnail set of an uploaded document thumb (None if undecodable).
    async fn document_thumbs(
        &self,
        owner: i64,
        thumb: &UploadedFile,
    ) -> Result<Vec<PhotoSizeRecord>, MediaError> {
        let upload = self.parts.assemble(owner, thumb).await?;
        if upload.size > PHOTO_FILE_MAX {
            return Err(MediaError::rejected("IMAGE_PROCESS_FAILED"));
        }
        let bytes = self.read_whole(&upload).await?;
        let rendered = tokio::task::spawn_blocking(move || {
            let image = photo::decode(&bytes)?;
            let (w, h) = photo::fit(image.width(), image.height(), DOCUMENT_THUMB_SIDE);
            let scaled = image.resize(w, h, image::imageops::FilterType::Triangle);
            let mut out: Vec<RenderedSize> = photo::stripped(&image).into_iter().collect();
            let mut m = photo::render_sizes(&scaled)?;
            m.retain(|s| s.width == w && s.height == h);
            out.extend(
                m.into_iter()
                    .take(1)
                    .map(|s| RenderedSize { kind: "m", ..s }),
            );
            Ok::<_, MediaError>(out)
        })
        .await
        .map_err(|e| MediaError::Internal(e.to_string()))??;
        let sizes = self.store_sizes(Bucket::Documents, rendered).await?;
        self.parts.remove(&upload).await?;
        Ok(sizes)
    }
}

#[async_trait]
impl MediaService for LocalMediaService {
    async fn save_file_part(
        &self,
        owner: i64,
        file_id: i64,
        part: i32,
        total_parts: Option<i32>,
        bytes: Vec<u8>,
    ) -> Result<(), MediaError> {
        self.parts
            .save(owner, file_id, part, total_parts, &bytes)
            .await
    }

    async fn upload_photo(
        &self,
        owner: i64,
        file: UploadedFile,
        date: i64,
    ) -> Result<PhotoRecord, MediaError> {
        let upload = self.parts.assemble(owner, &file).await?;
        if upload.size > PHOTO_FILE_MAX {
            return Err(MediaError::rejected("PHOTO_SAVE_FILE_INVALID"));
        }
        let original = self.read_whole(&upload).await?;
        let rendered = tokio::task::spawn_blocking(move || {
            let image = photo::decode(&original)?;
            let mut out: Vec<RenderedSize> = photo::stripped(&image).into_iter().collect();
            out.extend(photo::render_sizes(&image)?);
            Ok::<_, MediaError>(out)
        })
        .await
        .map_err(|e| MediaError::Internal(e.to_string()))??;
        // The original is kept too (by hash), for re-rendering sizes later.
        self.store_upload(Bucket::Photos, &upload).await?;
        let sizes = self.store_sizes(Bucket::Photos, rendered).await?;
        let record = PhotoRecord {
            id: random_id(),
            access_hash: rand::random(),
            file_reference: new_file_reference(),
            owner_id: owner,
            date,
            dc_id: self.dc_id,
            sizes,
        };
        self.store.put_photo(record.clone()).await?;
        self.parts.remove(&upload).await?;
        Ok(record)
    }

    async fn upload_document(
        &self,
        owner: i64,
        document: NewDocument,
        date: i64,
    ) -> Result<DocumentRecord, MediaError> {
        let upload = self.parts.assemble(owner, &document.file).await?;
        let bucket = if document.mime_type.starts_with("video/") {
            Bucket::Videos
        } else {
            Bucket::Documents
        };
        let thumbs = match &document.thumb {
            Some(thumb) => match self.document_thumbs(owner, thumb).await {
                Ok(sizes) => sizes,
                // A bad thumbnail does not sink the document; Telegram drops it too.
                Err(MediaError::Rejected(reason)) => {
                    tracing::debug!(%reason, "document thumbnail ignored");
                    Vec::new()
                }
                Err(e) => return Err(e),
            },
            None => Vec::new(),
        };
        let key = self.store_upload(bucket, &upload).await?;
        let record = DocumentRecord {
            id: random_id(),
            access_hash: rand::random(),
            file_reference: new_file_reference(),
            owner_id: owner,
            date,
            dc_id: self.dc_id,
            mime_type: document.mime_type,
            size: i64::try_from(upload.size).unwrap_or(i64::MAX),
            bucket: bucket.name().into(),
            object_key: key,
            attributes: document.attributes,
            thumbs,
        };
        self.store.put_document(record.clone()).await?;
        self.parts.remove(&upload).await?;
        Ok(record)
    }

    async fn photo(&self, id: i64) -> Result<Option<PhotoRecord>, MediaError> {
        Ok(self.store.get_photo(id).await?)
    }

    async fn document(&self, id: i64) -> Result<Option<DocumentRecord>, MediaError> {
        Ok(self.store.get_document(id).await?)
    }

    async fn read_file(
        &self,
        location: FileLocation,
        offset: u64,
        limit: u32,
    ) -> Result<FileChunk, MediaError> {
        if limit > READ_LIMIT_MAX {
            return Err(MediaError::rejected("LIMIT_INVALID"));
        }
        let (bucket, key, mtime, jpeg) = locate(self.store.as_ref(), location).await?;
        let bucket = Bucket::from_name(&bucket)
            .ok_or_else(|| MediaError::Internal(format!("unknown bucket {bucket}")))?;
        let bytes = self.dfs.read(bucket, &key, offset, limit).await?;
        Ok(FileChunk { bytes, mtime, jpeg })
    }
}
