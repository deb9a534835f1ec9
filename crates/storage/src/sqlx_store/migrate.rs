//! Versioned schema migrations for the sqlx store.
//!
//! The SQL lives in the top-level `sql/<dialect>/NNNN_name.sql` files and is embedded at
//! build time. Applied versions are recorded in `schema_migrations`, so running the
//! migrations again (every `Storage::connect` does) is a no-op. SQLite applies each
//! migration in one transaction; MySQL commits DDL implicitly, so there a migration that
//! fails halfway needs a manual look, and a named lock keeps two servers starting at once
//! from both applying it.

use sqlx::AnyPool;
use sqlx::Row;

use super::dialect::Dialect;
use crate::error::{StorageError, StorageResult};

/// One schema step in both dialects.
struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    mysql: &'static str,
}

/// Every migration, in order. Append only: never edit one that has shipped.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sqlite: include_str!("../../../../sql/sqlite/0001_init.sql"),
        mysql: include_str!("../../../../sql/mysql/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "updates",
        sqlite: include_str!("../../../../sql/sqlite/0002_updates.sql"),
        mysql: include_str!("../../../../sql/mysql/0002_updates.sql"),
    },
    Migration {
        version: 3,
        name: "contacts",
        sqlite: include_str!("../../../../sql/sqlite/0003_contacts.sql"),
        mysql: include_str!("../../../../sql/mysql/0003_contacts.sql"),
    },
    Migration {
        version: 4,
        name: "admin",
        sqlite: include_str!("../../../../sql/sqlite/0004_admin.sql"),
        mysql: include_str!("../../../../sql/mysql/0004_admin.sql"),
    },
    Migration {
        version: 5,
        name: "chats",
        sqlite: include_str!("../../../../sql/sqlite/0005_chats.sql"),
        mysql: include_str!("../../../../sql/mysql/0005_chats.sql"),
    },
    Migration {
        version: 6,
        name: "security",
        sqlite: include_str!("../../../../sql/sqlite/0006_security.sql"),
        mysql: include_str!("../../../../sql/mysql/0006_security.sql"),
    },
    Migration {
        version: 7,
        name: "flood",
        sqlite: include_str!("../../../../sql/sqlite/0007_flood.sql"),
        mysql: include_str!("../../../../sql/mysql/0007_flood.sql"),
    },
    Migration {
        version: 8,
        name: "media",
        sqlite: include_str!("../../../../sql/sqlite/0008_media.sql"),
        mysql: include_str!("../../../../sql/mysql/0008_media.sql"),
    },
    Migration {
        version: 9,
        name: "channels",
        sqlite: include_str!("../../../../sql/sqlite/0009_channels.sql"),
        mysql: include_str!("../../../../sql/mysql/0009_channels.sql"),
    },
    Migration {
        version: 10,
        name: "grouped_id",
        sqlite: include_str!("../../../../sql/sqlite/0010_grouped_id.sql"),
        mysql: include_str!("../../../../sql/mysql/0010_grouped_id.sql"),
    },
    Migration {
        version: 12,
        name: "channel_public",
        sqlite: include_str!("../../../../sql/sqlite/0012_channel_public.sql"),
        mysql: include_str!("../../../../sql/mysql/0012_channel_public.sql"),
    },
    Migration {
        version: 13,
        name: "channel_views",
        sqlite: include_str!("../../../../sql/sqlite/0013_channel_views.sql"),
        mysql: include_str!("../../../../sql/mysql/0013_channel_views.sql"),
    },
    Migration {
        version: 14,
        name: "channel_photo",
        sqlite: include_str!("../../../../sql/sqlite/0014_channel_photo.sql"),
        mysql: include_str!("../../../../sql/mysql/0014_channel_photo.sql"),
    },
    Migration {
        version: 15,
        name: "chat_migration",
        sqlite: include_str!("../../../../sql/sqlite/0015_chat_migration.sql"),
        mysql: include_str!("../../../../sql/mysql/0015_chat_migration.sql"),
    },
    Migration {
        version: 16,
        name: "invite_importers",
        sqlite: include_str!("../../../../sql/sqlite/0016_invite_importers.sql"),
        mysql: include_str!("../../../../sql/mysql/0016_invite_importers.sql"),
    },
];

