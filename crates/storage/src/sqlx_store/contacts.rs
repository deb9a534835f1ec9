//! Contacts and remembered phone imports on SQL (core.telegram.org/api/contacts); the tables
//! are described in `crate::contacts`.
//!
//! "Mutual" is not stored: it is the existence of the reverse row, read with a self join,
//! so deleting either side can never leave a stale flag behind.

use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::any::AnyRow;

use super::dialect::{placeholders, Dialect};
use super::rows::{bool_col, flag, i64_col, opt_i64_col, text_col};
use super::users::{user_from_row, USER_COLUMNS};
use super::SqlStore;
use crate::contacts::{
    ContactRecord, ContactRelation, ContactStore, ImportedPhone, NewContact, ServiceUserStore,
};
use crate::error::{StorageError, StorageResult};
use crate::traits::UserStore;
use crate::types::{clamp_limit, UserRecord};

/// Most ids one `IN (...)` list binds; longer lists are split.
const IN_CHUNK: usize = 100;

/// Columns of an entry plus `reverse_at`, the reverse row's creation time (NULL: none).
const CONTACT_SELECT: &str = "SELECT c.owner_id, c.contact_id, c.first_name, c.last_name, \
     c.knows_phone, c.share_phone, c.created_at, r.created_at AS reverse_at \
     FROM contacts c LEFT JOIN contacts r \
     ON r.owner_id = c.contact_id AND r.contact_id = c.owner_id";

fn contact_from_row(row: &AnyRow) -> StorageResult<ContactRecord> {
    Ok(ContactRecord {
        owner_id: i64_col(row, "owner_id")?,
        contact_id: i64_col(row, "contact_id")?,
        first_name: text_col(row, "first_name")?,
        last_name: text_col(row, "last_name")?,
        knows_phone: bool_col(row, "knows_phone")?,
        share_phone: bool_col(row, "share_phone")?,
        mutual: opt_i64_col(row, "reverse_at")?.is_some(),
        created_at: i64_col(row, "created_at")?,
    })
}

fn imported_from_row(row: &AnyRow) -> StorageResult<ImportedPhone> {
    Ok(ImportedPhone {
        owner_id: i64_col(row, "owner_id")?,
        phone: text_col(row, "phone")?,
        first_name: text_col(row, "first_name")?,
        last_name: text_col(row, "last_name")?,
        client_id: i64_col(row, "client_id")?,
        created_at: i64_col(row, "created_at")?,
    })
}

/// The contact upsert: names are replaced, the two flags only ever turn on.
fn upsert_contact_sql(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => {
            "INSERT INTO contacts (owner_id, contact_id, first_name, last_name, knows_phone, \
             share_phone, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (owner_id, contact_id) DO UPDATE SET \
             first_name = excluded.first_name, last_name = excluded.last_name, \
             knows_phone = MAX(knows_phone, excluded.knows_phone), \
             share_phone = MAX(share_phone, excluded.share_phone)"
        }
        Dialect::MySql => {
            "INSERT INTO contacts (owner_id, contact_id, first_name, last_name, knows_phone, \
             share_phone, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON DUPLICATE KEY UPDATE \
             first_name = VALUES(first_name), last_name = VALUES(last_name), \
             knows_phone = GREATEST(knows_phone, VALUES(knows_phone)), \
             share_phone = GREATEST(share_phone, VALUES(share_phone))"
        }
    }
}

/// Turns the remembered imports of one phone into contact entries of the new user.
fn claim_insert_sql(dialect: Dialect) -> &'static str {
    match dialect {
        // The WHERE clause is required before ON CONFLICT in SQLite's INSERT ... SELECT.
        Dialect::Sqlite => {
            "INSERT INTO contacts (owner_id, contact_id, first_name, last_name, knows_phone, \
             share_phone, created_at) SELECT owner_id, ?, first_name, last_name, 1, 0, ? \
             FROM imported_phones WHERE phone = ? AND owner_id <> ? \
             ON CONFLICT (owner_id, contact_id) DO NOTHING"
        }
        Dialect::MySql => {
            "INSERT INTO contacts (owner_id, contact_id, first_name, last_name, knows_phone, \
             share_phone, created_at) SELECT owner_id, ?, first_name, last_name, 1, 0, ? \
             FROM imported_phones WHERE phone = ? AND owner_id <> ? \
             ON DUPLICATE KEY UPDATE knows_phone = 1"
        }
    }
}

