//! Appends that write several message boxes in one transaction
//! (core.telegram.org/api/updates, /method/messages.sendMessage): a private message's two
//! copies, a group message's copy for every member.
//!
//! Each box still gets exactly what a single append gives it (next id and pts, the row, its
//! link, its dialog, its `NewMessage` log entry); the commit is shared, and each of those
//! writes is one multi-row statement for the whole batch where the dialect allows it (every
//! statement is a round trip to sqlx's SQLite worker thread, which bounded the send path). The boxes'
//! counters are bumped first, in ascending user id order, so two transactions over the same
//! boxes take the MySQL row locks in the same order instead of deadlocking; on SQLite the
//! first statement takes the write lock (see the module header of `sqlx_store`).

use std::collections::BTreeMap;

use super::box_statements::push_bump_sqlite;
use super::box_writes::{new_row, AnyTransaction, Counters, ROWS_PER_INSERT};
use super::rows::{i32_col, i64_col};
use super::{retry_busy, Dialect, SqlStore};
use crate::error::{StorageError, StorageResult};
use crate::types::{AppendOutcome, BoxMessage, NewBoxMessage};
use crate::updates_log::{BoxChange, MessageOrigin, UpdateEncoder};

/// The sender's row of a batch, when the batch creates it.
struct Own {
    user_id: i64,
    message: NewBoxMessage,
}

impl SqlStore {
    /// Bumps the counters of each box in `per_box` by its `(rows, newest date)`: on SQLite
    /// in one statement per chunk of boxes, on MySQL one box at a time, lowest id first.
    /// Returns each box's counters after the bump (its last row's id and pts).
    pub(super) async fn bump_many(
        &self,
        tx: &mut AnyTransaction<'static>,
        per_box: &BTreeMap<i64, (i32, i64)>,
    ) -> StorageResult<BTreeMap<i64, Counters>> {
        let mut counters = BTreeMap::new();
        if self.dialect != Dialect::Sqlite {
            // BTreeMap order: ascending user id.
            for (user_id, (rows, date)) in per_box {
                let bumped = self
                    .bump_counters(tx, *user_id, *rows, *rows, *date)
                    .await?;
                counters.insert(*user_id, bumped);
            }
            return Ok(counters);
        }
        let boxes: Vec<(i64, i32, i64)> = per_box
            .iter()
            .map(|(user_id, (rows, date))| (*user_id, *rows, *date))
            .collect();
        for chunk in boxes.chunks(ROWS_PER_INSERT) {
            let mut query = sqlx::QueryBuilder::new("");
            push_bump_sqlite(&mut query, chunk);
            for row in query.build().fetch_all(&mut **tx).await? {
                let bumped = Counters {
                    pts: i32_col(&row, "pts")?,
                    last_message_id: i32_col(&row, "last_message_id")?,
                };
                counters.insert(i64_col(&row, "user_id")?, bumped);
            }
        }
        Ok(counters)
    }

