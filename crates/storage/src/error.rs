//! Errors of the storage layer.
//!
//! One enum for every backend, so callers (the BFF, authsession) can map `NotFound` and
//! `Conflict` to the RPC errors of core.telegram.org/api/errors without knowing which
//! database sits underneath.

/// What went wrong in a storage call.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The row the call needs (a user, a message, an auth key ...) does not exist.
    #[error("not found")]
    NotFound,
    /// A unique key is already taken (a phone number, a username, an auth key id ...).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The caller passed a value the storage refuses (wrong key length, empty phone ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The URL given to `Storage::connect` names no supported backend or is malformed.
    #[error("bad database url: {0}")]
    BadUrl(String),
    /// Applying a schema migration failed.
    #[error("migration {version} ({name}) failed: {reason}")]
    Migration {
        version: i64,
        name: &'static str,
        reason: String,
    },
    /// Transient contention (a MySQL deadlock, SQLite still busy after its timeout): the
    /// transaction was rolled back and trying again may succeed.
    #[error("busy: {0}")]
    Busy(String),
    /// Any other database failure (connection lost, pool closed, type mismatch ...).
    #[error("database error: {0}")]
    Database(String),
}

/// Result of every storage call.
pub type StorageResult<T> = Result<T, StorageError>;

impl From<sqlx::Error> for StorageError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => StorageError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StorageError::Conflict(db.message().to_owned())
            }
            sqlx::Error::Database(db) if is_contention(db.code().as_deref()) => {
                StorageError::Busy(db.message().to_owned())
            }
            other => StorageError::Database(other.to_string()),
        }
    }
}

/// SQLSTATE 40001 is MySQL's deadlock/serialization failure; 5, 261, 517 and 773 are
/// SQLite's SQLITE_BUSY and its extended codes, 6 is SQLITE_LOCKED.
fn is_contention(code: Option<&str>) -> bool {
    matches!(code, Some("40001" | "5" | "6" | "261" | "517" | "773"))
}

#[cfg(test)]
mod tests {
    use super::is_contention;

    #[test]
    fn contention_codes() {
        assert!(is_contention(Some("40001")));
        assert!(is_contention(Some("5")));
        assert!(is_contention(Some("517")));
        assert!(!is_contention(Some("23000")));
        assert!(!is_contention(Some("2067")));
        assert!(!is_contention(None));
    }
}
