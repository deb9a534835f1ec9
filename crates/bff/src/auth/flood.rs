//! Flood limits of the login and password flows (core.telegram.org/api/errors: FLOOD_WAIT_X,
//! /mtproto/security_guidelines): login codes per IP, wrong codes per phone, wrong passwords
//! per account. Counters are kept in storage (`echo_storage::FloodStore`) in fixed one-hour
//! windows, so a restart does not reset them and every instance of a cluster sees the same
//! count. A refused call answers FLOOD_WAIT_X with X = seconds until the window ends.

use crate::context::{BffDeps, RpcContext, RpcError};

/// Length of one counting window.
pub const WINDOW_SECS: i64 = 3600;

/// What is being counted; the scope names the counter in storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// auth.sendCode per client IP.
    SendCodePerIp,
    /// Wrong login codes per phone.
    WrongCodes,
    /// Wrong cloud passwords per account.
    WrongPasswords,
}

impl Limit {
    fn scope(self) -> &'static str {
        match self {
            Limit::SendCodePerIp => "send_code_ip",
            Limit::WrongCodes => "wrong_code",
            Limit::WrongPasswords => "wrong_password",
        }
    }

    fn per_window(self, deps: &BffDeps) -> i64 {
        let limits = &deps.config.security;
        match self {
            Limit::SendCodePerIp => limits.send_code_per_ip_per_hour,
            Limit::WrongCodes => limits.sign_in_failures_per_hour,
            Limit::WrongPasswords => limits.password_failures_per_hour,
        }
    }
}

fn window_start(now: i64) -> i64 {
    now - now.rem_euclid(WINDOW_SECS)
}

/// FLOOD_WAIT_X when `subject` has used up `limit` in the current window.
pub async fn refuse_if_flooded(
    deps: &BffDeps,
    limit: Limit,
    subject: &str,
    now: i64,
) -> Result<(), RpcError> {
    let allowed = limit.per_window(deps);
    if allowed <= 0 {
        return Ok(());
    }
    let start = window_start(now);
    let hits = deps
        .storage
        .flood
        .hits(limit.scope(), subject, start)
        .await?;
    if hits >= allowed {
        tracing::info!(
            scope = limit.scope(),
            hits,
            "flood limit reached; answering FLOOD_WAIT"
        );
        return Err(RpcError::flood_wait((start + WINDOW_SECS - now).max(1)));
    }
    Ok(())
}

/// Counts one event of `subject` (a failure, or a sent code).
pub async fn count(deps: &BffDeps, limit: Limit, subject: &str, now: i64) -> Result<(), RpcError> {
    if limit.per_window(deps) <= 0 {
        return Ok(());
    }
    deps.storage
        .flood
        .add_hits(limit.scope(), subject, window_start(now), 1)
        .await?;
    Ok(())
}

/// The client IP the per-IP limit applies to, if any (none for loopback when exempt).
pub fn limited_ip(deps: &BffDeps, ctx: &RpcContext) -> Option<String> {
    let ip = ctx.client_ip?;
    if ip.is_loopback() && deps.config.security.ip_limit_exempts_loopback {
        return None;
    }
    Some(ip.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_aligned_hours() {
        assert_eq!(window_start(7200), 7200);
        assert_eq!(window_start(7199), 3600);
        assert_eq!(window_start(10_799), 7200);
    }
}
