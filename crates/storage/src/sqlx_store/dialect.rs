//! The two SQL dialects the sqlx store speaks, and the statements where they differ.
//!
//! Most statements are shared verbatim (both accept `?` placeholders, `LIMIT ? OFFSET ?`,
//! `CASE`, correlated sub-queries). Only upserts differ: SQLite spells them
//! `ON CONFLICT (...) DO UPDATE SET c = excluded.c`, MySQL/MariaDB
//! `ON DUPLICATE KEY UPDATE c = VALUES(c)`; this module builds both from one description.

use crate::error::StorageError;

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    MySql,
}

impl Dialect {
    /// Picks the dialect from a `sqlite:` / `mysql:` / `mariadb:` URL.
    pub fn from_url(url: &str) -> Result<Dialect, StorageError> {
        if url.starts_with("sqlite:") {
            Ok(Dialect::Sqlite)
        } else if url.starts_with("mysql:") || url.starts_with("mariadb:") {
            Ok(Dialect::MySql)
        } else {
            Err(StorageError::BadUrl(
                "expected sqlite://PATH?mode=rwc, sqlite::memory: or mysql://user:pass@host:port/db"
                    .to_owned(),
            ))
        }
    }

    /// Short name for logs.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::MySql => "mysql",
        }
    }

    /// `INSERT INTO table (columns) VALUES (?, ...)` that, when a row with the same `keys`
    /// exists, instead sets each of `update` to the value that would have been inserted.
    /// With an empty `update` the insert is silently skipped ("insert if absent").
    pub fn upsert(self, table: &str, columns: &[&str], keys: &[&str], update: &[&str]) -> String {
        let placeholders = vec!["?"; columns.len()].join(", ");
        let mut sql = format!(
            "INSERT INTO {table} ({}) VALUES ({placeholders})",
            columns.join(", ")
        );
        match self {
            Dialect::Sqlite => {
                sql.push_str(&format!(" ON CONFLICT ({}) DO ", keys.join(", ")));
                if update.is_empty() {
                    sql.push_str("NOTHING");
                } else {
                    let sets: Vec<String> = update
                        .iter()
                        .map(|c| format!("{c} = excluded.{c}"))
                        .collect();
                    sql.push_str(&format!("UPDATE SET {}", sets.join(", ")));
                }
            }
            Dialect::MySql => {
                // MySQL has no "do nothing"; assigning a key column to itself is the idiom
                // that skips the row without hiding other errors the way INSERT IGNORE does.
                let sets: Vec<String> = if update.is_empty() {
                    keys.iter().take(1).map(|c| format!("{c} = {c}")).collect()
                } else {
                    update
                        .iter()
                        .map(|c| format!("{c} = VALUES({c})"))
                        .collect()
                };
                sql.push_str(&format!(" ON DUPLICATE KEY UPDATE {}", sets.join(", ")));
            }
        }
        sql
    }
}

/// `?, ?, ?` for an `IN (...)` list of `n` values.
pub fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialect_from_url() {
        assert_eq!(
            Dialect::from_url("sqlite::memory:").ok(),
            Some(Dialect::Sqlite)
        );
        assert_eq!(
            Dialect::from_url("sqlite://a.db?mode=rwc").ok(),
            Some(Dialect::Sqlite)
        );
        assert_eq!(
            Dialect::from_url("mysql://root@h:1/db").ok(),
            Some(Dialect::MySql)
        );
        assert_eq!(
            Dialect::from_url("mariadb://root@h/db").ok(),
            Some(Dialect::MySql)
        );
        assert!(Dialect::from_url("postgres://x").is_err());
    }

    #[test]
    fn upsert_sqlite() {
        let sql = Dialect::Sqlite.upsert("t", &["k", "a", "b"], &["k"], &["a"]);
        assert_eq!(
            sql,
            "INSERT INTO t (k, a, b) VALUES (?, ?, ?) ON CONFLICT (k) DO UPDATE SET a = excluded.a"
        );
        let sql = Dialect::Sqlite.upsert("t", &["k", "a"], &["k"], &[]);
        assert_eq!(
            sql,
            "INSERT INTO t (k, a) VALUES (?, ?) ON CONFLICT (k) DO NOTHING"
        );
    }

    #[test]
    fn upsert_mysql() {
        let sql = Dialect::MySql.upsert("t", &["k", "a", "b"], &["k"], &["a", "b"]);
        assert_eq!(
            sql,
            "INSERT INTO t (k, a, b) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE a = VALUES(a), b = VALUES(b)"
        );
        let sql = Dialect::MySql.upsert("t", &["k", "j", "a"], &["k", "j"], &[]);
        assert_eq!(
            sql,
            "INSERT INTO t (k, j, a) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE k = k"
        );
    }

    #[test]
    fn placeholder_list() {
        assert_eq!(placeholders(3), "?, ?, ?");
        assert_eq!(placeholders(1), "?");
    }
}
