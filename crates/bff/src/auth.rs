//! `auth.*`: login by phone code (core.telegram.org/api/auth, /method/auth.sendCode,
//! /method/auth.signIn, /method/auth.signUp, /method/auth.logOut).
//!
//! There is no SMS gateway: the code goes to the configured `CodeSender` (the log by default;
//! always 12345 with `dev_codes`). Banned accounts get PHONE_NUMBER_BANNED. A code lives `CODE_TTL_SECS` and dies after `MAX_CODE_ATTEMPTS` wrong tries
//! (then PHONE_CODE_EXPIRED).
//! auth.signUp is only possible with a hash whose code auth.signIn accepted for a phone that
//! had no account; that fact is stored with the code (`PhoneCodeRecord::verified`).
//! auth.bindTempAuthKey (core.telegram.org/method/auth.bindTempAuthKey, /api/pfs) binds the
//! temp key a call arrives on to a permanent key after verifying the binding message.
//!
//! Account security lives in the submodules: the cloud password with SRP (`password`, `srp`),
//! QR login (`qr`), the list and termination of authorizations (`authorizations`) and the
//! flood limits of these flows (`flood`). Every login ends in [`complete_login`]; accounts
//! with a password pass [`require_password`] first (401 SESSION_PASSWORD_NEEDED).

use std::sync::Arc;

mod authorizations;
mod flood;
mod password;
mod qr;
pub mod srp;

use echo_storage::{NewUser, PendingLogin, PhoneCodeRecord, StorageError, UserRecord};
use echo_tl::{enums, functions, types};
use rand::Rng;

use crate::context::{BffDeps, RpcContext, RpcError};
use crate::convert;
use crate::router::Router;

/// How long a login code stays valid.
pub const CODE_TTL_SECS: i64 = 300;
/// Wrong codes accepted per hash before it expires.
pub const MAX_CODE_ATTEMPTS: i32 = 5;
/// Login code length (`sentCodeType*.length`).
pub const CODE_LENGTH: i32 = 5;
/// The code every phone gets when `ServerConfig::dev_codes` is on.
pub const DEV_CODE: &str = "12345";
/// E.164 allows at most 15 digits; shorter than 5 is no phone number anywhere.
const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 5..=15;
/// Longest first or last name, in characters.
pub const NAME_MAX_CHARS: usize = 64;
const FLOOD_WINDOW_SECS: i64 = 3600;

pub fn register(r: &mut Router) {
    r.public_method(send_code);
    r.public_method(sign_in);
    r.public_method(sign_up);
    r.method(log_out);
    r.public_method(bind_temp_auth_key);
    password::register(r);
    qr::register(r);
    authorizations::register(r);
}

/// How long a key that passed the login code may take to enter the cloud password.
pub const PENDING_LOGIN_TTL_SECS: i64 = 3600;

/// "+1 (555) 000-1" → "15550001". Only digits and the usual separators are accepted.
pub fn normalize_phone(raw: &str) -> Result<String, RpcError> {
    let invalid = || RpcError::bad_request("PHONE_NUMBER_INVALID");
    let mut digits = String::new();
    for c in raw.chars() {
        match c {
            '0'..='9' if digits.len() < *PHONE_DIGITS.end() => digits.push(c),
            '0'..='9' => return Err(invalid()),
            '+' | ' ' | '-' | '(' | ')' | '.' => {}
            _ => return Err(invalid()),
        }
    }
    if PHONE_DIGITS.contains(&digits.len()) {
        Ok(digits)
    } else {
        Err(invalid())
    }
}

/// Trims a name and checks its length; `error` is the method's error string for it.
pub fn validate_name(raw: &str, allow_empty: bool, error: &str) -> Result<String, RpcError> {
    let name = raw.trim();
    let chars = name.chars().count();
    if (chars == 0 && !allow_empty) || chars > NAME_MAX_CHARS || name.chars().any(char::is_control)
    {
        return Err(RpcError::bad_request(error));
    }
    Ok(name.to_string())
}

fn new_code(dev_codes: bool) -> String {
    if dev_codes {
        DEV_CODE.to_string()
    } else {
        format!("{:05}", rand::thread_rng().gen_range(0..100_000))
    }
}

