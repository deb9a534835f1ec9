//! Auth keys, authorizations and login codes on SQL (core.telegram.org/mtproto/auth_key,
//! core.telegram.org/api/pfs, core.telegram.org/api/auth).

use async_trait::async_trait;
use sqlx::any::AnyRow;

use super::rows::{bytes_col, i32_col, i64_col, opt_i64_col, text_col};
use super::SqlStore;
use crate::error::{StorageError, StorageResult};
use crate::traits::{AuthKeyStore, AuthorizationStore, PhoneCodeStore};
use crate::types::{
    AuthKeyKind, AuthKeyRecord, AuthorizationRecord, ClientInfo, PhoneCodeRecord, AUTH_KEY_LEN,
};

const AUTH_KEY_COLUMNS: &str =
    "auth_key_id, auth_key, kind, expires_at, perm_auth_key_id, created_at";

const AUTHORIZATION_COLUMNS: &str = "auth_key_id, user_id, hash, layer, api_id, device_model, \
     system_version, app_version, system_lang_code, lang_pack, lang_code, ip, created_at, active_at";

/// The initConnection fields `upsert_client` refreshes.
const CLIENT_FIELDS: [&str; 9] = [
    "layer",
    "api_id",
    "device_model",
    "system_version",
    "app_version",
    "system_lang_code",
    "lang_pack",
    "lang_code",
    "ip",
];

const PHONE_CODE_COLUMNS: &str =
    "phone_code_hash, phone, code, created_at, expires_at, attempts, verified";

fn auth_key_from_row(row: &AnyRow) -> StorageResult<AuthKeyRecord> {
    let code = i32_col(row, "kind")?;
    let kind = AuthKeyKind::from_code(code)
        .ok_or_else(|| StorageError::Database(format!("unknown auth key kind {code}")))?;
    Ok(AuthKeyRecord {
        auth_key_id: i64_col(row, "auth_key_id")?,
        auth_key: bytes_col(row, "auth_key")?,
        kind,
        expires_at: opt_i64_col(row, "expires_at")?,
        perm_auth_key_id: opt_i64_col(row, "perm_auth_key_id")?,
        created_at: i64_col(row, "created_at")?,
    })
}

fn authorization_from_row(row: &AnyRow) -> StorageResult<AuthorizationRecord> {
    Ok(AuthorizationRecord {
        auth_key_id: i64_col(row, "auth_key_id")?,
        user_id: opt_i64_col(row, "user_id")?,
        hash: i64_col(row, "hash")?,
        layer: i32_col(row, "layer")?,
        api_id: i32_col(row, "api_id")?,
        device_model: text_col(row, "device_model")?,
        system_version: text_col(row, "system_version")?,
        app_version: text_col(row, "app_version")?,
        system_lang_code: text_col(row, "system_lang_code")?,
        lang_pack: text_col(row, "lang_pack")?,
        lang_code: text_col(row, "lang_code")?,
        ip: text_col(row, "ip")?,
        created_at: i64_col(row, "created_at")?,
        active_at: i64_col(row, "active_at")?,
    })
}

pub(super) fn phone_code_from_row(row: &AnyRow) -> StorageResult<PhoneCodeRecord> {
    Ok(PhoneCodeRecord {
        phone_code_hash: text_col(row, "phone_code_hash")?,
        phone: text_col(row, "phone")?,
        code: text_col(row, "code")?,
        created_at: i64_col(row, "created_at")?,
        expires_at: i64_col(row, "expires_at")?,
        attempts: i32_col(row, "attempts")?,
        verified: i32_col(row, "verified")? != 0,
    })
}

/// A random non-zero authorization hash (0 means "the current session" in
/// account.resetAuthorization, so it must never be a real one).
fn new_authorization_hash() -> i64 {
    loop {
        let hash: i64 = rand::random();
        if hash != 0 {
            return hash;
        }
    }
}

#[async_trait]
impl AuthKeyStore for SqlStore {
    async fn put(&self, key: AuthKeyRecord) -> StorageResult<()> {
        if key.auth_key.len() != AUTH_KEY_LEN {
            return Err(StorageError::InvalidArgument(format!(
                "auth key must be {AUTH_KEY_LEN} bytes, got {}",
                key.auth_key.len()
            )));
        }
        sqlx::query(&format!(
            "INSERT INTO auth_keys ({AUTH_KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
        ))
        .bind(key.auth_key_id)
        .bind(key.auth_key)
        .bind(key.kind.code())
        .bind(key.expires_at)
        .bind(key.perm_auth_key_id)
        .bind(key.created_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn get(&self, auth_key_id: i64) -> StorageResult<Option<AuthKeyRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {AUTH_KEY_COLUMNS} FROM auth_keys WHERE auth_key_id = ?"
        ))
        .bind(auth_key_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(auth_key_from_row).transpose()
    }

    async fn bind_temp(
        &self,
        temp_auth_key_id: i64,
        perm_auth_key_id: i64,
        expires_at: i64,
    ) -> StorageResult<()> {
        let perm = sqlx::query("SELECT kind FROM auth_keys WHERE auth_key_id = ? AND kind = ?")
            .bind(perm_auth_key_id)
            .bind(AuthKeyKind::Perm.code())
            .fetch_optional(&self.pool)
            .await?;
        if perm.is_none() {
            return Err(StorageError::NotFound);
        }
        let done = sqlx::query(
            "UPDATE auth_keys SET perm_auth_key_id = ?, expires_at = ? \
             WHERE auth_key_id = ? AND kind <> ?",
        )
        .bind(perm_auth_key_id)
        .bind(expires_at)
        .bind(temp_auth_key_id)
        .bind(AuthKeyKind::Perm.code())
        .execute(&self.writer)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }

