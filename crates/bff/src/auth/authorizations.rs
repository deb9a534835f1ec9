//! The user's logged-in devices (core.telegram.org/api/auth, /method/account.getAuthorizations,
//! /method/account.resetAuthorization, /method/auth.resetAuthorizations,
//! /method/account.setAuthorizationTTL) and the notice a new login sends to the others.
//!
//! Terminating an authorization logs its key out (the next call on it answers 401
//! AUTH_KEY_UNREGISTERED) and closes its live sessions, so it stops getting the user's
//! updates at once. The inactivity TTL is enforced whenever the user lists devices or logs in
//! somewhere: authorizations idle for longer are terminated then.

use std::sync::Arc;

use echo_storage::{AuthorizationRecord, UserRecord};
use echo_tl::{enums, functions, types};

use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;
use crate::router::Router;

/// account.authorizations.authorization_ttl_days before the user chose one.
pub const DEFAULT_TTL_DAYS: i32 = 180;
/// Range account.setAuthorizationTTL accepts (TTL_DAYS_INVALID outside).
const TTL_DAYS: std::ops::RangeInclusive<i32> = 1..=730;
const DAY_SECS: i64 = 86_400;

pub fn register(r: &mut Router) {
    r.method(get_authorizations);
    r.method(reset_authorization);
    r.method(reset_authorizations);
    r.method(set_authorization_ttl);
}

/// The TL view of one authorization; `current` marks the caller's own.
pub fn authorization_view(rec: &AuthorizationRecord, current: bool) -> enums::Authorization {
    let platform = rec
        .system_version
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_lowercase();
    enums::Authorization::Authorization(types::Authorization {
        current,
        official_app: false,
        password_pending: false,
        encrypted_requests_disabled: false,
        call_requests_disabled: false,
        unconfirmed: false,
        hash: rec.hash,
        device_model: rec.device_model.clone(),
        platform,
        system_version: rec.system_version.clone(),
        api_id: rec.api_id,
        app_name: format!("app {}", rec.api_id),
        app_version: rec.app_version.clone(),
        date_created: tl_date(rec.created_at),
        date_active: tl_date(rec.active_at),
        ip: rec.ip.clone(),
        // No GeoIP database: the location is unknown rather than made up.
        country: String::new(),
        region: String::new(),
    })
}

/// Logs the key out and closes its live sessions. Closing happens before and after the
/// log-out: a call racing the log-out could re-index a session under the user in between.
pub async fn terminate(deps: &BffDeps, user_id: i64, perm: i64) -> Result<(), RpcError> {
    let disconnect = || deps.messaging.sync.disconnect_auth_key(user_id, perm);
    if let Err(e) = disconnect().await {
        tracing::warn!(error = %e, "sessions of a terminated authorization not closed");
    }
    deps.authsession.log_out(perm).await?;
    deps.storage.passwords.delete_pending_login(perm).await?;
    deps.storage.login_tokens.delete_login_tokens(perm).await?;
    if let Err(e) = disconnect().await {
        tracing::warn!(error = %e, "sessions of a terminated authorization not closed");
    }
    tracing::info!(user_id, perm, "authorization terminated");
    Ok(())
}

async fn ttl_days(deps: &BffDeps, user_id: i64) -> Result<i32, RpcError> {
    Ok(deps
        .storage
        .authorization_ttls
        .get_authorization_ttl(user_id)
        .await?
        .unwrap_or(DEFAULT_TTL_DAYS))
}

/// The user's authorizations after terminating those idle longer than the TTL (never the
/// caller's own).
async fn live_authorizations(
    deps: &BffDeps,
    user_id: i64,
    own_perm: Option<i64>,
    now: i64,
) -> Result<Vec<AuthorizationRecord>, RpcError> {
    let idle_limit = i64::from(ttl_days(deps, user_id).await?) * DAY_SECS;
    let mut live = Vec::new();
    for rec in deps.storage.authorizations.list_for_user(user_id).await? {
        if Some(rec.auth_key_id) != own_perm && rec.active_at + idle_limit < now {
            terminate(deps, user_id, rec.auth_key_id).await?;
        } else {
            live.push(rec);
        }
    }
    Ok(live)
}

