//! The cloud password (core.telegram.org/api/srp, /method/account.getPassword,
//! /method/account.updatePasswordSettings, /method/account.getPasswordSettings,
//! /method/auth.checkPassword).
//!
//! The server keeps only the SRP verifier the client computed (`v = g^x mod p`) and the
//! salts: the password and `x` never reach it. Every account.getPassword answer carries a
//! fresh challenge (`srp_id`, `srp_B`) whose secret `b` is stored, single use: answering it
//! consumes it, and a password change drops all of them, so an old `srp_id` gets
//! SRP_ID_INVALID. Wrong answers give PASSWORD_HASH_INVALID and count towards the
//! per-account limit (FLOOD_WAIT_X, `super::flood`).
//!
//! A recovery email is stored as given and shown by account.getPasswordSettings, but Echo
//! sends no email, so it is reported unconfirmed (`email_unconfirmed_pattern`,
//! `has_recovery` false) and email recovery is not offered.

use std::sync::Arc;

use echo_storage::{PasswordRecord, SrpChallenge};
use echo_tl::{enums, functions, types};

use super::flood::{self, Limit};
use super::srp;
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::router::Router;

/// How long an account.getPassword challenge can be answered.
pub const SRP_CHALLENGE_TTL_SECS: i64 = 600;
/// Bytes of the salt1 prefix the server proposes (the client appends 32 of its own).
const NEW_SALT1_LEN: usize = 8;
const NEW_SALT2_LEN: usize = 16;
/// Longest salt accepted from a client.
const MAX_SALT_LEN: usize = 128;
/// Longest hint, in characters.
pub const HINT_MAX_CHARS: usize = 128;

pub fn register(r: &mut Router) {
    // Callable before login too: a key between the code and the password needs it.
    r.public_method(get_password);
    r.method(get_password_settings);
    r.method(update_password_settings);
    r.public_method(check_password);
}

fn hash_invalid() -> RpcError {
    RpcError::bad_request("PASSWORD_HASH_INVALID")
}

fn random_bytes(n: usize) -> Vec<u8> {
    (0..n).map(|_| rand::random::<u8>()).collect()
}

fn algo(salt1: Vec<u8>, salt2: Vec<u8>) -> enums::PasswordKdfAlgo {
    enums::PasswordKdfAlgo::Sha256Sha256Pbkdf2Hmacsha512iter100000Sha256ModPow(
        types::PasswordKdfAlgoSha256Sha256Pbkdf2Hmacsha512iter100000Sha256ModPow {
            salt1,
            salt2,
            g: srp::generator(),
            p: srp::prime_bytes().to_vec(),
        },
    )
}

