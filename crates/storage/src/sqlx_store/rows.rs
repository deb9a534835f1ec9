//! Decoding helpers for rows of sqlx's `Any` driver.
//!
//! `Any` only knows a few value kinds, and the backends map their columns differently:
//! MySQL reports TEXT columns as blobs, SQLite may hand back a NULL for an empty blob, and
//! flags are stored as 0/1 integers because MySQL's TINYINT is not supported by `Any`.
//! These helpers hide that so the query code reads the same for both backends.

use sqlx::any::AnyRow;
use sqlx::{Row, ValueRef};

use crate::error::{StorageError, StorageResult};
use crate::types::Peer;

pub fn i64_col(row: &AnyRow, col: &str) -> StorageResult<i64> {
    Ok(row.try_get::<i64, _>(col)?)
}

pub fn opt_i64_col(row: &AnyRow, col: &str) -> StorageResult<Option<i64>> {
    Ok(row.try_get::<Option<i64>, _>(col)?)
}

/// An `int` column; out-of-range values are a database error, not a panic.
pub fn i32_col(row: &AnyRow, col: &str) -> StorageResult<i32> {
    Ok(row.try_get::<i32, _>(col)?)
}

pub fn opt_i32_col(row: &AnyRow, col: &str) -> StorageResult<Option<i32>> {
    Ok(row.try_get::<Option<i32>, _>(col)?)
}

/// A 0/1 flag column.
pub fn bool_col(row: &AnyRow, col: &str) -> StorageResult<bool> {
    Ok(i64_col(row, col)? != 0)
}

/// A text column, whether the backend reports it as text or (MySQL TEXT) as a blob.
pub fn text_col(row: &AnyRow, col: &str) -> StorageResult<String> {
    match row.try_get::<String, _>(col) {
        Ok(text) => Ok(text),
        Err(_) => {
            let bytes = row.try_get::<Vec<u8>, _>(col)?;
            String::from_utf8(bytes)
                .map_err(|e| StorageError::Database(format!("column {col} is not UTF-8: {e}")))
        }
    }
}

pub fn opt_text_col(row: &AnyRow, col: &str) -> StorageResult<Option<String>> {
    if row.try_get_raw(col)?.is_null() {
        return Ok(None);
    }
    text_col(row, col).map(Some)
}

/// A blob column; NULL reads as empty.
pub fn bytes_col(row: &AnyRow, col: &str) -> StorageResult<Vec<u8>> {
    Ok(row.try_get::<Option<Vec<u8>>, _>(col)?.unwrap_or_default())
}

/// The `(peer_type, peer_id)` column pair.
pub fn peer_cols(row: &AnyRow) -> StorageResult<Peer> {
    let code = i32_col(row, "peer_type")?;
    let id = i64_col(row, "peer_id")?;
    Peer::from_parts(code, id)
        .ok_or_else(|| StorageError::Database(format!("unknown peer_type {code}")))
}

/// Stores a flag as 0/1.
pub fn flag(value: bool) -> i32 {
    i32::from(value)
}
