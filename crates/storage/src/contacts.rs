//! Contacts, blocked users and privacy rules: the records and traits behind
//! core.telegram.org/api/contacts (importContacts, getContacts, block ...),
//! core.telegram.org/api/privacy (account.getPrivacy / setPrivacy) and the per-viewer
//! `user` flags of core.telegram.org/constructor/user (`contact`, `mutual_contact`).
//!
//! Tables (`sql/<dialect>/0003_contacts.sql`):
//! - `contacts(owner_id, contact_id, first_name, last_name, knows_phone, share_phone,
//!   created_at)`, PK `(owner_id, contact_id)`: the owner's address book entry for a
//!   registered user, with the names the owner saved. `knows_phone`: the owner added the
//!   contact by phone number (so the owner sees it whatever the contact's privacy says);
//!   `share_phone`: the owner lets this contact see the owner's phone
//!   (contacts.addContact `add_phone_privacy_exception`). Mutual = both rows exist.
//! - `imported_phones(owner_id, phone, first_name, last_name, client_id, created_at)`,
//!   PK `(owner_id, phone)`: phones imported before anyone registered them; a later
//!   sign-up turns them into contacts ([`ContactStore::claim_phone`]).
//! - `blocked_users(owner_id, blocked_id, created_at)`, PK `(owner_id, blocked_id)`.
//! - `privacy_rules(user_id, privacy_key, rules, updated_at)`, PK `(user_id, privacy_key)`:
//!   the ordered rule list of one key, encoded by [`PrivacyRule::encode_list`].
//!
//! Service accounts (777000) are ordinary `users` rows with ids below the first allocated
//! one, created at startup by [`ServiceUserStore::ensure_user`] rather than by a migration,
//! so databases without them (tests, admin counts) stay as they are.

use std::collections::HashMap;

use async_trait::async_trait;

use crate::error::StorageResult;
use crate::types::UserRecord;

/// One address book entry of `owner_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRecord {
    pub owner_id: i64,
    pub contact_id: i64,
    /// The names as the owner saved them (shown to the owner instead of the user's own).
    pub first_name: String,
    pub last_name: String,
    /// The owner added this contact by phone number.
    pub knows_phone: bool,
    /// The owner shares their own phone number with this contact.
    pub share_phone: bool,
    /// The contact has the owner in their contacts too.
    pub mutual: bool,
    pub created_at: i64,
}

/// Input of [`ContactStore::upsert`] (contacts.importContacts, contacts.addContact).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub contact_id: i64,
    pub first_name: String,
    pub last_name: String,
    /// Added by phone: once true it stays true.
    pub knows_phone: bool,
    /// Share the owner's phone with the contact: once true it stays true.
    pub share_phone: bool,
    pub now: i64,
}

/// A phone number imported while nobody had registered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedPhone {
    pub owner_id: i64,
    pub phone: String,
    pub first_name: String,
    pub last_name: String,
    /// The client's own id for the entry (inputPhoneContact.client_id).
    pub client_id: i64,
    pub created_at: i64,
}

/// How `viewer` relates to one other user: what per-viewer `user` objects need.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactRelation {
    /// The viewer's own entry for the user, if the user is in the viewer's contacts.
    pub saved: Option<ContactRecord>,
    /// The user has the viewer in their contacts.
    pub reverse: bool,
    /// The user shares their phone with the viewer (their entry for the viewer says so).
    pub shares_phone: bool,
}

/// A blocked user (contacts.getBlocked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockedRecord {
    pub blocked_id: i64,
    pub created_at: i64,
}

/// The privacy keys Echo stores (core.telegram.org/api/privacy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrivacyKey {
    /// Last seen and online status.
    StatusTimestamp,
    PhoneNumber,
}

impl PrivacyKey {
    /// The `privacy_key` column value.
    pub fn code(self) -> i32 {
        match self {
            PrivacyKey::StatusTimestamp => 1,
            PrivacyKey::PhoneNumber => 2,
        }
    }
}

/// One privacy rule; a list is evaluated first match wins, as the API describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrivacyRule {
    AllowAll,
    AllowContacts,
    AllowUsers(Vec<i64>),
    AllowChatParticipants(Vec<i64>),
    DisallowAll,
    DisallowContacts,
    DisallowUsers(Vec<i64>),
    DisallowChatParticipants(Vec<i64>),
}

