//! QR code login (core.telegram.org/api/qr-login, /method/auth.exportLoginToken,
//! /method/auth.importLoginToken, /method/auth.acceptLoginToken).
//!
//! The new device calls auth.exportLoginToken and shows the token as
//! `tg://login?token=base64url`; it lives `SecurityLimits::login_token_ttl_secs`, after which
//! the device exports a new one. A logged-in device scans it and calls auth.acceptLoginToken:
//! the token is marked accepted by that user and updateLoginToken is pushed to the sessions
//! of the waiting key (which has no user yet, so the push goes by key). The waiting device
//! then calls auth.exportLoginToken again and gets auth.loginTokenSuccess (or 401
//! SESSION_PASSWORD_NEEDED when the account has a cloud password). Echo is a single DC, so
//! auth.importLoginToken only completes a token on the key that exported it.

use std::sync::Arc;

use echo_storage::{LoginTokenRecord, StorageError};
use echo_tl::{enums, functions, types, Serializable};

use super::authorizations::authorization_view;
use crate::context::{BffDeps, RpcContext, RpcError};
use crate::help::tl_date;
use crate::router::Router;

/// Random bytes per token.
const TOKEN_LEN: usize = 32;

pub fn register(r: &mut Router) {
    r.public_method(export_login_token);
    r.public_method(import_login_token);
    r.method(accept_login_token);
}

/// Logs the waiting key in as the user who accepted its token.
async fn finish(
    deps: &BffDeps,
    ctx: &RpcContext,
    perm: i64,
    user_id: i64,
) -> Result<enums::auth::LoginToken, RpcError> {
    let user = deps
        .storage
        .users
        .get(user_id)
        .await?
        .filter(|u| !u.deleted)
        .ok_or_else(|| RpcError::bad_request("AUTH_TOKEN_INVALID"))?;
    // The token has done its job either way; the password gate keeps its own record.
    deps.storage.login_tokens.delete_login_tokens(perm).await?;
    super::require_password(deps, perm, user.id, ctx.now).await?;
    let authorization = super::complete_login(deps, ctx, perm, &user).await?;
    Ok(enums::auth::LoginToken::Success(
        types::auth::LoginTokenSuccess { authorization },
    ))
}

async fn export_login_token(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    _req: functions::auth::ExportLoginToken,
) -> Result<enums::auth::LoginToken, RpcError> {
    let perm = ctx.perm_key()?;
    if let Some(accepted) = deps.storage.login_tokens.accepted_login_token(perm).await? {
        if let Some(user_id) = accepted.accepted_by {
            return finish(&deps, &ctx, perm, user_id).await;
        }
    }
    let ttl = deps.config.security.login_token_ttl_secs.max(1);
    let record = loop {
        let record = LoginTokenRecord {
            token: (0..TOKEN_LEN).map(|_| rand::random::<u8>()).collect(),
            auth_key_id: perm,
            created_at: ctx.now,
            expires_at: ctx.now + ttl,
            accepted_by: None,
        };
        match deps
            .storage
            .login_tokens
            .put_login_token(record.clone())
            .await
        {
            Ok(()) => break record,
            Err(StorageError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    };
    Ok(enums::auth::LoginToken::Token(types::auth::LoginToken {
        expires: tl_date(record.expires_at),
        token: record.token,
    }))
}

async fn import_login_token(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::auth::ImportLoginToken,
) -> Result<enums::auth::LoginToken, RpcError> {
    let perm = ctx.perm_key()?;
    let record = deps
        .storage
        .login_tokens
        .get_login_token(&req.token)
        .await?
        .filter(|t| t.auth_key_id == perm)
        .ok_or_else(|| RpcError::bad_request("AUTH_TOKEN_INVALID"))?;
    match record.accepted_by {
        Some(user_id) => finish(&deps, &ctx, perm, user_id).await,
        None if record.expires_at <= ctx.now => Err(RpcError::bad_request("AUTH_TOKEN_EXPIRED")),
        None => Ok(enums::auth::LoginToken::Token(types::auth::LoginToken {
            expires: tl_date(record.expires_at),
            token: record.token,
        })),
    }
}

async fn accept_login_token(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    req: functions::auth::AcceptLoginToken,
) -> Result<enums::Authorization, RpcError> {
    let me = ctx.user()?;
    let record = deps
        .storage
        .login_tokens
        .get_login_token(&req.token)
        .await?
        .ok_or_else(|| RpcError::bad_request("AUTH_TOKEN_INVALID"))?;
    if record.accepted_by.is_some() {
        return Err(RpcError::bad_request("AUTH_TOKEN_ALREADY_ACCEPTED"));
    }
    if !deps
        .storage
        .login_tokens
        .accept_login_token(&req.token, me, ctx.now)
        .await?
    {
        return Err(RpcError::bad_request("AUTH_TOKEN_EXPIRED"));
    }
    tracing::info!(
        user_id = me,
        waiting = record.auth_key_id,
        "QR login token accepted"
    );
    let update = enums::Updates::UpdateShort(types::UpdateShort {
        update: enums::Update::LoginToken,
        date: tl_date(ctx.now),
    });
    match deps
        .messaging
        .sync
        .push_to_auth_key(record.auth_key_id, update.to_bytes())
        .await
    {
        Ok(reached) => tracing::debug!(reached, "updateLoginToken pushed"),
        // The waiting device also polls auth.exportLoginToken when its token expires.
        Err(e) => tracing::warn!(error = %e, "updateLoginToken not pushed"),
    }
    let waiting = deps.storage.authorizations.get(record.auth_key_id).await?;
    let view = match waiting {
        Some(rec) => authorization_view(&rec, false),
        None => enums::Authorization::Authorization(types::Authorization {
            current: false,
            official_app: false,
            password_pending: false,
            encrypted_requests_disabled: false,
            call_requests_disabled: false,
            unconfirmed: false,
            hash: 0,
            device_model: String::new(),
            platform: String::new(),
            system_version: String::new(),
            api_id: 0,
            app_name: String::new(),
            app_version: String::new(),
            date_created: tl_date(ctx.now),
            date_active: tl_date(ctx.now),
            ip: String::new(),
            country: String::new(),
            region: String::new(),
        }),
    };
    Ok(view)
}
