//! The admin token check for `/v1/*`: `Authorization: Bearer <token>`.
//!
//! No token configured → 403 ADMIN_DISABLED (the API is off rather than open); a missing or
//! wrong token → 401 with a `WWW-Authenticate` challenge. The comparison takes the same time
//! wherever the first difference is, and neither token is ever logged.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::AdminState;

pub async fn require_token(
    State(state): State<Arc<AdminState>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(expected) = state.deps.token.as_deref() else {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "ADMIN_DISABLED",
            "the admin API is disabled: set ECHO_ADMIN_TOKEN or admin_token in the config",
        )
        .into_response();
    };
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        Some(token) if tokens_equal(token.as_bytes(), expected.as_bytes()) => {
            next.run(request).await
        }
        Some(_) => unauthorized("ADMIN_TOKEN_INVALID", "the admin token is wrong"),
        None => unauthorized(
            "ADMIN_TOKEN_MISSING",
            "send the admin token as `Authorization: Bearer <token>`",
        ),
    }
}

fn unauthorized(code: &'static str, message: &str) -> Response {
    let mut response = ApiError::new(StatusCode::UNAUTHORIZED, code, message).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"echo-admin\""),
    );
    response
}

/// Equality whose running time depends only on the lengths, not on where the bytes differ.
fn tokens_equal(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= usize::from(x ^ y);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::tokens_equal;

    #[test]
    fn token_comparison() {
        assert!(tokens_equal(b"secret", b"secret"));
        assert!(!tokens_equal(b"secret", b"secreT"));
        assert!(!tokens_equal(b"secret", b"secret2"));
        assert!(!tokens_equal(b"", b"x"));
        assert!(tokens_equal(b"", b""));
    }
}
