//! `contacts.*` address book methods (core.telegram.org/api/contacts,
//! /method/contacts.importContacts, /method/contacts.getContacts, /method/contacts.addContact,
//! /method/contacts.deleteContacts, /method/contacts.deleteByPhones,
//! /method/contacts.getStatuses, /method/contacts.getContactIDs).
//!
//! Phones imported before anyone registered them are remembered; when the phone signs up
//! ([`on_sign_up`]) the importers get the new user as a contact.
//! Submodules: [`view`] builds per-viewer user objects, `lookup` finds users (search,
//! resolveUsername, resolvePhone), `blocks` blocks them, `privacy` is account.get/setPrivacy,
//! `service` runs the 777000 account that sends login codes.

mod blocks;
mod lookup;
mod privacy;
mod service;
mod status;
pub mod view;

use std::sync::Arc;

use echo_storage::{ImportedPhone, NewContact, UserRecord};
use echo_tl::{enums, functions, types};

use crate::auth::normalize_phone;
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;
use crate::router::Router;
use crate::users::resolve_user;

pub use service::{deliver_login_code, deliver_service_message, ensure_service_user, service_user};
pub use status::{push_own_name, push_photo, push_status};

/// Most entries one contacts.importContacts call takes; the rest come back in
/// `retry_contacts` for the client to send again.
pub const IMPORT_BATCH_MAX: usize = 500;
/// Longest saved first or last name, in characters (as for a profile name).
const NAME_MAX_CHARS: usize = 64;

pub fn register(r: &mut Router) {
    r.method(import_contacts);
    r.method(get_contacts);
    r.method(get_contact_ids);
    r.method(delete_contacts);
    r.method(delete_by_phones);
    r.method(add_contact);
    r.method(get_statuses);
    lookup::register(r);
    blocks::register(r);
    privacy::register(r);
}

/// A newly registered user becomes a contact of everyone who imported their phone before.
/// Failures are logged, never fatal to the sign-up.
pub async fn on_sign_up(deps: &BffDeps, user: &UserRecord, now: i64) {
    match deps.storage.contacts.claim_phone(user, now).await {
        Ok(importers) if !importers.is_empty() => {
            tracing::info!(
                user_id = user.id,
                importers = importers.len(),
                "imported phone signed up"
            );
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, user_id = user.id, "claiming imported phone failed"),
    }
}

/// Trims a saved name and cuts it to the allowed length (importing never fails on a name).
fn saved_name(raw: &str) -> String {
    raw.trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(NAME_MAX_CHARS)
        .collect()
}

/// Telegram's cache hash (core.telegram.org/api/offsets#hash-generation) over `values`.
pub fn telegram_hash(values: impl IntoIterator<Item = i64>) -> i64 {
    let mut hash: u64 = 0;
    for value in values {
        hash ^= hash >> 21;
        hash ^= hash << 35;
        hash ^= hash >> 4;
        hash = hash.wrapping_add(value as u64);
    }
    hash as i64
}

/// An `updates` container carrying only users (what addContact / deleteContacts answer).
fn users_only(users: Vec<enums::User>, now: i64) -> enums::Updates {
    enums::Updates::Updates(types::Updates {
        updates: Vec::new(),
        users,
        chats: Vec::new(),
        date: tl_date(now),
        seq: 0,
    })
}

async fn import_contacts(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::contacts::ImportContacts,
) -> Result<enums::contacts::ImportedContacts, RpcError> {
    let me = ctx.user()?;
    let mut imported = Vec::new();
    let mut popular_invites = Vec::new();
    let mut found: Vec<UserRecord> = Vec::new();
    let retry_contacts = req
        .contacts
        .iter()
        .skip(IMPORT_BATCH_MAX)
        .map(|c| match c {
            enums::InputContact::InputPhoneContact(c) => c.client_id,
        })
        .collect();
    for contact in req.contacts.iter().take(IMPORT_BATCH_MAX) {
        let enums::InputContact::InputPhoneContact(contact) = contact;
        // A malformed number cannot belong to anyone: skip it like Telegram does.
        let Ok(phone) = normalize_phone(&contact.phone) else {
            continue;
        };
        let first_name = saved_name(&contact.first_name);
        let last_name = saved_name(&contact.last_name);
        match deps.storage.users.get_by_phone(&phone).await? {
            Some(user) if user.deleted => {}
            Some(user) if user.id == me => {}
            Some(user) => {
                deps.storage
                    .contacts
                    .upsert(
                        me,
                        NewContact {
                            contact_id: user.id,
                            first_name,
                            last_name,
                            knows_phone: true,
                            share_phone: false,
                            now: ctx.now,
                        },
                    )
                    .await?;
                imported.push(enums::ImportedContact::Contact(types::ImportedContact {
                    user_id: user.id,
                    client_id: contact.client_id,
                }));
                if !found.iter().any(|u| u.id == user.id) {
                    found.push(user);
                }
            }
            None => {
                deps.storage
                    .contacts
                    .import_phone(ImportedPhone {
                        owner_id: me,
                        phone: phone.clone(),
                        first_name,
                        last_name,
                        client_id: contact.client_id,
                        created_at: ctx.now,
                    })
                    .await?;
                let importers = deps.storage.contacts.phone_importers(&phone).await?;
                popular_invites.push(enums::PopularContact::Contact(types::PopularContact {
                    client_id: contact.client_id,
                    importers: i32::try_from(importers).unwrap_or(i32::MAX),
                }));
            }
        }
    }
    let users = view::users_for(&deps, me, &found, ctx.now).await?;
    Ok(enums::contacts::ImportedContacts::Contacts(
        types::contacts::ImportedContacts {
            imported,
            popular_invites,
            retry_contacts,
            users,
        },
    ))
}

