//! Basic groups on SQL (core.telegram.org/constructor/chat); see `crate::chats`.

use async_trait::async_trait;
use sqlx::any::AnyRow;

use super::rows::{bool_col, bytes_col, i32_col, i64_col, opt_i64_col, text_col};
use super::SqlStore;
use crate::chats::{ChatInviteRecord, ChatMember, ChatRecord, ChatStore, MigratedTo};
use crate::error::{StorageError, StorageResult};

const CHAT_COLUMNS: &str =
    "c.id, c.creator_id, c.title, c.about, c.date, c.version, c.deactivated, c.default_banned_rights, \
     c.migrated_to_channel_id, c.migrated_to_access_hash, \
     (SELECT COUNT(*) FROM chat_participants p WHERE p.chat_id = c.id) AS participants_count";

/// How often a create retries when another one took the same id meanwhile.
const CREATE_ATTEMPTS: usize = 5;

fn chat_from_row(row: &AnyRow) -> StorageResult<ChatRecord> {
    Ok(ChatRecord {
        id: i64_col(row, "id")?,
        creator_id: i64_col(row, "creator_id")?,
        title: text_col(row, "title")?,
        about: text_col(row, "about")?,
        date: i64_col(row, "date")?,
        version: i32_col(row, "version")?,
        participants_count: i32::try_from(i64_col(row, "participants_count")?).unwrap_or(0),
        deactivated: bool_col(row, "deactivated")?,
        default_banned_rights: bytes_col(row, "default_banned_rights")?,
        migrated_to: match opt_i64_col(row, "migrated_to_channel_id")? {
            Some(channel_id) => Some(MigratedTo {
                channel_id,
                access_hash: i64_col(row, "migrated_to_access_hash")?,
            }),
            None => None,
        },
    })
}

