//! Writes to per-user message boxes and the update state they advance
//! (core.telegram.org/api/updates: every change to a box moves that user's pts).
//!
//! Every user owns a row in `user_states` holding their pts and the last message id of
//! their box. A change to the box bumps that row first, inside the same transaction as the
//! change itself: the bump both allocates the numbers and serializes concurrent writers of
//! one box (a row lock on MySQL, the write lock on SQLite). Each transaction is retried
//! as a whole when the database rolls it back for contention.

use async_trait::async_trait;

use super::box_statements::push_insert_messages;
use super::dialect::{placeholders, Dialect};
use super::messages::{message_from_row, IN_CHUNK, MESSAGE_COLUMNS};
use super::rows::{i32_col, i64_col};
use super::{retry_busy, SqlStore};
use crate::error::{StorageError, StorageResult};
use crate::traits::UpdateStateStore;
use crate::types::{
    AppendOutcome, BoxMessage, DeleteOutcome, MessageEdit, NewBoxMessage, UserState,
};

pub(super) type AnyTransaction<'c> = sqlx::Transaction<'c, sqlx::Any>;

/// Counters of a box after a bump.
pub(super) struct Counters {
    pub(super) pts: i32,
    pub(super) last_message_id: i32,
}

use crate::types::INITIAL_PTS;

/// Most rows one multi-row INSERT carries (well under both databases' placeholder limits).
pub(super) const ROWS_PER_INSERT: usize = 100;

/// The row `m` becomes as message `counters.last_message_id` of `user_id`'s box.
pub(super) fn new_row(user_id: i64, m: NewBoxMessage, counters: &Counters) -> BoxMessage {
    BoxMessage {
        user_id,
        id: counters.last_message_id,
        peer: m.peer,
        from_id: m.from_id,
        out: m.out,
        date: m.date,
        message: m.message,
        entities: m.entities,
        media: m.media,
        reply_to_msg_id: m.reply_to_msg_id,
        random_id: m.random_id,
        fwd: m.fwd,
        pts: counters.pts,
        edit_date: None,
        grouped_id: m.grouped_id,
    }
}

/// What [`SqlStore::insert_box_message`] did.
pub(super) enum Inserted {
    /// The random_id was seen before: the earlier message.
    Existing(BoxMessage),
    /// A new row, in a transaction still to be committed.
    New(AnyTransaction<'static>, BoxMessage),
}

impl SqlStore {
    /// Advances the user's pts by `pts_by` and last message id by `ids_by`, creating the
    /// state row if needed, and returns the new values. Must be the first statement of
    /// its transaction (see the module header of `sqlx_store`).
    pub(super) async fn bump_counters(
        &self,
        tx: &mut AnyTransaction<'static>,
        user_id: i64,
        pts_by: i32,
        ids_by: i32,
        date: i64,
    ) -> StorageResult<Counters> {
        if self.dialect == Dialect::Sqlite {
            // One statement instead of three: every statement is a round trip to sqlx's
            // SQLite worker thread. A new row starts where the three-statement form would
            // leave it (INITIAL_PTS and 0, then bumped).
            let row = sqlx::query(
                "INSERT INTO user_states (user_id, pts, qts, seq, date, last_message_id) \
                 VALUES (?, ?, 0, 0, ?, ?) ON CONFLICT (user_id) DO UPDATE SET \
                 pts = pts + ?, last_message_id = last_message_id + ?, \
                 date = CASE WHEN excluded.date > date THEN excluded.date ELSE date END \
                 RETURNING pts, last_message_id",
            )
            .bind(user_id)
            .bind(INITIAL_PTS + pts_by)
            .bind(date.max(0))
            .bind(ids_by)
            .bind(pts_by)
            .bind(ids_by)
            .fetch_one(&mut **tx)
            .await?;
            return Ok(Counters {
                pts: i32_col(&row, "pts")?,
                last_message_id: i32_col(&row, "last_message_id")?,
            });
        }
        let ensure = self.dialect.upsert(
            "user_states",
            &["user_id", "pts", "qts", "seq", "date", "last_message_id"],
            &["user_id"],
            &[],
        );
        sqlx::query(&ensure)
            .bind(user_id)
            .bind(INITIAL_PTS)
            .bind(0_i32)
            .bind(0_i32)
            .bind(0_i64)
            .bind(0_i32)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "UPDATE user_states SET pts = pts + ?, last_message_id = last_message_id + ?, \
             date = CASE WHEN ? > date THEN ? ELSE date END WHERE user_id = ?",
        )
        .bind(pts_by)
        .bind(ids_by)
        .bind(date)
        .bind(date)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
        let row = sqlx::query("SELECT pts, last_message_id FROM user_states WHERE user_id = ?")
            .bind(user_id)
            .fetch_one(&mut **tx)
            .await?;
        Ok(Counters {
            pts: i32_col(&row, "pts")?,
            last_message_id: i32_col(&row, "last_message_id")?,
        })
    }

    pub(super) async fn try_append(
        &self,
        user_id: i64,
        m: NewBoxMessage,
    ) -> StorageResult<AppendOutcome> {
        match self.insert_box_message(user_id, m).await? {
            Inserted::Existing(existing) => Ok(AppendOutcome::Existing(existing)),
            Inserted::New(tx, message) => {
                tx.commit().await?;
                Ok(AppendOutcome::Created(message))
            }
        }
    }

