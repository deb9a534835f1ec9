//! `/v1/users`: list and search (keyset paging by id), look up by id, phone or username, create
//! (provisioning), ban and unban, delete. A ban or a deletion also logs out every authorization
//! of the user and closes the user's live sessions (core.telegram.org/api/auth).

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use echo_storage::{AdminUser, NewUser, StorageError, UserListQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::AdminState;

/// Page size when the caller gives none.
const DEFAULT_LIMIT: i64 = 50;

#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct UserView {
    pub id: i64,
    /// Digits only (international format without `+`).
    pub phone: String,
    pub first_name: String,
    pub last_name: String,
    pub username: Option<String>,
    pub about: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub deleted: bool,
    pub banned: bool,
    /// Unix seconds of the ban, 0 when not banned.
    pub banned_at: i64,
}

impl From<AdminUser> for UserView {
    fn from(u: AdminUser) -> Self {
        Self {
            id: u.user.id,
            phone: u.user.phone,
            first_name: u.user.first_name,
            last_name: u.user.last_name,
            username: u.user.username,
            about: u.user.about,
            created_at: u.user.created_at,
            last_seen_at: u.user.last_seen_at,
            deleted: u.user.deleted,
            banned: u.banned,
            banned_at: u.banned_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Case-insensitive substring of phone, names or username.
    pub search: Option<String>,
    /// Return users with a greater id (the `next_after_id` of the previous page).
    pub after_id: Option<i64>,
    /// 1..=500, default 50.
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserPage {
    pub users: Vec<UserView>,
    /// Pass as `after_id` for the next page; absent on the last page.
    pub next_after_id: Option<i64>,
    /// Matching accounts that are not deleted.
    pub total: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// International format; `+`, spaces, dashes, dots and parentheses are ignored.
    pub phone: String,
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BanResult {
    pub user: UserView,
    /// Authorizations (logged-in devices) that were logged out.
    pub authorizations_logged_out: usize,
    /// Live sessions whose connections were closed.
    pub sessions_closed: usize,
}

fn parse_id(path: Result<Path<i64>, PathRejection>) -> ApiResult<i64> {
    path.map(|Path(id)| id).map_err(|_| {
        ApiError::bad_request("USER_ID_INVALID", "the user id must be a 64-bit integer")
    })
}

pub(crate) async fn load(state: &AdminState, id: i64) -> ApiResult<AdminUser> {
    state
        .deps
        .storage
        .admin
        .get_admin_user(id)
        .await?
        .ok_or_else(|| ApiError::user_not_found(id))
}

/// Logs out every authorization of `user_id` and closes its live sessions.
/// Returns (authorizations logged out, sessions closed).
pub(crate) async fn cut_sessions(state: &AdminState, user_id: i64) -> ApiResult<(usize, usize)> {
    let authorizations = state
        .deps
        .storage
        .authorizations
        .list_for_user(user_id)
        .await?;
    let disconnect = || async {
        match &state.deps.sessions {
            Some(s) => s.disconnect_user(user_id).await,
            None => 0,
        }
    };
    // Close first: a session that makes a call after the log-out below sees no user and
    // leaves the user's session index, so closing by index afterwards could miss it. Close
    // again afterwards for any session indexed in between.
    let mut closed = disconnect().await;
    for a in &authorizations {
        state.deps.authsession.log_out(a.auth_key_id).await?;
    }
    closed += disconnect().await;
    Ok((authorizations.len(), closed))
}

#[utoipa::path(get, path = "/v1/users", tag = "users", params(ListParams),
    security(("bearer" = [])),
    responses((status = 200, body = UserPage), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<Arc<AdminState>>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> ApiResult<Json<UserPage>> {
    let Query(params) = params?;
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=echo_storage::MAX_USER_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(
            "LIMIT_INVALID",
            format!("limit must be 1..={}", echo_storage::MAX_USER_PAGE),
        ));
    }
    let search = params.search.filter(|s| !s.trim().is_empty());
    if search.as_ref().is_some_and(|s| s.chars().count() > 64) {
        return Err(ApiError::bad_request(
            "SEARCH_TOO_LONG",
            "search is at most 64 characters",
        ));
    }
    let admin = &state.deps.storage.admin;
    let users = admin
        .list_users(&UserListQuery {
            search: search.clone(),
            after_id: params.after_id.unwrap_or(0),
            limit,
        })
        .await?;
    let total = admin.count_users(search.as_deref()).await?;
    let next_after_id = if users.len() as i64 == limit {
        users.last().map(|u| u.user.id)
    } else {
        None
    };
    Ok(Json(UserPage {
        users: users.into_iter().map(UserView::from).collect(),
        next_after_id,
        total,
    }))
}

#[utoipa::path(get, path = "/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
pub async fn get_by_id(
    State(state): State<Arc<AdminState>>,
    id: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<UserView>> {
    let id = parse_id(id)?;
    Ok(Json(load(&state, id).await?.into()))
}

#[utoipa::path(get, path = "/v1/users/by-phone/{phone}", tag = "users",
    security(("bearer" = [])), params(("phone" = String, Path)),
    responses((status = 200, body = UserView), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn get_by_phone(
    State(state): State<Arc<AdminState>>,
    Path(phone): Path<String>,
) -> ApiResult<Json<UserView>> {
    let phone = normalize(&phone)?;
    let user = state
        .deps
        .storage
        .users
        .get_by_phone(&phone)
        .await?
        .ok_or_else(|| ApiError::user_not_found(format!("with phone {phone}")))?;
    Ok(Json(load(&state, user.id).await?.into()))
}

#[utoipa::path(get, path = "/v1/users/by-username/{username}", tag = "users",
    security(("bearer" = [])), params(("username" = String, Path)),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
pub async fn get_by_username(
    State(state): State<Arc<AdminState>>,
    Path(username): Path<String>,
) -> ApiResult<Json<UserView>> {
    let name = username.trim_start_matches('@');
    let user = state
        .deps
        .storage
        .users
        .get_by_username(name)
        .await?
        .ok_or_else(|| ApiError::user_not_found(format!("with username {name:?}")))?;
    Ok(Json(load(&state, user.id).await?.into()))
}

fn normalize(phone: &str) -> ApiResult<String> {
    echo_bff::normalize_phone(phone).map_err(|_| {
        ApiError::bad_request(
            "PHONE_NUMBER_INVALID",
            "a phone number is 5 to 15 digits (+, spaces, dashes allowed)",
        )
    })
}

#[utoipa::path(post, path = "/v1/users", tag = "users", security(("bearer" = [])),
    request_body = CreateUser,
    responses((status = 201, body = UserView), (status = 400, body = ErrorBody),
              (status = 409, description = "PHONE_NUMBER_OCCUPIED", body = ErrorBody)))]
pub async fn create(
    State(state): State<Arc<AdminState>>,
    body: Result<Json<CreateUser>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let Json(req) = body?;
    let phone = normalize(&req.phone)?;
    let first_name = echo_bff::validate_name(&req.first_name, false, "FIRST_NAME_INVALID")
        .map_err(|_| {
            ApiError::bad_request("FIRST_NAME_INVALID", "first_name: 1 to 64 characters")
        })?;
    let last_name = echo_bff::validate_name(&req.last_name, true, "LASTNAME_INVALID")
        .map_err(|_| ApiError::bad_request("LASTNAME_INVALID", "last_name: 0 to 64 characters"))?;
    let access_hash = loop {
        let h: i64 = rand::random();
        if h != 0 {
            break h;
        }
    };
    let created = state
        .deps
        .storage
        .users
        .create(NewUser {
            phone,
            first_name,
            last_name,
            access_hash,
            now: state.now(),
        })
        .await;
    let user = match created {
        Ok(user) => user,
        Err(StorageError::Conflict(_)) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "PHONE_NUMBER_OCCUPIED",
                "an account with this phone exists",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(user_id = user.id, "admin API: user created");
    Ok((
        StatusCode::CREATED,
        Json(load(&state, user.id).await?.into()),
    ))
}

#[utoipa::path(post, path = "/v1/users/{id}/ban", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "Banned; sessions cut", body = BanResult),
              (status = 404, body = ErrorBody)))]
pub async fn ban(
    State(state): State<Arc<AdminState>>,
    id: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<BanResult>> {
    let id = parse_id(id)?;
    let user = match state
        .deps
        .storage
        .admin
        .set_banned(id, true, state.now())
        .await
    {
        Err(StorageError::NotFound) => return Err(ApiError::user_not_found(id)),
        other => other?,
    };
    let (logged_out, closed) = cut_sessions(&state, id).await?;
    tracing::info!(user_id = id, logged_out, closed, "admin API: user banned");
    Ok(Json(BanResult {
        user: user.into(),
        authorizations_logged_out: logged_out,
        sessions_closed: closed,
    }))
}

#[utoipa::path(post, path = "/v1/users/{id}/unban", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
pub async fn unban(
    State(state): State<Arc<AdminState>>,
    id: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<UserView>> {
    let id = parse_id(id)?;
    match state
        .deps
        .storage
        .admin
        .set_banned(id, false, state.now())
        .await
    {
        Err(StorageError::NotFound) => Err(ApiError::user_not_found(id)),
        other => {
            tracing::info!(user_id = id, "admin API: user unbanned");
            Ok(Json(other?.into()))
        }
    }
}

#[utoipa::path(delete, path = "/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "Deleted; phone and username freed", body = BanResult),
              (status = 404, body = ErrorBody)))]
pub async fn delete_account(
    State(state): State<Arc<AdminState>>,
    id: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<BanResult>> {
    let id = parse_id(id)?;
    let before = load(&state, id).await?;
    if before.user.deleted {
        return Err(ApiError::user_not_found(id));
    }
    let (logged_out, closed) = cut_sessions(&state, id).await?;
    match state.deps.storage.admin.delete_account(id).await {
        Err(StorageError::NotFound) => return Err(ApiError::user_not_found(id)),
        other => other?,
    }
    tracing::info!(user_id = id, "admin API: account deleted");
    Ok(Json(BanResult {
        user: load(&state, id).await?.into(),
        authorizations_logged_out: logged_out,
        sessions_closed: closed,
    }))
}
