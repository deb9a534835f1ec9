//! Finding users: contacts.search, contacts.resolveUsername, contacts.resolvePhone
//! (core.telegram.org/method/contacts.search, /method/contacts.resolveUsername,
//! /method/contacts.resolvePhone).
//!
//! Contacts are found by the names the caller saved, their own names or their username;
//! everyone else only by username (a public handle), so a search never reveals who hides
//! behind a name.

use std::sync::Arc;

use echo_storage::{ContactRecord, UserRecord, MAX_PAGE};
use echo_tl::{enums, functions, types};

use super::view;
use crate::account::valid_username;
use crate::auth::normalize_phone;
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert;
use crate::router::Router;

/// Shortest query contacts.search accepts, in characters.
const SEARCH_MIN_CHARS: usize = 1;

pub fn register(r: &mut Router) {
    r.method(search);
    r.method(resolve_username);
    r.method(resolve_phone);
}

/// Whether any word of `text` starts with `query` (both already lowercase).
fn word_prefix(text: &str, query: &str) -> bool {
    text.to_lowercase()
        .split_whitespace()
        .any(|word| word.starts_with(query))
        || text.to_lowercase().starts_with(query)
}

fn contact_matches(entry: &ContactRecord, user: &UserRecord, query: &str) -> bool {
    [
        entry.first_name.as_str(),
        entry.last_name.as_str(),
        user.first_name.as_str(),
        user.last_name.as_str(),
        user.username.as_deref().unwrap_or(""),
    ]
    .iter()
    .any(|text| word_prefix(text, query))
}

fn user_peer(id: i64) -> enums::Peer {
    enums::Peer::User(types::PeerUser { user_id: id })
}

async fn search(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::contacts::Search,
) -> Result<enums::contacts::Found, RpcError> {
    let me = ctx.user()?;
    let query = req.q.trim().trim_start_matches('@').to_lowercase();
    if query.chars().count() < SEARCH_MIN_CHARS {
        return Err(RpcError::bad_request("QUERY_TOO_SHORT"));
    }
    let limit = usize::try_from(req.limit.clamp(1, MAX_PAGE)).unwrap_or(1);
    let contacts = deps.storage.contacts.list(me).await?;
    let contact_ids: Vec<i64> = contacts.iter().map(|c| c.contact_id).collect();
    let contact_users = deps.storage.users.get_many(&contact_ids).await?;
    let mut shown: Vec<UserRecord> = Vec::new();
    let mut my_results = Vec::new();
    for entry in &contacts {
        let Some(user) = contact_users.iter().find(|u| u.id == entry.contact_id) else {
            continue;
        };
        if my_results.len() < limit && !user.deleted && contact_matches(entry, user, &query) {
            my_results.push(user_peer(user.id));
            shown.push(user.clone());
        }
    }
    let mut results = Vec::new();
    let by_username = deps.storage.contacts.search_users(&query, MAX_PAGE).await?;
    for user in by_username {
        let public_match = user
            .username
            .as_deref()
            .is_some_and(|u| u.to_lowercase().starts_with(&query));
        if results.len() < limit && public_match && user.id != me && !contact_ids.contains(&user.id)
        {
            results.push(user_peer(user.id));
            shown.push(user);
        }
    }
    let users = view::users_for(&deps, me, &shown, ctx.now).await?;
    Ok(enums::contacts::Found::Found(types::contacts::Found {
        my_results,
        results,
        chats: Vec::new(),
        users,
    }))
}

async fn resolved(
    deps: &BffDeps,
    ctx: &RpcContext,
    me: i64,
    user: &UserRecord,
) -> Result<enums::contacts::ResolvedPeer, RpcError> {
    let users = vec![view::user_for(deps, me, user, ctx.now).await?];
    Ok(enums::contacts::ResolvedPeer::Peer(
        types::contacts::ResolvedPeer {
            peer: convert::peer(echo_storage::Peer::User(user.id)),
            chats: Vec::new(),
            users,
        },
    ))
}

async fn resolve_username(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::contacts::ResolveUsername,
) -> Result<enums::contacts::ResolvedPeer, RpcError> {
    let me = ctx.user()?;
    let name = req.username.trim().trim_start_matches('@');
    if !valid_username(name) {
        return Err(RpcError::bad_request("USERNAME_INVALID"));
    }
    let user = deps
        .storage
        .users
        .get_by_username(name)
        .await?
        .filter(|u| !u.deleted);
    if let Some(user) = user {
        return resolved(&deps, &ctx, me, &user).await;
    }
    // Users and channels share one namespace.
    crate::channels::resolve_channel_username(&deps, me, name)
        .await?
        .ok_or_else(|| RpcError::bad_request("USERNAME_NOT_OCCUPIED"))
}

async fn resolve_phone(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::contacts::ResolvePhone,
) -> Result<enums::contacts::ResolvedPeer, RpcError> {
    let me = ctx.user()?;
    let not_found = || RpcError::bad_request("PHONE_NOT_OCCUPIED");
    let phone = normalize_phone(&req.phone).map_err(|_| not_found())?;
    let user = deps
        .storage
        .users
        .get_by_phone(&phone)
        .await?
        .filter(|u| !u.deleted)
        .ok_or_else(not_found)?;
    resolved(&deps, &ctx, me, &user).await
}

#[cfg(test)]
mod tests {
    use super::word_prefix;

    #[test]
    fn word_prefixes() {
        assert!(word_prefix("Ann Lee", "le"));
        assert!(word_prefix("Ann Lee", "ann l"));
        assert!(!word_prefix("Ann Lee", "nn"));
        assert!(!word_prefix("", "a"));
    }
}