fn new_code_hash() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Seconds until `phone` may get another code: the window frees up once the oldest of the
/// last `limit` codes is more than an hour old. Found by bisection over `count_since`, which
/// only runs on the refusal path.
async fn flood_wait_secs(
    deps: &BffDeps,
    phone: &str,
    limit: i64,
    now: i64,
) -> Result<i64, RpcError> {
    // Invariant: count_since(lo) >= limit, count_since(hi) < limit.
    let (mut lo, mut hi) = (now - FLOOD_WINDOW_SECS, now + 1);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if deps.storage.phone_codes.count_since(phone, mid).await? >= limit {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok((lo + FLOOD_WINDOW_SECS - now).max(1))
}

/// Accounts banned by an operator (admin API) may not log in: PHONE_NUMBER_BANNED.
async fn refuse_banned(deps: &BffDeps, phone: &str) -> Result<(), RpcError> {
    if deps.storage.admin.is_phone_banned(phone).await? {
        return Err(RpcError::bad_request("PHONE_NUMBER_BANNED"));
    }
    Ok(())
}

async fn send_code(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::auth::SendCode,
) -> Result<enums::auth::SentCode, RpcError> {
    let phone = normalize_phone(&req.phone_number)?;
    refuse_banned(&deps, &phone).await?;
    let ip = flood::limited_ip(&deps, &ctx);
    if let Some(ip) = &ip {
        flood::refuse_if_flooded(&deps, flood::Limit::SendCodePerIp, ip, ctx.now).await?;
    }
    let limit = deps.config.send_code_per_hour;
    if limit > 0 {
        let recent = deps
            .storage
            .phone_codes
            .count_since(&phone, ctx.now - FLOOD_WINDOW_SECS)
            .await?;
        if recent >= limit {
            let wait = flood_wait_secs(&deps, &phone, limit, ctx.now).await?;
            return Err(RpcError::flood_wait(wait));
        }
    }
    let code = new_code(deps.config.dev_codes);
    let phone_code_hash = new_code_hash();
    deps.storage
        .phone_codes
        .put(PhoneCodeRecord {
            phone_code_hash: phone_code_hash.clone(),
            phone: phone.clone(),
            code: code.clone(),
            created_at: ctx.now,
            expires_at: ctx.now + CODE_TTL_SECS,
            attempts: 0,
            verified: false,
        })
        .await?;
    if let Some(ip) = &ip {
        flood::count(&deps, flood::Limit::SendCodePerIp, ip, ctx.now).await?;
    }
    if let Err(e) = deps.code_sender.send(&phone, &code).await {
        // The code stays valid: operators can still read it through the admin API.
        tracing::warn!(phone = %phone, error = %e, "login code not delivered");
    }
    let account = deps.storage.users.get_by_phone(&phone).await?;
    if let Some(user) = &account {
        // In the app too: a message from 777000 to the devices already logged in.
        if let Err(e) = crate::contacts::deliver_login_code(&deps, user.id, &code, ctx.now).await {
            tracing::warn!(user_id = user.id, error = %e, "login code not sent in the app");
        }
    }
    let registered = account.is_some();
    // Telegram sends registered users the code in the app, others by SMS.
    let r#type = if registered {
        enums::auth::SentCodeType::App(types::auth::SentCodeTypeApp {
            length: CODE_LENGTH,
        })
    } else {
        enums::auth::SentCodeType::Sms(types::auth::SentCodeTypeSms {
            length: CODE_LENGTH,
        })
    };
    Ok(enums::auth::SentCode::Code(types::auth::SentCode {
        r#type,
        phone_code_hash,
        next_type: None,
        timeout: None,
    }))
}

/// The code record behind `hash`, if it is still usable for `phone`.
async fn live_code(
    deps: &BffDeps,
    hash: &str,
    phone: &str,
    now: i64,
) -> Result<PhoneCodeRecord, RpcError> {
    if hash.is_empty() {
        return Err(RpcError::bad_request("PHONE_CODE_HASH_EMPTY"));
    }
    let expired = || RpcError::bad_request("PHONE_CODE_EXPIRED");
    let record = deps
        .storage
        .phone_codes
        .get(hash)
        .await?
        .ok_or_else(expired)?;
    if record.phone != phone {
        return Err(RpcError::bad_request("PHONE_NUMBER_INVALID"));
    }
    // Dead codes stay stored until they age out of the flood window: deleting them would let
    // a caller reset the per-phone limit by burning codes.
    if record.expires_at <= now || record.attempts >= MAX_CODE_ATTEMPTS {
        return Err(expired());
    }
    Ok(record)
}

async fn log_in(deps: &BffDeps, perm_key: i64, user_id: i64, now: i64) -> Result<(), RpcError> {
    deps.authsession.bind_user(perm_key, user_id, now).await?;
    Ok(())
}

