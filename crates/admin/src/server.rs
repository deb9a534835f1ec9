//! Server endpoints: `/healthz` (the process answers), `/readyz` (storage answers a round trip),
//! `/metrics` (Prometheus text format) and `/v1/stats` (a JSON summary for people).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use echo_metrics::Sample;
use parking_lot::Mutex;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::AdminState;

/// Methods that create messages, for the messages-per-second rate.
fn sends_messages(method: &str) -> bool {
    method.starts_with("messages.send") || method == "messages.forwardMessages"
}

/// Turns the message counter into a rate between two `/v1/stats` calls.
#[derive(Debug, Default)]
pub(crate) struct RateTracker {
    last: Mutex<Option<(Instant, u64)>>,
}

impl RateTracker {
    /// Messages per second since the previous call (0 on the first call).
    fn per_second(&self, total: u64) -> f64 {
        let now = Instant::now();
        let mut last = self.last.lock();
        let rate = match *last {
            Some((at, before)) => {
                let secs = now.duration_since(at).as_secs_f64();
                if secs > 0.0 {
                    total.saturating_sub(before) as f64 / secs
                } else {
                    0.0
                }
            }
            None => 0.0,
        };
        *last = Some((now, total));
        rate
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Stats {
    /// Accounts that are not deleted.
    pub users: i64,
    /// Users with at least one logged-in session on this server.
    pub online_users: usize,
    /// Live MTProto sessions.
    pub sessions: usize,
    /// Message-sending API calls per second since the previous `/v1/stats` call.
    pub messages_per_second: f64,
    /// Message-sending API calls since start.
    pub messages_sent_total: u64,
    /// Open connections per gateway (listen address).
    pub connections_per_gateway: BTreeMap<String, i64>,
    /// Client messages waiting in session queues (sum and deepest queue).
    pub queue_depth_total: usize,
    pub queue_depth_max: usize,
}

#[utoipa::path(get, path = "/healthz", tag = "server",
    responses((status = 200, description = "The server is running", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

#[utoipa::path(get, path = "/readyz", tag = "server", responses(
    (status = 200, description = "Storage answers", body = Health),
    (status = 503, description = "Storage unreachable", body = ErrorBody)))]
pub async fn readyz(State(state): State<Arc<AdminState>>) -> ApiResult<Json<Health>> {
    match state.deps.storage.ping().await {
        Ok(()) => Ok(Json(Health {
            status: "ready".into(),
        })),
        Err(e) => {
            tracing::warn!(error = %e, "readiness probe: storage unreachable");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "STORAGE_UNAVAILABLE",
                "the database does not answer",
            ))
        }
    }
}

#[utoipa::path(get, path = "/metrics", tag = "server", responses(
    (status = 200, description = "Prometheus text exposition format 0.0.4", body = String,
     content_type = "text/plain")))]
pub async fn metrics(State(state): State<Arc<AdminState>>) -> Response {
    let mut extra = Vec::new();
    if let Some(sessions) = &state.deps.sessions {
        let stats = sessions.stats().await;
        extra.push(Sample::gauge(
            "echo_sessions",
            "Live MTProto sessions.",
            stats.sessions as f64,
        ));
        extra.push(Sample::gauge(
            "echo_online_users",
            "Users with a logged-in session.",
            stats.online_users as f64,
        ));
        extra.push(Sample::gauge(
            "echo_session_queue_depth",
            "Client messages waiting in session queues (all sessions).",
            stats.queue_total as f64,
        ));
        extra.push(Sample::gauge(
            "echo_session_queue_depth_max",
            "Client messages waiting in the deepest session queue.",
            stats.queue_max as f64,
        ));
    }
    let body = state.deps.metrics.render(&extra);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

#[utoipa::path(get, path = "/v1/stats", tag = "server", security(("bearer" = [])),
    responses((status = 200, description = "Server summary", body = Stats),
              (status = 401, description = "Missing or wrong token", body = ErrorBody)))]
pub async fn stats(State(state): State<Arc<AdminState>>) -> ApiResult<Json<Stats>> {
    let users = state.deps.storage.admin.count_users(None).await?;
    let metrics = &state.deps.metrics;
    let sent = metrics.rpc_calls_where(sends_messages);
    let stats = match &state.deps.sessions {
        Some(s) => s.stats().await,
        None => Default::default(),
    };
    let (sessions, online_users) = (stats.sessions, stats.online_users);
    let (queue_depth_total, queue_depth_max) = (stats.queue_total, stats.queue_max);
    Ok(Json(Stats {
        users,
        online_users,
        sessions,
        messages_per_second: state.rate.per_second(sent),
        messages_sent_total: sent,
        connections_per_gateway: metrics.connections_per_gateway(),
        queue_depth_total,
        queue_depth_max,
    }))
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "this endpoint does not take that HTTP method; see /openapi.json",
    )
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("NOT_FOUND", "no such endpoint; see /openapi.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_rate_is_zero_and_counts_sends() {
        let tracker = RateTracker::default();
        assert_eq!(tracker.per_second(10), 0.0);
        assert!(tracker.per_second(10) == 0.0);
        assert!(sends_messages("messages.sendMessage"));
        assert!(sends_messages("messages.forwardMessages"));
        assert!(!sends_messages("messages.getHistory"));
    }
}
