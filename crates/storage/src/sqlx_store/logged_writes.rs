//! Logged writes to message boxes (core.telegram.org/api/updates): append, edit, delete
//! and read, each advancing pts and appending its `Update` to `user_updates` in the same
//! transaction as the change. The trait impl and the reads are in `updates_log`.

use super::box_statements::{push_insert_links, push_log_new_messages, push_touch_dialogs_sqlite};
use super::box_writes::{AnyTransaction, Inserted, ROWS_PER_INSERT};
use super::dialect::placeholders;
use super::messages::{message_from_row, IN_CHUNK, MESSAGE_COLUMNS};
use super::rows::{flag, i32_col, i64_col, peer_cols};
use super::{Dialect, SqlStore};
use crate::error::{StorageError, StorageResult};
use crate::types::{
    AppendOutcome, BoxMessage, DeleteOutcome, DialogRecord, MessageEdit, NewBoxMessage, Peer,
};
use crate::updates_log::{BoxChange, MessageOrigin, ReadOutcome, UpdateEncoder, UpdateKind};

const WHERE_DIALOG: &str = "WHERE user_id = ? AND peer_type = ? AND peer_id = ?";

impl SqlStore {
    async fn dialog_in_tx(
        &self,
        tx: &mut AnyTransaction<'static>,
        user_id: i64,
        peer: Peer,
    ) -> StorageResult<Option<DialogRecord>> {
        let row = sqlx::query(&format!(
            "SELECT peer_type, peer_id, top_message, top_date, read_inbox_max_id, \
             read_outbox_max_id, unread_count, pinned_order, unread_mark FROM dialogs {WHERE_DIALOG}"
        ))
        .bind(user_id)
        .bind(peer.type_code())
        .bind(peer.id())
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(DialogRecord {
            peer: peer_cols(&row)?,
            top_message: i32_col(&row, "top_message")?,
            top_date: i64_col(&row, "top_date")?,
            read_inbox_max_id: i32_col(&row, "read_inbox_max_id")?,
            read_outbox_max_id: i32_col(&row, "read_outbox_max_id")?,
            unread_count: i32_col(&row, "unread_count")?,
            pinned: i64_col(&row, "pinned_order")? > 0,
            unread_mark: i64_col(&row, "unread_mark")? != 0,
        }))
    }

    /// The dialogs of new rows (each in its own box) created or moved to them, in one
    /// statement (see `push_touch_dialogs_sqlite`).
    async fn touch_dialogs_sqlite(
        &self,
        tx: &mut AnyTransaction<'static>,
        rows: &[BoxMessage],
    ) -> StorageResult<()> {
        let mut query = sqlx::QueryBuilder::new("");
        push_touch_dialogs_sqlite(&mut query, rows);
        query.build().execute(&mut **tx).await?;
        Ok(())
    }

    async fn touch_dialog(
        &self,
        tx: &mut AnyTransaction<'static>,
        user_id: i64,
        m: &BoxMessage,
    ) -> StorageResult<()> {
        if self.dialect == Dialect::Sqlite {
            return self.touch_dialogs_sqlite(tx, std::slice::from_ref(m)).await;
        }
        let ensure = self.dialect.upsert(
            "dialogs",
            &["user_id", "peer_type", "peer_id", "top_message", "top_date"],
            &["user_id", "peer_type", "peer_id"],
            &[],
        );
        sqlx::query(&ensure)
            .bind(user_id)
            .bind(m.peer.type_code())
            .bind(m.peer.id())
            .bind(0_i32)
            .bind(0_i64)
            .execute(&mut **tx)
            .await?;
        // Same column order as `dialogs::try_upsert_on_message`, for the same reason (MySQL
        // applies SET assignments left to right).
        sqlx::query(&format!(
            "UPDATE dialogs SET \
             unread_count = unread_count + CASE WHEN ? > read_inbox_max_id THEN ? ELSE 0 END, \
             top_date = CASE WHEN ? > top_message THEN ? ELSE top_date END, \
             top_message = CASE WHEN ? > top_message THEN ? ELSE top_message END \
             {WHERE_DIALOG}"
        ))
        .bind(m.id)
        .bind(flag(!m.out))
        .bind(m.id)
        .bind(m.date)
        .bind(m.id)
        .bind(m.id)
        .bind(user_id)
        .bind(m.peer.type_code())
        .bind(m.peer.id())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub(super) async fn try_append_logged(
        &self,
        user_id: i64,
        m: NewBoxMessage,
        origin: MessageOrigin,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<AppendOutcome> {
        let (mut tx, message) = match self.insert_box_message(user_id, m).await? {
            Inserted::Existing(existing) => return Ok(AppendOutcome::Existing(existing)),
            Inserted::New(tx, message) => (tx, message),
        };
        self.log_new_row(&mut tx, &message, origin, encoder).await?;
        tx.commit().await?;
        Ok(AppendOutcome::Created(message))
    }

    /// What every new box row needs besides itself, in its transaction: the link to its
    /// origin, the dialog moved to it, and the `NewMessage` log entry.
    pub(super) async fn log_new_row(
        &self,
        tx: &mut AnyTransaction<'static>,
        message: &BoxMessage,
        origin: MessageOrigin,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<()> {
        let body = encoder.encode(&BoxChange::NewMessage(message));
        self.log_new_rows(tx, std::slice::from_ref(message), &[origin], vec![body])
            .await
    }

    /// [`Self::log_new_row`] for many rows (`origins[i]` is the origin of `rows[i]`,
    /// `bodies[i]` its encoded `NewMessage`), a statement per table and chunk of rows instead
    /// of per row where the dialect allows.
    pub(super) async fn log_new_rows(
        &self,
        tx: &mut AnyTransaction<'static>,
        rows: &[BoxMessage],
        origins: &[MessageOrigin],
        bodies: Vec<Vec<u8>>,
    ) -> StorageResult<()> {
        if rows.len() != origins.len() || rows.len() != bodies.len() {
            return Err(StorageError::InvalidArgument(
                "one origin and one body per row".to_owned(),
            ));
        }
        let mut bodies = bodies.into_iter();
        for (chunk, chunk_origins) in rows
            .chunks(ROWS_PER_INSERT)
            .zip(origins.chunks(ROWS_PER_INSERT))
        {
            let mut links = sqlx::QueryBuilder::new("");
            push_insert_links(&mut links, chunk, chunk_origins);
            links.build().execute(&mut **tx).await?;
            if self.dialect == Dialect::Sqlite {
                self.touch_dialogs_sqlite(tx, chunk).await?;
            } else {
                for message in chunk {
                    self.touch_dialog(tx, message.user_id, message).await?;
                }
            }
            let mut log = sqlx::QueryBuilder::new("");
            push_log_new_messages(&mut log, chunk, &mut bodies);
            log.build().execute(&mut **tx).await?;
        }
        Ok(())
    }

    pub(super) async fn try_edit_logged(
        &self,
        user_id: i64,
        id: i32,
        edit: MessageEdit,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<BoxMessage> {
        let mut tx = self.writer.begin().await?;
        let date = edit.edit_date;
        let counters = self.bump_counters(&mut tx, user_id, 1, 0, date).await?;
        let done = sqlx::query(
            "UPDATE messages SET message = ?, entities = ?, media = ?, edit_date = ?, pts = ? \
             WHERE user_id = ? AND message_id = ?",
        )
        .bind(edit.message)
        .bind(edit.entities)
        .bind(edit.media)
        .bind(edit.edit_date)
        .bind(counters.pts)
        .bind(user_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        let row = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE user_id = ? AND message_id = ?"
        ))
        .bind(user_id)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let message = message_from_row(&row)?;
        let body = encoder.encode(&BoxChange::EditMessage(&message));
        let entry = (user_id, message.pts, 1, date, UpdateKind::EditMessage);
        self.log_entry(&mut tx, entry, body).await?;
        tx.commit().await?;
        Ok(message)
    }

    pub(super) async fn try_delete_logged(
        &self,
        user_id: i64,
        wanted: &[i32],
        date: i64,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<DeleteOutcome> {
        let mut tx = self.writer.begin().await?;
        let before = self.bump_counters(&mut tx, user_id, 0, 0, 0).await?;
        let mut deleted_ids = Vec::new();
        let mut peers: Vec<Peer> = Vec::new();
        for chunk in wanted.chunks(IN_CHUNK) {
            let list = placeholders(chunk.len());
            let select = format!(
                "SELECT message_id, peer_type, peer_id FROM messages \
                 WHERE user_id = ? AND message_id IN ({list})"
            );
            let mut query = sqlx::query(&select).bind(user_id);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&mut *tx).await? {
                deleted_ids.push(i32_col(&row, "message_id")?);
                let peer = peer_cols(&row)?;
                if !peers.contains(&peer) {
                    peers.push(peer);
                }
            }
            for table in ["messages", "message_links"] {
                let delete =
                    format!("DELETE FROM {table} WHERE user_id = ? AND message_id IN ({list})");
                let mut remove = sqlx::query(&delete).bind(user_id);
                for id in chunk {
                    remove = remove.bind(*id);
                }
                remove.execute(&mut *tx).await?;
            }
        }
        deleted_ids.sort_unstable();
        deleted_ids.dedup();
        let pts_count = i32::try_from(deleted_ids.len())
            .map_err(|_| StorageError::InvalidArgument("too many ids".to_owned()))?;
        if pts_count == 0 {
            tx.commit().await?;
            return Ok(DeleteOutcome {
                deleted_ids,
                pts: before.pts,
                pts_count,
            });
        }
        let pts = self
            .bump_counters(&mut tx, user_id, pts_count, 0, date)
            .await?
            .pts;
        for peer in peers {
            // The dialog's top message falls back to the newest message left (0 if none).
            let same = "m.user_id = dialogs.user_id AND m.peer_type = dialogs.peer_type \
                        AND m.peer_id = dialogs.peer_id";
            sqlx::query(&format!(
                "UPDATE dialogs SET \
                 top_date = COALESCE((SELECT MAX(m.date) FROM messages m WHERE {same}), top_date), \
                 unread_count = (SELECT COUNT(*) FROM messages m WHERE {same} AND m.is_out = 0 \
                 AND m.message_id > dialogs.read_inbox_max_id), \
                 top_message = COALESCE((SELECT MAX(m.message_id) FROM messages m WHERE {same}), 0) \
                 {WHERE_DIALOG}"
            ))
            .bind(user_id)
            .bind(peer.type_code())
            .bind(peer.id())
            .execute(&mut *tx)
            .await?;
        }
        let body = encoder.encode(&BoxChange::DeleteMessages {
            ids: &deleted_ids,
            pts,
            pts_count,
        });
        let entry = (user_id, pts, pts_count, date, UpdateKind::DeleteMessages);
        self.log_entry(&mut tx, entry, body).await?;
        tx.commit().await?;
        Ok(DeleteOutcome {
            deleted_ids,
            pts,
            pts_count,
        })
    }

    pub(super) async fn try_read(
        &self,
        user_id: i64,
        peer: Peer,
        max_id: i32,
        date: i64,
        inbox: bool,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<Option<ReadOutcome>> {
        let mut tx = self.writer.begin().await?;
        let before = self.bump_counters(&mut tx, user_id, 0, 0, 0).await?;
        let Some(dialog) = self.dialog_in_tx(&mut tx, user_id, peer).await? else {
            return Ok(None);
        };
        let current = if inbox {
            dialog.read_inbox_max_id
        } else {
            dialog.read_outbox_max_id
        };
        // Reading past the newest message means "everything": stop at the top message.
        let max_id = max_id.min(dialog.top_message);
        if max_id <= current {
            tx.commit().await?;
            return Ok(Some(ReadOutcome {
                dialog,
                pts: before.pts,
                pts_count: 0,
            }));
        }
        let set = if inbox {
            "read_inbox_max_id = ?, unread_mark = 0, \
             unread_count = (SELECT COUNT(*) FROM messages m WHERE m.user_id = dialogs.user_id \
             AND m.peer_type = dialogs.peer_type AND m.peer_id = dialogs.peer_id \
             AND m.is_out = 0 AND m.message_id > ?)"
        } else {
            "read_outbox_max_id = ?"
        };
        let sql = format!("UPDATE dialogs SET {set} {WHERE_DIALOG}");
        let mut update = sqlx::query(&sql).bind(max_id);
        if inbox {
            update = update.bind(max_id);
        }
        update
            .bind(user_id)
            .bind(peer.type_code())
            .bind(peer.id())
            .execute(&mut *tx)
            .await?;
        let pts = self.bump_counters(&mut tx, user_id, 1, 0, date).await?.pts;
        let dialog = self
            .dialog_in_tx(&mut tx, user_id, peer)
            .await?
            .ok_or(StorageError::NotFound)?;
        let (change, kind) = if inbox {
            let change = BoxChange::ReadInbox {
                dialog: &dialog,
                pts,
            };
            (change, UpdateKind::ReadHistoryInbox)
        } else {
            let change = BoxChange::ReadOutbox {
                dialog: &dialog,
                pts,
            };
            (change, UpdateKind::ReadHistoryOutbox)
        };
        let body = encoder.encode(&change);
        self.log_entry(&mut tx, (user_id, pts, 1, date, kind), body)
            .await?;
        tx.commit().await?;
        Ok(Some(ReadOutcome {
            dialog,
            pts,
            pts_count: 1,
        }))
    }
}
