//! [`AdminStore`] on SQL: user paging and search, bans (`users.banned`, migration 0004), account
//! deletion and pending login codes.
//!
//! Search uses `LOWER(column) LIKE ?` with the pattern lowered in Rust and `!` as the escape
//! character, so `%` and `_` typed by an operator match literally on both dialects.

use async_trait::async_trait;
use sqlx::any::AnyRow;

use super::auth::phone_code_from_row;
use super::rows::{bool_col, i64_col};
use super::users::{user_from_row, USER_COLUMNS};
use super::SqlStore;
use crate::admin::{AdminStore, AdminUser, UserListQuery, MAX_USER_PAGE};
use crate::error::{StorageError, StorageResult};
use crate::types::PhoneCodeRecord;

const SEARCH_CONDITION: &str = "(LOWER(phone) LIKE ? ESCAPE '!' OR LOWER(first_name) LIKE ? \
     ESCAPE '!' OR LOWER(last_name) LIKE ? ESCAPE '!' OR username_lower LIKE ? ESCAPE '!')";

/// `%text%` with LIKE's special characters escaped by `!`.
fn like_pattern(search: &str) -> String {
    let mut out = String::from("%");
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn admin_user_from_row(row: &AnyRow) -> StorageResult<AdminUser> {
    Ok(AdminUser {
        user: user_from_row(row)?,
        banned: bool_col(row, "banned")?,
        banned_at: i64_col(row, "banned_at")?,
    })
}

impl SqlStore {
    async fn admin_user_where(&self, condition: &str, id: i64) -> StorageResult<Option<AdminUser>> {
        let sql = format!("SELECT {USER_COLUMNS}, banned, banned_at FROM users WHERE {condition}");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(admin_user_from_row).transpose()
    }
}

#[async_trait]
impl AdminStore for SqlStore {
    async fn list_users(&self, query: &UserListQuery) -> StorageResult<Vec<AdminUser>> {
        let limit = query.limit.clamp(1, MAX_USER_PAGE);
        let search = query.search.as_deref().filter(|s| !s.is_empty());
        let condition = if search.is_some() {
            format!("id > ? AND {SEARCH_CONDITION}")
        } else {
            "id > ?".to_string()
        };
        let sql = format!(
            "SELECT {USER_COLUMNS}, banned, banned_at FROM users WHERE {condition} \
             ORDER BY id LIMIT ?"
        );
        let mut q = sqlx::query(&sql).bind(query.after_id);
        if let Some(search) = search {
            let pattern = like_pattern(search);
            for _ in 0..4 {
                q = q.bind(pattern.clone());
            }
        }
        let rows = q.bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(admin_user_from_row).collect()
    }

    async fn count_users(&self, search: Option<&str>) -> StorageResult<i64> {
        let search = search.filter(|s| !s.is_empty());
        let row = match search {
            Some(search) => {
                let pattern = like_pattern(search);
                let sql = format!(
                    "SELECT COUNT(*) AS n FROM users WHERE deleted = 0 AND {SEARCH_CONDITION}"
                );
                let mut q = sqlx::query(&sql);
                for _ in 0..4 {
                    q = q.bind(pattern.clone());
                }
                q.fetch_one(&self.pool).await?
            }
            None => {
                sqlx::query("SELECT COUNT(*) AS n FROM users WHERE deleted = 0")
                    .fetch_one(&self.pool)
                    .await?
            }
        };
        i64_col(&row, "n")
    }

    async fn get_admin_user(&self, id: i64) -> StorageResult<Option<AdminUser>> {
        self.admin_user_where("id = ?", id).await
    }

    async fn set_banned(&self, id: i64, banned: bool, now: i64) -> StorageResult<AdminUser> {
        let done = sqlx::query("UPDATE users SET banned = ?, banned_at = ? WHERE id = ?")
            .bind(i32::from(banned))
            .bind(if banned { now } else { 0 })
            .bind(id)
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        self.get_admin_user(id).await?.ok_or(StorageError::NotFound)
    }

    async fn is_phone_banned(&self, phone: &str) -> StorageResult<bool> {
        let row = sqlx::query("SELECT banned FROM users WHERE phone = ?")
            .bind(phone)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => bool_col(&row, "banned"),
            None => Ok(false),
        }
    }

    async fn delete_account(&self, id: i64) -> StorageResult<()> {
        // The phone column is unique and NOT NULL: a marker that no normalized phone (digits
        // only) can equal frees the number for a new sign-up.
        let done = sqlx::query(
            "UPDATE users SET deleted = 1, phone = ?, username = NULL, username_lower = NULL, \
             about = '' WHERE id = ? AND deleted = 0",
        )
        .bind(format!("deleted:{id}"))
        .bind(id)
        .execute(&self.writer)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound);
        }
        if let Some(hot) = &self.hot {
            hot.invalidate_user(id);
        }
        sqlx::query("UPDATE authorizations SET user_id = NULL WHERE user_id = ?")
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn pending_code(&self, phone: &str, now: i64) -> StorageResult<Option<PhoneCodeRecord>> {
        let row = sqlx::query(
            "SELECT phone_code_hash, phone, code, created_at, expires_at, attempts, verified \
             FROM phone_codes WHERE phone = ? AND expires_at > ? \
             ORDER BY created_at DESC, expires_at DESC LIMIT 1",
        )
        .bind(phone)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(phone_code_from_row).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("Ann"), "%ann%");
        assert_eq!(like_pattern("50%_!"), "%50!%!_!!%");
    }
}