/// `LIKE` pattern matching values that start with `prefix`; `!` escapes (the same escape
/// character works in both dialects, unlike a backslash).
fn prefix_pattern(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '!' | '%' | '_') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[async_trait]
impl ContactStore for SqlStore {
    async fn upsert(&self, owner_id: i64, contact: NewContact) -> StorageResult<ContactRecord> {
        if owner_id == contact.contact_id {
            return Err(StorageError::InvalidArgument(
                "a user is not their own contact".to_owned(),
            ));
        }
        sqlx::query(upsert_contact_sql(self.dialect))
            .bind(owner_id)
            .bind(contact.contact_id)
            .bind(contact.first_name)
            .bind(contact.last_name)
            .bind(flag(contact.knows_phone))
            .bind(flag(contact.share_phone))
            .bind(contact.now)
            .execute(&self.writer)
            .await?;
        let row = sqlx::query(&format!(
            "{CONTACT_SELECT} WHERE c.owner_id = ? AND c.contact_id = ?"
        ))
        .bind(owner_id)
        .bind(contact.contact_id)
        .fetch_one(&self.pool)
        .await?;
        contact_from_row(&row)
    }

    async fn delete(&self, owner_id: i64, contact_ids: &[i64]) -> StorageResult<Vec<i64>> {
        let mut wanted = contact_ids.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut deleted = Vec::new();
        for chunk in wanted.chunks(IN_CHUNK) {
            let list = placeholders(chunk.len());
            let select_sql = format!(
                "SELECT contact_id FROM contacts WHERE owner_id = ? AND contact_id IN ({list}) \
                 ORDER BY contact_id"
            );
            let remove_sql =
                format!("DELETE FROM contacts WHERE owner_id = ? AND contact_id IN ({list})");
            let mut select = sqlx::query(&select_sql).bind(owner_id);
            let mut remove = sqlx::query(&remove_sql).bind(owner_id);
            for id in chunk {
                select = select.bind(*id);
                remove = remove.bind(*id);
            }
            for row in select.fetch_all(&self.pool).await? {
                deleted.push(i64_col(&row, "contact_id")?);
            }
            remove.execute(&self.writer).await?;
        }
        Ok(deleted)
    }

    async fn list(&self, owner_id: i64) -> StorageResult<Vec<ContactRecord>> {
        let rows = sqlx::query(&format!(
            "{CONTACT_SELECT} WHERE c.owner_id = ? ORDER BY c.contact_id"
        ))
        .bind(owner_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(contact_from_row).collect()
    }

    async fn relations(
        &self,
        viewer_id: i64,
        user_ids: &[i64],
    ) -> StorageResult<HashMap<i64, ContactRelation>> {
        let mut wanted = user_ids.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut out: HashMap<i64, ContactRelation> = HashMap::new();
        for chunk in wanted.chunks(IN_CHUNK) {
            let list = placeholders(chunk.len());
            let mine_sql =
                format!("{CONTACT_SELECT} WHERE c.owner_id = ? AND c.contact_id IN ({list})");
            let theirs_sql = format!(
                "SELECT owner_id, share_phone FROM contacts \
                 WHERE contact_id = ? AND owner_id IN ({list})"
            );
            let mut mine = sqlx::query(&mine_sql).bind(viewer_id);
            let mut theirs = sqlx::query(&theirs_sql).bind(viewer_id);
            for id in chunk {
                mine = mine.bind(*id);
                theirs = theirs.bind(*id);
            }
            for row in mine.fetch_all(&self.pool).await? {
                let saved = contact_from_row(&row)?;
                let id = saved.contact_id;
                out.entry(id).or_default().saved = Some(saved);
            }
            for row in theirs.fetch_all(&self.pool).await? {
                let relation = out.entry(i64_col(&row, "owner_id")?).or_default();
                relation.reverse = true;
                relation.shares_phone = bool_col(&row, "share_phone")?;
            }
        }
        Ok(out)
    }

    async fn owners_of(&self, user_id: i64) -> StorageResult<Vec<i64>> {
        let rows =
            sqlx::query("SELECT owner_id FROM contacts WHERE contact_id = ? ORDER BY owner_id")
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|r| i64_col(r, "owner_id")).collect()
    }

