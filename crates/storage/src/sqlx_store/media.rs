//! Media metadata on SQL (core.telegram.org/api/files); see `crate::media` for the tables.

use async_trait::async_trait;
use sqlx::any::AnyRow;

use super::dialect::placeholders;
use super::rows::{bytes_col, i32_col, i64_col, peer_cols, text_col};
use super::SqlStore;
use crate::error::StorageResult;
use crate::media::{DocumentRecord, MediaStore, PeerPhotoEntry, PhotoRecord, PhotoSizeRecord};
use crate::types::Peer;

/// `media_sizes.owner_kind` of photo sizes and of document thumbnails.
const OWNER_PHOTO: i32 = 1;
const OWNER_DOCUMENT: i32 = 2;

const SIZE_COLUMNS: &str = "kind, width, height, size, bucket, object_key, bytes";
const DOCUMENT_COLUMNS: &str = "id, access_hash, file_reference, owner_id, date, dc_id, \
     mime_type, size, bucket, object_key, attributes";

fn size_from_row(row: &AnyRow) -> StorageResult<PhotoSizeRecord> {
    Ok(PhotoSizeRecord {
        kind: text_col(row, "kind")?,
        width: i32_col(row, "width")?,
        height: i32_col(row, "height")?,
        size: i32_col(row, "size")?,
        bucket: text_col(row, "bucket")?,
        object_key: text_col(row, "object_key")?,
        bytes: bytes_col(row, "bytes")?,
    })
}

