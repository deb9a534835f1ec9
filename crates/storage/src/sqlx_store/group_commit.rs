//! Group commit of private sends on a SQLite file (core.telegram.org/method/messages.sendMessage,
//! /api/updates): concurrent `append_with_copies` calls are queued to one writer task, which
//! writes every send waiting in the queue in ONE transaction with one multi-row statement per
//! table, sent to SQLite in two multi-statement strings, then answers each caller.
//!
//! Why: SQLite has one writer anyway, and every statement is a round trip to sqlx's SQLite
//! worker thread (two thread wake-ups); under load those hand-offs, not SQLite, bounded the
//! send path. A batch of K sends costs the round trips of one.
//!
//! Durability is unchanged: a caller is answered only after the transaction holding its
//! send committed. Each box gets what a lone append gives it (ids and pts in queue order, the
//! row, its link, its dialog, its log entry). If the batch fails as a whole (a repeated
//! random_id hits the unique key, contention, a bad argument), every send in it is written
//! again on its own, so each caller gets the outcome a lone call would have had.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use sqlx::pool::PoolConnection;
use sqlx::{Any, QueryBuilder};

use super::box_statements::{
    push_bump_sqlite, push_insert_links, push_insert_messages, push_log_new_messages,
    push_touch_dialogs_sqlite,
};
use super::box_writes::{new_row, Counters, ROWS_PER_INSERT};
use super::rows::{i32_col, i64_col};
use super::SqlStore;
use crate::error::{StorageError, StorageResult};
use crate::types::{AppendOutcome, BoxMessage, NewBoxMessage};
use crate::updates_log::{BoxChange, MessageOrigin, UpdateEncoder};

/// Most sends one transaction takes (bounds the statements' sizes and a batch's latency).
const MAX_SENDS_PER_COMMIT: usize = 64;

type SendResult = StorageResult<(AppendOutcome, Vec<BoxMessage>)>;

/// One queued `append_with_copies`.
struct QueuedSend {
    user_id: i64,
    message: NewBoxMessage,
    copies: Vec<(i64, NewBoxMessage)>,
    encoder: Arc<dyn UpdateEncoder>,
    answer: oneshot::Sender<SendResult>,
}

/// The queue to the writer task.
#[derive(Debug)]
pub(super) struct GroupCommit {
    queue: mpsc::UnboundedSender<QueuedSend>,
}

impl GroupCommit {
    /// Starts the writer task on `store`, which must not itself use group commit.
    pub(super) fn start(store: SqlStore) -> Self {
        let (queue, sends) = mpsc::unbounded_channel();
        tokio::spawn(writer_task(store, sends));
        Self { queue }
    }

    pub(super) async fn append_with_copies(
        &self,
        user_id: i64,
        message: NewBoxMessage,
        copies: Vec<(i64, NewBoxMessage)>,
        encoder: Arc<dyn UpdateEncoder>,
    ) -> SendResult {
        let (answer, answered) = oneshot::channel();
        let send = QueuedSend {
            user_id,
            message,
            copies,
            encoder,
            answer,
        };
        self.queue
            .send(send)
            .map_err(|_| StorageError::Database("the SQLite writer task stopped".to_owned()))?;
        answered.await.map_err(|_| {
            StorageError::Database("the SQLite writer task dropped a send".to_owned())
        })?
    }
}

/// Takes whatever is queued (at least one send), writes it, answers, repeats.
async fn writer_task(store: SqlStore, mut sends: mpsc::UnboundedReceiver<QueuedSend>) {
    while let Some(first) = sends.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_SENDS_PER_COMMIT {
            match sends.try_recv() {
                Ok(send) => batch.push(send),
                Err(_) => break,
            }
        }
        tracing::trace!(sends = batch.len(), "group commit");
        // Even a lone send: the group's path is two hand-offs to SQLite's worker thread.
        match store.try_commit_group(&batch).await {
            Ok(results) => {
                for (send, result) in batch.into_iter().zip(results) {
                    // A caller that went away does not need its answer.
                    let _ = send.answer.send(Ok(result));
                }
                continue;
            }
            Err(e) => {
                tracing::debug!(error = %e, sends = batch.len(), "group commit failed; writing the sends one by one");
            }
        }
        for send in batch {
            let result = store
                .append_with_copies_sql(send.user_id, send.message, send.copies, &*send.encoder)
                .await;
            let _ = send.answer.send(result);
        }
    }
}

