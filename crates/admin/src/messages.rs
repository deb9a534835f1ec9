//! `/v1/messages/service`: a service notification from the Telegram service account (777000)
//! to one user or to everyone (core.telegram.org/constructor/updateServiceNotification describes
//! how official servers deliver such notices). Needs a [`crate::ServiceNotifier`] (the messaging
//! service); without one the endpoint answers 501 SERVICE_MESSAGES_UNAVAILABLE.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::users::load;
use crate::AdminState;

/// Longest notification text (Telegram's message length limit).
const MAX_TEXT_CHARS: usize = 4096;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceMessage {
    /// The recipient; omit and set `all: true` to send to every user.
    pub user_id: Option<i64>,
    #[serde(default)]
    pub all: bool,
    pub text: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ServiceMessageSent {
    /// Users the notification was delivered to.
    pub recipients: u64,
}

#[utoipa::path(post, path = "/v1/messages/service", tag = "messages", security(("bearer" = [])),
    request_body = ServiceMessage,
    responses((status = 200, body = ServiceMessageSent), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 501, description = "SERVICE_MESSAGES_UNAVAILABLE", body = ErrorBody)))]
pub async fn send_service(
    State(state): State<Arc<AdminState>>,
    body: Result<Json<ServiceMessage>, JsonRejection>,
) -> ApiResult<Json<ServiceMessageSent>> {
    let Json(req) = body?;
    let text = req.text.trim();
    if text.is_empty() || text.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::bad_request(
            "MESSAGE_INVALID",
            format!("text must be 1..={MAX_TEXT_CHARS} characters"),
        ));
    }
    let target = match (req.user_id, req.all) {
        (Some(id), false) => {
            load(&state, id).await?;
            Some(id)
        }
        (None, true) => None,
        _ => {
            return Err(ApiError::bad_request(
                "RECIPIENT_INVALID",
                "give either user_id or all: true",
            ))
        }
    };
    let Some(notifier) = &state.deps.notifier else {
        return Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "SERVICE_MESSAGES_UNAVAILABLE",
            "this server has no messaging service wired to the admin API yet",
        ));
    };
    let recipients = notifier.notify(target, text).await.map_err(|e| {
        tracing::error!(error = %e, "admin API: service notification failed");
        ApiError::internal()
    })?;
    Ok(Json(ServiceMessageSent { recipients }))
}
