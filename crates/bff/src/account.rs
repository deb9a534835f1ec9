//! `account.*`: the caller's own profile and presence (core.telegram.org/method/account.updateStatus,
//! /method/account.getNotifySettings, /method/account.updateProfile,
//! /method/account.checkUsername, /method/account.updateUsername).

use std::sync::Arc;

use echo_storage::StorageError;
use echo_tl::{enums, functions};

use crate::auth::validate_name;
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert::{self, ONLINE_SECS};
use crate::router::Router;

/// Longest "about" text of a non-premium account, in characters.
pub const ABOUT_MAX_CHARS: usize = 70;
const USERNAME_CHARS: std::ops::RangeInclusive<usize> = 5..=32;

pub fn register(r: &mut Router) {
    r.method(update_status);
    r.method(get_notify_settings);
    r.method(update_profile);
    r.method(check_username);
    r.method(update_username);
}

async fn update_status(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::account::UpdateStatus,
) -> Result<bool, RpcError> {
    // last_seen_at is "seen online until": ahead of now while online (see convert::user_status).
    let until = if req.offline {
        ctx.now
    } else {
        ctx.now + ONLINE_SECS
    };
    let me = ctx.user()?;
    deps.storage.users.set_last_seen(me, until).await?;
    // Contacts see the change live; a failed push is only a stale status until they refetch.
    if let Err(e) = crate::contacts::push_status(&deps, me, ctx.now).await {
        tracing::warn!(user_id = me, error = %e, "status push failed");
    }
    Ok(true)
}

async fn get_notify_settings(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::account::GetNotifySettings,
) -> Result<enums::PeerNotifySettings, RpcError> {
    ctx.user()?;
    // A peer the caller may not see is PEER_ID_INVALID, exactly as for one that does not exist.
    if let enums::InputNotifyPeer::Peer(p) = &req.peer {
        crate::messages::resolve_peer(&deps, &ctx, &p.peer).await?;
    }
    // Nothing stores per-peer settings yet, so every peer has the defaults.
    Ok(convert::default_notify_settings())
}

async fn update_profile(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::account::UpdateProfile,
) -> Result<enums::User, RpcError> {
    let me = ctx.user()?;
    let first_name = req
        .first_name
        .map(|n| validate_name(&n, false, "FIRST_NAME_INVALID"))
        .transpose()?;
    let last_name = req
        .last_name
        .map(|n| validate_name(&n, true, "LASTNAME_INVALID"))
        .transpose()?;
    let about = req
        .about
        .map(|a| {
            let a = a.trim().to_string();
            if a.chars().count() > ABOUT_MAX_CHARS {
                Err(RpcError::bad_request("ABOUT_TOO_LONG"))
            } else {
                Ok(a)
            }
        })
        .transpose()?;
    let rec = deps
        .storage
        .users
        .update_profile(me, first_name, last_name, about)
        .await?;
    crate::contacts::push_own_name(&deps, &ctx, &rec).await;
    Ok(convert::user(&rec, me, ctx.now))
}

/// Telegram's username rules: 5–32 of A–Z, a–z, 0–9 and `_`, starting with a letter, not
/// ending with `_`, no `__`.
pub fn valid_username(name: &str) -> bool {
    USERNAME_CHARS.contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && !name.ends_with('_')
        && !name.contains("__")
}

/// Whether another user than `me`, or a channel, holds `name` (in any letter case): users
/// and channels share one namespace.
async fn taken_by_other(deps: &BffDeps, name: &str, me: i64) -> Result<bool, RpcError> {
    crate::channels::username_taken(deps, name, Some(me), None).await
}

async fn check_username(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::account::CheckUsername,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    if !valid_username(&req.username) {
        return Err(RpcError::bad_request("USERNAME_INVALID"));
    }
    if taken_by_other(&deps, &req.username, me).await? {
        return Err(RpcError::bad_request("USERNAME_OCCUPIED"));
    }
    Ok(true)
}

async fn update_username(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::account::UpdateUsername,
) -> Result<enums::User, RpcError> {
    let me = ctx.user()?;
    // An empty username removes it.
    let wanted = (!req.username.is_empty()).then_some(req.username);
    if let Some(name) = &wanted {
        if !valid_username(name) {
            return Err(RpcError::bad_request("USERNAME_INVALID"));
        }
        if taken_by_other(&deps, name, me).await? {
            return Err(RpcError::bad_request("USERNAME_OCCUPIED"));
        }
    }
    let current = crate::users::me(&deps, &ctx).await?;
    if current.username == wanted {
        return Err(RpcError::bad_request("USERNAME_NOT_MODIFIED"));
    }
    let rec = match deps.storage.users.set_username(me, wanted).await {
        Ok(rec) => rec,
        Err(StorageError::Conflict(_)) => return Err(RpcError::bad_request("USERNAME_OCCUPIED")),
        Err(e) => return Err(e.into()),
    };
    crate::contacts::push_own_name(&deps, &ctx, &rec).await;
    Ok(convert::user(&rec, me, ctx.now))
}

#[cfg(test)]
mod tests {
    use super::valid_username;

    #[test]
    fn username_rules() {
        for good in ["alice", "Alice_99", "a2345", &"a".repeat(32)] {
            assert!(valid_username(good), "{good}");
        }
        for bad in [
            "",
            "abcd",
            "1alice",
            "_alice",
            "alice_",
            "al__ice",
            "alíce",
            "al ice",
            &"a".repeat(33),
        ] {
            assert!(!valid_username(bad), "{bad}");
        }
    }
}