impl PrivacyRule {
    fn tag(&self) -> &'static str {
        match self {
            PrivacyRule::AllowAll => "allow_all",
            PrivacyRule::AllowContacts => "allow_contacts",
            PrivacyRule::AllowUsers(_) => "allow_users",
            PrivacyRule::AllowChatParticipants(_) => "allow_chats",
            PrivacyRule::DisallowAll => "disallow_all",
            PrivacyRule::DisallowContacts => "disallow_contacts",
            PrivacyRule::DisallowUsers(_) => "disallow_users",
            PrivacyRule::DisallowChatParticipants(_) => "disallow_chats",
        }
    }

    fn ids(&self) -> &[i64] {
        match self {
            PrivacyRule::AllowUsers(ids)
            | PrivacyRule::AllowChatParticipants(ids)
            | PrivacyRule::DisallowUsers(ids)
            | PrivacyRule::DisallowChatParticipants(ids) => ids,
            _ => &[],
        }
    }

    /// `tag[:id,id...]` per rule, `;` between rules.
    pub fn encode_list(rules: &[PrivacyRule]) -> String {
        let parts: Vec<String> = rules
            .iter()
            .map(|rule| {
                let ids = rule.ids();
                if ids.is_empty() {
                    rule.tag().to_owned()
                } else {
                    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
                    format!("{}:{}", rule.tag(), ids.join(","))
                }
            })
            .collect();
        parts.join(";")
    }

    /// Inverse of [`PrivacyRule::encode_list`]; `None` for text it did not write.
    pub fn decode_list(text: &str) -> Option<Vec<PrivacyRule>> {
        if text.is_empty() {
            return Some(Vec::new());
        }
        text.split(';').map(Self::decode_one).collect()
    }

    fn decode_one(part: &str) -> Option<PrivacyRule> {
        let (tag, ids) = match part.split_once(':') {
            Some((tag, ids)) => (tag, ids),
            None => (part, ""),
        };
        let ids = || -> Option<Vec<i64>> {
            if ids.is_empty() {
                return Some(Vec::new());
            }
            ids.split(',').map(|id| id.parse().ok()).collect()
        };
        Some(match tag {
            "allow_all" => PrivacyRule::AllowAll,
            "allow_contacts" => PrivacyRule::AllowContacts,
            "allow_users" => PrivacyRule::AllowUsers(ids()?),
            "allow_chats" => PrivacyRule::AllowChatParticipants(ids()?),
            "disallow_all" => PrivacyRule::DisallowAll,
            "disallow_contacts" => PrivacyRule::DisallowContacts,
            "disallow_users" => PrivacyRule::DisallowUsers(ids()?),
            "disallow_chats" => PrivacyRule::DisallowChatParticipants(ids()?),
            _ => return None,
        })
    }
}

/// Address books (core.telegram.org/api/contacts).
#[async_trait]
pub trait ContactStore: Send + Sync {
    /// Adds or renames `owner_id`'s entry; `knows_phone`/`share_phone` only ever turn on.
    /// `InvalidArgument` for a contact that is the owner. Returns the stored entry.
    async fn upsert(&self, owner_id: i64, contact: NewContact) -> StorageResult<ContactRecord>;
    /// Removes the entries among `contact_ids`; returns the ids that were removed.
    async fn delete(&self, owner_id: i64, contact_ids: &[i64]) -> StorageResult<Vec<i64>>;
    /// Every entry of the owner, ascending by contact id, with `mutual` filled in.
    async fn list(&self, owner_id: i64) -> StorageResult<Vec<ContactRecord>>;
    /// How `viewer_id` relates to each of `user_ids` (users without any relation are left
    /// out of the map).
    async fn relations(
        &self,
        viewer_id: i64,
        user_ids: &[i64],
    ) -> StorageResult<HashMap<i64, ContactRelation>>;
    /// Users that have `user_id` in their contacts.
    async fn owners_of(&self, user_id: i64) -> StorageResult<Vec<i64>>;

