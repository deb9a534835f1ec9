//! The integration test cases, one module per area of the protocol.

mod admin_hooks;
mod checks;
mod keys;
mod login;
mod robustness;
mod service;
mod session_ops;
pub(crate) mod transports;