async fn get_authorizations(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    _req: functions::account::GetAuthorizations,
) -> Result<enums::account::Authorizations, RpcError> {
    let me = ctx.user()?;
    let own = ctx.perm_auth_key_id;
    let list = live_authorizations(&deps, me, own, ctx.now).await?;
    Ok(enums::account::Authorizations::Authorizations(
        types::account::Authorizations {
            authorization_ttl_days: ttl_days(&deps, me).await?,
            authorizations: list
                .iter()
                .map(|a| authorization_view(a, Some(a.auth_key_id) == own))
                .collect(),
        },
    ))
}

async fn reset_authorization(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::account::ResetAuthorization,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    let own = ctx.perm_key()?;
    let list = deps.storage.authorizations.list_for_user(me).await?;
    // The caller's own authorization ends with auth.logOut, not here.
    let Some(target) = list
        .iter()
        .find(|a| a.hash == req.hash && a.auth_key_id != own)
    else {
        return Err(RpcError::bad_request("HASH_INVALID"));
    };
    terminate(&deps, me, target.auth_key_id).await?;
    Ok(true)
}

async fn reset_authorizations(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    _req: functions::auth::ResetAuthorizations,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    let own = ctx.perm_key()?;
    for a in deps.storage.authorizations.list_for_user(me).await? {
        if a.auth_key_id != own {
            terminate(&deps, me, a.auth_key_id).await?;
        }
    }
    Ok(true)
}

async fn set_authorization_ttl(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::account::SetAuthorizationTtl,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    if !TTL_DAYS.contains(&req.authorization_ttl_days) {
        return Err(RpcError::bad_request("TTL_DAYS_INVALID"));
    }
    deps.storage
        .authorization_ttls
        .set_authorization_ttl(me, req.authorization_ttl_days)
        .await?;
    Ok(true)
}

/// `22/11/2026 at 04:11:00 UTC` for unix time `now` (proleptic Gregorian calendar).
fn utc_datetime(now: i64) -> String {
    let (days, secs) = (now.div_euclid(DAY_SECS), now.rem_euclid(DAY_SECS));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{day:02}/{month:02}/{year} at {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn new_login_text(user: &UserRecord, device: &str, ip: &str, now: i64) -> String {
    format!(
        "New login. Dear {}, we detected a login into your account from a new device on {}.\n\n\
         Device: {device}\nIP: {ip}\n\nIf this was you, you can ignore this message.\n\n\
         If this wasn't you, go to Settings > Devices and terminate that session, and set a \
         cloud password in Settings > Privacy and Security.",
        user.first_name,
        utc_datetime(now)
    )
}

/// A new login of `user` on `perm`: terminates idle authorizations, then a message from
/// 777000 and updateNewAuthorization to the user's other devices. Failures are logged:
/// the login itself already succeeded.
pub async fn announce_login(deps: &BffDeps, ctx: &RpcContext, perm: i64, user: &UserRecord) {
    let result = async {
        let others = live_authorizations(deps, user.id, Some(perm), ctx.now).await?;
        if others.iter().all(|a| a.auth_key_id == perm) {
            return Ok(());
        }
        let this = deps.storage.authorizations.get(perm).await?;
        let (hash, device, ip) = match &this {
            Some(a) => (
                a.hash,
                format!("{}, {}", a.device_model, a.app_version),
                a.ip.clone(),
            ),
            None => (0, "unknown device".to_string(), String::new()),
        };
        let text = new_login_text(user, &device, &ip, ctx.now);
        crate::contacts::deliver_service_message(deps, user.id, &text, ctx.now).await?;
        let update = enums::Updates::UpdateShort(types::UpdateShort {
            update: enums::Update::NewAuthorization(types::UpdateNewAuthorization {
                unconfirmed: false,
                hash,
                date: Some(tl_date(ctx.now)),
                device: Some(device),
                location: Some(ip),
            }),
            date: tl_date(ctx.now),
        });
        deps.messaging.push(user.id, Some(ctx), &update).await;
        Ok::<(), RpcError>(())
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(user_id = user.id, error = %e, "new-login notice not sent");
    }
}

#[cfg(test)]
mod tests {
    use super::utc_datetime;

    #[test]
    fn dates_are_utc_civil_dates() {
        assert_eq!(utc_datetime(0), "01/01/1970 at 00:00:00 UTC");
        assert_eq!(utc_datetime(1_800_000_000), "15/01/2027 at 08:00:00 UTC");
        assert_eq!(utc_datetime(951_782_400), "29/02/2000 at 00:00:00 UTC");
    }
}
