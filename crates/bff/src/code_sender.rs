//! Delivery of login codes (core.telegram.org/api/auth: auth.sendCode sends a code by SMS,
//! app message, call...). Echo has no SMS gateway of its own; a [`CodeSender`] hands each code
//! to whatever the operator configured: the log ([`LogCodeSender`]) or an HTTP webhook (in
//! `echo-admin`). Whatever happens to delivery, the code stays valid and operators can read it
//! through the admin API.

use async_trait::async_trait;

/// Why a code could not be delivered (logged; auth.sendCode still succeeds).
#[derive(Debug, thiserror::Error)]
#[error("code delivery failed: {0}")]
pub struct CodeSendError(pub String);

#[async_trait]
pub trait CodeSender: Send + Sync {
    /// Delivers `code` for `phone` (digits only, as normalized by auth.sendCode).
    async fn send(&self, phone: &str, code: &str) -> Result<(), CodeSendError>;
}

/// Writes every code to the log at INFO (the default: operators read it there or via the admin API).
#[derive(Debug, Default, Clone, Copy)]
pub struct LogCodeSender;

#[async_trait]
impl CodeSender for LogCodeSender {
    async fn send(&self, phone: &str, code: &str) -> Result<(), CodeSendError> {
        tracing::info!(phone = %phone, code = %code, "login code (no SMS gateway: read it here)");
        Ok(())
    }
}