async fn get_contacts(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::contacts::GetContacts,
) -> Result<enums::contacts::Contacts, RpcError> {
    let me = ctx.user()?;
    let list = deps.storage.contacts.list(me).await?;
    // saved_count (always 0 here) first, then the sorted contact ids.
    let hash = telegram_hash(std::iter::once(0).chain(list.iter().map(|c| c.contact_id)));
    if req.hash != 0 && req.hash == hash {
        return Ok(enums::contacts::Contacts::NotModified);
    }
    let ids: Vec<i64> = list.iter().map(|c| c.contact_id).collect();
    let users = view::users_by_id(&deps, me, &ids, ctx.now).await?;
    let contacts = list
        .iter()
        .map(|c| {
            enums::Contact::Contact(types::Contact {
                user_id: c.contact_id,
                mutual: c.mutual,
            })
        })
        .collect();
    Ok(enums::contacts::Contacts::Contacts(
        types::contacts::Contacts {
            contacts,
            saved_count: 0,
            users,
        },
    ))
}

async fn get_contact_ids(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::contacts::GetContactIds,
) -> Result<Vec<i32>, RpcError> {
    let me = ctx.user()?;
    let list = deps.storage.contacts.list(me).await?;
    let hash = telegram_hash(list.iter().map(|c| c.contact_id));
    if req.hash != 0 && req.hash == hash {
        return Ok(Vec::new());
    }
    // The method still speaks 32-bit ids; larger ones cannot be listed.
    Ok(list
        .iter()
        .filter_map(|c| i32::try_from(c.contact_id).ok())
        .collect())
}

async fn delete_contacts(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::contacts::DeleteContacts,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let mut targets = Vec::new();
    for input in &req.id {
        // Unknown users and wrong access hashes are skipped, never revealed.
        if let Ok(user) = resolve_user(&deps, input, me).await {
            if user.id != me {
                targets.push(user);
            }
        }
    }
    let ids: Vec<i64> = targets.iter().map(|u| u.id).collect();
    deps.storage.contacts.delete(me, &ids).await?;
    let users = view::users_for(&deps, me, &targets, ctx.now).await?;
    Ok(users_only(users, ctx.now))
}

async fn delete_by_phones(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::contacts::DeleteByPhones,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    let phones: Vec<String> = req
        .phones
        .iter()
        .filter_map(|p| normalize_phone(p).ok())
        .collect();
    deps.storage
        .contacts
        .delete_imported_phones(me, &phones)
        .await?;
    let mut ids = Vec::new();
    for phone in &phones {
        if let Some(user) = deps.storage.users.get_by_phone(phone).await? {
            ids.push(user.id);
        }
    }
    deps.storage.contacts.delete(me, &ids).await?;
    Ok(true)
}

async fn add_contact(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::contacts::AddContact,
) -> Result<enums::Updates, RpcError> {
    let me = ctx.user()?;
    let user = resolve_user(&deps, &req.id, me).await?;
    if user.id == me || user.deleted {
        return Err(RpcError::bad_request("CONTACT_ID_INVALID"));
    }
    let first_name = saved_name(&req.first_name);
    if first_name.is_empty() {
        return Err(RpcError::bad_request("CONTACT_NAME_EMPTY"));
    }
    // Knowing the phone counts only if the caller typed the user's actual number.
    let knows_phone = normalize_phone(&req.phone).is_ok_and(|p| p == user.phone);
    deps.storage
        .contacts
        .upsert(
            me,
            NewContact {
                contact_id: user.id,
                first_name,
                last_name: saved_name(&req.last_name),
                knows_phone,
                share_phone: req.add_phone_privacy_exception,
                now: ctx.now,
            },
        )
        .await?;
    let users = view::users_for(&deps, me, std::slice::from_ref(&user), ctx.now).await?;
    Ok(users_only(users, ctx.now))
}

async fn get_statuses(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    _req: functions::contacts::GetStatuses,
) -> Result<Vec<enums::ContactStatus>, RpcError> {
    let me = ctx.user()?;
    let ids: Vec<i64> = deps
        .storage
        .contacts
        .list(me)
        .await?
        .iter()
        .map(|c| c.contact_id)
        .collect();
    let users = view::users_by_id(&deps, me, &ids, ctx.now).await?;
    Ok(users
        .into_iter()
        .filter_map(|u| match u {
            enums::User::User(u) => Some(enums::ContactStatus::Status(types::ContactStatus {
                user_id: u.id,
                status: u.status.unwrap_or(enums::UserStatus::Empty),
            })),
            enums::User::Empty(_) => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_follows_the_documented_steps() {
        assert_eq!(telegram_hash(std::iter::empty()), 0);
        assert_eq!(telegram_hash([5]), 5);
        // Second step: h=5 → 5 ^ (5>>21)=5 → 5 ^ (5<<35) → that ^ (that>>4), then + 7.
        let mut h: u64 = 5;
        h ^= h >> 21;
        h ^= h << 35;
        h ^= h >> 4;
        assert_eq!(telegram_hash([5, 7]), h.wrapping_add(7) as i64);
        assert_ne!(telegram_hash([5, 7]), telegram_hash([7, 5]));
    }

    #[test]
    fn saved_names_are_trimmed_and_capped() {
        assert_eq!(saved_name("  Ann \n"), "Ann");
        assert_eq!(saved_name(&"x".repeat(100)).chars().count(), NAME_MAX_CHARS);
    }
}