pub(crate) fn authorization(user: enums::User) -> enums::auth::Authorization {
    enums::auth::Authorization::Authorization(types::auth::Authorization {
        setup_password_required: false,
        otherwise_relogin_days: None,
        tmp_sessions: None,
        future_auth_token: None,
        user,
    })
}

/// For an account with a cloud password: records that key `perm` passed the first factor
/// and answers 401 SESSION_PASSWORD_NEEDED (auth.checkPassword finishes the login).
pub(crate) async fn require_password(
    deps: &BffDeps,
    perm: i64,
    user_id: i64,
    now: i64,
) -> Result<(), RpcError> {
    if deps
        .storage
        .passwords
        .get_password(user_id)
        .await?
        .is_none()
    {
        return Ok(());
    }
    deps.storage
        .passwords
        .put_pending_login(PendingLogin {
            auth_key_id: perm,
            user_id,
            expires_at: now + PENDING_LOGIN_TTL_SECS,
        })
        .await?;
    tracing::info!(user_id, perm, "login waits for the cloud password");
    Err(RpcError::new(401, "SESSION_PASSWORD_NEEDED"))
}

/// The last step of every login (code, password, QR token): logs `user` in on `perm`,
/// drops what the login left behind and tells the user's other devices.
pub(crate) async fn complete_login(
    deps: &BffDeps,
    ctx: &RpcContext,
    perm: i64,
    user: &UserRecord,
) -> Result<enums::auth::Authorization, RpcError> {
    deps.storage.passwords.delete_pending_login(perm).await?;
    deps.storage.login_tokens.delete_login_tokens(perm).await?;
    log_in(deps, perm, user.id, ctx.now).await?;
    tracing::info!(user_id = user.id, perm, "signed in");
    authorizations::announce_login(deps, ctx, perm, user).await;
    Ok(authorization(convert::user(user, user.id, ctx.now)))
}

async fn sign_in(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::auth::SignIn,
) -> Result<enums::auth::Authorization, RpcError> {
    let phone = normalize_phone(&req.phone_number)?;
    let code = req.phone_code.unwrap_or_default();
    if code.is_empty() {
        return Err(RpcError::bad_request("PHONE_CODE_EMPTY"));
    }
    let perm_key = ctx.perm_key()?;
    refuse_banned(&deps, &phone).await?;
    let hash = req.phone_code_hash;
    let record = live_code(&deps, &hash, &phone, ctx.now).await?;
    // Before the code is compared: once a phone used up its wrong tries, even the right
    // code waits, or brute force would only need more hashes.
    flood::refuse_if_flooded(&deps, flood::Limit::WrongCodes, &phone, ctx.now).await?;
    if record.code != code.trim() {
        deps.storage.phone_codes.record_attempt(&hash).await?;
        flood::count(&deps, flood::Limit::WrongCodes, &phone, ctx.now).await?;
        return Err(RpcError::bad_request("PHONE_CODE_INVALID"));
    }
    match deps.storage.users.get_by_phone(&phone).await? {
        Some(user) => {
            deps.storage.phone_codes.delete(&hash).await?;
            require_password(&deps, perm_key, user.id, ctx.now).await?;
            complete_login(&deps, &ctx, perm_key, &user).await
        }
        None => {
            // Durable, so signUp on another instance or after a restart sees it.
            deps.storage.phone_codes.mark_verified(&hash).await?;
            Ok(enums::auth::Authorization::SignUpRequired(
                types::auth::AuthorizationSignUpRequired {
                    terms_of_service: None,
                },
            ))
        }
    }
}

