//! Blocked users and privacy rules on SQL (core.telegram.org/method/contacts.block,
//! /method/contacts.getBlocked, core.telegram.org/api/privacy); the tables are described in
//! `crate::contacts`.

use std::collections::HashMap;

use async_trait::async_trait;

use super::dialect::placeholders;
use super::rows::{i64_col, text_col};
use super::SqlStore;
use crate::contacts::{BlockStore, BlockedRecord, PrivacyKey, PrivacyRule, PrivacyStore};
use crate::error::{StorageError, StorageResult};
use crate::types::clamp_limit;

/// Most ids one `IN (...)` list binds; longer lists are split.
const IN_CHUNK: usize = 100;

fn decode_rules(text: &str) -> StorageResult<Vec<PrivacyRule>> {
    PrivacyRule::decode_list(text)
        .ok_or_else(|| StorageError::Database(format!("unreadable privacy rules {text:?}")))
}

#[async_trait]
impl BlockStore for SqlStore {
    async fn block(&self, owner_id: i64, blocked_id: i64, now: i64) -> StorageResult<bool> {
        // The "newly" answer may be off under a concurrent block of the same pair; the row
        // itself is inserted at most once either way.
        let existed = BlockStore::is_blocked(self, owner_id, blocked_id).await?;
        let sql = self.dialect.upsert(
            "blocked_users",
            &["owner_id", "blocked_id", "created_at"],
            &["owner_id", "blocked_id"],
            &[],
        );
        sqlx::query(&sql)
            .bind(owner_id)
            .bind(blocked_id)
            .bind(now)
            .execute(&self.writer)
            .await?;
        if let Some(hot) = &self.hot {
            hot.invalidate_blocks(owner_id, blocked_id);
        }
        Ok(!existed)
    }

    async fn unblock(&self, owner_id: i64, blocked_id: i64) -> StorageResult<bool> {
        let done = sqlx::query("DELETE FROM blocked_users WHERE owner_id = ? AND blocked_id = ?")
            .bind(owner_id)
            .bind(blocked_id)
            .execute(&self.writer)
            .await?;
        if let Some(hot) = &self.hot {
            hot.invalidate_blocks(owner_id, blocked_id);
        }
        Ok(done.rows_affected() > 0)
    }

    async fn list_blocked(
        &self,
        owner_id: i64,
        offset: i32,
        limit: i32,
    ) -> StorageResult<Vec<BlockedRecord>> {
        let rows = sqlx::query(
            "SELECT blocked_id, created_at FROM blocked_users WHERE owner_id = ? \
             ORDER BY created_at DESC, blocked_id DESC LIMIT ? OFFSET ?",
        )
        .bind(owner_id)
        .bind(i64::from(clamp_limit(limit)))
        .bind(i64::from(offset.max(0)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(BlockedRecord {
                    blocked_id: i64_col(row, "blocked_id")?,
                    created_at: i64_col(row, "created_at")?,
                })
            })
            .collect()
    }

    async fn count_blocked(&self, owner_id: i64) -> StorageResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM blocked_users WHERE owner_id = ?")
            .bind(owner_id)
            .fetch_one(&self.pool)
            .await?;
        i64_col(&row, "n")
    }

    async fn is_blocked(&self, owner_id: i64, other_id: i64) -> StorageResult<bool> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM blocked_users WHERE owner_id = ? AND blocked_id = ?",
        )
        .bind(owner_id)
        .bind(other_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(i64_col(&row, "n")? > 0)
    }

    async fn blocks_between(&self, a: i64, b: i64) -> StorageResult<(bool, bool)> {
        let Some(hot) = &self.hot else {
            return self.read_blocks_between(a, b).await;
        };
        if let Some(flags) = hot.blocks(a, b) {
            return Ok(flags);
        }
        let ticket = hot.ticket();
        let flags = self.read_blocks_between(a, b).await?;
        hot.fill_blocks(ticket, a, b, flags);
        Ok(flags)
    }

    async fn blocked_by(&self, owner_ids: &[i64], other_id: i64) -> StorageResult<Vec<i64>> {
        let mut wanted = owner_ids.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut out = Vec::new();
        for chunk in wanted.chunks(IN_CHUNK) {
            let sql = format!(
                "SELECT owner_id FROM blocked_users WHERE blocked_id = ? \
                 AND owner_id IN ({}) ORDER BY owner_id",
                placeholders(chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(other_id);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&self.pool).await? {
                out.push(i64_col(&row, "owner_id")?);
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl PrivacyStore for SqlStore {
    async fn get_rules(
        &self,
        user_id: i64,
        key: PrivacyKey,
    ) -> StorageResult<Option<Vec<PrivacyRule>>> {
        let row =
            sqlx::query("SELECT rules FROM privacy_rules WHERE user_id = ? AND privacy_key = ?")
                .bind(user_id)
                .bind(key.code())
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| decode_rules(&text_col(&r, "rules")?))
            .transpose()
    }

    async fn get_rules_many(
        &self,
        user_ids: &[i64],
        key: PrivacyKey,
    ) -> StorageResult<HashMap<i64, Vec<PrivacyRule>>> {
        let mut wanted = user_ids.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut out = HashMap::new();
        for chunk in wanted.chunks(IN_CHUNK) {
            let sql = format!(
                "SELECT user_id, rules FROM privacy_rules WHERE privacy_key = ? \
                 AND user_id IN ({})",
                placeholders(chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(key.code());
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&self.pool).await? {
                out.insert(
                    i64_col(&row, "user_id")?,
                    decode_rules(&text_col(&row, "rules")?)?,
                );
            }
        }
        Ok(out)
    }

    async fn set_rules(
        &self,
        user_id: i64,
        key: PrivacyKey,
        rules: &[PrivacyRule],
        now: i64,
    ) -> StorageResult<()> {
        let sql = self.dialect.upsert(
            "privacy_rules",
            &["user_id", "privacy_key", "rules", "updated_at"],
            &["user_id", "privacy_key"],
            &["rules", "updated_at"],
        );
        sqlx::query(&sql)
            .bind(user_id)
            .bind(key.code())
            .bind(PrivacyRule::encode_list(rules))
            .bind(now)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

impl SqlStore {
    /// Both block directions between `a` and `b`, from the database.
    async fn read_blocks_between(&self, a: i64, b: i64) -> StorageResult<(bool, bool)> {
        // One statement instead of two: each query is a round trip to the pool's worker.
        let rows = sqlx::query(
            "SELECT owner_id FROM blocked_users \
             WHERE (owner_id = ? AND blocked_id = ?) OR (owner_id = ? AND blocked_id = ?)",
        )
        .bind(a)
        .bind(b)
        .bind(b)
        .bind(a)
        .fetch_all(&self.pool)
        .await?;
        let mut out = (false, false);
        for row in &rows {
            let owner = i64_col(row, "owner_id")?;
            if owner == a {
                out.0 = true;
            } else if owner == b {
                out.1 = true;
            }
        }
        Ok(out)
    }
}
