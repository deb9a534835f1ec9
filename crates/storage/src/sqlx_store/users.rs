//! Accounts on SQL (core.telegram.org/constructor/user, account.updateProfile,
//! account.updateUsername).
//!
//! Usernames are matched case-insensitively through a second column, `username_lower`,
//! with the unique index on it; lowering happens here rather than in SQL so both dialects
//! (and their collations) agree on what "the same name" means.

use async_trait::async_trait;
use sqlx::any::AnyRow;

use super::dialect::placeholders;
use super::rows::{bool_col, i64_col, opt_text_col, text_col};
use super::SqlStore;
use crate::error::{StorageError, StorageResult};
use crate::traits::UserStore;
use crate::types::{NewUser, UserAccess, UserRecord};

pub(super) const USER_COLUMNS: &str =
    "id, access_hash, phone, first_name, last_name, username, about, \
     last_seen_at, created_at, deleted";

/// Most ids one `get_many` statement binds; longer lists are split.
const IN_CHUNK: usize = 100;

pub(super) fn user_from_row(row: &AnyRow) -> StorageResult<UserRecord> {
    Ok(UserRecord {
        id: i64_col(row, "id")?,
        access_hash: i64_col(row, "access_hash")?,
        phone: text_col(row, "phone")?,
        first_name: text_col(row, "first_name")?,
        last_name: text_col(row, "last_name")?,
        username: opt_text_col(row, "username")?,
        about: text_col(row, "about")?,
        last_seen_at: i64_col(row, "last_seen_at")?,
        created_at: i64_col(row, "created_at")?,
        deleted: bool_col(row, "deleted")?,
    })
}

/// The key usernames are compared by.
fn username_key(username: &str) -> String {
    username.to_lowercase()
}

impl SqlStore {
    async fn user_where(
        &self,
        condition: &str,
        value: String,
    ) -> StorageResult<Option<UserRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE {condition}"
        ))
        .bind(value)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn require_user(&self, id: i64) -> StorageResult<UserRecord> {
        UserStore::get(self, id)
            .await?
            .ok_or(StorageError::NotFound)
    }
}

#[async_trait]
impl UserStore for SqlStore {
    async fn create(&self, user: NewUser) -> StorageResult<UserRecord> {
        if user.phone.is_empty() {
            return Err(StorageError::InvalidArgument("empty phone".to_owned()));
        }
        // sqlx's Any driver reports no insert id for SQLite, so the id is read back by the
        // unique phone inside the same transaction.
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO users (access_hash, phone, first_name, last_name, about, \
             last_seen_at, created_at, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(user.access_hash)
        .bind(user.phone.as_str())
        .bind(user.first_name.as_str())
        .bind(user.last_name.as_str())
        .bind("")
        .bind(user.now)
        .bind(user.now)
        .bind(0_i32)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StorageError::from(e) {
            StorageError::Conflict(_) => StorageError::Conflict("phone number taken".to_owned()),
            other => other,
        })?;
        let row = sqlx::query("SELECT id FROM users WHERE phone = ?")
            .bind(user.phone.as_str())
            .fetch_one(&mut *tx)
            .await?;
        let id = i64_col(&row, "id")?;
        tx.commit().await?;
        Ok(UserRecord {
            id,
            access_hash: user.access_hash,
            phone: user.phone,
            first_name: user.first_name,
            last_name: user.last_name,
            username: None,
            about: String::new(),
            last_seen_at: user.now,
            created_at: user.now,
            deleted: false,
        })
    }

    async fn get(&self, id: i64) -> StorageResult<Option<UserRecord>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn access(&self, id: i64) -> StorageResult<Option<UserAccess>> {
        let Some(hot) = &self.hot else {
            return Ok(UserStore::get(self, id).await?.map(|u| u.access()));
        };
        if let Some(access) = hot.user(id) {
            return Ok(Some(access));
        }
        let ticket = hot.ticket();
        let access = UserStore::get(self, id).await?.map(|u| u.access());
        if let Some(access) = access {
            hot.fill_user(ticket, id, access);
        }
        Ok(access)
    }

    async fn get_many(&self, ids: &[i64]) -> StorageResult<Vec<UserRecord>> {
        let mut wanted = ids.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut users = Vec::with_capacity(wanted.len());
        for chunk in wanted.chunks(IN_CHUNK) {
            let sql = format!(
                "SELECT {USER_COLUMNS} FROM users WHERE id IN ({}) ORDER BY id",
                placeholders(chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&self.pool).await? {
                users.push(user_from_row(&row)?);
            }
        }
        Ok(users)
    }

    async fn get_by_phone(&self, phone: &str) -> StorageResult<Option<UserRecord>> {
        self.user_where("phone = ?", phone.to_owned()).await
    }

    async fn get_by_username(&self, username: &str) -> StorageResult<Option<UserRecord>> {
        self.user_where("username_lower = ?", username_key(username))
            .await
    }

    async fn update_profile(
        &self,
        id: i64,
        first_name: Option<String>,
        last_name: Option<String>,
        about: Option<String>,
    ) -> StorageResult<UserRecord> {
        // COALESCE keeps the stored value where the caller passed NULL (None).
        let done = sqlx::query(
            "UPDATE users SET first_name = COALESCE(?, first_name), \
             last_name = COALESCE(?, last_name), about = COALESCE(?, about) WHERE id = ?",
        )
        .bind(first_name)
        .bind(last_name)
        .bind(about)
        .bind(id)
        .execute(&self.writer)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        self.require_user(id).await
    }

    async fn set_username(&self, id: i64, username: Option<String>) -> StorageResult<UserRecord> {
        let key = username.as_deref().map(username_key);
        let done = sqlx::query("UPDATE users SET username = ?, username_lower = ? WHERE id = ?")
            .bind(username)
            .bind(key)
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(|e| match StorageError::from(e) {
                StorageError::Conflict(_) => StorageError::Conflict("username taken".to_owned()),
                other => other,
            })?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        self.require_user(id).await
    }

    async fn set_last_seen(&self, id: i64, at: i64) -> StorageResult<()> {
        let done = sqlx::query("UPDATE users SET last_seen_at = ? WHERE id = ?")
            .bind(at)
            .bind(id)
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }
}
