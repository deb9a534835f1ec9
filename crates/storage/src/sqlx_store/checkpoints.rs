//! WAL checkpoints of a SQLite file on their own connection (sqlite.org/wal.html#ckpt).
//!
//! Why: by default the connection that commits past `wal_autocheckpoint` pages copies the
//! WAL back into the database and fsyncs both, inside its commit. On a SQLite file every
//! write goes through one connection, so that work (15% of the writer thread's time in a
//! profile of private sends) stalled every queued send. A PASSIVE checkpoint on a separate
//! connection runs beside the writer instead (it takes no write lock), on the other core.

use std::time::Duration;

use sqlx::AnyPool;

/// How often the WAL is checkpointed while the server writes.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// Starts the checkpoint task on `checkpointer` (a pool of one connection); it stops when
/// `writer` is closed.
pub(super) fn start(checkpointer: AnyPool, writer: AnyPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if writer.is_closed() {
                break;
            }
            // PASSIVE: copies what no reader still needs, never waits for a lock. Cheap
            // when the WAL was already copied back.
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&checkpointer)
                .await
            {
                tracing::debug!(error = %e, "WAL checkpoint failed");
            }
        }
        checkpointer.close().await;
    });
}
