//! `/v1/users/{id}/authorizations` (the logged-in devices of a user, as account.getAuthorizations
//! shows them: core.telegram.org/method/account.getAuthorizations) with termination of one or
//! all, and `/v1/login-codes/{phone}`: the pending login code, for operators without SMS.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::Json;
use echo_storage::AuthorizationRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::users::{cut_sessions, load};
use crate::AdminState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuthorizationView {
    /// Identifies the authorization (as in account.resetAuthorization). A decimal string,
    /// since 64-bit values do not survive JSON numbers in every client.
    pub hash: String,
    pub device_model: String,
    pub system_version: String,
    pub app_version: String,
    pub api_id: i32,
    /// The API layer the client declared (invokeWithLayer).
    pub layer: i32,
    pub lang_code: String,
    pub ip: String,
    pub created_at: i64,
    /// Last initConnection or login on this authorization.
    pub active_at: i64,
}

impl From<&AuthorizationRecord> for AuthorizationView {
    fn from(a: &AuthorizationRecord) -> Self {
        Self {
            hash: a.hash.to_string(),
            device_model: a.device_model.clone(),
            system_version: a.system_version.clone(),
            app_version: a.app_version.clone(),
            api_id: a.api_id,
            layer: a.layer,
            lang_code: a.lang_code.clone(),
            ip: a.ip.clone(),
            created_at: a.created_at,
            active_at: a.active_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Terminated {
    pub authorizations_logged_out: usize,
    pub sessions_closed: usize,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PendingCode {
    pub phone: String,
    pub code: String,
    pub created_at: i64,
    pub expires_at: i64,
    /// Wrong codes tried so far.
    pub attempts: i32,
}

fn parse_user(path: Result<Path<i64>, PathRejection>) -> ApiResult<i64> {
    path.map(|Path(id)| id).map_err(|_| {
        ApiError::bad_request("USER_ID_INVALID", "the user id must be a 64-bit integer")
    })
}

async fn authorizations(state: &AdminState, user_id: i64) -> ApiResult<Vec<AuthorizationRecord>> {
    load(state, user_id).await?;
    Ok(state
        .deps
        .storage
        .authorizations
        .list_for_user(user_id)
        .await?)
}

#[utoipa::path(get, path = "/v1/users/{id}/authorizations", tag = "sessions",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AuthorizationView>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<Arc<AdminState>>,
    id: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<Vec<AuthorizationView>>> {
    let id = parse_user(id)?;
    let list = authorizations(&state, id).await?;
    Ok(Json(list.iter().map(AuthorizationView::from).collect()))
}

#[utoipa::path(delete, path = "/v1/users/{id}/authorizations", tag = "sessions",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Terminated), (status = 404, body = ErrorBody)))]
pub async fn terminate_all(
    State(state): State<Arc<AdminState>>,
    id: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<Terminated>> {
    let id = parse_user(id)?;
    load(&state, id).await?;
    let (logged_out, closed) = cut_sessions(&state, id).await?;
    tracing::info!(
        user_id = id,
        logged_out,
        closed,
        "admin API: all authorizations terminated"
    );
    Ok(Json(Terminated {
        authorizations_logged_out: logged_out,
        sessions_closed: closed,
    }))
}

#[utoipa::path(delete, path = "/v1/users/{id}/authorizations/{hash}", tag = "sessions",
    security(("bearer" = [])),
    params(("id" = i64, Path), ("hash" = String, Path, description = "Authorization hash")),
    responses((status = 200, body = Terminated), (status = 404, body = ErrorBody)))]
pub async fn terminate_one(
    State(state): State<Arc<AdminState>>,
    path: Result<Path<(i64, i64)>, PathRejection>,
) -> ApiResult<Json<Terminated>> {
    let Path((id, hash)) = path.map_err(|_| {
        ApiError::bad_request(
            "PATH_INVALID",
            "expected /v1/users/{id}/authorizations/{hash} with integer id and hash",
        )
    })?;
    let list = authorizations(&state, id).await?;
    let Some(found) = list.iter().find(|a| a.hash == hash) else {
        return Err(ApiError::not_found(
            "AUTHORIZATION_NOT_FOUND",
            format!("user {id} has no authorization {hash}"),
        ));
    };
    // Close before and after the log-out, for the reason given in `users::cut_sessions`.
    let mut closed = match &state.deps.sessions {
        Some(s) => s.disconnect_authorization(id, found.auth_key_id).await,
        None => 0,
    };
    state.deps.authsession.log_out(found.auth_key_id).await?;
    if let Some(s) = &state.deps.sessions {
        closed += s.disconnect_authorization(id, found.auth_key_id).await;
    }
    tracing::info!(user_id = id, "admin API: authorization terminated");
    Ok(Json(Terminated {
        authorizations_logged_out: 1,
        sessions_closed: closed,
    }))
}

#[utoipa::path(get, path = "/v1/login-codes/{phone}", tag = "login codes",
    security(("bearer" = [])), params(("phone" = String, Path)),
    responses((status = 200, body = PendingCode), (status = 400, body = ErrorBody),
              (status = 404, description = "CODE_NOT_FOUND", body = ErrorBody)))]
pub async fn pending_code(
    State(state): State<Arc<AdminState>>,
    Path(phone): Path<String>,
) -> ApiResult<Json<PendingCode>> {
    let phone = echo_bff::normalize_phone(&phone).map_err(|_| {
        ApiError::bad_request("PHONE_NUMBER_INVALID", "a phone number is 5 to 15 digits")
    })?;
    let code = state
        .deps
        .storage
        .admin
        .pending_code(&phone, state.now())
        .await?
        .ok_or_else(|| {
            ApiError::not_found("CODE_NOT_FOUND", format!("no live login code for {phone}"))
        })?;
    Ok(Json(PendingCode {
        phone: code.phone,
        code: code.code,
        created_at: code.created_at,
        expires_at: code.expires_at,
        attempts: code.attempts,
    }))
}