    async fn import_phone(&self, phone: ImportedPhone) -> StorageResult<()> {
        let sql = self.dialect.upsert(
            "imported_phones",
            &[
                "owner_id",
                "phone",
                "first_name",
                "last_name",
                "client_id",
                "created_at",
            ],
            &["owner_id", "phone"],
            &["first_name", "last_name", "client_id"],
        );
        sqlx::query(&sql)
            .bind(phone.owner_id)
            .bind(phone.phone)
            .bind(phone.first_name)
            .bind(phone.last_name)
            .bind(phone.client_id)
            .bind(phone.created_at)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn imported_phones(&self, owner_id: i64) -> StorageResult<Vec<ImportedPhone>> {
        let rows = sqlx::query(
            "SELECT owner_id, phone, first_name, last_name, client_id, created_at \
             FROM imported_phones WHERE owner_id = ? ORDER BY phone",
        )
        .bind(owner_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(imported_from_row).collect()
    }

    async fn delete_imported_phones(&self, owner_id: i64, phones: &[String]) -> StorageResult<u64> {
        let mut removed = 0;
        for chunk in phones.chunks(IN_CHUNK) {
            let sql = format!(
                "DELETE FROM imported_phones WHERE owner_id = ? AND phone IN ({})",
                placeholders(chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(owner_id);
            for phone in chunk {
                query = query.bind(phone.as_str());
            }
            removed += query.execute(&self.writer).await?.rows_affected();
        }
        Ok(removed)
    }

    async fn phone_importers(&self, phone: &str) -> StorageResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM imported_phones WHERE phone = ?")
            .bind(phone)
            .fetch_one(&self.pool)
            .await?;
        i64_col(&row, "n")
    }

    async fn claim_phone(&self, user: &UserRecord, now: i64) -> StorageResult<Vec<i64>> {
        // Write first (see the sqlx_store module header), then read who imported, then forget.
        let mut tx = self.writer.begin().await?;
        sqlx::query(claim_insert_sql(self.dialect))
            .bind(user.id)
            .bind(now)
            .bind(user.phone.as_str())
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        let rows = sqlx::query(
            "SELECT owner_id FROM imported_phones WHERE phone = ? AND owner_id <> ? \
             ORDER BY owner_id",
        )
        .bind(user.phone.as_str())
        .bind(user.id)
        .fetch_all(&mut *tx)
        .await?;
        let importers = rows
            .iter()
            .map(|r| i64_col(r, "owner_id"))
            .collect::<StorageResult<Vec<i64>>>()?;
        sqlx::query("DELETE FROM imported_phones WHERE phone = ?")
            .bind(user.phone.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(importers)
    }

    async fn search_users(&self, prefix: &str, limit: i32) -> StorageResult<Vec<UserRecord>> {
        let pattern = prefix_pattern(&prefix.to_lowercase());
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE deleted = 0 AND \
             (username_lower LIKE ? ESCAPE '!' OR LOWER(first_name) LIKE ? ESCAPE '!' \
             OR LOWER(last_name) LIKE ? ESCAPE '!') ORDER BY id LIMIT ?"
        ))
        .bind(pattern.as_str())
        .bind(pattern.as_str())
        .bind(pattern.as_str())
        .bind(i64::from(clamp_limit(limit)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(user_from_row).collect()
    }
}

#[async_trait]
impl ServiceUserStore for SqlStore {
    async fn ensure_user(&self, user: UserRecord) -> StorageResult<UserRecord> {
        if let Some(existing) = UserStore::get(self, user.id).await? {
            return Ok(existing);
        }
        // An explicit id below the AUTO_INCREMENT / sqlite_sequence position leaves the
        // counter where it is, so allocated ids keep starting at FIRST_USER_ID.
        sqlx::query(
            "INSERT INTO users (id, access_hash, phone, first_name, last_name, about, \
             last_seen_at, created_at, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(user.id)
        .bind(user.access_hash)
        .bind(user.phone.as_str())
        .bind(user.first_name.as_str())
        .bind(user.last_name.as_str())
        .bind(user.about.as_str())
        .bind(user.last_seen_at)
        .bind(user.created_at)
        .bind(flag(user.deleted))
        .execute(&self.writer)
        .await
        .or_else(|e| match StorageError::from(e) {
            // Another server created it meanwhile: fine if the id is ours (checked below).
            StorageError::Conflict(_) => Ok(Default::default()),
            other => Err(other),
        })?;
        UserStore::get(self, user.id)
            .await?
            .ok_or_else(|| StorageError::Conflict("service user phone taken".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_pattern;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(prefix_pattern("ann"), "ann%");
        assert_eq!(prefix_pattern("a_b%c!"), "a!_b!%c!!%");
    }
}