    /// The part every append shares: de-duplicates by random_id, allocates the user's next
    /// message id and pts, and inserts the row in a new transaction, which is returned open so
    /// the caller can add its own writes (dialogs, the updates log) before committing.
    pub(super) async fn insert_box_message(
        &self,
        user_id: i64,
        m: NewBoxMessage,
    ) -> StorageResult<Inserted> {
        if let Some(random_id) = m.random_id {
            if let Some(existing) = self.message_by_random_id(user_id, random_id).await? {
                return Ok(Inserted::Existing(existing));
            }
        }
        let mut tx = self.writer.begin().await?;
        let counters = self.bump_counters(&mut tx, user_id, 1, 1, m.date).await?;
        let random_id = m.random_id;
        match self.insert_row(&mut tx, user_id, m, &counters).await {
            Ok(message) => Ok(Inserted::New(tx, message)),
            Err(StorageError::Conflict(reason)) => {
                // A concurrent append with the same random_id won; report its message.
                drop(tx);
                if let Some(random_id) = random_id {
                    if let Some(existing) = self.message_by_random_id(user_id, random_id).await? {
                        return Ok(Inserted::Existing(existing));
                    }
                }
                Err(StorageError::Conflict(reason))
            }
            Err(other) => Err(other),
        }
    }

    /// Inserts `m` into `user_id`'s box as message `counters.last_message_id` at
    /// `counters.pts` (numbers the caller allocated with `bump_counters` in `tx`).
    pub(super) async fn insert_row(
        &self,
        tx: &mut AnyTransaction<'static>,
        user_id: i64,
        m: NewBoxMessage,
        counters: &Counters,
    ) -> StorageResult<BoxMessage> {
        let message = new_row(user_id, m, counters);
        self.insert_rows(tx, std::slice::from_ref(&message)).await?;
        Ok(message)
    }

    /// Inserts box rows whose numbers are already allocated, up to [`ROWS_PER_INSERT`] per
    /// statement (one round trip for a whole batch of copies).
    pub(super) async fn insert_rows(
        &self,
        tx: &mut AnyTransaction<'static>,
        rows: &[BoxMessage],
    ) -> StorageResult<()> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut query = sqlx::QueryBuilder::new("");
            push_insert_messages(&mut query, chunk);
            query.build().execute(&mut **tx).await?;
        }
        Ok(())
    }

    pub(super) async fn try_edit(
        &self,
        user_id: i64,
        id: i32,
        edit: MessageEdit,
    ) -> StorageResult<BoxMessage> {
        let mut tx = self.writer.begin().await?;
        let counters = self
            .bump_counters(&mut tx, user_id, 1, 0, edit.edit_date)
            .await?;
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
            // Dropping the transaction rolls the pts bump back.
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
        tx.commit().await?;
        Ok(message)
    }

    pub(super) async fn try_delete(
        &self,
        user_id: i64,
        wanted: &[i32],
    ) -> StorageResult<DeleteOutcome> {
        let mut tx = self.writer.begin().await?;
        // A zero bump takes the box lock before anything is read.
        let before = self.bump_counters(&mut tx, user_id, 0, 0, 0).await?;
        let mut deleted_ids = Vec::new();
        for chunk in wanted.chunks(IN_CHUNK) {
            let list = placeholders(chunk.len());
            let select = format!(
                "SELECT message_id FROM messages WHERE user_id = ? AND message_id IN ({list})"
            );
            let delete =
                format!("DELETE FROM messages WHERE user_id = ? AND message_id IN ({list})");
            let mut query = sqlx::query(&select).bind(user_id);
            let mut remove = sqlx::query(&delete).bind(user_id);
            for id in chunk {
                query = query.bind(*id);
                remove = remove.bind(*id);
            }
            for row in query.fetch_all(&mut *tx).await? {
                deleted_ids.push(i32_col(&row, "message_id")?);
            }
            remove.execute(&mut *tx).await?;
        }
        let pts_count = i32::try_from(deleted_ids.len())
            .map_err(|_| StorageError::InvalidArgument("too many ids".to_owned()))?;
        let pts = if pts_count > 0 {
            self.bump_counters(&mut tx, user_id, pts_count, 0, 0)
                .await?
                .pts
        } else {
            before.pts
        };
        tx.commit().await?;
        deleted_ids.sort_unstable();
        Ok(DeleteOutcome {
            deleted_ids,
            pts,
            pts_count,
        })
    }
}

#[async_trait]
impl UpdateStateStore for SqlStore {
    async fn advance_pts(&self, user_id: i64, pts_count: i32, date: i64) -> StorageResult<i32> {
        if pts_count < 0 {
            return Err(StorageError::InvalidArgument(
                "negative pts_count".to_owned(),
            ));
        }
        retry_busy(|| async {
            let mut tx = self.writer.begin().await?;
            let counters = self
                .bump_counters(&mut tx, user_id, pts_count, 0, date)
                .await?;
            tx.commit().await?;
            Ok(counters.pts)
        })
        .await
    }

    async fn get_state(&self, user_id: i64) -> StorageResult<UserState> {
        let row = sqlx::query("SELECT pts, qts, seq, date FROM user_states WHERE user_id = ?")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(UserState {
                pts: INITIAL_PTS,
                ..UserState::default()
            }),
            Some(row) => Ok(UserState {
                pts: i32_col(&row, "pts")?,
                qts: i32_col(&row, "qts")?,
                seq: i32_col(&row, "seq")?,
                date: i64_col(&row, "date")?,
            }),
        }
    }
}
