//! The sqlx implementation of every storage trait, on sqlx's `Any` driver so that one body
//! of code serves SQLite and MySQL/MariaDB.
//!
//! `Any` constrains the schema (see `rows`): integers are BIGINT/INT, flags are 0/1
//! integers, binary data is BLOB. Where the dialects disagree (upserts) `dialect` builds
//! the statement; everything else is shared SQL with `?` placeholders.
//!
//! Write transactions always start with a write statement: on SQLite a transaction that
//! reads first and writes later can fail with SQLITE_BUSY when another connection wrote in
//! between, which `busy_timeout` does not retry; writing first takes the lock up front.
//!
//! Writes go through `writer`, reads through `pool`. On a SQLite file `writer` is a pool of
//! ONE connection: SQLite admits one writer at a time anyway, and letting several pooled
//! connections race for its lock makes the losers sleep in SQLite's busy handler (1, 2, 5,
//! 10 ... ms), which was most of the write latency under load. One connection queues the
//! writers in sqlx's fair acquire queue instead. On MySQL both are the same pool.

mod admin;
mod auth;
mod batch_appends;
mod box_statements;
mod box_writes;
mod channel_messages;
mod channel_moderation;
mod channel_public;
mod channels;
mod chat_migration;
mod chats;
mod checkpoints;
mod contacts;
mod dialect;
mod dialogs;
mod drafts;
mod group_commit;
mod hot_cache;
mod logged_writes;
mod media;
mod messages;
mod migrate;
mod privacy;
mod rows;
mod security;
mod updates_log;
mod users;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use sqlx::Executor;

pub use dialect::Dialect;

use crate::error::{StorageError, StorageResult};
use crate::traits::StorageLifecycle;

/// How long SQLite waits for a competing writer before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;
/// Pool size for a SQLite file: WAL lets readers run beside the one writer.
const SQLITE_POOL: u32 = 4;
/// Pool size for MySQL/MariaDB.
const MYSQL_POOL: u32 = 16;
/// How long a caller waits for a free pooled connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection pool plus the dialect it speaks; implements every storage trait.
#[derive(Debug, Clone)]
pub struct SqlStore {
    /// Reads (and everything on MySQL).
    pool: AnyPool,
    /// Writes: one connection on a SQLite file, `pool` otherwise.
    writer: AnyPool,
    dialect: Dialect,
    /// Private sends on a SQLite file go through one writer task (see `group_commit`).
    group_commit: Option<Arc<group_commit::GroupCommit>>,
    /// Caches of the rows every send reads; SQLite only (see `hot_cache`).
    hot: Option<Arc<hot_cache::HotCache>>,
}

impl SqlStore {
    /// Opens a pool for `url` (`sqlite://PATH?mode=rwc`, `sqlite::memory:`,
    /// `mysql://user:pass@host:port/db`) and applies pending migrations.
    pub async fn connect(url: &str) -> StorageResult<SqlStore> {
        // Idempotent; registers the SQLite and MySQL drivers with `Any`.
        sqlx::any::install_default_drivers();
        let dialect = Dialect::from_url(url)?;
        let options = match dialect {
            Dialect::Sqlite if is_sqlite_memory(url) => {
                // Every connection to `:memory:` is a separate database: keep exactly one,
                // forever, or the data vanishes.
                AnyPoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
            }
            Dialect::Sqlite => AnyPoolOptions::new().max_connections(SQLITE_POOL),
            Dialect::MySql => AnyPoolOptions::new().max_connections(MYSQL_POOL),
        }
        .acquire_timeout(ACQUIRE_TIMEOUT);
        let separate_writer = dialect == Dialect::Sqlite && !is_sqlite_memory(url);
        let options = if dialect == Dialect::Sqlite {
            options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL: readers do not block the writer; foreign keys are off by default
                    // in SQLite; busy_timeout makes writers queue instead of failing.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    // Statement journals and sorts in memory: on disk each multi-row write
                    // opened, unlinked and closed a temporary file (perf: 3% of the send path).
                    conn.execute("PRAGMA temp_store = MEMORY").await?;
                    // A larger page cache per connection (8 MiB instead of 2): fewer page reads
                    // per statement once the database outgrows the default.
                    conn.execute("PRAGMA cache_size = -8192").await?;
                    // A SQLite file is checkpointed by its own task (see `checkpoints`), off
                    // the writer's thread; the writer checkpoints itself only if that task
                    // falls behind by ~80 MiB of WAL.
                    conn.execute("PRAGMA wal_autocheckpoint = 20000").await?;
                    conn.execute(
                        format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}").as_str(),
                    )
                    .await?;
                    Ok(())
                })
            })
        } else {
            // sqlx's MySQL driver already sets NAMES utf8mb4 and a UTC time zone.
            options
        };
        if dialect == Dialect::MySql {
            // A fresh server has no database yet; create it so `echod run` needs no manual step.
            use sqlx::migrate::MigrateDatabase;
            if !sqlx::Any::database_exists(url).await? {
                sqlx::Any::create_database(url).await?;
            }
        }
        let writer = if separate_writer {
            // Same settings (WAL, busy_timeout for other processes), one connection.
            options.clone().max_connections(1).connect(url).await?
        } else {
            options.clone().connect(url).await?
        };
        let pool = if separate_writer {
            options.clone().connect(url).await?
        } else {
            writer.clone()
        };
        let mut store = SqlStore {
            pool,
            writer,
            dialect,
            group_commit: None,
            hot: (dialect == Dialect::Sqlite).then(Default::default),
        };
        migrate::run(&store.writer, dialect, unix_now()).await?;
        if separate_writer {
            // The task's own copy has no group commit, so it writes directly.
            store.group_commit = Some(Arc::new(group_commit::GroupCommit::start(store.clone())));
            let checkpointer = options.max_connections(1).connect(url).await?;
            checkpoints::start(checkpointer, store.writer.clone());
        }
        Ok(store)
    }

    /// Which dialect this store speaks.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }
}

#[async_trait]
impl StorageLifecycle for SqlStore {
    async fn ping(&self) -> StorageResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

/// How often a transaction that hit contention (`StorageError::Busy`) is tried in all.
const BUSY_ATTEMPTS: u32 = 3;

/// Runs a whole transaction again when the database rolled it back for contention
/// (a MySQL deadlock between two writers of one box, SQLite busy past its timeout).
async fn retry_busy<T, F, Fut>(mut transaction: F) -> StorageResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = StorageResult<T>>,
{
    let mut attempt = 1;
    loop {
        match transaction().await {
            Err(StorageError::Busy(reason)) if attempt < BUSY_ATTEMPTS => {
                tracing::debug!(%reason, attempt, "retrying transaction after contention");
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn is_sqlite_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// Wall-clock seconds, only for bookkeeping (`schema_migrations.applied_at`).
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