    async fn delete(&self, auth_key_id: i64) -> StorageResult<bool> {
        let done = sqlx::query("DELETE FROM auth_keys WHERE auth_key_id = ?")
            .bind(auth_key_id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

#[async_trait]
impl AuthorizationStore for SqlStore {
    async fn upsert_client(&self, client: ClientInfo) -> StorageResult<()> {
        let columns: Vec<&str> = AUTHORIZATION_COLUMNS.split(", ").collect();
        let mut update = CLIENT_FIELDS.to_vec();
        update.push("active_at");
        let sql = self
            .dialect
            .upsert("authorizations", &columns, &["auth_key_id"], &update);
        sqlx::query(&sql)
            .bind(client.auth_key_id)
            .bind(None::<i64>)
            .bind(new_authorization_hash())
            .bind(client.layer)
            .bind(client.api_id)
            .bind(client.device_model)
            .bind(client.system_version)
            .bind(client.app_version)
            .bind(client.system_lang_code)
            .bind(client.lang_pack)
            .bind(client.lang_code)
            .bind(client.ip)
            .bind(client.now)
            .bind(client.now)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn bind_user(&self, auth_key_id: i64, user_id: i64, now: i64) -> StorageResult<()> {
        let columns: Vec<&str> = AUTHORIZATION_COLUMNS.split(", ").collect();
        let update = ["user_id", "created_at", "active_at"];
        let sql = self
            .dialect
            .upsert("authorizations", &columns, &["auth_key_id"], &update);
        let empty = String::new;
        sqlx::query(&sql)
            .bind(auth_key_id)
            .bind(user_id)
            .bind(new_authorization_hash())
            .bind(0_i32)
            .bind(0_i32)
            .bind(empty())
            .bind(empty())
            .bind(empty())
            .bind(empty())
            .bind(empty())
            .bind(empty())
            .bind(empty())
            .bind(now)
            .bind(now)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn get(&self, auth_key_id: i64) -> StorageResult<Option<AuthorizationRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {AUTHORIZATION_COLUMNS} FROM authorizations WHERE auth_key_id = ?"
        ))
        .bind(auth_key_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(authorization_from_row).transpose()
    }

    async fn unbind(&self, auth_key_id: i64) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE authorizations SET user_id = NULL \
             WHERE auth_key_id = ? AND user_id IS NOT NULL",
        )
        .bind(auth_key_id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete(&self, auth_key_id: i64) -> StorageResult<bool> {
        let done = sqlx::query("DELETE FROM authorizations WHERE auth_key_id = ?")
            .bind(auth_key_id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn list_for_user(&self, user_id: i64) -> StorageResult<Vec<AuthorizationRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {AUTHORIZATION_COLUMNS} FROM authorizations WHERE user_id = ? \
             ORDER BY active_at DESC, auth_key_id"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(authorization_from_row).collect()
    }
}

#[async_trait]
impl PhoneCodeStore for SqlStore {
    async fn put(&self, code: PhoneCodeRecord) -> StorageResult<()> {
        sqlx::query(&format!(
            "INSERT INTO phone_codes ({PHONE_CODE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(code.phone_code_hash)
        .bind(code.phone)
        .bind(code.code)
        .bind(code.created_at)
        .bind(code.expires_at)
        .bind(code.attempts)
        .bind(i32::from(code.verified))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn get(&self, phone_code_hash: &str) -> StorageResult<Option<PhoneCodeRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {PHONE_CODE_COLUMNS} FROM phone_codes WHERE phone_code_hash = ?"
        ))
        .bind(phone_code_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(phone_code_from_row).transpose()
    }

    async fn record_attempt(&self, phone_code_hash: &str) -> StorageResult<i32> {
        let mut tx = self.writer.begin().await?;
        let done =
            sqlx::query("UPDATE phone_codes SET attempts = attempts + 1 WHERE phone_code_hash = ?")
                .bind(phone_code_hash)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        let row = sqlx::query("SELECT attempts FROM phone_codes WHERE phone_code_hash = ?")
            .bind(phone_code_hash)
            .fetch_one(&mut *tx)
            .await?;
        let attempts = i32_col(&row, "attempts")?;
        tx.commit().await?;
        Ok(attempts)
    }

    async fn mark_verified(&self, phone_code_hash: &str) -> StorageResult<bool> {
        let done = sqlx::query("UPDATE phone_codes SET verified = 1 WHERE phone_code_hash = ?")
            .bind(phone_code_hash)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete(&self, phone_code_hash: &str) -> StorageResult<bool> {
        let done = sqlx::query("DELETE FROM phone_codes WHERE phone_code_hash = ?")
            .bind(phone_code_hash)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn count_since(&self, phone: &str, since: i64) -> StorageResult<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM phone_codes WHERE phone = ? AND created_at >= ?",
        )
        .bind(phone)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        i64_col(&row, "n")
    }
}