impl SqlStore {
    async fn try_create(
        &self,
        creator: i64,
        title: &str,
        members: &[i64],
        date: i64,
    ) -> StorageResult<i64> {
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 AS next_id FROM chats")
            .fetch_one(&mut *tx)
            .await?;
        let id = i64_col(&row, "next_id")?;
        sqlx::query(
            "INSERT INTO chats (id, creator_id, title, about, date, version) \
             VALUES (?, ?, ?, '', ?, 1)",
        )
        .bind(id)
        .bind(creator)
        .bind(title)
        .bind(date)
        .execute(&mut *tx)
        .await?;
        let mut all = vec![creator];
        for m in members {
            if !all.contains(m) {
                all.push(*m);
            }
        }
        for user_id in all {
            sqlx::query(
                "INSERT INTO chat_participants (chat_id, user_id, inviter_id, date, is_admin) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(user_id)
            .bind(creator)
            .bind(date)
            .bind(i32::from(user_id == creator))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn bump_version(&self, chat_id: i64) -> StorageResult<()> {
        sqlx::query("UPDATE chats SET version = version + 1 WHERE id = ?")
            .bind(chat_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl ChatStore for SqlStore {
    async fn create(
        &self,
        creator: i64,
        title: &str,
        members: &[i64],
        date: i64,
    ) -> StorageResult<ChatRecord> {
        let mut last = None;
        for _ in 0..CREATE_ATTEMPTS {
            match self.try_create(creator, title, members, date).await {
                Ok(id) => {
                    return self.get(id).await?.ok_or(StorageError::NotFound);
                }
                // Another create took the id first: take the next one.
                Err(StorageError::Conflict(e)) => last = Some(StorageError::Conflict(e)),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(StorageError::NotFound))
    }

    async fn get(&self, chat_id: i64) -> StorageResult<Option<ChatRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {CHAT_COLUMNS} FROM chats c WHERE c.id = ?"
        ))
        .bind(chat_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(chat_from_row).transpose()
    }

    async fn get_many(&self, ids: &[i64]) -> StorageResult<Vec<ChatRecord>> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(chat) = self.get(id).await? {
                out.push(chat);
            }
        }
        Ok(out)
    }

    async fn members(&self, chat_id: i64) -> StorageResult<Vec<ChatMember>> {
        let rows = sqlx::query(
            "SELECT p.user_id, p.inviter_id, p.date, p.is_admin FROM chat_participants p \
             JOIN chats c ON c.id = p.chat_id WHERE p.chat_id = ? \
             ORDER BY CASE WHEN p.user_id = c.creator_id THEN 0 ELSE 1 END, p.date, p.user_id",
        )
        .bind(chat_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ChatMember {
                    user_id: i64_col(row, "user_id")?,
                    inviter_id: i64_col(row, "inviter_id")?,
                    date: i64_col(row, "date")?,
                    is_admin: bool_col(row, "is_admin")?,
                })
            })
            .collect()
    }

    async fn is_member(&self, chat_id: i64, user_id: i64) -> StorageResult<bool> {
        let row = sqlx::query("SELECT 1 FROM chat_participants WHERE chat_id = ? AND user_id = ?")
            .bind(chat_id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    async fn add_member(
        &self,
        chat_id: i64,
        user_id: i64,
        inviter_id: i64,
        date: i64,
    ) -> StorageResult<bool> {
        if self.is_member(chat_id, user_id).await? {
            return Ok(false);
        }
        let done = sqlx::query(
            "INSERT INTO chat_participants (chat_id, user_id, inviter_id, date, is_admin) \
             VALUES (?, ?, ?, ?, 0)",
        )
        .bind(chat_id)
        .bind(user_id)
        .bind(inviter_id)
        .bind(date)
        .execute(&self.writer)
        .await;
        match done {
            Ok(_) => {}
            Err(e) => match StorageError::from(e) {
                StorageError::Conflict(_) => return Ok(false),
                other => return Err(other),
            },
        }
        self.bump_version(chat_id).await?;
        Ok(true)
    }

    async fn remove_member(&self, chat_id: i64, user_id: i64) -> StorageResult<bool> {
        let done = sqlx::query("DELETE FROM chat_participants WHERE chat_id = ? AND user_id = ?")
            .bind(chat_id)
            .bind(user_id)
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        self.bump_version(chat_id).await?;
        Ok(true)
    }

    async fn set_title(&self, chat_id: i64, title: &str) -> StorageResult<Option<ChatRecord>> {
        sqlx::query("UPDATE chats SET title = ?, version = version + 1 WHERE id = ?")
            .bind(title)
            .bind(chat_id)
            .execute(&self.writer)
            .await?;
        self.get(chat_id).await
    }

    async fn set_about(&self, chat_id: i64, about: &str) -> StorageResult<bool> {
        let done = sqlx::query("UPDATE chats SET about = ? WHERE id = ?")
            .bind(about)
            .bind(chat_id)
            .execute(&self.writer)
            .await?;
        // MySQL counts only changed rows; an unchanged text still names an existing group.
        Ok(done.rows_affected() > 0 || self.get(chat_id).await?.is_some())
    }

    async fn set_admin(&self, chat_id: i64, user_id: i64, is_admin: bool) -> StorageResult<bool> {
        if !self.is_member(chat_id, user_id).await? {
            return Ok(false);
        }
        sqlx::query("UPDATE chat_participants SET is_admin = ? WHERE chat_id = ? AND user_id = ?")
            .bind(i32::from(is_admin))
            .bind(chat_id)
            .bind(user_id)
            .execute(&self.writer)
            .await?;
        self.bump_version(chat_id).await?;
        Ok(true)
    }

    async fn create_invite(
        &self,
        invite: ChatInviteRecord,
        revoke_others: bool,
    ) -> StorageResult<()> {
        let mut tx = self.writer.begin().await?;
        if revoke_others {
            sqlx::query("UPDATE chat_invites SET revoked = 1 WHERE chat_id = ? AND admin_id = ?")
                .bind(invite.chat_id)
                .bind(invite.admin_id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO chat_invites (hash, chat_id, admin_id, date, revoked) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(invite.hash.as_str())
        .bind(invite.chat_id)
        .bind(invite.admin_id)
        .bind(invite.date)
        .bind(i32::from(invite.revoked))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_default_banned_rights(
        &self,
        chat_id: i64,
        rights: &[u8],
    ) -> StorageResult<Option<ChatRecord>> {
        sqlx::query(
            "UPDATE chats SET default_banned_rights = ?, version = version + 1 WHERE id = ?",
        )
        .bind(rights.to_vec())
        .bind(chat_id)
        .execute(&self.writer)
        .await?;
        self.get(chat_id).await
    }

    async fn deactivate(&self, chat_id: i64) -> StorageResult<Option<Vec<i64>>> {
        if self.get(chat_id).await?.is_none() {
            return Ok(None);
        }
        let members: Vec<i64> = self
            .members(chat_id)
            .await?
            .iter()
            .map(|m| m.user_id)
            .collect();
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM chat_participants WHERE chat_id = ?")
            .bind(chat_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE chat_invites SET revoked = 1 WHERE chat_id = ?")
            .bind(chat_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE chats SET deactivated = 1, version = version + 1 WHERE id = ?")
            .bind(chat_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(members))
    }

    async fn invite(&self, hash: &str) -> StorageResult<Option<ChatInviteRecord>> {
        let row = sqlx::query(
            "SELECT hash, chat_id, admin_id, date, revoked FROM chat_invites WHERE hash = ?",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(ChatInviteRecord {
                hash: text_col(&row, "hash")?,
                chat_id: i64_col(&row, "chat_id")?,
                admin_id: i64_col(&row, "admin_id")?,
                date: i64_col(&row, "date")?,
                revoked: bool_col(&row, "revoked")?,
            })
        })
        .transpose()
    }
}