/// The same text is valid in both dialects.
const CREATE_MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (\
     version BIGINT NOT NULL PRIMARY KEY, \
     name VARCHAR(255) NOT NULL, \
     applied_at BIGINT NOT NULL)";

const MYSQL_LOCK: &str = "SELECT GET_LOCK('echo_schema_migrations', 60)";
const MYSQL_UNLOCK: &str = "SELECT RELEASE_LOCK('echo_schema_migrations')";

/// Splits a migration file into statements: `;` at the end of a line ends one, and lines
/// starting with `--` are comments.
fn statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in script.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with("--") {
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if trimmed.ends_with(';') {
            let stmt = current.trim().trim_end_matches(';').trim().to_owned();
            if !stmt.is_empty() {
                out.push(stmt);
            }
            current.clear();
        }
    }
    let rest = current.trim();
    if !rest.is_empty() {
        out.push(rest.to_owned());
    }
    out
}

/// Applies every migration not yet recorded in `schema_migrations`; returns how many ran.
pub async fn run(pool: &AnyPool, dialect: Dialect, now: i64) -> StorageResult<usize> {
    // One connection for the whole run so the MySQL named lock is held by it.
    let mut conn = pool.acquire().await?;
    if dialect == Dialect::MySql {
        sqlx::query(MYSQL_LOCK).execute(&mut *conn).await?;
    }
    let result = apply_pending(&mut conn, dialect, now).await;
    if dialect == Dialect::MySql {
        if let Err(err) = sqlx::query(MYSQL_UNLOCK).execute(&mut *conn).await {
            tracing::warn!(%err, "releasing the migration lock failed");
        }
    }
    result
}

async fn apply_pending(
    conn: &mut sqlx::AnyConnection,
    dialect: Dialect,
    now: i64,
) -> StorageResult<usize> {
    sqlx::query(CREATE_MIGRATIONS_TABLE)
        .execute(&mut *conn)
        .await?;
    let rows = sqlx::query("SELECT version FROM schema_migrations")
        .fetch_all(&mut *conn)
        .await?;
    let mut applied = Vec::with_capacity(rows.len());
    for row in &rows {
        applied.push(row.try_get::<i64, _>(0)?);
    }

    let mut count = 0;
    for migration in MIGRATIONS {
        if applied.contains(&migration.version) {
            continue;
        }
        let script = match dialect {
            Dialect::Sqlite => migration.sqlite,
            Dialect::MySql => migration.mysql,
        };
        let failed = |reason: String| StorageError::Migration {
            version: migration.version,
            name: migration.name,
            reason,
        };
        // SQLite DDL is transactional; MySQL commits around each CREATE anyway.
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        for stmt in statements(script) {
            sqlx::query(&stmt)
                .execute(&mut *tx)
                .await
                .map_err(|e| failed(format!("{e} in: {stmt}")))?;
        }
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| failed(e.to_string()))?;
        tx.commit().await.map_err(|e| failed(e.to_string()))?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            dialect = dialect.name(),
            "applied migration"
        );
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_statements_and_skips_comments() {
        let script = "-- head\nCREATE TABLE a (\n  x INT -- inline stays\n);\n\n-- c\nCREATE INDEX i ON a (x);\nINSERT INTO a VALUES (1)";
        let got = statements(script);
        assert_eq!(got.len(), 3);
        assert!(got[0].starts_with("CREATE TABLE a ("));
        assert!(got[0].ends_with(')'));
        assert_eq!(got[1], "CREATE INDEX i ON a (x)");
        assert_eq!(got[2], "INSERT INTO a VALUES (1)");
    }

    #[test]
    fn embedded_migrations_split_alike() {
        for m in MIGRATIONS {
            let sqlite = statements(m.sqlite);
            let mysql = statements(m.mysql);
            let creates = |v: &[String]| v.iter().filter(|s| s.starts_with("CREATE TABLE")).count();
            assert_eq!(creates(&sqlite), creates(&mysql), "migration {}", m.version);
            assert!(!sqlite.is_empty());
        }
    }

    #[test]
    fn versions_are_increasing() {
        for pair in MIGRATIONS.windows(2) {
            assert!(pair[0].version < pair[1].version);
        }
    }
}