/// `a***@example.com`: how Telegram shows an email it does not want to reveal in full.
fn email_pattern(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// The user a password call acts for: the logged-in user, or the one whose login this key
/// is finishing (after SESSION_PASSWORD_NEEDED).
async fn acting_user(deps: &BffDeps, ctx: &RpcContext) -> Result<i64, RpcError> {
    if let Some(user) = ctx.user_id {
        return Ok(user);
    }
    let perm = ctx.perm_key()?;
    match deps.storage.passwords.get_pending_login(perm).await? {
        Some(p) if p.expires_at > ctx.now => Ok(p.user_id),
        _ => Err(RpcError::unauthorized()),
    }
}

async fn get_password(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    _req: functions::account::GetPassword,
) -> Result<enums::account::Password, RpcError> {
    let user_id = acting_user(&deps, &ctx).await?;
    let stored = deps.storage.passwords.get_password(user_id).await?;
    let mut answer = types::account::Password {
        has_recovery: false,
        has_secure_values: false,
        has_password: false,
        current_algo: None,
        srp_b: None,
        srp_id: None,
        hint: None,
        email_unconfirmed_pattern: None,
        new_algo: algo(random_bytes(NEW_SALT1_LEN), random_bytes(NEW_SALT2_LEN)),
        new_secure_algo: enums::SecurePasswordKdfAlgo::Pbkdf2Hmacsha512iter100000(
            types::SecurePasswordKdfAlgoPbkdf2Hmacsha512iter100000 {
                salt: random_bytes(NEW_SALT1_LEN),
            },
        ),
        secure_random: random_bytes(32),
        pending_reset_date: None,
        login_email_pattern: None,
    };
    if let Some(password) = stored {
        let secret_b = random_bytes(srp::SRP_LEN);
        let srp_b = srp::server_public(&password.verifier, &secret_b).map_err(|e| {
            tracing::error!(user_id, error = %e, "stored password verifier unusable");
            RpcError::internal()
        })?;
        let srp_id = rand::random::<i64>();
        deps.storage
            .passwords
            .put_srp_challenge(
                SrpChallenge {
                    srp_id,
                    user_id,
                    secret_b,
                    expires_at: ctx.now + SRP_CHALLENGE_TTL_SECS,
                },
                ctx.now,
            )
            .await?;
        answer.has_password = true;
        answer.current_algo = Some(algo(password.salt1, password.salt2));
        answer.srp_b = Some(srp_b.to_vec());
        answer.srp_id = Some(srp_id);
        answer.hint = Some(password.hint).filter(|h| !h.is_empty());
        answer.email_unconfirmed_pattern = password.email.as_deref().map(email_pattern);
    }
    Ok(enums::account::Password::Password(answer))
}

/// Checks `input` against `user_id`'s password. Ok for inputCheckPasswordEmpty only when
/// there is no password. Wrong answers count towards the flood limit.
async fn verify(
    deps: &BffDeps,
    user_id: i64,
    input: &enums::InputCheckPasswordSrp,
    now: i64,
) -> Result<Option<PasswordRecord>, RpcError> {
    let subject = user_id.to_string();
    flood::refuse_if_flooded(deps, Limit::WrongPasswords, &subject, now).await?;
    let stored = deps.storage.passwords.get_password(user_id).await?;
    let (stored, check) = match (stored, input) {
        (None, enums::InputCheckPasswordSrp::InputCheckPasswordEmpty) => return Ok(None),
        (Some(stored), enums::InputCheckPasswordSrp::Srp(check)) => (stored, check),
        // A password exists but none was given, or one was given where none is set.
        _ => return Err(hash_invalid()),
    };
    let challenge = deps
        .storage
        .passwords
        .take_srp_challenge(check.srp_id)
        .await?;
    let challenge = match challenge {
        Some(c) if c.user_id == user_id && c.expires_at > now => c,
        _ => return Err(RpcError::bad_request("SRP_ID_INVALID")),
    };
    let state = srp::ServerState {
        verifier: &stored.verifier,
        salt1: &stored.salt1,
        salt2: &stored.salt2,
        secret_b: &challenge.secret_b,
    };
    match srp::check_proof(state, &check.a, &check.m1) {
        Ok(true) => Ok(Some(stored)),
        Ok(false) | Err(srp::SrpError::BadA) => {
            flood::count(deps, Limit::WrongPasswords, &subject, now).await?;
            tracing::info!(user_id, "wrong cloud password");
            Err(hash_invalid())
        }
        Err(srp::SrpError::BadState) => {
            tracing::error!(user_id, "stored password verifier unusable");
            Err(RpcError::internal())
        }
    }
}

async fn check_password(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::auth::CheckPassword,
) -> Result<enums::auth::Authorization, RpcError> {
    let perm = ctx.perm_key()?;
    let pending = match deps.storage.passwords.get_pending_login(perm).await? {
        Some(p) if p.expires_at > ctx.now => p,
        // No login waits for a password on this key.
        _ => return Err(RpcError::unauthorized()),
    };
    if verify(&deps, pending.user_id, &req.password, ctx.now)
        .await?
        .is_none()
    {
        // The password was removed meanwhile: the code alone is enough now.
        tracing::info!(
            user_id = pending.user_id,
            "password gone; code login completes"
        );
    }
    let user = deps
        .storage
        .users
        .get(pending.user_id)
        .await?
        .filter(|u| !u.deleted)
        .ok_or_else(RpcError::unauthorized)?;
    super::complete_login(&deps, &ctx, perm, &user).await
}

async fn get_password_settings(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::account::GetPasswordSettings,
) -> Result<enums::account::PasswordSettings, RpcError> {
    let me = ctx.user()?;
    let stored = verify(&deps, me, &req.password, ctx.now).await?;
    Ok(enums::account::PasswordSettings::Settings(
        types::account::PasswordSettings {
            email: stored.and_then(|p| p.email),
            secure_settings: None,
        },
    ))
}

/// What a client sends for a new password: its salts and the verifier (256 bytes).
struct NewPassword {
    salt1: Vec<u8>,
    salt2: Vec<u8>,
    verifier: Vec<u8>,
}

/// The new verifier and salts of `settings`, or `None` for "remove the password".
fn new_password(
    settings: &types::account::PasswordInputSettings,
) -> Result<Option<NewPassword>, RpcError> {
    let invalid = || RpcError::bad_request("NEW_SETTINGS_INVALID");
    let hash = settings.new_password_hash.as_deref().unwrap_or_default();
    let algo = match &settings.new_algo {
        None | Some(enums::PasswordKdfAlgo::Unknown) => return Ok(None),
        Some(_) if hash.is_empty() => return Ok(None),
        Some(enums::PasswordKdfAlgo::Sha256Sha256Pbkdf2Hmacsha512iter100000Sha256ModPow(a)) => a,
    };
    if algo.g != srp::generator() || algo.p.as_slice() != srp::prime_bytes().as_slice() {
        return Err(invalid());
    }
    let salt_ok = |s: &[u8], min: usize| (min..=MAX_SALT_LEN).contains(&s.len());
    if !salt_ok(&algo.salt1, NEW_SALT1_LEN) || !salt_ok(&algo.salt2, NEW_SALT1_LEN) {
        return Err(RpcError::bad_request("NEW_SALT_INVALID"));
    }
    if !srp::verifier_valid(hash) {
        return Err(invalid());
    }
    let mut verifier = vec![0u8; srp::SRP_LEN - hash.len()];
    verifier.extend_from_slice(hash);
    Ok(Some(NewPassword {
        salt1: algo.salt1.clone(),
        salt2: algo.salt2.clone(),
        verifier,
    }))
}

async fn update_password_settings(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::account::UpdatePasswordSettings,
) -> Result<bool, RpcError> {
    let me = ctx.user()?;
    let enums::account::PasswordInputSettings::Settings(settings) = req.new_settings;
    let current = verify(&deps, me, &req.password, ctx.now).await?;
    let email = settings
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if email.is_some_and(|e| e.len() > 254 || !e.contains('@')) {
        return Err(RpcError::bad_request("EMAIL_INVALID"));
    }
    let hint = settings.hint.clone().unwrap_or_default();
    if hint.chars().count() > HINT_MAX_CHARS {
        return Err(RpcError::bad_request("PASSWORD_HINT_INVALID"));
    }
    if settings.new_algo.is_none() {
        // Only the recovery email changes; that needs an existing password.
        let Some(mut current) = current else {
            return Err(RpcError::bad_request("PASSWORD_EMPTY"));
        };
        if email.is_none() {
            return Err(RpcError::bad_request("NEW_SETTINGS_EMPTY"));
        }
        current.email = email.map(str::to_owned);
        current.updated_at = ctx.now;
        deps.storage.passwords.set_password(current).await?;
        return Ok(true);
    }
    match new_password(&settings)? {
        None => {
            deps.storage.passwords.delete_password(me).await?;
            tracing::info!(user_id = me, "cloud password removed");
        }
        Some(NewPassword {
            salt1,
            salt2,
            verifier,
        }) => {
            deps.storage
                .passwords
                .set_password(PasswordRecord {
                    user_id: me,
                    salt1,
                    salt2,
                    verifier,
                    hint,
                    email: email.map(str::to_owned),
                    updated_at: ctx.now,
                })
                .await?;
            tracing::info!(user_id = me, "cloud password set");
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::email_pattern;

    #[test]
    fn email_patterns_hide_the_local_part() {
        assert_eq!(email_pattern("ann@example.com"), "a***@example.com");
        assert_eq!(email_pattern("nope"), "***");
    }
}
