//! Errors of the admin API: an HTTP status plus a JSON body `{ "code": "STABLE_CODE",
//! "message": "..." }`. Codes are part of the API contract; messages are for people.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error answer.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `USER_NOT_FOUND`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "internal error; see the server log",
        )
    }

    pub fn user_not_found(id: impl std::fmt::Display) -> Self {
        Self::not_found("USER_NOT_FOUND", format!("no user {id}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code.to_string(),
            message: self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<echo_storage::StorageError> for ApiError {
    fn from(e: echo_storage::StorageError) -> Self {
        tracing::error!(error = %e, "admin API: storage error");
        ApiError::internal()
    }
}

impl From<echo_authsession::AuthSessionError> for ApiError {
    fn from(e: echo_authsession::AuthSessionError) -> Self {
        tracing::error!(error = %e, "admin API: authsession error");
        ApiError::internal()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        let code = match e {
            JsonRejection::MissingJsonContentType(_) => "CONTENT_TYPE_NOT_JSON",
            JsonRejection::JsonSyntaxError(_) => "JSON_MALFORMED",
            JsonRejection::JsonDataError(_) => "JSON_INVALID",
            _ => "BODY_INVALID",
        };
        ApiError::bad_request(code, e.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        ApiError::bad_request("QUERY_INVALID", e.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> Self {
        ApiError::bad_request("PATH_INVALID", e.body_text())
    }
}