    /// Remembers a phone nobody registered yet (renames an existing entry).
    async fn import_phone(&self, phone: ImportedPhone) -> StorageResult<()>;
    /// The owner's remembered phones, ascending.
    async fn imported_phones(&self, owner_id: i64) -> StorageResult<Vec<ImportedPhone>>;
    /// Forgets the owner's remembered phones among `phones`; returns how many went.
    async fn delete_imported_phones(&self, owner_id: i64, phones: &[String]) -> StorageResult<u64>;
    /// How many users remembered `phone` (contacts.importedContacts `popular_invites`).
    async fn phone_importers(&self, phone: &str) -> StorageResult<i64>;
    /// `user` just registered `user.phone`: every remembered import of it becomes a contact
    /// entry (with the importer's names, `knows_phone`) and is forgotten. Returns the
    /// importers' ids, ascending.
    async fn claim_phone(&self, user: &UserRecord, now: i64) -> StorageResult<Vec<i64>>;

    /// Users whose username starts with `prefix` (case-insensitive), or whose first or last
    /// name does, among the non-deleted; ascending by id, at most `limit`.
    async fn search_users(&self, prefix: &str, limit: i32) -> StorageResult<Vec<UserRecord>>;
}

/// Blocked users (contacts.block / unblock / getBlocked).
#[async_trait]
pub trait BlockStore: Send + Sync {
    /// True if newly blocked.
    async fn block(&self, owner_id: i64, blocked_id: i64, now: i64) -> StorageResult<bool>;
    /// True if it was blocked.
    async fn unblock(&self, owner_id: i64, blocked_id: i64) -> StorageResult<bool>;
    /// Newest first; `offset`/`limit` page through them (limit clamped like history).
    async fn list_blocked(
        &self,
        owner_id: i64,
        offset: i32,
        limit: i32,
    ) -> StorageResult<Vec<BlockedRecord>>;
    async fn count_blocked(&self, owner_id: i64) -> StorageResult<i64>;
    /// Whether `owner_id` blocked `other_id`.
    async fn is_blocked(&self, owner_id: i64, other_id: i64) -> StorageResult<bool>;
    /// Those of `owner_ids` that blocked `other_id`, ascending.
    async fn blocked_by(&self, owner_ids: &[i64], other_id: i64) -> StorageResult<Vec<i64>>;
    /// (`a` blocked `b`, `b` blocked `a`): both directions in one look-up, as every
    /// private send asks.
    async fn blocks_between(&self, a: i64, b: i64) -> StorageResult<(bool, bool)> {
        Ok((self.is_blocked(a, b).await?, self.is_blocked(b, a).await?))
    }
}

/// Privacy rules per user and key (account.getPrivacy / setPrivacy).
#[async_trait]
pub trait PrivacyStore: Send + Sync {
    /// `None` when the user never set this key (the caller applies the default).
    async fn get_rules(
        &self,
        user_id: i64,
        key: PrivacyKey,
    ) -> StorageResult<Option<Vec<PrivacyRule>>>;
    /// Rules of `key` for each of `user_ids` that set it.
    async fn get_rules_many(
        &self,
        user_ids: &[i64],
        key: PrivacyKey,
    ) -> StorageResult<HashMap<i64, Vec<PrivacyRule>>>;
    /// Replaces the whole list.
    async fn set_rules(
        &self,
        user_id: i64,
        key: PrivacyKey,
        rules: &[PrivacyRule],
        now: i64,
    ) -> StorageResult<()>;
}

/// Accounts the server itself runs, such as 777000 "Telegram" (login codes, notices).
#[async_trait]
pub trait ServiceUserStore: Send + Sync {
    /// Creates `user` with its own id unless that id exists; returns the stored account.
    /// `Conflict` if another account holds the phone.
    async fn ensure_user(&self, user: UserRecord) -> StorageResult<UserRecord>;
}

#[cfg(test)]
mod tests {
    use super::PrivacyRule;

    #[test]
    fn rule_lists_round_trip() {
        let rules = vec![
            PrivacyRule::AllowUsers(vec![5, -7]),
            PrivacyRule::DisallowChatParticipants(vec![9]),
            PrivacyRule::AllowContacts,
            PrivacyRule::DisallowUsers(Vec::new()),
            PrivacyRule::DisallowAll,
        ];
        let text = PrivacyRule::encode_list(&rules);
        assert_eq!(PrivacyRule::decode_list(&text), Some(rules));
        assert_eq!(PrivacyRule::decode_list(""), Some(Vec::new()));
        assert_eq!(PrivacyRule::decode_list("allow_users:x"), None);
        assert_eq!(PrivacyRule::decode_list("nonsense"), None);
    }
}