async fn sign_up(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::auth::SignUp,
) -> Result<enums::auth::Authorization, RpcError> {
    let phone = normalize_phone(&req.phone_number)?;
    let first_name = validate_name(&req.first_name, false, "FIRST_NAME_INVALID")?;
    let last_name = validate_name(&req.last_name, true, "LASTNAME_INVALID")?;
    let perm_key = ctx.perm_key()?;
    let hash = req.phone_code_hash;
    let record = live_code(&deps, &hash, &phone, ctx.now).await?;
    if !record.verified {
        // No correct code was entered with this hash: sign-up needs auth.signIn first.
        return Err(RpcError::bad_request("PHONE_CODE_INVALID"));
    }
    if deps.storage.users.get_by_phone(&phone).await?.is_some() {
        return Err(RpcError::bad_request("PHONE_NUMBER_OCCUPIED"));
    }
    let access_hash = loop {
        let h: i64 = rand::random();
        if h != 0 {
            break h;
        }
    };
    let created = deps
        .storage
        .users
        .create(NewUser {
            phone,
            first_name,
            last_name,
            access_hash,
            now: ctx.now,
        })
        .await;
    let user = match created {
        Ok(user) => user,
        Err(StorageError::Conflict(_)) => {
            return Err(RpcError::bad_request("PHONE_NUMBER_OCCUPIED"))
        }
        Err(e) => return Err(e.into()),
    };
    deps.storage.phone_codes.delete(&hash).await?;
    // Whoever imported this phone before gets the new user as a contact.
    crate::contacts::on_sign_up(&deps, &user, ctx.now).await;
    log_in(&deps, perm_key, user.id, ctx.now).await?;
    tracing::info!(user_id = user.id, perm_key, "signed up");
    Ok(authorization(convert::user(&user, user.id, ctx.now)))
}

async fn log_out(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    _req: functions::auth::LogOut,
) -> Result<enums::auth::LoggedOut, RpcError> {
    deps.authsession.log_out(ctx.perm_key()?).await?;
    Ok(enums::auth::LoggedOut::Out(types::auth::LoggedOut {
        future_auth_token: None,
    }))
}

async fn bind_temp_auth_key(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::auth::BindTempAuthKey,
) -> Result<bool, RpcError> {
    use echo_mtproto::handshake::bind::{verify_binding, BindContext, BindRequest};
    let invalid = || RpcError::bad_request("ENCRYPTED_MESSAGE_INVALID");
    let temp = deps.authsession.get_auth_key(ctx.auth_key_id).await?;
    if !matches!(temp, Some(ref k) if k.kind != echo_storage::AuthKeyKind::Perm) {
        return Err(RpcError::bad_request("TEMP_AUTH_KEY_EMPTY"));
    }
    let Some(perm) = deps.authsession.get_auth_key(req.perm_auth_key_id).await? else {
        return Err(invalid());
    };
    if perm.kind != echo_storage::AuthKeyKind::Perm {
        return Err(invalid());
    }
    let perm_key = echo_mtproto::crypto::AuthKey::from_bytes(perm.auth_key);
    let request = BindRequest {
        perm_auth_key_id: req.perm_auth_key_id,
        nonce: req.nonce,
        expires_at: req.expires_at,
        encrypted_message: &req.encrypted_message,
    };
    let context = BindContext {
        temp_auth_key_id: ctx.auth_key_id,
        session_id: ctx.session_id,
        msg_id: ctx.msg_id,
    };
    verify_binding(&perm_key, &request, &context).map_err(|e| {
        tracing::debug!(error = %e, "auth.bindTempAuthKey refused");
        invalid()
    })?;
    if i64::from(req.expires_at) <= ctx.now {
        return Err(RpcError::bad_request("EXPIRES_AT_INVALID"));
    }
    deps.authsession
        .bind_temp_auth_key(
            ctx.auth_key_id,
            req.perm_auth_key_id,
            i64::from(req.expires_at),
        )
        .await?;
    tracing::debug!(
        temp = ctx.auth_key_id,
        perm = req.perm_auth_key_id,
        "temp key bound"
    );
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalize_to_digits() {
        assert_eq!(normalize_phone("+1 555-0001").unwrap(), "15550001");
        assert_eq!(normalize_phone("(15) 550.001").unwrap(), "15550001");
        for bad in [
            "",
            "+",
            "1234",
            "1234567890123456",
            "1555000a",
            "１５５５０００１",
        ] {
            assert_eq!(
                normalize_phone(bad).unwrap_err().message,
                "PHONE_NUMBER_INVALID",
                "{bad}"
            );
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(validate_name("  Ann ", false, "X").unwrap(), "Ann");
        assert!(validate_name("   ", false, "X").is_err());
        assert_eq!(validate_name("", true, "X").unwrap(), "");
        assert!(validate_name(&"a".repeat(65), false, "X").is_err());
        assert!(validate_name(&"é".repeat(64), false, "X").is_ok());
        assert!(validate_name("a\nb", false, "X").is_err());
    }

    #[test]
    fn codes_and_hashes_have_the_right_shape() {
        assert_eq!(new_code(true), DEV_CODE);
        let code = new_code(false);
        assert_eq!(code.len(), 5);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        let hash = new_code_hash();
        assert_eq!(hash.len(), 32);
        assert_ne!(hash, new_code_hash());
    }
}