impl SqlStore {
    async fn insert_sizes(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        owner_kind: i32,
        owner_id: i64,
        sizes: &[PhotoSizeRecord],
    ) -> StorageResult<()> {
        for s in sizes {
            sqlx::query(&format!(
                "INSERT INTO media_sizes (owner_kind, owner_id, {SIZE_COLUMNS}) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ))
            .bind(owner_kind)
            .bind(owner_id)
            .bind(s.kind.as_str())
            .bind(s.width)
            .bind(s.height)
            .bind(s.size)
            .bind(s.bucket.as_str())
            .bind(s.object_key.as_str())
            .bind(s.bytes.as_slice())
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Sizes of one owner, smallest first (by pixel area; the stripped size first).
    async fn sizes_of(
        &self,
        owner_kind: i32,
        owner_id: i64,
    ) -> StorageResult<Vec<PhotoSizeRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {SIZE_COLUMNS} FROM media_sizes WHERE owner_kind = ? AND owner_id = ?"
        ))
        .bind(owner_kind)
        .bind(owner_id)
        .fetch_all(&self.pool)
        .await?;
        let mut sizes = rows
            .iter()
            .map(size_from_row)
            .collect::<StorageResult<Vec<_>>>()?;
        sizes.sort_by_key(|s| (s.kind != "i", i64::from(s.width) * i64::from(s.height)));
        Ok(sizes)
    }
}

#[async_trait]
impl MediaStore for SqlStore {
    async fn put_photo(&self, photo: PhotoRecord) -> StorageResult<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO media_photos (id, access_hash, file_reference, owner_id, date, dc_id) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(photo.id)
        .bind(photo.access_hash)
        .bind(photo.file_reference.as_slice())
        .bind(photo.owner_id)
        .bind(photo.date)
        .bind(photo.dc_id)
        .execute(&mut *tx)
        .await?;
        self.insert_sizes(&mut tx, OWNER_PHOTO, photo.id, &photo.sizes)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_photo(&self, id: i64) -> StorageResult<Option<PhotoRecord>> {
        let row = sqlx::query(
            "SELECT id, access_hash, file_reference, owner_id, date, dc_id \
             FROM media_photos WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(PhotoRecord {
            id: i64_col(&row, "id")?,
            access_hash: i64_col(&row, "access_hash")?,
            file_reference: bytes_col(&row, "file_reference")?,
            owner_id: i64_col(&row, "owner_id")?,
            date: i64_col(&row, "date")?,
            dc_id: i32_col(&row, "dc_id")?,
            sizes: self.sizes_of(OWNER_PHOTO, id).await?,
        }))
    }

    async fn put_document(&self, doc: DocumentRecord) -> StorageResult<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(&format!(
            "INSERT INTO media_documents ({DOCUMENT_COLUMNS}) VALUES ({})",
            placeholders(11)
        ))
        .bind(doc.id)
        .bind(doc.access_hash)
        .bind(doc.file_reference.as_slice())
        .bind(doc.owner_id)
        .bind(doc.date)
        .bind(doc.dc_id)
        .bind(doc.mime_type.as_str())
        .bind(doc.size)
        .bind(doc.bucket.as_str())
        .bind(doc.object_key.as_str())
        .bind(doc.attributes.as_slice())
        .execute(&mut *tx)
        .await?;
        self.insert_sizes(&mut tx, OWNER_DOCUMENT, doc.id, &doc.thumbs)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_document(&self, id: i64) -> StorageResult<Option<DocumentRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM media_documents WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(DocumentRecord {
            id: i64_col(&row, "id")?,
            access_hash: i64_col(&row, "access_hash")?,
            file_reference: bytes_col(&row, "file_reference")?,
            owner_id: i64_col(&row, "owner_id")?,
            date: i64_col(&row, "date")?,
            dc_id: i32_col(&row, "dc_id")?,
            mime_type: text_col(&row, "mime_type")?,
            size: i64_col(&row, "size")?,
            bucket: text_col(&row, "bucket")?,
            object_key: text_col(&row, "object_key")?,
            attributes: bytes_col(&row, "attributes")?,
            thumbs: self.sizes_of(OWNER_DOCUMENT, id).await?,
        }))
    }

    async fn set_peer_photo(&self, peer: Peer, photo_id: i64, date: i64) -> StorageResult<()> {
        let mut tx = self.writer.begin().await?;
        // Writing first takes SQLite's write lock before the read below.
        sqlx::query("DELETE FROM peer_photos WHERE peer_type = ? AND peer_id = ? AND photo_id = ?")
            .bind(peer.type_code())
            .bind(peer.id())
            .bind(photo_id)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) AS top FROM peer_photos \
             WHERE peer_type = ? AND peer_id = ?",
        )
        .bind(peer.type_code())
        .bind(peer.id())
        .fetch_one(&mut *tx)
        .await?;
        let seq = i64_col(&row, "top")? + 1;
        sqlx::query(
            "INSERT INTO peer_photos (peer_type, peer_id, photo_id, date, seq) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(peer.type_code())
        .bind(peer.id())
        .bind(photo_id)
        .bind(date)
        .bind(seq)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn peer_photos(
        &self,
        peer: Peer,
        offset: i64,
        limit: i64,
    ) -> StorageResult<Vec<PeerPhotoEntry>> {
        let rows = sqlx::query(
            "SELECT photo_id, date FROM peer_photos WHERE peer_type = ? AND peer_id = ? \
             ORDER BY seq DESC LIMIT ? OFFSET ?",
        )
        .bind(peer.type_code())
        .bind(peer.id())
        .bind(limit.max(0))
        .bind(offset.max(0))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PeerPhotoEntry {
                    photo_id: i64_col(row, "photo_id")?,
                    date: i64_col(row, "date")?,
                })
            })
            .collect()
    }

    async fn count_peer_photos(&self, peer: Peer) -> StorageResult<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM peer_photos WHERE peer_type = ? AND peer_id = ?",
        )
        .bind(peer.type_code())
        .bind(peer.id())
        .fetch_one(&self.pool)
        .await?;
        i64_col(&row, "n")
    }

    async fn remove_peer_photos(&self, peer: Peer, photo_ids: &[i64]) -> StorageResult<Vec<i64>> {
        let mut removed = Vec::new();
        for id in photo_ids {
            let done = sqlx::query(
                "DELETE FROM peer_photos WHERE peer_type = ? AND peer_id = ? AND photo_id = ?",
            )
            .bind(peer.type_code())
            .bind(peer.id())
            .bind(*id)
            .execute(&self.writer)
            .await?;
            if done.rows_affected() > 0 {
                removed.push(*id);
            }
        }
        Ok(removed)
    }

    async fn current_peer_photos(&self, peers: &[Peer]) -> StorageResult<Vec<(Peer, i64)>> {
        let mut current = Vec::new();
        for chunk in peers.chunks(100) {
            let pairs = vec!["(peer_type = ? AND peer_id = ?)"; chunk.len()].join(" OR ");
            let sql = format!(
                "SELECT p.peer_type, p.peer_id, p.photo_id FROM peer_photos p \
                 WHERE ({pairs}) AND p.seq = (SELECT MAX(q.seq) FROM peer_photos q \
                 WHERE q.peer_type = p.peer_type AND q.peer_id = p.peer_id)"
            );
            let mut query = sqlx::query(&sql);
            for peer in chunk {
                query = query.bind(peer.type_code()).bind(peer.id());
            }
            for row in query.fetch_all(&self.pool).await? {
                current.push((peer_cols(&row)?, i64_col(&row, "photo_id")?));
            }
        }
        Ok(current)
    }
}