    /// One transaction: the optional own row, then every copy linked to the own row (or to
    /// `origin` when there is none). `Ok(None)` when the own row's random_id turned out to be
    /// taken (a concurrent append won); the transaction is then rolled back.
    async fn try_append_batch(
        &self,
        own: Option<&Own>,
        origin: Option<(i64, i32)>,
        copies: &[(i64, NewBoxMessage)],
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<Option<(Option<BoxMessage>, Vec<BoxMessage>)>> {
        let mut users: Vec<i64> = copies.iter().map(|(u, _)| *u).collect();
        users.extend(own.map(|o| o.user_id));
        let distinct = {
            let mut u = users.clone();
            u.sort_unstable();
            u.dedup();
            u.len()
        };
        if distinct != users.len() {
            return Err(StorageError::InvalidArgument(
                "one copy per box in a batch append".to_owned(),
            ));
        }
        let date = own
            .map(|o| o.message.date)
            .or_else(|| copies.first().map(|(_, m)| m.date))
            .unwrap_or(0);
        let per_box: BTreeMap<i64, (i32, i64)> = users.iter().map(|u| (*u, (1, date))).collect();
        let mut tx = self.writer.begin().await?;
        let counters = self.bump_many(&mut tx, &per_box).await?;
        let numbers = |user_id: i64| {
            counters
                .get(&user_id)
                .ok_or_else(|| StorageError::Database("batch counters missing".to_owned()))
        };
        let mut rows = Vec::with_capacity(copies.len() + 1);
        let mut origins = Vec::with_capacity(copies.len() + 1);
        let origin = match (own, origin) {
            (Some(own), _) => {
                let row = new_row(own.user_id, own.message.clone(), numbers(own.user_id)?);
                let origin = (row.user_id, row.id);
                rows.push(row);
                origins.push(MessageOrigin::Own);
                origin
            }
            (None, Some(origin)) => origin,
            (None, None) => return Err(StorageError::Database("batch without origin".to_owned())),
        };
        let link = MessageOrigin::CopyOf {
            user_id: origin.0,
            message_id: origin.1,
        };
        for (user_id, copy) in copies {
            rows.push(new_row(*user_id, copy.clone(), numbers(*user_id)?));
            origins.push(link);
        }
        match self.insert_rows(&mut tx, &rows).await {
            Ok(()) => {}
            // Only the own row has a random_id: a concurrent append with it won.
            Err(StorageError::Conflict(_))
                if own.is_some_and(|o| o.message.random_id.is_some()) =>
            {
                return Ok(None)
            }
            Err(e) => return Err(e),
        }
        let bodies = rows
            .iter()
            .map(|row| encoder.encode(&BoxChange::NewMessage(row)))
            .collect();
        self.log_new_rows(&mut tx, &rows, &origins, bodies).await?;
        let own_row = if own.is_some() && !rows.is_empty() {
            Some(rows.remove(0))
        } else {
            None
        };
        tx.commit().await?;
        Ok(Some((own_row, rows)))
    }

    pub(super) async fn append_with_copies_sql(
        &self,
        user_id: i64,
        message: NewBoxMessage,
        copies: Vec<(i64, NewBoxMessage)>,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<(AppendOutcome, Vec<BoxMessage>)> {
        // No look-up of the random_id first (a round trip for every send): the unique key
        // refuses a repeated one, and only then is the earlier message read.
        let random_id = message.random_id;
        let own = Own { user_id, message };
        let done = retry_busy(|| self.try_append_batch(Some(&own), None, &copies, encoder)).await?;
        match done {
            Some((Some(row), rows)) => Ok((AppendOutcome::Created(row), rows)),
            Some((None, _)) => Err(StorageError::Database(
                "batch append lost its own row".to_owned(),
            )),
            None => {
                // A repeated random_id (a retry, or a concurrent append that won).
                let existing = match random_id {
                    Some(r) => self.message_by_random_id(user_id, r).await?,
                    None => None,
                };
                let existing = existing.ok_or_else(|| {
                    StorageError::Conflict("random_id taken by a vanished message".to_owned())
                })?;
                Ok((AppendOutcome::Existing(existing), Vec::new()))
            }
        }
    }

    pub(super) async fn append_copies_sql(
        &self,
        origin_user_id: i64,
        origin_message_id: i32,
        copies: Vec<(i64, NewBoxMessage)>,
        encoder: &dyn UpdateEncoder,
    ) -> StorageResult<Vec<BoxMessage>> {
        if copies.is_empty() {
            return Ok(Vec::new());
        }
        let origin = Some((origin_user_id, origin_message_id));
        let done = retry_busy(|| self.try_append_batch(None, origin, &copies, encoder)).await?;
        done.map(|(_, rows)| rows)
            .ok_or_else(|| StorageError::Database("copies without an own row".to_owned()))
    }
}
