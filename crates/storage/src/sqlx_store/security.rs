//! The account-security stores of `crate::security` on SQL (migrations 0006_security, 0007_flood): cloud
//! passwords and SRP challenges (core.telegram.org/api/srp), pending password logins, QR
//! login tokens (core.telegram.org/api/qr-login), flood counters and authorization TTLs.

use async_trait::async_trait;
use sqlx::any::AnyRow;

use super::rows::{bytes_col, i32_col, i64_col, opt_i64_col, opt_text_col, text_col};
use super::{Dialect, SqlStore};
use crate::error::{StorageError, StorageResult};
use crate::security::{
    AuthorizationTtlStore, FloodStore, LoginTokenRecord, LoginTokenStore, PasswordRecord,
    PasswordStore, PendingLogin, SrpChallenge,
};

const PASSWORD_COLUMNS: &str = "user_id, salt1, salt2, verifier, hint, email, updated_at";
const TOKEN_COLUMNS: &str = "token, auth_key_id, created_at, expires_at, accepted_by";

/// Lowercase hex: login tokens are keyed as text (`Any` reads VARBINARY keys as text).
fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(text: &str) -> StorageResult<Vec<u8>> {
    let bad = || StorageError::Database(format!("login token {text:?} is not hex"));
    if !text.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

fn password_from_row(row: &AnyRow) -> StorageResult<PasswordRecord> {
    Ok(PasswordRecord {
        user_id: i64_col(row, "user_id")?,
        salt1: bytes_col(row, "salt1")?,
        salt2: bytes_col(row, "salt2")?,
        verifier: bytes_col(row, "verifier")?,
        hint: text_col(row, "hint")?,
        email: opt_text_col(row, "email")?,
        updated_at: i64_col(row, "updated_at")?,
    })
}

fn token_from_row(row: &AnyRow) -> StorageResult<LoginTokenRecord> {
    Ok(LoginTokenRecord {
        token: from_hex(&text_col(row, "token")?)?,
        auth_key_id: i64_col(row, "auth_key_id")?,
        created_at: i64_col(row, "created_at")?,
        expires_at: i64_col(row, "expires_at")?,
        accepted_by: opt_i64_col(row, "accepted_by")?,
    })
}

impl SqlStore {
    async fn drop_srp_challenges(&self, user_id: i64) -> StorageResult<()> {
        sqlx::query("DELETE FROM srp_challenges WHERE user_id = ?")
            .bind(user_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl PasswordStore for SqlStore {
    async fn get_password(&self, user_id: i64) -> StorageResult<Option<PasswordRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {PASSWORD_COLUMNS} FROM account_passwords WHERE user_id = ?"
        ))
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(password_from_row).transpose()
    }

    async fn set_password(&self, password: PasswordRecord) -> StorageResult<()> {
        let columns: Vec<&str> = PASSWORD_COLUMNS.split(", ").collect();
        let sql = self
            .dialect
            .upsert("account_passwords", &columns, &["user_id"], &columns[1..]);
        let user_id = password.user_id;
        sqlx::query(&sql)
            .bind(password.user_id)
            .bind(password.salt1)
            .bind(password.salt2)
            .bind(password.verifier)
            .bind(password.hint)
            .bind(password.email)
            .bind(password.updated_at)
            .execute(&self.writer)
            .await?;
        // Challenges were computed from the old verifier: their srp_ids are stale now.
        self.drop_srp_challenges(user_id).await
    }

    async fn delete_password(&self, user_id: i64) -> StorageResult<bool> {
        let done = sqlx::query("DELETE FROM account_passwords WHERE user_id = ?")
            .bind(user_id)
            .execute(&self.writer)
            .await?;
        self.drop_srp_challenges(user_id).await?;
        Ok(done.rows_affected() > 0)
    }

    async fn put_srp_challenge(&self, challenge: SrpChallenge, now: i64) -> StorageResult<()> {
        sqlx::query("DELETE FROM srp_challenges WHERE user_id = ? AND expires_at < ?")
            .bind(challenge.user_id)
            .bind(now)
            .execute(&self.writer)
            .await?;
        sqlx::query(
            "INSERT INTO srp_challenges (srp_id, user_id, secret_b, expires_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(challenge.srp_id)
        .bind(challenge.user_id)
        .bind(challenge.secret_b)
        .bind(challenge.expires_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn take_srp_challenge(&self, srp_id: i64) -> StorageResult<Option<SrpChallenge>> {
        let row = sqlx::query(
            "SELECT srp_id, user_id, secret_b, expires_at FROM srp_challenges WHERE srp_id = ?",
        )
        .bind(srp_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        // Whoever deletes the row owns the challenge: two concurrent checks cannot both use it.
        let done = sqlx::query("DELETE FROM srp_challenges WHERE srp_id = ?")
            .bind(srp_id)
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        Ok(Some(SrpChallenge {
            srp_id: i64_col(&row, "srp_id")?,
            user_id: i64_col(&row, "user_id")?,
            secret_b: bytes_col(&row, "secret_b")?,
            expires_at: i64_col(&row, "expires_at")?,
        }))
    }

    async fn put_pending_login(&self, pending: PendingLogin) -> StorageResult<()> {
        let columns = ["auth_key_id", "user_id", "expires_at"];
        let sql = self
            .dialect
            .upsert("pending_logins", &columns, &["auth_key_id"], &columns[1..]);
        sqlx::query(&sql)
            .bind(pending.auth_key_id)
            .bind(pending.user_id)
            .bind(pending.expires_at)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn get_pending_login(&self, auth_key_id: i64) -> StorageResult<Option<PendingLogin>> {
        let row = sqlx::query(
            "SELECT auth_key_id, user_id, expires_at FROM pending_logins WHERE auth_key_id = ?",
        )
        .bind(auth_key_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(PendingLogin {
                auth_key_id: i64_col(&row, "auth_key_id")?,
                user_id: i64_col(&row, "user_id")?,
                expires_at: i64_col(&row, "expires_at")?,
            })
        })
        .transpose()
    }

    async fn delete_pending_login(&self, auth_key_id: i64) -> StorageResult<bool> {
        let done = sqlx::query("DELETE FROM pending_logins WHERE auth_key_id = ?")
            .bind(auth_key_id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

#[async_trait]
impl LoginTokenStore for SqlStore {
    async fn put_login_token(&self, token: LoginTokenRecord) -> StorageResult<()> {
        sqlx::query("DELETE FROM login_tokens WHERE auth_key_id = ? AND expires_at < ?")
            .bind(token.auth_key_id)
            .bind(token.created_at)
            .execute(&self.writer)
            .await?;
        sqlx::query(&format!(
            "INSERT INTO login_tokens ({TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?)"
        ))
        .bind(to_hex(&token.token))
        .bind(token.auth_key_id)
        .bind(token.created_at)
        .bind(token.expires_at)
        .bind(token.accepted_by)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn get_login_token(&self, token: &[u8]) -> StorageResult<Option<LoginTokenRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM login_tokens WHERE token = ?"
        ))
        .bind(to_hex(token))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(token_from_row).transpose()
    }

    async fn accept_login_token(
        &self,
        token: &[u8],
        user_id: i64,
        now: i64,
    ) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE login_tokens SET accepted_by = ? \
             WHERE token = ? AND accepted_by IS NULL AND expires_at > ?",
        )
        .bind(user_id)
        .bind(to_hex(token))
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn accepted_login_token(
        &self,
        auth_key_id: i64,
    ) -> StorageResult<Option<LoginTokenRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM login_tokens \
             WHERE auth_key_id = ? AND accepted_by IS NOT NULL \
             ORDER BY created_at DESC LIMIT 1"
        ))
        .bind(auth_key_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(token_from_row).transpose()
    }

    async fn delete_login_tokens(&self, auth_key_id: i64) -> StorageResult<u64> {
        let done = sqlx::query("DELETE FROM login_tokens WHERE auth_key_id = ?")
            .bind(auth_key_id)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl FloodStore for SqlStore {
    async fn add_hits(
        &self,
        scope: &str,
        subject: &str,
        window_start: i64,
        n: i64,
    ) -> StorageResult<i64> {
        sqlx::query(
            "DELETE FROM flood_counters WHERE scope = ? AND subject = ? AND window_start < ?",
        )
        .bind(scope)
        .bind(subject)
        .bind(window_start)
        .execute(&self.writer)
        .await?;
        // An atomic increment: concurrent failures of one subject must all count.
        let sql = match self.dialect {
            Dialect::Sqlite => {
                "INSERT INTO flood_counters (scope, subject, window_start, hits) \
                 VALUES (?, ?, ?, ?) ON CONFLICT (scope, subject, window_start) \
                 DO UPDATE SET hits = flood_counters.hits + excluded.hits"
            }
            Dialect::MySql => {
                "INSERT INTO flood_counters (scope, subject, window_start, hits) \
                 VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE hits = hits + VALUES(hits)"
            }
        };
        sqlx::query(sql)
            .bind(scope)
            .bind(subject)
            .bind(window_start)
            .bind(n)
            .execute(&self.writer)
            .await?;
        self.hits(scope, subject, window_start).await
    }

    async fn hits(&self, scope: &str, subject: &str, window_start: i64) -> StorageResult<i64> {
        let row = sqlx::query(
            "SELECT hits FROM flood_counters WHERE scope = ? AND subject = ? AND window_start = ?",
        )
        .bind(scope)
        .bind(subject)
        .bind(window_start)
        .fetch_optional(&self.pool)
        .await?;
        row.map_or(Ok(0), |row| i64_col(&row, "hits"))
    }
}

#[async_trait]
impl AuthorizationTtlStore for SqlStore {
    async fn get_authorization_ttl(&self, user_id: i64) -> StorageResult<Option<i32>> {
        let row = sqlx::query("SELECT ttl_days FROM authorization_ttls WHERE user_id = ?")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| i32_col(&row, "ttl_days")).transpose()
    }

    async fn set_authorization_ttl(&self, user_id: i64, days: i32) -> StorageResult<()> {
        let columns = ["user_id", "ttl_days"];
        let sql = self
            .dialect
            .upsert("authorization_ttls", &columns, &["user_id"], &["ttl_days"]);
        sqlx::query(&sql)
            .bind(user_id)
            .bind(days)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let bytes = vec![0, 1, 0xab, 0xff];
        assert_eq!(to_hex(&bytes), "0001abff");
        assert_eq!(from_hex("0001abff").unwrap(), bytes);
        assert!(from_hex("abc").is_err());
        assert!(from_hex("zz").is_err());
    }
}