impl SqlStore {
    /// Every send of `batch` in one transaction; the transaction is rolled back on any error.
    async fn try_commit_group(
        &self,
        batch: &[QueuedSend],
    ) -> StorageResult<Vec<(AppendOutcome, Vec<BoxMessage>)>> {
        // Rows per box and the newest date, for the counters.
        let mut per_box: BTreeMap<i64, (i32, i64)> = BTreeMap::new();
        for send in batch {
            let mut users: Vec<i64> = send.copies.iter().map(|(u, _)| *u).collect();
            users.push(send.user_id);
            users.sort_unstable();
            users.dedup();
            if users.len() != send.copies.len() + 1 {
                return Err(StorageError::InvalidArgument(
                    "one copy per box in a batch append".to_owned(),
                ));
            }
            for user_id in users {
                let entry = per_box.entry(user_id).or_insert((0, 0));
                entry.0 += 1;
                entry.1 = entry.1.max(send.message.date);
            }
        }
        let mut conn = self.writer.acquire().await?;
        let written = self.write_group(&mut conn, batch, &per_box).await;
        if written.is_err() {
            // The transaction was opened by hand: close it by hand, or the connection goes
            // back to the pool inside it. (An error from COMMIT itself also lands here.)
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        }
        let rows = written?;
        let mut rows = rows.into_iter();
        let mut results = Vec::with_capacity(batch.len());
        for send in batch {
            let own = rows
                .next()
                .ok_or_else(|| StorageError::Database("group commit lost a row".to_owned()))?;
            let copies: Vec<BoxMessage> = rows.by_ref().take(send.copies.len()).collect();
            results.push((AppendOutcome::Created(own), copies));
        }
        Ok(results)
    }
}

impl SqlStore {
    /// The group's transaction in two hand-offs to the SQLite worker: `BEGIN` with the
    /// counters' bump (whose RETURNING numbers the rows), then every insert and `COMMIT`.
    /// Returns the rows in batch order (each send's own row, then its copies).
    async fn write_group(
        &self,
        conn: &mut PoolConnection<Any>,
        batch: &[QueuedSend],
        per_box: &BTreeMap<i64, (i32, i64)>,
    ) -> StorageResult<Vec<BoxMessage>> {
        let boxes: Vec<(i64, i32, i64)> = per_box
            .iter()
            .map(|(user_id, (rows, date))| (*user_id, *rows, *date))
            .collect();
        let mut bump = QueryBuilder::new("BEGIN IMMEDIATE");
        for chunk in boxes.chunks(ROWS_PER_INSERT) {
            bump.push("; ");
            push_bump_sqlite(&mut bump, chunk);
        }
        // The first id and pts each box hands out in this batch.
        let mut next: BTreeMap<i64, (i32, i32)> = BTreeMap::new();
        for row in bump.build().fetch_all(&mut **conn).await? {
            let user_id = i64_col(&row, "user_id")?;
            let count = per_box.get(&user_id).map_or(0, |(count, _)| *count);
            next.insert(
                user_id,
                (
                    i32_col(&row, "last_message_id")? - count + 1,
                    i32_col(&row, "pts")? - count + 1,
                ),
            );
        }
        let mut take = |user_id: i64| -> StorageResult<Counters> {
            let slot = next.get_mut(&user_id).ok_or_else(|| {
                StorageError::Database("group commit counters missing".to_owned())
            })?;
            let numbers = Counters {
                last_message_id: slot.0,
                pts: slot.1,
            };
            *slot = (slot.0 + 1, slot.1 + 1);
            Ok(numbers)
        };
        let mut rows = Vec::new();
        let mut origins = Vec::new();
        let mut bodies = Vec::new();
        for send in batch {
            let own = new_row(send.user_id, send.message.clone(), &take(send.user_id)?);
            let link = MessageOrigin::CopyOf {
                user_id: own.user_id,
                message_id: own.id,
            };
            bodies.push(send.encoder.encode(&BoxChange::NewMessage(&own)));
            rows.push(own);
            origins.push(MessageOrigin::Own);
            for (user_id, copy) in &send.copies {
                let row = new_row(*user_id, copy.clone(), &take(*user_id)?);
                bodies.push(send.encoder.encode(&BoxChange::NewMessage(&row)));
                rows.push(row);
                origins.push(link);
            }
        }
        let mut bodies = bodies.into_iter();
        let mut writes = QueryBuilder::new("");
        for (chunk, chunk_origins) in rows
            .chunks(ROWS_PER_INSERT)
            .zip(origins.chunks(ROWS_PER_INSERT))
        {
            push_insert_messages(&mut writes, chunk);
            writes.push("; ");
            push_insert_links(&mut writes, chunk, chunk_origins);
            writes.push("; ");
            push_touch_dialogs_sqlite(&mut writes, chunk);
            writes.push("; ");
            push_log_new_messages(&mut writes, chunk, &mut bodies);
            writes.push("; ");
        }
        writes.push("COMMIT");
        writes.build().execute(&mut **conn).await?;
        Ok(rows)
    }
}
